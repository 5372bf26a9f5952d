"""Bad input never crashes the quote stage nor yields spans outside the text or their sentence."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallax.analyze.quotes import extract_quotes
from parallax.analyze.quotes.sources import sources_relied_on
from parallax.model import Span

WORDS = [
    "said",
    "he",
    "She",
    "Mr.",
    "Smith",
    "according",
    "to",
    "Reuters",
    "told",
    "the",
    "agency",
    "that",
    "Москва",
    "заявил",
    "北京",
    "说",
    "and",
    "reported",
    ",",
    ".",
    ":",
    "\n",
    "\n\n",
    "“",
    "”",
    '"',
    "‘",
    "’",
    "«",
    "»",
    "officials",
    "statement",
    "in",
    "a",
]
TEXTS = st.lists(st.sampled_from(WORDS), min_size=0, max_size=80).map(" ".join)


def _check_span(text: str, span: Span | None) -> None:
    if span is None:
        return
    assert 0 <= span.start <= span.end <= len(text)
    assert text[span.start : span.end] == span.text


def _check(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(text)
    sentences = list(doc.sents)
    quotes = extract_quotes(doc, "a")
    for quote in quotes:
        for span in (quote.content, quote.cue, quote.speaker, quote.relay.span if quote.relay else None):
            _check_span(text, span)
        sent = sentences[quote.sentence]
        assert sent.start_char <= quote.content.start < sent.end_char
        for span in (quote.cue, quote.speaker):
            if span is not None:
                assert any(s.start_char <= span.start and span.end <= s.end_char for s in sentences)
    for citation in sources_relied_on(doc, quotes, "a"):
        _check_span(text, citation.span)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_quotes_random_token_soup_keeps_valid_offsets(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "“",
        "He said: “it never ends",
        '“Unbalanced,” he said. ”Then “more ‘mixed" quotes,” she added.',
        "“A quote that runs to the end of the article.\n\n“And another paragraph of it, said nobody",
        "Der Sprecher sagte: „Wir werden das prüfen.“ Il a dit « non ».",
        "Officials said. " * 400,
        "“" + "word " * 3000 + "”, he said.",
    ],
    ids=[
        "empty",
        "lone-mark",
        "open-to-end",
        "unbalanced-mixed",
        "runs-to-end",
        "non-english",
        "many",
        "long",
    ],
)
def test_quotes_bad_input_keeps_valid_offsets(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(nlp, text)
