"""The shared SQLAlchemy metadata. Each concern declares its tables beside its code (publish/tables.py,
notify/tables.py, monitor/tables.py, web/tables.py) on this metadata; migrations live in store/migrations, one
Alembic branch per concern.

Times are naive UTC everywhere (SQLite keeps no time zone), written by `utcnow()`."""

import datetime as dt

from sqlalchemy import Column, MetaData, String, Table, Text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Small facts about this installation, e.g. the generated secret key.
meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def load_all_tables() -> MetaData:
    """Import every concern's tables so the metadata is complete (for Alembic and tests)."""
    import importlib

    for module in ("doesittrain.publish.tables", "doesittrain.notify.tables", "doesittrain.monitor.tables",
                   "doesittrain.web.tables"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return metadata
