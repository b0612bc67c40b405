"""`doesittrain build OUT/`: every public URL as a static file."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.web.build import build, file_for


def test_file_names_for_urls():
    assert file_for("/") == "index.html"
    assert file_for("/tools/claude") == "tools/claude/index.html"
    assert file_for("/tools/claude.json") == "tools/claude.json"
    assert file_for("/tools/claude/badge.svg") == "tools/claude/badge.svg"
    assert file_for("/api/tools") == "api/tools/index.json"
    assert file_for("/api/tools/claude") == "api/tools/claude.json"


def test_build_writes_the_whole_public_site(tmp_path, example_dataset, monkeypatch):
    monkeypatch.setenv("DOESITTRAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOESITTRAIN_DATASET", str(example_dataset))
    monkeypatch.setenv("DOESITTRAIN_SITE_URL", "https://live.example")
    monkeypatch.setenv("DOESITTRAIN_SECRET_KEY", "t")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(out)])
    assert result.exit_code == 0, result.output
    assert "Forms post to https://live.example" in result.output
    for name in ["index.html", "tools/exampleai/index.html", "tools/exampleai.json", "tools/exampleai.atom",
                 "tools/exampleai/badge.svg", "api/tools/index.json", "api/tools/exampleai.json", "changes/index.html",
                 "changes.atom", "methodology/index.html", "compare/index.html", "check/index.html", "data/tools.json",
                 "data/tools.csv", "sitemap.xml", "robots.txt", "openapi.json", "404.html", "static/site.css", "static/search.js"]:
        assert (out / name).is_file(), name
    page = (out / "tools/exampleai/index.html").read_text()
    assert 'action="https://live.example/subscribe" method="get"' in page, "a static page cannot carry a form token"
    assert 'name="csrf_token"' not in page and 'name="email"' not in page, "no address in a URL"
    assert 'action="https://live.example/compare"' in page
    assert json.loads((out / "api/tools/exampleai.json").read_text())["tool"]["slug"] == "exampleai"


def test_build_refuses_a_broken_dataset(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.yaml").write_text("slug: bad\nname: [\n")
    monkeypatch.setenv("DOESITTRAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOESITTRAIN_DATASET", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "Traceback" not in result.output


# ---------------------------------------------------------------- incremental builds


def two_tool_dataset(folder, example_dataset):
    folder.mkdir()
    text = (example_dataset / "exampleai.yaml").read_text(encoding="utf-8")
    (folder / "exampleai.yaml").write_text(text, encoding="utf-8")
    other = text.replace("slug: exampleai", "slug: othertool").replace("name: ExampleAI", "name: OtherTool")
    (folder / "othertool.yaml").write_text(other.replace("aliases: [example chat, exai]", "aliases: [other chat]"),
                                           encoding="utf-8")
    return folder


def files_touched_since(out, moment) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.stat().st_mtime > moment}


def test_a_second_build_after_one_file_changed_rewrites_only_the_affected_pages(tmp_path, example_dataset, make_settings):
    dataset = two_tool_dataset(tmp_path / "dataset", example_dataset)
    settings = make_settings(dataset=str(dataset))
    out = tmp_path / "out"
    first = build(settings, out, processes=1)
    assert first.written == first.files
    for path in out.rglob("*"):
        os.utime(path, (1_000_000, 1_000_000))  # long ago, so any rewrite shows
    tool_file = dataset / "othertool.yaml"
    tool_file.write_text(tool_file.read_text(encoding="utf-8").replace(
        "unless you opt out.", "unless you opt out in settings."), encoding="utf-8")

    second = build(settings, out, processes=1)

    touched = files_touched_since(out, 1_000_000)
    assert "tools/othertool/index.html" in touched and "tools/othertool.json" in touched
    assert not {"tools/exampleai/index.html", "tools/exampleai.atom", "tools/exampleai/badge.svg",
                "tools/exampleai.json", "api/tools/exampleai.json"} & touched, \
        "an unchanged tool's pages and documents are neither rendered nor written"
    assert not {"compare/index.html", "check/index.html", "404.html", "static/site.css"} & touched, \
        "a page whose bytes did not change is not rewritten"
    assert second.rendered < first.rendered
    assert (out / "tools/othertool/index.html").read_text(encoding="utf-8").count("unless you opt out in settings.")


def test_an_incremental_build_writes_what_a_fresh_build_writes(tmp_path, example_dataset, make_settings):
    dataset = two_tool_dataset(tmp_path / "dataset", example_dataset)
    settings = make_settings(dataset=str(dataset))
    build(settings, tmp_path / "again", processes=1)
    (dataset / "othertool.yaml").write_text((dataset / "othertool.yaml").read_text(encoding="utf-8").replace(
        "name: OtherTool", "name: Renamed Tool"), encoding="utf-8")
    build(settings, tmp_path / "again", processes=2)
    build(settings, tmp_path / "fresh", processes=2)
    again, fresh = snapshot(tmp_path / "again"), snapshot(tmp_path / "fresh")
    assert again == fresh
    assert "Renamed Tool" in again["tools/exampleai/index.html"].decode(), "the other tool's link to it was updated"


def test_a_tool_removed_from_the_dataset_loses_its_files(tmp_path, example_dataset, make_settings):
    dataset = two_tool_dataset(tmp_path / "dataset", example_dataset)
    settings = make_settings(dataset=str(dataset))
    build(settings, tmp_path / "out", processes=1)
    (dataset / "othertool.yaml").unlink()
    build(settings, tmp_path / "out", processes=1)
    assert not (tmp_path / "out/tools/othertool/index.html").exists()
    assert not (tmp_path / "out/api/tools/othertool.json").exists()


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
