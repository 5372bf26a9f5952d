"""A small hand-made store for the web tests (made-up events and outlets; no test functions here).

Two stories: a flood reported by three outlets (one of which carries hostile markup in its text, title
and quotes), and a one-outlet budget story. Records go in through the store API, as the pipeline would.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parallax.model import (
    AlignedRef,
    Alignment,
    AnalyzedArticle,
    Article,
    Comparison,
    Conflict,
    Entity,
    EntityAlias,
    FramingTerm,
    Mention,
    OutletFraming,
    OutletGap,
    Quote,
    QuoteGroup,
    QuoteWording,
    Relay,
    Removed,
    Sentence,
    SourceCitation,
    Span,
    Story,
)
from parallax.store import Database
from parallax.remarks import word_diff

HOSTILE = (
    "Witnesses said the water rose fast. <script>document.body.dataset.pwned='script'</script> "
    'Photos showed the bridge <img src=x onerror="document.body.dataset.pwned=\'img\'"> underwater. '
    '"It was chaos," said Mayor Ines Calder.'
)
TEXTS = {
    "ledger-1": (
        "Daily Ledger",
        "Port Avel evacuates 40 as river floods",
        "2025-03-03",
        "Officials in Port Avel said on Monday that 40 people were evacuated after the river flooded.\n\n"
        '"We moved everyone before dark," said Mayor Ines Calder. The regional council blamed poor drainage.',
    ),
    "harbor-1": (
        "Harbor Times",
        "River bursts its banks in Port Avel",
        "2025-03-03",
        "Port Avel evacuated 35 residents on Monday as the river burst its banks, officials said.\n\n"
        '"We moved every family before nightfall," Mayor Ines Calder said, according to Avel Radio. '
        "Rescue teams worked through the night.",
    ),
    "hostile-1": ("Night <b>Wire</b>", "Flood <script>alert(1)</script> in Port Avel", "2025-03-04", HOSTILE),
    "ledger-2": (
        "Daily Ledger",
        "Council passes the harbour budget",
        "2025-02-10",
        "The council passed the harbour budget on Tuesday. \"This budget keeps the port open,\" said Ines Calder.",
    ),
}
FLOOD = "story-flood-0001"
BUDGET = "story-budget-0002"


def _sentences(article_id: str, text: str) -> tuple[Sentence, ...]:
    found = []
    for i, m in enumerate(re.finditer(r"[^\s][^.!?]*[.!?]\"?", text)):
        found.append(Sentence(article_id, i, m.start(), m.end(), m.group()))
    return tuple(found)


def _span(text: str, piece: str) -> Span:
    start = text.index(piece)
    return Span(start, start + len(piece), piece)


def _article(article_id: str) -> Article:
    outlet, title, date, text = TEXTS[article_id]
    removed = (Removed("trailer", "Subscribe to our newsletter <script>x()</script>"),) if article_id == "ledger-1" else ()
    return Article(
        id=article_id, outlet=outlet, title=title, text=text, date=date, url=f"https://example.org/{article_id}",
        content_hash=hashlib.sha256(text.encode()).hexdigest(), removed=removed,
    )


def _quote(article_id: str, content: str, cue: str, *, relay: str | None = None) -> Quote:
    text = TEXTS[article_id][3]
    speaker = _span(text, "Mayor Ines Calder" if "Mayor Ines Calder" in text else "Ines Calder")
    relay_rec = Relay(relay, "outlet", _span(text, relay)) if relay else None
    return Quote(
        article_id=article_id, kind="direct", content=_span(text, content), cue=_span(text, cue), speaker=speaker,
        speaker_name="Ines Calder", speaker_role="mayor", relay=relay_rec,
    )


def _analysis(article_id: str) -> AnalyzedArticle:
    article = _article(article_id)
    text = article.text
    sentences = _sentences(article_id, text)
    mentions = []
    for form, label in (("Ines Calder", "PERSON"), ("Port Avel", "GPE")):
        for m in re.finditer(re.escape(form), text):
            sent = next((s.index for s in sentences if s.start <= m.start() < s.end), 0)
            mentions.append(Mention(article_id, m.start(), m.end(), form, label, sent))
    quotes = {
        "ledger-1": (_quote("ledger-1", "We moved everyone before dark,", "said"),),
        "harbor-1": (_quote("harbor-1", "We moved every family before nightfall,", "said", relay="Avel Radio"),),
        "hostile-1": (_quote("hostile-1", "It was chaos,", "said"),),
        "ledger-2": (_quote("ledger-2", "This budget keeps the port open,", "said"),),
    }[article_id]
    sources = ()
    if "officials" in text.lower():
        piece = "Officials" if "Officials" in text else "officials"
        sources = (SourceCitation(article_id, "officials", "official", _span(text, piece)),)
    return AnalyzedArticle(article, sentences, tuple(mentions), quotes, sources)


def _ref(a: AnalyzedArticle, index: int, similarity: float = 0.8) -> AlignedRef:
    s = a.sentences[index]
    return AlignedRef(a.article.id, a.article.outlet, index, s.start, s.end, similarity)


def _flood_comparison(items: dict[str, AnalyzedArticle]) -> Comparison:
    led, har, hos = items["ledger-1"], items["harbor-1"], items["hostile-1"]
    story = Story(FLOOD, TEXTS["ledger-1"][1], ("ledger-1", "harbor-1", "hostile-1"), "2025-03-03", "2025-03-04",
                  (led.article.outlet, har.article.outlet, hos.article.outlet))
    pairs = [(led, 0, har, 0, "shared"), (led, 1, har, 1, "partial")]
    alignments: list[Alignment] = []
    for x, i, y, j, status in pairs:
        for p, pi, q, qj in ((x, i, y, j), (y, j, x, i)):
            s = p.sentences[pi]
            alignments.append(Alignment(p.article.id, p.article.outlet, pi, s.start, s.end, status,
                                        (q.article.outlet,), (_ref(q, qj),)))
    unique = []
    for a, idx in ((led, 2), (har, 2), *((hos, k) for k in range(len(hos.sentences)))):
        s = a.sentences[idx]
        alignments.append(Alignment(a.article.id, a.article.outlet, idx, s.start, s.end, "unique"))
        unique.append(OutletGap(a.article.outlet, a.article.id, idx, s.start, s.end, s.text))
    conflict = Conflict("number", _ref(led, 0), _ref(har, 0), led.sentences[0].text, har.sentences[0].text,
                        "40 people vs 35 residents evacuated", 0.82)
    wordings = tuple(QuoteWording(a.article.outlet, a.article.id, "Ines Calder", a.quotes[0].content)
                     for a in (led, har, hos))
    group = QuoteGroup("qg1", "Ines Calder", "reworded", wordings[:2],
                       word_diff(wordings[0].content.text.split(), wordings[1].content.text.split()))
    entity = Entity("E1", "Ines Calder", "PERSON", (EntityAlias("Mayor Ines Calder", 3, story.outlets),), 3,
                    story.article_ids)
    return Comparison(
        story=story,
        articles=(led.article, har.article, hos.article),
        entities=(entity, Entity("E2", "Port Avel", "GPE", (), 3, story.article_ids)),
        quotes=led.quotes + har.quotes + hos.quotes,
        quote_groups=(group, QuoteGroup("qg2", "Ines Calder", "single", wordings[2:])),
        alignments=tuple(alignments),
        unique=tuple(unique),
        missing=(OutletGap(hos.article.outlet, led.article.id, 0, led.sentences[0].start, led.sentences[0].end,
                           led.sentences[0].text, (led.article.outlet, har.article.outlet)),),
        conflicts=(conflict,),
        sources={led.article.outlet: {"officials": 1}, har.article.outlet: {"officials": 1, "Avel Radio": 1}},
        framing=(OutletFraming(led.article.outlet, (FramingTerm("drainage", 2.1, 1),)),),
        sentences=led.sentences + har.sentences + hos.sentences,
        mentions=led.mentions + har.mentions + hos.mentions,
    )


def _entity_rows(items: list[AnalyzedArticle]) -> list[tuple[str, str, str, str, list[str], int]]:
    rows = []
    for a in items:
        forms = sorted({m.text for m in a.mentions if m.label == "PERSON"})
        if forms:
            rows.append(("ines-calder", "Ines Calder", "PERSON", a.article.id, forms, len(forms)))
        if any(m.text == "Port Avel" for m in a.mentions):
            rows.append(("port-avel", "Port Avel", "GPE", a.article.id, ["Port Avel"], 1))
    return rows


def build_sample_db(path: Path) -> Path:
    """Create the sample store at ``path`` and return it."""
    items = {article_id: _analysis(article_id) for article_id in TEXTS}
    with Database(path) as db:
        db.add_articles([a.article for a in items.values()])
        db.save_analyses(list(items.values()))
        db.assign_stories([("ledger-1", FLOOD), ("harbor-1", FLOOD), ("hostile-1", FLOOD), ("ledger-2", BUDGET)])
        flood = _flood_comparison(items)
        db.save_comparison(flood, entity_rows=_entity_rows([items[i] for i in flood.story.article_ids]))
    return path


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Run ``app`` on uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
