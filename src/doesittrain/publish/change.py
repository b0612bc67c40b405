"""The one record of a verdict change: what publish records, the site lists and feeds, and emails describe."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import verdicts
from ..dataset.schema import Tool


@dataclass(frozen=True)
class VerdictChange:
    """One field of one plan that changed, with what supports the new value.

    `id` and `recorded_at` are set once publish has recorded it; a change from a tool's `history` has neither.
    """

    tool: str
    tool_name: str
    plan: str
    plan_name: str
    field: str
    before: str
    after: str
    effective_date: dt.date
    note: str | None
    source_url: str | None
    quote: str | None = None
    id: int | None = None
    recorded_at: dt.datetime | None = None

    @property
    def date(self) -> dt.date:
        return self.effective_date

    @property
    def sentence(self) -> str:
        return verdicts.change_sentence(self.plan_name, self.field, self.before, self.after)

    @property
    def title(self) -> str:
        return verdicts.change_title(self.tool_name, self.plan_name, self.field, self.after)

    @property
    def key(self) -> tuple:
        """Equal for the same change whether it was published or comes from the dataset's history."""
        return (self.tool, self.plan, self.field, self.after, self.effective_date)

    @property
    def anchor(self) -> str:
        return f"{self.tool}-{self.plan}-{self.field}-{self.effective_date.isoformat()}"


def history_changes(tool: Tool) -> list[VerdictChange]:
    """The dated changes a tool's `history` lists, as change records (no quote: history cites a source only)."""
    plans = {p.id: p for p in tool.plans}
    sources = {s.id: s for s in tool.sources}
    items = []
    for entry in tool.history:
        plan, source = plans.get(entry.plan), sources.get(entry.source)
        key, name = verdicts.history_key_and_name(plan, entry.region) if plan else (entry.plan, entry.plan)
        items.append(VerdictChange(
            tool=tool.slug, tool_name=tool.name, plan=key, plan_name=name,
            field=entry.field.value, before=entry.before, after=entry.after, effective_date=entry.date,
            note=entry.note, source_url=str(source.url) if source else None,
        ))
    return items
