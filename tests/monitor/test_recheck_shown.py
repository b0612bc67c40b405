"""Readers see the monitor's re-check: each source says when its quotes were last found on the vendor's page, and a
verdict whose quote went missing reads "under review since …" until an editor resolves the review item, on the
served site and in a static export built after the pass."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser
from starlette.testclient import TestClient

from doesittrain import wording
from doesittrain.cli import cli
from doesittrain.dataset.load import load_dataset
from doesittrain.monitor.review import list_items, resolve
from doesittrain.monitor.watch import dataset_documents
from doesittrain.store.db import engine_for
from doesittrain.web.app import create_app

from pageserver import Reply
from test_monitor_run import PRIVACY, local_dataset, one_pass, page


def _tool_page(settings) -> LexborHTMLParser:
    with TestClient(create_app(settings)) as client:
        return LexborHTMLParser(client.get("/tools/exampleai").text)


def test_sources_say_when_quotes_were_last_found_and_a_lost_quote_puts_the_verdict_under_review(
        make_settings, monitor_settings, tmp_path, page_server):
    folder = local_dataset(tmp_path, page_server)
    settings = make_settings(database_url=monitor_settings.database_url, allow_private_addresses="1", dataset=str(folder))
    dataset = load_dataset(folder)
    documents = [d for d in dataset_documents(dataset) if d.urls[0].endswith("/privacy")]
    today = dt.datetime.now(dt.timezone.utc).date()

    page_server.routes["/privacy"] = Reply(body=page(*PRIVACY))
    one_pass(settings, documents, dataset)
    tree = _tool_page(settings)
    assert wording.quotes_last_found(today) in tree.css_first("#source-privacy").text()
    assert tree.css_first("#tiers .under-review") is None

    page_server.routes["/privacy"] = Reply(body=page("We use what you send to train our models.", *PRIVACY[1:]))
    one_pass(settings, documents, dataset)
    tree = _tool_page(settings)
    assert wording.quote_missing_since(today) in tree.css_first("#source-privacy").text()
    assert tree.css_first("#tier-consumer .under-review").text() == wording.under_review_since(today)
    assert tree.css_first("#tier-team .under-review") is None, "only the tier whose quote went missing"

    export = tmp_path / "site"
    env = {"DOESITTRAIN_HOME": settings.home, "DOESITTRAIN_DATASET": str(folder), "DOESITTRAIN_DATABASE_URL": settings.database_url,
           "DOESITTRAIN_SITE_URL": "https://doesittrain.example", "DOESITTRAIN_SECRET_KEY": "t"}
    assert CliRunner().invoke(cli, ["build", str(export)], env=env).exit_code == 0
    exported = LexborHTMLParser((export / "tools" / "exampleai" / "index.html").read_text())
    assert exported.css_first("#tier-consumer .under-review").text() == wording.under_review_since(today)

    engine = engine_for(settings)
    [item] = [i for i in list_items(engine) if i.kind == "broken_evidence"]
    resolve(engine, item.id, "Checked: the vendor reworded the sentence; verdict unchanged.")
    assert _tool_page(settings).css_first("#tiers .under-review") is None
