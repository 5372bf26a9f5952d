"""The ``parallax`` command: parse arguments, call one library function, print the result.

Exit codes (also in docs/cli.md):
  0  success
  1  finished, but some inputs could not be read (each was reported on its own line)
  2  usage error (bad arguments)
  3  configuration error
  4  the database cannot be opened or migrated, or (stories, show, report, export, serve) does not exist
  5  the story, article or entity named does not exist, or a prefix names several
  70 internal error (a bug: please report it with the -vv log)
  130 interrupted
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from parallax import __version__
from parallax.errors import ConfigError, InputError, ParallaxError
from parallax.cli_watch import add_parsers as add_watch_parsers
from parallax.quote_mode import QUOTE_MODES, flag_mode

LOGGER = logging.getLogger("parallax")

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130
EVAL_KINDS = ("quotes", "stories", "claims", "basil", "compare", "pairs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parallax",
        description="Compare how different outlets tell the same news story.",
        epilog="The database is parallax.db unless --db or $PARALLAX_DB names another.",
    )
    parser.add_argument("--db", metavar="PATH", help="SQLite database file (default: $PARALLAX_DB or parallax.db)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-v info, -vv debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--quote-mode", choices=QUOTE_MODES,
                        help="fast: the BiLSTM quote tagger alone; default: a transformer also re-reads the"
                             " paragraphs the tagger is most unsure of (better quote boundaries, a quote stage about"
                             " twice as slow as fast); accurate: it re-reads every paragraph the tagger is at all"
                             " unsure of (about 2.3 times) (default: $PARALLAX_QUOTE_MODE, else default)")
    parser.add_argument("--accurate-quotes", action="store_true", help="the same as --quote-mode accurate")
    parser.add_argument("--version", action="version", version=f"parallax {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("ingest", help="read articles (txt, html, rss/atom, json/jsonl[.gz], dirs, - for stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--analyze", action="store_true", help="also analyze, cluster and compare afterwards")
    p.add_argument("--max-bytes", type=int, default=20_000_000, metavar="N", help="skip files larger than N bytes")
    p.add_argument("--outlet", metavar="NAME",
                   help="credit every article read to this outlet, over what the inputs say (without it a text"
                        " file may name its outlet on its first or last line: 'Outlet: NAME' or 'Source: NAME')")
    p.add_argument("--outlet-aliases", metavar="FILE",
                   help="TOML file of more outlet spellings, [aliases] \"Fox News\" = [\"Fox Online News\"], added"
                        " to the built-in ones (default: $PARALLAX_OUTLET_ALIASES)")
    p.add_argument("--keep-short", action="store_true",
                   help="keep very short articles (teasers, stubs: under 20 words), which are otherwise skipped"
                        " with a warning")

    p = sub.add_parser("analyze", help="analyze new articles, group them into stories, compare changed stories")
    p.add_argument("--processes", type=int, default=1, metavar="N", help="worker processes for parsing and for comparing stories (default 1)")
    p.add_argument("--no-compare", action="store_true", help="stop after clustering")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="what runs the per-article and per-story tasks: this machine's processes (local) or"
                        " dask.distributed workers (dask; docs/scale.md)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask: a running scheduler, tcp://HOST:8786 (default: a local cluster)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="dask without --scheduler: local worker processes (default: one per core)")

    p = sub.add_parser("stories", help="list stories (json: newest day first, then broadest, as GET /stories.json)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--limit", type=int, default=None, help="at most N stories (json: 1-200; default: all)")
    p.add_argument("--offset", type=int, default=0, help="json: skip the first N stories")
    p.add_argument("--outlet", help="json: only stories with an article of this outlet")
    p.add_argument("--entity", metavar="KEY", help="json: only stories that mention this entity key")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="json: only stories still reported on DATE or later")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="json: only stories reported on DATE or earlier")
    p.add_argument("--query", dest="q", metavar="WORDS", help="json: only stories whose articles hold these words")

    p = sub.add_parser("show", help="a readable terminal summary of one story")
    p.add_argument("story", metavar="STORY", help="story id (a unique prefix is enough)")

    p = sub.add_parser("report", help="write a story's comparison report")
    p.add_argument("story", metavar="STORY")
    p.add_argument("--format", choices=("json", "md", "html"), default="html")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")

    p = sub.add_parser("compare", help="one shot: ingest PATHs into a temporary store, analyze, write the report")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=("json", "md", "html"), default="md")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    p.add_argument("--max-bytes", type=int, default=20_000_000, metavar="N", help="skip files larger than N bytes")

    p = sub.add_parser("export", help="every article with its analysis and story (one row per article), or"
                                      " every finding of the compared stories (one row per finding)")
    p.add_argument("--what", choices=("articles", "findings"), default="articles",
                   help="articles: one row per article with its analysis (nested fields as JSON in CSV);"
                        " findings: one row per finding of every compared story: shared, partial, only-in,"
                        " missing, conflict, quote variant, source, with outlet, article, offsets, sentence,"
                        " counterpart and score (default: articles)")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                   help="jsonl, or csv (findings: UTF-8 with a byte-order mark, for spreadsheets) (default: jsonl)")
    p.add_argument("-o", "--output", metavar="FILE", required=True)

    p = sub.add_parser("serve", help="web app and REST API over the store")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (NAME for any port, NAME:PORT for one; repeat"
                        " for more); answered without it: localhost, 127.0.0.1, [::1] and the --host address"
                        " unless it is 0.0.0.0 or ::; any other name gets 400")
    token = p.add_mutually_exclusive_group()
    token.add_argument("--token-file", metavar="FILE",
                       help="enables ingest over HTTP with the token in FILE (first line); every write must carry"
                            " it (default: $PARALLAX_TOKEN; neither = no writes)")
    token.add_argument("--token", default=None,
                       help="the token itself; other users of this machine can read it in the process list, so"
                            " prefer --token-file or $PARALLAX_TOKEN")
    p.add_argument("--workers", type=int, default=None,
                   help="server processes (default: two per CPU, at most 8)")

    add_watch_parsers(sub)

    p = sub.add_parser("eval", help="quality evaluations on the shared datasets")
    p.add_argument("kind", choices=EVAL_KINDS)
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of that evaluation (see parallax eval KIND -h)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    _configure_logging(args.verbose)
    try:
        args.settings = _settings(args)  # built once here and passed down; library code reads no environment
        return int(COMMANDS[args.command](args))
    except ParallaxError as exc:
        _fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _fail("interrupted; everything committed so far is kept, run the same command again to finish")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the one boundary where a bug becomes a message, not a traceback
        LOGGER.debug("internal error", exc_info=True)
        _fail(f"internal error: {type(exc).__name__}: {exc} (run with -vv for details and report it)")
        return EXIT_INTERNAL


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbosity < 2:
        for noisy in ("trafilatura", "htmldate", "courlan", "urllib3", "onnxruntime"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _fail(message: str) -> None:
    print(f"parallax: error: {message}", file=sys.stderr)


def _warn_input(error: InputError) -> None:
    print(f"parallax: skipped {error}", file=sys.stderr)


def _settings(args: argparse.Namespace) -> Any:
    """The run's settings: these arguments, else the environment ($PARALLAX_DB, ...), else the defaults."""
    from parallax.settings import Settings

    return Settings.load(
        db_path=args.db,
        quote_mode=flag_mode(args.quote_mode, args.accurate_quotes),
        ingest_token=_ingest_token(args) if args.command == "serve" else None,
        outlet_aliases=getattr(args, "outlet_aliases", None),
    )


