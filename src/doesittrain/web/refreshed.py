"""State the site reads from its database now and then, not on every request: published changes, the monitor's
findings. Each is kept on the app, re-read at most every few seconds, and a failed read serves a fallback."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Refreshed(Generic[T]):
    """`read()`'s answer, re-read at most every `seconds`; `fallback` while the database cannot answer."""

    def __init__(self, read: Callable[[], T], fallback: T, what: str, seconds: float):
        self._read, self._fallback, self._what, self._seconds = read, fallback, what, seconds
        self._value = fallback
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if time.monotonic() - self._read_at >= self._seconds:
                self._value = self._read_safely()
                self._read_at = time.monotonic()
            return self._value

    def _read_safely(self) -> T:
        try:
            return self._read()
        except Exception as exc:  # the site keeps serving the dataset alone when its state is unreachable
            log.warning("%s unavailable: %s", self._what, exc)
            return self._fallback


def kept_on(app, name: str, make: Callable[[], Refreshed[T]]) -> Refreshed[T]:
    """The app's one Refreshed under `name`, made on first use."""
    value = getattr(app.state, name, None)
    if value is None:
        value = make()
        setattr(app.state, name, value)
    return value
