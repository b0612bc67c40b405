"""Verdict changes for /changes, the timelines and the Atom feeds: published changes merged with dataset history.

Published changes come from the state database (`doesittrain.publish.published_changes`); each tool's `history`
entries are the dated timeline the dataset ships with. Both are shown; a change in both appears once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from .. import verdicts, wording
from ..dataset.load import Dataset
from ..dataset.schema import Tool
from ..errors import UserError
from ..settings import Settings

log = logging.getLogger(__name__)

# Published changes are re-read at most this often; the publish command is the only writer.
REFRESH_SECONDS = 10.0


@dataclass(frozen=True)
class ChangeItem:
    tool: str
    tool_name: str
    plan: str
    plan_name: str
    field: str
    before: str
    after: str
    date: dt.date
    note: str | None
    source_url: str | None
    quote: str | None = None

    @property
    def sentence(self) -> str:
        return verdicts.change_sentence(self.plan_name, self.field, self.before, self.after)

    @property
    def title(self) -> str:
        return verdicts.change_title(self.tool_name, self.plan_name, self.field, self.after)

    @property
    def key(self) -> tuple:
        return (self.tool, self.plan, self.field, self.after, self.date)

    @property
    def anchor(self) -> str:
        return f"{self.tool}-{self.plan}-{self.field}-{self.date.isoformat()}"


def history_changes(tool: Tool) -> list[ChangeItem]:
    items = []
    plans = {p.id: p for p in tool.plans}
    sources = {s.id: s for s in tool.sources}
    for entry in tool.history:
        plan = plans.get(entry.plan)
        key, name = verdicts.history_key_and_name(plan, entry.region) if plan else (entry.plan, entry.plan)
        source = sources.get(entry.source)
        items.append(ChangeItem(
            tool=tool.slug, tool_name=tool.name, plan=key,
            plan_name=name,
            field=entry.field.value, before=entry.before, after=entry.after, date=entry.date,
            note=entry.note, source_url=str(source.url) if source else None,
        ))
    return items


class PublishedChanges:
    """The published changes, re-read from the database at most every REFRESH_SECONDS."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._items: list[ChangeItem] = []
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def items(self) -> list[ChangeItem]:
        with self._lock:
            if time.monotonic() - self._read_at >= REFRESH_SECONDS:
                self._items = self._read()
                self._read_at = time.monotonic()
            return self._items

    def _read(self) -> list[ChangeItem]:
        try:
            from ..publish import published_changes
            from ..store.db import engine_for

            rows = published_changes(engine_for(self.settings))
        except Exception as exc:  # the site keeps serving the dataset's own history when state is unreachable
            log.warning("published changes unavailable: %s", exc)
            return []
        return [
            ChangeItem(
                tool=r.tool, tool_name=r.tool_name, plan=r.plan, plan_name=r.plan_name, field=r.field,
                before=r.before, after=r.after, date=r.effective_date, note=r.note, source_url=r.source_url,
                quote=r.quote,
            )
            for r in rows
        ]


def published_source(app) -> PublishedChanges:
    source = getattr(app.state, "published_changes", None)
    if source is None:
        source = app.state.published_changes = PublishedChanges(app.state.settings)
    return source


def all_changes(dataset: Dataset, published: list[ChangeItem], slug: str | None = None) -> list[ChangeItem]:
    """Every change, newest first, each once; changes of tools no longer in the dataset are kept."""
    tools = dataset.tools
    chosen = [tools[slug]] if slug and slug in tools else ([] if slug else list(tools.values()))
    merged: dict[tuple, ChangeItem] = {}
    for item in (*(c for c in published if slug is None or c.tool == slug), *(h for t in chosen for h in history_changes(t))):
        merged.setdefault(item.key, item)
    return sorted(merged.values(), key=lambda c: (c.date, c.tool, c.plan, c.field), reverse=True)


def changes_version(published: list[ChangeItem]) -> str:
    return f"{len(published)}:{published[0].key if published else ''}"


def last_change_dates(changes: list[ChangeItem]) -> dict[str, dt.date]:
    latest: dict[str, dt.date] = {}
    for change in changes:
        if change.date > latest.get(change.tool, dt.date.min):
            latest[change.tool] = change.date
    return latest


# ---------------------------------------------------------------- Atom


def atom_feed(request: Request, changes: list[ChangeItem], title: str, self_path: str, page_path: str) -> bytes:
    from .render import render_to_string

    site = request.app.state.settings.base_url
    updated = changes[0].date if changes else dt.date(2024, 1, 1)
    text = render_to_string("feed.atom.xml", {
        "site_url": site, "title": title, "self_url": site + self_path, "page_url": site + page_path,
        "feed_id": site + self_path, "updated": updated, "changes": changes,
    })
    return text.encode()


def atom_response(body: bytes) -> Response:
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def require_tool(dataset: Dataset, slug: str) -> Tool:
    tool = dataset.tools.get(slug)
    if tool is None:
        raise UserError(wording.not_covered(slug), 404)
    return tool
