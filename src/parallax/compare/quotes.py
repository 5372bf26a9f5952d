"""Quote groups: one remark by one speaker as several outlets report it, with a word-level diff and a label.

Two quotes from different outlets are one remark when the evidence fits who is said to speak:

- the same speaker (the same surname, or names of one cross-document entity), or an unnamed one: the
  same words (a run of words in the same order, or a partial quote's quoted words found in the other),
  or the same meaning (embedding cosine), the bar set higher when a speaker is unnamed;
- two different named speakers: only a long run of the same words, and the group is then flagged as an
  attribution conflict. Without that evidence two speakers' remarks are never grouped.

A noun phrase is not a remark: reported speech that is not in quotation marks needs a reporting verb as
its cue ("said", "wrote", "urged") or a clause for content ("that ...", "whether ..."); "his decision | to
pull out of Syria" and "rage about | Donald J. Trump" are left out. Groups are built from the strongest
pair down, one wording per outlet; a long quote that holds two remarks another outlet quotes apart joins
both (one group each).
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from spacy.lang.en.stop_words import STOP_WORDS

from parallax.model import AnalyzedArticle, Article, Entity, Mention, Quote, QuoteGroup, QuoteWording, Span

__all__ = [
    "QuoteConfig", "group_quotes", "groupable", "label_wordings", "reporting_cue", "reproduced_quotes", "word_diff",
]

LOGGER = logging.getLogger(__name__)

_WORD = re.compile(r"[\w’']+|&")


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    """Matching thresholds. Calibrated on the comparison dev gold (``comparison/gold-dev.jsonl``, 13
    stories, 123 cross-outlet quote pairs), where they give quote pairs P / R / F1 in docs/comparison.md."""

    min_words: int = 3  # shorter fragments ("fairy tales") are too generic to group
    # Words in the same order that make two quotes one remark. Dev, same speaker: a run of 4 keeps 46 true
    # pairs for 13 false, of 5: 45 for 7 (most of the rest are the same remark quoted twice in one article).
    same_run: int = 4
    unnamed_run: int = 5  # one speaker unnamed ("the congressman"): a longer run
    conflict_run: int = 8  # two named speakers: only this long a run is one remark (an attribution conflict)
    conflict_cosine: float = 0.60  # ... with its meaning close too (dev: 9 true pairs, 0 false)
    # Meaning alone (MiniLM cosine). Dev, same speaker: >= 0.70 holds 32 true pairs for 17 false; unnamed
    # speaker: >= 0.80 holds only true pairs.
    same_cosine: float = 0.70
    unnamed_cosine: float = 0.80
    support_run: int = 2  # a shorter run of shared content words (stop words left out) ...
    support_cosine: float = 0.60  # ... backed by this much meaning
    # Two groups join when every pair across them is one remark, or the same speaker this close in meaning
    # (a partial quote and a reworded one of the remark a third outlet quotes in full). Dev: 0.4-0.6 alike.
    group_cosine: float = 0.5
    fragment_ratio: float = 92.0  # rapidfuzz partial_ratio for a partial quote's quoted words in another wording
    cosine: float = 0.80  # labels: "same meaning" when the words differ (different-translation)
    translation_overlap: float = 0.5  # word-overlap share under which a same-meaning pair is a retranslation


def _norm_words(text: str) -> list[str]:
    return [_norm_token(w) for w in _WORD.findall(text)]


def word_diff(a: str, b: str) -> tuple[tuple[str, str], ...]:
    """Word-level diff from wording ``a`` to wording ``b``: ("=", w) kept, ("-", w) only in a, ("+", w) only in b."""
    wa, wb = _WORD.findall(a), _WORD.findall(b)
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in wa], b=[w.lower() for w in wb], autojunk=False)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(("=", w) for w in wa[i1:i2])
        else:
            out.extend(("-", w) for w in wa[i1:i2])
            out.extend(("+", w) for w in wb[j1:j2])
    return tuple(out)


def label_wordings(texts: Sequence[str], cosine: float, config: QuoteConfig = QuoteConfig()) -> str:
    """verbatim, shortened, different-translation or reworded, from the most different pair of wordings."""
    words = [_norm_words(t) for t in texts]
    if all(w == words[0] for w in words):
        return "verbatim"
    short, long_ = sorted(words[:2], key=len)
    matcher = difflib.SequenceMatcher(a=short, b=long_, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    if short and kept / len(short) >= 0.9 and len(long_) > len(short):
        return "shortened"
    overlap = len(set(short) & set(long_)) / max(1, len(set(short) | set(long_)))
    # two translations of one remark seldom share six words in a row; two excerpts of one English
    # statement do ("After many hours of prayer, talking to my parents …")
    if cosine >= config.cosine and overlap < config.translation_overlap and _longest_run(short, long_) < 6:
        return "different-translation"
    return "reworded"


# ----------------------------------------------------------------------------------------- which quotes

# Verbs (and the nouns of "in a statement") that report what someone said, wrote or thought, as stems
# matched against the cue's words. Verbs whose object is a thing ("criticised the plan", "praised his
# leadership", "ordered the assault") are left out: with them a remark needs a clause ("that ...").
REPORTING_STEMS = frozenset(
    "say said tell told add writ wrote tweet post claim argu insist warn note stat explain announc declar "
    "acknowledg admit suggest predict promis vow urg ask repl respond answer testif contend assert maintain "
    "complain conced caution indicat believ think thought hint recall emphasiz stress signal confirm report "
    "conclud counter retort joke lament worr fear hope pledg alleg estimat propos mention observ remark "
    "reiterat repeat wonder agre demand question threaten describ call label deem brand dub characteriz rat "
    "express accus swor swear recount quot cit statement interview letter messag".split()
)
# Content that opens a clause is a remark whatever the cue ("rejected claims | that he betrayed ...",
# "guessing | you're coming up short"): a complementiser, a wh-word or a subject pronoun.
CLAUSE_OPENERS = frozenset("that whether if how why what when where who i you he she we they it there".split())


def reporting_cue(cue: str) -> bool:
    """Whether a cue phrase holds a reporting verb ("said", "went on to call", "told reporters")."""
    for word in _norm_words(cue):
        if any(word.startswith(s) and len(word) - len(s) <= 3 for s in REPORTING_STEMS):
            return True
    return False


def _remark_text(quote: Quote) -> str:
    """A quote's words without the quotation marks around them."""
    return quote.content.text.strip("“”\"' ")


