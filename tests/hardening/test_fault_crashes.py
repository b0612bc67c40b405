"""Crashes half-way through writing: the disk fills while a snapshot is stored, a publish is killed mid-way.
Neither leaves a half-written version or change behind, and running again completes the work exactly once."""

from __future__ import annotations

import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from doesittrain.store.db import engine_for
from tests.hardening.support import PolicyServer, EXAMPLE_FILE

ROOT = Path(__file__).resolve().parents[2]


def run_child(code: str, env_settings: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with these settings in its environment."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("DOESITTRAIN_")}
    env.update({f"DOESITTRAIN_{k.upper()}": v for k, v in env_settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


# ---------------------------------------------------------------- disk full while storing a snapshot


def policy_page(words: int, seed: int) -> bytes:
    """A long policy whose words are random, so compression cannot make the snapshot small."""
    rng = random.Random(seed)
    vocabulary = [f"w{rng.getrandbits(40):x}" for _ in range(5000)]
    paragraphs = [" ".join(rng.choice(vocabulary) for _ in range(60)) + "." for _ in range(words // 60)]
    text = "We may use your content to train our models. " + "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><body><main><p>{text}</p></main></body></html>".encode()


PASS = """
import asyncio, json, resource, signal, sys
from doesittrain import settings
from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page
limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if limit:
    # Writes past the limit fail with EFBIG, which SQLite reports as a full disk; SIGXFSZ would kill us instead.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
results = asyncio.run(run_pass(settings.load(), [Document(key="policy", name="Policy", pages=(Page({url!r}),))]))
print(json.dumps([r.outcome for r in results]))
"""


def versions_and_snapshots(database: Path) -> tuple[list, dict]:
    from doesittrain.monitor import tables as t

    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        versions = connection.execute(sa.select(t.versions).order_by(t.versions.c.id)).all()
        snapshots = {r.sha256: r for r in connection.execute(sa.select(t.snapshots))}
    engine.dispose()
    return versions, snapshots


def test_a_full_disk_while_storing_a_snapshot_leaves_no_corrupt_version(tmp_path):
    pytest.importorskip("doesittrain.monitor.run", reason="the monitor is not built yet")
    database = tmp_path / "state.sqlite3"
    env = {"home": str(tmp_path / "home"), "database_url": f"sqlite:///{database}", "allow_private_addresses": "1",
           "secret_key": "t", "dataset": str(EXAMPLE_FILE.parent)}
    server = PolicyServer()
    server.body = policy_page(600, seed=1)
    first = run_child(PASS.replace("{url!r}", repr(server.url)), env)
    assert first.returncode == 0, first.stderr[-2000:]

    server.body = policy_page(24_000, seed=2)  # about 250 kB of snapshot that does not compress away
    size = database.stat().st_size + sum(p.stat().st_size for p in tmp_path.glob("state.sqlite3-*"))
    full = run_child(PASS.replace("{url!r}", repr(server.url)) .replace("sys.argv[1]", str(size + 64 * 1024))
                     .replace("len(sys.argv) > 1", "True"), env)
    assert full.returncode != 0 or "error" in full.stdout, "the write fit: the test did not fill the disk"
    assert "Traceback" not in full.stdout

    check = sqlite3.connect(database)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    versions, snapshots = versions_and_snapshots(database)
    assert len(versions) == 1, "a version was recorded although its snapshot could not be stored"
    for version in versions:
        for sha in json.loads(version.snapshots):
            assert zlib.decompress(snapshots[sha].body) and snapshots[sha].sha256 == sha

    again = run_child(PASS.replace("{url!r}", repr(server.url)), env)  # space is back
    server.httpd.shutdown()
    assert again.returncode == 0 and json.loads(again.stdout.strip().splitlines()[-1]) == ["changed"], again.stderr[-2000:]
    versions, snapshots = versions_and_snapshots(database)
    assert len(versions) == 2
    stored = snapshots[json.loads(versions[-1].snapshots)[0]]
    assert zlib.decompress(stored.body) == server.body


# ---------------------------------------------------------------- a publish killed half-way


# Killed once the owed emails are written, before the transaction commits.
PUBLISH_KILLED_AFTER_WRITING_ITS_EMAILS = """
import os, signal
from sqlalchemy import event
from doesittrain import settings
from doesittrain.publish import publish
from doesittrain.store.db import engine_for
s = settings.load()
@event.listens_for(engine_for(s), "after_cursor_execute")
def die_mid_publish(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO NOTIFY_OUTBOX"):
        os.kill(os.getpid(), signal.SIGKILL)
publish(s)
print("finished without being killed")
"""


def subscribe_confirmed(settings, address: str) -> None:
    from doesittrain.notify import subscriptions
    from doesittrain.notify.tables import outbox

    subscriptions.subscribe(settings, address, "exampleai", {"exampleai": "ExampleAI"})
    with engine_for(settings).connect() as connection:
        body = connection.execute(sa.select(outbox.c.body_text).where(outbox.c.kind == "confirm")
                                  .order_by(outbox.c.id.desc()).limit(1)).scalar_one()
    subscriptions.confirm(settings, re.search(r"/confirm/(\S+)", body).group(1))


def test_a_publish_killed_mid_way_is_completed_exactly_once_by_the_rerun(make_settings, database_url, tmp_path, mail_server):
    from doesittrain.notify.send import send_due
    from doesittrain.notify.tables import outbox
    from doesittrain.publish.tables import changes, publications
    from doesittrain.publish import publish

    folder = tmp_path / "dataset"
    folder.mkdir()
    shutil.copy(EXAMPLE_FILE, folder / "exampleai.yaml")
    settings = make_settings(database_url=database_url, dataset=str(folder), smtp_url=mail_server.url)
    publish(settings)  # the baseline
    readers = [f"reader{n}@example.org" for n in range(4)]
    for reader in readers:
        subscribe_confirmed(settings, reader)
    send_due(settings)
    mail_server.messages.clear()

    data = yaml.safe_load((folder / "exampleai.yaml").read_text())
    next(p for p in data["plans"] if p["id"] == "team")["zero_data_retention"] = "available"
    (folder / "exampleai.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    killed = run_child(PUBLISH_KILLED_AFTER_WRITING_ITS_EMAILS, {k: v for k, v in settings.values.items() if k != "smtp_url"})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr[-2000:]

    def counts() -> tuple[int, int, int]:
        with engine_for(settings).connect() as connection:
            return (connection.execute(sa.select(sa.func.count()).select_from(publications)).scalar_one(),
                    connection.execute(sa.select(sa.func.count()).select_from(changes)).scalar_one(),
                    connection.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.kind == "change")).scalar_one())

    assert counts() == (1, 0, 0), "the killed publish left part of its work behind"
    result = publish(settings)
    assert len(result.changes) == 1 and result.emails_queued == len(readers)
    assert publish(settings).changes == []  # a third run finds nothing left to do
    assert counts() == (2, 1, len(readers))
    send_due(settings)
    assert sorted(m[0][0] for m in mail_server.messages) == readers  # one email per reader
