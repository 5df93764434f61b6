"""How well a dataset entry matches search words: the scoring behind every search.

A word found in the id or the title counts more than one in the description or the index
path; a whole word counts more than a substring; ``collections`` and ``tags`` count as
strongly as the title. Scores are plain numbers, so ties keep the registry's order.
"""

from __future__ import annotations

import re
from typing import Any

# (field, weight of a whole-word match, weight of a substring match)
_FIELDS = (
    ("id", 8.0, 4.0),
    ("title", 6.0, 3.0),
    ("labels", 6.0, 2.0),  # collections and tags
    ("description", 2.0, 1.0),
    ("index", 1.0, 0.5),
)
_WORD_SPLIT = re.compile(r"[^0-9a-z]+")


def _text(entry: dict, field: str) -> str:
    if field == "labels":
        labels = []
        for key in ("collections", "tags"):
            value = entry.get(key) or []
            labels += value if isinstance(value, list) else [value]
        return " ".join(str(v) for v in labels).lower()
    return str(entry.get(field) or "").lower()


def words_of(text: str) -> set[str]:
    """The lower-case words of a text (ids split at ``_`` and ``-``)."""
    return {w for w in _WORD_SPLIT.split(text.lower()) if w}


def score(entry: dict, keywords: list[str]) -> float:
    """The match score of ``entry`` for ``keywords`` (0 when none of them occurs)."""
    total = 0.0
    for keyword in keywords:
        k = keyword.lower().strip()
        if not k:
            continue
        kwords = words_of(k)
        for field, whole, part in _FIELDS:
            text = _text(entry, field)
            if k not in text:
                continue
            total += whole if kwords and kwords <= words_of(text) else part
    return total


def rank(entries: list[Any], keywords: list[str], key=lambda e: e) -> list[tuple[float, Any]]:
    """``(score, item)`` of the items whose entry matches any keyword, best first, ties in input order."""
    scored = [(score(key(item), keywords), item) for item in entries]
    scored = [pair for pair in scored if pair[0] > 0]
    scored.sort(key=lambda pair: -pair[0])  # sort is stable: ties keep the registry order
    return scored
