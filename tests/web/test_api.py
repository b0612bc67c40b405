"""JSON API, OpenAPI description, open-data downloads, sitemap and robots.txt."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from doesittrain import verdicts
from doesittrain.dataset.schema import Training
from doesittrain.wording import CHART_LEGEND, TRAINING_LABELS


def test_tool_list(client):
    body = client.get("/api/tools").json()
    assert body["count"] == 1
    listing = body["tools"][0]
    assert listing["slug"] == "exampleai"
    assert listing["url"] == "https://doesittrain.test/tools/exampleai"
    assert listing["badges"][0] == {"text": TRAINING_LABELS[Training.default_on], "tone": "bad"}
    assert body["licence"]["data"] == "CC BY 4.0"


def test_one_tool_is_the_same_at_both_addresses(client):
    api = client.get("/api/tools/exampleai")
    alias = client.get("/tools/exampleai.json")
    assert api.status_code == alias.status_code == 200
    assert api.json() == alias.json()
    document = api.json()
    tool = client.app.state.site.dataset.tools["exampleai"]
    assert document["tool"]["plans"][0]["training"] == "default_on"
    assert document["answers"]["headline"] == verdicts.headline(tool)
    assert document["tool"]["evidence"][0]["quote"].startswith("We may use the content")


def test_every_json_error_has_one_shape(client):
    for url in ["/api/tools/nothing", "/tools/nothing.json", "/api/nothing", "/tools/a/b.json"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/json"
        error = response.json()["error"]
        assert error["status"] == 404 and error["message"], url
    assert "nothing" in client.get("/api/tools/nothing").json()["error"]["message"]


def test_csv_has_one_row_per_tool_and_tier_with_the_licence(client):
    response = client.get("/data/tools.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["plan"] for r in rows] == ["consumer", "consumer", "team", "api"]
    assert rows[1]["regions"] == "EU UK" and rows[1]["training"] == "opt_in"
    assert rows[0]["opt_out_steps"] == "Settings → Data Controls → Improve the model for everyone"
    assert all(r["licence"].startswith("CC BY 4.0") for r in rows)


def test_json_download_holds_every_tool_and_the_licence(client):
    body = client.get("/data/tools.json").json()
    assert [d["tool"]["slug"] for d in body["tools"]] == ["exampleai"]
    assert "ODC-BY" in body["licence"]["quoted_policy_texts"]


def test_sitemap_lastmod_is_the_last_verdict_change(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {u.find("s:loc", ns).text: u.find("s:lastmod", ns) for u in root.findall("s:url", ns)}
    assert entries["https://doesittrain.test/tools/exampleai"].text == "2025-09-01"
    assert entries["https://doesittrain.test/"].text == "2025-09-01"
    assert entries["https://doesittrain.test/methodology"] is None


def test_robots_points_at_the_sitemap(client):
    text = client.get("/robots.txt").text
    assert "Sitemap: https://doesittrain.test/sitemap.xml" in text
    assert "Disallow: /admin" in text


def test_openapi_names_every_api_path(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/tools", "/api/tools/{slug}", "/tools/{slug}.json", "/data/tools.json", "/data/tools.csv"}
    assert {"Tool", "Plan", "ToolDocument", "ToolListing", "Error"} <= set(spec["components"]["schemas"])


def test_tool_list_answers_a_query_best_first(bundled_client):
    body = bundled_client.get("/api/tools?q=cluade").json()
    assert body["query"] == "cluade"
    assert [t["slug"] for t in body["tools"]] == ["claude"]
    assert bundled_client.get("/api/tools?q=qqqqzzzz").json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/tools", "/api/tools/exampleai", "/tools/exampleai.json", "/data/tools.json",
                                  "/data/tools.csv", "/openapi.json"])
def test_read_only_data_may_be_read_from_any_origin(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