def _open_db(args: argparse.Namespace, *, existing: bool = False) -> Any:
    """The store named by --db, $PARALLAX_DB or the default; ``existing``: refuse to create it (read commands)."""
    from parallax import api

    return api.open_store(args.settings, existing=existing)


# -- commands --------------------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from parallax import api
    from parallax.pipeline import ingest_paths
    from parallax.terminal import progress_bars

    options = _ingest_options(args)
    with _open_db(args) as db, progress_bars(enabled=not args.quiet) as progress:
        report = ingest_paths(
            db, args.paths, stdin=sys.stdin, max_bytes=args.max_bytes, on_progress=progress, on_error=_warn_input,
            options=options,
        )
        if args.analyze:
            api.analyze(db, args.settings, on_progress=progress)
    print(
        f"ingested {report.added} new article(s) into {db.path}; {report.existing} already stored,"
        f" {report.duplicates} exact duplicate(s), {report.near_duplicates} near-duplicate(s),"
        f" {len(report.errors)} input(s) skipped{_passed_over(report.passed_over, args.verbose)}"
    )
    return EXIT_INPUT if report.errors else EXIT_OK


def _ingest_options(args: argparse.Namespace) -> Any:
    from parallax.ingest import SHORT_ARTICLE_WORDS, IngestOptions, OutletNames

    aliases = args.settings.outlet_aliases
    names = OutletNames.from_file(aliases) if aliases else OutletNames()
    return IngestOptions(outlet=args.outlet, outlet_names=names,
                         min_words=0 if args.keep_short else SHORT_ARTICLE_WORDS)


