"""What the monitor watches: every source URL cited in the dataset, plus the entries of a watch file.

A watch file is a YAML list; each entry has a `name` and either a `url` or a `combine` list of pages joined into
one document, with optional CSS `select` / `remove` selectors and `javascript: true` for pages that need a browser:

    - name: ChatGPT privacy policy
      url: https://openai.com/policies/privacy-policy/
      select: [main]
      remove: [".sr-only"]
    - name: Claude privacy policy
      combine:
        - url: https://www.anthropic.com/legal/privacy
        - url: https://www.anthropic.com/legal/non-user-privacy-policy
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import Field, HttpUrl, StringConstraints, ValidationError, model_validator

from ..dataset.load import Dataset
from ..dataset.schema import Strict
from ..errors import UserError
from ..yamlfile import InvalidYaml, format_path, line_of, parse
from .extract import EXTRACTOR_VERSION

BUNDLED_WATCH_FILE = Path(__file__).resolve().parent.parent / "data" / "watch.yaml"
Selectors = list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]]


class PageEntry(Strict):
    url: HttpUrl
    select: Selectors = Field(default_factory=list)
    remove: Selectors = Field(default_factory=list)
    javascript: bool = False


class WatchEntry(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    url: HttpUrl | None = None
    combine: list[PageEntry] = Field(default_factory=list)
    select: Selectors = Field(default_factory=list)
    remove: Selectors = Field(default_factory=list)
    javascript: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> "WatchEntry":
        if bool(self.url) == bool(self.combine):
            raise ValueError("give either `url` or `combine`, not both and not neither")
        return self


@dataclass(frozen=True)
class Page:
    url: str
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    javascript: bool = False


@dataclass(frozen=True)
class Document:
    """One watched document: one page, or several combined."""

    key: str
    name: str
    pages: tuple[Page, ...]
    tools: tuple[str, ...] = field(default=(), compare=False)

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.pages]

    @property
    def rules_hash(self) -> str:
        """Changes when the extraction rules change, so versions are re-derived as a technical upgrade."""
        rules = [[p.url, list(p.select), list(p.remove)] for p in self.pages]
        return hashlib.sha256(json.dumps([EXTRACTOR_VERSION, rules]).encode()).hexdigest()


def load_watch_file(path: Path) -> list[Document]:
    """Documents of a watch file; a UserError naming file, line and field on any problem."""
    try:
        parsed = parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    except InvalidYaml as exc:
        raise UserError(f"{path}:{exc.line}: is not valid YAML: {exc.reason}") from None
    if parsed.data is None:
        return []
    if not isinstance(parsed.data, list):
        raise UserError(f"{path}:1: a watch file is a list of entries (name, url or combine, select, remove)")
    documents = []
    for index, item in enumerate(parsed.data):
        try:
            entry = WatchEntry.model_validate(item)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = (index, *[p for p in error["loc"] if isinstance(p, (str, int))])
            raise UserError(f"{path}:{line_of(parsed.lines, where)}: {format_path(where)}: {error['msg']}") from None
        documents.append(_document(entry))
    return documents


def _document(entry: WatchEntry) -> Document:
    if entry.url:
        pages = (Page(str(entry.url), tuple(entry.select), tuple(entry.remove), entry.javascript),)
    else:
        pages = tuple(
            Page(str(p.url), tuple(p.select or entry.select), tuple(p.remove or entry.remove), p.javascript or entry.javascript)
            for p in entry.combine
        )
    return Document(key=entry.name, name=entry.name, pages=pages)


def dataset_documents(dataset: Dataset, only: str | None = None) -> list[Document]:
    """One document per distinct source URL cited in the dataset (or in one tool of it)."""
    by_url: dict[str, Document] = {}
    for slug, tool in sorted(dataset.tools.items()):
        if only and slug != only:
            continue
        for source in tool.sources:
            if not source.kind.is_vendor:
                continue  # news and trackers are not the vendor's policy: their edits are not policy changes
            url = str(source.url)
            known = by_url.get(url)
            tools = (*known.tools, slug) if known else (slug,)
            name = known.name if known else f"{tool.name}: {source.title}"
            by_url[url] = Document(key=url, name=name, pages=(Page(url),), tools=tools)
    return list(by_url.values())


def watched(dataset: Dataset, watch_file: Path | None, only: str | None = None) -> list[Document]:
    """Everything one pass checks: the dataset's sources, then the watch file's entries (not with --only)."""
    documents = dataset_documents(dataset, only)
    if only:
        if not documents:
            raise UserError(f"--only {only}: no tool with this slug cites a vendor source in the dataset")
        return documents
    path = watch_file or (BUNDLED_WATCH_FILE if BUNDLED_WATCH_FILE.exists() else None)
    if path is not None:
        by_url = {d.urls[0]: i for i, d in enumerate(documents)}
        for entry in load_watch_file(path):
            cited = by_url.get(entry.urls[0]) if len(entry.urls) == 1 else None
            if cited is None:
                documents.append(entry)
            else:  # a cited source with its own rules: one document, the dataset's identity, the entry's rules
                documents[cited] = Document(documents[cited].key, entry.name, entry.pages, documents[cited].tools)
    return documents
