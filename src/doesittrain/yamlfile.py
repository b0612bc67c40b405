"""YAML text -> data, plus the line of every value, so a problem can be reported as `file:line: field.path`.

The one YAML reader of the project (tool files and the monitor's watch file): libyaml where present, safe tags
only, YAML 1.2 booleans, and a line index that walks each node once, so nested aliases cannot make it slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import yaml


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML 1.2 booleans: only true/false are booleans, so `training: off` stays the string 'off'."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class InvalidYaml(Exception):
    """Text that is not YAML; `line` is 1-based, `reason` says what the parser expected."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"{line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    data: Any
    lines: dict[tuple, int]


def parse(text: str) -> Parsed:
    """Parse once: the node tree gives line numbers, the data is built from it (aliases stay shared objects)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidYaml(mark.line + 1 if mark else 1, getattr(exc, "problem", None) or str(exc)) from None
    finally:
        loader.dispose()
    return Parsed(data, _line_index(node) if node is not None else {})


def _line_index(root: yaml.Node) -> dict[tuple, int]:
    """Map each value's path, e.g. ('plans', 1, 'training'), to its 1-based line.

    An alias (`*name`) is the same node object as its anchor; each node is walked once, or a file of nested
    aliases (a "billion laughs") would take exponential time. Paths under an alias fall back to the alias's line.
    """
    index: dict[tuple, int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        index.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        children: list[tuple[yaml.Node, tuple]] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = path + (key.value if isinstance(key.value, str) else str(key.value),)
                index[child] = key.start_mark.line + 1
                children.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, path + (i,)) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))  # walked in document order: an anchor is indexed where it is written
    return index


def format_path(path: Iterable[Any]) -> str:
    """('plans', 0, 'opt_out') -> 'plans[0].opt_out'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(lines: dict[tuple, int], path: tuple) -> int:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)
