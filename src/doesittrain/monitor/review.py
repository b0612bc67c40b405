"""The review queue editors work through: material changes, quotes that vanished, sources that stopped answering.

Items are deduplicated by key: at most one open item per change, per (tool, claim) and per unreachable source.
Broken-evidence and unreachable items close themselves when the quote or the source comes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import UserError
from ..store.tables import utcnow
from . import tables as t

UNREACHABLE_AFTER = 3  # consecutive failed checks before editors are told


def open_item(conn: Connection, *, kind: str, key: str, title: str, detail: str = "", document_id: int | None = None,
              change_id: int | None = None, tool: str | None = None, claim: str | None = None) -> int:
    """Open an item unless one with this key is open already; returns the open item's id."""
    existing = conn.execute(sa.select(t.review_items.c.id).where(
        t.review_items.c.key == key, t.review_items.c.status == "open")).first()
    if existing is not None:
        conn.execute(t.review_items.update().where(t.review_items.c.id == existing.id).values(title=title, detail=detail))
        return existing.id
    return conn.execute(t.review_items.insert().values(
        kind=kind, key=key, title=title, detail=detail, document_id=document_id, change_id=change_id, tool=tool,
        claim=claim, status="open", created_at=utcnow())).inserted_primary_key[0]


def close_item(conn: Connection, key: str, note: str) -> None:
    conn.execute(t.review_items.update().where(t.review_items.c.key == key, t.review_items.c.status == "open")
                 .values(status="resolved", note=note, resolved_at=utcnow()))


@dataclass
class ItemView:
    """One item with what an editor needs to judge it: the change's passages and both texts."""

    item: sa.Row
    document: sa.Row | None
    change: sa.Row | None
    passages: list[dict]
    old_text: str
    new_text: str
    breaks: list[sa.Row]  # open broken-evidence items of the same document

    @property
    def topics(self) -> list[str]:
        return json.loads(self.change.topics) if self.change is not None else []


def list_items(engine: Engine, include_resolved: bool = False) -> list[sa.Row]:
    query = sa.select(t.review_items, t.documents.c.name.label("document_name")).select_from(
        t.review_items.outerjoin(t.documents, t.documents.c.id == t.review_items.c.document_id))
    if not include_resolved:
        query = query.where(t.review_items.c.status == "open")
    # Unreachable sources and broken claims first: they mean a verdict may be wrong now.
    order = sa.case((t.review_items.c.kind == "broken_evidence", 0), (t.review_items.c.kind == "unreachable", 1), else_=2)
    with engine.connect() as conn:
        return list(conn.execute(query.order_by(t.review_items.c.status.desc(), order, t.review_items.c.id)))


def get_item(engine: Engine, item_id: int) -> ItemView:
    with engine.connect() as conn:
        item = conn.execute(sa.select(t.review_items).where(t.review_items.c.id == item_id)).first()
        if item is None:
            raise UserError(f"There is no review item {item_id}; `doesittrain review list` shows the open ones.", 404)
        document = conn.execute(sa.select(t.documents).where(t.documents.c.id == item.document_id)).first()
        change = None
        passages: list[dict] = []
        old_text = new_text = ""
        if item.change_id is not None:
            change = conn.execute(sa.select(t.changes).where(t.changes.c.id == item.change_id)).one()
            passages = json.loads(change.passages)
            texts = dict(conn.execute(sa.select(t.versions.c.id, t.versions.c.text).where(
                t.versions.c.id.in_([change.version_id, change.previous_version_id]))).all())
            old_text, new_text = texts.get(change.previous_version_id, ""), texts.get(change.version_id, "")
        breaks = []
        if item.document_id is not None:
            breaks = list(conn.execute(sa.select(t.review_items).where(
                t.review_items.c.document_id == item.document_id, t.review_items.c.kind == "broken_evidence",
                t.review_items.c.status == "open")))
    return ItemView(item, document, change, passages, old_text, new_text, breaks)


def resolve(engine: Engine, item_id: int, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise UserError("Say in a note what you did or why nothing needs doing (--note).")
    with engine.begin() as conn:
        updated = conn.execute(t.review_items.update().where(
            t.review_items.c.id == item_id, t.review_items.c.status == "open",
        ).values(status="resolved", note=note, resolved_at=utcnow()))
        if updated.rowcount == 0:
            exists = conn.execute(sa.select(t.review_items.c.status).where(t.review_items.c.id == item_id)).first()
            if exists is None:
                raise UserError(f"There is no review item {item_id}.", 404)
            raise UserError(f"Review item {item_id} is already resolved.", 409)
