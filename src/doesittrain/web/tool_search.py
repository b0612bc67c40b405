"""Find tools by name, product, vendor or slug, tolerating one or two typos ("cluade" finds Claude).

The server ranks with `SearchIndex.search`; the home page ranks as you type with static/search.js, which loads
`SearchIndex.document()` and scores with the same rules (a test runs the same queries through both). The rules are
kept simple enough to say in one breath, so they can be the same in both places:

- a key equal to the query scores 100; a key starting with it 96; a later word of a name starting with it 90
  ("copilot" in "GitHub Copilot"); a key inside the query 88 ("chatgpt plus");
- else, for queries of 4+ characters (8+: two edits), a key within one edit (optimal string alignment: insert,
  delete, replace, swap two neighbours) scores 80 − 5 × edits, and, from 5 characters, a key whose start is
  within reach 70 − 5 × edits.

A tool scores its best key; results are ranked by score, then name. Text inside a word does not count, so "sora"
never offers "Cursor AI", and "gemini" never offers Grammarly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from ..dataset.schema import Tool


@dataclass(frozen=True)
class Match:
    tool: Tool
    score: float


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, so 'Notion AI', 'notion-ai' and 'DALL·E' → 'notionai', 'dalle'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def search_keys(tool: Tool) -> list[str]:
    keys = [normalise(tool.name), normalise(tool.slug), *(normalise(a) for a in tool.aliases)]
    return [k for k in dict.fromkeys(keys) if k]


def later_words(tool: Tool) -> list[str]:
    """Each name from its second word on: 'GitHub Copilot Chat' → 'copilotchat', 'chat'."""
    words = []
    for name in (tool.name, *tool.aliases):
        parts = re.split(r"[\s\-_/.·]+", name.strip())
        words += [normalise("".join(parts[i:])) for i in range(1, len(parts))]
    keys = set(search_keys(tool))
    return [w for w in dict.fromkeys(words) if w and w not in keys]


def allowed_edits(query: str) -> int:
    return 2 if len(query) >= 8 else 1 if len(query) >= 4 else 0


def key_score(query: str, key: str) -> float:
    """How well one normalised key answers one normalised query (0: not at all)."""
    if key == query:
        return 100.0
    if len(query) >= 2 and key.startswith(query):
        return 96.0
    if len(key) >= 4 and key in query:  # "chatgpt plus" finds ChatGPT
        return 88.0
    allowed = allowed_edits(query)
    if not allowed:
        return 0.0
    edits = OSA.distance(query, key, score_cutoff=allowed)
    if edits <= allowed:
        return 80.0 - 5 * edits
    if len(query) >= 5 and len(key) > len(query):
        edits = OSA.distance(query, key[: len(query)], score_cutoff=allowed)
        if edits <= allowed:
            return 70.0 - 5 * edits
    return 0.0


def word_score(query: str, word: str) -> float:
    return 90.0 if len(query) >= 3 and word.startswith(query) else 0.0


def tool_score(query: str, keys: list[str], words: list[str]) -> float:
    return max([0.0, *(key_score(query, k) for k in keys), *(word_score(query, w) for w in words)])


class SearchIndex:
    """Every tool's keys, built once per dataset version."""

    def __init__(self, tools: dict[str, Tool]):
        self.tools = tools
        self.keys = {slug: search_keys(tool) for slug, tool in tools.items()}
        self.words = {slug: later_words(tool) for slug, tool in tools.items()}

    def search(self, query: str, limit: int = 10) -> list[Match]:
        wanted = normalise(query)
        if not wanted:
            return []
        scored = []
        for slug, keys in self.keys.items():
            best = tool_score(wanted, keys, self.words[slug])
            if best:
                scored.append((best, slug))
        scored.sort(key=lambda item: (-item[0], self.tools[item[1]].name.lower()))
        return [Match(self.tools[slug], score) for score, slug in scored[:limit]]

    def exact(self, query: str) -> Tool | None:
        """The one tool with a key equal to the query ('OpenAI', 'claude', 'Instagram'), for address redirects."""
        wanted = normalise(query)
        owners = {slug for slug, keys in self.keys.items() if wanted in keys}
        return self.tools[owners.pop()] if len(owners) == 1 else None

    def document(self) -> list[dict]:
        """What the browser needs to rank the same way: each tool's slug, name, keys and later words."""
        return [
            {"slug": slug, "name": self.tools[slug].name, "keys": keys, "words": self.words[slug]}
            for slug, keys in self.keys.items()
        ]
