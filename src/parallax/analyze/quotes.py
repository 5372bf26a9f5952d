"""Quote extraction and attribution: who said what, with which reporting verb, through which channel.

The learned tagger (:mod:`.quote_model`) finds Source, Cue and Content spans; this module links them into
attributions through the parse, adds quotations the tagger left without a frame (a quoted remark that
continues the previous speaker), names the speaker (:mod:`.speakers`) and the relay (:mod:`.relays`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span as SpacySpan, Token

from parallax.model import Quote, QuoteKind, Span

from .quote_features import CLOSE_QUOTES, OPEN_QUOTES, STRAIGHT_QUOTES, Layout, Paragraph, quote_depths
from .quote_bounds import BoundaryModel, Marginals, load_bounds
from .quote_model import RoleSpan, TaggerModel, load_tagger
from .relays import QUOTING_LEMMAS, relay_for
from .speakers import SpeakerIndex

__all__ = ["extract_quotes", "link_attributions", "snap_content", "snap_cue"]

LOGGER = logging.getLogger(__name__)

# A partial quote quotes less than this share of its content's words (calibrated by eye on the seeds;
# PolNeAR does not label quote kinds).
PARTIAL_SHARE = 0.5
# Links further apart than this many tokens are not made: attributions in PolNeAR dev sit well inside it.
MAX_LINK_DISTANCE = 60
# A reporting verb this many tokens from a quotation frames it (", he said" / "he added:").
ADJACENT_FRAME = 5
# "…, a senior official with knowledge of the talks said on Monday.": at most this many words between
# the comma and the cue, and this many after it.
FRAME_SOURCE_WORDS = 10
FRAME_TAIL_WORDS = 4
# "He made the following comment:": at most this many words between a cue and the colon ending its
# paragraph, for the next paragraph to be the content.
COLON_FRAME_WORDS = 3
# Transcript speaker labels ("MR. SMITH:", "WALLACE:") are at most this many upper-case words.
TRANSCRIPT_NAME_TOKENS = 3
# Punctuation that PolNeAR leaves outside a content span when no quotation mark closes it.
TRAILING_PUNCT = frozenset({".", ",", ";", ":"})
DASHES = frozenset({"―", "—", "–", "--"})
ANY_QUOTES = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES
# A signature after a dash ("“…” ― Maria de la Cruz") is at most this many words.
SIGNATURE_NAME_TOKENS = 6
NAME_JOINERS = frozenset({"de", "la", "van", "von", "der", "del", "da", "di", "bin", "al", "-"})
# Frames whose subject is not the speaker ("X seems to …", "X is expected to …"; lemmas).
RAISING_VERBS = frozenset({"seem", "appear"})
PASSIVE_FRAMES = frozenset(
    "expect consider believe say report think mention know rumor see view regard project predict suppose "
    "presume allege estimate".split()
)
# Words a title leaves in lower case ("Meet the Press", "State of the Union").
TITLE_LOWER = frozenset("a an the and or of on in at to for with by from &".split())


@dataclass(frozen=True, slots=True)
class _Attribution:
    content: RoleSpan
    cue: RoleSpan | None
    source: RoleSpan | None


def extract_quotes(
    doc: Doc,
    article_id: str,
    *,
    tagger: TaggerModel | None = None,
    bounds: BoundaryModel | None = None,
    refine: bool = True,
    model_dir: Path | None = None,
) -> list[Quote]:
    """Every attribution in ``doc`` as :class:`Quote` records, in text order.

    Args:
        doc: the article's cleaned text parsed by the full English pipeline.
        article_id: the id written into every record.
        tagger: the attribution tagger (default: the shipped one).
        bounds: the content-edge re-ranker (default: the shipped one).
        refine: False keeps the tagger's content edges (for measuring the re-ranker).
        model_dir: the folder of the quote models (default: ``quotes`` of the installed model package).

    Returns:
        One record per content fragment; the fragments of a quote interrupted by its frame ("“…,” he
        said, “…”") share speaker and cue.

    The quote mode in force (:mod:`parallax.quote_mode`) decides whether a transformer re-reads the
    paragraphs the tagger is unsure of: ``with using_quote_mode("accurate"): extract_quotes(doc, "a1")``.
    """
    if not len(doc):
        return []
    layout, attributions, marginals = link_attributions(doc, tagger or load_tagger(model_dir))
    if refine:
        bounds = bounds or load_bounds(model_dir)
    if refine and bounds is not None:
        attributions = [
            _Attribution(
                bounds.refine(doc, layout, a.content, a.cue, marginals, [s for s in (a.cue, a.source) if s]),
                a.cue and bounds.refine_cue(doc, layout, a.cue, a.content, marginals),
                a.source,
            )
            for a in attributions
        ]
    quoted = frozenset(i for i, depth in enumerate(layout.depth) if depth)
    speakers = SpeakerIndex.build(doc, quoted, layout.sentence, layout.bounds)
    # Speakers resolve in text order so that a pronoun can point back to the previous quote's speaker.
    attributions = [
        _Attribution(_snap_content(doc, layout, a.content), _snap_cue(doc, a.cue), _snap_source(doc, layout, a.source))
        for a in attributions
    ]
    # "X was quoted by TASS as saying …": X spoke, TASS relayed it.
    attributions = _quoted_as_saying(doc, layout, attributions)
    # "X is expected to / seems to …" reports what nobody in the text says: X is part of the content.
    attributions = [b for a in attributions for b in _raised_subject(doc, a)]
    # A speaker inside the words attributed to it is a tagging error ("The holiday is observed as …"
    # with the subject tagged as both): the quote stays, without that speaker (dev: 18 of 19 wrong).
    attributions = [
        _Attribution(a.content, a.cue, None)
        if a.source is not None and a.source.start < a.content.end and a.content.start < a.source.end
        else a
        for a in attributions
    ]
    # A fragment of an interrupted content that is only an unquoted connective ("Yet, according to X,
    # …") says nothing by itself; its frame stays with the other fragment.
    framed = Counter(a.cue for a in attributions if a.cue is not None)
    attributions = [
        a
        for a in attributions
        if not (a.cue is not None and framed[a.cue] > 1 and _only_connectives(doc, layout, a.content))
    ]
    # A quoted title is a name, not somebody's words ("he said on CBS's “Face the Nation.”").
    attributions = [a for a in attributions if not _quoted_title(doc, layout, a.content)]
    ordered = sorted(attributions, key=lambda a: (a.source or a.cue or a.content).start)
    quotes = [_quote(doc, article_id, a, speakers, layout) for a in ordered]
    # Two routes can reach the same record (the tagger's own fragment and a frame rule's): keep the first.
    unique: dict[tuple[Span, Span | None, Span | None], Quote] = {}
    for quote in quotes:
        unique.setdefault((quote.content, quote.cue, quote.speaker), quote)
    return sorted(unique.values(), key=lambda q: (q.content.start, q.content.end))


def link_attributions(doc: Doc, tagger: TaggerModel) -> tuple[Layout, list[_Attribution], Marginals]:
    """Tag ``doc`` and link the spans into attributions, before content edges are refined and snapped."""
    layout = Layout.of(doc)
    tagged, marginals = tagger.tag_with_marginals(doc, layout)
    tagged = [_clip_to_sentence(doc, layout, s) for s in tagged]
    spans = _with_transcripts(doc, layout, tagged)
    attributions = [_complete(doc, a, tagger.cue_rates) for a in _link(doc, spans)]
    attributions = _split_frames(doc, layout, attributions, tagger.cue_rates)
    attributions = _colon_frames(doc, layout, spans, attributions)
    attributions.extend(_interrupting_frames(doc, spans, attributions))
    attributions.extend(_orphan_cues(doc, layout, spans, attributions, tagger.cue_rates))
    attributions.extend(_according_frames(doc, layout, attributions))
    attributions.extend(_continuations(doc, layout, attributions))
    attributions.extend(_quoted_inside(doc, layout, attributions, tagger.cue_rates))
    attributions = [a for a in attributions if _framed(doc, layout, a)]
    return layout, attributions, marginals


def _quoting_verb(doc: Doc, cue: RoleSpan) -> Token | None:
    """The passive "quoted"/"cited" of "X was quoted (by Y) as saying": the cue's root or the head two
    steps above its "saying"."""
    verb = _word_root(doc, cue)
    for _ in range(3):
        if verb.lemma_.lower() in QUOTING_LEMMAS and any(c.dep_ == "nsubjpass" for c in verb.children):
            return verb
        if verb.lower_ not in {"as", "saying"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def _quoted_as_saying(doc: Doc, layout: Layout, found: list[_Attribution]) -> list[_Attribution]:
    """ "X was quoted by TASS as saying …", "X was cited as saying …": the passive subject X is the
    speaker (the tagger tends to take the agent, the medium, which is the relay and is found as such), and
    a fragment that is only X is not a content."""
    out = []
    for a in found:
        verb = _quoting_verb(doc, a.cue) if a.cue is not None else None
        if verb is None:
            out.append(a)
            continue
        start, end = _phrase_range(doc, next(c for c in verb.children if c.dep_ == "nsubjpass"))
        if a.content.start >= start and a.content.end <= end:
            continue
        source = _snap_source(doc, layout, RoleSpan("Source", start, end, a.content.paragraph))
        out.append(_Attribution(a.content, a.cue, source))
    return out


def _raised_subject(doc: Doc, a: _Attribution) -> list[_Attribution]:
    """A cue that is a raising verb ("seems", "appears") or a passive report frame ("is expected",
    "is considered", "was first reported") with nothing after it: its subject is not a speaker but part
    of what is reported ("[The ruling] is expected [to come this month]"). PolNeAR train annotates such
    subjects as a content fragment 315 times and as the source 45 times (mostly where the cue runs on
    into the next verb, "appeared to suggest", which this leaves alone). The subject becomes a content
    fragment of the same cue, with no speaker; an expletive "it" ("it seems") is dropped.

    Any other passive cue ("have been accused of", "was labeled") loses its subject as speaker too: the
    subject is what the words are about, the speaker would be the by-phrase (train: 97 such speakers
    dropped, 16 of them gold). The subject is not made a content fragment there (27 % of those were gold).
    """
    cue, source, content = a.cue, a.source, a.content
    if cue is None or source is None or content.start < cue.end:
        return [a]
    verb = _word_root(doc, cue)
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects:
        return [a]
    subject = subjects[0]
    if not (subject.left_edge.i <= source.start and source.end <= subject.right_edge.i + 1):
        return [a]
    lemma = verb.lemma_.lower()
    trailing = doc[verb.i + 1 : cue.end]
    passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)
    bare = all(t.is_punct for t in trailing)
    if bare and (lemma in RAISING_VERBS or (passive and lemma in PASSIVE_FRAMES)):
        if subject.lower_ == "it" or subject.dep_ == "expl":
            return [_Attribution(content, cue, None)]
        return [
            _Attribution(RoleSpan("Content", source.start, source.end, content.paragraph), cue, None),
            _Attribution(content, cue, None),
        ]
    if (
        subject.dep_ == "nsubjpass"
        and lemma not in QUOTING_LEMMAS
        and all(t.pos_ in {"ADP", "PART"} or t.is_punct for t in trailing)
    ):
        return [_Attribution(content, cue, None)]
    return [a]


def snap_cue(doc: Doc, start: int, end: int, paragraph: int) -> tuple[int, int]:
    """The token edges a cue spanning ``start:end`` ends up with after snapping."""
    snapped = _snap_cue(doc, RoleSpan("Cue", start, end, paragraph))
    assert snapped is not None
    return snapped.start, snapped.end


def snap_content(doc: Doc, layout: Layout, start: int, end: int, paragraph: int) -> tuple[int, int]:
    """The token edges a content spanning ``start:end`` ends up with after snapping to the convention."""
    snapped = _snap_content(doc, layout, RoleSpan("Content", start, end, paragraph))
    return snapped.start, snapped.end


def _with_transcripts(doc: Doc, layout: Layout, spans: list[RoleSpan]) -> list[RoleSpan]:
    """Interview transcripts ("SPEAKER: words ...") are attributions by layout: the capitalised name
    is the source, the colon the cue and the rest of the paragraph the content. These replace whatever
    the tagger found in such a paragraph."""
    found: list[RoleSpan] = []
    lines: set[int] = set()
    for number, paragraph in enumerate(layout.paragraphs):
        signed = _signature_frame(doc, paragraph.tokens)
        if signed is not None:
            content_end, dash, name_start, name_end = signed
            lines.add(number)
            found.append(RoleSpan("Content", paragraph.tokens[0], content_end, number))
            found.append(RoleSpan("Cue", dash, dash + 1, number))
            found.append(RoleSpan("Source", name_start, name_end, number))
            continue
        frame = _transcript_frame(doc, paragraph.tokens)
        if frame is None:
            continue
        name_start, colon = frame
        end = paragraph.tokens[-1] + 1
        while end > colon + 1 and doc[end - 1].text in CLOSE_QUOTES | STRAIGHT_QUOTES:
            end -= 1
        if end <= colon + 1:
            continue
        lines.add(number)
        found.append(RoleSpan("Source", name_start, colon, number))
        found.append(RoleSpan("Cue", colon, colon + 1, number))
        found.append(RoleSpan("Content", colon + 1, end, number))
    return [s for s in spans if s.paragraph not in lines] + found


def _signature_frame(doc: Doc, tokens: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """(content end, dash, name start, name end) when a paragraph is a quotation signed by its speaker
    after a dash: "“…” ― Name" (reader voices, epigraphs). The opening mark may be turned the wrong way
    ("”…” ― Name", a typesetting slip). The name is a few capitalised words or initials; a no-break space
    between dash and name is a token of the doc but not of the paragraph."""
    if len(tokens) < 4 or doc[tokens[0]].text not in ANY_QUOTES:
        return None
    k = len(tokens)  # a paragraph holds no whitespace tokens
    while k and doc[tokens[k - 1]].text == ".":
        k -= 1
    name = k
    while name > 0 and k - name < SIGNATURE_NAME_TOKENS and _name_word(doc[tokens[name - 1]]):
        name -= 1
    if name == k or name < 2 or doc[tokens[name - 1]].text not in DASHES:
        return None
    closing = doc[tokens[name - 2]]
    if closing.text not in CLOSE_QUOTES | STRAIGHT_QUOTES:
        return None
    return closing.i + 1, tokens[name - 1], tokens[name], tokens[k - 1] + 1


def _name_word(token: Token) -> bool:
    text = token.text
    return (text[:1].isupper() and (text.isalpha() or (len(text) == 2 and text[1] == "."))) or text in NAME_JOINERS


def _transcript_frame(doc: Doc, tokens: tuple[int, ...]) -> tuple[int, int] | None:
    """(first name token, colon token) when a paragraph opens with an upper-case name and a colon."""
    k = 0
    while k < len(tokens) and doc[tokens[k]].text in OPEN_QUOTES | STRAIGHT_QUOTES:
        k += 1
    name = k
    while k < len(tokens) and k - name < TRANSCRIPT_NAME_TOKENS and doc[tokens[k]].is_upper:
        if not doc[tokens[k]].is_alpha or len(doc[tokens[k]]) < 2:
            return None
        k += 1
    if k == name or k >= len(tokens) - 1 or doc[tokens[k]].text != ":":
        return None
    return tokens[name], tokens[k]


def _clip_to_sentence(doc: Doc, layout: Layout, span: RoleSpan) -> RoleSpan:
    """Source and cue spans stay inside the sentence of their head word (content may run on)."""
    if span.role == "Content":
        return span
    sent_start, sent_end = layout.sentence_bounds(doc[span.start : span.end].root.i)
    start, end = max(span.start, sent_start), min(span.end, sent_end)
    return RoleSpan(span.role, start, end, span.paragraph) if start < end else span


def _link(doc: Doc, spans: list[RoleSpan]) -> list[_Attribution]:
    """Give every content span its cue and every cue its source, nearest in the same paragraph first."""
    cues = [s for s in spans if s.role == "Cue"]
    sources = [s for s in spans if s.role == "Source"]
    contents = [s for s in spans if s.role == "Content"]
    cue_of = _assign(doc, contents, cues, capacity=2)
    source_of = _assign(doc, cues, sources, capacity=1)
    out = []
    for content in contents:
        cue = cue_of.get(content)
        if cue is None:
            source = source_of.get(content) or _nearest(doc, content, sources)
        else:
            source = source_of.get(cue) or _nearest(doc, cue, sources)
        out.append(_Attribution(content, cue, source))
    return out


def _assign(
    doc: Doc, items: list[RoleSpan], candidates: list[RoleSpan], *, capacity: int
) -> dict[RoleSpan, RoleSpan]:
    """Pair items with candidates cheapest link first, each candidate taking at most ``capacity`` items,
    so that one cue does not take a content that a cue with no other content should have."""
    pairs = sorted(
        (cost, k, j)
        for k, item in enumerate(items)
        for j, cand in enumerate(candidates)
        if (cost := _link_cost(doc, item, cand)) is not None
    )
    load = [0] * len(candidates)
    out: dict[RoleSpan, RoleSpan] = {}
    for _, k, j in pairs:
        if items[k] in out or load[j] >= capacity:
            continue
        out[items[k]] = candidates[j]
        load[j] += 1
    return out


def _link_cost(doc: Doc, anchor: RoleSpan, cand: RoleSpan) -> float | None:
    if cand.paragraph != anchor.paragraph:
        return None
    gap = max(cand.start - anchor.end, anchor.start - cand.end, 0)
    if gap > MAX_LINK_DISTANCE:
        return None
    return gap - (20 if _parse_linked(doc, anchor, cand) else 0)


def _complete(doc: Doc, a: _Attribution, cue_rates: dict[str, str]) -> _Attribution:
    """Fill a missing cue or source from the parse: the reporting verb right beside a quotation, and
    the subject of the cue's clause (or of the clause it hangs on: "X condemned ..., calling it ...")."""
    content = _trim_direct(doc, a.content, cue_rates)
    if content != a.content:
        a = _Attribution(content, None, None)
    cue = a.cue or _adjacent_cue(doc, a.content, cue_rates) or _dash_cue(doc, a.content, a.source)
    source = a.source
    if source is None and cue is not None:
        source = _subject_of(doc, cue)
    return _Attribution(a.content, cue, source)


def _dash_cue(doc: Doc, content: RoleSpan, source: RoleSpan | None) -> RoleSpan | None:
    """A dash alone between a quotation and its speaker is the cue of a signature line
    ("“…” ― Name", "Name — “…”"), as a colon is in a transcript."""
    if source is None:
        return None
    gap = range(content.end, source.start) if content.end <= source.start else range(source.end, content.start)
    words = [i for i in gap if not doc[i].is_space]
    if len(words) == 1 and doc[words[0]].text in DASHES:
        return RoleSpan("Cue", words[0], words[0] + 1, content.paragraph)
    return None


def _orphan_cues(
    doc: Doc, layout: Layout, spans: list[RoleSpan], found: list[_Attribution], cue_rates: dict[str, str]
) -> list[_Attribution]:
    """Cues the tagger found without content: the content is the clause the cue governs, or, for a frame
    that closes a sentence holding attributions of its own, that whole sentence (see :func:`_nesting_frame`)."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    sources = [s for s in spans if s.role == "Source"]
    out = []
    for cue in (s for s in spans if s.role == "Cue" and (s.start, s.end) not in used):
        clause = _governed_clause(doc, cue)
        nested = clause is None or any(i in taken for i in range(*clause))
        if nested:
            clause = _nesting_frame(doc, cue, found, cue_rates)
            if clause is None:
                continue
        content = RoleSpan("Content", clause[0], clause[1], cue.paragraph)
        source = _nearest(doc, cue, sources) or _subject_of(doc, cue)
        out.append(_Attribution(content, cue, source))
        if not nested:
            taken.update(range(*clause))
    return out


def _nesting_frame(
    doc: Doc, cue: RoleSpan, found: list[_Attribution], cue_rates: dict[str, str]
) -> tuple[int, int] | None:
    """ "X told police that …, but the NYPD overruled it, the source added." / "… says Y, according to the
    AP.": a frame closing a sentence whose clause holds whole attributions reports all of it, theirs
    included (PolNeAR nests them so). Only a plain, affirmative, common reporting frame after the last
    comma qualifies: on train this finds 9 such frames, 8 of their cues gold (the content edges are
    harder: the outer content should leave out a leading subordinate clause, which this does not)."""
    clause = _clause_before_frame(doc, cue)
    verb = doc[cue.start : cue.end].root
    if clause is None or cue_rates.get(verb.lemma_.lower()) != "hi":
        return None
    negated = any(t.dep_ == "neg" for t in doc[cue.start : cue.end])
    if negated or any(t.pos_ == "CCONJ" for t in doc[clause[1] : cue.start]):
        return None
    if not all(t.is_punct or t.is_space for t in doc[cue.end : verb.sent.end]):
        return None
    inside = [a for a in found if clause[0] <= a.content.start and a.content.end <= clause[1]]
    whole = all(
        a.cue is not None and a.source is not None and clause[0] <= a.source.start and a.cue.end <= clause[1]
        for a in inside
    )
    crossing = any(a.content.start < clause[1] and clause[0] < a.content.end for a in found if a not in inside)
    return clause if inside and whole and not crossing else None


def _interrupting_frames(doc: Doc, spans: list[RoleSpan], found: list[_Attribution]) -> list[_Attribution]:
    """A tagged cue set into the clause it reports ("The museum, the senator said, honours ...") hangs on
    that clause's verb as parataxis, and the tagger leaves the clause untagged: the content is the clause
    without its frame, one fragment on each side of it (PolNeAR annotates them so: 22 % of dev content
    fragments belong to such interrupted attributions)."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    sources = [s for s in spans if s.role == "Source"]
    out = []
    for cue in (s for s in spans if s.role == "Cue" and (s.start, s.end) not in used):
        verb = doc[cue.start : cue.end].root
        head = verb.head
        if verb.dep_ != "parataxis" or head.pos_ not in {"VERB", "AUX"}:
            continue
        sent = verb.sent
        frame = (verb.left_edge.i, verb.right_edge.i + 1)
        clause = (max(head.left_edge.i, sent.start), min(head.right_edge.i + 1, sent.end))
        pieces = [_trimmed(doc, clause[0], frame[0]), _trimmed(doc, frame[1], clause[1])]
        fragments = [p for p in pieces if p is not None and p[1] - p[0] >= 2]
        if not fragments or any(i in taken for a, b in fragments for i in range(a, b)):
            continue
        source = next((x for x in sources if frame[0] <= x.start and x.end <= frame[1]), None)
        source = source or _subject_of(doc, cue)
        for start, end in fragments:
            out.append(_Attribution(RoleSpan("Content", start, end, cue.paragraph), cue, source))
            taken.update(range(start, end))
    return out


def _split_frames(
    doc: Doc, layout: Layout, found: list[_Attribution], cue_rates: dict[str, str]
) -> list[_Attribution]:
    """A content the tagger ran over its own frame ("the former mayor said the levy is …" tagged
    as one content with no cue or source) is split at the reporting verb: the verb's subject becomes the
    source, the verb (with its auxiliaries) the cue and its complement the content."""
    out = []
    for a in found:
        split = None
        if a.cue is None and a.source is None:
            split = _frame_inside(doc, layout, a.content, cue_rates)
        out.append(split or a)
    return out


def _frame_inside(doc: Doc, layout: Layout, content: RoleSpan, cue_rates: dict[str, str]) -> _Attribution | None:
    """The first "<subject> <reporting verb> <complement>" clause within ``content``, outside quotation marks,
    whose subject opens the content."""
    for token in doc[content.start : content.end]:
        if layout.depth[token.i] or token.pos_ != "VERB" or cue_rates.get(token.lemma_.lower()) != "hi":
            continue
        subject = next((c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        complement = next(
            (c for c in token.children if c.dep_ in {"ccomp", "xcomp", "dobj"} and c.i > token.i), None
        )
        if subject is None or complement is None or subject.left_edge.i > content.start + 1:
            continue
        if complement.right_edge.i >= content.end + 1 or subject.left_edge.i < content.start:
            continue
        cue_start = min([token.i, *(c.i for c in token.children if c.dep_ in {"aux", "neg"} and c.i < token.i)])
        if cue_start <= subject.right_edge.i:
            continue
        return _Attribution(
            RoleSpan("Content", complement.left_edge.i, content.end, content.paragraph),
            RoleSpan("Cue", cue_start, token.i + 1, content.paragraph),
            RoleSpan("Source", subject.left_edge.i, subject.right_edge.i + 1, content.paragraph),
        )
    return None


def _colon_frames(
    doc: Doc, layout: Layout, spans: list[RoleSpan], found: list[_Attribution]
) -> list[_Attribution]:
    """A cue that closes its paragraph with a colon ("He said:", "She made the following comment:")
    frames the whole next paragraph (so does a colon line whose verb the tagger missed, see
    :func:`_untagged_colon_cues`): contents the tagger found there without a cue of their own become
    that one content, with this cue and its source."""
    used = {(a.cue.start, a.cue.end) for a in found if a.cue is not None}
    sources = [s for s in spans if s.role == "Source"]
    out = list(found)
    cues = [s for s in spans if s.role == "Cue" and (s.start, s.end) not in used]
    cues.extend(_untagged_colon_cues(doc, layout, spans))
    for cue in cues:
        tokens = layout.paragraphs[cue.paragraph].tokens
        colon = tokens[-1]
        if doc[colon].text != ":" or colon - cue.end > COLON_FRAME_WORDS:
            continue
        if cue.paragraph + 1 >= len(layout.paragraphs):
            continue
        number = cue.paragraph + 1
        following = layout.paragraphs[number].tokens
        there = [a for a in out if a.content.paragraph == number]
        if any(a.cue is not None for a in there):
            continue
        content = RoleSpan("Content", following[0], following[-1] + 1, number)
        source = _nearest(doc, cue, sources) or _subject_of(doc, cue)
        out = [a for a in out if a.content.paragraph != number] + [_Attribution(content, cue, source)]
    return out


def _untagged_colon_cues(doc: Doc, layout: Layout, spans: list[RoleSpan]) -> list[RoleSpan]:
    """ "Caddell continued:" as a paragraph of its own: the tagger found the speaker but not the verb
    between it and the closing colon. The verb (a few words at most) becomes the cue."""
    tagged = {s.paragraph for s in spans if s.role == "Cue"}
    out = []
    for source in (s for s in spans if s.role == "Source" and s.paragraph not in tagged):
        tokens = layout.paragraphs[source.paragraph].tokens
        colon = tokens[-1]
        words = doc[source.end : colon]
        if doc[colon].text != ":" or not 0 < len(words) <= COLON_FRAME_WORDS or source.end <= tokens[0]:
            continue
        if words[0].pos_ in {"VERB", "AUX"} and all(not t.is_punct for t in words):
            out.append(RoleSpan("Cue", source.end, colon + 1, source.paragraph))
    return out


def _framed(doc: Doc, layout: Layout, a: _Attribution) -> bool:
    """Whether an attribution says who spoke. A content with no source the tagger or the parse could
    find is mostly not an attribution at all (PolNeAR dev: 31 of 177 such contents exact; dropping them
    raised exact content F1 0.553 -> 0.563, cue 0.667 -> 0.670); a quotation is kept, it is somebody's
    words even when the frame is lost."""
    return a.source is not None or _kind(doc, layout, a.content) == "direct"


def _quoted_inside(
    doc: Doc, layout: Layout, found: list[_Attribution], cue_rates: dict[str, str]
) -> list[_Attribution]:
    """Quotations with a speaker of their own inside the content of an "according to" frame.

    "… used by Mr. X, who denounced the “…,” according to the ministry" is one attribution to the
    ministry in PolNeAR's terms (the tagger marks the outer one), but the quoted words are X's, relayed by
    the ministry. When such a quotation hangs below a reporting verb that stands outside the quotation,
    inside the same content, and has its own subject, it becomes an attribution of its own: that subject
    (a relative pronoun resolves to its noun) as source, the verb as cue; the outer attribution stays, and
    the relay is found from the cue's sentence as for any quote. Other frames are left alone: PolNeAR
    marks no nested attributions, and allowing every outer cue cost 0.003 source F1 on dev.
    """
    out = []
    for a in found:
        if a.cue is None or doc[a.cue.start].lower_ != "according":
            continue
        for start, end in _quoted_runs(layout, layout.paragraphs[a.content.paragraph].tokens):
            if start < a.content.start or end > a.content.end or (start, end) == (a.content.start, a.content.end):
                continue
            verb = doc[start:end].root.head
            if not (a.content.start <= verb.i < a.content.end) or layout.depth[verb.i]:
                continue
            if verb.pos_ != "VERB" or cue_rates.get(verb.lemma_.lower()) not in ("hi", "mid"):
                continue
            cue = RoleSpan("Cue", verb.i, verb.i + 1, a.content.paragraph)
            source = _subject_of(doc, cue)
            if source is None or (a.source is not None and source.start < a.source.end and a.source.start < source.end):
                continue
            out.append(_Attribution(RoleSpan("Content", start, end, a.content.paragraph), cue, source))
    return out


def _according_frames(doc: Doc, layout: Layout, found: list[_Attribution]) -> list[_Attribution]:
    """ "<clause>, according to X." / "According to X, <clause>." that the tagger left without a frame:
    "according to" is the cue, X the source and the clause on the other side of the comma the content
    (PolNeAR dev: 36 of 40 "according to" are such cues; the tagger found 13)."""
    cue_tokens = {i for a in found if a.cue is not None for i in range(a.cue.start, a.cue.end)}
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    out = []
    words = layout.arrays.lower
    for i, word in enumerate(words):
        if word != "according" or i + 2 >= len(doc) or words[i + 1] != "to" or i in cue_tokens:
            continue
        token, to = doc[i], doc[i + 1]
        obj = next((c for c in to.children if c.dep_ == "pobj"), doc[token.i + 2])
        source = _trimmed(doc, max(obj.left_edge.i, token.i + 2), obj.right_edge.i + 1)
        if source is None:
            continue
        content = _according_content(doc, layout, token.i, source[1])
        if content is None or any(i in taken for i in range(*content)):
            continue
        paragraph = _paragraph_of(layout, token.i)
        out.append(
            _Attribution(
                RoleSpan("Content", content[0], content[1], paragraph),
                RoleSpan("Cue", token.i, token.i + 2, paragraph),
                RoleSpan("Source", source[0], source[1], paragraph),
            )
        )
        taken.update(range(*content))
    return out


def _is_connective(token: Token) -> bool:
    return token.pos_ in ("CCONJ", "SCONJ") or (token.pos_ == "ADV" and token.dep_ == "advmod")


def _only_connectives(doc: Doc, layout: Layout, content: RoleSpan) -> bool:
    """Whether a content holds nothing but unquoted connectives and punctuation ("Yet", "But,")."""
    return all(
        not layout.depth[i] and (doc[i].is_punct or doc[i].is_space or _is_connective(doc[i]))
        for i in range(content.start, content.end)
    )


def _according_content(doc: Doc, layout: Layout, according: int, source_end: int) -> tuple[int, int] | None:
    """The clause an "according to X" frame attributes: what follows "According to X," at a sentence's
    start (after any connective: "Yet, according to X, …"), else what precedes ", according to X"."""
    sent_start, sent_end = layout.sentence_bounds(according)
    lead = sent_start
    # Opening quotation marks and connectives ("Yet, according to X, …") do not make a clause before it.
    while lead < according and (
        doc[lead].is_space
        or doc[lead].text in OPEN_QUOTES | STRAIGHT_QUOTES
        or doc[lead].is_punct
        or _is_connective(doc[lead])
    ):
        lead += 1
    if lead == according:
        start = source_end + 1 if source_end < sent_end and doc[source_end].text == "," else source_end
        return _trimmed(doc, start, sent_end)
    return _trimmed(doc, lead, according)


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """A token range without edge punctuation or whitespace; None when nothing is left or it crosses
    a line break."""
    while start < end and (doc[start].is_space or doc[start].text in {",", ";", ":", "—", "-"}):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        if doc[end - 1].text in CLOSE_QUOTES | STRAIGHT_QUOTES:
            break
        end -= 1
    if start >= end or "\n" in doc[start:end].text:
        return None
    return start, end


def _paragraph_of(layout: Layout, token: int) -> int:
    for number, paragraph in enumerate(layout.paragraphs):
        if paragraph.tokens and paragraph.tokens[0] <= token <= paragraph.tokens[-1]:
            return number
    return 0


def _governed_clause(doc: Doc, cue: RoleSpan) -> tuple[int, int] | None:
    """Token range of the complement clause (or object) of the cue's head word, punctuation trimmed."""
    root = doc[cue.start : cue.end].root
    for child in root.children:
        if child.dep_ in {"ccomp", "dobj", "xcomp"} and not (cue.start <= child.i < cue.end):
            start, end = child.left_edge.i, child.right_edge.i + 1
            while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
                end -= 1
            if start < end and "\n" not in doc[start:end].text:
                return start, end
    return _clause_before_frame(doc, cue)


def _clause_before_frame(doc: Doc, cue: RoleSpan) -> tuple[int, int] | None:
    """ "<clause>, officials said." : the clause before a frame that closes its sentence."""
    root = doc[cue.start : cue.end].root
    sent = root.sent
    rest = [t for t in doc[cue.end : sent.end] if not (t.is_punct or t.is_space)]
    if len(rest) > FRAME_TAIL_WORDS:
        return None
    k = cue.start - 1
    while k > sent.start and doc[k].text != ",":
        k -= 1
    if k - sent.start < 3 or cue.start - k > FRAME_SOURCE_WORDS + 1:
        return None
    start = sent.start
    while start < k and (doc[start].is_space or doc[start].text in OPEN_QUOTES | STRAIGHT_QUOTES):
        start += 1
    return (start, k) if start < k and "\n" not in doc[start:k].text else None


def _trim_direct(doc: Doc, content: RoleSpan, cue_rates: dict[str, str]) -> RoleSpan:
    """End a content span that opens a quotation at the quotation's close when its frame follows inside
    it (", he said during ..."): the tagger sometimes runs on where the parser merged paragraphs. A tail
    with no reporting verb is the reporter's continuation of a mixed quote ("“…” for criminal
    behavior, she said"), and PolNeAR keeps it in the content (dev: all 9 tails the rule cut before it
    asked for the verb were such continuations)."""
    if doc[content.start].text not in OPEN_QUOTES:
        return content
    depths = quote_depths(doc, Paragraph(tuple(range(content.start, content.end))))
    closes = [k for k, d in enumerate(depths) if d == 2 and k > 0]
    if len(closes) != 1 or closes[0] >= len(depths) - 2:
        return content
    end = content.start + closes[0] + 1
    tail = doc[end : content.end]
    if not any(t.pos_ in {"VERB", "AUX"} and cue_rates.get(t.lemma_.lower()) == "hi" for t in tail):
        return content
    return RoleSpan("Content", content.start, end, content.paragraph)


def _adjacent_cue(doc: Doc, content: RoleSpan, cue_rates: dict[str, str]) -> RoleSpan | None:
    """A frequent reporting verb within a few tokens after (", he said") or before ("he said:") it."""
    after = range(content.end, min(content.end + ADJACENT_FRAME, len(doc)))
    before = range(content.start - 1, max(content.start - ADJACENT_FRAME, 0) - 1, -1)
    for i in (*after, *before):
        token = doc[i]
        if "\n" in token.text:
            return None
        if token.pos_ in {"VERB", "AUX"} and cue_rates.get(token.lemma_.lower()) == "hi":
            return RoleSpan("Cue", i, i + 1, content.paragraph)
    return None


def _phrase_range(doc: Doc, head: Token) -> tuple[int, int]:
    """Token range of the phrase ``head`` heads, without trailing punctuation and whitespace."""
    start, end = head.left_edge.i, head.right_edge.i + 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _subject_of(doc: Doc, cue: RoleSpan) -> RoleSpan | None:
    """The subject phrase of the cue's verb, climbing through participle and coordinate clauses."""
    verb = doc[cue.start : cue.end].root
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects:
            start, end = _phrase_range(doc, subjects[0])
            if start < end and not doc[start:end].text.count("\n"):
                return RoleSpan("Source", start, end, cue.paragraph)
            return None
        if verb.dep_ not in {"advcl", "xcomp", "conj"} or verb.head is verb:
            return None
        verb = verb.head
    return None


def _nearest(doc: Doc, anchor: RoleSpan, candidates: list[RoleSpan]) -> RoleSpan | None:
    """The candidate in the anchor's paragraph that the parse ties to it, else the closest one."""
    best: tuple[float, RoleSpan] | None = None
    for cand in candidates:
        cost = _link_cost(doc, anchor, cand)
        if cost is None:
            continue
        if best is None or cost < best[0]:
            best = (cost, cand)
    return best[1] if best else None


def _parse_linked(doc: Doc, a: RoleSpan, b: RoleSpan) -> bool:
    """Whether the roots of the two spans are near in the parse: one heads the other, directly or through
    one word between ("X said [the videos do not show …], the footage showed": the parser hangs the
    content below "showed" and "showed" below "said"), or they share a head. A coordination arc is not a
    link: in "Trump tweeted [that …] and encouraged [Americans to …]" the parser hangs "encouraged" on the
    first content's verb as its conjunct, but it frames only the second content."""
    root_a, root_b = _word_root(doc, a), _word_root(doc, b)
    siblings = root_a.head == root_b.head and "conj" not in (root_a.dep_, root_b.dep_)
    return root_b in _governors(root_a) or root_a in _governors(root_b) or siblings


def _governors(token: Token) -> list[Token]:
    """The head of ``token`` and the head's head, not climbing through a coordination arc."""
    if token.dep_ == "conj":
        return []
    head = token.head
    return [head] if head.dep_ == "conj" else [head, head.head]


def _word_root(doc: Doc, span: RoleSpan) -> Token:
    """The syntactic root of ``span`` without its edge punctuation (a closing period or quotation mark
    hangs on the sentence's root, and would otherwise be the root of a content that ends on it)."""
    start, end = span.start, span.end
    while end - start > 1 and doc[end - 1].is_punct:
        end -= 1
    while end - start > 1 and doc[start].is_punct:
        start += 1
    return doc[start:end].root


def _continuations(doc: Doc, layout: Layout, found: list[_Attribution]) -> list[_Attribution]:
    """Quoted passages with no frame of their own that follow an attributed quote in the same paragraph.

    News prose often carries on a speaker's words in the next sentence without a new "he said"; the
    speaker and cue are those of the attribution just before.
    """
    taken = {i for a in found for i in range(a.content.start, a.content.end)}
    framed = sorted(found, key=lambda a: a.content.start)
    out = []
    for number, paragraph in enumerate(layout.paragraphs):
        for start, end in _quoted_runs(layout, paragraph.tokens):
            if any(i in taken for i in range(start, end)) or end - start < 3:
                continue
            before = [a for a in framed if a.content.paragraph == number and a.content.end <= start]
            if before and (before[-1].source is not None):
                prev = before[-1]
                out.append(_Attribution(RoleSpan("Content", start, end, number), prev.cue, prev.source))
    return out


def _quoted_runs(layout: Layout, tokens: tuple[int, ...]) -> list[tuple[int, int]]:
    """Token ranges (marks included) of each quotation in a paragraph."""
    depths = [layout.depth[i] for i in tokens]
    runs = []
    start: int | None = None
    for k, depth in enumerate(depths):
        if depth == 2 and start is None:
            start = k
        elif depth == 2 and start is not None:
            runs.append((tokens[start], tokens[k] + 1))
            start = None
    return runs


def _snap_content(doc: Doc, layout: Layout, content: RoleSpan) -> RoleSpan:
    """Move a content span's edges onto PolNeAR's convention, read off train (counts over 27k gold
    contents): a leading complementiser is inside (2,323 begin with "that", 30 follow it), an opening
    quotation mark is inside (4,567 vs 25), and a trailing period, comma, semicolon or colon outside a
    quotation is not (8,460 words before a period vs 424 contents ending on one; commas 3,252 vs 119).
    A parenthesis whose partner lies outside the content is outside too (no train content ends on an
    unmatched ")" or starts on an unmatched "(")."""
    start, end = content.start, content.end

    def surplus(paren: str, other: str) -> bool:
        words = [t.text for t in doc[start:end]]
        return words.count(paren) > words.count(other)

    while end - start > 1 and (
        (doc[end - 1].text in TRAILING_PUNCT and not layout.depth[end - 1])
        or (doc[end - 1].text == ")" and surplus(")", "("))
    ):
        end -= 1
    while end - start > 1 and doc[start].text == "(" and surplus("(", ")"):
        start += 1
    sent_start = layout.sentence_bounds(start)[0]
    before = start - 1
    if (
        before >= sent_start
        and layout.depth[before] == 2
        and doc[before].text in OPEN_QUOTES | STRAIGHT_QUOTES
    ):
        start = before
    elif before >= sent_start and doc[before].lower_ == "that" and doc[before].dep_ == "mark":
        start = before
    end = _to_closing_mark(doc, layout, start, end)
    if (start, end) == (content.start, content.end):
        return content
    return RoleSpan("Content", start, end, content.paragraph)


def _snap_source(doc: Doc, layout: Layout, source: RoleSpan | None) -> RoleSpan | None:
    """A source with its appositive's closing comma, and without the dateline that opens its paragraph
    ("WASHINGTON -- President Obama" → "President Obama"): upper-case place words and a dash are the
    story's origin, not part of who spoke. An acronym inside a paragraph ("… NATO — the alliance —") is
    left alone."""
    if source is None:
        return None
    if source.end < len(doc) and doc[source.end].text == "," and any(t.text == "," for t in doc[source.start : source.end]):
        # An appositive's closing comma belongs to the source ("Ana Ruiz, a spokeswoman for the envoy,"):
        # PolNeAR train ends 864 sources holding an appositive on it and leaves it out 100 times.
        source = RoleSpan("Source", source.start, source.end + 1, source.paragraph)
    if layout.paragraphs[source.paragraph].tokens[0] != source.start:
        return source
    k = source.start
    while k < source.end and doc[k].is_alpha and doc[k].is_upper and len(doc[k]) > 1:
        k += 1
    if k == source.start or k >= source.end - 1 or doc[k].text not in DASHES | {"-"}:
        return source
    return RoleSpan("Source", k + 1, source.end, source.paragraph)


def _snap_cue(doc: Doc, cue: RoleSpan | None) -> RoleSpan | None:
    """A cue holds a colon that follows it (PolNeAR train: 368 cues end on one, 18 are followed by one)
    and starts on a word, not on a possessive ending or punctuation."""
    if cue is None:
        return None
    start, end = cue.start, cue.end
    while end - start > 1 and (doc[start].is_punct or doc[start].tag_ == "POS"):
        start += 1
    if end < len(doc) and doc[end].text == ":" and not doc[end - 1].is_punct:
        end += 1
    return cue if (start, end) == (cue.start, cue.end) else RoleSpan("Cue", start, end, cue.paragraph)


def _to_closing_mark(doc: Doc, layout: Layout, start: int, end: int) -> int:
    """A content that opens a quotation the tagger stopped short of closing runs to the closing mark,
    when the mark is in the same paragraph and nothing quoted stands between."""
    if layout.depth[start] != 2 or doc[start].text not in OPEN_QUOTES | STRAIGHT_QUOTES:
        return end
    if any(layout.depth[i] == 2 for i in range(start + 1, end)):
        return end
    k = end
    while k < len(doc) and layout.depth[k] == 1 and "\n" not in doc[k].text:
        k += 1
    return k + 1 if k < len(doc) and layout.depth[k] == 2 else end


def _quote(doc: Doc, article_id: str, a: _Attribution, speakers: SpeakerIndex, layout: Layout) -> Quote:
    content = doc[a.content.start : a.content.end]
    speaker = doc[a.source.start : a.source.end] if a.source else None
    cue = doc[a.cue.start : a.cue.end] if a.cue else None
    resolved = speakers.resolve(speaker) if speaker is not None else None
    if resolved is not None and speaker is not None:
        speakers.remember(speaker.start, resolved)
    return Quote(
        article_id=article_id,
        kind=_kind(doc, layout, a.content),
        content=_span(content),
        cue=_span(cue) if cue is not None else None,
        speaker=_span(speaker) if speaker is not None else None,
        speaker_name=resolved.name if resolved else None,
        speaker_role=resolved.role if resolved else None,
        relay=relay_for(doc, content, cue, _sentence(doc, layout, (cue or content).root.i)),
        sentence=layout.sentence[a.content.start],
    )


def _span(span: SpacySpan) -> Span:
    """The character span of ``span`` without whitespace at its edges (a no-break space is a token)."""
    text = span.text
    stripped = text.strip()
    if not stripped:
        return Span(span.start_char, span.end_char, text)
    start = span.start_char + text.index(stripped)
    return Span(start, start + len(stripped), stripped)


def _sentence(doc: Doc, layout: Layout, token: int) -> SpacySpan:
    start, end = layout.sentence_bounds(token)
    return doc[start:end]


def _quoted_title(doc: Doc, layout: Layout, content: RoleSpan) -> bool:
    """A short quotation in title case after a preposition, a name or a possessive: a programme, book or
    slogan named in the frame, not a content (PolNeAR train: 54 such predictions, 6 of them gold)."""
    words = [t for t in doc[content.start : content.end] if not (t.is_punct or t.is_space)]
    if not words or len(words) > 6 or _kind(doc, layout, content) != "direct":
        return False
    if not all(t.text[:1].isupper() or t.lower_ in TITLE_LOWER or not t.is_alpha for t in words):
        return False
    k = content.start - 1
    while k >= 0 and (doc[k].is_space or doc[k].text in ANY_QUOTES):
        k -= 1
    return k >= 0 and (doc[k].pos_ in {"ADP", "PROPN"} or doc[k].tag_ == "POS")


def _kind(doc: Doc, layout: Layout, content: RoleSpan) -> QuoteKind:
    """Direct when quotation marks enclose the content, partial or mixed when they enclose part of it."""
    depths = layout.depth[content.start : content.end]
    words = [d for i, d in zip(range(content.start, content.end), depths) if not doc[i].is_punct]
    if not any(words):
        return "indirect"
    share = sum(d == 1 for d in words) / len(words)
    if share >= 0.95:
        return "direct"
    return "partial" if share < PARTIAL_SHARE else "mixed"
