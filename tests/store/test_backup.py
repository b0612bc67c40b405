"""`doesittrain db backup` and `restore`: a consistent copy taken while writes go on, restored intact."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.store.db import engine_for


def _env(settings) -> dict[str, str]:
    return {"DOESITTRAIN_DATABASE_URL": settings.database_url, "DOESITTRAIN_HOME": str(settings.home_dir)}


def test_backup_and_restore_round_trip_while_writes_continue(settings, tmp_path):
    engine = engine_for(settings)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO meta (key, value) VALUES ('before', '1')"))
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set() and n < 2000:
            with engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO meta (key, value) VALUES (:k, 'x')"), {"k": f"w{n}"})
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = CliRunner().invoke(cli, ["db", "backup", str(tmp_path / "copy.backup")], env=_env(settings))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output

    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM meta"))
    result = CliRunner().invoke(cli, ["db", "restore", "--yes", str(tmp_path / "copy.backup")], env=_env(settings))
    assert result.exit_code == 0, result.output
    engine.dispose()
    with engine.connect() as connection:
        keys = set(connection.execute(sa.text("SELECT key FROM meta")).scalars())
    assert "before" in keys
    written = sorted(int(k[1:]) for k in keys if k.startswith("w"))
    assert written == list(range(len(written))), "a backup must be one instant: no gaps in the sequence"


def test_backup_refuses_to_overwrite_and_restore_names_a_missing_file(settings, tmp_path):
    engine_for(settings)
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    result = CliRunner().invoke(cli, ["db", "backup", str(target)], env=_env(settings))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_text() == "keep me"
    result = CliRunner().invoke(cli, ["db", "restore", "--yes", str(tmp_path / "missing.backup")], env=_env(settings))
    assert result.exit_code == 1
    assert "no such backup file" in result.output
