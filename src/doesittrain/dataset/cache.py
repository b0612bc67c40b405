"""A cache of what `check` found in each file, keyed by the file's name and content, so a re-check parses only
the files that changed. It is dropped whole when the checking code or the libraries it relies on change."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

# The modules whose code decides what `check` reports; any edit to them invalidates the cache.
_CHECKING_CODE = ("check.py", "load.py", "schema.py", "cache.py", "../yamlfile.py")


def code_version() -> str:
    digest = hashlib.sha256()
    for name in _CHECKING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    for package in ("doesittrain", "pydantic", "pydantic-core", "PyYAML"):
        digest.update(f"{package}={version(package)};".encode())
    return digest.hexdigest()


class FindingsCache:
    """JSON values by key in one file; no file means no caching. A damaged or foreign file counts as empty."""

    def __init__(self, path: Path | None, code: str, entries: dict[str, Any]):
        self.path = path
        self.code = code
        self.entries = entries

    @classmethod
    def open(cls, path: Path | None) -> "FindingsCache":
        if path is None:
            return cls(None, "", {})
        code = code_version()
        try:
            stored = json.loads(path.read_bytes())
        except (OSError, ValueError):
            stored = {}
        entries = stored.get("files", {}) if isinstance(stored, dict) and stored.get("code") == code else {}
        return cls(path, code, entries if isinstance(entries, dict) else {})

    @staticmethod
    def key(name: str, content: bytes) -> str:
        return hashlib.sha256(name.encode() + b"\0" + content).hexdigest()

    def get(self, key: str) -> Any | None:
        return self.entries.get(key)

    def save(self, entries: dict[str, Any]) -> None:
        """Keep exactly `entries` (the files of this check), written atomically; a cache that cannot be written
        is skipped, since it only saves time."""
        if self.path is None or entries == self.entries:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, suffix=".tmp", delete=False, encoding="utf-8") as out:
                json.dump({"code": self.code, "files": entries}, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(out.name, self.path)
        except OSError:
            return
