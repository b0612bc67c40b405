"""Find tools by name, product, vendor or slug, tolerating one or two typos ("cluade" finds Claude).

The server ranks with `SearchIndex.search`; the home page ranks as you type with static/search.js, which loads
`SearchIndex.document()` and scores with the same rules (a test runs the same queries through both). The rules are
kept simple enough to say in one breath, so they can be the same in both places:

- a key equal to the query scores 100; a key starting with it 96; a key containing it 90; a key inside it 88;
- else, for queries of 4+ characters (8+: two edits), a key within one edit (optimal string alignment: insert,
  delete, replace, swap two neighbours) scores 80 − 5 × edits, and a key whose start is within reach 70 − 5 × edits.

A tool scores its best key; results are ranked by score, then name. Nothing else is "close": "sora" never offers
Cursor, "gemini" never offers Grammarly.
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


def allowed_edits(query: str) -> int:
    return 2 if len(query) >= 8 else 1 if len(query) >= 4 else 0


def key_score(query: str, key: str) -> float:
    """How well one normalised key answers one normalised query (0: not at all)."""
    if key == query:
        return 100.0
    if len(query) >= 2 and key.startswith(query):
        return 96.0
    if len(query) >= 3 and query in key:
        return 90.0
    if len(key) >= 4 and key in query:  # "chatgpt plus" finds ChatGPT
        return 88.0
    allowed = allowed_edits(query)
    if not allowed:
        return 0.0
    edits = OSA.distance(query, key, score_cutoff=allowed)
    if edits <= allowed:
        return 80.0 - 5 * edits
    if len(key) > len(query):
        edits = OSA.distance(query, key[: len(query)], score_cutoff=allowed)
        if edits <= allowed:
            return 70.0 - 5 * edits
    return 0.0


class SearchIndex:
    """Every tool's keys, built once per dataset version."""

    def __init__(self, tools: dict[str, Tool]):
        self.tools = tools
        self.keys = {slug: search_keys(tool) for slug, tool in tools.items()}

    def search(self, query: str, limit: int = 10) -> list[Match]:
        wanted = normalise(query)
        if not wanted:
            return []
        scored = []
        for slug, keys in self.keys.items():
            best = max((key_score(wanted, key) for key in keys), default=0.0)
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
        """What the browser needs to rank the same way: each tool's slug, name and keys."""
        return [{"slug": slug, "name": self.tools[slug].name, "keys": keys} for slug, keys in self.keys.items()]