_QUOTE_MARKS = ("“", "”", '"', "‘", "’ ", "«", "»")


def groupable(quote: Quote, config: QuoteConfig = QuoteConfig()) -> bool:
    """A remark someone made, long enough to recognise: a named speaker or words in quotation marks,
    at least ``config.min_words`` words, and reported as speech.

    Unattributed reported speech ("... officials said") is how leads and background are written; two
    outlets' leads are not the same remark just because both end in "said". Reported speech outside
    quotation marks whose cue reports nothing is a noun phrase or an action ("his decision | to pull out").
    """
    words = _norm_words(_remark_text(quote))
    if len(words) < config.min_words:
        return False
    if not (quote.speaker_name or quote.speaker_entity) and not (
        quote.kind in ("direct", "partial", "mixed") or any(m in quote.content.text for m in _QUOTE_MARKS)
    ):
        return False
    if quote.kind == "direct" or quote.cue is None or _fragments(quote.content.text, config):
        return True
    return reporting_cue(quote.cue.text) or words[0].split("'")[0] in CLAUSE_OPENERS


# ------------------------------------------------------------------------------ reproduced, unmarked


_SHINGLE = 5  # words per lookup key when searching other articles for a quote's words


def reproduced_quotes(
    members: Sequence[AnalyzedArticle], *, min_run: int = 8, min_whole: int = 5,
) -> tuple[Quote, ...]:
    """Quotes one outlet marks that another reproduces word for word without quotation marks.

    An outlet that prints a statement, a post or a letter as a block of text ("Read the full post:" and the
    post below it) has no quotation marks for the quote tagger to find; another outlet quoting the same words
    does. A run of at least ``min_run`` words of a marked quote, in the same order in an article of another
    outlet and outside that article's own quotes, is the same remark reproduced (the whole quote suffices
    when it has ``min_whole`` words or more, two of them content words). The reproduction becomes a direct
    quote of the article that prints it, with no speaker: it groups with the marked wording by its words, and
    the group's speaker comes from the outlet that names one. Words inside the article's own quotes are cut
    off the run first (they group as those quotes).
    """
    outlet_of = {a.article.id: a.article.outlet for a in members}
    tokens = {a.article.id: [(m.start(), m.end(), _norm_token(m.group())) for m in _WORD.finditer(a.article.text)]
              for a in members}
    index: dict[tuple[str, ...], list[tuple[str, int]]] = {}
    for article_id, toks in tokens.items():
        words = [t[2] for t in toks]
        for k in range(len(words) - _SHINGLE + 1):
            index.setdefault(tuple(words[k : k + _SHINGLE]), []).append((article_id, k))
    # Only quotes in double marks keep their words: a quote the tagger found inside an unmarked block (an
    # indirect "their positions", a partial quote in the block's own single marks) is part of the block.
    covered = {a.article.id: [(q.content.start, q.content.end) for q in a.quotes if _double_marked(q.content.text)]
               for a in members}
    sentence_at = {a.article.id: a.sentences for a in members}
    text_of = {a.article.id: a.article.text for a in members}
    found: dict[tuple[str, int, int], Quote] = {}
    for source in members:
        for quote in source.quotes:
            if not groupable(quote) or not any(m in quote.content.text for m in _QUOTE_MARKS):
                continue
            words = _norm_words(_remark_text(quote))
            whole = len(words) >= min_whole and sum(w not in STOP_WORDS for w in words) >= 2
            for start_at, end_at, article_id in _runs(words, index, tokens, outlet_of, source.article.outlet):
                toks = tokens[article_id]
                # The article's own quotes keep their words: what they cover is cut off the run.
                free = [k for k in range(start_at, end_at)
                        if not any(s <= toks[k][0] < e for s, e in covered[article_id])]
                if not free:
                    continue
                segments = np.split(np.array(free), np.nonzero(np.diff(free) > 1)[0] + 1)
                best = max(segments, key=len)
                run = len(best)
                if run < min_run and not (whole and run == len(words) == end_at - start_at):
                    continue
                start, end = toks[int(best[0])][0], toks[int(best[-1])][1]
                if (article_id, start, end) in found:
                    continue
                sentence = next((s.index for s in sentence_at[article_id] if s.start <= start < s.end), 0)
                found[(article_id, start, end)] = Quote(article_id, "direct", Span(start, end, text_of[article_id][start:end]),
                                                        sentence=sentence, confidence=0.9)
    return tuple(found[key] for key in sorted(found))


