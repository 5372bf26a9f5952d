"""Exact content hashes and MinHash near-duplicate detection."""

from __future__ import annotations

import random
import re
import unicodedata
import zlib

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from parallax.ingest import dedup
from parallax.ingest.dedup import NUM_PERM, NearDuplicateIndex, content_hash, minhash_bytes

WORDS = (
    "council budget harbour ferry minister said officials agreed report statement water river dam "
    "village police court vote election market price storm rescue crew boat island bridge road school"
).split()


def synthetic_article(seed: int, words: int = 320) -> str:
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ".")
    return "\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


ORIGINAL = synthetic_article(1)


def syndicated_copies(text: str) -> list[str]:
    """Copies a wire story picks up on the way: trailer, new lead line, a typo fix, one line dropped."""
    lines = text.split("\n")
    return [
        text + "\nThe post Something appeared first on Some Outlet.",
        "HARBOUR CITY (Wire) — " + text,
        text.replace("said", "says", 1),
        "\n".join(lines[:-1]),
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hello “world”", 'hello "world"'),
        ("It’s  here\n", "it's here"),
        ("ÉCOLE", "école"),
    ],
)
def test_content_hash_ignores_case_space_and_quote_style(a: str, b: str) -> None:
    assert content_hash(a) == content_hash(b)


def test_content_hash_differs_for_different_text() -> None:
    assert content_hash("one text") != content_hash("another text")


@pytest.mark.parametrize("copy", syndicated_copies(ORIGINAL))
def test_near_duplicate_syndicated_copy_is_found(copy: str) -> None:
    index = NearDuplicateIndex()
    assert index.query_add("orig", ORIGINAL) is None
    assert index.query_add("copy", copy) == "orig"


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_near_duplicate_independent_text_is_not_matched(seed: int) -> None:
    index = NearDuplicateIndex()
    index.query_add("orig", ORIGINAL)
    assert index.query_add("other", synthetic_article(seed)) is None


def test_near_duplicate_prefers_earliest_on_tie() -> None:
    index = NearDuplicateIndex()
    index.query_add("first", ORIGINAL)
    index.query_add("second", ORIGINAL)
    assert index.query_add("third", ORIGINAL) == "first"


def test_near_duplicate_index_rebuilds_from_bytes() -> None:
    stored = {"orig": minhash_bytes(ORIGINAL)}
    index = NearDuplicateIndex()
    for article_id, data in stored.items():
        index.add_bytes(article_id, data)
    assert len(index) == 1
    assert index.query_add_bytes("copy", minhash_bytes(syndicated_copies(ORIGINAL)[0])) == "orig"


def test_near_duplicate_bytes_round_trip_size() -> None:
    assert len(minhash_bytes(ORIGINAL)) == NUM_PERM * 8


# Issue 22, defect 3: hashing a whole long text at once made a (shingles x 128) array of 8-byte values,
# about 190 times the text's size in memory. Figures: benchmarks/ingest_memory.py.
def _reference_signature(text: str) -> bytes:
    """The signature as it was made before batching: every shingle of the text in one update."""
    words = re.findall(r"\w+", dedup.normalise_for_hash(text))
    if len(words) <= dedup.SHINGLE_WORDS:
        shingles = [" ".join(words).encode()]
    else:
        shingles = [" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)]
    signature = MinHash(num_perm=NUM_PERM, scheme=dedup.MINHASH_SCHEME, hashfunc=zlib.crc32,
                        permutations=dedup._permutations())
    signature.update_batch(shingles)
    return bytes(np.asarray(signature.hashvalues, dtype=np.uint64).tobytes())


@pytest.mark.parametrize("words", [0, 1, 5, 6, 2047, 2052, 2053, 10_000])
def test_dedup_minhash_in_batches_equals_one_batch(words: int) -> None:
    text = " ".join(random.Random(words).choice(WORDS) for _ in range(words))
    assert minhash_bytes(text) == _reference_signature(text)


def test_dedup_minhash_of_a_long_text_hashes_bounded_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    update = MinHash.update_batch

    def recording(self: MinHash, batch: list[bytes]) -> None:
        sizes.append(len(batch))
        update(self, batch)

    monkeypatch.setattr(MinHash, "update_batch", recording)
    minhash_bytes(synthetic_article(3, words=50_000))
    assert max(sizes) <= dedup._SHINGLE_BATCH and sum(sizes) > 40_000


@given(st.text(alphabet=st.sampled_from(
    ["a", "B", "\u00df", "\u201c", " ", "\t", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", "\r"]
)))
def test_dedup_normalise_for_hash_spaces_as_str_split(text: str) -> None:
    plain = unicodedata.normalize("NFKC", text).replace("\u201c", '"')
    assert dedup.normalise_for_hash(text) == " ".join(plain.casefold().split())
