"""The attribution filter: its features, its decision, and its place in extract_quotes."""

from __future__ import annotations

from pathlib import Path

from parallax.analyze.quote_filter import AttributionFilter, filter_features, load_filter
from parallax.analyze.quote_model import MODEL_DIR, load_tagger
from parallax.analyze.quotes import extract_quotes, final_attributions

TEXT = (
    "The mayor of Lindenfeld said on Tuesday that the new bridge would open in the spring.\n\n"
    "“We are proud of it,” said Anna Keller, the city engineer."
)


def test_features_describe_the_attribution(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(TEXT)
    tagger = load_tagger(MODEL_DIR)
    layout, attributions, marg = final_attributions(doc, tagger)
    assert attributions
    quoted = next(a for a in attributions if "proud" in doc[a.content.start : a.content.end].text)
    f = filter_features(doc, layout, quoted.content, quoted.cue, quoted.source, marg, tagger.cue_rates)
    assert f["bias"] == 1.0
    assert f["quoted_all"] == 1.0 and f["quoted_share"] == 1.0
    assert f["cue_lemma=say"] == 1.0 and f["cue_after"] == 1.0
    assert 0.5 < f["content_p_mean"] <= 1.0
    assert f["source_ent=PERSON"] == 1.0 or "source_ent=none" in f


def test_filter_decides_by_threshold() -> None:
    check = AttributionFilter({"bias": 0.0, "x": 2.0}, threshold=0.5)
    assert check.probability({"bias": 1.0}) == 0.5
    assert check.keep({"bias": 1.0, "x": 1.0})
    assert not check.keep({"bias": 1.0, "x": -1.0})


def test_extract_quotes_applies_the_filter(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(TEXT)
    everything = extract_quotes(doc, "a", screen=False)
    assert len(everything) >= 2
    assert extract_quotes(doc, "a", screen=AttributionFilter({"bias": -50.0}, 0.5)) == []
    assert extract_quotes(doc, "a", screen=AttributionFilter({"bias": 50.0}, 0.5)) == everything


def test_a_folder_without_a_filter_keeps_everything(tmp_path: Path) -> None:
    assert load_filter(tmp_path) is None
