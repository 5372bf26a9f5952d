"""Quote groups: one remark by one speaker, on sentences written for these tests."""

from __future__ import annotations

import numpy as np
import pytest

from parallax.compare.quotes import group_quotes, groupable, reporting_cue, reproduced_quotes
from parallax.model import AnalyzedArticle, Article, Entity, EntityAlias, Quote, Sentence, Span

ARTICLES = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x"), Article("c", "Outlet C", "t", "x")]


def _quote(article_id: str, text: str, speaker: str | None, *, kind: str = "direct", cue: str | None = "said",
           start: int = 0) -> Quote:
    return Quote(article_id, kind, Span(start, start + len(text), text),  # type: ignore[arg-type]
                 cue=Span(0, len(cue), cue) if cue else None, speaker_name=speaker)


def _vectors(*rows: tuple[float, float]) -> np.ndarray:
    """Unit vectors from 2-d directions, one per quote."""
    out = np.array(rows, dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.mark.parametrize(("cue", "reports"), [
    ("said", True), ("went on to call", True), ("told reporters", True), ("tweeted", True),
    ("decision", False), ("rage about", False), ("unilaterally ordered", False), ("became aware of", False),
])
def test_quote_groups_reporting_cue(cue: str, reports: bool) -> None:
    assert reporting_cue(cue) is reports


@pytest.mark.parametrize(("cue", "content", "kept"), [
    ("decision", "to close the northern bridge for good", False),  # "her decision | to close ...": a noun phrase
    ("rage about", "Mayor Ilse Varga of Lindholm", False),
    ("announced", "to close the northern bridge for good", True),
    ("rejected claims", "that she had misled the council", True),  # a clause, whatever the cue
    ("was guessing", "you're all coming up a little short on ideas", True),
])
def test_quote_groups_reported_speech_needs_a_reporting_cue_or_a_clause(cue: str, content: str, kept: bool) -> None:
    quote = _quote("a", content, "Ilse Varga", kind="indirect", cue=cue)
    assert groupable(quote) is kept


def test_quote_groups_quoted_words_are_kept_whatever_the_cue() -> None:
    quote = _quote("a", "the plan as “a gift to the river towns”", "Ilse Varga", kind="partial", cue="greeted")
    assert groupable(quote)


def test_quote_groups_different_speakers_sharing_a_few_words_are_not_grouped() -> None:
    quotes = [_quote("a", "The port will reopen to cargo ships next week", "Ilse Varga"),
              _quote("b", "The port will reopen, but not for cargo ships", "Tomas Brandt")]
    # close in meaning, and "the port will reopen" in both: still two speakers' remarks, no evidence of one
    assert group_quotes(quotes, ARTICLES, _vectors((1, 0.2), (1, 0.25))) == ()


def test_quote_groups_different_speakers_same_long_remark_is_an_attribution_conflict() -> None:
    text = "Nobody in this valley will pay for water they cannot drink"
    quotes = [_quote("a", text, "Ilse Varga"), _quote("b", text, "Tomas Brandt")]
    groups = group_quotes(quotes, ARTICLES, _vectors((1, 0), (1, 0)))
    assert len(groups) == 1 and groups[0].attribution_conflict


def test_quote_groups_same_speaker_reworded_joins_by_meaning() -> None:
    quotes = [_quote("a", "Going forward, all will depend on what the valley needs", "Ilse Varga"),
              _quote("b", "Everything depends on what the valley requires", "Ilse M. Varga")]
    assert len(group_quotes(quotes, ARTICLES, _vectors((1, 0.3), (1, 0.35)))) == 1
    # the same pair with one speaker unnamed needs closer meaning or more shared words
    unnamed = [quotes[0], _quote("b", quotes[1].content.text, None)]
    assert group_quotes(unnamed, ARTICLES, _vectors((1, 0), (1, 0.9))) == ()


def test_quote_groups_speakers_agree_through_entity_aliases() -> None:
    quotes = [_quote("a", "The levee held because the volunteers held", "Bibi Ostrova"),
              _quote("b", "The levee held because the volunteers held", "Berta Ostrowa")]
    entity = Entity("e1", "Berta Ostrowa", "PERSON", aliases=(EntityAlias("Bibi Ostrova", 1, ("Outlet A",)),))
    without = group_quotes(quotes, ARTICLES, _vectors((1, 0), (1, 0)))
    with_entity = group_quotes(quotes, ARTICLES, _vectors((1, 0), (1, 0)), entities=[entity])
    # seven words in a row are not evidence enough across two speakers; one entity makes them one speaker
    assert without == () and len(with_entity) == 1 and not with_entity[0].attribution_conflict
    # the group names its speaker as the story's entity does, not as the first outlet spelled it
    assert with_entity[0].speaker == "Berta Ostrowa"


def test_quote_groups_two_remarks_are_not_chained_through_a_long_quote() -> None:
    first, second = "We will rebuild the bridge before winter comes", "Every family will have a roof by spring"
    quotes = [_quote("a", first, "Ilse Varga"),
              _quote("b", f"{first}. {second}", "Ilse Varga"),
              _quote("c", second, "Ilse Varga")]
    groups = group_quotes(quotes, ARTICLES, None)
    members = sorted(tuple(sorted(w.article_id for w in g.wordings)) for g in groups)
    assert members == [("a", "b"), ("b", "c")]


def test_quote_groups_one_wording_per_outlet() -> None:
    text = "The dam is safe and the town can sleep tonight"
    quotes = [_quote("a", text, "Ilse Varga"), _quote("b", text, "Ilse Varga"),
              _quote("b", text + ", she added", "Ilse Varga", start=100)]
    groups = group_quotes(quotes, ARTICLES, None)
    assert groups and all(len({w.article_id for w in g.wordings}) == len(g.wordings) for g in groups)


def test_quote_groups_continued_quote_keeps_its_speaker() -> None:
    from parallax.compare.quotes import group_quotes
    from parallax.model import Article, Quote, Span

    first = "the flooding was worse than anyone had expected"
    second = "we are sending every pump we have to the valley tonight"
    reworded = "sending all our pumps to the valley tonight"  # a run of four words: enough for one speaker only
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]
    quotes = [
        Quote("a", "direct", Span(0, len(first), first), speaker_name="Ana Ruiz", sentence=0),
        Quote("a", "direct", Span(100, 100 + len(second), second), speaker_name=None, sentence=1),
        Quote("b", "direct", Span(0, len(reworded), reworded), speaker_name="Ana Ruiz", sentence=3),
    ]
    [group] = group_quotes(quotes, articles, None)
    assert {w.article_id for w in group.wordings} == {"a", "b"} and group.speaker == "Ana Ruiz"
    assert not group.attribution_conflict