def _passed_over(paths: Sequence[Path], verbose: int) -> str:
    """", 3 file(s) of other kinds passed over (.pdf 2, .md 1)" for the summary, or nothing."""
    if not paths:
        return ""
    from collections import Counter

    kinds = Counter(path.suffix.lower() or "(no suffix)" for path in paths)
    listed = ", ".join(f"{suffix} {count}" for suffix, count in kinds.most_common())
    more = "" if verbose else "; -v lists them"
    return f", {len(paths)} file(s) of other kinds passed over ({listed}{more})"


def cmd_analyze(args: argparse.Namespace) -> int:
    from parallax import api
    from parallax.terminal import progress_bars

    with _open_db(args) as db, _engine(args) as engine, progress_bars(enabled=not args.quiet) as progress:
        report = api.analyze(db, args.settings, n_process=args.processes, on_progress=progress,
                             compare=not args.no_compare, engine=engine)
    print(
        f"analyzed {report.analyzed} article(s), placed {report.clustered} in stories,"
        f" compared {report.compared} changed stories; {report.stories} stories in {db.path}"
    )
    return EXIT_OK


def _engine(args: argparse.Namespace) -> contextlib.AbstractContextManager[Any]:
    """The dask engine the analyze command asked for, or nothing (the local processes of --processes)."""
    if args.engine == "local":
        if args.scheduler or args.workers:
            raise ConfigError("--scheduler and --workers go with --engine dask")
        return contextlib.nullcontext(None)
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}")
    from parallax.engine import make_engine

    try:
        return make_engine("dask", workers=args.workers, scheduler=args.scheduler,
                           embed_threads=args.settings.embed_threads, quote_mode=args.settings.quote_mode)
    except ImportError as error:
        raise ConfigError(f"--engine dask needs dask.distributed ({error}); pip install 'distributed'") from None
    except (OSError, TimeoutError) as error:
        raise ConfigError(f"cannot reach the dask scheduler {args.scheduler}: {error}; start it with"
                          " `dask scheduler` or leave out --scheduler for a local cluster") from None


def cmd_stories(args: argparse.Namespace) -> int:
    from parallax import api
    from parallax.model import StoryFilters
    from parallax.terminal import print_stories

    with _open_db(args, existing=True) as db:
        if args.format == "json":  # the "stories" resource, as GET /stories.json sends it (docs/records.md)
            filters = StoryFilters(outlet=args.outlet, entity=args.entity, q=args.q,
                                   date_from=api.parse_date(args.date_from, name="--from"),
                                   date_to=api.parse_date(args.date_to, name="--to"))
            data = api.stories(db, filters, limit=args.limit, offset=args.offset)
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            print_stories(db.stories(limit=args.limit))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from parallax import api
    from parallax.terminal import print_comparison

    with _open_db(args, existing=True) as db:
        comparison = api.comparison(db, args.story)  # as the story page: a read never computes
        compared = api.is_compared(db, comparison.story.id)
    print_comparison(comparison)
    if not compared:
        print(f"\n{api.NOT_COMPARED}")
    return EXIT_OK


def _comparison(db: Any, story_id: str) -> Any:
    from parallax.pipeline import compare_stored_story

    comparison = db.comparison(story_id)
    return comparison if comparison is not None else compare_stored_story(db, story_id, save=True)


