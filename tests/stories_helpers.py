"""Helpers shared by the story and entity tests: records built straight from a spaCy parse."""

from __future__ import annotations

from typing import Any

from parallax.model import AnalyzedArticle, Article, Mention, Sentence

LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})


def parsed(nlp: Any, article: Article) -> AnalyzedArticle:
    """Sentences and NER mentions of ``article`` (what the analysis stage hands the story stage)."""
    doc = nlp(article.text)
    sentences = tuple(Sentence(article.id, i, s.start_char, s.end_char, s.text) for i, s in enumerate(doc.sents))
    sentence_of = {t.i: i for i, s in enumerate(doc.sents) for t in s}
    mentions = tuple(
        Mention(article.id, e.start_char, e.end_char, e.text, e.label_, sentence_of[e.start])
        for e in doc.ents
        if e.label_ in LABELS
    )
    return AnalyzedArticle(article, sentences, mentions)


def analysed(article_id: str, outlet: str, text: str, spans: list[tuple[str, str]]) -> AnalyzedArticle:
    """An article whose mentions are given by hand as (surface text, label), found in order in ``text``."""
    mentions = []
    cursor = 0
    for surface, label in spans:
        start = text.index(surface, cursor)
        mentions.append(Mention(article_id, start, start + len(surface), surface, label, 0))
        cursor = start + len(surface)
    article = Article(id=article_id, outlet=outlet, title="", text=text)
    return AnalyzedArticle(article, (Sentence(article_id, 0, 0, len(text), text),), tuple(mentions))
