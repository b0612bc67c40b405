"""`doesittrain review list|show|resolve` on a queue filled by a real pass."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page

from pageserver import Reply

FILLER = "".join(f"<p>Clause {i} covers accounts and monthly billing for every plan we sell.</p>" for i in range(10))


def html(sentence: str) -> bytes:
    return f"<html><body><main><p>{sentence}</p>{FILLER}</main></body></html>".encode()


def test_list_show_and_resolve_an_item(monitor_settings, page_server, monkeypatch):
    monkeypatch.setenv("DOESITTRAIN_DATABASE_URL", monitor_settings.database_url)
    monkeypatch.setenv("DOESITTRAIN_HOME", str(monitor_settings.home_dir))
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps table cells to the terminal width
    document = Document(key="doc", name="Example terms", pages=(Page(page_server.url("/doc")),))
    for sentence in ("We never train on your chats.", "We train on your chats unless you opt out."):
        page_server.routes["/doc"] = Reply(body=html(sentence))
        asyncio.run(run_pass(monitor_settings, [document]))
    runner = CliRunner()

    listed = runner.invoke(cli, ["review", "list"])
    assert listed.exit_code == 0 and "Example terms changed: training, opt_out" in listed.output

    shown = runner.invoke(cli, ["review", "show", "1"])
    assert shown.exit_code == 0
    assert "[training, opt_out] edited" in shown.output and "never" in shown.output and "unless you opt out" in shown.output

    assert "--note" in runner.invoke(cli, ["review", "resolve", "1"]).output
    assert runner.invoke(cli, ["review", "resolve", "1", "--note", "Verdict now default_on."]).exit_code == 0
    assert "empty" in runner.invoke(cli, ["review", "list"]).output
    again = runner.invoke(cli, ["review", "resolve", "1", "--note", "again"])
    assert again.exit_code == 1 and "already resolved" in again.output
    missing = runner.invoke(cli, ["review", "show", "99"])
    assert missing.exit_code == 1 and "no review item 99" in missing.output and "Traceback" not in missing.output
