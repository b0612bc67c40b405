"""Does a changed passage alter what the page says on the dataset's topics, or only how it says it?

An editor's rule, made mechanical: a passage is material when it carries a topic and its edit changes meaning-bearing
words. These edits do not, measured on real policy histories (tests/monitor/material_changes.tsv):
- function words, possessives, singular/plural and letter case ("the"/"this", "your data"/"data", "service(s)");
- link furniture: "(opens in a new window)", "here", "this article";
- cross-references and numbering ("Section 4" → "Section 3", "4.1."), dates;
- renamed products and defined terms: a capitalised name replaced by another, where the old name is gone from the
  whole new version (a plan swapped in one sentence while the old name lives on elsewhere is not a rename);
- text moved or re-wrapped: words that left one place and stand elsewhere in the other version;
- headings and table-of-contents entries: added or removed passages of a few words that carry no negation or number.
A short passage with no topic of its own (a row of a list or table) takes the topics of the numbered or question
heading of its section. Negations, numbers, "only", "unless", opt-in/out (evidence.critical_words) always bear meaning.

Two topic cues need more than a keyword to count. Retention and sharing words also describe licences, subscriptions
and eligibility ("host, store and display the Translations", "subscribed for more than 12 months"): they count
only in a passage that names the user's data. And a rule of conduct addressed to the user ("You may not use
Outputs to develop models…", "You represent that you may share such content") says what the user must do, not
what the vendor does with their data, unless it also speaks of the vendor ("we", "us").
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .evidence import critical_words
from .topics import OTHER, topics_of

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\w+(?:['’-]\w+)*")
_LINK_FURNITURE = re.compile(r"\(opens in a new (?:window|tab)\)", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# "4.", "4.1", "(b)", "iv)" opening a passage: its place in a list, which renumbering changes without meaning.
_ENUMERATION = re.compile(r"^\s*(?:\(?\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+|\(?[a-z]\)|\(?[ivx]+\))(?:\s+|$)", re.IGNORECASE)
FUNCTION_WORDS = frozenset(
    "a an the this that these those it its your our their his her my we us you they them "
    "and or of to for in on at by from as into within any such each all both "
    "is are be been being was were has have had do does can also then "
    "here link links article page window tab click "
    "llc inc ltd l.l.c co".split()
)
REFERENCE_WORDS = frozenset("section sections article articles paragraph paragraphs clause clauses part annex schedule".split())
# An added or removed passage shorter than this, with no critical word, is a heading or a contents entry.
HEADING_WORDS = 5
# A passage this short, with no topic of its own, takes its section's: a row of a list or table.
LIST_ROW_CHARS = 200
_SECTION_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+\S.*|[^.!]*\?\s*)$")
SECTION_HEADING_WORDS = 15
# Removed or added runs at least this long that stand elsewhere in the other version were moved, not changed.
MOVED_WORDS = 4


@dataclass(frozen=True)
class Versions:
    """Both whole texts, squeezed for containment tests, and their paragraphs, so a judgement can look beyond its
    own sentence."""

    old: str
    new: str
    old_paragraphs: tuple[str, ...] = ()
    new_paragraphs: tuple[str, ...] = ()

    @classmethod
    def of(cls, old_paragraphs: list[str], new_paragraphs: list[str]) -> "Versions":
        return cls(_squeeze(" ".join(old_paragraphs)), _squeeze(" ".join(new_paragraphs)),
                   tuple(old_paragraphs), tuple(new_paragraphs))

    def section_topics(self, text: str, in_new: bool) -> list[str]:
        """The topics of the numbered or question heading above `text`: a row of a list ("Purpose: Cloud hosting
        for Le Chat") says nothing by itself, its section ("6. Who do we share your personal data with?") does."""
        paragraphs = self.new_paragraphs if in_new else self.old_paragraphs
        at = next((i for i, p in enumerate(paragraphs) if text in p), None)
        for paragraph in reversed(paragraphs[:at] if at is not None else ()):
            if _SECTION_HEADING.match(paragraph) and len(_tokens(paragraph)) <= SECTION_HEADING_WORDS:
                return [t for t in topics_of(paragraph) if t != OTHER]
        return []


def _squeeze(text: str) -> str:
    return "".join(_LINK_FURNITURE.sub("", text).lower().split())


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_ENUMERATION.sub("", _LINK_FURNITURE.sub("", text), count=1))


def _stem(token: str) -> str:
    """Lower case, singular: enough to see "Services" and "service" as one word."""
    word = token.lower()
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def is_critical(token: str) -> bool:
    return token.isdigit() or critical_words(token) != []


