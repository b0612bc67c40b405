"""Publish: compare the dataset's verdicts with the last published state, record each change, queue its emails.

Everything happens in one transaction (state, change records, outbox rows), so an email is owed exactly when its
change is recorded. The first publish records the baseline and notifies nobody; publishing again without edits
records nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import verdicts
from ..dataset.check import check_dataset
from ..dataset.load import load_dataset
from ..dataset.schema import Field_, Tool
from ..errors import UserError
from ..notify.outbox import enqueue_change_emails
from ..settings import Settings
from ..store.db import engine_for
from ..store.tables import meta, utcnow
from .change import VerdictChange
from .tables import changes as changes_table
from .tables import publications, published_values

Key = tuple[str, str, str]  # tool slug, plan id, field
RECORDED = {"id", "recorded_at"}  # set by the database, not by the change itself


@dataclass(frozen=True)
class PublishResult:
    baseline: bool
    changes: list[VerdictChange]
    emails_queued: int
    values: int

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def current_values(tools: dict[str, Tool]) -> dict[Key, str]:
    return {
        (tool.slug, plan.view_id, field.value): verdicts.plan_value(plan, field)
        for tool in tools.values()
        for plan in tool.plan_views()
        for field in Field_
    }


def describe_change(tool: Tool, plan_id: str, field: Field_, before: str, after: str, today: dt.date) -> VerdictChange:
    """A change with its date and note from the tool's history, and its quote from the evidence for the new value."""
    plan = tool.view(plan_id)
    history = [h for h in tool.history if verdicts.history_is_of(h, plan) and h.field is field and h.after == after]
    entry = max(history, key=lambda h: h.date) if history else None
    evidence = tool.evidence_of(plan, field)
    if evidence:
        quote, source_url = evidence[0].quote, str(tool.source(evidence[0].source).url)
    elif entry is not None:
        quote, source_url = None, str(tool.source(entry.source).url)
    else:
        quote = source_url = None
    return VerdictChange(
        tool=tool.slug,
        tool_name=tool.name,
        plan=plan_id,
        plan_name=verdicts.plan_display_name(plan),
        field=field.value,
        before=before,
        after=after,
        effective_date=entry.date if entry else today,
        note=entry.note if entry else None,
        source_url=source_url,
        quote=quote,
    )


def diff(tools: dict[str, Tool], published: dict[Key, str], today: dt.date) -> list[VerdictChange]:
    """Values that differ from what was published. Plans and tools new since then are additions, not changes."""
    found = []
    for key, value in sorted(current_values(tools).items()):
        before = published.get(key)
        if before is not None and before != value:
            slug, plan_id, field = key
            found.append(describe_change(tools[slug], plan_id, Field_(field), before, value, today))
    return found


def _refuse_dataset_with_errors(folder: Path, today: dt.date):
    dataset = load_dataset(folder)
    errors = [p for p in check_dataset(dataset, today) if p.severity == "error"]
    if errors:
        listed = "\n".join(str(p) for p in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise UserError(f"Not published: the dataset has {len(errors)} error(s); fix them (see `doesittrain check`):\n{listed}{more}")
    return dataset


def _take_publish_lock(connection: Connection) -> None:
    # Updating one agreed row first makes concurrent publishes wait for each other (a row lock on PostgreSQL,
    # the database write lock on SQLite), so two publishes can never record the same change twice.
    connection.execute(meta.update().where(meta.c.key == "notify.publish_lock").values(value=utcnow().isoformat()))


def publish(settings: Settings, folder: Path | None = None, today: dt.date | None = None) -> PublishResult:
    today = today or dt.date.today()
    dataset = _refuse_dataset_with_errors(Path(folder or settings.dataset_dir), today)
    engine = engine_for(settings)
    with engine.begin() as connection:
        _take_publish_lock(connection)
        return _publish(connection, settings, dataset, today)


def _publish(connection: Connection, settings: Settings, dataset, today: dt.date) -> PublishResult:
    published = {(r.tool, r.plan, r.field): r.value for r in connection.execute(sa.select(published_values))}
    values = current_values(dataset.tools)
    baseline = not published
    found = [] if baseline else diff(dataset.tools, published, today)
    _store_values(connection, published, values)
    now = utcnow()
    if not baseline and not found:
        return PublishResult(False, [], 0, len(values))
    publication_id = connection.execute(
        publications.insert()
        .values(published_at=now, dataset_version=dataset.version, baseline=baseline, change_count=len(found))
        .returning(publications.c.id)
    ).scalar_one()
    for change in found:
        connection.execute(changes_table.insert().values(
            publication_id=publication_id, recorded_at=now,
            **{f.name: getattr(change, f.name) for f in fields(VerdictChange) if f.name not in RECORDED},
        ))
    queued = enqueue_change_emails(connection, settings, publication_id, found, now) if found else 0
    return PublishResult(baseline, found, queued, len(values))


def _store_values(connection: Connection, published: dict[Key, str], values: dict[Key, str]) -> None:
    """Make the published state equal the dataset: insert new keys, update changed ones, drop removed ones."""
    for key, value in values.items():
        tool, plan, field = key
        if key not in published:
            connection.execute(published_values.insert().values(tool=tool, plan=plan, field=field, value=value))
        elif published[key] != value:
            connection.execute(
                published_values.update()
                .where(published_values.c.tool == tool, published_values.c.plan == plan, published_values.c.field == field)
                .values(value=value)
            )
    for tool, plan, field in published.keys() - values.keys():
        connection.execute(
            published_values.delete()
            .where(published_values.c.tool == tool, published_values.c.plan == plan, published_values.c.field == field)
        )


def published_changes(engine: Engine, slug: str | None = None, limit: int | None = None) -> list[VerdictChange]:
    """Recorded changes, newest first (optionally of one tool): what /changes and the Atom feeds show."""
    query = sa.select(changes_table).order_by(changes_table.c.id.desc())
    if slug is not None:
        query = query.where(changes_table.c.tool == slug)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [VerdictChange(**{f.name: getattr(r, f.name) for f in fields(VerdictChange)}) for r in rows]
