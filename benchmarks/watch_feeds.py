"""Live coverage under load (issue 25, Targets): a local server publishes N articles over simulated time
across F feeds while `parallax watch` runs as a subprocess.

Usage: python benchmarks/watch_feeds.py [--articles 2000] [--feeds 50] [--minutes 15] [--every 20s]
                                        [--json benchmarks/results/watch_feeds.json]

Simulated time: the articles' publication times are spread evenly over ``--sim-hours`` (default 48) of
outlet time, played back in ``--minutes`` of real time (so 48 h in 15 min is a scale of 192). Each feed
lists its 20 newest published articles. Articles are made up here (events x outlets; each event its
own place, people, organisation, figures and topic words), five outlets per event, so stories form and grow
while the watcher runs.

Measured, polling the store once a second from this process (read-only):
- stored exactly once: every published URL is one article, no URL twice;
- delay: per article, real seconds from its publication to the first moment its story holds it and has a
  comparison no older than that (the story updated); median and 90th percentile;
- the watcher's resident memory (VmRSS) while the first and the last thousand articles are stored.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# Made-up events that differ as real ones do: each event draws its own place, people, organisation, figures
# and topic vocabulary (a seeded generator per event), so that stories form per event, not per template.
_ONSETS = ["b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "r", "s", "st", "t", "tr",
           "v", "w", "z", "ch", "sh", "th", "bl", "pl", "sk"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"]
_CODAS = ["n", "r", "l", "s", "th", "m", "nd", "rk", "st", "ck", "v", "rn", "x", "lt"]
_PLACE_ENDS = ["ford", "by", "holm", "mouth", "wick", "stead", "ton", "vale", "more", "haven", "bridge", "field"]
_FIRST = ["Mara", "Tobin", "Elin", "Osric", "Ludo", "Nessa", "Corin", "Ilse", "Bram", "Juno", "Anouk", "Piet",
          "Soraya", "Dmitri", "Keziah", "Ruaridh", "Yusra", "Lorcan", "Hedda", "Matteo", "Zuri", "Iker", "Freya",
          "Tomasz", "Ama", "Oskar", "Leilani", "Rafe", "Sunniva", "Emeka"]
_ORG_KINDS = ["Water Board", "Transit Authority", "Port Trust", "Health Board", "Teachers Union", "Chamber of Trade",
              "Fire Service", "Housing Agency", "Energy Cooperative", "Farmers Guild"]
# Topic: (what happened, what is counted, the sentences it uses, words an outlet may prefer).
_TOPICS = [
    ("fire", "people were treated for smoke inhalation",
     ["A fire broke out at the {thing} in {place} early on {day}, and crews fought the blaze for {n2} hours.",
      "{n1} {count}, and {n3} homes nearby were evacuated as a precaution.",
      "Investigators from the {org} said the cause of the fire was not yet known."],
     ["blaze", "flames", "firefighters", "smoke"]),
    ("flood", "households were left without drinking water",
     ["Heavy rain flooded low streets of {place} on {day} after the river rose {n2} feet in a night.",
      "{n1} {count}, while the {org} opened {n3} emergency shelters.",
      "Engineers inspected the {thing}, which had been due for repairs since last spring."],
     ["floodwater", "sandbags", "downpour", "levee"]),
    ("strike", "workers walked out",
     ["Staff at the {thing} in {place} began a strike on {day} over pay and shift patterns.",
      "{n1} {count}, the {org} said, and talks are set to resume in {n2} days.",
      "Managers offered a rise of {n3} percent, which union delegates rejected as too small."],
     ["picket", "walkout", "wages", "bargaining"]),
    ("court", "jurors heard evidence",
     ["A court in {place} ruled on {day} that the sale of the {thing} to a private buyer was unlawful.",
      "Over {n2} days, {n1} {count} lodged by the {org}.",
      "The buyer had paid {n3} million for the site and is expected to appeal the verdict."],
     ["judge", "verdict", "appeal", "ruling"]),
    ("election", "votes were cast",
     ["Voters in {place} elected a new mayor on {day} after a campaign dominated by the future of the {thing}.",
      "{n1} {count}, a turnout of {n2} percent, according to the {org}.",
      "The winner promised to publish the {thing} budget within {n3} weeks."],
     ["ballot", "turnout", "campaign", "candidates"]),
    ("collapse", "people were rescued from the rubble",
     ["Part of the {thing} in {place} collapsed on {day}, blocking the main road for {n2} hours.",
      "{n1} {count}, and {n3} were taken to hospital with minor injuries.",
      "Inspectors from the {org} had flagged cracks in the structure two years ago."],
     ["rubble", "rescuers", "structure", "cracks"]),
    ("outbreak", "cases were confirmed",
     ["Health officials in {place} reported an outbreak of stomach illness linked to the {thing} on {day}.",
      "{n1} {count} in {n2} days, the {org} said in a statement.",
      "Samples were sent to a laboratory and {n3} food stalls were closed while tests run."],
     ["illness", "samples", "infection", "hygiene"]),
    ("factory", "jobs will be cut",
     ["The owners of the {thing} in {place} announced on {day} that the site will close within {n2} months.",
      "{n1} {count}, according to the {org}, in a town where few other employers remain.",
      "Regional ministers pledged {n3} million for retraining and local businesses."],
     ["layoffs", "closure", "redundancy", "plant"]),
    ("storm", "trees came down across the district",
     ["A storm with gusts of {n2} miles an hour hit {place} on {day}, tearing part of the roof off the {thing}.",
      "More than {n1} {count}, and power was cut to {n3} homes.",
      "Crews from the {org} worked through the night to clear the roads."],
     ["gusts", "gale", "power lines", "debris"]),
    ("protest", "people joined the march",
     ["Residents of {place} marched on {day} against plans to sell the {thing} to developers.",
      "Organisers said {n1} {count}, while police put the figure at {n2}.",
      "The {org} said it would review the plans and hold {n3} public meetings."],
     ["march", "placards", "demonstrators", "rally"]),
]
_THINGS = ["ferry terminal", "library", "tram depot", "water plant", "harbour wall", "school", "wind farm",
           "bus station", "flood barrier", "market hall", "bridge", "hospital wing", "ice rink", "paper mill",
           "grain store", "town hall", "stadium", "railway yard", "fish market", "clinic"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_SAID = ["said", "told reporters", "said in a statement", "wrote on the agency's website", "told local radio"]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + rng.choice(_CODAS)


def event_facts(event: int) -> dict[str, Any]:
    """The made-up facts of one event, the same for every outlet that reports it."""
    rng = random.Random(event * 7919 + 17)
    topic = _TOPICS[rng.randrange(len(_TOPICS))]
    place = (_word(rng, 1) + rng.choice(_PLACE_ENDS)).capitalize()
    return {
        "topic": topic, "place": place, "thing": rng.choice(_THINGS), "day": rng.choice(_DAYS),
        "org": f"{place} {rng.choice(_ORG_KINDS)}",
        "people": [f"{rng.choice(_FIRST)} {_word(rng, 2).capitalize()}" for _ in range(3)],
        "n1": rng.randrange(12, 4000), "n2": rng.randrange(2, 60), "n3": rng.randrange(3, 300),
        "quote": rng.choice(["We will not leave anyone behind", "This should never have happened",
                             "The town deserves answers", "Every hour counts now", "We warned about this"]),
    }


def article(event: int, outlet: int) -> tuple[str, str]:
    """(title, paragraphs as HTML) of outlet ``outlet``'s article on made-up event ``event``."""
    f = event_facts(event)
    rng = random.Random(event * 31 + outlet)
    name, kind_count, sentences, words = f["topic"]
    fill = {k: f[k] for k in ("place", "thing", "day", "org", "n1", "n2", "n3")} | {"count": kind_count}
    paras = [s.format(**fill) for s in sentences]
    if outlet % 2:  # outlets differ in what they keep and how they open
        paras[0], paras[1] = paras[1], paras[0]
    lead, deputy, critic = f["people"]
    # Each outlet words the attribution its own way: five outlets never publish the same text (an exact
    # copy is stored once, as ingest's de-duplication should, and the benchmark counts every URL).
    paras.append(f"\"{f['quote']},\" {lead} of the {f['org']} {_SAID[outlet % len(_SAID)]}.")
    if outlet % 3 != 2:
        paras.append(f"{critic}, a {rng.choice(words)} campaigner in {f['place']}, called for an independent"
                     f" inquiry into the {f['thing']}.")
    if outlet % 2 == 0:
        paras.append(f"{deputy} said the {f['org']} would report again on {rng.choice(_DAYS)}.")
    title = f"{f['place']} {f['thing']}: {name} ({rng.choice(words)})"
    return title, "".join(f"<p>{p}</p>" for p in paras)