def cmd_report(args: argparse.Namespace) -> int:
    from parallax.report import render

    with _open_db(args, existing=True) as db:
        text = render(_comparison(db, args.story), args.format)
    _write_output(text, args.output)
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from parallax import api
    from parallax.pipeline import ingest_paths
    from parallax.store import Database
    from parallax.terminal import progress_bars

    with tempfile.TemporaryDirectory(prefix="parallax-") as tmp:
        with Database(Path(tmp) / "compare.db") as db, progress_bars(enabled=not args.quiet) as progress:
            report = ingest_paths(
            db, args.paths, stdin=sys.stdin, max_bytes=args.max_bytes, on_progress=progress, on_error=_warn_input
        )
            api.analyze(db, args.settings, on_progress=progress)
            comparisons = [_comparison(db, story.id) for story in db.stories()]
    if not comparisons:
        _fail("no article could be read from the inputs given")
        return EXIT_INPUT
    _write_output(_render_many(comparisons, args.format), args.output)
    return EXIT_INPUT if report.errors else EXIT_OK


def _render_many(comparisons: Sequence[Any], fmt: str) -> str:
    """One story: its report. Several: a JSON object {"stories": [...]}, Markdown briefs one after another,
    or the HTML page of the broadest story (the others are named on stderr)."""
    from parallax.report import render

    if len(comparisons) == 1:
        return str(render(comparisons[0], fmt))
    if fmt == "json":
        return json.dumps({"stories": [json.loads(render(c, "json")) for c in comparisons]}, ensure_ascii=False, indent=2)
    if fmt == "md":
        return "\n\n---\n\n".join(render(c, "md") for c in comparisons)
    others = ", ".join(f"{c.story.id} ({c.story.title})" for c in comparisons[1:])
    print(f"parallax: the HTML report shows the broadest story; other stories: {others}", file=sys.stderr)
    return str(render(comparisons[0], "html"))


def cmd_export(args: argparse.Namespace) -> int:
    from parallax.export import export
    from parallax.terminal import progress_bars

    with _open_db(args, existing=True) as db, progress_bars(enabled=not args.quiet) as progress:
        count = export(db, args.output, what=args.what, fmt=args.format, on_progress=progress)
    noun = "article(s)" if args.what == "articles" else "finding(s)"
    print(f"exported {count} {noun} to {args.output}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from parallax.terminal import progress_bars
    from parallax.web.server import default_workers, prepare_store, serve

    _open_db(args, existing=True).close()
    # A store from an older version lacks story-page pieces and compressed comparisons: once, before serving.
    with progress_bars(enabled=not args.quiet) as progress:
        prepare_store(args.settings, on_progress=progress)
    workers = args.workers if args.workers is not None else default_workers()
    if workers < 1:
        raise InputError("--workers", f"must be at least 1, got {workers}", "give a positive number")
    serve(args.settings, host=args.host, port=args.port, workers=workers, allowed_hosts=args.allowed_host)
    return EXIT_OK


def _ingest_token(args: argparse.Namespace) -> str | None:
    """--token, else the first line of --token-file, else $PARALLAX_TOKEN; None leaves ingest off."""
    if args.token:
        return str(args.token)
    if args.token_file is None:
        return None  # Settings.load falls back to $PARALLAX_TOKEN
    try:
        lines = Path(args.token_file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(f"--token-file {args.token_file}: cannot read it ({reason}); give a readable UTF-8"
                          " file whose first line is the token") from None
    token = lines[0].strip() if lines else ""
    if not token:
        raise ConfigError(f"--token-file {args.token_file}: the first line is empty; write the token there")
    return token


def cmd_feeds(args: argparse.Namespace) -> int:
    from parallax.cli_watch import cmd_feeds as feeds

    with _open_db(args, existing=args.feeds_command == "list") as db:
        return int(feeds(args, db))


def cmd_watch(args: argparse.Namespace) -> int:
    from parallax.cli_watch import cmd_watch as watch

    with _open_db(args, existing=True) as db:
        return int(watch(args, db, quiet=args.quiet))


def cmd_eval(args: argparse.Namespace) -> int:
    import importlib

    module = importlib.import_module(f"parallax.eval.{args.kind}")
    return int(module.cli(list(args.args)))


def _write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


COMMANDS = {
    "ingest": cmd_ingest,
    "analyze": cmd_analyze,
    "stories": cmd_stories,
    "show": cmd_show,
    "report": cmd_report,
    "compare": cmd_compare,
    "export": cmd_export,
    "serve": cmd_serve,
    "feeds": cmd_feeds,
    "watch": cmd_watch,
    "eval": cmd_eval,
}


if __name__ == "__main__":
    sys.exit(main())
