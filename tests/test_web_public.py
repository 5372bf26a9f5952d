"""What a visitor may see of a stored record: an ingested file's path on the server becomes its base name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parallax.web.public import public_comparison, public_json_bytes, public_source_path


@pytest.mark.parametrize(
    ("path", "shown"),
    [("/srv/news/in/courier.txt", "courier.txt"), ("in/courier.txt", "courier.txt"), ("courier.txt", "courier.txt"),
     ("C:\\news\\in\\courier.txt", "courier.txt"), ("request", "request"), ("<stdin>", "<stdin>"), (None, None)],
)
def test_web_public_source_path_is_the_base_name(path: str | None, shown: str | None) -> None:
    assert public_source_path(path) == shown


def _comparison(path: Any) -> dict[str, Any]:
    text = 'He wrote "source_path": "/etc/secret/x.txt" on the wall, and a \\ too.'
    return {"story": {"id": "s1"}, "articles": [{"id": "a", "text": text, "source_path": path},
                                                {"id": "b", "text": "ok", "source_path": "/srv/in/b.json"}]}


@pytest.mark.parametrize("path", ["/srv/we\"ird dir/naïve é.txt", "C:\\news\\a.txt", None, "/srv/in/a.txt"])
@pytest.mark.parametrize("dumps", [{"ensure_ascii": False}, {}, {"separators": (",", ":")}],
                         ids=["utf8", "ascii", "compact"])
def test_web_public_json_bytes_cuts_paths_as_parsing_would(path: Any, dumps: dict[str, Any]) -> None:
    data = _comparison(path)
    body = json.dumps(data, **dumps).encode()
    cut = json.loads(public_json_bytes(body))
    assert cut == public_comparison(data)
    assert cut["articles"][0]["text"] == data["articles"][0]["text"]  # a path quoted in the text stays
    assert "/srv" not in json.dumps(cut) and "news" not in json.dumps(cut)


def test_web_public_comparison_cuts_an_analysed_articles_path() -> None:
    data = {"article": {"id": "a", "source_path": "/srv/in/a.txt"}, "quotes": []}
    assert public_comparison(data) == {"article": {"id": "a", "source_path": "a.txt"}, "quotes": []}
    assert data["article"]["source_path"] == "/srv/in/a.txt"  # the record given is left as it was
