"""YAML files -> validated `Tool` models, with every problem reported as `file:line: field.path: message`."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pydantic import ValidationError

from ..yamlfile import InvalidYaml, format_path, line_of, parse
from .cache import ToolsCache, file_key
from .schema import Tool

if TYPE_CHECKING:
    from ..settings import Settings


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        label = "" if self.severity == "error" else " warning:"
        subject = f" {self.path}:" if self.path else ""
        return f"{where}{label}{subject} {self.message}"


def _data_path(data: Any, loc: tuple) -> tuple:
    """Keep only the parts of a pydantic error location that exist in the data (drops union tags)."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not path[-1:] == [part]:
            # a missing field: name it, then stop
            if part.isidentifier() and part not in {"str", "int", "float", "bool", "list", "dict"} and "[" not in part:
                path.append(part)
            break
        else:
            continue
    return tuple(path)


def _shown(value: Any) -> str:
    """A value for a message: short, and safe on nested aliases, whose full repr grows exponentially."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _message(error: dict) -> str:
    kind = error["type"]
    value = _shown(error.get("input"))
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        options = ", ".join(o.strip().strip("'") for o in expected.replace(" or ", ", ").split(","))
        return f"{value} is not one of {options}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this format (check the spelling)"
    if kind == "literal_error":
        return f"{value} is not allowed: {error['msg'][0].lower()}{error['msg'][1:]}"
    return error["msg"][0].lower() + error["msg"][1:]


def _best_errors(errors: list[dict], data: Any) -> list[tuple[tuple, str]]:
    """One message per field: a union reports each branch; keep the most telling one."""
    chosen: dict[tuple, str] = {}
    for error in errors:
        path = _data_path(data, error["loc"])
        message = _message(error)
        if path not in chosen or error["type"] == "enum":
            chosen[path] = message
    return sorted(chosen.items(), key=lambda item: str(item[0]))


@dataclass
class LoadedFile:
    path: Path
    tool: Tool | None
    lines: dict[tuple, int]
    problems: list[Problem] = field(default_factory=list)
    key: str = ""  # the file's name and content hashed, when a cache was used (a build's incremental key)


def load_file(path: Path, display: str | None = None, keep_lines: bool = True) -> LoadedFile:
    try:
        content = path.read_bytes()
    except OSError as exc:
        return LoadedFile(path, None, {}, [Problem(display or str(path), 1, "", f"cannot be read: {exc}")])
    return load_text(path, content, display, keep_lines)


def load_text(path: Path, content: bytes, display: str | None = None, keep_lines: bool = True) -> LoadedFile:
    """`load_file` of content already read (the check reads each file once, to hash and to parse it)."""
    shown = display or str(path)
    try:
        parsed = parse(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return LoadedFile(path, None, {}, [Problem(shown, 1, "", f"cannot be read: {exc}")])
    except InvalidYaml as exc:
        return LoadedFile(path, None, {}, [Problem(shown, exc.line, "", f"is not valid YAML: {exc.reason}")])
    data, lines = parsed.data, parsed.lines
    if not isinstance(data, dict):
        return LoadedFile(path, None, lines, [Problem(shown, 1, "", "must be a mapping of tool fields")])
    try:
        tool = Tool.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(shown, line_of(lines, p), format_path(p), message)
            for p, message in _best_errors(exc.errors(), data)
        ]
        return LoadedFile(path, None, lines, problems)
    # The line index only serves to report problems; a site serving 10,000 tools need not keep it.
    return LoadedFile(path, tool, lines if keep_lines else {})


@dataclass
class Dataset:
    """Every tool of a dataset folder, plus a version that changes whenever any file does."""

    folder: Path
    files: list[LoadedFile]
    version: str

    @cached_property
    def tools(self) -> dict[str, Tool]:
        # Built once: pages read it several times per request, and with 10,000 tools rebuilding it dominated.
        return {f.tool.slug: f.tool for f in self.files if f.tool is not None}

    @cached_property
    def tools_by_name(self) -> list[Tool]:
        return sorted(self.tools.values(), key=lambda t: t.name.casefold())

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]


def dataset_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def dataset_version(folder: Path) -> str:
    return _version((path.name, path.read_bytes()) for path in dataset_files(folder))


def _version(named_contents: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in named_contents:
        digest.update(name.encode())
        digest.update(content)
    return digest.hexdigest()[:16]


def load_dataset(folder: Path, keep_lines: bool = True, cache: Path | None = None, parallel: bool = False) -> Dataset:
    """Load every tool file; `keep_lines=False` when the dataset is only served or built, not checked.

    With `cache` (a `ToolsCache` file; only without lines), tools whose file is unchanged are taken from it, and
    with `parallel` many files left to parse are parsed in one process per CPU (a caller that runs threads leaves
    it off: forking a threaded process is not safe).
    """
    with collector_paused():
        return _load_dataset(Path(folder), keep_lines, cache, parallel)


@contextmanager
def collector_paused():
    """Loading creates hundreds of thousands of objects that all live on; with the cyclic collector running, each
    collection walked them again (a third of the time to parse a dataset, five sixths of the time to unpickle one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_dataset(folder: Path, keep_lines: bool, cache: Path | None, parallel: bool) -> Dataset:
    paths = dataset_files(folder)
    if cache is None or keep_lines:
        return Dataset(folder, [load_file(p, display_name(p), keep_lines) for p in paths], dataset_version(folder))
    contents = [_read(path) for path in paths]
    keys = [file_key(path.name, content) for path, content in zip(paths, contents)]
    cached = ToolsCache.open(cache)
    known = [cached.get(key) for key in keys]
    files: list[LoadedFile | None] = [LoadedFile(p, tool, {}, key=k) if tool else None
                                      for p, k, tool in zip(paths, keys, known)]
    missing = [i for i, loaded in enumerate(files) if loaded is None]
    parse = in_processes if parallel else (lambda function, items: [function(*item) for item in items])
    for i, loaded in zip(missing, parse(_parse_without_lines, [(paths[i], contents[i]) for i in missing])):
        files[i] = replace(loaded, key=keys[i])
    cached.save({key: f.tool for key, f in zip(keys, files) if f.tool is not None and not f.problems})
    return Dataset(folder, files, _version((path.name, content) for path, content in zip(paths, contents)))


def load_for_build(settings: "Settings") -> Dataset:
    """The dataset as a build reads it: without line marks, unchanged files from the home folder's cache, the rest
    parsed in one process per CPU. (`serve` parses instead: unpickled, 10,000 tools took a worker from 448 to 531 MiB,
    past its 500 MiB budget, since an unpickled model's attributes no longer share their keys; and its threads rule
    out forking.)"""
    return load_dataset(settings.dataset_dir, keep_lines=False, cache=settings.cache_dir / "tools.pickle", parallel=True)


def _read(path: Path) -> bytes:
    """A file's bytes; one that cannot be read counts as empty here and is reported when it is parsed."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parse_without_lines(path: Path, content: bytes) -> LoadedFile:
    return load_file(path, display_name(path), keep_lines=False) if not content else \
        load_text(path, content, display_name(path), keep_lines=False)


# Below this many files one process is quicker than starting others.
PARALLEL_FROM_FILES = 400


def in_processes(function: Callable, items: list[tuple]) -> list:
    """`function(*item)` for each item, in order; in one forked process per CPU when there are enough items to pay
    for starting them (parsing YAML is CPU-bound, so threads would not help)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_FROM_FILES or workers < 2:
        return [function(*item) for item in items]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, *zip(*items), chunksize=max(16, len(items) // (workers * 8))))


def display_name(path: Path) -> str:
    """A path as messages show it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
