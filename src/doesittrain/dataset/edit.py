"""Edits of a tool file that keep everything else as it was: comments, key order, quoting, line layout.

ruamel.yaml's round-trip mode re-emits untouched nodes byte for byte with these settings (checked on every bundled
file), so an edit shows in `git diff` as the changed lines only.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from ..errors import UserError


def round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never re-wrap a long quote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(path: Path):
    try:
        return round_trip().load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise UserError(f"{path}: cannot be edited: {exc}") from None


def dump(data) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()


def evidence_entry(data, claim: str, path: Path):
    """The evidence mapping with this id; entries without an id are numbered e1, e2… by position, as the loader does."""
    for position, entry in enumerate(data.get("evidence") or []):
        if entry.get("id", f"e{position + 1}") == claim:
            return entry
    raise UserError(f"{path}: no evidence entry has id {claim!r}")


def replace_quote(path: Path, claim: str, old_quote: str, new_quote: str, retrieved: dt.date) -> str:
    """Put `new_quote` in place of `old_quote` in evidence `claim`, date its source as read on `retrieved`, and
    return the new file text (not written). The quote keeps its YAML style (plain, quoted, block)."""
    data = load(path)
    entry = evidence_entry(data, claim, path)
    current = entry.get("quote")
    if " ".join(str(current).split()) != " ".join(old_quote.split()):
        raise UserError(f"{path}: evidence {claim!r} no longer quotes the passage the monitor lost; edit it by hand")
    entry["quote"] = type(current)(new_quote) if isinstance(current, ScalarString) else new_quote
    source_id = entry.get("source")
    source = next((s for s in data.get("sources") or [] if s.get("id") == source_id), None)
    if source is None:
        raise UserError(f"{path}: evidence {claim!r} cites source {source_id!r}, which the file does not list")
    source["retrieved"] = retrieved
    return dump(data)
