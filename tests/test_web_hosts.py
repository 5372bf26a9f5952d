"""Only configured ``Host`` names are answered (DNS rebinding), and links never echo the ``Host`` header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_data import build_sample_db

from parallax.web import create_app
from parallax.web.hosts import allowed_hosts, normalise_host

pytest.importorskip("httpx")
from starlette.testclient import TestClient  # noqa: E402


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_db(tmp_path_factory.mktemp("hosts") / "parallax.db")


@pytest.fixture(scope="module")
def client(sample_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(sample_db), base_url="http://localhost") as c:
        yield c


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:8765",
                                  "[::1]", "[::1]:8000", "localhost."])
def test_web_hosts_answers_loopback_names_on_any_port(client: TestClient, host: str) -> None:
    assert client.get("/stories.json", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io",
                                  "127.0.0.2", "[::2]:8000", ""])
def test_web_hosts_refuses_other_names_with_400(client: TestClient, host: str) -> None:
    r = client.get("/stories.json", headers={"Host": host})
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert "does not answer to the host name" in message and "--allowed-host" in message


def test_web_hosts_refusal_is_an_html_page_for_browsers(client: TestClient) -> None:
    r = client.get("/stories", headers={"Host": "evil.example", "Accept": "text/html"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert "does not answer to the host name" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_web_hosts_refusal_reaches_no_route(sample_db: Path) -> None:
    token = "t0ken"
    with TestClient(create_app(sample_db, ingest_token=token), base_url="http://evil.example") as c:
        r = c.post("/api/ingest", json={"id": "x", "outlet": "X", "text": "x"},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400


@pytest.mark.parametrize(("configured", "host", "answered"), [
    ("news.example", "news.example", True),
    ("news.example", "news.example:8443", True),
    ("news.example:8443", "news.example:8443", True),
    ("news.example:8443", "news.example:80", False),
    ("news.example", "other.example", False),
])
def test_web_hosts_allowed_host_adds_names(sample_db: Path, configured: str, host: str, answered: bool) -> None:
    with TestClient(create_app(sample_db, hosts=allowed_hosts([configured])), base_url="http://localhost") as c:
        assert (c.get("/stories.json", headers={"Host": host}).status_code == 200) is answered
        assert c.get("/stories.json").status_code == 200  # loopback names stay


@pytest.mark.parametrize(("bind", "added"), [("0.0.0.0", None), ("::", None), ("127.0.0.1", None),
                                             ("192.0.2.5", "192.0.2.5"), ("box.lan", "box.lan")])
def test_web_hosts_bind_address_is_answered_unless_wildcard(bind: str, added: str | None) -> None:
    hosts = allowed_hosts(bind_host=bind)
    assert hosts[:3] == ("localhost", "127.0.0.1", "[::1]")
    assert hosts[3:] == ((added,) if added else ())


@pytest.mark.parametrize(("value", "expected"), [
    ("LocalHost:80", ("localhost", "80")), ("[::1]:8000", ("[::1]", "8000")), ("[::1]", ("[::1]", None)),
    ("::1", ("[::1]", None)), ("example.org.", ("example.org", None)), ("", ("", None)),
])
def test_web_hosts_normalise(value: str, expected: tuple[str, str | None]) -> None:
    assert normalise_host(value) == expected


@pytest.mark.parametrize("path", ["/stories.json?limit=1", "/quotes.json?limit=1"])
def test_web_hosts_page_links_are_relative(sample_db: Path, path: str) -> None:
    hosts = allowed_hosts(["attacker.example"])
    with TestClient(create_app(sample_db, hosts=hosts), base_url="http://attacker.example:9999") as c:
        response = c.get(path)
        data = response.json()
    # The stories resource is the list itself, its pages in the Link header; quote search carries "next".
    link = response.links["next"]["url"] if path.startswith("/stories") else data["next"]
    assert link and link.startswith(path.split("?")[0] + "?") and "offset=1" in link
    assert "attacker" not in str(data)
