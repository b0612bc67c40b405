"""Rate limits in the state database: one mechanism for subscribe requests and the admin lockout, shared by every
worker process (shown with two real `serve` processes on one PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
import sqlalchemy as sa

from doesittrain.notify.tables import utcnow
from doesittrain.store.db import engine_for, upgrade
from doesittrain.web import ratelimit
from doesittrain.web.ratelimit import RateLimit
from doesittrain.web.security import RateLimited
from doesittrain.web.tables import rate_limits

T0 = dt.datetime(2026, 11, 28, 12, 0, 0)
MINUTE = dt.timedelta(minutes=1)


def test_the_limit_is_allowed_then_refused_with_retry_after(settings):
    limit = RateLimit("test", 3, MINUTE)
    for second in range(3):
        limit.hit(settings, "client-a", now=T0 + dt.timedelta(seconds=second))
    with pytest.raises(RateLimited) as refused:
        limit.hit(settings, "client-a", now=T0 + dt.timedelta(seconds=20))
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "40"}  # the window began with the first hit
    limit.hit(settings, "client-b", now=T0)  # other keys are counted apart
    RateLimit("other", 3, MINUTE).hit(settings, "client-a", now=T0)  # and so are other limits


def test_a_new_window_starts_once_the_old_one_has_ended(settings):
    limit = RateLimit("test", 1, MINUTE)
    limit.hit(settings, "k", now=T0)
    with pytest.raises(RateLimited):
        limit.hit(settings, "k", now=T0 + dt.timedelta(seconds=59))
    limit.hit(settings, "k", now=T0 + MINUTE)
    with pytest.raises(RateLimited) as refused:
        limit.hit(settings, "k", now=T0 + MINUTE + dt.timedelta(seconds=1))
    assert refused.value.retry_after == 59


def test_check_refuses_a_used_up_key_without_counting(settings):
    lockout = RateLimit("lockout", 2, MINUTE, "Locked out.")
    lockout.check(settings, "k", now=T0)
    lockout.count(settings, "k", now=T0)
    lockout.check(settings, "k", now=T0)
    lockout.count(settings, "k", now=T0)
    with pytest.raises(RateLimited, match="Locked out."):
        lockout.check(settings, "k", now=T0)
    assert lockout.count(settings, "k", now=T0)[0] == 3  # check itself added nothing
    lockout.check(settings, "k", now=T0 + MINUTE)  # the lockout ends with its window


def test_keys_are_stored_as_hashes_and_ended_windows_are_swept(settings, monkeypatch):
    limit = RateLimit("test", 5, MINUTE)
    for n in range(20):
        limit.hit(settings, f"someone{n}@example.org", now=T0)
    with engine_for(settings).connect() as connection:
        stored = connection.execute(sa.select(rate_limits.c.key_hash)).scalars().all()
    assert len(stored) == 20 and not any("@" in key for key in stored)
    monkeypatch.setattr(ratelimit, "SWEEP_CHANCE", 1.0)
    limit.hit(settings, "late", now=T0 + 2 * MINUTE)
    with engine_for(settings).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(rate_limits)).scalar_one() == 1


def test_clear_forgets_only_its_own_limit(settings):
    RateLimit("a", 1, MINUTE).hit(settings, "k", now=utcnow())
    RateLimit("b", 1, MINUTE).hit(settings, "k", now=utcnow())
    RateLimit("a", 1, MINUTE).clear(settings)
    RateLimit("a", 1, MINUTE).hit(settings, "k")
    with pytest.raises(RateLimited):
        RateLimit("b", 1, MINUTE).hit(settings, "k")


# ---------------------------------------------------------------- two worker processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port), "--workers", "1"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/subscribe", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{base} did not answer"
        time.sleep(0.2)


def form_token(client: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture
def two_workers(postgres_url, tmp_path, example_dataset):
    """Two `serve` processes on one PostgreSQL, each with its own browser session."""
    env = dict(os.environ, DOESITTRAIN_HOME=str(tmp_path / "home"), DOESITTRAIN_DATABASE_URL=postgres_url,
               DOESITTRAIN_DATASET=str(example_dataset), DOESITTRAIN_SECRET_KEY="shared",
               DOESITTRAIN_ADMIN_PASSWORD="right one", DOESITTRAIN_RATE_LIMIT_PER_MINUTE="4",
               DOESITTRAIN_SMTP_URL="console:")  # alerts are on; the confirmation mails go to the console
    upgrade(postgres_url)  # once, before both start, as a deployment runs `doesittrain db upgrade`
    servers = [start_serve(env) for _ in range(2)]
    try:
        for _, base in servers:
            wait_until_serving(base)
        clients = [httpx.Client(base_url=base, timeout=10) for _, base in servers]
        yield clients
        for client in clients:
            client.close()
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.postgres
def test_two_worker_processes_share_the_subscribe_limit(two_workers):
    codes = []
    for n in range(5):
        client = two_workers[n % 2]
        token = form_token(client, "/subscribe")
        response = client.post("/subscribe", data={"email": f"reader{n}@example.org", "tool": "all", "csrf_token": token})
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 200, 429]  # 4 a minute in all, not 4 per process
    assert 0 < int(response.headers["retry-after"]) <= 60


@pytest.mark.postgres
def test_two_worker_processes_share_the_admin_lockout(two_workers):
    def sign_in(client: httpx.Client, password: str) -> int:
        token = form_token(client, "/admin/login")
        return client.post("/admin/login", data={"password": password, "csrf_token": token}).status_code

    assert [sign_in(two_workers[n % 2], "wrong") for n in range(5)] == [401] * 5
    assert sign_in(two_workers[0], "right one") == 429
    assert sign_in(two_workers[1], "right one") == 429  # locked out on both, right password or not
