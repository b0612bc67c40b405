"""Caches keyed by each tool file's name and content, so unchanged files are not parsed again: what `check` found
in each file (JSON), and the validated tools a build starts from (a pickle). Both are dropped whole when
the code that reads the files or the libraries it relies on change, and both only save time: a cache that cannot be
read counts as empty, one that cannot be written is skipped."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .schema import Tool

# The modules whose code decides what `check` reports; any edit to them invalidates the cache.
_CHECKING_CODE = ("check.py", "load.py", "schema.py", "cache.py", "../yamlfile.py")


def code_version() -> str:
    digest = hashlib.sha256()
    for name in _CHECKING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    for package in ("doesittrain", "pydantic", "pydantic-core", "PyYAML"):
        digest.update(f"{package}={version(package)};".encode())
    return digest.hexdigest()


def file_key(name: str, content: bytes) -> str:
    return hashlib.sha256(name.encode() + b"\0" + content).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step, so a reader never sees half a cache; skipped if it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(data)
        os.replace(out.name, path)
    except OSError:
        return


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

    def get(self, key: str) -> Any | None:
        return self.entries.get(key)

    def save(self, entries: dict[str, Any]) -> None:
        """Keep exactly `entries` (the files of this check), written atomically; a cache that cannot be written
        is skipped, since it only saves time."""
        if self.path is None or entries == self.entries:
            return
        data = json.dumps({"code": self.code, "files": entries}, ensure_ascii=False, separators=(",", ":"))
        write_atomically(self.path, data.encode())


class ToolsCache:
    """Validated tools by file key, each pickled on its own, in one file: a build whose files did not change starts
    without parsing YAML (about 1 ms a file, against 0.1 to unpickle a tool). Saving after one file changed pickles
    only that tool, and no memo of the whole dataset is held while writing. Only files without problems are kept,
    so a broken file is always read again and reported with its lines. The file sits in the site's home folder
    beside its database and secret key, and is trusted as they are."""

    def __init__(self, path: Path, code: str, pickled: dict[str, bytes]):
        self.path = path
        self.code = code
        self.pickled = pickled

    @classmethod
    def open(cls, path: Path) -> "ToolsCache":
        code = code_version()
        try:
            stored = pickle.loads(path.read_bytes())
        except Exception:  # missing, damaged, or pickled by other code: any of these only means "parse again"
            stored = None
        fresh = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == code and isinstance(stored[1], dict)
        return cls(path, code, stored[1] if fresh else {})

    def get(self, key: str) -> Tool | None:
        data = self.pickled.get(key)
        if data is None:
            return None
        try:
            tool = pickle.loads(data)
        except Exception:  # a damaged entry: parse that file again
            tool = None
        if not isinstance(tool, Tool):
            del self.pickled[key]  # so that `save` writes the file's new entry
            return None
        return tool

    def save(self, tools: dict[str, Tool]) -> None:
        """Keep exactly `tools` (the files just loaded)."""
        if tools.keys() == self.pickled.keys():
            return
        pickled = {key: self.pickled.get(key) or pickle.dumps(tool, protocol=pickle.HIGHEST_PROTOCOL)
                   for key, tool in tools.items()}
        write_atomically(self.path, pickle.dumps((self.code, pickled), protocol=pickle.HIGHEST_PROTOCOL))
