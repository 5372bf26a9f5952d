"""Comparison quality against gold annotated by careful reading (``comparison/gold-dev.jsonl``).

    parallax eval compare ../shared/data/comparison/gold-dev.jsonl \\
        ../shared/data/stories/basil-dev.jsonl ../shared/data/seeds [--json OUT]

Each gold story lists the facts each article states (with the snippet of the sentence that states it), the
true conflicts, the remarks several outlets quote, and the sources each article relies on. The articles are
compared exactly as a stored story is (cross-document entities, then :func:`compare_story`), with the gold
grouping of articles into stories, and five measures are scored:

- ``shared``: for every fact and ordered pair of articles X, Y that both state it, the alignment should link
  X's sentence to Y's sentence. Precision is over every cross-outlet link the comparison makes (gold facts
  are exhaustive for what two outlets share); recall over the gold (fact, X, Y) triples.
- ``omission``: for every fact X states and article Y of another outlet that does not, X's sentence should
  have no link into Y and not be marked as possibly told there in other words ("only in X" / "missing
  from Y"); precision is over the (fact, X, Y) triples the comparison claims Y leaves out.
- ``conflicts``: a reported conflict matches a gold one when its two sentences hold the two gold snippets.
- ``quotes``: every pair of articles inside one quote group, matched when both wordings overlap the gold
  snippets of one remark.
- ``sources``: per article, source names matched by normalised name (``sources-strict``: a generic name
  such as "a statement" no longer counts for the gold's "Etheridge's written statement").
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from parallax.model import AnalyzedArticle, Article, Comparison, Story

from .cache import DEFAULT_CACHE, analyse

if TYPE_CHECKING:
    from parallax.stories.vectors import ArticleVectors

__all__ = ["DEFAULT_CACHE", "CompareScores", "Counts", "analyse", "cli", "evaluate", "score_story"]

LOGGER = logging.getLogger(__name__)

MEASURES = ("shared", "omission", "conflicts", "quotes", "sources", "sources-strict")


@dataclass(slots=True)
class Counts:
    """Matched predictions, matched gold items and the totals of each."""

    tp_pred: int = 0
    tp_gold: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_pred += other.tp_pred
        self.tp_gold += other.tp_gold
        self.pred += other.pred
        self.gold += other.gold

    def prf(self) -> dict[str, float | int]:
        p = self.tp_pred / self.pred if self.pred else 0.0
        r = self.tp_gold / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "tp_pred": self.tp_pred, "pred": self.pred, "tp_gold": self.tp_gold, "gold": self.gold}


@dataclass(slots=True)
class StoryScores:
    story: str
    counts: dict[str, Counts] = field(default_factory=lambda: {m: Counts() for m in MEASURES})
    errors: dict[str, list[str]] = field(default_factory=dict)  # examples of mistakes, per measure
    # Links counted false that join two outlets' wordings of one remark the gold lists under ``quotes``
    # only (not under ``facts``): reported beside the score, never added to it.
    remark_links: int = 0

    def note(self, measure: str, text: str) -> None:
        self.errors.setdefault(measure, []).append(text)


@dataclass(slots=True)
class CompareScores:
    stories: list[StoryScores]

    def totals(self) -> dict[str, Counts]:
        out = {m: Counts() for m in MEASURES}
        for story in self.stories:
            for m in MEASURES:
                out[m].add(story.counts[m])
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "totals": {m: c.prf() for m, c in self.totals().items()},
            "shared_links_on_gold_remarks": sum(s.remark_links for s in self.stories),
            "stories": [{"story": s.story, **{m: c.prf() for m, c in s.counts.items()}, "errors": s.errors}
                        for s in self.stories],
        }


# --------------------------------------------------------------------------------------------- locating


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).casefold()


def locate(text: str, snippet: str) -> tuple[int, int] | None:
    """Character span of ``snippet`` in ``text``: exact first, then ignoring case, quotes and spacing."""
    at = text.find(snippet)
    if at >= 0:
        return at, at + len(snippet)
    # Map positions of the normalised text back to the original.
    keep: list[int] = []
    chars: list[str] = []
    previous_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if previous_space:
                continue
            previous_space = True
            ch = " "
        else:
            previous_space = False
        chars.append(_norm(ch) if not ch.isspace() else " ")
        keep.append(i)
    flat = "".join(chars)
    needle = _norm(snippet)
    at = flat.find(needle) if needle else -1
    if at < 0:
        return None
    return keep[at], keep[min(at + len(needle), len(keep)) - 1] + 1


class _Located:
    """Sentences of each article and where gold snippets fall in them."""

    def __init__(self, analyzed: Sequence[AnalyzedArticle]) -> None:
        self.by_id = {a.article.id: a for a in analyzed}

    def span(self, article_id: str, snippet: str) -> tuple[int, int] | None:
        item = self.by_id.get(article_id)
        return locate(item.article.text, snippet) if item else None

    def stated(self, snippets: dict[str, str]) -> dict[str, set[int]]:
        """Article id -> the sentences holding its snippet, for the articles of a gold item found here."""
        found = {aid: self.sentences(aid, snip) for aid, snip in snippets.items() if aid in self.by_id}
        return {aid: sents for aid, sents in found.items() if sents}

    def sentence_pairs(self, snippets: dict[str, str]) -> set[tuple[str, int, str, int]]:
        """Every (article, sentence, other article, other sentence) pair holding two articles' snippets."""
        stated = self.stated(snippets)
        return {(a, s, b, t) for a, a_sents in stated.items() for b, b_sents in stated.items() if a != b
                for s in a_sents for t in b_sents}

    def sentences(self, article_id: str, snippet: str) -> set[int]:
        span = self.span(article_id, snippet)
        if span is None:
            return set()
        return {s.index for s in self.by_id[article_id].sentences if s.start < span[1] and span[0] < s.end}