_DOUBLE_MARKS = ("“", "”", '"', "«", "»")
_MARKED_RUN = re.compile(r"[“\"«]([^”\"»]*)[”\"»]?")


def _inside_marks(text: str) -> str:
    """The words inside double quotation marks ("" when there are none); an opening mark left open runs to
    the end (a quote the tagger cut before its closing mark)."""
    return " ".join(m.group(1) for m in _MARKED_RUN.finditer(text))


def _double_marked(text: str) -> bool:
    return any(m in text for m in _DOUBLE_MARKS)


def _norm_token(word: str) -> str:
    return "and" if word == "&" else word.lower().replace("’", "'")


def _runs(
    words: Sequence[str], index: Mapping[tuple[str, ...], list[tuple[str, int]]],
    tokens: Mapping[str, list[tuple[int, int, str]]], outlet_of: Mapping[str, str], outlet: str,
) -> list[tuple[int, int, str]]:
    """Maximal runs of ``words`` found in order in articles of other outlets: (first token, end token, article)."""
    runs: list[tuple[int, int, str]] = []
    seen: set[tuple[str, int]] = set()
    for k in range(len(words) - _SHINGLE + 1):
        for article_id, at in index.get(tuple(words[k : k + _SHINGLE]), ()):
            if outlet_of[article_id] == outlet or (article_id, at - k) in seen:
                continue
            seen.add((article_id, at - k))
            theirs = tokens[article_id]
            lo, hi = 0, _SHINGLE  # extend the shared run both ways from the hit
            while k - lo > 0 and at - lo > 0 and words[k - lo - 1] == theirs[at - lo - 1][2]:
                lo += 1
            while k + hi < len(words) and at + hi < len(theirs) and words[k + hi] == theirs[at + hi][2]:
                hi += 1
            runs.append((at - lo, at + hi, article_id))
    return runs


