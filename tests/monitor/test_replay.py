"""Replay real policy histories (Open Terms Archive, ODC-BY) through a local server, one version after another,
each served inside HTML with the noise real pages carry, and check the monitor's verdict on every version.

Labels come from tests/fixtures/policy-versions/LABELS.tsv. Every new_state must be `changed`, every noise_only
must not be, a second fetch of the same version with fresh noise must be `unchanged`, and every revert_to_seen
must be a `flip_back`, except the versions listed in SAME_VISIBLE_TEXT, examined by hand: the label was computed on
the archive's Markdown, and there the only difference is Markdown markup or invisible characters that a reader
of the page never sees, so the monitor rightly finds the page unchanged.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
import re
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from markdown_it import MarkdownIt

from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page

from pageserver import Reply

CORPUS = Path(__file__).parent.parent / "fixtures" / "policy-versions"

SAME_VISIBLE_TEXT = {
    # Table cells "<br>    <br>" became "<br>": a blank line inside a cell.
    "chatgpt/privacy-policy/2026-01-23T19-00-29Z.md": "unchanged",
    # "with ?" became "with?": spacing only.
    "mistral-ai/privacy-policy/2024-08-08T12-32-48Z.md": "unchanged",
    # The title lost its Markdown underline (a heading became a paragraph): same words.
    "mistral-ai/privacy-policy/2025-02-05T12-32-26Z.md": "unchanged",
    "mistral-ai/developer-terms/2025-02-05T12-32-27Z.md": "unchanged",
    # "We collect Input and Feedback…" moved from its own paragraph to the end of the previous one: a move.
    "mistral-ai/privacy-policy/2025-02-07T00-32-23Z.md": "unchanged",
    # A logo lost its link and headings lost their empty anchors: no words changed.
    "midjourney/privacy-policy/2026-02-05T07-08-20Z.md": "unchanged",
    "midjourney/privacy-policy/2026-05-18T07-07-26Z.md": "unchanged",
    # U+2060 (word joiner) added to or dropped from link texts, back and forth: invisible.
    "midjourney/terms-of-service/2026-01-08T19-06-33Z.md": "unchanged",
    **{f"midjourney/terms-of-service/{stamp}.md": "unchanged" for stamp in (
        "2026-01-09T07-07-11Z", "2026-01-19T07-06-06Z", "2026-01-19T19-07-05Z", "2026-01-22T07-06-15Z",
        "2026-01-22T19-06-47Z", "2026-01-25T19-06-20Z", "2026-01-26T07-07-18Z", "2026-02-02T07-07-50Z",
        "2026-02-03T07-07-59Z")},
}
EXPECTED = {"first": {"first"}, "new_state": {"changed"}, "noise_only": {"unchanged", "flip_back"},
            "revert_to_seen": {"flip_back"}, "technical_upgrade": {"changed", "unchanged", "flip_back"}}

_markdown = MarkdownIt("commonmark").enable("table")


def series() -> dict[str, list[dict]]:
    with open(CORPUS / "LABELS.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    grouped: dict[str, list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["path"]):
        grouped.setdefault(row["path"].rsplit("/", 1)[0], []).append(row)
    return grouped


def _tracked_href(match: re.Match, rng: random.Random) -> str:
    target = match.group(1)
    if rng.random() < 0.3:  # a click-tracking wrapper around the real target
        return f'href="https://claude.ai/redirect/website.v1.{uuid.uuid4()}/{quote(target, safe="")}"'
    joiner = "&" if "?" in target else "?"
    return f'href="{target}{joiner}utm_source=monitor&openaicom-did={uuid.uuid4()}&fclid={rng.getrandbits(64):x}"'


def _typography(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return text.replace(" and ", " and\u2060 ", 1) if rng.random() < 0.5 else text


def noisy_page(content_html: str, rng: random.Random) -> bytes:
    """The policy inside a page with per-request noise: tokens, tracking ids, timestamps, a cookie banner."""
    token = uuid.uuid4().hex
    body = re.sub(r'href="([^"]*)"', lambda m: _tracked_href(m, rng), content_html)
    body = re.sub(r">([^<]+)<", lambda m: ">" + _typography(m.group(1), rng) + "<", body)
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Policy</title>
<meta name="csrf-token" content="{token}"><script nonce="{token}">window.__session = "{token}";</script>
<style>.x-{token[:6]} {{ color: red }}</style></head><body data-build="{token[:8]}">
<header><nav><a href="/?sid={token}">Home</a> <a href="/login?next={token}">Log in</a></nav></header>
<div id="onetrust-consent-sdk" class="cookie-banner">We use cookies (session {token}). <button>Accept all</button></div>
<main><p class="updated">Updated {rng.randint(1, 40)} days ago</p>{body}</main>
<footer>Rendered {now} · request {token}</footer></body></html>"""
    return page.encode("utf-8")


class Replay:
    def __init__(self, server):
        self.server = server
        self.current: dict[str, str] = {}
        self.rng = random.Random(5)
        self.rendered: dict[str, str] = {}

    def show(self, doc: str, path: str) -> None:
        if path not in self.rendered:
            self.rendered[path] = _markdown.render((CORPUS / path).read_text(encoding="utf-8"))
        self.current[doc] = self.rendered[path]
        self.server.routes[f"/{doc}"] = lambda _request, doc=doc: Reply(body=noisy_page(self.current[doc], self.rng))


def test_replayed_histories_alert_on_real_changes_only(make_settings, page_server):
    settings = make_settings(database_url=f"sqlite:///{page_server_tmp(make_settings)}", allow_private_addresses="1")
    histories = series()
    replay = Replay(page_server)
    documents = [Document(key=name, name=name, pages=(Page(page_server.url(f"/{name}")),)) for name in histories]
    outcomes: dict[str, tuple[str, str]] = {}  # path -> (label, outcome)
    refetch_outcomes: list[tuple[str, str]] = []
    steps = max(len(rows) for rows in histories.values())
    for step in range(steps):
        live = {name: rows[step] for name, rows in histories.items() if step < len(rows)}
        for name, row in live.items():
            replay.show(name, row["path"])
        checked = [d for d in documents if d.name in live]  # a finished history is not fetched again
        first = {r.name: r for r in asyncio.run(run_pass(settings, checked))}
        again = {r.name: r for r in asyncio.run(run_pass(settings, checked))}
        for name, row in live.items():
            outcomes[row["path"]] = (row["kind"], first[name].outcome)
            refetch_outcomes.append((row["path"], again[name].outcome))
            assert first[name].error is None, (row["path"], first[name].error)

    wrong = {
        path: (label, outcome) for path, (label, outcome) in outcomes.items()
        if outcome not in ({SAME_VISIBLE_TEXT[path]} if path in SAME_VISIBLE_TEXT else EXPECTED[label])
    }
    assert wrong == {}
    assert [p for p, outcome in refetch_outcomes if outcome != "unchanged"] == []
    labels = [label for label, _ in outcomes.values()]
    assert len(outcomes) == 297 and labels.count("new_state") == 120 and labels.count("revert_to_seen") == 42


def page_server_tmp(make_settings) -> Path:
    home = Path(make_settings().home_dir)
    home.mkdir(parents=True, exist_ok=True)
    return home / "replay.sqlite3"