def _overlaps(span: tuple[int, int] | None, start: int, end: int) -> bool:
    return span is not None and start < span[1] and span[0] < end


# --------------------------------------------------------------------------------------------- scoring


def score_story(gold: dict[str, object], comparison: Comparison, analyzed: Sequence[AnalyzedArticle]) -> StoryScores:
    """Score one compared story against its gold entry."""
    where = _Located(analyzed)
    scores = StoryScores(str(gold["story"]))
    present = set(where.by_id)
    outlet_of = {a.id: a.outlet for a in comparison.articles}
    _score_alignment(gold, comparison, where, present, outlet_of, scores)
    _score_conflicts(gold, comparison, where, scores)
    _score_quotes(gold, comparison, where, scores)
    _score_sources(gold, comparison, present, scores)
    _score_sources(gold, comparison, present, scores, strict=True)
    return scores


def _links(comparison: Comparison) -> set[tuple[str, int, str, int]]:
    """Every cross-outlet link the comparison makes: (article, sentence, other article, other sentence)."""
    out = set()
    for a in comparison.alignments:
        for m in a.matches:
            out.add((a.article_id, a.sentence, m.article_id, m.sentence))
            out.add((m.article_id, m.sentence, a.article_id, a.sentence))
    return out


def _score_alignment(gold: dict[str, object], comparison: Comparison, where: _Located, present: set[str],
                     outlet_of: dict[str, str], scores: StoryScores) -> None:
    links = _links(comparison)
    linked_articles = {(x, s, y) for x, s, y, _ in links}
    # A sentence whose closest sentence in Y comes near is "possibly reported" there: no omission claimed.
    articles_of = {}
    for article in comparison.articles:
        articles_of.setdefault(article.outlet, []).append(article.id)
    for a in comparison.alignments:
        for outlet in getattr(a, "possibly", ()):
            linked_articles.update((a.article_id, a.sentence, y) for y in articles_of.get(outlet, ()))
    text_of = {(s.article_id, s.index): s.text for s in comparison.sentences}
    good_links: set[tuple[str, int, str, int]] = set()
    shared, omission = scores.counts["shared"], scores.counts["omission"]
    for fact in gold["facts"]:  # type: ignore[attr-defined]
        stated = {aid: sents for aid, sents in where.stated(fact["in"]).items() if aid in present}
        for x, x_sents in stated.items():
            for y in sorted(present - {x}):
                if outlet_of.get(x) == outlet_of.get(y):
                    continue
                if y in stated:
                    shared.gold += 1
                    hit = {(x, s, y, t) for s in x_sents for t in stated[y]} & links
                    good_links |= hit
                    if hit:
                        shared.tp_gold += 1
                    else:
                        scores.note("shared", f"{fact['id']} {x[:14]}→{y[:14]} not linked: "
                                    f"{_short(text_of, x, x_sents)} || {_short(text_of, y, stated[y])}")
                    if not any((x, s, y) in linked_articles for s in x_sents):
                        omission.pred += 1  # said absent, but y states it
                else:
                    omission.gold += 1
                    if not any((x, s, y) in linked_articles for s in x_sents):
                        omission.pred += 1
                        omission.tp_pred += 1
                        omission.tp_gold += 1
                    else:
                        scores.note("omission", f"{fact['id']} {x[:14]} linked into {y[:14]} which lacks it: "
                                    f"{_short(text_of, x, x_sents)}")
    directed = {link for link in links if link[0] < link[2]}
    remark_pairs = _remark_links(gold, where)
    scores.remark_links += sum(1 for link in directed if link not in good_links and link in remark_pairs)
    shared.pred += len(directed)
    shared.tp_pred += sum(1 for (x, s, y, t) in directed if (x, s, y, t) in good_links or (y, t, x, s) in good_links)
    for x, s, y, t in sorted(directed):
        if (x, s, y, t) not in good_links and (y, t, x, s) not in good_links:
            scores.note("shared-false", f"{text_of.get((x, s), '')[:90]!r} ~ {text_of.get((y, t), '')[:90]!r}")


