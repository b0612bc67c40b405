"""What changed between two versions, sentence by sentence, and whether it matters.

Sentences are compared with whitespace squeezed out; a sentence that leaves one place and appears in another
is a move, not a change. Each changed passage carries its topics; the change is `material` when a passage with
a topic other than "other" changed what it says (relevance.judge), not only how it says it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz

from .relevance import Versions, judge

# The space between two sentences: after an end mark, before a capital or a digit. Written to start with the
# space itself (the lookbehind checks the mark before it), so the regex engine skips to candidates.
_SENTENCE = re.compile(r"\s(?<=[.!?;]\s)\s*(?=[\"'(\[]?[A-Z0-9])")
# Removed and added sentences at least this similar are shown as one edited sentence.
PAIR_SIMILARITY = 60


@dataclass
class Passage:
    kind: str  # added | removed | edited
    old: str
    new: str
    topics: list[str] = field(default_factory=list)
    material: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Change:
    passages: list[Passage]

    @property
    def topics(self) -> list[str]:
        """The topics of the material passages; of every passage when none is material."""
        chosen = [p for p in self.passages if p.material] or self.passages
        seen: list[str] = []
        for passage in chosen:
            seen.extend(t for t in passage.topics if t not in seen)
        return seen

    @property
    def material(self) -> bool:
        return any(p.material for p in self.passages)


def sentences(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for paragraph in paragraphs:
        out.extend(s.strip() for s in _SENTENCE.split(paragraph) if s.strip())
    return out


def _squeeze(sentence: str) -> str:
    return "".join(sentence.split())


def compare(old_paragraphs: list[str], new_paragraphs: list[str]) -> Change:
    """The changed passages between two versions, moves left out."""
    old, new = sentences(old_paragraphs), sentences(new_paragraphs)
    old_keys, new_keys = [_squeeze(s) for s in old], [_squeeze(s) for s in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    removed: list[int] = []
    added: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(range(i1, i2))
        if tag in ("replace", "insert"):
            added.extend(range(j1, j2))
    moved = {old_keys[i] for i in removed} & {new_keys[j] for j in added}
    versions = Versions.of(old_paragraphs, new_paragraphs)
    return Change([_tag(p, versions) for p in _pair([old[i] for i in removed if old_keys[i] not in moved],
                                                    [new[j] for j in added if new_keys[j] not in moved])])


def _pair(removed: list[str], added: list[str]) -> list[Passage]:
    """Match each removed sentence with the most similar added one, so an edit reads as one passage."""
    passages: list[Passage] = []
    unused = list(added)
    for old in removed:
        best = max(unused, key=lambda new: fuzz.ratio(old, new), default=None)
        if best is not None and fuzz.ratio(old, best) >= PAIR_SIMILARITY:
            unused.remove(best)
            passages.append(Passage("edited", old, best))
        else:
            passages.append(Passage("removed", old, ""))
    passages.extend(Passage("added", "", new) for new in unused)
    return passages


def _tag(passage: Passage, versions: Versions) -> Passage:
    passage.topics, passage.material = judge(passage.kind, passage.old, passage.new, versions)
    return passage


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) pieces for showing an edited sentence: op is "same", "removed" or "added"."""
    a, b = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(b[j1:j2])))
    return pieces
