"""Is each quote of the dataset still in the newest version of its source?

A quote is looked for exactly, then after folding typography and case, then fuzzily (rapidfuzz partial_ratio).
FUZZY_THRESHOLD is 90: quotes in the dataset are typically 60-200 characters, so 90 tolerates a few characters of
drift (a comma, a re-worded article, "and" for "&") but not a clause. A fuzzy match also fails when the words that
flip meaning differ between the quote and the sentences around the matched span (negations, numbers, "only", "unless", opt in/out):
"We do not train on your data" must not be found in "We train on your data", which scores about 93.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .normalize import fold_line

FUZZY_THRESHOLD = 90
_CRITICAL = re.compile(
    r"\b(?:not|no|never|none|nor|without|cannot|can't|don't|doesn't|won't|isn't|aren't|only|unless|except|"
    r"opt[- ]?in|opt[- ]?out|\d+)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Located:
    how: str  # exact | normalised | fuzzy | missing
    score: float

    @property
    def found(self) -> bool:
        return self.how != "missing"


def comparable(text: str) -> str:
    return " ".join(fold_line(text).lower().split())


def critical_words(text: str) -> list[str]:
    return sorted(m.group(0).lower().replace(" ", "").replace("-", "") for m in _CRITICAL.finditer(text))


def _enclosing_sentences(text: str, start: int, end: int) -> str:
    """The matched span widened to whole sentences, so a negation just outside it still counts."""
    before = max(text.rfind(mark, 0, start) for mark in ".!?\n")
    after = [i for i in (text.find(mark, end) for mark in ".!?\n") if i != -1]
    return text[before + 1:min(after) if after else len(text)]


def locate(quote: str, text: str) -> Located:
    """Where `quote` stands in `text` (a version's text): how it was found, or "missing"."""
    if quote in text:
        return Located("exact", 100.0)
    needle, haystack = comparable(quote), comparable(text)
    if needle in haystack:
        return Located("normalised", 100.0)
    alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        return Located("missing", 0.0)
    span = _enclosing_sentences(haystack, alignment.dest_start, alignment.dest_end)
    if critical_words(span) != critical_words(needle):
        return Located("missing", alignment.score)
    return Located("fuzzy", alignment.score)
