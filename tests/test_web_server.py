"""The web app on a real uvicorn server on a loopback port, driven over HTTP with httpx."""

from __future__ import annotations

import gc
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_web_data import FLOOD, build_sample_db, live_server

from parallax.web import create_app

TOKEN = "live-token"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_sample_db(tmp_path_factory.mktemp("live") / "parallax.db")
    with live_server(create_app(db, ingest_token=TOKEN, max_upload_bytes=2000)) as url:
        yield url


def test_web_server_binds_loopback(base_url: str) -> None:
    assert base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("path", ["/stories.json", f"/stories/{FLOOD}.json", "/quotes.json?q=moved",
                                  "/entities/ines-calder.json", "/articles/ledger-1.json"])
def test_web_server_serves_json_twins(base_url: str, path: str) -> None:
    r = httpx.get(base_url + path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"


def test_web_server_html_has_csp(base_url: str) -> None:
    r = httpx.get(base_url + f"/stories/{FLOOD}")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "server" not in r.headers


def test_web_server_static_assets(base_url: str) -> None:
    js = httpx.get(base_url + "/static/app.js")
    css = httpx.get(base_url + "/static/style.css")
    assert js.status_code == css.status_code == 200
    assert "javascript" in js.headers["content-type"] and "text/css" in css.headers["content-type"]


def test_web_server_error_json(base_url: str) -> None:
    r = httpx.get(base_url + "/stories/nothing-here.json")
    assert r.status_code == 404
    assert r.json() == {"error": {"status": 404, "message": r.json()["error"]["message"]}}


def test_web_server_ingest_auth_and_limit(base_url: str) -> None:
    article = {"id": "live-1", "outlet": "Live Outlet", "title": "Live", "text": "A live made-up report."}
    assert httpx.post(base_url + "/api/ingest", json=article).status_code == 401
    too_big = httpx.post(base_url + "/api/ingest", content=b"[" + b" " * 3000 + b"]",
                         headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    assert too_big.status_code == 413
    ok = httpx.post(base_url + "/api/ingest?analyze=0", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201
    assert httpx.get(base_url + "/articles/live-1.json").json()["article"]["title"] == "Live"


@pytest.fixture(scope="module")
def roomy_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server that takes bodies big enough to hold hostile JSON (100,000 brackets)."""
    db = build_sample_db(tmp_path_factory.mktemp("roomy") / "parallax.db")
    with live_server(create_app(db, ingest_token=TOKEN, max_upload_bytes=1_000_000)) as url:
        yield url


def _post_json(url: str, body: bytes) -> httpx.Response:
    return httpx.post(url + "/api/ingest?analyze=0", content=body, timeout=60,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})


def _row(article_id: str, **fields: str) -> str:
    text = f"A made-up report numbered {article_id} from Port Avel, where the ferry ran late again on Friday."
    return json.dumps({"id": article_id, "outlet": "Live Outlet", "title": "Ferry", "text": text, **fields})


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000, b'{"articles": [' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"]}",
     ("[" + _row("deep-1") + ", " + "[" * 100_000 + "]" * 100_000 + "]").encode()],
    ids=["open", "closed", "object", "after-a-good-row"],
)
def test_web_server_ingest_deep_json_is_a_400(roomy_url: str, body: bytes) -> None:
    r = _post_json(roomy_url, body)
    assert r.status_code == 400, r.text
    message = r.json()["error"]["message"]
    assert message.startswith("body is JSON nested too deeply") and "\n" not in message


def test_web_server_ingest_huge_numbers_cost_only_their_row(roomy_url: str) -> None:
    digits = "7" * 5_000
    body = "[" + ", ".join([
        _row("num-1"),
        f'{{"id": {digits}, "outlet": "Live Outlet", "text": "A made-up note on the harbour dredging plan."}}',
        f'{{"id": "num-3", "text": {digits}}}',
        digits,
    ]) + "]"
    r = _post_json(roomy_url, body.encode())
    assert r.status_code == 201, r.text
    assert r.json()["added"] == 2
    errors = r.json()["errors"]
    assert len(errors) == 2
    assert errors[0].startswith("request[2]: has a number (7777") and "'text'" in errors[0]
    assert errors[1].startswith("request[3]: is a JSON number, not an object")
    assert httpx.get(roomy_url + "/articles/num-1.json").status_code == 200


def test_web_server_serve_refuses_nothing_but_warns_off_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    import uvicorn

    from parallax.web import server

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(kw))
    try:
        server.serve(tmp_path / "s.db", host="0.0.0.0", port=8123)
        assert calls["host"] == "0.0.0.0" and calls["port"] == 8123
        assert "reachable from other machines" in caplog.text
        server.serve(tmp_path / "s.db")
        assert calls["host"] == "127.0.0.1" and calls["port"] == 8000
    finally:
        gc.unfreeze()  # serve() froze this test process's objects, as it does a server's


def test_web_server_worker_socket_is_tcp_so_nagle_is_off() -> None:
    """Worker processes accept from our socket; asyncio turns Nagle off only for IPPROTO_TCP sockets."""
    from parallax.web.server import _TcpConfig

    sock = _TcpConfig("parallax.web.server:app_from_environment", factory=True, workers=2, host="127.0.0.1",
                      port=0).bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()
    finally:
        sock.close()


def test_web_server_runs_several_worker_processes(tmp_path: Path) -> None:
    db = build_sample_db(tmp_path / "workers.db")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (f"from parallax.web.server import serve; serve({str(db)!r}, port={port}, workers=2,"
            " allowed_hosts=['news.example'])")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None, "the workers did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(4):  # keep-alive requests, answered by whichever worker accepted the connection
                assert client.get(f"/stories/{FLOOD}.json").json()["story"]["id"] == FLOOD
            # every worker answers the configured host names and refuses others
            assert client.get("/stories.json", headers={"Host": "news.example"}).status_code == 200
            assert client.get("/stories.json", headers={"Host": "evil.example"}).status_code == 400
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0].decode(errors="replace")
    assert output.count("Started server process") == 2, output
