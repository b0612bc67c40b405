"""`doesittrain build OUT/`: every public URL as a static file."""

from __future__ import annotations

import json

from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.web.build import file_for


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
