"""Find tools by name, alias or slug, tolerating typos ("cluade" finds Claude), and the home page's filters."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..dataset.schema import OptOutMechanism, Tool, Training, ZeroDataRetention
from ..verdicts import has_opt_out

# Below this similarity (0-100) a name is not offered as a match: "gemini" must not find "grammarly".
TYPO_CUTOFF = 72


@dataclass(frozen=True)
class Match:
    tool: Tool
    score: float


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, so 'Notion AI', 'notion-ai' and 'notionai' compare equal."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def search_keys(tool: Tool) -> list[str]:
    keys = [normalise(tool.name), normalise(tool.slug), *(normalise(a) for a in tool.aliases)]
    return [k for k in dict.fromkeys(keys) if k]


class SearchIndex:
    """Every tool's keys, built once per dataset version."""

    def __init__(self, tools: dict[str, Tool]):
        self.tools = tools
        self.keys: list[str] = []
        self.owners: list[str] = []
        for slug, tool in tools.items():
            for key in search_keys(tool):
                self.keys.append(key)
                self.owners.append(slug)

    def search(self, query: str, limit: int = 10) -> list[Match]:
        wanted = normalise(query)
        if not wanted:
            return []
        best: dict[str, float] = {}
        for key, slug in zip(self.keys, self.owners):
            score = _direct_score(wanted, key)
            if score and score > best.get(slug, 0):
                best[slug] = score
        for key, score, index in process.extract(
            wanted, self.keys, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=max(limit * 3, 30)
        ):
            slug = self.owners[index]
            if score > best.get(slug, 0):
                best[slug] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], self.tools[item[0]].name.lower()))
        return [Match(self.tools[slug], score) for slug, score in ranked[:limit]]


def _direct_score(wanted: str, key: str) -> float:
    if key == wanted:
        return 100.0
    if key.startswith(wanted) and len(wanted) >= 2:
        return 96.0
    if wanted in key and len(wanted) >= 3:
        return 90.0
    if key in wanted and len(key) >= 4:  # "chatgpt plus" finds ChatGPT
        return 88.0
    return 0.0


# ---------------------------------------------------------------- filters of the home page

FILTERS = {
    "trains": "Trains by default",
    "no_opt_out": "No opt-out",
    "zdr": "Zero retention available",
}


def trains_by_default(tool: Tool) -> bool:
    return tool.primary_plan.training in {Training.default_on, Training.default_on_no_opt_out}


def lacks_opt_out(tool: Tool) -> bool:
    plan = tool.primary_plan
    return trains_by_default(tool) and not has_opt_out(plan) and plan.opt_out.mechanism is not OptOutMechanism.not_needed


def offers_zero_retention(tool: Tool) -> bool:
    usable = {ZeroDataRetention.available, ZeroDataRetention.on_request, ZeroDataRetention.enterprise_only}
    return any(plan.zero_data_retention in usable for plan in tool.plans)


PREDICATES = {"trains": trains_by_default, "no_opt_out": lacks_opt_out, "zdr": offers_zero_retention}


def apply_filters(tools: list[Tool], category: str | None, flags: set[str]) -> list[Tool]:
    chosen = [PREDICATES[f] for f in FILTERS if f in flags]
    return [
        tool for tool in tools
        if (not category or tool.category == category) and all(test(tool) for test in chosen)
    ]
