"""Unannotated articles for self-training the attribution tagger (parallax.train.quote_net --silver-docs).

The corpus is ../shared/data/corpus/baly-10k.jsonl.gz (Baly et al., EMNLP 2020: news articles with their
outlet), whose texts are written with tokens spaced apart ("said , “ it ’s ..."). The tagger was trained on
ordinary prose, so the texts are de-spaced first. Only the texts' parses and a teacher tagger's label
probabilities are learned from; nothing of them is shipped.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

# PTB-style spacing as in the baly corpus ("said , “ it ’s ..."): spaces before closing punctuation
# and after opening marks are dropped, `` and '' become curly quotes, single newlines become paragraphs.
_SPACE_BEFORE = re.compile(r" (?=[,.;:?!%)\]’”]|n[’']t\b|[’'](?:s|re|ve|ll|d|m)\b)")
_SPACE_AFTER = re.compile(r"(?<=[(\[“‘$]) ")


def despace(text: str) -> str:
    """Article text written with tokens spaced apart, as ordinary prose (approximately)."""
    text = text.replace("``", "“").replace("''", "”")
    text = _SPACE_AFTER.sub("", _SPACE_BEFORE.sub("", text))
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())


def silver_texts(path: Path, count: int, skip: int, max_chars: int) -> list[str]:
    """``count`` article texts of a JSONL corpus after its first ``skip`` rows, at most ``max_chars`` long."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for number, line in enumerate(rows):
            if number < skip:
                continue
            text = despace(json.loads(line).get("text") or "")
            if 200 <= len(text) <= max_chars:
                texts.append(text)
            if len(texts) >= count:
                break
    return texts
