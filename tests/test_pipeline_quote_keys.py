"""Which entity a quote is filed under (the entity pages' remarks): the person its speaker names, never the
nationality or organisation in their title ("Norvian President Aleksei Varnov" is Varnov, not "norvian")."""

from __future__ import annotations

import warnings

import pytest

from parallax.cli import main
from parallax.model import AnalyzedArticle, Article, Entity, Mention, Quote, Span
from parallax.pipeline import _quote_keys

# Made-up events, outlets and people.
ARTICLES = {
    "courier.txt": (
        "Outlet: Harbour Courier\n\nNorvian leaders condemn the blockade of Port Avel\n\n"
        'Norvian President Aleksei Varnov on Tuesday condemned the naval blockade of Port Avel, calling it "a '
        'reckless act that endangers every sailor in the strait."\n\n"We will not accept threats against our '
        'ships," Varnov told reporters in the capital, Kestrova.\n\nKremvale spokesman Dmitri Olsen said the '
        'government was "studying every option" and would respond within days.\n'
    ),
    "standard.txt": (
        "Outlet: Valley Standard\n\nNorvia warns over Port Avel blockade\n\nNorvian President Aleksei Varnov said "
        'the blockade of Port Avel was "a reckless act that endangers every sailor in the strait," in remarks on '
        'Tuesday.\n\nKremvale spokesman Dmitri Olsen told state media that officials were "studying every '
        'option" before any response.\n\nNorvian officials said the fleet would stay in port "until the waters '
        'are safe."\n'
    ),
}


@pytest.fixture(scope="module")
def remarks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, str | None]]]:
    """(speaker as written, resolved name) of every quote on each entity page of the made-up pair's store."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette 1.x nudges towards httpx2; httpx is what is installed
        from starlette.testclient import TestClient
    from parallax.web import create_app

    tmp = tmp_path_factory.mktemp("speakers")
    for name, text in ARTICLES.items():
        (tmp / name).write_text(text, encoding="utf-8")
    db = tmp / "parallax.db"
    assert main(["--db", str(db), "-q", "ingest", str(tmp / "courier.txt"), str(tmp / "standard.txt")]) == 0
    assert main(["--db", str(db), "-q", "analyze"]) == 0
    pages: dict[str, list[tuple[str, str | None]]] = {}
    with TestClient(create_app(db), base_url="http://localhost") as client:
        for row in client.get("/entities.json?limit=200").json()["entities"]:
            page = client.get(f"/entities/{row['key']}.json").json()
            pages[row["key"]] = [(q["speaker"], q["speaker_name"]) for v in page["variants"]
                                 for w in v["wordings"] for q in w["quotes"]]
    return pages


def test_quote_keys_titled_person_is_filed_under_the_person(remarks: dict[str, list[tuple[str, str | None]]]) -> None:
    assert ("Norvian President Aleksei Varnov", "Aleksei Varnov") in remarks["aleksei-varnov"]
    assert ("Kremvale spokesman Dmitri Olsen", "Dmitri Olsen") in remarks["dmitri-olsen"]
    named_elsewhere = [(key, said) for key, said in remarks.items()
                       for said in said if said[1] in {"Aleksei Varnov", "Dmitri Olsen"}
                       and key not in {"aleksei-varnov", "dmitri-olsen"}]
    assert named_elsewhere == []


def test_quote_keys_unnamed_group_keeps_its_entity(remarks: dict[str, list[tuple[str, str | None]]]) -> None:
    assert remarks.get("norvian") == [("Norvian officials", None)]


# -- the choice itself, on hand-made records ----------------------------------------------------------------

_ENTITIES = {
    "Aleksei Varnov": "PERSON",
    "Norvian": "NORP",
    "Kestrel Ministry": "ORG",
    "Norvia": "GPE",
}


def _keys(speaker: str, names: list[str], speaker_name: str | None) -> list[str]:
    """The key ``_quote_keys`` files a quote under whose speaker span ``speaker`` mentions ``names``."""
    text = f"{speaker} said it was \"fine\"."
    mentions = []
    for name in names:
        start = speaker.index(name)
        mentions.append(Mention("a", start, start + len(name), name, _ENTITIES[name], 0, entity_id=name))
    quote = Quote("a", "direct", Span(text.index("fine"), text.index("fine") + 4, "fine"),
                  speaker=Span(0, len(speaker), speaker), speaker_name=speaker_name)
    article = AnalyzedArticle(Article(id="a", outlet="O", title="T", text=text), mentions=tuple(mentions), quotes=(quote,))
    entities = [Entity(id=name, name=name, label=label) for name, label in _ENTITIES.items()]
    return [key for _, _, key in _quote_keys([article], entities)]


@pytest.mark.parametrize(
    ("speaker", "names", "speaker_name", "key"),
    [
        ("Norvian President Aleksei Varnov", ["Norvian", "Aleksei Varnov"], "Aleksei Varnov", "aleksei-varnov"),
        ("Kestrel Ministry spokesman Aleksei Varnov", ["Kestrel Ministry", "Aleksei Varnov"], None, "aleksei-varnov"),
        ("Norvia's envoy Aleksei Varnov", ["Norvia", "Aleksei Varnov"], "Aleksei Varnov", "aleksei-varnov"),
        ("he", [], "Aleksei Varnov", "aleksei-varnov"),
        ("Norvian officials at the Kestrel Ministry", ["Norvian", "Kestrel Ministry"], None, "kestrel-ministry"),
        ("a Kestrel Ministry statement", ["Kestrel Ministry"], None, "kestrel-ministry"),
        ("Norvia's Kestrel Ministry", ["Norvia", "Kestrel Ministry"], "Kestrel Ministry", "kestrel-ministry"),
        ("Norvian officials", ["Norvian"], None, "norvian"),
        ("a spokesman", [], None, None),
    ],
)
def test_quote_keys_person_before_organisation_before_the_rest(
    speaker: str, names: list[str], speaker_name: str | None, key: str | None
) -> None:
    assert _keys(speaker, names, speaker_name) == ([] if key is None else [key])
