"""Engine and migrations from settings: SQLite in the home folder by default, PostgreSQL for scale."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

from ..settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, wait_seconds: float = 30) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": wait_seconds, "check_same_thread": False})
        event.listen(engine, "connect", lambda connection, _record: _sqlite_pragmas(connection, wait_seconds))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, wait_seconds: float) -> None:
    # WAL lets the site read while a sender or monitor writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
    # Switching to WAL needs a lock even when the file is in WAL already, so only switch when it is not.
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process in WAL mode; fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema to the newest revision of every branch.

    Runs on one of our own connections, so a new SQLite file is switched to WAL before anyone else opens it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
            connection.commit()
    finally:
        engine.dispose()


@lru_cache(maxsize=8)
def _migrate_once(url: str) -> None:
    upgrade(url)


@lru_cache(maxsize=16)
def _engine(url: str, wait_seconds: float) -> Engine:
    return make_engine(url, wait_seconds)


def engine_for(settings: Settings) -> Engine:
    """The engine for these settings, with migrations applied once per process and database."""
    _migrate_once(settings.database_url)
    return _engine(settings.database_url, settings.db_wait_seconds)


def forget_engines() -> None:
    """Drop cached engines (tests that drop their databases call this)."""
    _engine.cache_clear()
    _migrate_once.cache_clear()
