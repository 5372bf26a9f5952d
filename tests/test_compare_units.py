"""Unit behaviour of the comparison steps on hand-made statements (no seeds, no model downloads)."""

from __future__ import annotations

import numpy as np
import pytest
from test_compare_helpers import BagEmbedder, analyzed, story_of

from parallax.compare import compare_story
from parallax.compare.conflicts import act_polarity, pair_conflict
from parallax.compare.features import SentenceFacts, dates_in, numbers_in
from parallax.compare.quantities import quantities_in
from parallax.compare.framing import log_odds_z
from parallax.compare.quotes import group_quotes, label_wordings, word_diff
from parallax.model import Article, Quote, Span


def _facts(text: str, entities: set[str], outlet: str = "A", date: str | None = "2025-06-23") -> SentenceFacts:
    from parallax.compare.features import content_tokens, stem

    return SentenceFacts("a-" + outlet, outlet, 0, 0, len(text), text, frozenset(entities),
                         frozenset(), frozenset(), numbers_in(text), dates_in(text, date),
                         frozenset(stem(w) for w in content_tokens(text)), quantities_in(text), date)


@pytest.mark.parametrize(("text", "polarity"), [
    ("The minister declined to criticise the government for the raid.", "hedge"),
    ("She stopped short of openly blaming the army.", "hedge"),
    ("He did not condemn the strikes.", "negate"),
    ("The council condemned the strikes on Monday.", "assert"),
])
def test_conflicts_act_polarity(text: str, polarity: str) -> None:
    hits = [h for h in act_polarity(text) if h.act == "criticise"]
    assert hits and hits[0].polarity == polarity


def test_conflicts_hedged_against_asserted_is_conflict() -> None:
    a = _facts("The mayor declined to blame the police for the clashes in Lyon.", {"mayor", "police", "lyon"})
    b = _facts("The mayor blamed the police for the clashes in Lyon.", {"mayor", "police", "lyon"}, "B")
    verdict = pair_conflict(a, b, 0.8)
    assert verdict is not None and verdict.type == "hedging"


def test_conflicts_number_mismatch() -> None:
    a = _facts("The flood killed 12 people in the valley on Tuesday.", {"valley"})
    b = _facts("The flood killed 40 people in the valley on Tuesday.", {"valley"}, "B")
    verdict = pair_conflict(a, b, 0.9)
    assert verdict is not None and verdict.type == "number"


def test_conflicts_date_mismatch() -> None:
    a = _facts("The summit opened in Oslo on Tuesday.", {"oslo"})
    b = _facts("The summit opened in Oslo on Thursday.", {"oslo"}, "B")
    verdict = pair_conflict(a, b, 0.9)
    assert verdict is not None and verdict.type == "date"


def test_conflicts_agreeing_statements_are_not_conflicts() -> None:
    a = _facts("The council condemned the strikes in Oslo on Monday.", {"council", "oslo"})
    b = _facts("The council on Monday condemned strikes in Oslo.", {"council", "oslo"}, "B")
    assert pair_conflict(a, b, 0.9) is None


def test_features_numbers_and_words() -> None:
    assert (2_000_000.0, "people") in numbers_in("almost two million people live there")
    assert dates_in("It happened on Sunday.", "2025-06-23") == frozenset({"2025-06-22"})


@pytest.mark.parametrize(("a", "b", "label"), [
    ("We will not retreat.", "We will not retreat.", "verbatim"),
    ("We will not retreat from the city", "We will not retreat from the city under any pressure", "shortened"),
    ("Everything depends on what they need", "Going forward everything will depend on what they will need",
     "reworded"),
    # few words in common, close in meaning: two translations of one remark
    ("Russia offered its services as a mediator", "We have proposed our good offices to both sides", "different-translation"),
    # ... but two excerpts of one statement share a run of words: not a translation
    ("I quickly judged them. After many hours of prayer and thought I can see how hurtful my words were",
     "After many hours of prayer and thought I regret it. Please know that I apologise to everyone I hurt",
     "reworded"),
])
def test_quotes_labels(a: str, b: str, label: str) -> None:
    assert label_wordings([a, b], 0.95) == label


def test_quotes_word_diff_marks_changes() -> None:
    diff = word_diff("everything depends on it", "everything will depend on it")
    assert ("=", "everything") in diff and ("+", "will") in diff and ("-", "depends") in diff


def _quote(article_id: str, text: str, speaker: str | None) -> Quote:
    return Quote(article_id, "direct", Span(0, len(text), text), speaker_name=speaker)


def test_quotes_groups_across_outlets_and_flags_attribution() -> None:
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]
    quotes = [_quote("a", "We will rebuild every school in the region", "Ana Ruiz"),
              _quote("b", "We will rebuild every school in the region", "Marc Petit"),
              _quote("b", "The weather was fine", "Marc Petit")]
    groups = group_quotes(quotes, articles, None)
    assert len(groups) == 1
    assert groups[0].attribution_conflict and groups[0].label == "verbatim"


def test_framing_log_odds_favours_overused_word() -> None:
    z = log_odds_z({"regime": 8, "talks": 2}, {"government": 8, "talks": 2},
                   {"regime": 8.0, "government": 8.0, "talks": 4.0})
    assert z["regime"] > 1.0 > abs(z["talks"]) and z["government"] < -1.0


def test_compare_story_statuses_on_made_up_story() -> None:
    a = analyzed("a", "Outlet A", "The river flooded the town of Brel on Friday. "
                 "Officials opened three shelters for families. The mayor praised volunteers.",
                 [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", "The river flooded the town of Brel on Friday, residents said. "
                 "A local bakery gave away bread.", [("Brel", "GPE")])
    c = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    status = {(x.article_id, x.sentence): x.status for x in c.alignments}
    assert status[("a", 0)] == "shared" and status[("b", 0)] == "shared"
    assert status[("b", 1)] == "unique"
    assert any(g.article_id == "b" and "bakery" in g.text for g in c.unique)
    assert any(g.outlet == "Outlet A" and "bakery" in g.text for g in c.missing)


def test_compare_story_unknown_outlets_are_kept_apart() -> None:
    text = "The river flooded the town of Brel on Friday. Officials opened three shelters for families."
    items = [analyzed("first-article", "unknown", text, [("Brel", "GPE")]),
             analyzed("second-article", "unknown", text, [("Brel", "GPE")])]
    c = compare_story(story_of(items), items, embedder=BagEmbedder())
    outlets = {a.outlet for a in c.articles}
    assert len(outlets) == 2 and all(o.startswith("unknown (") for o in outlets)
    assert all(a.status == "shared" for a in c.alignments)
    assert items[0].article.outlet == "unknown"  # the caller's records are left as they were


@pytest.mark.parametrize(("a", "b", "kind"), [
    ("Fourteen people died when the ferry sank on Sunday.", "At least 17 people died when the ferry sank.", "number"),
    ("The two states will put $1.2 billion into a shared fund.", "The two states will put $900 million into a "
     "shared fund.", "number"),
    ("The ferry was carrying 212 people, above its capacity.", "It was not immediately clear whether the ferry "
     "was carrying more people than its capacity.", "hedging"),
])
def test_conflicts_quantities_and_hedges(a: str, b: str, kind: str) -> None:
    verdict = pair_conflict(_facts(a, set()), _facts(b, set(), "B"), 0.7)
    assert verdict is not None and verdict.type == kind


@pytest.mark.parametrize(("a", "b"), [
    ("At least a dozen people were killed when the ferry sank.", "Fourteen people died when the ferry sank."),
    ("At least a dozen people were killed when the ferry sank.", "At least 17 people died when the ferry sank."),
    ("About $1.2 billion will go into the fund.", "$1.23 billion will go into the fund."),
    ("The leaders on Thursday signed the accord.", "The leaders signed the accord on Thursday."),
])
def test_conflicts_compatible_statements(a: str, b: str) -> None:
    verdict = pair_conflict(_facts(a, set(), date=None), _facts(b, set(), "B"), 0.8)
    assert verdict is None, verdict


def test_conflicts_report_day_toll_is_not_a_date_conflict() -> None:
    a = _facts("Fourteen people were dead on Monday after the ferry capsized.", set(), date="2025-06-23")
    b = _facts("Fourteen people died when the ferry capsized on Sunday.", set(), "B", date="2025-06-23")
    assert pair_conflict(a, b, 0.8) is None


def test_quotes_partial_quote_joins_by_its_quoted_words() -> None:
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]
    quotes = [_quote("a", "“The valley has waited long enough. From today, the canal will water every farm,”",
                     "Ana Ruiz"),
              Quote("b", "partial", Span(0, 80, "the canal “will water every farm” from next year, and called it a "
                    "model for the region"), speaker_name="Ana Ruiz")]
    groups = group_quotes(quotes, articles, None)
    assert len(groups) == 1 and len(groups[0].wordings) == 2


