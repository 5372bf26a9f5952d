"""Analysis stage: sentences, entity mentions, quotes and the sources each article relies on.

spaCy ``Doc`` objects live only inside this package; what leaves it are the records of
:mod:`parallax.model`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from parallax.model import AnalyzedArticle, Article, Mention, Sentence

from .nlp import load_nlp

__all__ = ["analyze_article", "analyze_articles", "doc_records"]

LOGGER = logging.getLogger(__name__)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})


def analyze_articles(
    articles: Iterable[Article], *, batch_size: int = 32, n_process: int = 1
) -> Iterator[AnalyzedArticle]:
    """Parse each article once and derive every per-article record from the parse."""
    nlp = load_nlp()
    pairs = ((article.text, article) for article in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield doc_records(doc, article)


def analyze_article(article: Article) -> AnalyzedArticle:
    """Analyse a single article (convenience wrapper over :func:`analyze_articles`)."""
    return next(analyze_articles([article]))


def doc_records(doc: Doc, article: Article) -> AnalyzedArticle:
    """Turn a parsed ``Doc`` of ``article.text`` into records with offsets into that text."""
    from .quotes import extract_quotes
    from .sources import sources_relied_on

    sentences = tuple(
        Sentence(article.id, index, sent.start_char, sent.end_char, sent.text)
        for index, sent in enumerate(doc.sents)
    )
    sentence_of = _sentence_index(doc)
    mentions = tuple(
        Mention(article.id, ent.start_char, ent.end_char, ent.text, ent.label_, sentence_of[ent.start])
        for ent in doc.ents
        if ent.label_ in ENTITY_LABELS
    )
    quotes = tuple(extract_quotes(doc, article.id))
    sources = tuple(sources_relied_on(doc, quotes, article.id))
    return AnalyzedArticle(article, sentences, mentions, quotes, sources)


def _sentence_index(doc: Doc) -> list[int]:
    """Sentence number of every token."""
    index = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = number
    return index
