"""Analysis stage: sentences, entity mentions, quotes and the sources each article relies on.

spaCy ``Doc`` objects live only inside this package; what leaves it are the records of
:mod:`parallax.model`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.tokens import Doc

from parallax.model import AnalyzedArticle, Article, Mention, Sentence

from .nlp import MAX_DOC_CHARS, MAX_DOC_PIECES, load_nlp, split_long_text

if TYPE_CHECKING:
    from .quotes import QuoteConfig

__all__ = ["analyze_article", "analyze_articles", "doc_records"]

LOGGER = logging.getLogger(__name__)

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})


def analyze_articles(
    articles: Iterable[Article],
    *,
    batch_size: int = 32,
    n_process: int = 1,
    quote_models: Path | None = None,
    quote_config: QuoteConfig | None = None,
) -> Iterator[AnalyzedArticle]:
    """Parse each article once and derive every per-article record from the parse.

    ``quote_config``: the quote stage's mode and model folder (:class:`parallax.analyze.quotes.QuoteConfig`);
    without it, the quote mode in force (:func:`parallax.quote_mode.quote_mode`) and ``quote_models``, the
    folder of the quote models (default: ``quotes`` of the installed model package).

    An article longer than ``MAX_DOC_CHARS`` is parsed in pieces cut at paragraph breaks and the pieces'
    parses are joined into one ``Doc``, so offsets are the same as for a short one. Past ``MAX_DOC_PIECES``
    pieces the rest of the text is left out of the analysis, with a warning.
    """
    nlp = load_nlp()
    pieces = ((piece, (article, count)) for article in articles for piece, count in _pieces(article))
    parsed: list[Doc] = []
    for doc, (article, count) in nlp.pipe(pieces, as_tuples=True, batch_size=batch_size, n_process=n_process):
        parsed.append(doc)
        if len(parsed) == count:
            yield doc_records(_joined(parsed, article), article, quote_models=quote_models, quote_config=quote_config)
            parsed = []


def _pieces(article: Article) -> list[tuple[str, int]]:
    """The texts spaCy parses for ``article``, each with how many there are."""
    if len(article.text) <= MAX_DOC_CHARS:
        return [(article.text, 1)]
    pieces = split_long_text(article.text, limit=MAX_DOC_CHARS)
    if len(pieces) > MAX_DOC_PIECES:
        pieces = pieces[:MAX_DOC_PIECES]
        LOGGER.warning(
            "article %s (%s) has %s characters; only the first %s are analysed",
            article.id, article.source_path, f"{len(article.text):,}", f"{sum(map(len, pieces)):,}",
        )
    LOGGER.info("%s: %d characters, parsed in %d pieces", article.id, len(article.text), len(pieces))
    return [(piece, len(pieces)) for piece in pieces]


def _joined(docs: list[Doc], article: Article) -> Doc:
    if len(docs) == 1:
        return docs[0]
    # No whitespace is added between pieces: they are consecutive slices of the text, so the joined
    # text is the article's (or its start, past MAX_DOC_PIECES) and every offset stays true.
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    assert article.text.startswith(doc.text), f"{article.id}: joined parse lost characters"
    return doc


def analyze_article(article: Article) -> AnalyzedArticle:
    """Analyse a single article (convenience wrapper over :func:`analyze_articles`)."""
    return next(analyze_articles([article]))


def doc_records(
    doc: Doc, article: Article, *, quote_models: Path | None = None, quote_config: QuoteConfig | None = None
) -> AnalyzedArticle:
    """Turn a parsed ``Doc`` of ``article.text`` into records with offsets into that text (``quote_config``
    and ``quote_models`` as for :func:`analyze_articles`)."""
    from parallax.quote_mode import quote_mode

    from .labels import doc_labels
    from .quotes import QuoteConfig, quotes_and_sources

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
    config = quote_config or QuoteConfig(quote_mode(), quote_models)
    quotes, sources = quotes_and_sources(doc, article.id, config)
    labels = doc_labels(doc, sentences, mentions)
    return AnalyzedArticle(article, sentences, mentions, tuple(quotes), tuple(sources), labels)


def _sentence_index(doc: Doc) -> list[int]:
    """Sentence number of every token."""
    index = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = number
    return index
