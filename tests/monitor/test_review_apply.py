"""Drift repair: a real pass finds a cited quote reworded on its page, proposes the new passage, and
`doesittrain review apply` writes it into the tool file, changing nothing else."""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.dataset.load import load_dataset
from doesittrain.errors import UserError
from doesittrain.monitor.review import apply_proposal, list_items
from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page
from doesittrain.store.db import engine_for

from pageserver import Reply

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "dataset" / "exampleai.yaml"
LOST = "Trained reviewers may look at conversations to improve safety."
REWORDED = "Trained human reviewers may look at your conversations to make them safer."
OTHER_QUOTES = ("We may use the content you provide to train our models, unless you opt out.",
                "Feedback you submit, such as thumbs up or down, may be used to improve our models even if you opted out.",
                "Deleted content is removed from our systems within 30 days.",
                "In the European Economic Area and the UK we only train on content if you opt in.",
                "Users in the EEA and UK are not included unless they choose to opt in.")
FILLER = "".join(f"<p>Section {i} explains billing, invoices and the currencies we accept in each country.</p>"
                 for i in range(8))


def page(reviewers_sentence: str) -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in (*OTHER_QUOTES, reviewers_sentence))
    return f"<html><body><main><h1>Privacy Policy</h1>{paragraphs}{FILLER}</main></body></html>".encode()


@pytest.fixture
def reworded(monitor_settings, page_server, tmp_path, monkeypatch):
    """A dataset citing a loopback page, two passes with the reviewers' sentence reworded in between."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    url = page_server.url("/privacy")
    tool_file = folder / "exampleai.yaml"
    tool_file.write_text(EXAMPLE.read_text(encoding="utf-8").replace("https://example.com/privacy", url), encoding="utf-8")
    document = Document(key=url, name="ExampleAI privacy", pages=(Page(url),))
    dataset = load_dataset(folder)
    for sentence in (LOST, REWORDED):
        page_server.routes["/privacy"] = Reply(body=page(sentence))
        asyncio.run(run_pass(monitor_settings, [document], dataset))
    monkeypatch.setenv("DOESITTRAIN_DATABASE_URL", monitor_settings.database_url)
    monkeypatch.setenv("DOESITTRAIN_HOME", str(monitor_settings.home_dir))
    [item] = [i for i in list_items(engine_for(monitor_settings)) if i.kind == "broken_evidence"]
    return folder, tool_file, document, item


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_the_item_for_a_reworded_quote_proposes_the_new_passage_verbatim(reworded):
    folder, _file, _document, item = reworded
    [claim] = [e.id for e in load_dataset(folder).tools["exampleai"].evidence if e.quote == LOST]
    assert (item.tool, item.claim) == ("exampleai", claim)
    proposal = json.loads(item.proposal)
    assert proposal["quote"] == LOST and proposal["replacement"] == REWORDED
    shown = CliRunner().invoke(cli, ["review", "show", str(item.id)])
    assert shown.exit_code == 0 and "Proposed replacement" in shown.output and REWORDED in shown.output


def test_review_apply_changes_only_the_quote_and_the_retrieved_date_then_resolves(reworded, monitor_settings):
    folder, tool_file, document, item = reworded
    before = tool_file.read_text(encoding="utf-8")

    applied = CliRunner().invoke(cli, ["review", "apply", str(item.id), "--dataset", str(folder)])

    assert applied.exit_code == 0, applied.output
    assert f"Resolved #{item.id}" in applied.output and "0 errors" in applied.output
    assert changed_lines(before, tool_file.read_text(encoding="utf-8")) == [
        "-    retrieved: 2026-11-01",
        f"+    retrieved: {dt.date.today().isoformat()}",
        f"-    quote: {LOST}",
        f"+    quote: {REWORDED}",
    ]
    assert not [i for i in list_items(engine_for(monitor_settings)) if i.kind == "broken_evidence"]
    # The next pass reads the repaired file and finds every quote.
    result, = asyncio.run(run_pass(monitor_settings, [document], load_dataset(folder)))
    assert result.broken_evidence == []


def test_when_check_fails_the_file_is_left_as_it_was_and_the_item_stays_open(reworded, monitor_settings):
    folder, tool_file, _document, item = reworded
    before = tool_file.read_text(encoding="utf-8")
    engine = engine_for(monitor_settings)
    # Judged on a day before the file's last_verified date, check reports an error.
    with pytest.raises(UserError, match="left as it was") as failure:
        apply_proposal(engine, item.id, folder, dt.date(2026, 1, 1))
    assert "last_verified: is in the future" in failure.value.message
    assert tool_file.read_text(encoding="utf-8") == before
    assert [i.id for i in list_items(engine) if i.kind == "broken_evidence"] == [item.id]


def test_an_item_without_a_proposal_cannot_be_applied(reworded, monitor_settings, page_server):
    folder, tool_file, document, item = reworded
    page_server.routes["/privacy"] = Reply(body=page("We sell nothing, ever, to anyone at all, under any circumstances."))
    asyncio.run(run_pass(monitor_settings, [document], load_dataset(folder)))
    [item] = [i for i in list_items(engine_for(monitor_settings)) if i.kind == "broken_evidence"]
    assert item.proposal is None
    refused = CliRunner().invoke(cli, ["review", "apply", str(item.id), "--dataset", str(folder)])
    assert refused.exit_code == 1 and "proposes no replacement" in refused.output and "Traceback" not in refused.output


def test_a_copy_of_the_example_needs_no_other_change_to_round_trip(tmp_path):
    from doesittrain.dataset.edit import dump, load

    copy = tmp_path / "exampleai.yaml"
    shutil.copy(EXAMPLE, copy)
    assert dump(load(copy)) == EXAMPLE.read_text(encoding="utf-8")
