"""The monitor's re-check as readers see it: per source, when its quotes were last found on the vendor's page, and
verdicts whose quote went missing marked "under review" until an editor resolves the review item."""

from __future__ import annotations

import logging
import threading
import time

from .. import wording
from ..dataset.schema import Field_, Plan, Tool
from ..monitor.status import RecheckStatus, read_status
from ..store.db import engine_for

log = logging.getLogger(__name__)
REFRESH_SECONDS = 30.0


class RecheckSource:
    """The monitor's findings, re-read from the database at most every REFRESH_SECONDS."""

    def __init__(self, settings):
        self.settings = settings
        self._status = RecheckStatus()
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def status(self) -> RecheckStatus:
        with self._lock:
            if time.monotonic() - self._read_at >= REFRESH_SECONDS:
                self._status = self._read()
                self._read_at = time.monotonic()
            return self._status

    def _read(self) -> RecheckStatus:
        try:
            return read_status(engine_for(self.settings))
        except Exception as exc:  # no monitor state yet, or the database is down: pages show no re-check line
            log.warning("monitor status unavailable: %s", exc)
            return RecheckStatus()


def recheck_source(app) -> RecheckSource:
    source = getattr(app.state, "recheck_source", None)
    if source is None:
        source = app.state.recheck_source = RecheckSource(app.state.settings)
    return source


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
    fields = {Field_.training, Field_.opt_out}
    since = [status.missing_since(tool.slug, e.id) for e in tool.evidence if e.field in fields
             and e in tool.evidence_of(plan, Field_.training) + tool.evidence_of(plan, Field_.opt_out)]
    since = [s for s in since if s is not None]
    return wording.under_review_since(min(since).date()) if since else None