def _analysed(article_id: str, outlet: str, text: str, quotes: list[tuple[str, str | None]]) -> AnalyzedArticle:
    """An article whose quotes are the given passages of its text (content, speaker)."""
    marked = []
    for content, speaker in quotes:
        start = text.index(content)
        marked.append(Quote(article_id, "direct", Span(start, start + len(content), content),
                            cue=Span(0, 4, "said"), speaker_name=speaker))
    sentences = (Sentence(article_id, 0, 0, len(text), text),)
    return AnalyzedArticle(Article(article_id, outlet, "t", text), sentences=sentences, quotes=tuple(marked))


POST = ("Dear council, you promised the river towns clean water by spring and delivered a boil notice instead. "
        "Do your job.")


def test_reproduced_quotes_a_post_printed_without_quotation_marks_groups_with_the_quoted_wording() -> None:
    quoting = _analysed("a", "Outlet A", f"Ilse Varga wrote on Facebook: “{POST}” The post was shared widely.",
                        [(f"“{POST}”", "Ilse Varga")])
    printing = _analysed("b", "Outlet B", f"The mayor posted a message. Read it in full:\n\n{POST}\n\nShe later deleted it.",
                         [])
    reproduced = reproduced_quotes([quoting, printing])
    assert [q.article_id for q in reproduced] == ["b"]
    assert reproduced[0].content.text.startswith("Dear council, you promised the river towns clean water")
    assert printing.article.text[reproduced[0].content.start:reproduced[0].content.end] == reproduced[0].content.text
    quotes = [*quoting.quotes, *reproduced]
    groups = group_quotes(quotes, [quoting.article, printing.article], _vectors((1, 0.1), (1, 0.12)))
    assert len(groups) == 1 and {w.article_id for w in groups[0].wordings} == {"a", "b"}
    assert groups[0].speaker == "Ilse Varga"


def test_reproduced_quotes_an_unmarked_quote_inside_the_block_does_not_cut_it() -> None:
    """The tagger may find a quote inside an unmarked block (an indirect "the river towns clean water", a
    partial in the block's own single marks): it is part of the block, so the reproduction stays whole."""
    quoting = _analysed("a", "Outlet A", f"Ilse Varga wrote on Facebook: “{POST}”", [(f"“{POST}”", "Ilse Varga")])
    text = f"Read it in full:\n\n{POST}\n\nShe later deleted it."
    printing = _analysed("b", "Outlet B", text, [("the river towns clean water", None)])
    [reproduced] = reproduced_quotes([quoting, printing])
    assert reproduced.content.text.startswith("Dear council, you promised the river towns clean water by spring")


