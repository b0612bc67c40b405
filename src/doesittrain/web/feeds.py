"""Verdict changes for /changes, the timelines and the Atom feeds: published changes merged with dataset history.

Published changes come from the state database (`doesittrain.publish.published_changes`); each tool's `history`
entries are the dated timeline the dataset ships with. Both are shown; a change in both appears once.
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from .. import wording
from ..dataset.load import Dataset
from ..dataset.schema import Tool
from ..errors import UserError
from ..publish import published_changes
from ..publish.change import VerdictChange, history_changes
from ..store.db import engine_for
from .refreshed import Refreshed, kept_on
from .render import render_to_string

# Published changes are re-read at most this often; the publish command is the only writer.
REFRESH_SECONDS = 10.0


def published_source(app) -> Refreshed[list[VerdictChange]]:
    """The published changes, re-read at most every REFRESH_SECONDS (the publish command is the only writer)."""
    return kept_on(app, "published_changes", lambda: Refreshed(
        lambda: published_changes(engine_for(app.state.settings)), [], "published changes", REFRESH_SECONDS))


def all_changes(dataset: Dataset, published: list[VerdictChange], slug: str | None = None) -> list[VerdictChange]:
    """Every change, newest first, each once; changes of tools no longer in the dataset are kept."""
    tools = dataset.tools
    chosen = [tools[slug]] if slug and slug in tools else ([] if slug else list(tools.values()))
    merged: dict[tuple, VerdictChange] = {}
    for item in (*(c for c in published if slug is None or c.tool == slug), *(h for t in chosen for h in history_changes(t))):
        merged.setdefault(item.key, item)
    return sorted(merged.values(), key=lambda c: (c.date, c.tool, c.plan, c.field), reverse=True)


def changes_version(published: list[VerdictChange]) -> str:
    return f"{len(published)}:{published[0].key if published else ''}"


def last_change_dates(changes: list[VerdictChange]) -> dict[str, dt.date]:
    latest: dict[str, dt.date] = {}
    for change in changes:
        if change.date > latest.get(change.tool, dt.date.min):
            latest[change.tool] = change.date
    return latest


# ---------------------------------------------------------------- Atom


def atom_feed(request: Request, changes: list[VerdictChange], title: str, self_path: str, page_path: str) -> bytes:
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