def _random_story(n: int, outlets: int, articles: int | None = None, seed: int = 7) -> tuple[list, np.ndarray]:
    rng = np.random.default_rng(seed)
    articles = articles or outlets
    facts = [
        SentenceFacts(f"a{i % articles}", f"outlet {i % articles % outlets}", i, 0, 1, "x", frozenset(), frozenset(),
                      frozenset(), (), frozenset(), frozenset())
        for i in range(n)
    ]
    vectors = rng.normal(size=(n, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return facts, vectors


def test_candidate_pairs_cap_large_stories_but_keep_each_sentences_nearest() -> None:
    from parallax.compare.align import candidate_pairs
    from parallax.compare.cosines import StoryCosines

    n, outlets = 300, 6
    facts, vectors = _random_story(n, outlets)
    cosine = vectors @ vectors.T
    cosines = StoryCosines(facts, vectors)
    cosines.block_rows = 37  # several blocks, the last one short
    full = set(map(tuple, candidate_pairs(facts, cosines, -1.0, max_neighbours=n).tolist()))
    capped = set(map(tuple, candidate_pairs(facts, cosines, -1.0, max_neighbours=10).tolist()))
    assert len(full) == sum(1 for i in range(n) for j in range(i + 1, n) if i % outlets != j % outlets)
    assert capped < full and len(capped) <= n * 10
    assert all(i < j and facts[i].outlet != facts[j].outlet for i, j in capped)
    for i in range(n):  # every sentence keeps its nearest sentence of another outlet, and its 10 nearest
        others = sorted((j for j in range(n) if j % outlets != i % outlets), key=lambda j: -cosine[i, j])
        assert all((min(i, j), max(i, j)) in capped for j in others[:10])
    floor = set(map(tuple, candidate_pairs(facts, cosines, 0.3, max_neighbours=n).tolist()))
    assert floor == {p for p in full if cosine[p] >= 0.3}


def test_pair_geometry_read_in_blocks_equals_the_whole_matrix() -> None:
    """Cosines, ranks within the other article (ties to the earlier sentence) and best cosines per pair,
    read a block of rows at a time, are those of the whole (n, n) matrix."""
    from parallax.compare.cosines import StoryCosines

    n = 120
    facts, vectors = _random_story(n, outlets=3, articles=9)
    vectors[5] = vectors[7]  # a tie: two sentences of one article equally close to everything
    whole = vectors @ vectors.T
    article = np.array([int(f.article_id[1:]) for f in facts])
    rng = np.random.default_rng(3)
    pairs = np.array(sorted({(min(i, j), max(i, j)) for i, j in rng.integers(0, n, size=(400, 2)).tolist()
                             if article[i] != article[j]}), dtype=np.int64)
    pairs = np.concatenate([pairs, [[min(5, 11), max(5, 11)], [min(7, 11), max(7, 11)]]])

    def rank(i: int, j: int) -> int:  # 1-based place of j among j's article, by i's cosine, stable
        members = np.nonzero(article == article[j])[0]
        order = members[np.argsort(-whole[i, members], kind="stable")]
        return int(np.nonzero(order == j)[0][0]) + 1

    for block_rows in (n, 16, 1):
        cosines = StoryCosines(facts, vectors)
        cosines.block_rows = block_rows
        got = cosines.geometry(pairs)
        for k, (i, j) in enumerate(pairs.tolist()):
            assert got.cosine[k] == pytest.approx(whole[i, j], abs=1e-6)
            assert got.rank_ij[k] == rank(i, j) and got.rank_ji[k] == rank(j, i)
            assert got.best_ij[k] == pytest.approx(whole[i, article == article[j]].max(), abs=1e-6)
            assert got.best_ji[k] == pytest.approx(whole[j, article == article[i]].max(), abs=1e-6)
    assert cosines.geometry(np.zeros((0, 2), dtype=np.int64)).cosine.shape == (0,)


@pytest.mark.parametrize(("name", "outlet", "own"), [
    ("The Huffington Post", "HuffPost", True),
    ("The Times", "The New York Times", True),
    ("Fox News", "Fox News (Online)", True),
    ("Reuters", "The New York Times", False),
    ("The Washington Post", "The New York Times", False),
    ("", "Fox News", False),
])
def test_compare_own_outlet_is_not_a_source(name: str, outlet: str, own: bool) -> None:
    from parallax.compare import is_own_outlet

    assert is_own_outlet(name, outlet) is own


def test_compare_gaps_carry_near_misses_and_possibly() -> None:
    a = analyzed("a", "Outlet A", "The river flooded the town of Brel on Friday. "
                 "A local bakery gave away bread to families.", [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", "The river flooded the town of Brel on Friday, residents said.", [("Brel", "GPE")])
    c = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    bakery = next(al for al in c.alignments if al.article_id == "a" and al.sentence == 1)
    assert bakery.status in ("unique", "partial") and not bakery.matches
    assert [r.outlet for r in bakery.nearest] == ["Outlet B"] and 0.0 <= bakery.nearest[0].similarity < 1.0
    assert (bakery.status == "partial") == ("Outlet B" in bakery.possibly)
    gaps = [g for g in c.unique if g.article_id == "a"]
    assert all(g.nearest and g.nearest[0].outlet == "Outlet B" for g in gaps)


@pytest.mark.parametrize(("sentence", "appositive", "kept"), [
    ("Dmitri S. Peskov, the Kremlin's spokesman, said so.", "the Kremlin's spokesman", True),
    ("Bob Etheridge, a Democrat, is seen in the video.", "Democrat", True),
    ("Rep. Darrell Issa (R-Calif.) said it.", "R-Calif.", False),
    ("Rep. Darrell Issa (R-Calif.) said it.", "Calif.", False),
])
def test_compare_labels_are_descriptions_not_fragments(sentence: str, appositive: str, kept: bool) -> None:
    from parallax.analyze.nlp import load_nlp
    from parallax.compare.labels import is_description

    doc = load_nlp(disable=("ner", "lemmatizer"))(sentence)
    start = sentence.index(appositive)
    span = doc.char_span(start, start + len(appositive), alignment_mode="expand")
    assert span is not None and is_description(span) is kept


@pytest.mark.parametrize(("text", "days"), [
    ("His final day in office will be Feb. 28.", {"02-28"}),
    ("The end date is February 28, 2019.", {"02-28", "2019-02-28", "2019"}),  # the day, and any Feb. 28
    ("Hearings run from Sept. 4 to Aug 12.", {"09-04", "08-12"}),
    ("Sales reached 1,200 in February, 2019.", {"2019"}),
])
def test_compare_dates_read_abbreviated_months(text: str, days: set[str]) -> None:
    assert set(dates_in(text, None)) == days


@pytest.mark.parametrize(("a", "b", "conflict"), [
    # reported on the day of the article against days years before: two events, no conflict
    ("The Courier on July 20, 2006, described him as a veteran of the war.",
     "The mayor described himself as a veteran of the war at a news conference later today.", False),
    ("The mayor apologized on Friday for the post about the council.",
     "The mayor apologized Saturday for the post about the council.", True),
])
def test_compare_dates_with_their_year_are_that_day(a: str, b: str, conflict: bool) -> None:
    from parallax.compare.conflicts import _date_conflict, ConflictConfig

    def facts(text: str, outlet: str) -> SentenceFacts:
        return SentenceFacts("x" + outlet, outlet, 0, 0, len(text), text, frozenset({"mayor"}), frozenset(),
                             frozenset(), numbers_in(text), dates_in(text, "2010-05-18"), frozenset(),
                             published="2010-05-18")

    found = _date_conflict(facts(a, "A"), facts(b, "B"), 0.7, ConflictConfig(), same_fact=0.5)
    assert (found is not None) is conflict


@pytest.mark.parametrize(("a", "b"), [
    # "not only … but also" adds to the other; it negates nothing
    ("The report not only criticized his texts but also his use of personal email.",
     "The report also criticized his use of personal email for bureau business."),
    # the negation is in what only one of them adds
    ("“The mayor, who is railing against my visit, also invited me,” he said, referring to when she said she wasn't coming.",
     "“The mayor, who is railing against my visit, also invited me,” he wrote."),
    # a hedge word in the speaker's own quoted words is not the outlet hedging
    ("The mayor walked back her remarks, criticizing “rumors” that she was going to resign from the council.",
     "The mayor said she was going to resign from the council after walking back her remarks."),
    # a charge against a hedged charge: both attribute it
    ("The mayor allegedly diverted council funds to her own campaign accounts for years.",
     "The mayor was charged with diverting council funds to her own campaign accounts for years."),
    ("The mayor allegedly knew the council funds went to her campaign despite warnings from the treasurer.",
     "The auditor said that council funds went to her campaign despite warnings from the treasurer."),
    # a conditional or a modal asserts nothing a hedge could doubt
    ("It is unclear whether the mayor will agree to fully abandon the dam plan.",
     "Unless the council persuades the mayor to abandon the dam plan, the talks will fail."),
    ("The council report reportedly says the mayor signed off on the dam plan in the spring.",
     "The mayor might sign off on the dam plan, the council report says, in the spring."),
    # a hedge on why, against a statement of what happened
    ("The mayor posted a reply, apparently in response to the council report released on Friday.",
     "The mayor's reply came after the council report was released on Friday."),
])
def test_compare_negations_that_deny_nothing_the_other_says(a: str, b: str) -> None:
    from parallax.compare.conflicts import pair_conflict

    def facts(text: str, outlet: str) -> SentenceFacts:
        from parallax.compare.features import content_tokens, stem

        return SentenceFacts("x" + outlet, outlet, 0, 0, len(text), text, frozenset({"mayor", "report"}),
                             frozenset(), frozenset(), (), frozenset(), frozenset(stem(w) for w in content_tokens(text)))

    assert pair_conflict(facts(a, "A"), facts(b, "B"), 0.9, same_fact=0.6) is None


@pytest.mark.parametrize(("text", "polarity"), [
    ("She urged them not to criticize the council.", []),
    ("The mayor fired back at the council.", []),
    ("The mayor backed the council's plan.", ["assert"]),
    ("She left with no firm promise from the council.", ["negate"]),
    ("The plan had the support of most council members.", []),
    ("The deal rests on the council’s support for the dam.", []),
    ("“We will not support it,” the mayor said of the plan.", ["negate"]),
])
def test_compare_act_polarity_reads_instructions_and_adverbs(text: str, polarity: list[str]) -> None:
    assert [h.polarity for h in act_polarity(text) if h.act in ("criticise", "support", "commit")] == polarity


def _person_facts(text: str, persons: set[str], outlet: str) -> SentenceFacts:
    from dataclasses import replace

    return replace(_facts(text, persons, outlet), persons=frozenset(persons))


def test_conflicts_figures_need_the_same_fact() -> None:
    a = _facts("The flood killed 12 people in the valley on Tuesday.", {"valley"})
    b = _facts("The flood killed 40 people in the valley on Tuesday.", {"valley"}, "B")
    assert pair_conflict(a, b, 0.9, same_fact=0.05) is None  # two different tolls, by the same-fact model
    assert pair_conflict(a, b, 0.9, same_fact=0.6) is not None


def test_conflicts_quoted_figures_are_a_speakers_claim() -> None:
    a = _facts('“The plan cuts $716 billion from the fund,” the senator said.', {"senator"})
    b = _facts("The plan cuts $800 billion from the fund.", {"senator"}, "B")
    assert pair_conflict(a, b, 0.9) is None


def test_conflicts_figures_about_different_people_do_not_conflict() -> None:
    a = _person_facts("Vale's plan would cut $716 billion from the fund.", {"vale"}, "A")
    b = _person_facts("Ortiz's plan would cut $800 billion from the fund.", {"ortiz"}, "B")
    assert pair_conflict(a, b, 0.9) is None


def test_conflicts_negated_near_copy_is_a_denial() -> None:
    a = _facts("Passing the bill in the next two weeks would raise the risk of a downturn.", {"congress"})
    b = _facts("Not passing the bill in the next two weeks would raise the risk of a downturn.", {"congress"}, "B")
    verdict = pair_conflict(a, b, 0.9, same_fact=0.7)
    assert verdict is not None and verdict.type == "negation"
    assert pair_conflict(a, b, 0.9, same_fact=0.05) is None


def test_conflicts_one_per_sentence_and_article() -> None:

    from parallax.compare.conflicts import detect_conflicts

    a = _facts("The summit opened in Oslo on Tuesday.", {"oslo"}, "A")
    b1 = _facts("The summit opened in Oslo on Thursday.", {"oslo"}, "B")
    b2 = _facts("The summit opened in Oslo on Friday.", {"oslo"}, "B")
    from dataclasses import replace

    b2 = replace(b2, index=1)
    found = detect_conflicts([a, b1, b2], [(0, 1), (0, 2)], [0.9, 0.9])
    assert len(found) == 1


@pytest.mark.parametrize(("text", "sentences"), [
    ("He asked “Do you support the agenda?”\n\nEtheridge appears irritated.", 2),
    ("He shouted “Stop!” and walked away. Then he left.", 2),
    # a reporting clause after a quoted question goes on its sentence; another sentence after one does not
    ("“You want to pet him?” Mr. Varga asked his daughters. “No,” Ilse said.", 2),
    ("“Who are you!” Rep. Ana K. Ruiz demanded. Then she left.", 2),
    ("She said “Stop!” Officials agreed later.", 2),
    ("Enter the critic, who loves “all things pink!” — whose verdict was harsher. She wrote a post.", 2),
    ('He called the mayor a "bomb-thrower."\n\nThe mayor said "I have built a business."\n\nShe left.', 3),
    ("The first line ends here\nand the next line starts a sentence.", 2),
    # a headline has no mark to end on: it stays one sentence however the parser reads "Need A Big Tent"
    ("Mayor Varga CPAC 2010 Speech VIDEO: Lindholm Doesn't Need A Big Tent\n\nThe mayor spoke. He left at 5 p.m. Then he came back.", 4),
])
def test_sentences_respect_line_breaks_and_quoted_marks(nlp, text: str, sentences: int) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(text)
    assert len([s for s in doc.sents if s.text.strip()]) == sentences
    assert all("\n" not in s.text.strip() for s in doc.sents)


def test_compare_links_sentences_quoting_one_remark() -> None:
    from dataclasses import replace

    remark = "every school in the valley will be rebuilt before winter"
    text_a = f"Speaking at the town hall, the mayor, Ana Ruiz, said “{remark}.” Rain fell on Brel all week."
    text_b = f"“{remark.capitalize()},” Ms. Ruiz promised. Engineers inspected the old dam near Brel."
    a = analyzed("a", "Outlet A", text_a, [("Ana Ruiz", "PERSON"), ("Brel", "GPE")])
    b = analyzed("b", "Outlet B", text_b, [("Ruiz", "PERSON"), ("Brel", "GPE")])
    start_a, start_b = text_a.index(remark), text_b.index(remark.capitalize())
    a = replace(a, quotes=(Quote("a", "direct", Span(start_a, start_a + len(remark), remark),
                                 speaker_name="Ana Ruiz", sentence=0),))
    b = replace(b, quotes=(Quote("b", "direct", Span(start_b, start_b + len(remark), remark.capitalize()),
                                 speaker_name="Ana Ruiz", sentence=0),))
    c = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    assert len(c.quote_groups) == 1
    first = next(al for al in c.alignments if al.article_id == "a" and al.sentence == 0)
    assert [(m.article_id, m.sentence) for m in first.matches] == [("b", 0)] and first.status == "shared"


def test_compare_conflicting_statement_is_not_an_omission() -> None:
    a = analyzed("a", "Outlet A", "The flood killed 12 people in the valley of Brel on Tuesday.", [("Brel", "GPE")])
    b = analyzed("b", "Outlet B", "The flood killed 40 people in the valley of Brel on Tuesday.", [("Brel", "GPE")])
    c = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    assert [k.type for k in c.conflicts] == ["number"]
    first = next(al for al in c.alignments if al.article_id == "a")
    assert not first.matches and "Outlet B" in first.possibly
    assert not any(g.article_id == "a" for g in c.unique)


def test_sentences_keep_the_closing_quotation_mark(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp('He called the mayor a "bomb-thrower."\n\nThe mayor said "I have built a business."\n\nShe left.')
    texts = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert texts[0].endswith('"bomb-thrower."') and texts[1].endswith('business."'), texts


def test_labels_at_analysis_keep_appositives_and_leave_group_words_alone() -> None:
    from parallax.analyze import analyze_articles
    from parallax.model import Article

    text = ("But the mayor's hardline approach to housing alienated Harlan Voss, who often argues for more "
            "building.\n\nThe agency's spokesman, Ana Vale, said the plan was sound.\n\n"
            "The billionaire ex-Republican, who has endorsed the mayor, spoke on Monday.\n\n"
            "Acquaintances said that Mr. Voss's daughter Lena is friends with the mayor.")
    item = next(iter(analyze_articles([Article("x", "Outlet A", "t", text, None)])))
    labels = {(text[label.mention_start:label.mention_start + 8], label.text) for label in item.labels or ()}
    assert ("Ana Vale", "The agency's spokesman") in labels
    assert ("Lena is ", "Mr. Voss's daughter") in labels  # close apposition, no comma
    # "ex-Republican" is a word for a group, not a name: nothing labels it; no clause is a label
    assert not any(entity.startswith("ex-") or "approach" in label for entity, label in labels), labels


def _labels_at_analysis(text: str) -> set[str]:
    """The entity labels the analysis reads from one article of ``text``."""
    from parallax.analyze import analyze_articles
    from parallax.model import Article

    item = next(iter(analyze_articles([Article("x", "Outlet A", "t", text, None)])))
    return {label.text for label in item.labels or ()}


def test_labels_at_analysis_are_no_clause_subjects_or_far_appositives() -> None:
    text = ("In May, the mayor accused Mr. Ilse Varga of being a Liberal — a charge close to treason in the "
            "current council.\n\nAs with the mayor's abrupt firing of Harbour Master Tomas Brandt, the split with "
            "Mr. Varga was a full turn in a friendship.\n\nThe acclaimed harbour historian Piet Dekker wrote a book.")
    labels = _labels_at_analysis(text)
    assert "The acclaimed harbour historian" in labels
    # the subject of the main clause after a fronted phrase is no apposition of the name before the comma
    assert not any("split" in label or "charge" in label for label in labels), labels


def test_compare_a_headline_opening_the_text_is_never_a_fact() -> None:
    from dataclasses import replace

    lead = "The Lindholm dam failed on Tuesday and flooded the lower town."
    text_a = f"Lindholm Dam Fails. {lead} Rescuers reached the school by boat."
    text_b = f"{lead} Three bridges were closed for repairs."
    a = analyzed("a", "Outlet A", text_a, [("Lindholm", "GPE")])
    a = replace(a, article=replace(a.article, title="Lindholm dam fails"))
    b = analyzed("b", "Outlet B", text_b, [("Lindholm", "GPE")])
    comparison = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    headline = next(x for x in comparison.alignments if x.article_id == "a" and x.sentence == 0)
    assert headline.matches == () and headline.nearest == ()
    assert all(g.sentence != 0 for g in (*comparison.unique, *comparison.missing) if g.article_id == "a")
    assert any(x.article_id == "a" and x.sentence == 1 and x.matches for x in comparison.alignments)


def _outlet_a_framing_words(text_a: str, text_b: str, names: list[tuple[str, str]]) -> tuple[list[str], set[str]]:
    """Outlet A's distinctive terms against outlet B, and the words in them."""
    from parallax.compare.framing import framing

    a = analyzed("a", "Outlet A", text_a, names)
    terms = [t.term for f in framing([a, analyzed("b", "Outlet B", text_b)]) if f.outlet == "Outlet A" for t in f.terms]
    return terms, {w for t in terms for w in t.split()}


def test_framing_terms_leave_out_names_and_light_verbs() -> None:
    terms, words = _outlet_a_framing_words(
        "Mayor Ilse Varga said the reckless dam plan came too late. Varga said the reckless plan took years. "
        "Varga brought no answers.",
        "The council said the dam plan was approved. The council said repairs took months. Repairs came first.",
        [("Ilse Varga", "PERSON"), ("Varga", "PERSON")])
    assert "reckless" in terms
    assert not {"varga", "ilse", "said", "came", "took", "brought"} & words


def test_framing_terms_leave_out_contraction_pieces_titles_and_names_the_tagger_missed() -> None:
    _, words = _outlet_a_framing_words(
        "Sen. Ilse Varga doesn ' t back the reckless plan. Sen. Ilse Varga doesn ' t trust the reckless "
        "council. Varga’ aides wrote the reckless memo. Varga’ aides left.",
        "The council approved the dam plan. The council said repairs took months.",
        [("Ilse Varga", "PERSON"), ("Ilse Varga", "PERSON")])
    assert "reckless" in words
    assert not {"doesn", "sen", "varga", "varga’"} & words, words


def test_compare_places_of_two_events_are_no_conflict() -> None:
    from parallax.compare.conflicts import pair_conflict

    def facts(text: str, outlet: str, place: str) -> SentenceFacts:
        from parallax.compare.features import content_tokens, stem

        return SentenceFacts("x" + outlet, outlet, 0, 0, len(text), text, frozenset({"varga", place}),
                             frozenset({"varga"}), frozenset({place}), (), frozenset(),
                             frozenset(stem(w) for w in content_tokens(text)))

    rally = facts("At a rally in Lindholm on Tuesday night, the mayor mocked Ilse Varga.", "A", "lindholm")
    party = facts("Ilse Varga said the scheme was first drawn up at a party in Brel years ago.", "B", "brel")
    assert pair_conflict(rally, party, 0.8, same_fact=0.6) is None
    held = facts("The mayor held a rally in Lindholm on Tuesday about the dam, Ilse Varga said.", "A", "lindholm")
    moved = facts("The mayor held a rally in Brel on Tuesday about the dam, Ilse Varga said.", "B", "brel")
    found = pair_conflict(held, moved, 0.9, same_fact=0.6)
    assert found is not None and found.type == "place"


@pytest.mark.parametrize(("a", "b", "conflict"), [
    # shares of two different wholes, and a share with no whole named
    ("The mayor will need about 57 percent of the remaining votes to win the seat.",
     "The mayor has more than 75 percent of the 1,200 votes she needs to win the seat.", False),
    ("The mayor took 41 percent of the votes in the north to win the seat.",
     "The mayor won the seat with 75 percent, the count showed.", False),
    ("The mayor will need about 57 percent of the remaining votes to win the seat.",
     "The mayor will need about 75 percent of the remaining votes to win the seat.", True),
    # sums of two things named apart, against one sum told twice
    ("The council taxes $125 billion of Chinese imports under the dam plan.",
     "The council taxes $60 billion of Indian imports under the dam plan.", False),
    ("The council taxes $125 billion of imports under the dam plan.",
     "The council taxes $60 billion of imports under the dam plan.", True),
])
def test_conflicts_figures_must_count_the_same_whole(a: str, b: str, conflict: bool) -> None:
    verdict = pair_conflict(_facts(a, {"mayor"}), _facts(b, {"mayor"}, "B"), 0.9, same_fact=0.7)
    assert (verdict is not None and verdict.type == "number") is conflict


def test_conflicts_a_count_that_rose_by_the_later_article_is_an_update() -> None:
    a = _facts("The flood has killed 113 people in the valley, officials said.", {"valley"}, date="2025-06-23")
    b = _facts("The flood has killed more than 130 people in the valley, officials said.", {"valley"}, "B",
               date="2025-06-24")
    assert pair_conflict(a, b, 0.9, same_fact=0.7) is None
    fell = _facts("The flood has killed 90 people in the valley, officials said.", {"valley"}, "B", date="2025-06-24")
    assert pair_conflict(a, fell, 0.9, same_fact=0.7) is not None  # a toll cannot fall: one is wrong


def test_conflicts_values_of_two_moments_do_not_conflict() -> None:
    a = _facts("By 2007 the engineer was stationed in Geneva with the council.", {"engineer"})
    b = _facts("In 2009 the engineer was stationed in Japan with the council.", {"engineer"}, "B")
    moment = pair_conflict(replace_places(a, {"geneva"}), replace_places(b, {"japan"}), 0.9, same_fact=0.7)
    assert moment is None
    c = _facts("The engineer was stationed in Japan with the council.", {"engineer"}, "B")
    verdict = pair_conflict(replace_places(a, {"geneva"}), replace_places(c, {"japan"}), 0.9, same_fact=0.7)
    assert verdict is not None and verdict.type == "place"


def replace_places(facts: SentenceFacts, places: set[str]) -> SentenceFacts:
    from dataclasses import replace

    return replace(facts, places=frozenset(places))


@pytest.mark.parametrize(("a", "b", "conflict"), [
    # the hedge doubts "causing"; the other only says he was involved
    ("The secretary will take leave after allegedly causing two car accidents in the valley.",
     "The secretary, involved in two car accidents over the weekend in the valley, will take leave.", False),
    ("The secretary will take leave after allegedly causing two car accidents in the valley.",
     "The secretary will take leave after causing two car accidents in the valley.", True),
    # what follows "could not confirm whether" is the doubted claim, not the clause before the cue
    ("A representative of the county sheriff said he could not confirm whether the secretary had a seizure.",
     "The secretary was cooperative when he came to, said the county sheriff's spokesman.", False),
])
def test_conflicts_hedge_doubts_what_follows_its_cue(a: str, b: str, conflict: bool) -> None:
    verdict = pair_conflict(_facts(a, {"secretary"}), _facts(b, {"secretary"}, "B"), 0.8, same_fact=0.7)
    assert (verdict is not None) is conflict


_READ = {"mayor", "governor", "floyd"}
_TERMS = {"union", "council", "report"}
_DENIED = {"mayor", "chief", "inspector", "council"}


@pytest.mark.parametrize(("a", "b", "entities", "cosine", "same_fact"), [
    # tokenised text: "couldn ’ t" is a negation on both sides; "not" in a later clause governs nothing shared
    ("`` I couldn ’ t take care of George the day he was hurt , but his loss would not be in vain , '' Floyd said .",
     "`` I couldn ’ t take care of George that day he was hurt , '' Floyd said .", _READ, 0.9, 0.7),
    # "falsely denied criticizing" says he did criticize
    ("Earlier in the day the mayor criticised the governor of the province.",
     "The mayor, who had falsely denied criticizing the governor of the province, left on Friday.", _READ, 0.9, 0.7),
    # "the clearest sign of a split" names a thing; it is no act of agreeing
    ("In the clearest sign of a split, the mayor voted for the plan while the governor opposed it.",
     "It is not universally accepted that the mayor and the governor need the council for the plan.", _READ, 0.9, 0.7),
    # conditions and estimates deny nothing; 0.7: below the near-copy denial rule, which a conditional does
    # not stop ("if they don't pass this bill")
    ("The union agreed to give the council an extension last week.",
     "In the unlikely event that the deal with the union is not agreed by the end of the year, the council may extend.",
     _TERMS, 0.7, 0.7),
    ("As many as 2,000 council members may have been harmed last year, the report found.",
     "The council report estimated the harm at 2,000 incidents among members last year.", _TERMS, 0.7, 0.7),
    # a statement reporting the denial agrees with the quoted denial
    ("“I never asked the chief to stop the inquiry,” the mayor wrote on Sunday.",
     "The mayor on Sunday denied that he asked the chief to stop the inquiry.", _DENIED, 0.85, 0.8),
    ("The inspector did not find that the council colluded with the builder, the summary said.",
     "The inspector found no evidence that the council colluded with the builder, the summary said.", _DENIED, 0.85, 0.8),
])
def test_conflicts_negations_read_as_written(a: str, b: str, entities: set[str], cosine: float,
                                             same_fact: float) -> None:
    assert pair_conflict(_facts(a, entities), _facts(b, entities, "B"), cosine, same_fact=same_fact) is None


def test_conflicts_weekdays_a_week_apart_are_a_guess() -> None:
    a = _facts("The council met for its last debate before the vote on Tuesday.", {"council"}, date="2016-02-07")
    b = _facts("The mayor won Tuesday's council vote by a wide margin.", {"council"}, "B", date="2016-02-10")
    assert a.dates and b.dates and a.dates != b.dates
    from parallax.compare.conflicts import ConflictConfig, _date_conflict

    assert _date_conflict(a, b, 0.8, ConflictConfig(), same_fact=0.7) is None
    c = _facts("The mayor won the council vote on Thursday by a wide margin.", {"council"}, "B", date="2016-02-10")
    assert _date_conflict(b, c, 0.8, ConflictConfig(), same_fact=0.7) is not None


def test_conflicts_words_that_only_begin_like_an_act() -> None:
    assert not [h for h in act_polarity("Barr testified before the House Judiciary Committee.") if h.act == "commit"]
    assert not [h for h in act_polarity("Sales showed a significant decrease.") if h.act in ("agree", "criticise")]
    assert [h.act for h in act_polarity("The mayor committed to the plan.")] == ["commit"]


@pytest.mark.parametrize(("a", "b", "conflict"), [
    # a total against a gap
    ("The mayor leads the council race with 744 votes, ahead of the governor.",
     "The mayor held a lead of about 300 votes over the governor in the council race.", False),
    # a sum for one year against a sum over ten
    ("The dam plan costs the council $96 billion this fiscal year.",
     "The dam plan would cost the council $414.5 billion over 10 years.", False),
    ("The dam plan costs the council $96 billion over 10 years.",
     "The dam plan costs the council $414.5 billion over 10 years.", True),
])
def test_conflicts_gaps_and_periods_are_their_own_kind(a: str, b: str, conflict: bool) -> None:
    verdict = pair_conflict(_facts(a, {"mayor"}), _facts(b, {"mayor"}, "B"), 0.9, same_fact=0.7)
    assert (verdict is not None and verdict.type == "number") is conflict


def test_conflicts_a_city_and_its_state_are_one_place() -> None:
    a = replace_places(_facts("The final debate will be held at the university in Boca Raton, Fla., in October.",
                              {"debate"}), {"boca raton"})
    b = replace_places(_facts("The final debate will be held at the university in Florida in October.",
                              {"debate"}, "B"), {"florida"})
    assert pair_conflict(a, b, 0.9, same_fact=0.7) is None
    c = replace_places(_facts("The final debate will be held at the university in Ohio in October.",
                              {"debate"}, "B"), {"ohio"})
    assert pair_conflict(b, c, 0.9, same_fact=0.7) is not None


def test_conflicts_dates_of_two_acts_on_one_thing() -> None:
    from parallax.compare.conflicts import ConflictConfig, _date_conflict

    unveiled = _facts("The committee unveiled two articles of impeachment on Tuesday.", {"committee"},
                      date="2019-12-12")
    approve = _facts("The committee is expected to approve two articles of impeachment on Thursday.",
                     {"committee"}, "B", date="2019-12-13")
    assert _date_conflict(unveiled, approve, 0.8, ConflictConfig(), same_fact=0.7) is None
    captured = _facts("Police captured the suspect on Friday night inside a boat.", {"suspect"}, date="2013-04-20")
    also = _facts("The suspect was captured on Thursday night inside a boat.", {"suspect"}, "B", date="2013-04-20")
    assert _date_conflict(captured, also, 0.8, ConflictConfig(), same_fact=0.7) is not None


def test_conflicts_counts_of_one_day_conflict_whatever_day_they_were_printed() -> None:
    a = _facts("Fourteen people died in the valley flood on Monday, officials said.", {"valley"}, date="2025-06-23")
    b = _facts("At least 17 people died in the valley flood on Monday, officials said.", {"valley"}, "B",
               date="2025-06-25")
    verdict = pair_conflict(a, b, 0.9, same_fact=0.7)
    assert verdict is not None and verdict.type == "number"


def test_conflicts_figures_and_dates_of_different_places_and_people() -> None:
    from dataclasses import replace

    from parallax.compare.conflicts import ConflictConfig, _date_conflict

    a = replace_places(_facts("In Georgia about 900 people have died from the fever, officials said.", {"fever"}),
                       {"georgia"})
    b = replace_places(_facts("In China 3,312 people have died from the fever, officials said.", {"fever"}, "B"),
                       {"china"})
    verdict = pair_conflict(a, b, 0.9, same_fact=0.7)
    assert verdict is None or verdict.type != "number"
    same = replace_places(_facts("In Georgia 3,312 people have died from the fever, officials said.", {"fever"}, "B"),
                          {"georgia"})
    assert pair_conflict(a, same, 0.9, same_fact=0.7) is not None
    c = replace(_facts("Charles tested positive for the fever on Wednesday, his office said.", {"fever"},
                       date="2020-03-27"), persons=frozenset({"charles"}))
    d = _facts("He had tested positive for the fever on Friday, his family said.", {"fever"}, "B", date="2020-03-28")
    assert _date_conflict(c, d, 0.8, ConflictConfig(), same_fact=0.7) is None
    e = replace(d, text="Charles had tested positive for the fever on Friday, his family said.",
                persons=frozenset({"charles"}))
    assert _date_conflict(c, e, 0.8, ConflictConfig(), same_fact=0.7) is not None


def test_conflicts_figures_in_tex_quotes_are_a_speakers() -> None:
    a = _facts("Groups poured in about $14 million, based on a tally by the watchdog.", {"watchdog"})
    b = _facts("`` The final tally is going to be in the $70 million range , '' the watchdog said .", {"watchdog"}, "B")
    assert pair_conflict(a, b, 0.9, same_fact=0.7) is None
    c = _facts("Groups poured in about $70 million, based on a tally by the watchdog.", {"watchdog"}, "B")
    assert pair_conflict(a, c, 0.9, same_fact=0.7) is not None


@pytest.mark.parametrize(("text", "polarity"), [
    ("The ministry said on Friday it would let the envoy visit the camp.", "open"),
    ("The mayor will not back the plan until the council approves the budget.", "open"),
    ("The union urged its members to endorse the deal.", "open"),
    ("The envoy visited the camp on Friday.", "assert"),
])
def test_conflicts_acts_wished_allowed_or_to_come_are_not_asserted(text: str, polarity: str) -> None:
    last = act_polarity(text)[-1]
    assert last.polarity == polarity, act_polarity(text)


def test_conflicts_a_refusal_against_an_allowed_act_is_no_contradiction() -> None:
    entities = {"envoy", "ministry"}
    refused = _facts("The envoy said on Friday she would not visit the camp after the ministry set conditions.", entities)
    allowed = _facts("The ministry said on Friday it would let the envoy visit the camp.", entities, "B")
    assert pair_conflict(refused, allowed, 0.75, same_fact=0.6) is None
    visited = _facts("The envoy visited the camp on Friday, the ministry said.", entities, "B")
    verdict = pair_conflict(refused, visited, 0.75, same_fact=0.6)
    assert verdict is not None and verdict.type == "negation"


@pytest.mark.parametrize(("hedged", "conflict"), [
    # passed on from others: the outlet does not vouch for it, and another stating it is no contradiction
    ("The mayor reportedly told the council about the closure in a private meeting.", False),
    ("Reports suggest the mayor told the council about the closure in a private meeting.", False),
    ("The mayor is said to have told the council about the closure in a private meeting.", False),
    # doubted: not established, and another outlet states it as fact
    ("It was not clear whether the mayor told the council about the closure in a private meeting.", True),
    ("The mayor allegedly told the council about the closure in a private meeting.", True),
])
def test_conflicts_sourced_statements_are_not_doubted_ones(hedged: str, conflict: bool) -> None:
    asserted = _facts("The mayor told the council about the closure in a private meeting.", {"mayor", "council"}, "B")
    verdict = pair_conflict(_facts(hedged, {"mayor", "council"}), asserted, 0.85, same_fact=0.7)
    assert (verdict is not None and verdict.type == "hedging") is conflict


def test_conflicts_values_only_between_mutually_closest_statements() -> None:
    a = _facts("The ferry was carrying 212 people when it capsized on the lake.", {"ferry"})
    b = _facts("The ferry was carrying 180 people when it capsized on the lake.", {"ferry"}, "B")
    assert pair_conflict(a, b, 0.9, same_fact=0.8, mutual=True) is not None
    # the second statement has a closer counterpart in the first article: it is about something else
    assert pair_conflict(a, b, 0.9, same_fact=0.8, mutual=False) is None


def test_conflicts_mutual_closeness_read_from_the_story() -> None:

    from parallax.compare.conflicts import detect_conflicts

    a = _facts("The ferry was carrying 212 people when it capsized on the lake.", {"ferry"}, "A")
    b = _facts("The ferry was carrying 180 people when it capsized on the lake.", {"ferry"}, "B")
    from dataclasses import replace

    a2 = replace(_facts("The ferry had 180 people aboard, the operator said.", {"ferry"}, "A"), index=1)
    assert len(detect_conflicts([a, b, a2], [(0, 1), (1, 2)], [0.9, 0.9], same_fact=[0.8, 0.3])) == 1
    assert detect_conflicts([a, b, a2], [(0, 1), (1, 2)], [0.9, 0.9], same_fact=[0.5, 0.9]) == ()


def test_conflicts_a_region_holds_the_country_named_elsewhere() -> None:
    a = _facts("The doctor tested positive after treating patients in West Africa for the charity.", {"doctor"})
    b = _facts("The doctor tested positive after treating patients in Guinea for the charity.", {"doctor"}, "B")
    assert pair_conflict(replace_places(a, {"west africa"}), replace_places(b, {"guinea"}), 0.9, same_fact=0.7) is None
    c = _facts("The doctor tested positive after treating patients in Liberia for the charity.", {"doctor"}, "B")
    verdict = pair_conflict(replace_places(b, {"guinea"}), replace_places(c, {"liberia"}), 0.9, same_fact=0.7)
    assert verdict is not None and verdict.type == "place"


def test_conflicts_figures_split_by_brackets_in_tokenised_quotes() -> None:
    quoted = _facts("`` When we add it all up , the race will cost $ 70 ( million ) to $ 80 million , '' the watchdog said .",
                    {"watchdog"}, "B")
    told = _facts("Groups poured in about $ 14 million for the race , the watchdog said .", {"watchdog"})
    assert pair_conflict(told, quoted, 0.8, same_fact=0.6) is None


def test_conflicts_surroundings_are_not_the_place() -> None:
    a = _facts("The party took place at a house in Maryland in 1982, the friend recalled.", {"friend"})
    b = _facts("The party took place at a house in the Washington, D.C. suburbs in 1982, the friend recalled.",
               {"friend"}, "B")
    assert pair_conflict(replace_places(a, {"maryland"}), replace_places(b, {"washington"}), 0.9, same_fact=0.7) is None


@pytest.mark.parametrize(("a", "b", "conflict"), [
    ("The senators blocked a bill to put $250 billion more into the loan fund for small firms.",
     "The senators argued over the $350 billion loan fund for small firms.", False),
    ("The senators blocked a bill to put another $100 billion into the loan fund for small firms.",
     "The senators argued over the $350 billion loan fund for small firms.", False),
    ("The senators opposed the $250 billion infusion for the loan fund for small firms.",
     "The senators argued over the $350 billion loan fund for small firms.", False),
    ("The senators argued over the $250 billion loan fund for small firms.",
     "The senators argued over the $350 billion loan fund for small firms.", True),
])
def test_conflicts_an_addition_is_not_the_amount(a: str, b: str, conflict: bool) -> None:
    verdict = pair_conflict(_facts(a, {"senators"}), _facts(b, {"senators"}, "B"), 0.9, same_fact=0.8)
    assert (verdict is not None) is conflict


def test_conflicts_an_allegation_reported_as_said_is_not_asserted() -> None:
    hedged = _facts("Supposedly the coach struck the player during practice in 2010.", {"coach", "player"})
    said = _facts("The player has said the coach struck him during practice in 2010.", {"coach", "player"}, "B")
    assert pair_conflict(hedged, said, 0.85, same_fact=0.7) is None
    stated = _facts("The coach struck the player during practice in 2010.", {"coach", "player"}, "B")
    verdict = pair_conflict(hedged, stated, 0.85, same_fact=0.7)
    assert verdict is not None and verdict.type == "hedging"


def test_conflicts_a_possible_act_is_not_stated() -> None:
    doubted = _facts("The agency was examining whether the aide might have been in contact with the envoys.",
                     {"agency", "aide"})
    possible = _facts("Officials spread word of possible contacts between the aide and the envoys.", {"agency", "aide"}, "B")
    assert pair_conflict(doubted, possible, 0.8, same_fact=0.7) is None


def test_conflicts_a_meeting_is_not_a_trip() -> None:
    entities = {"envoy", "ministry", "president"}
    met = _facts("Three weeks after the presidents met, the ministry has announced a trip for the envoy.", entities)
    no_trip = _facts("The envoy was due to go this week but the ministry has not confirmed any travel plans.", entities, "B")
    assert pair_conflict(met, no_trip, 0.75, same_fact=0.6) is None


def test_conflicts_surroundings_in_tokenised_text() -> None:
    a = _facts("The party took place at a house in Maryland in 1982 , the friend recalled .", {"friend"})
    b = _facts("The party took place at a house in the Washington , D.C. suburbs in 1982 , the friend recalled .",
               {"friend"}, "B")
    assert pair_conflict(replace_places(a, {"maryland"}), replace_places(b, {"washington"}), 0.9, same_fact=0.7) is None


def test_conflicts_scale_words_say_nothing_of_what_a_sum_counts() -> None:
    a = _facts("The add-ons requested are $100 billion more for hospitals.", {"council"})
    b = _facts("Democrats oppose the $250 billion infusion for the loan fund.", {"council"}, "B")
    assert pair_conflict(a, b, 0.9, same_fact=0.7) is None


def test_conflicts_the_same_act_by_someone_else_is_no_dispute() -> None:
    entities = {"trump", "kim", "pompeo", "north korea"}
    met = _facts("Nearly three weeks since Trump and Kim met, no trip to North Korea has been announced.", entities)
    not_met = _facts("Pompeo did not meet Kim in North Korea, but handed over a letter.", entities, "B")
    assert pair_conflict(met, not_met, 0.75, same_fact=0.6) is None
    trump_not = _facts("Trump did not meet Kim in North Korea, but sent a letter.", entities, "B")
    verdict = pair_conflict(met, trump_not, 0.75, same_fact=0.6)
    assert verdict is not None and verdict.type == "negation"


def test_conflicts_an_act_word_naming_a_thing_or_without_a_doer() -> None:
    entities = {"envoy", "ministry", "kim", "trump", "varga"}
    plans = _facts("The ministry has not officially announced any travel plans for the envoy.", entities)
    due = _facts("The envoy was due to visit this week but the ministry has not confirmed the travel.", entities, "B")
    assert pair_conflict(plans, due, 0.75, same_fact=0.6) is None
    unnamed = _facts("He raised his profile by meeting with Trump last month, officials said.", entities)
    named = _facts("Varga did not meet Kim on his visit, but handed over a letter from Trump.", entities, "B")
    assert pair_conflict(unnamed, named, 0.75, same_fact=0.6) is None


@pytest.mark.parametrize(("a", "b", "mutual", "conflict"), [
    # one clip credited to two differently named accounts on one platform
    ('The clip, which was uploaded to YouTube by "HarbourWatcher," shows the ferry listing.',
     "The YouTube clip appears on a channel named KeelCam99 and shows the ferry listing badly.", True, True),
    # ... but not when the two statements are not each other's closest
    ('The clip, which was uploaded to YouTube by "HarbourWatcher," shows the ferry listing.',
     "The YouTube clip appears on a channel named KeelCam99 and shows the ferry listing badly.", False, False),
    # one account written two ways
    ('The clip was uploaded to YouTube by "HarbourWatcher," the port police said.',
     "The YouTube clip appears on the account @HarbourWatcher, which shows the ferry.", True, False),
    # two platforms: two accounts may both be right
    ('The clip was uploaded to YouTube by "HarbourWatcher," the port police said.',
     "A Twitter account called KeelCam99 shared the clip of the ferry.", True, False),
    # no account named on one side ("the account" is no name, nor is a weekday)
    ('The clip was uploaded to YouTube by "HarbourWatcher," the port police said.',
     "The YouTube account Monday removed the clip of the ferry.", True, False),
])
def test_conflicts_two_accounts_for_one_clip(a: str, b: str, mutual: bool, conflict: bool) -> None:
    verdict = pair_conflict(_facts(a, {"youtube"}), _facts(b, {"youtube"}, "B"), 0.42, same_fact=0.05, mutual=mutual)
    assert (verdict is not None and verdict.type == "name") is conflict, verdict


def test_labels_at_analysis_no_plural_title_and_a_second_appositive_kept() -> None:
    text = ("The ruling gives Mr. Roos and the harbour director, Karl M. Lund, a chance to move on.\n\n"
            "The board was troubled by texts Lund sent that appeared to favour one bidder.\n\n"
            "It had belonged to the disgraced trader Piet Kramer, the brother of a harbour official.")
    labels = _labels_at_analysis(text)
    assert "texts" not in labels and "chance" not in labels, labels
    assert "the brother of a harbour official" in labels, labels


def test_labels_at_analysis_a_title_before_the_name_keeps_its_of_phrase() -> None:
    text = "The mayor's chief of staff, Ilse Varga, said the plan was sound."
    labels = _labels_at_analysis(text)
    assert "The mayor's chief of staff" in labels, labels


@pytest.mark.parametrize(("published_b", "linked"), [("2025-06-20", False), ("2025-06-24", True)])
def test_compare_no_link_to_an_article_published_before_the_statements_date(published_b: str, linked: bool) -> None:
    """A statement of something that happened on June 23 cannot be what an article of June 20 says."""
    from dataclasses import replace

    said = "The mayor of Lindholm resigned on Monday after the report on the failed dam was published."
    a = analyzed("a", "Outlet A", said, [("Lindholm", "GPE")])
    a = replace(a, article=replace(a.article, date="2025-06-24"))  # a Tuesday: "Monday" is June 23
    b = analyzed("b", "Outlet B", "The mayor of Lindholm resigned after the report on the failed dam was published.",
                 [("Lindholm", "GPE")])
    b = replace(b, article=replace(b.article, date=published_b))
    comparison = compare_story(story_of([a, b]), [a, b], embedder=BagEmbedder())
    first = next(x for x in comparison.alignments if x.article_id == "a" and x.sentence == 0)
    assert bool(first.matches) is linked


@pytest.mark.parametrize(("b_text", "conflict"), [
    ("The 47-page indictment accuses the mayor of fraud, prosecutors said.", True),
    ("The 48-page indictment accuses the mayor of fraud, prosecutors said.", False),  # the same length
    ("The 450-page indictment accuses the mayor of fraud, prosecutors said.", False),  # round: maybe approximate
    ("The 47-page indictment and a 12-page indictment reached the court, prosecutors said.", False),  # two documents
    ('"We read the 47-page indictment," the mayor said of the fraud charge.', False),  # a speaker's words
])
def test_conflicts_one_documents_length_told_two_ways(b_text: str, conflict: bool) -> None:
    from parallax.compare.conflicts import detect_conflicts

    a = _facts("Prosecutors filed a 48-page indictment against the mayor of Lindholm on Tuesday.", {"lindholm"})
    b = _facts(b_text, {"lindholm"}, "B")
    found = [c for c in detect_conflicts([a, b], np.zeros((0, 2), dtype=np.int64), []) if "length" in c.reason]
    assert bool(found) is conflict, found
