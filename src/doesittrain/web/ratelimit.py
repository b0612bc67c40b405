"""Rate limits kept in the state database, so every `serve` worker process counts against the same limit.

A limit allows `limit` hits per key in a fixed window of `per` that starts with the key's first hit. Each hit is one
atomic upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike), so two processes
hitting the same key at once both count. Used for subscribe requests and for the admin login lockout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..store.tables import utcnow
from ..settings import Settings
from ..store.db import engine_for
from .security import RateLimited
from .tables import rate_limits

SWEEP_CHANCE = 0.01  # about one hit in a hundred also deletes the windows that have ended


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    per: dt.timedelta
    message: str | None = None  # what a refused client reads; a generic "wait N seconds" when None

    def hit(self, settings: Settings, key: str, now: dt.datetime | None = None) -> None:
        """Count one hit for `key`; refuse it (429 with Retry-After) when it is over the limit."""
        now = now or utcnow()
        hits, resets_at = self.count(settings, key, now)
        if hits > self.limit:
            self._refuse(resets_at, now)

    def check(self, settings: Settings, key: str, now: dt.datetime | None = None) -> None:
        """Refuse when `key` has used up its hits already, without counting this one (e.g. a login attempt)."""
        now = now or utcnow()
        with engine_for(settings).connect() as connection:
            row = connection.execute(
                sa.select(rate_limits.c.hits, rate_limits.c.resets_at)
                .where(rate_limits.c.name == self.name, rate_limits.c.key_hash == _digest(key))
            ).first()
        if row is not None and row.resets_at > now and row.hits >= self.limit:
            self._refuse(row.resets_at, now)

    def count(self, settings: Settings, key: str, now: dt.datetime | None = None) -> tuple[int, dt.datetime]:
        """Add one hit; returns the hits in the current window and when it ends."""
        now = now or utcnow()
        with engine_for(settings).begin() as connection:
            if random.random() < SWEEP_CHANCE:
                connection.execute(rate_limits.delete().where(rate_limits.c.resets_at <= now))
            return self._upsert(connection, _digest(key), now)

    def clear(self, settings: Settings) -> None:
        """Forget every count of this limit."""
        with engine_for(settings).begin() as connection:
            connection.execute(rate_limits.delete().where(rate_limits.c.name == self.name))

    def _upsert(self, connection: Connection, key_hash: str, now: dt.datetime) -> tuple[int, dt.datetime]:
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        ended = rate_limits.c.resets_at <= now  # the stored window is over: this hit starts a new one
        statement = (
            insert(rate_limits)
            .values(name=self.name, key_hash=key_hash, hits=1, resets_at=now + self.per)
            .on_conflict_do_update(
                index_elements=[rate_limits.c.name, rate_limits.c.key_hash],
                set_={
                    "hits": sa.case((ended, 1), else_=rate_limits.c.hits + 1),
                    "resets_at": sa.case((ended, now + self.per), else_=rate_limits.c.resets_at),
                },
            )
            .returning(rate_limits.c.hits, rate_limits.c.resets_at)
        )
        row = connection.execute(statement).one()
        return row.hits, row.resets_at

    def _refuse(self, resets_at: dt.datetime, now: dt.datetime):
        raise RateLimited(int((resets_at - now).total_seconds() + 0.999), self.message)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