def _bears_meaning(token: str, previous: str) -> bool:
    """Whether a changed word can change what a sentence says; `previous` is the stem of the word before it."""
    if _DATE.match(token) or (token.isdigit() and previous in REFERENCE_WORDS):
        return False
    return is_critical(token) or _stem(token) not in FUNCTION_WORDS


def _is_name(tokens: list[str]) -> bool:
    return bool(tokens) and all(t[:1].isupper() or t.lower() in FUNCTION_WORDS for t in tokens)


def _moved(tokens: list[str], other: str) -> bool:
    return len(tokens) >= MOVED_WORDS and _squeeze(" ".join(tokens)) in other


def edit_changes_meaning(old: str, new: str, versions: Versions) -> bool:
    """Whether the word-level edit from `old` to `new` touches a meaning-bearing word."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, [_stem(t) for t in a], [_stem(t) for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = a[i1:i2], b[j1:j2]
        if _renamed(a, i1, i2, added, versions) or _moved(removed, versions.new) or _moved(added, versions.old):
            continue
        changed = [t for k, t in enumerate(removed, i1) if _bears_meaning(t, _stem(a[k - 1]) if k else "")]
        changed += [t for k, t in enumerate(added, j1) if _bears_meaning(t, _stem(b[k - 1]) if k else "")]
        if any(is_critical(t) for t in changed):
            return True
        # A word dropped or added that the sentence still holds elsewhere is a repetition tidied, not a new claim.
        old_words, new_words = {_stem(t) for t in a}, {_stem(t) for t in b}
        if any(_stem(t) not in new_words for t in removed if t in changed):
            return True
        if any(_stem(t) not in old_words for t in added if t in changed):
            return True
    return False


def _renamed(a: list[str], i1: int, i2: int, added: list[str], versions: Versions) -> bool:
    """A capitalised name replaced by another, the old name gone from the whole new version."""
    removed = a[i1:i2]
    if not (_is_name(removed) and _is_name(added)):
        return False
    # The name with the word before it ("ChatGPT Team", "Le Chat Pro"): a plain "Team" may stand anywhere.
    phrase = a[max(0, i1 - 1):i2]
    return _squeeze(" ".join(phrase)) not in versions.new


def is_heading(text: str) -> bool:
    """A contents entry, a heading or a bare list number: a few words, none of them critical."""
    tokens = _tokens(text)
    return len(tokens) < HEADING_WORDS and not any(is_critical(t) for t in tokens)


_DATA_NOUN = re.compile(
    r"\b(?:data|information|info|content|contents|prompts?|inputs?|outputs?|conversations?|chats?|messages?|files?|"
    r"documents?|images?|photos?|videos?|audio|recordings?|voice|history|accounts?|logs?|feedback|uploads?|"
    r"submissions?|personal|usage)\b",
    re.IGNORECASE,
)
_TRANSFER = re.compile(r"\btransfer(?:s|red|ring)?\b", re.IGNORECASE)
_USER_DUTY = re.compile(
    r"^\W*(?:not use|do not|don't|you (?:may not|must not|shall not|will not|cannot|agree not to|represent|warrant|"
    r"are (?:solely )?responsible))\b",
    re.IGNORECASE,
)
_VENDOR_ACTS = re.compile(r"\b(?:we|us)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"(?<=[.!?;])\s+")


def material_topics(text: str) -> list[str]:
    """The topics a passage really speaks to, for judging materiality (tags for display stay topics_of)."""
    found: list[str] = []
    for clause in _CLAUSE_END.split(text):
        found.extend(t for t in _clause_topics(clause) if t not in found)
    return found


def _clause_topics(clause: str) -> list[str]:
    if _USER_DUTY.match(clause) and not _VENDOR_ACTS.search(clause):
        return []
    topics = [t for t in topics_of(clause) if t != OTHER]
    if not _DATA_NOUN.search(clause):
        # Kept, stored, deleted, transferred: of what? Without the user's data these are licence or account terms.
        topics = [t for t in topics if t != "retention"]
        if "sharing" in topics and "sharing" not in topics_of(_TRANSFER.sub("", clause)):
            topics.remove("sharing")
    return topics


def judge(kind: str, old: str, new: str, versions: Versions) -> tuple[list[str], bool]:
    """(topics, material) of one changed passage."""
    topics = topics_of(f"{old} {new}")
    if not (material_topics(old) or material_topics(new)):
        text, in_new = (old, False) if kind == "removed" else (new, True)
        if len(text) > LIST_ROW_CHARS or is_heading(text):
            return topics, False
        topics = versions.section_topics(text, in_new)
        if not topics:
            return [OTHER], False
    if kind == "edited":
        return topics, edit_changes_meaning(old, new, versions)
    text, other = (new, versions.old) if kind == "added" else (old, versions.new)
    if is_heading(text) or _squeeze(text) in other:
        return topics, False
    return topics, True
