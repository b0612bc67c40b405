"""Email delivery against a real SMTP server on loopback: the whole reader path, then the faults.

Each fault test ends the same way: every email owed is delivered, and no recipient holds two different
Message-IDs for one change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from doesittrain.notify import send
from doesittrain.notify.tables import addresses, outbox, utcnow
from doesittrain.publish import publish
from doesittrain.store.db import engine_for
from doesittrain.web.app import create_app
from notifyhelpers import (
    KNOWN,
    consumer_human_review_changed,
    edit_tool,
    eu_dpa_published,
    link_in,
    subscribe_confirmed,
    team_zdr_available,
)

TODAY = dt.date(2026, 11, 28)
LATER = dt.timedelta(days=1)  # far past any backoff of the first attempts


@pytest.fixture
def mail_settings(make_settings, database_url, smtp_server, dataset_dir):
    return make_settings(database_url=database_url, smtp_url=smtp_server.url, dataset=str(dataset_dir),
                         site_url="http://site.test")


def outbox_statuses(settings) -> dict[str, int]:
    with engine_for(settings).connect() as connection:
        rows = connection.execute(sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)).all()
    return dict(rows)


def assert_one_message_id_per_recipient(messages) -> None:
    ids = defaultdict(set)
    for message in messages:
        ids[(message["To"], message["Subject"])].add(message["Message-ID"])
    assert all(len(found) == 1 for found in ids.values()), ids


def test_whole_path_subscribe_confirm_notify_unsubscribe(mail_settings, smtp_server, dataset_dir):
    caught = smtp_server.catcher
    publish(mail_settings, dataset_dir, TODAY)  # baseline
    browser = TestClient(create_app(mail_settings), base_url="http://site.test")
    form = browser.get("/subscribe?tool=exampleai")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = browser.post("/subscribe", data={"email": "Reader@Example.org", "tool": "exampleai", "csrf_token": token})
    assert response.status_code == 200 and "Check your inbox" in response.text

    assert send.send_due(mail_settings).sent == 1
    [confirmation] = caught.messages
    assert confirmation["To"] == "reader@example.org"
    assert "ExampleAI" in confirmation["Subject"]
    assert "List-Unsubscribe" not in confirmation
    confirmed = browser.get(link_in(confirmation, "confirm"))
    assert confirmed.status_code == 200 and "Alert confirmed" in confirmed.text
    assert browser.get(link_in(confirmation, "confirm")).status_code == 404  # single use

    edit_tool(dataset_dir, "exampleai", eu_dpa_published)
    publish(mail_settings, dataset_dir, TODAY)
    assert send.send_due(mail_settings).sent == 1
    assert send.send_due(mail_settings).sent == 0  # nothing sent twice
    alert = caught.messages[-1]
    assert alert["To"] == "reader@example.org"
    assert alert["Subject"] == 'ExampleAI changed: Data processing agreement (Free / Plus in the EU/EEA and the UK) is now "DPA published"'
    text = alert.get_body(("plain",)).get_content()
    for expected in ("Before: DPA not documented", "Now:    DPA published", "Effective: 2026-11-20",
                     "The DPA now covers EU and UK consumers.",
                     '"Our Data Processing Addendum now also covers consumers in the EEA and the UK."',
                     "Source: https://example.com/business-data", "http://site.test/tools/exampleai"):
        assert expected in text
    html = alert.get_body(("html",)).get_content()
    assert "<strong>DPA published</strong>" in html
    unsubscribe_url = link_in(alert, "unsubscribe")
    assert alert["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"  # strip: a long header is folded
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A mail client's one-click unsubscribe: a bare POST, no cookie, no form token.
    mail_client = TestClient(create_app(mail_settings), base_url="http://site.test")
    response = mail_client.post(unsubscribe_url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Unsubscribed" in response.text
    with engine_for(mail_settings).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(addresses)).scalar_one() == 0

    edit_tool(dataset_dir, "exampleai", team_zdr_available)
    assert len(publish(mail_settings, dataset_dir, TODAY).changes) == 1
    assert send.send_due(mail_settings).sent == 0
    assert len(caught.messages) == 2


def _subscribers(settings, count: int) -> list[str]:
    addresses_ = [f"reader{n}@example.org" for n in range(count)]
    for address in addresses_:
        subscribe_confirmed(settings, address, "exampleai", KNOWN)
    return addresses_


def _owed_change(settings, dataset_dir, count: int) -> list[str]:
    """`count` confirmed subscribers (confirmation mails already delivered) and one published change owed to each."""
    readers = _subscribers(settings, count)
    publish(settings, dataset_dir, TODAY)
    with engine_for(settings).begin() as connection:  # the confirmation mails are not what these tests are about
        connection.execute(outbox.delete().where(outbox.c.kind == "confirm"))
    edit_tool(dataset_dir, "exampleai", eu_dpa_published)
    publish(settings, dataset_dir, TODAY)
    return readers


def _assert_everyone_got_it_once(readers, smtp_server, settings) -> None:
    caught = smtp_server.catcher
    assert sorted({m["To"] for m in caught.messages}) == sorted(readers)
    assert_one_message_id_per_recipient(caught.messages)
    assert outbox_statuses(settings) == {"sent": len(readers)}


def test_a_4xx_reply_is_retried_later_then_delivered(mail_settings, smtp_server, dataset_dir):
    readers = _owed_change(mail_settings, dataset_dir, 3)
    smtp_server.catcher.replies = ["451 4.3.0 Try again later"]
    first = send.send_due(mail_settings)
    assert (first.sent, first.retrying) == (2, 1)
    with engine_for(mail_settings).connect() as connection:
        row = connection.execute(sa.select(outbox).where(outbox.c.status == "pending")).one()
    assert row.attempts == 1 and row.last_error.startswith("451")
    assert row.next_attempt_at > utcnow()
    assert send.send_due(mail_settings).sent == 0  # not due yet: backoff
    assert send.send_due(mail_settings, now=utcnow() + LATER).sent == 1
    _assert_everyone_got_it_once(readers, smtp_server, mail_settings)


def test_a_5xx_reply_is_recorded_as_a_permanent_failure(mail_settings, smtp_server, dataset_dir):
    _owed_change(mail_settings, dataset_dir, 1)
    smtp_server.catcher.replies = ["550 5.1.1 <reader0@example.org>: No such mailbox"]
    assert send.send_due(mail_settings).failed == 1
    with engine_for(mail_settings).connect() as connection:
        row = connection.execute(sa.select(outbox)).one()
    # Recorded without the address the server echoed: addresses live in one table only.
    assert row.status == "failed" and row.last_error == "550 5.1.1 <(address)>: No such mailbox"
    assert send.send_due(mail_settings, now=utcnow() + LATER).sent == 0


def test_server_down_during_a_batch_then_back(mail_settings, smtp_server, dataset_dir):
    readers = _owed_change(mail_settings, dataset_dir, 6)
    smtp_server.catcher.drop_at = 2  # hangs up after two messages, then goes away entirely
    first = send.send_due(mail_settings)
    assert first.sent == 2 and first.server_unreachable
    smtp_server.stop()
    down = send.send_due(mail_settings, now=utcnow() + LATER)
    assert down.sent == 0 and down.server_unreachable
    smtp_server.catcher.drop_at = None
    smtp_server.start()
    assert send.send_due(mail_settings, now=utcnow() + LATER).sent == 4
    _assert_everyone_got_it_once(readers, smtp_server, mail_settings)


def _sender_process(settings) -> subprocess.Popen:
    env = {**os.environ, "DOESITTRAIN_HOME": settings.home, "DOESITTRAIN_DATABASE_URL": settings.database_url,
           "DOESITTRAIN_SMTP_URL": settings.smtp_url, "DOESITTRAIN_SECRET_KEY": settings.secret_key,
           "DOESITTRAIN_DATASET": settings.dataset, "DOESITTRAIN_SITE_URL": settings.site_url}
    return subprocess.Popen([sys.executable, "-m", "doesittrain", "notify", "send"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("killed_at", [1, 3])
def test_a_sender_killed_after_the_server_accepted_part_of_a_batch_resends_it_with_the_same_message_ids(
    mail_settings, smtp_server, dataset_dir, killed_at
):
    readers = _owed_change(mail_settings, dataset_dir, 6)
    process_holder: dict = {}

    def kill_sender_before_it_commits(message) -> None:
        # The server has `killed_at` messages of one batch; the sender dies before the batch's commit.
        if len(smtp_server.catcher.messages) == killed_at:
            os.kill(process_holder["process"].pid, signal.SIGKILL)
            process_holder["process"].wait(10)

    smtp_server.catcher.on_data = kill_sender_before_it_commits
    process_holder["process"] = _sender_process(mail_settings)
    assert process_holder["process"].wait(60) == -signal.SIGKILL
    assert len(smtp_server.catcher.messages) == killed_at
    assert outbox_statuses(mail_settings) == {"pending": 6}  # nothing recorded as sent that was not committed

    smtp_server.catcher.on_data = None
    assert send.send_due(mail_settings).sent == 6  # the next run, here in-process
    for first in smtp_server.catcher.messages[:killed_at]:
        copies = smtp_server.catcher.to(first["To"])
        assert len(copies) == 2 and copies[0]["Message-ID"] == copies[1]["Message-ID"]
    _assert_everyone_got_it_once(readers, smtp_server, mail_settings)


@pytest.mark.postgres
def test_two_senders_at_once_share_the_work_without_duplicates(make_settings, postgres_url, smtp_server, dataset_dir):
    settings = make_settings(database_url=postgres_url, smtp_url=smtp_server.url, dataset=str(dataset_dir))
    readers = _owed_change(settings, dataset_dir, 20)

    async def slow_server(message) -> None:
        await asyncio.sleep(0.05)  # long enough that both senders are mid-batch together

    smtp_server.catcher.on_data = slow_server
    senders = [_sender_process(settings) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in senders]
    assert [p.returncode for p in senders] == [0, 0], outputs
    assert len(smtp_server.catcher.messages) == 20
    _assert_everyone_got_it_once(readers, smtp_server, settings)
    shares = [int(out.split(" sent")[0]) for out, _ in outputs]
    assert sum(shares) == 20


@pytest.mark.postgres
def test_four_senders_one_killed_mid_batch_every_mail_still_arrives_under_one_message_id(
    make_settings, postgres_url, smtp_server, dataset_dir
):
    settings = make_settings(database_url=postgres_url, smtp_url=smtp_server.url, dataset=str(dataset_dir))
    readers = _owed_change(settings, dataset_dir, 120)
    senders: list[subprocess.Popen] = []
    killed = threading.Event()

    async def slow_server_that_loses_a_sender(message) -> None:
        await asyncio.sleep(0.005)
        if len(smtp_server.catcher.messages) >= 40 and not killed.is_set():
            killed.set()
            os.kill(senders[0].pid, signal.SIGKILL)  # mid-batch: it always holds one while it works

    smtp_server.catcher.on_data = slow_server_that_loses_a_sender
    senders.extend(_sender_process(settings) for _ in range(4))
    outputs = [p.communicate(timeout=120) for p in senders]
    assert senders[0].returncode == -signal.SIGKILL
    assert [p.returncode for p in senders[1:]] == [0, 0, 0], outputs

    smtp_server.catcher.on_data = None
    for _ in range(50):  # the killed sender's batch is released once PostgreSQL sees its connection close
        send.send_due(settings)
        if outbox_statuses(settings) == {"sent": len(readers)}:
            break
        time.sleep(0.2)
    _assert_everyone_got_it_once(readers, smtp_server, settings)
