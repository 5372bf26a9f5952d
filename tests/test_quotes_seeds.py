"""Acceptance cases from the two seed articles: who said each remark, and through which channel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import shared_path

from parallax.analyze.quotes import extract_quotes
from parallax.analyze.quotes.sources import source_counts, sources_relied_on
from parallax.model import Quote

NYT = "000_24f7fa365a9d30c3.txt"
SECOND = "001_b6055e1c86c3af7e.txt"


@pytest.fixture(scope="module")
def seed_quotes(nlp):  # type: ignore[no-untyped-def]
    out = {}
    for name in (NYT, SECOND):
        doc = nlp(shared_path("seeds", name).read_text(encoding="utf-8"))
        quotes = extract_quotes(doc, name)
        out[name] = (doc, quotes, sources_relied_on(doc, quotes, name))
    return out


def _with(quotes: list[Quote], fragment: str) -> Iterator[Quote]:
    return (q for q in quotes if fragment in q.content.text)


@pytest.mark.parametrize(
    ("article", "fragment", "speaker"),
    [
        (NYT, "The absolutely unprovoked aggression", "Putin"),
        (NYT, "Going forward, everything will depend on what Iran will need", "Peskov"),
        (NYT, "aggressive actions of Israel and the U.S.A.", "Araghchi"),
        (SECOND, "Everything depends on what Iran needs", "Peskov"),
        (SECOND, "Radiation doesn’t check passports", "Zakharova"),
        (SECOND, "Washington reasserted", "Nebenzia"),
        (SECOND, "obliterated", "Trump"),
        (SECOND, "bloodshed and chaos", "Pahlavi"),
    ],
)
def test_seed_quote_speaker_resolved(seed_quotes, article: str, fragment: str, speaker: str) -> None:  # type: ignore[no-untyped-def]
    _, quotes, _ = seed_quotes[article]
    names = [q.speaker_name for q in _with(quotes, fragment)]
    assert names, f"no quote holds {fragment!r}"
    assert any(name and speaker in name for name in names), names


def test_seed_peskov_full_name_kept(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes, _ = seed_quotes[NYT]
    quote = next(_with(quotes, "Going forward"))
    assert quote.speaker_name == "Dmitri S. Peskov"
    assert quote.kind == "direct"


def test_seed_putin_relayed_by_kremlin_statement(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes, _ = seed_quotes[NYT]
    quote = next(_with(quotes, "The absolutely unprovoked aggression"))
    assert quote.relay is not None
    assert quote.relay.kind == "official"
    assert "Kremlin" in quote.relay.name and "statement" in quote.relay.name


def test_seed_obliterated_is_partial(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes, _ = seed_quotes[SECOND]
    assert next(_with(quotes, "obliterated")).kind == "partial"


def test_seed_roles_kept(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, quotes, _ = seed_quotes[SECOND]
    quote = next(_with(quotes, "Radiation doesn’t check passports"))
    assert quote.speaker_role is not None and "spokeswoman" in quote.speaker_role


@pytest.mark.parametrize(
    ("article", "name", "kind"),
    [
        (NYT, "Kremlin statement", "official"),
        (SECOND, "Reuters", "wire"),
        (SECOND, "TASS", "state_media"),
        (SECOND, "RBC-TV", "outlet"),
        (SECOND, "Newsweek", "outlet"),
    ],
)
def test_seed_sources_relied_on(seed_quotes, article: str, name: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    _, _, sources = seed_quotes[article]
    assert any(s.name == name and s.kind == kind for s in sources), [(s.name, s.kind) for s in sources]


def test_seed_source_counts_unify_spellings(seed_quotes) -> None:  # type: ignore[no-untyped-def]
    _, _, sources = seed_quotes[SECOND]
    assert source_counts(sources)["TASS"] >= 2
