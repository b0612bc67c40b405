"""Atom feeds and the changes list: dataset history, then changes recorded by `publish`."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from starlette.testclient import TestClient

from doesittrain.web.app import create_app
from doesittrain.dataset.schema import Training
from doesittrain.wording import CHART_LEGEND, TRAINING_LABELS

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, root.findall("a:entry", ATOM)


def test_site_feed_has_one_entry_per_change(client):
    root, items = entries(client, "/changes.atom")
    assert root.find("a:link[@rel='self']", ATOM).attrib["href"] == "https://doesittrain.test/changes.atom"
    assert len(items) == 1
    assert items[0].find("a:title", ATOM).text == "ExampleAI Free / Plus: Trains on your data by default"
    assert items[0].find("a:updated", ATOM).text == "2025-09-01T00:00:00Z"


def test_tool_feed_and_unknown_tool(client):
    _, items = entries(client, "/tools/exampleai.atom")
    assert f"changed from “{TRAINING_LABELS[Training.opt_in]}”" in items[0].find("a:summary", ATOM).text
    assert client.get("/tools/nothing.atom").status_code == 404


def test_published_change_appears_on_changes_feed_and_timeline(make_settings, database_url, dataset_copy):
    from doesittrain.publish import publish

    settings = make_settings(database_url=database_url, dataset=str(dataset_copy), site_url="https://doesittrain.test")
    publish(settings, today=dt.date(2026, 11, 2))  # baseline: nothing to show yet
    tool_file = dataset_copy / "exampleai.yaml"
    text = tool_file.read_text().replace("    zero_data_retention: on_request\n", "    zero_data_retention: available\n")
    tool_file.write_text(text)
    publish(settings, today=dt.date(2026, 11, 3))
    with TestClient(create_app(settings)) as client:
        changes = client.get("/changes").text
        assert "API: Zero data retention changed from “Zero retention on request” to “Zero retention available”." in changes
        _, items = entries(client, "/tools/exampleai.atom")
        assert items[0].find("a:updated", ATOM).text == "2026-11-03T00:00:00Z"
        assert "Zero retention available" in client.get("/tools/exampleai").text
