"""The review queue editors work through: material changes, quotes that vanished, sources that stopped answering.

Items are deduplicated by key: at most one open item per change, per (tool, claim) and per unreachable source.
Broken-evidence and unreachable items close themselves when the quote or the source comes back. A broken-evidence
item may carry a proposed replacement quote, which `apply_proposal` writes into the tool file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..dataset.check import check_folder
from ..dataset.edit import replace_quote
from ..dataset.load import Problem, load_dataset
from ..errors import UserError
from ..store.tables import utcnow
from . import tables as t

UNREACHABLE_AFTER = 3  # consecutive failed checks before editors are told


def open_item(conn: Connection, *, kind: str, key: str, title: str, detail: str = "", document_id: int | None = None,
              change_id: int | None = None, tool: str | None = None, claim: str | None = None,
              proposal: str | None = None) -> int:
    """Open an item unless one with this key is open already; returns the open item's id."""
    existing = conn.execute(sa.select(t.review_items.c.id).where(
        t.review_items.c.key == key, t.review_items.c.status == "open")).first()
    if existing is not None:
        conn.execute(t.review_items.update().where(t.review_items.c.id == existing.id).values(
            title=title, detail=detail, proposal=proposal))
        return existing.id
    return conn.execute(t.review_items.insert().values(
        kind=kind, key=key, title=title, detail=detail, document_id=document_id, change_id=change_id, tool=tool,
        claim=claim, proposal=proposal, status="open", created_at=utcnow())).inserted_primary_key[0]


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


@dataclass
class Applied:
    """What `review apply` changed, and what `check` still says about the file (warnings only: errors undo it)."""

    path: Path
    claim: str
    replacement: str
    warnings: list[Problem]


def apply_proposal(engine: Engine, item_id: int, dataset_dir: Path, today: dt.date) -> Applied:
    """Write an item's proposed replacement quote into its tool file, run `check`, and resolve the item if the
    file passes; on any error the file is put back as it was and the item stays open."""
    item = get_item(engine, item_id).item
    if item.status != "open":
        raise UserError(f"Review item {item_id} is already resolved.", 409)
    if item.kind != "broken_evidence" or not item.proposal:
        raise UserError(f"Review item {item_id} proposes no replacement quote; edit the tool file by hand, then "
                        f"`doesittrain review resolve {item_id} --note …`.")
    proposal = json.loads(item.proposal)
    path = tool_file(dataset_dir, item.tool)
    original = path.read_text(encoding="utf-8")
    path.write_text(replace_quote(path, item.claim, proposal["quote"], proposal["replacement"], today), encoding="utf-8")
    problems = [p for p in check_folder(dataset_dir, today) if _same_file(p.file, path)]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        path.write_text(original, encoding="utf-8")
        raise UserError(f"check fails with the proposed quote, so {path} is left as it was and item {item_id} stays "
                        "open:\n" + "\n".join(str(p) for p in errors))
    resolve(engine, item_id, f"Quote of {item.claim} replaced by the passage of the new version of {proposal['url']}; "
                             "check passed.")
    return Applied(path, item.claim, proposal["replacement"], problems)


def tool_file(dataset_dir: Path, slug: str) -> Path:
    """The file of the tool with this slug (usually <slug>.yaml)."""
    expected = dataset_dir / f"{slug}.yaml"
    if expected.is_file():
        return expected
    for loaded in load_dataset(dataset_dir).files:
        if loaded.tool is not None and loaded.tool.slug == slug:
            return loaded.path
    raise UserError(f"No file in {dataset_dir} holds tool {slug!r}.", 404)


def _same_file(shown: str, path: Path) -> bool:
    return Path(shown).resolve() == path.resolve()
