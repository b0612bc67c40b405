"""The commands: publish, notify send, subscribers export/delete; and background delivery for `serve`."""

from __future__ import annotations

import asyncio
import json

import pytest
from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.notify.send import deliver_forever
from notifyhelpers import KNOWN, edit_tool, eu_dpa_published, subscribe_confirmed


@pytest.fixture
def env(settings, smtp_server, dataset_dir) -> dict[str, str]:
    return {
        "DOESITTRAIN_HOME": settings.home, "DOESITTRAIN_DATABASE_URL": settings.database_url,
        "DOESITTRAIN_SMTP_URL": smtp_server.url, "DOESITTRAIN_SECRET_KEY": settings.secret_key,
        "DOESITTRAIN_DATASET": str(dataset_dir),
    }


def run(env, *args):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_publish_reports_baseline_then_changes_then_nothing(env, settings, dataset_dir):
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)
    first = run(env, "publish", "--today", "2026-11-28")
    assert first.exit_code == 0 and "Baseline recorded: 24 published values. Nobody was notified." in first.output
    edit_tool(dataset_dir, "exampleai", eu_dpa_published)
    second = run(env, "publish", "--today", "2026-11-28")
    assert "exampleai · Free / Plus in the EU/EEA and the UK · dpa: unknown → public" in second.output
    assert "1 change(s) recorded; 1 email(s) queued." in second.output
    assert "Nothing changed since the last publish." in run(env, "publish", "--today", "2026-11-28").output


def test_publish_refuses_a_broken_dataset_with_file_line_and_field(env, dataset_dir):
    edit_tool(dataset_dir, "exampleai", lambda data: data["plans"][0].update(training="sometimes"))
    result = run(env, "publish", "--today", "2026-11-28")
    assert result.exit_code == 1
    assert "exampleai.yaml:" in result.output and "plans[0].training: 'sometimes' is not one of" in result.output


def test_notify_send_delivers_and_says_how_many(env, settings, smtp_server):
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)  # its confirmation mail is owed
    result = run(env, "notify", "send")
    assert result.exit_code == 0 and result.output.startswith("1 sent, 0 to retry, 0 failed for good")
    assert len(smtp_server.catcher.messages) == 1


def test_notify_send_without_a_mail_server_says_what_to_set(env):
    result = run({**env, "DOESITTRAIN_SMTP_URL": ""}, "notify", "send")
    assert result.exit_code == 1 and "DOESITTRAIN_SMTP_URL" in result.output


def test_subscribers_export_and_delete(env, settings):
    subscribe_confirmed(settings, "a@example.org", "all", KNOWN)
    exported = json.loads(run(env, "subscribers", "export", "a@example.org").output)
    assert exported["email"] == "a@example.org" and exported["subscriptions"][0]["tool"] == "all"
    assert "Deleted" in run(env, "subscribers", "delete", "a@example.org").output
    gone = run(env, "subscribers", "export", "a@example.org")
    assert gone.exit_code == 1 and "No such address is stored." in gone.output
    assert "not valid" in run(env, "subscribers", "delete", "nonsense").output


async def test_background_delivery_sends_until_stopped(make_settings, smtp_server, tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'background.sqlite3'}", smtp_url=smtp_server.url)
    await asyncio.to_thread(subscribe_confirmed, settings, "a@example.org", "exampleai", KNOWN)
    stop = asyncio.Event()
    task = asyncio.create_task(deliver_forever(settings, stop, interval=0.05))
    for _ in range(100):
        if smtp_server.catcher.messages:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(smtp_server.catcher.messages) == 1


def test_the_site_delivers_in_the_background_when_a_mail_server_is_set(make_settings, smtp_server, tmp_path):
    import time

    from starlette.testclient import TestClient

    from doesittrain.web.app import create_app

    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'site.sqlite3'}", smtp_url=smtp_server.url)
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)
    with TestClient(create_app(settings, deliver_in_background=True)):
        deadline = time.monotonic() + 5
        while not smtp_server.catcher.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(smtp_server.catcher.messages) == 1
