"""The watch file: read by the project's one YAML reader, every problem named by file, line and field."""

from __future__ import annotations

import time

import pytest

from doesittrain.errors import UserError
from doesittrain.monitor.watch import load_watch_file


def nested_aliases(lines: int, per_line: int = 9) -> str:
    """A "billion laughs": each line holds `per_line` aliases of the line before, 9^20 values if expanded."""
    rows = ["- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    rows += [f"- &a{i} [" + ", ".join([f"*a{i - 1}"] * per_line) + "]" for i in range(1, lines)]
    return "\n".join(rows) + "\n"


def test_nested_aliases_fail_fast_with_file_and_line(tmp_path):
    watch = tmp_path / "watch.yaml"
    watch.write_text(nested_aliases(21))
    started = time.process_time()
    with pytest.raises(UserError) as raised:
        load_watch_file(watch)
    assert time.process_time() - started < 1, "the aliases were expanded"
    assert raised.value.message.startswith(f"{watch}:1: [0]: ")


def test_nested_aliases_inside_an_entry_are_reported_at_the_entry(tmp_path):
    watch = tmp_path / "watch.yaml"
    rows = ["- name: Terms", "  url: https://example.org/terms", "  laughs: &l0 [a, b]"]
    rows += [f"  l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 30)]
    watch.write_text("\n".join(rows) + "\n")
    with pytest.raises(UserError) as raised:
        load_watch_file(watch)
    assert raised.value.message == f"{watch}:3: [0].laughs: Extra inputs are not permitted"


@pytest.mark.parametrize("text, message", [
    ("- name: a\n  url: [\n", ":3: is not valid YAML: did not find expected node content"),
    ("name: a\n", ":1: a watch file is a list of entries (name, url or combine, select, remove)"),
    ("- name: a\n  url: https://example.org/a\n- name: b\n  url: https://example.org/b\n  combine:\n"
     "    - url: https://example.org/c\n", ":3: [1]: Value error, give either `url` or `combine`, not both and not neither"),
    ("- name: a\n  url: https://example.org/a\n  javascript: maybe\n", ":3: [0].javascript: Input should be a valid boolean"),
])
def test_a_bad_watch_file_names_file_line_and_field(tmp_path, text, message):
    watch = tmp_path / "watch.yaml"
    watch.write_text(text)
    with pytest.raises(UserError) as raised:
        load_watch_file(watch)
    assert raised.value.message.startswith(f"{watch}{message}")


def test_entries_become_documents_with_their_rules(tmp_path):
    watch = tmp_path / "watch.yaml"
    watch.write_text("- name: Both\n  select: [main]\n  combine:\n    - url: https://example.org/a\n"
                     "    - url: https://example.org/b\n      remove: [nav]\n      javascript: true\n")
    [document] = load_watch_file(watch)
    assert document.urls == ["https://example.org/a", "https://example.org/b"]
    assert [(p.select, p.remove, p.javascript) for p in document.pages] == [(("main",), (), False), (("main",), ("nav",), True)]
