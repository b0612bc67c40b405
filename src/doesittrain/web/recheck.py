"""The monitor's re-check as readers see it: per source, when its quotes were last found on the vendor's page, and
verdicts whose quote went missing marked "under review" until an editor resolves the review item."""

from __future__ import annotations

from .. import wording
from ..dataset.schema import Field_, Plan, Tool
from ..monitor.status import RecheckStatus, read_status
from ..store.db import engine_for
from .refreshed import Refreshed, kept_on

REFRESH_SECONDS = 30.0


def recheck_source(app) -> Refreshed[RecheckStatus]:
    """The monitor's findings, re-read at most every REFRESH_SECONDS; none shown while there is no monitor state."""
    return kept_on(app, "recheck_status", lambda: Refreshed(
        lambda: read_status(engine_for(app.state.settings)), RecheckStatus(), "monitor status", REFRESH_SECONDS))


def source_line(tool: Tool, source_id: str, url: str, status: RecheckStatus) -> str | None:
    """'Quotes last found on the vendor's page on 2026-11-30', or which quote is missing since when."""
    missing = [status.missing_since(tool.slug, e.id) for e in tool.evidence if e.source == source_id]
    missing = [m for m in missing if m is not None]
    if missing:
        return wording.quote_missing_since(min(missing).date())
    checked = status.last_checked(url)
    return wording.quotes_last_found(checked.date()) if checked else None


def under_review(tool: Tool, plan: Plan, status: RecheckStatus) -> str | None:
    """'Under review since …' when a quote behind this tier's verdict went missing and no editor has resolved it."""
    quotes = tool.evidence_of(plan, Field_.training) + tool.evidence_of(plan, Field_.opt_out)
    since = [s for s in (status.missing_since(tool.slug, e.id) for e in quotes) if s is not None]
    return wording.under_review_since(min(since).date()) if since else None