# ----------------------------------------------------------------------------------------- who speaks


@dataclass(frozen=True, slots=True)
class _Item:
    quote: Quote
    outlet: str
    speaker: frozenset[str]  # keys naming the speaker: surname, entity id; empty when unnamed
    text: str
    words: tuple[str, ...]
    content: tuple[str, ...]  # the words without stop words
    spoken: tuple[str, ...]  # the uncapitalised content words inside quotation marks (or of all the words)


_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "who"})


def _speaker_keys(quote: Quote, entity_of: Mapping[str, str]) -> frozenset[str]:
    """Keys that name a quote's speaker: its surname and its cross-document entity, when named."""
    keys = set()
    if quote.speaker_entity:
        keys.add("entity:" + quote.speaker_entity)
    name = quote.speaker_name
    if name and name.lower() not in _PRONOUNS:
        clean = name.replace("’s", "").replace("'s", "").strip()
        keys.add(clean.split()[-1].lower())
        if clean.casefold() in entity_of:
            keys.add("entity:" + entity_of[clean.casefold()])
    return frozenset(keys)


_MARKED = ("direct", "mixed")


def _continued_speakers(quotes: Sequence[Quote], entity_of: Mapping[str, str],
                        speaker_mentions: Mapping[int, frozenset[str]]) -> dict[int, frozenset[str]]:
    """A direct quote with no person named, in the sentence right after a named speaker's direct quote in
    the same article, goes on with that speaker's words (“… unjustified,” Ms. Ostrova said. “We are making
    efforts …”): it gets that speaker's keys."""
    out: dict[int, frozenset[str]] = {}
    last: dict[str, tuple[int, frozenset[str]]] = {}  # article -> (sentence, keys) of its last named direct quote
    for i, quote in sorted(enumerate(quotes), key=lambda iq: (iq[1].article_id, iq[1].content.start)):
        if quote.kind not in _MARKED:
            continue
        keys = _speaker_keys(quote, entity_of) | speaker_mentions.get(i, frozenset())
        if keys:
            last[quote.article_id] = (quote.sentence, keys)
            continue
        previous = last.get(quote.article_id)
        if previous is not None and 0 <= quote.sentence - previous[0] <= 1:
            out[i] = previous[1]
    return out


def _entity_forms(entities: Sequence[Entity]) -> dict[str, str]:
    """Every name and alias of a cross-document entity, case-folded, to the entity's id."""
    out: dict[str, str] = {}
    for entity in entities:
        out.setdefault(entity.name.casefold(), entity.id)
        for alias in entity.aliases:
            out.setdefault(alias.form.casefold(), entity.id)
    return out


# ----------------------------------------------------------------------------------------- grouping


