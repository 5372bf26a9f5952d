"""Sentence edits between two versions of one (made-up) article."""

from __future__ import annotations

import pytest

from parallax.compare.edits import diff_versions, split_sentences

OLD = ("After the Lake Sarn ferry sinking the death toll rose to 14 on Monday, the harbour office said. Divers searched"
       " the north shore.\nThe mayor, Ada Renn, said: \"We grieve with every family.\" Ferries stay in port.")


@pytest.mark.parametrize(
    ("new", "kinds", "figures"),
    [
        (OLD, [], []),
        (OLD.replace("14", "17"), ["reworded"], ["death toll 14 → 17"]),
        (OLD + " A second boat was found at dusk.", ["added"], []),
        (OLD.replace(" Divers searched the north shore.", ""), ["removed"], []),
        (OLD.replace("Ferries stay in port.", "Officials said all crossings on the lake are cancelled until"
                     " further notice."), ["removed", "added"], []),
    ],
)
def test_diff_versions_names_added_removed_and_reworded_sentences(new: str, kinds: list[str],
                                                                  figures: list[str]) -> None:
    diff = diff_versions(OLD, new)
    assert [e.kind for e in diff.edits] == kinds
    assert [str(f) for f in diff.figures] == figures


def test_split_sentences_keeps_closing_quotes_and_paragraphs() -> None:
    assert split_sentences(OLD)[2:] == ['The mayor, Ada Renn, said: "We grieve with every family."',
                                        "Ferries stay in port."]
