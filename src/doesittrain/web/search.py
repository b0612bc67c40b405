"""The home page's filters (finding tools by name is tool_search.py)."""

from __future__ import annotations

from .. import verdicts
from ..dataset.schema import Field_, Plan, Tool
from ..wording import FILTER_LABELS
# Finding tools by name lives in tool_search.py (shared with the browser); re-exported for the pages that import it here.
from .tool_search import Match, SearchIndex, normalise, search_keys  # noqa: F401


# ---------------------------------------------------------------- filters of the home page
# Each filter is defined over tiers and returns the plans that match, so a row can say which tier matched; the
# "trains" filter and the chart's consumer bar use the same definition (verdicts.audience_tone) and so agree.

FILTERS = FILTER_LABELS


def consumer_plans_that_train(tool: Tool) -> list[Plan]:
    return [p for p in verdicts.plans_for_audience(tool, "consumer") if verdicts.trains_by_default(p)]


def consumer_plans_without_opt_out(tool: Tool) -> list[Plan]:
    return [p for p in verdicts.plans_for_audience(tool, "consumer") if verdicts.lacks_opt_out(p)]


def plans_with_zero_retention(tool: Tool) -> list[Plan]:
    return [p for p in tool.plan_views() if verdicts.offers_zero_retention(p)]


MATCHING_PLANS = {"trains": consumer_plans_that_train, "no_opt_out": consumer_plans_without_opt_out, "zdr": plans_with_zero_retention}
# The field each filter speaks about, for the matched plan's label on the row.
FILTER_FIELDS = {"trains": Field_.training, "no_opt_out": Field_.opt_out, "zdr": Field_.zero_data_retention}


def matches(tool: Tool, flags: set[str]) -> dict[str, list[Plan]]:
    """The plans that match each chosen filter; empty for a filter the tool fails."""
    return {f: MATCHING_PLANS[f](tool) for f in FILTERS if f in flags}


def apply_filters(tools: list[Tool], category: str | None, flags: set[str]) -> list[Tool]:
    return [
        tool for tool in tools
        if (not category or tool.category == category) and all(matches(tool, flags).values())
    ]