def test_reproduced_quotes_need_a_long_run_outside_the_articles_own_quotes() -> None:
    quoting = _analysed("a", "Outlet A", f"Ilse Varga wrote: “{POST}”", [(f"“{POST}”", "Ilse Varga")])
    # five words in common ("the river towns clean water") are a phrase, not a reproduction
    phrase = _analysed("b", "Outlet B", "Engineers said the river towns clean water supply failed twice.", [])
    # the same words inside the article's own quote group as that quote, not as a second one
    own = _analysed("c", "Outlet C", f"She wrote: “{POST}”", [(f"“{POST}”", "Ilse Varga")])
    assert reproduced_quotes([quoting, phrase, own]) == ()
    # an outlet repeating its own quote in another article is not another outlet's wording
    assert reproduced_quotes([quoting, _analysed("d", "Outlet A", f"Again: {POST}", [])]) == ()


def test_quote_groups_a_long_quote_joins_the_group_of_each_remark_it_holds() -> None:
    """Outlets A and B quote two remarks apart, C quotes both in one: one group per remark, each with all
    three outlets, not a group of A and B plus a pair with C."""
    first, second = "We will rebuild the bridge before winter comes", "Every family will have a roof by spring"
    quotes = [_quote("a", first, "Ilse Varga"), _quote("a", second, "Ilse Varga", start=100),
              _quote("b", first, "Ilse Varga"), _quote("b", second, "Ilse Varga", start=100),
              _quote("c", f"{first}. {second}", "Ilse Varga")]
    groups = group_quotes(quotes, ARTICLES, None)
    members = sorted(tuple(sorted((w.article_id, w.content.start) for w in g.wordings)) for g in groups)
    assert members == [(("a", 0), ("b", 0), ("c", 0)), (("a", 100), ("b", 100), ("c", 0))]


def test_quote_groups_narrators_words_outside_the_marks_are_no_shared_remark() -> None:
    """Two outlets' partial quotes of one speaker, close in meaning (cosine 0.65, over the support bar), that
    share only the narrator's words around the marks ("harbour fees"), are two remarks; sharing two of the
    speaker's own words in a row, they are one."""
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]

    def quote(article_id: str, text: str) -> Quote:
        return Quote(article_id, "mixed", Span(0, len(text), text), speaker_name="Ana Ruiz", cue=Span(0, 4, "said"))

    vectors = _vectors((1, 0), (0.65, (1 - 0.65 ** 2) ** 0.5))
    apart = [quote("a", "harbour fees to “let every ship dock, large & small,”"),
             quote("b", "harbour fees of “closing the port to the boats of the poor”")]
    assert group_quotes(apart, articles, vectors) == ()
    together = [quote("a", "harbour fees to “let every ship dock, large & small,”"),
                quote("b", "the port should “let every ship dock” she said")]
    assert len(group_quotes(together, articles, vectors)) == 1


def test_quote_groups_a_partial_quote_closing_its_wording_is_found_in_the_other() -> None:
    """A mixed quote whose marked words end the wording ('… would “answer for it,”') is a fragment of the
    other outlet's direct quote even when their meanings are far apart in the embedding."""
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]
    direct = "“We will find out what happened, and whoever is responsible will answer for it,”"
    mixed = "that whoever was found responsible would “answer for it,”"
    quotes = [Quote("a", "direct", Span(0, len(direct), direct), speaker_name="Irma Falk", cue=Span(0, 4, "said")),
              Quote("b", "mixed", Span(0, len(mixed), mixed), speaker_name="Irma Falk", cue=Span(0, 8, "promised"))]
    [group] = group_quotes(quotes, articles, _vectors((1, 0), (0.3, (1 - 0.09) ** 0.5)))
    assert {w.article_id for w in group.wordings} == {"a", "b"}


def test_quote_groups_two_remarks_about_one_person_share_only_the_name() -> None:
    """One speaker's two sentences quoted by two outlets, close in meaning (cosine 0.65) and sharing only a
    name ("Special Agent Varga"), are two remarks."""
    articles = [Article("a", "Outlet A", "t", "x"), Article("b", "Outlet B", "t", "x")]
    one = "“The decision to fire Special Agent Varga is a departure from practice,”"
    two = "“In his decades of service, Special Agent Varga has proved himself loyal,”"
    quotes = [Quote("a", "direct", Span(0, len(one), one), speaker_name="Tom Berg", cue=Span(0, 4, "said")),
              Quote("b", "direct", Span(0, len(two), two), speaker_name="Tom Berg", cue=Span(0, 4, "said"))]
    assert group_quotes(quotes, articles, _vectors((1, 0), (0.65, (1 - 0.65 ** 2) ** 0.5))) == ()
