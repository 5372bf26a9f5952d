"""Every kind of bad input becomes one clear InputError, and the good inputs beside it still come out."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest

from parallax.errors import InputError
from parallax.ingest import iter_inputs
from parallax.model import Article

GOOD_TEXT = "Officials opened the new bridge on Friday after two years of work.\nTraffic was light.\n"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>
"""
TRUNCATED_FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Ledger</title>
<item><title>One</title><description>Body of the first item, long enough.</description></item>
<item><title>Two</title><descrip"""
DTD_FEED = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://example.invalid/rss.dtd">
<rss version="2.0"><channel><title>Ledger</title></channel></rss>
"""

BOGUS_ENCODING_FEED = b"""<?xml version="1.0" encoding="x-bogus"?>
<rss version="2.0"><channel><title>Ledger</title>
<item><title>One</title><description>Body of the first item, long enough.</description></item>
</channel></rss>
"""


def errors_and_articles(paths: list[Path]) -> tuple[list[InputError], list[Article]]:
    items = list(iter_inputs(paths))
    return [i for i in items if isinstance(i, InputError)], [i for i in items if isinstance(i, Article)]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "looks binary"),
        ("empty.txt", b"", "is empty"),
        ("utf16.txt", "Hello there".encode("utf-16"), "is UTF-16"),
        ("blank.txt", b"  \n\n \t\n", "is empty"),
        (
            "latin1.txt",
            "Caf\u00e9 owners said prices rose.".encode("latin-1"),
            "not valid UTF-8 (byte 0xe9 at offset 3)",
        ),
        ("truncated.xml", TRUNCATED_FEED, "malformed or truncated"),
        ("lol.rss", BILLION_LAUGHS, "entity-expansion"),
        ("lol.xml", BILLION_LAUGHS, "entity-expansion"),
        ("notfeed.xml", b'<?xml version="1.0"?><note><to>x</to></note>', "not an RSS or Atom feed"),
        ("empty.rss", b'<rss version="2.0"><channel><title>T</title></channel></rss>', "no entries"),
        ("dtd.rss", DTD_FEED, "DTD"),
        ("notes.json", b'{"title": "no body here"}', "no 'text'"),
        ("broken.json", b'[{"text": "x"', "not valid JSON"),
        ("page.html", b"<html><body><nav>Home</nav></body></html>", "no article text"),
        ("broken.json.gz", b"\x1f\x8b\x08\x00truncated", "corrupt or truncated"),
    ],
)
def test_bad_input_is_one_error_and_good_file_survives(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    errors, articles = errors_and_articles([tmp_path])
    assert len(errors) == 1
    assert problem in errors[0].problem
    assert errors[0].path.endswith(name)
    assert errors[0].hint
    assert [a.id for a in articles] == ["zz_good"]


# Issue 22, defect 2: each of these stopped the whole ingest with an internal error.
ITEM_CASES = {
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "deep.jsonl": (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "nested too deeply"),
    "surrogate.json": (b'{"text": "Harbour news \\ud800 today."}', "lone surrogate \\ud800 in its text"),
    "surrogate.jsonl": (b'{"text": "Body.", "title": "A \\udfff"}\n', "lone surrogate \\udfff in its title"),
    "bogus.xml": (BOGUS_ENCODING_FEED, "declares an XML encoding that cannot be read ('x-bogus'"),
    "rot13.rss": (BOGUS_ENCODING_FEED.replace(b"x-bogus", b"rot13"), "encoding that cannot be read"),
    "cp932.rss": (BOGUS_ENCODING_FEED.replace(b"x-bogus", b"cp932"), "encoding that cannot be read"),
}


@pytest.mark.parametrize("name", list(ITEM_CASES))
def test_bad_input_item_is_one_error_and_good_items_survive(tmp_path: Path, name: str) -> None:
    content, problem = ITEM_CASES[name]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    errors, articles = errors_and_articles([tmp_path])
    assert len(errors) == 1
    assert problem in errors[0].problem
    assert errors[0].path.startswith(str(tmp_path / name))
    assert errors[0].hint and "\n" not in str(errors[0])
    assert [a.id for a in articles] == ["zz_good"]


def test_bad_input_error_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("na\u00efve".encode("latin-1"))
    (error,) = list(iter_inputs([tmp_path / "latin1.txt"]))
    assert isinstance(error, InputError)
    assert "\n" not in str(error) and "convert" in str(error)


def test_bad_input_oversized_file_is_refused_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.seek(50 * 1024 * 1024 - 1)  # sparse: instant to write, 50 MB by size
        handle.write(b"\n")
    (error,) = list(iter_inputs([big]))
    assert isinstance(error, InputError)
    assert "52,428,800 bytes" in error.problem and "20,000,000" in error.problem


def test_bad_input_oversized_gzip_is_refused_by_uncompressed_size(tmp_path: Path) -> None:
    path = tmp_path / "big.json.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * 5000 + b"]"))
    (error,) = list(iter_inputs([path], max_bytes=1000))
    assert isinstance(error, InputError) and "limit" in error.problem


