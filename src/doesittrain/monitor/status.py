"""What the monitor last found for each cited source, for readers: when its quotes were last seen on the vendor's
page, and which quotes have gone missing and since when (until an editor resolves the review item)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import tables as t


@dataclass(frozen=True)
class RecheckStatus:
    checked: dict[str, dt.datetime] = field(default_factory=dict)  # source URL -> last successful read
    missing: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)  # (tool, evidence id) -> open since

    @property
    def version(self) -> str:
        """Changes whenever a reader would see something different, so cached pages are re-rendered."""
        text = repr(sorted(self.checked.items())) + repr(sorted(self.missing.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def last_checked(self, url: str) -> dt.datetime | None:
        return self.checked.get(url)

    def missing_since(self, tool: str, evidence_id: str) -> dt.datetime | None:
        return self.missing.get((tool, evidence_id))


def read_status(engine: Engine) -> RecheckStatus:
    with engine.connect() as conn:
        checked = {
            row.key: row.last_checked
            for row in conn.execute(sa.select(t.documents.c.key, t.documents.c.last_checked).where(t.documents.c.last_checked.is_not(None)))
        }
        missing = {
            (row.tool, row.claim): row.created_at
            for row in conn.execute(
                sa.select(t.review_items.c.tool, t.review_items.c.claim, t.review_items.c.created_at).where(
                    t.review_items.c.kind == "broken_evidence", t.review_items.c.status == "open")
            )
        }
    return RecheckStatus(checked, missing)