class Schedule:
    """Article k (0..n-1) is published at real time start + k * gap; feed f lists outlet f % 5's articles."""

    def __init__(self, n: int, feeds: int, seconds: float, sim_hours: float) -> None:
        self.n, self.feeds, self.gap = n, feeds, seconds / n
        self.sim_gap = sim_hours * 3600 / n
        self.start = time.time() + 5.0
        self.sim_start = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)

    def feed_of(self, k: int) -> int:
        return k % self.feeds

    def event_outlet(self, k: int) -> tuple[int, int]:
        return k // 5, k % 5

    def published(self, now: float) -> int:
        return max(0, min(self.n, int((now - self.start) / self.gap) + 1)) if now >= self.start else 0

    def real_time(self, k: int) -> float:
        return self.start + k * self.gap

    def sim_time(self, k: int) -> datetime:
        return self.sim_start + timedelta(seconds=k * self.sim_gap)


def make_handler(schedule: Schedule, port_box: list[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = self.path
            if path == "/robots.txt":
                return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            if path.startswith("/feed/"):
                return self._feed(int(path.split("/")[2].split(".")[0]))
            if path.startswith("/a/"):
                k = int(path.split("/")[2].split(".")[0])
                if k >= schedule.published(time.time()):
                    return self._send(404, b"not yet", "text/plain")
                title, body = article(*schedule.event_outlet(k))
                html = (f"<html><head><title>{title}</title><meta property='og:site_name' content='Outlet"
                        f" {schedule.feed_of(k)}'></head><body><article><h1>{title}</h1>{body}</article></body></html>")
                return self._send(200, html.encode(), "text/html; charset=utf-8")
            return self._send(404, b"no", "text/plain")

        def _feed(self, f: int) -> None:
            published = schedule.published(time.time())
            mine = [k for k in range(f, published, schedule.feeds)][-20:]
            items = "".join(
                f"<item><title>{article(*schedule.event_outlet(k))[0]}</title>"
                f"<link>http://127.0.0.1:{port_box[0]}/a/{k}.html</link><guid>a{k}</guid>"
                f"<pubDate>{format_datetime(schedule.sim_time(k))}</pubDate></item>" for k in reversed(mine))
            body = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Outlet {f}</title>"
                    f"<link>http://127.0.0.1/</link><description>bench</description>{items}</channel></rss>")
            etag = f'"{f}-{len(mine) and mine[-1]}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "application/rss+xml", etag=etag)
            self._send(200, body.encode(), "application/rss+xml", etag=etag)

        def _send(self, status: int, body: bytes, ctype: str, *, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return None

    return Handler


WARM_UP = 200  # articles after which the watcher's models are loaded and its caches filled


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="parallax-watch-bench-"))
    db = tmp / "watch.db"
    schedule = Schedule(args.articles, args.feeds, args.minutes * 60, args.sim_hours)
    port_box = [0]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(schedule, port_box))
    port_box[0] = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    cli = [sys.executable, "-m", "parallax.cli", "--db", str(db)]
    from parallax.store import Database
    from parallax.store.feeds import FeedStore
    from parallax.watch import parse_duration

    with Database(db) as store:  # the same call as `parallax feeds add`, without 50 process starts
        for f in range(args.feeds):
            FeedStore(store).add(f"http://127.0.0.1:{port_box[0]}/feed/{f}.xml",
                                 every_s=round(parse_duration(args.every)))
    log = (tmp / "watch.log").open("w")
    watcher = subprocess.Popen([*cli, "-q", "watch", "--host-delay", "0.005s", "--timeout", "10s", "--recheck", "off"],
                               stdout=log, stderr=subprocess.STDOUT)
    schedule.start = time.time() + 5.0  # publication starts as the watcher does (its first cycle loads the models)
    seen: dict[int, float] = {}
    samples: list[tuple[int, int]] = []  # (articles stored, RSS kB)
    deadline = schedule.real_time(args.articles - 1) + args.grace
    try:
        while time.time() < deadline and len(seen) < args.articles:
            time.sleep(1.0)
            now = time.time()
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                    ready = conn.execute(
                        "SELECT a.url FROM story_articles s JOIN articles a ON a.id = s.article_id"
                        " JOIN stories t ON t.id = s.story_id JOIN comparisons c ON c.story_id = s.story_id"
                        " WHERE t.dirty = 0").fetchall()
            except sqlite3.OperationalError:
                continue
            for (url,) in ready:
                k = int(url.rsplit("/", 1)[1].split(".")[0])
                seen.setdefault(k, now)
            kb = rss_kb(watcher.pid)
            if kb is not None:
                samples.append((int(stored), kb))
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(timeout=120)
        except subprocess.TimeoutExpired:
            watcher.kill()
        httpd.shutdown()
    with sqlite3.connect(db) as conn:
        n_articles, n_urls = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        n_stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    delays = sorted(seen[k] - schedule.real_time(k) for k in seen)
    half = args.articles // 2
    first = [kb for stored, kb in samples if 0 < stored <= half]
    last = [kb for stored, kb in samples if stored > half]
    cycles = [line for line in (tmp / "watch.log").read_text().splitlines() if "cycle" in line]
    result = {
        **_provenance(),
        "articles_published": args.articles, "feeds": args.feeds, "real_minutes": args.minutes,
        "simulated_hours": args.sim_hours, "time_scale": round(args.sim_hours * 60 / args.minutes, 1),
        "poll_every": args.every, "stored": n_articles, "distinct_urls": n_urls, "stories": n_stories,
        "stored_exactly_once": n_articles == n_urls == args.articles,
        "updated_in_time": len(seen),
        "delay_s": {"median": round(statistics.median(delays), 1) if delays else None,
                    "p90": round(delays[int(len(delays) * 0.9)], 1) if delays else None,
                    "max": round(delays[-1], 1) if delays else None},
        "rss_mb": {"first_half_median": round(statistics.median(first) / 1024, 1) if first else None,
                   "last_half_median": round(statistics.median(last) / 1024, 1) if last else None,
                   "first_half_max": round(max(first) / 1024, 1) if first else None,
                   "last_half_max": round(max(last) / 1024, 1) if last else None},
        "cycles": len(cycles), "last_cycle": cycles[-1] if cycles else None,
        "cpu": os.cpu_count(),
    }
    if first and last:
        result["rss_change_pct"] = round(100 * (statistics.median(last) / statistics.median(first) - 1), 1)
    # The watcher loads its models with the first articles it analyses, so the first half's samples start
    # below its working size; the same comparison from the 200th article on separates that from growth.
    warm = [kb for stored, kb in samples if WARM_UP < stored <= half]
    if warm and last:
        result["rss_change_after_warm_up_pct"] = round(100 * (statistics.median(last) / statistics.median(warm) - 1), 1)
    # RSS when each further tenth of the articles was stored: flat, or growing with the articles.
    trace: dict[str, float] = {}
    for stored, kb in samples:
        mark = stored * 10 // max(args.articles, 1)
        trace.setdefault(str(mark * args.articles // 10), round(kb / 1024, 1))
    result["rss_mb_by_articles_stored"] = trace
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def _provenance() -> dict[str, Any]:
    """The commit and models the watcher ran on (benchmarks/provenance.py), when it can tell."""
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from provenance import run_info

        return dict(run_info())
    except Exception as exc:  # noqa: BLE001 - a benchmark without provenance still reports its figures
        return {"provenance_error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=15.0, help="real minutes over which articles appear")
    parser.add_argument("--sim-hours", type=float, default=48.0, help="outlet hours those minutes stand for")
    parser.add_argument("--every", default="20s", help="the watcher's poll interval (real time)")
    parser.add_argument("--grace", type=float, default=240.0, help="seconds to wait after the last publication")
    parser.add_argument("--json", default="benchmarks/results/watch_feeds.json")
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
