"""Publish: the dataset against the last published state, one transaction of change records and outbox rows."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from doesittrain.errors import UserError
from doesittrain.notify import outbox as outbox_module
from doesittrain.notify import subscriptions
from doesittrain.notify.tables import outbox
from doesittrain.publish.tables import changes, publications
from doesittrain.publish import publish, published_changes
from doesittrain.store.db import engine_for

EXAMPLE_FILE = Path(__file__).parent / "fixtures" / "dataset" / "exampleai.yaml"
TODAY = dt.date(2026, 11, 28)
KNOWN = {"exampleai": "ExampleAI", "otherai": "OtherAI"}


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(EXAMPLE_FILE, folder / "exampleai.yaml")
    return folder


def edit(folder: Path, change, slug: str = "exampleai") -> None:
    path = folder / f"{slug}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def plan(data: dict, plan_id: str) -> dict:
    return next(p for p in data["plans"] if p["id"] == plan_id)


def eu_dpa_published(data: dict) -> None:
    plan(data, "consumer")["regional"][0]["dpa"] = "public"
    data["evidence"].append({
        "plans": ["consumer"], "regions": ["EU", "UK"], "field": "dpa", "source": "business",
        "quote": "Our Data Processing Addendum now also covers consumers in the EEA and the UK.",
        "supports": "EU consumers are covered by the DPA.",
    })
    data["history"].append({
        "date": "2026-11-20", "plan": "consumer", "region": "EU", "field": "dpa", "before": "unknown", "after": "public",
        "note": "The DPA now covers EU and UK consumers.", "source": "business",
    })


def team_zdr_available(data: dict) -> None:
    plan(data, "team")["zero_data_retention"] = "available"


def add_other_tool(folder: Path) -> None:
    data = yaml.safe_load(EXAMPLE_FILE.read_text())
    data.update(slug="otherai", name="OtherAI", aliases=["other chat"])
    (folder / "otherai.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def subscribe_confirmed(settings, address: str, tool: str) -> None:
    subscriptions.subscribe(settings, address, tool, KNOWN)
    with engine_for(settings).connect() as connection:
        body = connection.execute(
            sa.select(outbox.c.body_text).where(outbox.c.kind == "confirm").order_by(outbox.c.id.desc()).limit(1)
        ).scalar_one()
    subscriptions.confirm(settings, re.search(r"/confirm/(\S+)", body).group(1))


def change_emails(settings) -> list:
    with engine_for(settings).connect() as connection:
        return connection.execute(sa.select(outbox).where(outbox.c.kind == "change").order_by(outbox.c.id)).all()


def test_the_first_publish_records_the_baseline_and_notifies_nobody(settings, folder):
    subscribe_confirmed(settings, "reader@example.org", "exampleai")
    result = publish(settings, folder, TODAY)
    assert result.baseline
    assert result.changes == []
    assert result.values == 4 * 6  # four plans, six fields each
    assert change_emails(settings) == []
    assert published_changes(engine_for(settings)) == []


def test_publishing_the_same_dataset_twice_records_nothing(settings, folder):
    publish(settings, folder, TODAY)
    again = publish(settings, folder, TODAY)
    assert not again.baseline and again.changes == []
    with engine_for(settings).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(publications)).scalar_one() == 1


def test_a_change_is_recorded_with_its_date_note_quote_and_source(settings, folder):
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    result = publish(settings, folder, TODAY)
    assert [(c.tool, c.plan, c.field, c.before, c.after) for c in result.changes] == [
        ("exampleai", "consumer@EU+UK", "dpa", "unknown", "public")
    ]
    [recorded] = published_changes(engine_for(settings))
    assert recorded.plan_name == "Free / Plus in the EU/EEA and the UK"
    assert recorded.date == dt.date(2026, 11, 20)
    assert recorded.note == "The DPA now covers EU and UK consumers."
    assert recorded.quote == "Our Data Processing Addendum now also covers consumers in the EEA and the UK."
    assert recorded.source_url == "https://example.com/business-data"
    assert publish(settings, folder, TODAY).changes == []  # and only once


def test_a_change_without_history_is_dated_on_the_publish_day(settings, folder):
    publish(settings, folder, TODAY)
    edit(folder, team_zdr_available)
    [change] = publish(settings, folder, TODAY).changes
    assert change.effective_date == TODAY
    assert change.note is None
    assert change.quote == "Enterprise workspaces can enable zero data retention."


def test_published_changes_come_newest_first_and_filter_by_tool(settings, folder):
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    publish(settings, folder, TODAY)
    add_other_tool(folder)
    publish(settings, folder, TODAY)  # a new tool is an addition, not a change
    edit(folder, team_zdr_available, "otherai")
    publish(settings, folder, TODAY)
    engine = engine_for(settings)
    assert [(c.tool, c.field) for c in published_changes(engine)] == [
        ("otherai", "zero_data_retention"), ("exampleai", "dpa")
    ]
    assert [c.tool for c in published_changes(engine, slug="exampleai")] == ["exampleai"]
    assert len(published_changes(engine, limit=1)) == 1


def test_several_changes_to_one_tool_make_one_email_per_subscriber(settings, folder):
    subscribe_confirmed(settings, "a@example.org", "exampleai")
    subscribe_confirmed(settings, "b@example.org", "exampleai")
    subscriptions.subscribe(settings, "pending@example.org", "exampleai", KNOWN)  # never confirmed
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    edit(folder, team_zdr_available)
    result = publish(settings, folder, TODAY)
    assert len(result.changes) == 2
    rows = change_emails(settings)
    assert result.emails_queued == len(rows) == 2
    assert all("Data processing agreement" in r.body_text and "Zero data retention" in r.body_text for r in rows)
    assert len({r.message_id for r in rows}) == 2


def test_emails_owed_beyond_one_insert_batch_are_all_written_once(settings, folder, monkeypatch):
    monkeypatch.setattr(outbox_module, "INSERT_BATCH", 2)
    readers = [f"reader{n}@example.org" for n in range(5)]
    for reader in readers:
        subscribe_confirmed(settings, reader, "exampleai")
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    result = publish(settings, folder, TODAY)
    rows = change_emails(settings)
    assert result.emails_queued == len(rows) == 5  # batches of 2, 2 and 1
    assert len({r.address_id for r in rows}) == 5 and len({r.message_id for r in rows}) == 5


def test_an_all_tools_subscriber_gets_one_digest_per_publish(settings, folder):
    add_other_tool(folder)
    subscribe_confirmed(settings, "all@example.org", "all")
    subscribe_confirmed(settings, "all@example.org", "exampleai")  # also follows one tool: still one email
    subscribe_confirmed(settings, "one@example.org", "otherai")
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    edit(folder, team_zdr_available, "otherai")
    publish(settings, folder, TODAY)
    rows = change_emails(settings)
    assert len(rows) == 2
    digest = next(r for r in rows if "ExampleAI" in r.body_text)
    assert "OtherAI" in digest.body_text and digest.subject == "2 AI tools changed what they do with your data"
    single = next(r for r in rows if r is not digest)
    assert "ExampleAI" not in single.body_text


def test_change_records_and_emails_are_written_together(settings, folder):
    subscribe_confirmed(settings, "a@example.org", "exampleai")
    publish(settings, folder, TODAY)
    edit(folder, eu_dpa_published)
    publish(settings, folder, TODAY)
    with engine_for(settings).connect() as connection:
        change_publication = connection.execute(sa.select(changes.c.publication_id)).scalar_one()
        email_publication = connection.execute(
            sa.select(outbox.c.publication_id).where(outbox.c.kind == "change")
        ).scalar_one()
    assert change_publication == email_publication


def test_a_dataset_with_check_errors_is_refused_naming_them(settings, folder):
    def broken(data):
        data["history"][0]["plan"] = "no-such-plan"

    edit(folder, broken)
    with pytest.raises(UserError) as refused:
        publish(settings, folder, TODAY)
    assert "exampleai.yaml" in refused.value.message
    assert "history[0].plan: no plan has id 'no-such-plan'" in refused.value.message
    with engine_for(settings).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(publications)).scalar_one() == 0