def group_quotes(
    quotes: Sequence[Quote], articles: Sequence[Article], vectors: np.ndarray | None, *,
    config: QuoteConfig = QuoteConfig(), entities: Sequence[Entity] = (), mentions: Sequence[Mention] = (),
) -> tuple[QuoteGroup, ...]:
    """Groups of quotes from two or more outlets that report the same remark by the same speaker.

    Args:
        quotes: every quote of the story.
        articles: the story's articles (for outlets and texts).
        vectors: unit embeddings of the quotes' contents, one row per quote, or ``None``.
        config: thresholds.
        entities: canonical entities from cross-document resolution (their names and aliases).
        mentions: the story's mentions with their entity ids, for speakers named in the text.
    """
    outlet_of = {a.id: a.outlet for a in articles}
    entity_of = _entity_forms(entities)
    speaker_mentions = _speaker_mention_entities(quotes, mentions)
    keep = [i for i, q in enumerate(quotes) if groupable(q, config)]
    carried = _continued_speakers(quotes, entity_of, speaker_mentions)
    items = []
    for i in keep:
        quote = quotes[i]
        keys = (_speaker_keys(quote, entity_of) | speaker_mentions.get(i, frozenset())) or carried.get(i, frozenset())
        text = _remark_text(quote)
        words = tuple(_norm_words(text))
        content = tuple(w for w in words if w not in STOP_WORDS)
        # the speaker's own words, names left out: two remarks about "Special Agent Strzok" share him
        marked = (_norm_token(w) for w in _WORD.findall(_inside_marks(quote.content.text)) if not w[:1].isupper())
        spoken = tuple(w for w in marked if w not in STOP_WORDS)
        items.append(_Item(quote, outlet_of.get(quote.article_id, "?"), keys, text, words, content,
                           spoken or content))
    if vectors is not None:
        vectors = vectors[keep]
    cosine = vectors @ vectors.T if vectors is not None else None
    edges = _same_remark_pairs(items, cosine, config)
    names = {"entity:" + e.id: e.name for e in entities}
    groups = [_group(items, members, vectors, config, names) for members in _clusters(items, edges, cosine, config)]
    LOGGER.info("%d quote groups from %d quotes", len(groups), len(quotes))
    return tuple(groups)


def _speaker_mention_entities(quotes: Sequence[Quote], mentions: Sequence[Mention]) -> dict[int, frozenset[str]]:
    """Entity ids of the person named inside each named quote's speaker span ("President Lena Ostrova")."""
    by_article: dict[str, list[Mention]] = {}
    for mention in mentions:
        if mention.entity_id and mention.label == "PERSON":
            by_article.setdefault(mention.article_id, []).append(mention)
    out: dict[int, frozenset[str]] = {}
    for i, quote in enumerate(quotes):
        span, name = quote.speaker, quote.speaker_name
        if span is None or not name:
            continue
        surname = name.split()[-1].lower()
        ids = {m.entity_id for m in by_article.get(quote.article_id, ())
               if m.start < span.end and span.start < m.end and surname in m.text.lower()}
        if ids:
            out[i] = frozenset("entity:" + e for e in ids if e)
    return out


@dataclass(frozen=True, slots=True)
class _Edge:
    score: float
    i: int
    j: int


def _same_remark_pairs(items: Sequence[_Item], cosine: np.ndarray | None, config: QuoteConfig) -> list[_Edge]:
    """Every pair (i < j) of quotes from different outlets that report one remark, strongest first."""
    n = len(items)
    if n < 2:
        return []
    inside = _fragments_found(items, config)
    outlets = np.array([item.outlet for item in items])
    near = inside | inside.T
    if cosine is not None:
        near |= cosine >= min(config.same_cosine, config.unnamed_cosine)
    candidates = set(zip(*np.nonzero(np.triu(near, 1)))) | _sharing_a_run(items, config.support_run)
    edges = []
    for i, j in sorted(candidates):
        i, j = int(i), int(j)
        if outlets[i] == outlets[j]:
            continue
        evidence = _Evidence(_longest_run(items[i].words, items[j].words),
                             float(cosine[i, j]) if cosine is not None else None,
                             bool(inside[i, j] or inside[j, i]))
        if _same_remark(items[i], items[j], evidence, config):
            edges.append(_Edge(evidence.run + 10.0 * (evidence.cosine or 0.0) + 5.0 * evidence.fragment, i, j))
    return sorted(edges, key=lambda e: -e.score)


@dataclass(frozen=True, slots=True)
class _Evidence:
    """What two wordings share."""

    run: int  # longest run of the same words in the same order
    cosine: float | None  # meaning, None when no embeddings are given
    fragment: bool  # a partial quote's quoted words found in the other


