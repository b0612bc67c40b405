"""Settings that may fetch from the tests' loopback page server (the `page_server` fixture of tests/conftest.py)."""

from __future__ import annotations

import pytest

from doesittrain.monitor.fetch import Fetcher, Limits


@pytest.fixture
def monitor_settings(make_settings, database_url):
    """Settings on the parametrised database that may fetch loopback, with short timeouts."""
    return make_settings(database_url=database_url, allow_private_addresses="1", fetch_timeout="2")


@pytest.fixture
def fast_fetcher():
    """A fetcher factory with quick retries, so fault tests stay fast."""

    def make(settings, **overrides) -> Fetcher:
        limits = Limits.from_settings(settings)
        limits.backoff = 0.01
        limits.timeout = float(overrides.pop("timeout", limits.timeout))
        return Fetcher.from_settings(settings, limits=limits, **overrides)

    return make
