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


def test_a_person_named_inside_a_clause_about_the_speaker_is_not_the_speaker(nlp) -> None:  # type: ignore[no-untyped-def]
    """"the aide, Marta Lindqvist, who has followers on Twitter": when the parse does not make the name the
    head's apposition and the tagger calls "Twitter" a person, the speaker is still the aide's name, not the
    last person inside the relative clause."""
    from spacy.tokens import Doc

    from parallax.analyze.quotes.speakers import _name_tokens

    words = ["the", "aide", ",", "Marta", "Lindqvist", ",", "who", "has", "followers", "on", "Twitter", ","]
    heads = [1, 1, 1, 4, 1, 1, 7, 1, 7, 8, 9, 1]
    deps = ["det", "ROOT", "punct", "compound", "dep", "punct", "nsubj", "relcl", "dobj", "prep", "pobj", "punct"]
    pos = ["DET", "NOUN", "PUNCT", "PROPN", "PROPN", "PUNCT", "PRON", "VERB", "NOUN", "ADP", "PROPN", "PUNCT"]
    ents = ["O", "O", "O", "B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "B-PERSON", "O"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, ents=ents)
    assert [t.text for t in _name_tokens(doc[0:12])] == ["Marta", "Lindqvist"]
    # with no clause, the last person named is the speaker's name ("Senator Ann Dale's aide Piet Roos")
    words = ["Senator", "Ann", "Dale", "'s", "aide", "Piet", "Roos"]
    heads = [2, 2, 4, 2, 4, 6, 4]
    deps = ["compound", "compound", "poss", "case", "ROOT", "compound", "dep"]
    pos = ["PROPN", "PROPN", "PROPN", "PART", "NOUN", "PROPN", "PROPN"]
    ents = ["O", "B-PERSON", "I-PERSON", "O", "O", "B-PERSON", "I-PERSON"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, ents=ents)
    assert [t.text for t in _name_tokens(doc[0:7])] == ["Piet", "Roos"]


def test_the_person_whose_role_a_speaker_holds_is_not_the_speaker_but_a_documents_owner_is(nlp) -> None:  # type: ignore[no-untyped-def]
    """"Varga's attorney" names no one (the role is looked up elsewhere); "Varga's letter" speaks for Varga."""
    from spacy.tokens import Doc

    from parallax.analyze.quotes.speakers import _name_tokens

    for noun, expected in (("attorney", []), ("letter", ["Ilse", "Varga"])):
        words = ["Ilse", "Varga", "’s", noun]
        doc = Doc(nlp.vocab, words=words, heads=[1, 3, 1, 3], deps=["compound", "poss", "case", "ROOT"],
                  pos=["PROPN", "PROPN", "PART", "NOUN"], ents=["B-PERSON", "I-PERSON", "O", "O"])
        doc[3].lemma_ = noun
        assert [t.text for t in _name_tokens(doc[0:4])] == expected, noun


def test_a_surname_the_tagger_reads_as_a_common_noun_is_the_person_named_before(nlp) -> None:  # type: ignore[no-untyped-def]
    """"Summers replied": the tagger may read the surname as the plural of "summer"; it is Larry Summers."""
    from spacy.tokens import Doc

    from parallax.analyze.quotes.speakers import SpeakerIndex

    words = ["Larry", "Summers", "spoke", ".", "Summers", "replied", "."]
    doc = Doc(nlp.vocab, words=words, heads=[1, 2, 2, 2, 5, 5, 5],
              deps=["compound", "nsubj", "ROOT", "punct", "nsubj", "ROOT", "punct"],
              pos=["PROPN", "PROPN", "VERB", "PUNCT", "NOUN", "VERB", "PUNCT"],
              ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O"],
              sent_starts=[True, False, False, False, True, False, False])
    index = SpeakerIndex.build(doc)
    assert index.resolve(doc[4:5]).name == "Larry Summers"
    assert index.resolve(doc[5:6]).name is None  # a lower-case word is no one's name