def _same_remark(a: _Item, b: _Item, evidence: _Evidence, config: QuoteConfig) -> bool:
    """Whether two quotes from different outlets report one remark (see the module's rules)."""
    run = evidence.run
    cos = evidence.cosine if evidence.cosine is not None else -1.0
    if a.speaker and b.speaker and not a.speaker & b.speaker:
        return run >= config.conflict_run and (evidence.cosine is None or cos >= config.conflict_cosine)
    if a.speaker and b.speaker:
        return (run >= config.same_run or evidence.fragment or cos >= config.same_cosine
                # the run of content words only, read last: most pairs never need it
                # of the speaker's words: "social media companies to “let everybody participate”" and
                # "social media giants of “closing down …”" share only the narrator's "social media"
                or (cos >= config.support_cosine and _longest_run(a.spoken, b.spoken) >= config.support_run))
    return run >= config.unnamed_run or evidence.fragment or cos >= config.unnamed_cosine


def _sharing_a_run(items: Sequence[_Item], size: int) -> set[tuple[int, int]]:
    """Pairs (i < j) of wordings that share at least ``size`` content words in a row."""
    holders: dict[tuple[str, ...], list[int]] = {}
    for i, item in enumerate(items):
        for gram in {item.content[k:k + size] for k in range(len(item.content) - size + 1)}:
            holders.setdefault(gram, []).append(i)
    pairs = set()
    for members in holders.values():
        if len(members) > 1:
            pairs.update((a, b) for k, a in enumerate(members) for b in members[k + 1:])
    return pairs


def _longest_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest run of words the two wordings share, in the same order."""
    if not a or not b:
        return 0
    match = difflib.SequenceMatcher(a=a, b=b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return int(match.size)


def _fragments_found(items: Sequence[_Item], config: QuoteConfig) -> np.ndarray:
    """found[i, j]: a partial quote i's quoted words appear nearly verbatim in wording j."""
    n = len(items)
    found = np.zeros((n, n), dtype=bool)
    lowered = [item.text.lower() for item in items]
    holders: dict[str, set[int]] = {}  # word -> the wordings that hold it
    for j, item in enumerate(items):
        for word in item.words:
            holders.setdefault(word, set()).add(j)
    for i, item in enumerate(items):
        # the wording as written: its remark text has lost the closing mark of a quote that ends the wording
        fragments = _fragments(item.quote.content.text, config)
        if not fragments:
            continue
        # Nearly verbatim holds the fragments' longest words: only wordings of other outlets holding one of
        # them are scored (the fuzzy score over every wording of a story cost more than the grouping itself).
        longest = {w for f in fragments for w in sorted(_norm_words(f), key=len)[-2:] if len(w) > 3}
        candidates = set().union(*(holders.get(w, set()) for w in longest)) if longest else range(n)
        others = sorted(j for j in candidates if items[j].outlet != item.outlet)
        if others:
            scores = process.cdist(fragments, [lowered[j] for j in others], scorer=fuzz.partial_ratio,
                                   dtype=np.float32, workers=1, score_cutoff=config.fragment_ratio).max(axis=0)
            found[i, others] = scores >= config.fragment_ratio
    return found


def _fragments(text: str, config: QuoteConfig) -> list[str]:
    """The lower-cased words in quotation marks of a partial quote that are long enough to recognise."""
    if '"' not in text and "“" not in text:
        return []
    out = []
    for match in _FRAGMENT.finditer(text):
        fragment = match.group(1).strip(" ,.;:")
        if len(_norm_words(fragment)) >= config.min_words and len(fragment) < len(text) - 2:
            out.append(fragment.lower())
    return out


_FRAGMENT = re.compile(r"[“\"]([^“”\"]+)[”\"]")


