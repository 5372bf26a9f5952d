"""The content-edge re-ranker: candidates, features, and the choice the weights make."""

from __future__ import annotations


from parallax.analyze.quotes.bounds import (
    BoundaryModel,
    Marginals,
    end_candidates,
    end_features,
    start_candidates,
    start_features,
)
from parallax.analyze.quotes.features import Layout
from parallax.analyze.quotes.tagger import RoleSpan

TEXT = "The ministry said on Tuesday that the port would stay closed until the storm passed."


def _content(doc, first: str, last: str) -> RoleSpan:  # type: ignore[no-untyped-def]
    start = next(t.i for t in doc if t.text == first)
    end = next(t.i for t in doc if t.text == last) + 1
    return RoleSpan("Content", start, end, 0)


def test_candidates_lie_in_the_paragraph_and_around_the_edges(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(TEXT + "\n\nA second paragraph follows here.")
    layout = Layout.of(doc)
    content = _content(doc, "the", "closed")
    starts = start_candidates(doc, layout, content)
    ends = end_candidates(doc, layout, content)
    paragraph = set(layout.paragraphs[0].tokens)
    assert content.start in starts and content.end in ends
    assert all(t in paragraph and t < content.end for t in starts)
    assert all(e - 1 in paragraph and e > content.start for e in ends)


def test_refine_moves_edges_to_the_best_scoring_candidates(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(TEXT)
    layout = Layout.of(doc)
    cue = _content(doc, "said", "said")
    content = _content(doc, "the", "closed")  # "that ... passed" is the convention's extent
    marg = Marginals.zeros(len(doc))
    that = next(t.i for t in doc if t.text == "that")
    passed = next(t.i for t in doc if t.text == "passed")
    # Weights that favour starting on "that" and ending on "passed", and nothing else.
    model = BoundaryModel({"w=that": 5.0}, {"w=passed": 5.0}, {})
    refined = model.refine(doc, layout, content, cue, marg)
    assert (refined.start, refined.end) == (that, passed + 1)
    assert "w=that" in start_features(doc, layout, that, content, cue, marg)
    assert "nw=." in end_features(doc, layout, passed + 1, content, cue, marg)
    # No weights: every candidate ties and the first is taken, still a valid span.
    neutral = BoundaryModel({}, {}, {}).refine(doc, layout, content, cue, marg)
    assert neutral.start < neutral.end


def test_fit_learns_to_pick_the_right_candidate() -> None:
    from parallax.train.quote_bounds import Groups, fit

    groups = Groups()
    for k in range(40):
        feats = [{f"off={j}": 1.0, "edge": float(j == k % 3)} for j in range(3)]
        groups.add(feats, [j == k % 3 for j in range(3)], kept=False)
    weights = fit(groups, l2=0.1, min_count=1)
    assert weights["edge"] > 1.0
    assert groups.stats["proposed edge wrong"] == 40


def test_refine_never_grows_a_content_into_its_own_frame(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("“We will not accept these tariffs,” Ms. Kovacs said on Tuesday in the capital.")
    layout = Layout.of(doc)
    content = _content(doc, "“", "”")
    source = _content(doc, "Ms.", "Kovacs")
    cue = _content(doc, "said", "said")
    marg = Marginals.zeros(len(doc))
    # Weights that would end the content on "said", past its speaker and cue.
    model = BoundaryModel({}, {"w=said": 5.0}, {})
    assert model.refine(doc, layout, content, cue, marg).end == cue.end
    kept = model.refine(doc, layout, content, cue, marg, [cue, source])
    assert kept.end <= source.start
    # A frame before the content bounds its start the same way.
    before, inner = RoleSpan("Cue", 0, 2, 0), RoleSpan("Content", 2, 6, 0)
    opening = BoundaryModel({"w=“": 5.0}, {}, {})
    assert opening.refine(doc, layout, inner, None, marg).start == 0
    assert opening.refine(doc, layout, inner, None, marg, [before]).start >= before.end


def test_layout_reads_paragraphs_sentences_and_quote_depths_off_the_token_arrays(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("The mayor said: “We will rebuild the pier.” Then she left.\n\nCritics called it “a stunt.” Nobody else spoke.")
    layout = Layout.of(doc)
    assert layout.arrays.text == [t.text for t in doc]
    assert list(layout.bounds) == [(s.start, s.end) for s in doc.sents]
    assert all(layout.sentence[t.i] == n for n, s in enumerate(doc.sents) for t in s)
    assert len(layout.paragraphs) == 2
    assert not any(doc[i].is_space for p in layout.paragraphs for i in p.tokens)
    assert doc[layout.paragraphs[1].tokens[0]].text == "Critics"
    marks = [layout.depth[t.i] for t in doc if t.text in {"“", "”"}]
    assert marks == [2, 2, 2, 2]
    inside = [t.text for t in doc if layout.depth[t.i] == 1]
    assert inside == ["We", "will", "rebuild", "the", "pier", ".", "a", "stunt", "."]
    # Subtree edges from the head indices agree with spaCy's own on this (projective) parse.
    assert layout.arrays.left == [t.left_edge.i for t in doc]
    assert layout.arrays.right == [t.right_edge.i for t in doc]
