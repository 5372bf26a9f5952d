"""Fuzzing every reader through iter_inputs (issue 22): whatever the bytes, only parallax's own errors come
out, one per bad item, and a good article beside them is still read and stored.

Each test is bounded (examples and sizes) so the file runs in about a minute on two cores. A failure
prints the smallest input hypothesis found; add it to test_ingest_bad_input.py as a named case.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallax.errors import InputError
from parallax.ingest import iter_inputs
from parallax.ingest.reading import UNEXPECTED_PROBLEM
from parallax.model import Article
from parallax.pipeline import ingest_articles
from parallax.store import Database

GOOD = (
    "The harbour authority reopened the northern pier on Tuesday after two years of repairs, officials said."
    " Ferries will keep their summer timetable until the end of September, the operator added.\n"
)
SUFFIXES = (".txt", ".html", ".xml", ".rss", ".atom", ".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz",
            ".txt.gz", ".dat")
# Small, so that "huge" inputs and lines are cheap to make and still cross the limit.
MAX_BYTES = 20_000
# PARALLAX_FUZZ_SCALE=20 runs twenty times the examples, for a longer hunt by hand.
SCALE = int(os.environ.get("PARALLAX_FUZZ_SCALE", "1"))
FUZZ = settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ENCODINGS = ("utf-8", "UTF-16", "utf-32", "latin-1", "cp1252", "shift_jis", "cp932", "utf-7", "rot13", "hex",
             "base64", "idna", "x-bogus", "", "utf-8-sig", "ascii", "koi8-r", "mbcs", "zlib", "punycode")

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=60),
    st.sampled_from(["\ud800", "\udfff", "<p>x</p></body><body>y", "http://[::1", "2025-13-45", "9" * 5000]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "body", "content", "title", "headline", "outlet", "source", "name", "date",
                         "published", "url", "id", "author", "authors", "articles", "story"]) | st.text(max_size=8),
        children, max_size=6),
    max_leaves=20,
)

# Rows shaped like articles, with the odd values where readers look: lone surrogates, controls, markup,
# broken URLs, impossible dates, numbers too long for int().
odd_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "\u2028", "<", "&", "\n"])),
    max_size=80,
)
article_rows = st.fixed_dictionaries(
    {"text": st.one_of(odd_text, odd_text.map(lambda odd: GOOD + odd), json_values)},
    optional={key: st.one_of(json_scalars, odd_text, json_values) for key in
              ("id", "title", "headline", "outlet", "source", "date", "published", "url", "author", "authors")},
)


def _check(bad: dict[str, bytes], *, store: bool = False) -> None:
    """Ingest the bad files beside a good one: only InputErrors and Articles, and the good one is read."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, content in bad.items():
            (folder / name).write_bytes(content)
        (folder / "zzz-good.txt").write_text(GOOD, encoding="utf-8")
        items = list(iter_inputs([folder], max_bytes=MAX_BYTES))
        assert all(isinstance(item, (Article, InputError)) for item in items)
        errors = [item for item in items if isinstance(item, InputError)]
        assert not [e for e in errors if UNEXPECTED_PROBLEM in e.problem], errors
        assert all("\n" not in str(error) for error in errors)
        assert any(isinstance(item, Article) and item.id == "zzz-good" for item in items)
        if store:
            with Database(":memory:") as db:
                report = ingest_articles(db, items)
                assert db.resolve_article_id("zzz-good") is not None
                assert report.added + report.existing + report.duplicates == len(items) - len(errors)


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=3000))
def test_fuzz_random_bytes_in_every_kind(suffix: str, data: bytes) -> None:
    _check({"bad" + suffix: data})


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=3000))
def test_fuzz_random_bytes_gzipped(suffix: str, data: bytes) -> None:
    name = "bad" + (suffix if suffix.endswith(".gz") else suffix + ".gz")
    _check({name: gzip.compress(data)[: max(10, len(data))]})


@FUZZ
@given(value=st.one_of(json_values, article_rows, st.lists(article_rows, max_size=4)), as_lines=st.booleans(),
       ascii_only=st.booleans())
def test_fuzz_json_shapes_are_stored_or_refused(value: object, as_lines: bool, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    if as_lines:
        rows = value if isinstance(value, list) else [value]
        text = "\n".join(json.dumps(row, ensure_ascii=ascii_only) for row in rows)
    try:
        content = text.encode("utf-8")
    except UnicodeEncodeError:  # a raw surrogate cannot even be written as UTF-8: escape it as JSON does
        content = text.encode("utf-8", "surrogatepass")
    _check({"rows.jsonl" if as_lines else "rows.json": content}, store=True)


@settings(max_examples=40 * SCALE, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=60_000),
    shape=st.sampled_from(["[", '{"a":', '{"text": "x", "a":', "<div>", "<item>"]),
    suffix=st.sampled_from([".json", ".jsonl", ".html", ".rss", ".txt"]),
)
def test_fuzz_deep_nesting(depth: int, shape: str, suffix: str) -> None:
    closing = {"[": "]", '{"a":': "}", '{"text": "x", "a":': "}", "<div>": "</div>", "<item>": "</item>"}[shape]
    body = shape * depth + "1" + closing * depth
    if shape == "<item>":
        body = f'<rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    _check({"deep" + suffix: body.encode("utf-8")[: MAX_BYTES * 2]})


@FUZZ
@given(
    encoding=st.sampled_from(ENCODINGS),
    text=st.text(max_size=200),
    write_as=st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-32"]),
    prolog=st.booleans(),
    suffix=st.sampled_from([".xml", ".rss", ".html", ".txt"]),
)
def test_fuzz_declared_and_actual_encodings(encoding: str, text: str, write_as: str, prolog: bool, suffix: str) -> None:
    body = ('<rss version="2.0"><channel><title>T</title><item><title>I</title>'
            f"<description>{text}</description></item></channel></rss>")
    if prolog:
        body = f'<?xml version="1.0" encoding="{encoding}"?>' + body
    if suffix == ".html":
        body = f'<html><head><meta charset="{encoding}"></head><body><p>{text}</p></body></html>'
    _check({"enc" + suffix: body.encode(write_as, "surrogatepass" if write_as.startswith("utf") else "replace")})


@settings(max_examples=25 * SCALE, deadline=None)
@given(
    length=st.integers(min_value=MAX_BYTES - 5, max_value=MAX_BYTES * 50),
    suffix=st.sampled_from([".jsonl", ".jsonl.gz", ".txt", ".json", ".html"]),
    newline=st.booleans(),
)
def test_fuzz_huge_lines(length: int, suffix: str, newline: bool) -> None:
    line = b'{"text": "' + b"word " * (length // 5) + b'"}' + (b"\n" if newline else b"")
    content = b'{"id": "first", "text": "A first row."}\n' + line + b'{"id": "last", "text": "A last row."}\n'
    _check({"huge" + suffix: gzip.compress(content) if suffix.endswith(".gz") else content})
