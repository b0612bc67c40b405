"""Rendered responses kept until the dataset (or the list of published changes) changes.

Pages are pure functions of the dataset and the published changes, so the key is that pair's version plus the URL.
The form token of the subscribe box differs per browser: pages are cached with a placeholder that each response
fills in, which keeps one cached copy per URL.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

CSRF_PLACEHOLDER = "__doesittrain_csrf_token__"


@dataclass
class Rendered:
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)


class RenderCache:
    """A bounded LRU of rendered bodies for one content version; a new version empties it."""

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self.version: str | None = None
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, version: str, key: str, make: Callable[[], Rendered]) -> Rendered:
        with self._lock:
            if version != self.version:
                self._entries.clear()
                self.version = version
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        rendered = make()  # outside the lock: two threads may render the same page once each, never wrongly
        with self._lock:
            self.misses += 1
            if version == self.version:
                self._entries[key] = rendered
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return rendered

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(app) -> RenderCache:
    cache = getattr(app.state, "render_cache", None)
    if cache is None:
        cache = app.state.render_cache = RenderCache()
    return cache
