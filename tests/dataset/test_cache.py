"""The parsed-tools cache: a build that loads unchanged files gets the same tools without parsing YAML."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from doesittrain import yamlfile
from doesittrain.dataset import cache, load
from doesittrain.dataset.load import load_dataset

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path, example_dataset) -> Path:
    spec = importlib.util.spec_from_file_location("generate_dataset", ROOT / "bench" / "generate_dataset.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    template = (example_dataset / "exampleai.yaml").read_text(encoding="utf-8")
    out = tmp_path / "tools"
    out.mkdir()
    for index in range(6):
        (out / f"tool-{index:05d}.yaml").write_text(make.tool_text(template, index), encoding="utf-8")
    return out


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """Counts the YAML files actually parsed."""
    calls: list[int] = []
    real = yamlfile.parse
    monkeypatch.setattr(load, "parse", lambda text: calls.append(1) or real(text))
    return calls


def same(a, b) -> bool:
    return a.version == b.version and a.tools == b.tools and [str(p) for p in a.problems] == [str(p) for p in b.problems]


def test_unchanged_files_are_not_parsed_again(folder, tmp_path, parses):
    stored = tmp_path / "cache" / "tools.pickle"
    first = load_dataset(folder, keep_lines=False, cache=stored)
    assert len(parses) == 6 and stored.is_file()
    again = load_dataset(folder, keep_lines=False, cache=stored)
    assert len(parses) == 6
    assert same(again, first) and same(again, load_dataset(folder, keep_lines=False))


def test_only_the_changed_file_is_parsed_and_its_new_content_is_served(folder, tmp_path, parses):
    stored = tmp_path / "tools.pickle"
    load_dataset(folder, keep_lines=False, cache=stored)
    changed = folder / "tool-00002.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("name: Synthetic Tool 2", "name: Renamed 2"), encoding="utf-8")
    parses.clear()
    after = load_dataset(folder, keep_lines=False, cache=stored)
    assert len(parses) == 1
    assert after.tools["tool-00002"].name == "Renamed 2"
    assert same(after, load_dataset(folder, keep_lines=False))


def test_a_broken_file_is_reported_every_time_and_never_cached(folder, tmp_path, parses):
    stored = tmp_path / "tools.pickle"
    (folder / "tool-00004.yaml").write_text("slug: [unclosed\n", encoding="utf-8")
    first = load_dataset(folder, keep_lines=False, cache=stored)
    parses.clear()
    again = load_dataset(folder, keep_lines=False, cache=stored)
    assert len(parses) == 1  # the broken file, read again
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert "tool-00004.yaml:2:" in str(again.problems[0]) and "is not valid YAML" in str(again.problems[0])


def test_a_damaged_or_foreign_cache_counts_as_empty(folder, tmp_path):
    stored = tmp_path / "tools.pickle"
    for damaged in (b"not a pickle", b"\x80\x05K\x01.", cache.pickle.dumps(("other code", {"x": 1}))):
        stored.write_bytes(damaged)
        assert same(load_dataset(folder, keep_lines=False, cache=stored), load_dataset(folder, keep_lines=False))


def test_a_damaged_entry_is_parsed_again_and_the_others_still_come_from_the_cache(folder, tmp_path, parses):
    stored = tmp_path / "tools.pickle"
    load_dataset(folder, keep_lines=False, cache=stored)
    code, entries = cache.pickle.loads(stored.read_bytes())
    damaged = next(iter(entries))
    stored.write_bytes(cache.pickle.dumps((code, entries | {damaged: b"not a pickle"})))
    parses.clear()
    loaded = load_dataset(folder, keep_lines=False, cache=stored)
    assert len(parses) == 1
    assert same(loaded, load_dataset(folder, keep_lines=False))
    parses.clear()
    load_dataset(folder, keep_lines=False, cache=stored)
    assert parses == [], "the repaired entry was written back"


def test_a_cache_that_cannot_be_written_only_costs_time(folder, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    loaded = load_dataset(folder, keep_lines=False, cache=blocker / "tools.pickle")
    assert same(loaded, load_dataset(folder, keep_lines=False))


def test_many_files_are_parsed_in_several_processes_with_the_same_result(folder, tmp_path, monkeypatch):
    shutil.copy(folder / "tool-00001.yaml", folder / "tool-00009.yaml")  # a clash is the check's business, not the loader's
    monkeypatch.setattr(load, "PARALLEL_FROM_FILES", 2)
    several = load_dataset(folder, keep_lines=False, cache=tmp_path / "tools.pickle", parallel=True)
    assert same(several, load_dataset(folder, keep_lines=False))
