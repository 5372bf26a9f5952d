"""Each resource of docs/records.md is one schema that the CLI's and the web app's output both meet."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_web_data import build_sample_db, live_server

from parallax import api
from parallax.cli import main
from parallax.store import Database
from parallax.web import create_app

RECORDS = Path(__file__).resolve().parents[1] / "docs" / "records.md"
TOKEN = "resource-token"


def _schemas() -> dict[str, Any]:
    text = RECORDS.read_text(encoding="utf-8")
    found = re.findall(r"<!-- schema: (\w+) -->\s*```json\n(.*?)```", text, re.S)
    return {name: json.loads(body) for name, body in found}


_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool, "null": type(None)}


def _errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema`` (the JSON Schema subset docs/records.md uses), field order included."""
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else kinds
        ok = any(isinstance(value, _TYPES[k]) and not (k == "integer" and isinstance(value, bool)) for k in allowed)
        if not ok:
            return [f"{where}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    errors: list[str] = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: {k} missing" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{where}: {k} not in the schema" for k in value if k not in props]
        if props and list(value) != [k for k in props if k in value]:
            errors.append(f"{where}: fields in order {list(value)}, the schema says {list(props)}")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                errors += _errors(item, sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += _errors(item, schema["items"], f"{where}[{i}]")
    return errors


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("resources") / "parallax.db")


def test_resources_every_schema_is_found() -> None:
    assert set(_schemas()) >= {"stories", "job"}


def test_resources_the_checker_catches_order_and_type() -> None:
    schema = _schemas()["stories"]
    assert _errors([{"title": "t", "id": "s"}], schema)  # out of order, fields missing
    assert _errors([{"id": 1}], schema)


def test_resources_stories_cli_and_web_are_one(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", str(store), "stories", "--format", "json", "--limit", "50"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    with live_server(create_app(store)) as base:
        response = httpx.get(base + "/stories.json")
    from_web = response.json()
    with Database(store, readonly=True) as db:
        from_library = api.stories(db)
    assert from_cli and _errors(from_cli, _schemas()["stories"]) == []
    assert from_cli == from_web == from_library
    assert [list(row) for row in from_cli] == [list(row) for row in from_web]  # the same order of fields
    assert response.headers["x-total-count"] == str(len(from_web))


def test_resources_stories_paging_headers(store: Path) -> None:
    with live_server(create_app(store)) as base:
        first = httpx.get(base + "/stories.json?limit=1")
        link = first.headers["link"]
        assert 'rel="next"' in link and 'rel="prev"' not in link
        nxt = httpx.get(base + link[link.index("<") + 1 : link.index(">")]).json()
    assert len(first.json()) == len(nxt) == 1 and first.json()[0]["id"] != nxt[0]["id"]


def test_resources_job_cli_library_and_web(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "jobs.db"
    path.write_bytes(store.read_bytes())
    with Database(path) as db:
        job = db.create_job("ingest", {"added": 0, "errors": 0})
        db.update_job(job.id, counts={"added": 0, "errors": 0}, state="done")
        from_library = api.job(db, job.id)
    with live_server(create_app(path, ingest_token=TOKEN)) as base:
        from_web = httpx.get(f"{base}/api/jobs/{job.id}", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        missing = httpx.get(f"{base}/api/jobs/nope", headers={"Authorization": f"Bearer {TOKEN}"})
    assert _errors(from_web, _schemas()["job"]) == []
    assert from_web == from_library and from_web["state"] == "done"
    assert missing.status_code == 404