def _clusters(items: Sequence[_Item], edges: Sequence[_Edge], cosine: np.ndarray | None,
              config: QuoteConfig) -> list[list[int]]:
    """Groups of one quote per outlet, joined from the strongest pair down.

    Two groups join only when every pair across them is one remark (so that A~B and B~C do not make A~C
    when A and C are two remarks), and never two quotes from one outlet. A pair left out that way makes a
    group of its own: a long quote can hold two remarks another outlet quotes apart.
    """
    linked = {(e.i, e.j) for e in edges}
    cluster_of: dict[int, int] = {}
    clusters: list[list[int]] = []
    extra: list[list[int]] = []
    for edge in edges:
        ci, cj = cluster_of.get(edge.i), cluster_of.get(edge.j)
        if ci is not None and ci == cj:
            continue
        members_i = clusters[ci] if ci is not None else [edge.i]
        members_j = clusters[cj] if cj is not None else [edge.j]
        clash = bool({items[m].outlet for m in members_i} & {items[m].outlet for m in members_j})
        if not clash:
            clash = not all(_near(items, cosine, linked, x, y, config) for x in members_i for y in members_j)
        if clash:
            if _new_remark(items, cosine, edge.i, members_i, edge.j, members_j):
                extra.append([edge.i, edge.j])
            continue
        merged = members_i + members_j
        target = ci if ci is not None else cj
        if target is None:
            target = len(clusters)
            clusters.append([])
        clusters[target] = merged
        for other in (ci, cj):
            if other is not None and other != target:
                clusters[other] = []
        for m in merged:
            cluster_of[m] = target
    groups = [c for c in clusters if len(c) > 1]
    joined = len(groups)  # groups made by joining; the pairs below may grow these, not one another
    # A quote that holds two remarks is in a group for each; one left out of a group because it was taken
    # joins the group of the remark it shares with a member when it fits there (another outlet, one remark
    # with every member), so that three outlets quoting one sentence make one group, not three pairs.
    for pair in extra:
        placed = False
        for x, y in (pair, pair[::-1]):
            for group in groups[:joined]:
                if x in group and y not in group and items[y].outlet not in {items[m].outlet for m in group} \
                        and all((min(y, m), max(y, m)) in linked for m in group):
                    group.append(y)
                    placed = True
                    break
            if placed:
                break
        if not placed and not any(pair[0] in g and pair[1] in g for g in groups):
            groups.append(list(pair))
    return groups


def _near(items: Sequence[_Item], cosine: np.ndarray | None, linked: set[tuple[int, int]], x: int, y: int,
          config: QuoteConfig) -> bool:
    """Whether two quotes may sit in one group: one remark, or the same speaker and close in meaning."""
    if (min(x, y), max(x, y)) in linked:
        return True
    same_speaker = bool(items[x].speaker & items[y].speaker)
    return same_speaker and cosine is not None and cosine[x, y] >= config.group_cosine


def _new_remark(items: Sequence[_Item], cosine: np.ndarray | None, i: int, members_i: list[int], j: int,
                members_j: list[int]) -> bool:
    """Whether quote j is another remark than those of its outlet already grouped with i, and i than j's."""
    for quote, others in ((j, members_i), (i, members_j)):
        for m in others:
            if items[m].outlet == items[quote].outlet and (
                _longest_run(items[m].words, items[quote].words) >= 3
                or (cosine is not None and cosine[m, quote] >= 0.7)
            ):
                return False
    return True


def _group(items: Sequence[_Item], members: list[int], vectors: np.ndarray | None,
           config: QuoteConfig, names: Mapping[str, str] | None = None) -> QuoteGroup:
    """One remark's wordings; its speaker is named as the story's entity is ("Ana Vale" whether an outlet
    wrote "Ana K. Vale" or "Ms. Vale"), else as the first outlet that names one."""
    chosen = sorted(members)  # the story's order of articles
    wordings = tuple(
        QuoteWording(items[m].outlet, items[m].quote.article_id, items[m].quote.speaker_name,
                     items[m].quote.content)
        for m in chosen
    )
    texts = [items[m].text for m in chosen]
    cosine = float(vectors[chosen[0]] @ vectors[chosen[1]]) if vectors is not None else 0.0
    named = [items[m].speaker for m in chosen if items[m].speaker]
    conflict = any(not a & b for k, a in enumerate(named) for b in named[k + 1:])
    canonical = [names[k] for m in chosen for k in sorted(items[m].speaker) if names and k in names]
    speaker = canonical[0] if canonical and not conflict else next(
        (items[m].quote.speaker_name for m in chosen if items[m].quote.speaker_name), None)
    group_id = "q-" + "-".join(f"{items[m].quote.article_id}:{items[m].quote.content.start}" for m in chosen[:2])
    return QuoteGroup(group_id, speaker, label_wordings(texts, cosine, config),  # type: ignore[arg-type]
                      wordings, word_diff(texts[0], texts[1]), attribution_conflict=conflict)
