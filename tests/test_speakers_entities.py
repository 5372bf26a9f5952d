"""The speaker index reads PERSON entities from a mention's own tokens; it must agree with spaCy's."""

from __future__ import annotations

from pathlib import Path

from parallax.analyze.quotes.speakers import _people_within

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ferry" / "harbour-courier-ferry.txt"


def test_people_within_a_span_are_spacys_person_entities_inside_it(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Ana K. Vale, the ministry's spokeswoman, met Piet de Groot and Dr. Lena Marsh in Oslo on Monday. "
        + EXAMPLE.read_text(encoding="utf-8")
    )
    doc = nlp(text)
    spans = [*doc.sents, *doc.noun_chunks]
    spans += [doc[e.start - 1 : e.end + 1] for e in doc.ents if 0 < e.start and e.end < len(doc)]
    # Spans that cut an entity in two must leave it out, as Span.ents does.
    spans += [doc[e.start + 1 : e.end + 2] for e in doc.ents if e.end - e.start > 1 and e.end + 2 <= len(doc)]
    spans += [doc[max(e.start - 2, 0) : e.end - 1] for e in doc.ents if e.end - e.start > 1]
    checked = 0
    for span in spans:
        expected = [(e.start, e.end) for e in span.ents if e.label_ == "PERSON"]
        got = [(p.start, p.end) for p in _people_within(span)]
        assert got == expected, span.text
        checked += bool(expected)
    assert checked >= 3  # the text has people in it, so the comparison is not vacuous
