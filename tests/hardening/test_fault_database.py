"""The database goes away under the site: a SQLite file locked by another process, a PostgreSQL server restarted
mid-request. The site answers 503 with Retry-After while it is gone and serves again by itself once it is back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from doesittrain.notify.tables import addresses
from doesittrain.store.db import engine_for
from doesittrain.web.app import create_app
from tests.hardening.support import form_token

READABLE_503 = "busy or restarting"


def site_client(settings) -> TestClient:
    # The app's error handler answers 503; Starlette then re-raises for the server's log, which a test client
    # would turn into an exception.
    return TestClient(create_app(settings), raise_server_exceptions=False)


def subscribe(client, email: str, timeout: float | None = None):
    token = form_token(client)
    return client.post("/subscribe", data={"email": email, "tool": "all", "csrf_token": token}, timeout=timeout)


def in_thread(function):
    """Run `function` in a thread; returns a callable that waits for and gives its result."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", function()), daemon=True)
    thread.start()

    def result(timeout: float):
        thread.join(timeout)
        return box.get("result")

    return result


# ---------------------------------------------------------------- SQLite


def hold_exclusive_lock(path: str) -> sqlite3.Connection:
    """Another connection's exclusive transaction: in a WAL database it keeps every other writer out."""
    holder = sqlite3.connect(path, timeout=5, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE IF NOT EXISTS lock_probe (x)")
    return holder


@pytest.fixture
def sqlite_site(make_settings, tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'state.sqlite3'}", rate_limit_per_minute="1000")
    engine_for(settings)  # migrated before the lock is taken
    return settings


def test_a_short_lock_is_waited_out(sqlite_site):
    client = site_client(sqlite_site)
    holder = hold_exclusive_lock(sqlite_site.database_url.split("///", 1)[1])
    answer = in_thread(lambda: subscribe(client, "a@example.org"))
    time.sleep(0.5)
    holder.close()
    response = answer(20)
    assert response is not None and response.status_code == 200


def test_a_locked_database_answers_503_with_retry_after_promptly(sqlite_site):
    client = site_client(sqlite_site)
    holder = hold_exclusive_lock(sqlite_site.database_url.split("///", 1)[1])
    answer = in_thread(lambda: subscribe(client, "a@example.org"))
    try:
        response = answer(3)
    finally:
        holder.close()
        answer(40)
    assert response is not None, "no answer within 3 s"
    assert response.status_code == 503 and int(response.headers["retry-after"]) > 0


def test_the_site_recovers_alone_after_the_lock_is_released(sqlite_site):
    client = site_client(sqlite_site)
    assert subscribe(client, "before@example.org").status_code == 200
    holder = hold_exclusive_lock(sqlite_site.database_url.split("///", 1)[1])
    assert client.get("/tools/exampleai").status_code == 200  # pages need no database and keep answering
    holder.close()
    assert subscribe(client, "after@example.org").status_code == 200


# ---------------------------------------------------------------- PostgreSQL

PG_BIN = os.environ.get("DOESITTRAIN_TEST_PG_BIN", "")
PG_DATA = os.environ.get("DOESITTRAIN_TEST_PG_DATA", "")


def pg_ctl(*args: str) -> None:
    command = [f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-l", str(Path(PG_DATA).parent / "log"), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=60)


def wait_for_server(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
            return
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def restartable_postgres_url():
    """A database of its own, created and dropped through engines that survive the restart (pre-ping), so the
    shared fixtures' pooled connections are never the ones the restart cut."""
    server = os.environ.get("DOESITTRAIN_TEST_POSTGRES_URL", "")
    if not (server and PG_BIN and PG_DATA and shutil.which("runuser" if os.geteuid() == 0 else "true")):
        pytest.skip("runs under scripts/test, which exports DOESITTRAIN_TEST_PG_BIN and DOESITTRAIN_TEST_PG_DATA")
    name = "t_restart_" + os.urandom(6).hex()
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + "/" + name
    from doesittrain.store import db

    db.forget_engines()
    try:
        wait_for_server(server)
    except sa.exc.OperationalError:  # the restart failed half-way: bring the shared server back for the others
        pg_ctl("start", "-w")
        wait_for_server(server)
    with admin.connect() as connection:
        connection.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.mark.postgres
def test_a_postgresql_restart_mid_request_is_a_503_then_the_site_recovers(make_settings, restartable_postgres_url):
    postgres_url = restartable_postgres_url
    settings = make_settings(database_url=postgres_url, rate_limit_per_minute="1000")
    client = site_client(settings)
    assert subscribe(client, "before@example.org").status_code == 200
    # Hold the table, so the next subscribe is inside the database, waiting, when the server goes down.
    blocker = sa.create_engine(postgres_url).connect()
    blocker.execute(sa.text(f"LOCK TABLE {addresses.name} IN ACCESS EXCLUSIVE MODE"))
    answer = in_thread(lambda: subscribe(client, "during@example.org"))
    deadline = time.monotonic() + 10
    with sa.create_engine(postgres_url).connect() as watcher:
        while not watcher.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
            assert time.monotonic() < deadline, "the request never reached the database"
            time.sleep(0.05)
    try:
        pg_ctl("restart", "-m", "fast", "-w")
    finally:
        wait_for_server(postgres_url)
    response = answer(30)
    blocker.invalidate()
    assert response is not None
    assert response.status_code == 503 and int(response.headers["retry-after"]) > 0
    assert READABLE_503 in response.text
    assert subscribe(client, "after@example.org").status_code == 200  # the pool reconnects by itself
    with engine_for(settings).connect() as connection:
        stored = set(connection.execute(sa.select(addresses.c.email)).scalars())
    assert stored == {"before@example.org", "after@example.org"}