def _remark_links(gold: dict[str, object], where: _Located) -> set[tuple[str, int, str, int]]:
    """Sentence pairs holding two outlets' wordings of one gold remark (``quotes``), in both directions."""
    return {pair for remark in gold["quotes"] for pair in where.sentence_pairs(remark["in"])}  # type: ignore[attr-defined]


def _short(text_of: dict[tuple[str, int], str], article: str, sents: Iterable[int]) -> str:
    return " / ".join(repr(text_of.get((article, s), "")[:80]) for s in sorted(sents))


def _score_conflicts(gold: dict[str, object], comparison: Comparison, where: _Located, scores: StoryScores) -> None:
    counts = scores.counts["conflicts"]
    wanted = [(where.span(c["a"]["article"], c["a"]["snippet"]), c["a"]["article"],
               where.span(c["b"]["article"], c["b"]["snippet"]), c["b"]["article"], c["id"])
              for c in gold["conflicts"]]  # type: ignore[attr-defined]
    counts.gold += len(wanted)
    found: set[str] = set()
    for conflict in comparison.conflicts:
        counts.pred += 1
        a, b = conflict.a, conflict.b
        hit = [cid for sa, aa, sb, ab, cid in wanted
               if (aa == a.article_id and ab == b.article_id and _overlaps(sa, a.start, a.end)
                   and _overlaps(sb, b.start, b.end))
               or (aa == b.article_id and ab == a.article_id and _overlaps(sa, b.start, b.end)
                   and _overlaps(sb, a.start, a.end))]
        if hit:
            counts.tp_pred += 1
            found.update(hit)
            scores.note("conflicts-right", f"{conflict.type}: {conflict.a_text[:80]!r} vs {conflict.b_text[:80]!r}")
        else:
            scores.note("conflicts-false", f"{conflict.type}: {conflict.a_text[:80]!r} vs {conflict.b_text[:80]!r}")
    counts.tp_gold += len(found)
    for c in gold["conflicts"]:  # type: ignore[attr-defined]
        if c["id"] not in found:
            scores.note("conflicts-missed", f"{c['kind']}: {c['a']['snippet'][:60]!r} vs {c['b']['snippet'][:60]!r}")


