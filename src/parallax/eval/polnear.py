"""Reading PolNeAR (brat standoff attribution relations) and caching its spaCy parses.

One annotation file per article is used for scoring (the first annotator id in sorted order), so the
articles that several annotators labelled do not count several times; training may use them all.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from parallax.errors import InputError

__all__ = ["GoldSpan", "PolnearDoc", "load_split", "parse_split"]

LOGGER = logging.getLogger(__name__)

ROLES = ("Source", "Cue", "Content")


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One contiguous fragment of a gold role span; ``relation`` links fragments of one attribution."""

    role: str
    start: int
    end: int
    relation: str


@dataclass(frozen=True, slots=True)
class PolnearDoc:
    name: str  # the annotation file's stem: ``<article>_<annotator>``
    text: str
    spans: tuple[GoldSpan, ...]

    @property
    def article(self) -> str:
        return article_of(self.name)


def article_of(name: str) -> str:
    """The article an annotation file's stem (``<article>_<annotator>``) belongs to."""
    return name.rsplit("_", 1)[0]


def load_split(root: Path, split: str, *, all_annotators: bool = False) -> list[PolnearDoc]:
    """The gold documents of one split; one annotator per article unless ``all_annotators``."""
    base = root / split
    if not (base / "attributions").is_dir() or not (base / "text").is_dir():
        raise InputError(
            str(base),
            "is not a PolNeAR split folder",
            f"pass the folder that holds {split}/text and {split}/attributions as --polnear",
        )
    chosen: dict[str, Path] = {}
    files = sorted((base / "attributions").glob("*.ann"))
    docs = []
    for ann in files:
        article = article_of(ann.stem)
        if not all_annotators and article in chosen:
            continue
        chosen[article] = ann
        text = (base / "text" / f"{article}.txt").read_text(encoding="utf-8")
        docs.append(PolnearDoc(ann.stem, text, tuple(_read_ann(ann, text))))
    LOGGER.info("read %d annotated documents from %s", len(docs), base)
    return docs


def _read_ann(path: Path, text: str) -> list[GoldSpan]:
    """Role fragments of every relation in one brat file (whitespace trimmed from each fragment)."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    relation_of: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            kind, _, offsets = fields[1].partition(" ")
            pieces = [tuple(int(x) for x in part.split()) for part in offsets.split(";")]
            spans[fields[0]] = (kind, [(a, b) for a, b in pieces])
        elif line.startswith("E") and len(fields) >= 2:
            for arg in fields[1].split():
                relation_of.setdefault(arg.partition(":")[2], fields[0])
    out = []
    for tid, (kind, pieces) in spans.items():
        role = kind.rstrip("0123456789")
        if role not in ROLES:
            continue
        for start, end in pieces:
            start, end = _trim(text, start, end)
            if start < end:
                out.append(GoldSpan(role, start, end, relation_of.get(tid, tid)))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse_split(nlp: Language, docs: list[PolnearDoc], *, cache_dir: Path | None = None) -> list[Doc]:
    """Parsed ``Doc`` of every document, read from a DocBin cache keyed by the texts when present."""
    from parallax.analyze.nlp import TOKENIZER_VERSION

    # The pipeline's components are in the key: a parse made before a component was added (the sentence
    # bounds at line breaks) must not be read back as today's.
    # So is the code of our own component that sets sentence starts before the parser.
    from parallax.analyze import sentences

    own = hashlib.sha1(Path(sentences.__file__).read_bytes()).hexdigest()[:12]
    key = "\0".join([f"tokenizer-{TOKENIZER_VERSION}", ",".join(nlp.pipe_names), own, *(d.text for d in docs)])
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    cache = cache_dir / f"polnear-{digest}.spacy" if cache_dir else None
    if cache is not None and cache.exists():
        LOGGER.info("reading cached parses from %s", cache)
        cached = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        # A DocBin keeps no ``doc.tensor``; tok2vec recomputes it from the tokens alone (as in a live parse).
        return list(nlp.get_pipe("tok2vec").pipe(cached)) if "tok2vec" in nlp.pipe_names else cached
    unique = list(dict.fromkeys(d.text for d in docs))
    by_text = dict(zip(unique, nlp.pipe(unique, batch_size=16)))
    parsed = [by_text[d.text] for d in docs]
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=parsed).to_disk(cache)
    return parsed
