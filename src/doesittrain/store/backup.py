"""Online, consistent backups of the state database, and restores from them.

SQLite: the backup API copies pages while others keep writing (WAL), giving a snapshot of one instant.
PostgreSQL: pg_dump in its custom format (a single transaction snapshot), restored with pg_restore.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..errors import UserError


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise UserError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432), "--dbname", parsed.database or "postgres"]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None)
    if not found:
        raise UserError(f"{name} is not installed (Debian package postgresql-client)")
    return str(found)


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    result = subprocess.run(command, env=os.environ | env, capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"{Path(command[0]).name} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}")


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target`, without stopping the site."""
    target = Path(target)
    if target.exists():
        raise UserError(f"{target}: already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise UserError(f"{source_path}: no database here yet")
        with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return target
    args, env = _pg_args(url)
    _run([_tool("pg_dump"), "--format=custom", "--file", str(target), *args], env)
    return target


def restore(url: str, backup_file: Path) -> None:
    """Replace the database at `url` with the contents of `backup_file`."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise UserError(f"{backup_file}: no such backup file")
    if url.startswith("sqlite"):
        with sqlite3.connect(backup_file) as source:
            try:
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError:
                raise UserError(f"{backup_file}: not a SQLite backup") from None
            target_path = _sqlite_path(url)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(target_path) as target:
                source.backup(target)
        return
    args, env = _pg_args(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *args, str(backup_file)], env)