def _score_quotes(gold: dict[str, object], comparison: Comparison, where: _Located, scores: StoryScores) -> None:
    counts = scores.counts["quotes"]
    remarks = []
    for q in gold["quotes"]:  # type: ignore[attr-defined]
        spans = {aid: where.span(aid, snip) for aid, snip in q["in"].items() if aid in where.by_id}
        spans = {aid: span for aid, span in spans.items() if span}
        remarks.append((q["id"], spans))
        counts.gold += len(list(combinations(sorted(spans), 2)))
    found: set[tuple[str, str, str]] = set()
    for group in comparison.quote_groups:
        for w1, w2 in combinations(group.wordings, 2):
            if w1.article_id == w2.article_id:
                continue
            counts.pred += 1
            hit = [(qid, *sorted((w1.article_id, w2.article_id))) for qid, spans in remarks
                   if _overlaps(spans.get(w1.article_id), w1.content.start, w1.content.end)
                   and _overlaps(spans.get(w2.article_id), w2.content.start, w2.content.end)]
            if hit:
                counts.tp_pred += 1
                found.update(hit)  # type: ignore[arg-type]
            else:
                scores.note("quotes-false", f"{w1.speaker_name}: {w1.content.text[:60]!r} ~ "
                            f"{w2.speaker_name}: {w2.content.text[:60]!r}")
    counts.tp_gold += len(found)
    for qid, spans in remarks:
        for a, b in combinations(sorted(spans), 2):
            if (qid, a, b) not in found:
                q = next(q for q in gold["quotes"] if q["id"] == qid)  # type: ignore[attr-defined]
                scores.note("quotes-missed", f"{q['speaker']}: {q['in'][a][:50]!r} ~ {q['in'][b][:50]!r}")


_DETERMINER = re.compile(r"^(the|a|an)\s+")


def source_key(name: str) -> str:
    """A source name compared loosely: case, leading articles, possessives and punctuation dropped."""
    text = _norm(name).replace("'s ", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return _DETERMINER.sub("", " ".join(text.split()))


def sources_match(predicted: str, gold: str, *, strict: bool = False) -> bool:
    """Whether a predicted source name names the gold source.

    Loose (the default, the measure the issue's figures use): equal after :func:`source_key`, one name
    inside the other, or a token-set ratio of 85. Strict: a name inside the other only when it is specific
    (two words or more, or a proper name), and otherwise a plain ratio of 90, so that a bare "statement"
    does not count for "Etheridge's written statement".
    """
    from rapidfuzz import fuzz

    p, g = source_key(predicted), source_key(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    if strict:
        inside = (_names_alone(predicted, p) and f" {p} " in f" {g} ") or (_names_alone(gold, g) and f" {g} " in f" {p} ")
        return inside or fuzz.ratio(p, g) >= 90
    if (len(p) > 3 and f" {p} " in f" {g} ") or (len(g) > 3 and f" {g} " in f" {p} "):
        return True
    return fuzz.token_set_ratio(p, g) >= 85


def _names_alone(original: str, key: str) -> bool:
    """Whether a name is specific enough to match inside a longer one: two words or more, or a proper name
    ("Reuters" in "Reuters news agency"); a bare "statement" must not match "FBI statement"."""
    return len(key.split()) >= 2 or any(word[:1].isupper() for word in original.split()[-1:])


def predicted_sources(comparison: Comparison) -> dict[str, list[str]]:
    """Distinct source names each article relies on: its source citations and quote relays."""
    out: dict[str, list[str]] = {a.id: [] for a in comparison.articles}
    for citation in comparison.source_citations:
        out.setdefault(citation.article_id, []).append(citation.name)
    for quote in comparison.quotes:
        if quote.relay is not None:
            out.setdefault(quote.article_id, []).append(quote.relay.name)
    return {aid: list(dict.fromkeys(" ".join(n.split()) for n in names)) for aid, names in out.items()}


def _score_sources(gold: dict[str, object], comparison: Comparison, present: set[str], scores: StoryScores,
                   *, strict: bool = False) -> None:
    counts = scores.counts["sources-strict" if strict else "sources"]
    predicted = predicted_sources(comparison)
    for aid, names in gold["sources"].items():  # type: ignore[attr-defined]
        if aid not in present:
            continue
        mine = list(dict.fromkeys(predicted.get(aid, [])))
        # Several spellings of one predicted source may name one gold source; one gold name is matched once.
        matched_gold = {g for g in names if any(sources_match(p, g, strict=strict) for p in mine)}
        matched_pred = [p for p in mine if any(sources_match(p, g, strict=strict) for g in names)]
        counts.gold += len(names)
        counts.tp_gold += len(matched_gold)
        counts.pred += len(mine)
        counts.tp_pred += len(matched_pred)
        kind = "sources-strict" if strict else "sources"
        for g in names:
            if g not in matched_gold:
                scores.note(f"{kind}-missed", f"{aid[:14]}: {g}")
        for p in mine:
            if p not in matched_pred:
                scores.note(f"{kind}-false", f"{aid[:14]}: {p}")


# --------------------------------------------------------------------------------------------- running


def load_gold(path: Path) -> list[dict[str, object]]:
    """Gold stories, one JSON object a line (shared/data/comparison/FORMAT.md); lists a story leaves out
    are empty.

    Raises:
        InputError: a line that is not JSON, or a story without ``story`` or ``articles``.
    """
    from parallax.errors import InputError

    stories = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}", f"is not valid JSON ({error.msg}, column {error.colno})",
                             "each line must be one gold story as a JSON object") from None
        if not isinstance(entry, dict) or not isinstance(entry.get("articles"), dict) or "story" not in entry:
            raise InputError(f"{path}:{number}", "is not a gold story: it needs 'story' and an 'articles' object",
                             "see shared/data/comparison/FORMAT.md")
        for key, empty in (("facts", []), ("conflicts", []), ("quotes", []), ("sources", {})):
            entry.setdefault(key, empty)
        stories.append(entry)
    return stories


