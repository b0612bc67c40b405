"""SVG pictures (timeline, home chart, badge) and the render cache."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from doesittrain.web.cache import Rendered, RenderCache
from doesittrain.dataset.schema import Training
from doesittrain.wording import CHART_LEGEND, TRAINING_LABELS

SVG = "{http://www.w3.org/2000/svg}"


def test_badge_is_valid_svg_that_links_back(client):
    response = client.get("/tools/exampleai/badge.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.find(f"{SVG}title").text == f"ExampleAI: {TRAINING_LABELS[Training.default_on]} · Free / Plus"
    link = root.find(f"{SVG}a")
    assert link.attrib["href"] == "https://doesittrain.test/tools/exampleai"
    assert client.get("/tools/nothing/badge.svg").status_code == 404


def test_timeline_draws_one_row_per_changed_field_with_a_dot_per_change(client):
    from selectolax.lexbor import LexborHTMLParser

    svg = LexborHTMLParser(client.get("/tools/exampleai").text).css_first("#timeline svg")
    assert len(svg.css("circle.dot")) == 1
    assert [t.text() for t in svg.css("text.row-label")] == ["Free / Plus: Training on your data"]
    assert {r.attributes["class"] for r in svg.css("rect.seg")} == {"seg tone-good", "seg tone-bad"}


def test_home_chart_counts_tools_per_audience(example_dataset):
    from doesittrain.dataset.load import load_dataset
    from doesittrain.web.charts import audience_counts

    counts = audience_counts(list(load_dataset(example_dataset).tools.values()))
    assert counts["consumer"] == {"bad": 1}
    assert counts["business"] == {"good": 1}
    assert counts["developer-api"] == {"good": 1}


def test_cache_renders_once_per_version_and_url():
    cache = RenderCache(max_entries=2)
    calls = []

    def make(body):
        def render():
            calls.append(body)
            return Rendered(body.encode(), "text/plain")
        return render

    assert cache.get_or_make("v1", "/a", make("a1")).body == b"a1"
    assert cache.get_or_make("v1", "/a", make("a2")).body == b"a1"
    assert cache.get_or_make("v2", "/a", make("a3")).body == b"a3"  # a new dataset version empties the cache
    cache.get_or_make("v2", "/b", make("b"))
    cache.get_or_make("v2", "/c", make("c"))
    assert len(cache) == 2  # bounded: the least recently used entry went
    assert calls == ["a1", "a3", "b", "c"]


def test_editing_the_dataset_changes_the_page(make_settings, dataset_copy):
    from starlette.testclient import TestClient

    from doesittrain.web.app import create_app

    app = create_app(make_settings(dataset=str(dataset_copy)))
    app.state.site.CHECK_SECONDS = 0
    with TestClient(app) as client:
        assert "ExampleAI" in client.get("/tools/exampleai").text
        path = dataset_copy / "exampleai.yaml"
        path.write_text(path.read_text().replace("name: ExampleAI", "name: RenamedAI"))
        assert "RenamedAI" in client.get("/tools/exampleai").text
