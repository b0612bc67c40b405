"""`doesittrain check` on a large folder runs one process per CPU and says exactly what one process says."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from doesittrain.dataset import check, load
from doesittrain.dataset.load import load_dataset

ROOT = Path(__file__).resolve().parents[2]


def generator():
    spec = importlib.util.spec_from_file_location("generate_dataset", ROOT / "bench" / "generate_dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parallel_check_reports_the_same_problems_in_the_same_order(tmp_path, monkeypatch, example_dataset):
    make = generator()
    template = (example_dataset / "exampleai.yaml").read_text(encoding="utf-8")
    for index in range(24):
        (tmp_path / f"tool-{index:05d}.yaml").write_text(make.tool_text(template, index), encoding="utf-8")
    clash = make.tool_text(template, 30).replace("aliases: [synthetic 30, st30]", "aliases: [synthetic 3, st30]")
    (tmp_path / "tool-00030.yaml").write_text(clash, encoding="utf-8")  # an alias another tool already uses
    (tmp_path / "tool-00031.yaml").write_text("slug: [unclosed\n", encoding="utf-8")  # not YAML
    (tmp_path / "tool-00032.yaml").write_text(make.tool_text(template, 32).replace("training: opt_in", "training: maybe"))
    today = dt.date(2026, 11, 1)

    one_process = check.check_dataset(load_dataset(tmp_path), today)
    monkeypatch.setattr(load, "PARALLEL_FROM_FILES", 2)
    several = check.check_folder(tmp_path, today)

    assert several == one_process
    messages = [str(p) for p in several]
    assert any("'synthetic 3' is already used by 'tool-00003'" in m for m in messages)
    assert any("tool-00031.yaml:" in m and "is not valid YAML" in m for m in messages)
    assert any("tool-00032.yaml:" in m and "'maybe' is not one of" in m for m in messages)