def load_articles(paths: Sequence[Path], outlets: dict[str, str]) -> dict[str, Article]:
    """Articles by id from JSONL rows (``id``, ``outlet``, ``title``, ``text``, ``date``) and ``.txt`` files
    or folders of them (id = file name without ``.txt``; outlet from the gold)."""
    out: dict[str, Article] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(path.glob("*.txt"))
        elif path.suffix == ".txt":
            files = [path]
        else:
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                row = json.loads(line)
                if row["id"] in outlets:
                    out[row["id"]] = Article(row["id"], row.get("outlet") or outlets[row["id"]],
                                             row.get("title", ""), row["text"], row.get("date"), row.get("url"))
            continue
        for file in files:
            if file.stem in outlets:
                out[file.stem] = Article(file.stem, outlets[file.stem], "", file.read_text(encoding="utf-8"))
    return out


def compare_gold_story(story_id: str, members: Sequence[AnalyzedArticle], *,
                       vectors: Mapping[str, ArticleVectors] | None = None) -> Comparison:
    """Compare ``members`` as the pipeline compares a stored story (entities resolved first; ``vectors``:
    the embeddings as the store keeps them, see :func:`stored_vectors`)."""
    from parallax.compare import compare_story
    from parallax.stories.resolve import linked_entities

    entities, members = linked_entities(members)
    story = Story(story_id, story_id, tuple(a.article.id for a in members))
    return compare_story(story, members, entities=entities, vectors=vectors)


def stored_vectors(analysed: Sequence[AnalyzedArticle]) -> dict[str, ArticleVectors]:
    """The embeddings the pipeline stores with each analysis, packed and read back as the store does."""
    from parallax.stories.embed import get_embedder
    from parallax.stories.vectors import ArticleVectors, article_vectors

    out: dict[str, ArticleVectors] = {}
    for lo in range(0, len(analysed), 64):  # the pipeline's analysis batch
        batch = list(analysed[lo : lo + 64])
        for item, made in zip(batch, article_vectors(batch, get_embedder())):
            back = ArticleVectors.from_bytes(made.to_bytes(), sentences=len(item.sentences), quotes=len(item.quotes))
            if back is not None:
                out[item.article.id] = back
    return out


