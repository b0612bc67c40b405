"""The one YAML reader: data with the line of every value, YAML 1.2 booleans, and errors with their line."""

from __future__ import annotations

import pytest

from doesittrain.yamlfile import InvalidYaml, format_path, line_of, parse

TEXT = """\
slug: example
plans:
  - id: free
    training: off
    region: &eu [de, fr]
  - id: team
    training: true
    region: *eu
"""


def test_every_value_has_its_line():
    parsed = parse(TEXT)
    assert parsed.lines[("plans",)] == 2
    assert parsed.lines[("plans", 1, "training")] == 7
    assert line_of(parsed.lines, ("plans", 0, "region", 1)) == 5


def test_an_alias_points_at_its_own_line_and_its_anchor_keeps_the_inner_lines():
    parsed = parse(TEXT)
    assert parsed.lines[("plans", 1, "region")] == 8
    assert ("plans", 1, "region", 0) not in parsed.lines
    assert line_of(parsed.lines, ("plans", 1, "region", 0)) == 8


def test_only_true_and_false_are_booleans():
    data = parse(TEXT).data
    assert data["plans"][0]["training"] == "off" and data["plans"][1]["training"] is True


def test_a_missing_path_falls_back_to_its_nearest_ancestor():
    assert line_of(parse(TEXT).lines, ("plans", 0, "no_such_field")) == 3


def test_broken_yaml_names_its_line():
    with pytest.raises(InvalidYaml) as raised:
        parse("a: 1\nb: [\n")
    assert raised.value.line == 3 and raised.value.reason == "did not find expected node content"


def test_nested_aliases_are_indexed_once():
    """10^30 paths if each alias were walked again; each line's own entries when each node is walked once."""
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]
    entries = len(parse("\n".join(rows)).lines)  # never compare the data itself: its repr is exponential
    assert entries == 1 + 30 * 11


def test_paths_are_written_as_in_messages():
    assert format_path(("plans", 0, "opt_out", "steps")) == "plans[0].opt_out.steps"