def test_bad_input_jsonl_broken_line_names_line_and_rest_continue(tmp_path: Path) -> None:
    rows = [
        '{"id": "r1", "outlet": "A", "title": "T1", "text": "First row body."}',
        '{"id": "r2", "outlet": "A", "title": "T2", "text": "Second row bo',
        '{"id": "r3", "outlet": "A", "title": "T3"}',
        '{"id": "r4", "outlet": "A", "title": "T4", "text": "Fourth row body."}',
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    errors, articles = errors_and_articles([path])
    assert [e.path for e in errors] == [f"{path}:2", f"{path}:3"]
    assert [a.id for a in articles] == ["r1", "r4"]


def test_bad_input_truncated_jsonl_gz_keeps_rows_before_the_cut(tmp_path: Path) -> None:
    rows = "".join(f'{{"id": "r{i}", "text": "Row number {i} has a body."}}\n' for i in range(200))
    data = gzip.compress(rows.encode("utf-8"))
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    errors, articles = errors_and_articles([path])
    assert len(errors) == 1 and "truncated" in errors[0].problem
    assert articles and articles[0].id == "r0"


def test_bad_input_broken_symlink_in_directory(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    errors, articles = errors_and_articles([tmp_path])
    assert len(errors) == 1 and "broken symbolic link" in errors[0].problem
    assert len(articles) == 1


def test_bad_input_fifo_in_directory_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    errors, articles = errors_and_articles([tmp_path])
    assert len(errors) == 1 and "not a regular file" in errors[0].problem
    assert len(articles) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_bad_input_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD_TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        errors, _ = errors_and_articles([tmp_path])
    finally:
        locked.chmod(0o644)
    assert len(errors) == 1 and "permission denied" in errors[0].problem


def test_bad_input_missing_path(tmp_path: Path) -> None:
    (error,) = list(iter_inputs([tmp_path / "nope.txt"]))
    assert isinstance(error, InputError) and "does not exist" in error.problem


def test_bad_input_unknown_extension_in_directory_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\x00binary")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "zz_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    items = list(iter_inputs([tmp_path]))
    assert [type(item) for item in items] == [Article]


def test_bad_input_unknown_extension_named_explicitly_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "story.dat"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    (article,) = list(iter_inputs([path]))
    assert isinstance(article, Article) and article.id == "story"


def test_bad_input_billion_laughs_on_stdin_is_refused() -> None:
    import io

    (error,) = list(iter_inputs(["-"], stdin=io.StringIO(BILLION_LAUGHS.decode())))
    assert isinstance(error, InputError) and "entity-expansion" in error.problem


def test_bad_input_huge_number_does_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    rows = '[{"id": "n1", "text": "Body one.", "title": ' + "9" * 5000 + '}, {"id": "n2", "text": "Body two."}]'
    path.write_text(rows, encoding="utf-8")
    errors, articles = errors_and_articles([path])
    assert [a.id for a in articles] == ["n1", "n2"]


def test_bad_input_malformed_url_leaves_the_outlet_unknown(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "u1", "text": "Body.", "url": "http://[::1"}\n', encoding="utf-8")
    (article,) = list(iter_inputs([path]))
    assert isinstance(article, Article) and article.outlet == "unknown"


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>One</p></body><body><p>Two</p>", ["One", "Two"]),
        ("</body><body>Only", ["Only"]),
        ("<html><body>A</body></html><body>B</body>", ["A"]),
    ],
)
def test_bad_input_fragment_with_several_bodies_keeps_its_text(fragment: str, text: list[str]) -> None:
    from parallax.ingest.html import fragment_to_text

    assert fragment_to_text(fragment).split() == text


def test_bad_input_unexpected_error_is_one_item_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a reader costs the file it hit, not the files after it."""
    import parallax.ingest as ingest

    def broken(text: str, *, source: str, stem: str | None = None):  # type: ignore[no-untyped-def]
        raise KeyError("bug")

    monkeypatch.setattr(ingest, "read_txt", broken)
    (tmp_path / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "b.json").write_text('{"id": "b", "text": "Body."}', encoding="utf-8")
    errors, articles = errors_and_articles([tmp_path])
    assert [e.path for e in errors] == [str(tmp_path / "a.txt")]
    assert "unexpected error" in errors[0].problem and "KeyError" in errors[0].problem
    assert [a.id for a in articles] == ["b"]


class _TrackingReader(io.BytesIO):
    """A stream that remembers the most bytes one read handed out."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        line = super().readline(size)
        self.largest = max(self.largest, len(line))
        return line


def test_bad_input_overlong_jsonl_line_is_never_held_whole() -> None:
    """Issue 22, defect 4: a 1 GiB line in a 1 MB .jsonl.gz was read whole (2.2 GB) before its size was checked."""
    from parallax.ingest.jsonl import Overlong, bounded_lines

    handle = _TrackingReader(b'{"text": "one"}\n' + b"x" * 5_000_000 + b"\n" + b'{"text": "two"}\n')
    lines = list(bounded_lines(handle, max_bytes=1_000))
    assert lines == [b'{"text": "one"}\n', Overlong(5_000_001), b'{"text": "two"}\n']
    assert handle.largest <= 1 << 20


def test_bad_input_overlong_line_in_jsonl_gz_is_one_error_and_rows_after_it_are_read(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(gzip.compress(
        b'{"id": "r1", "text": "Row one."}\n{"text": "' + b"x" * 3_000_000 + b'"}\n{"id": "r3", "text": "Row three."}\n'
    ))
    errors, articles = errors_and_articles_limited([path], max_bytes=10_000)
    assert [str(e) for e in errors] == [f"{path}:2: line is 3,000,013 bytes, over the 10,000-byte limit; split it"]
    assert [a.id for a in articles] == ["r1", "r3"]


def errors_and_articles_limited(paths: list[Path], *, max_bytes: int) -> tuple[list[InputError], list[Article]]:
    items = list(iter_inputs(paths, max_bytes=max_bytes))
    return [i for i in items if isinstance(i, InputError)], [i for i in items if isinstance(i, Article)]