def evaluate(gold_file: Path, article_paths: Sequence[Path], *, cache: Path | None = DEFAULT_CACHE,
             only: Sequence[str] = ()) -> CompareScores:
    """Compare every gold story and score it."""
    gold = [g for g in load_gold(gold_file) if not only or g["story"] in only]
    outlets = {aid: outlet for g in gold for aid, outlet in g["articles"].items()}  # type: ignore[attr-defined]
    articles = load_articles(article_paths, outlets)
    missing = sorted(set(outlets) - set(articles))
    if missing:
        LOGGER.warning("%d gold articles not found in the inputs: %s", len(missing), ", ".join(missing[:5]))
    analysed = {a.article.id: a for a in analyse(list(articles.values()), cache)}
    vectors = stored_vectors(list(analysed.values()))
    stories = []
    for entry in gold:
        members = [analysed[aid] for aid in entry["articles"] if aid in analysed]  # type: ignore[attr-defined]
        if len(members) < 2:
            continue
        comparison = compare_gold_story(str(entry["story"]), members, vectors=vectors)
        stories.append(score_story(entry, comparison, members))
    return CompareScores(stories)


def _table(scores: CompareScores) -> str:
    lines = [f"{'measure':<14} {'P':>6} {'R':>6} {'F1':>6}   counts (matched pred / pred, matched gold / gold)"]
    for measure, counts in scores.totals().items():
        prf = counts.prf()
        lines.append(f"{measure:<14} {prf['precision']:>6.3f} {prf['recall']:>6.3f} {prf['f1']:>6.3f}   "
                     f"{counts.tp_pred}/{counts.pred}, {counts.tp_gold}/{counts.gold}")
    remark = sum(s.remark_links for s in scores.stories)
    lines.append(f"(of the shared links counted false, {remark} join two wordings of a remark the gold lists "
                 "under quotes only)")
    lines.append("")
    lines.append(f"{'story':<44} " + " ".join(f"{m[:9]:>9}" for m in MEASURES) + "   (F1; conflicts P/R)")
    for story in scores.stories:
        cells = []
        for m in MEASURES:
            prf = story.counts[m].prf()
            cells.append(f"{prf['tp_pred']}/{prf['pred']}|{prf['tp_gold']}/{prf['gold']}" if m == "conflicts"
                         else f"{prf['f1']:.2f}")
        lines.append(f"{story.story[:44]:<44} " + " ".join(f"{c:>9}" for c in cells))
    return "\n".join(lines) + "\n"


def cli(argv: list[str]) -> int:
    """``parallax eval compare GOLD.jsonl ARTICLES... [--json OUT]``."""
    parser = argparse.ArgumentParser(prog="parallax eval compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, help="comparison gold JSONL (see shared/data/comparison/FORMAT.md)")
    parser.add_argument("articles", type=Path, nargs="+",
                        help="JSONL files of articles (id, outlet, text, ...), .txt files or folders of them")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the scores (and error examples) as JSON")
    parser.add_argument("--story", action="append", default=[], help="only this gold story (repeatable)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder keeping analysed articles between runs (default {DEFAULT_CACHE})")
    parser.add_argument("--no-cache", action="store_true", help="analyse again, keep nothing")
    parser.add_argument("--errors", metavar="MEASURE", action="append", default=[],
                        help="print the mistakes of this measure (shared, shared-false, omission, conflicts-false, conflicts-right, "
                             "conflicts-missed, quotes-false, quotes-missed, sources-false, sources-missed, "
                             "sources-strict-false, sources-strict-missed)")
    args = parser.parse_args(argv)
    for path in (args.gold, *args.articles):
        if not path.exists():
            parser.error(f"{path} does not exist")
    scores = evaluate(args.gold, args.articles, cache=None if args.no_cache else args.cache, only=args.story)
    sys.stdout.write(_table(scores))
    for measure in args.errors:
        sys.stdout.write(f"\n## {measure}\n")
        for story in scores.stories:
            for line in story.errors.get(measure, []):
                sys.stdout.write(f"{story.story[6:18]}  {line}\n")
    if args.json:
        args.json.write_text(json.dumps(scores.to_dict(), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli(sys.argv[1:]))
