"""One pass end to end against a local server: states kept in the database, evidence checked, queue items opened
and closed, polite fetching (robots.txt, conditional requests, the private-address guard)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.dataset.load import load_dataset
from doesittrain.monitor import tables as t
from doesittrain.monitor.review import get_item, list_items, resolve
from doesittrain.monitor.run import run_pass
from doesittrain.monitor.watch import Document, Page, dataset_documents
from doesittrain.store.db import engine_for

from pageserver import Reply

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "dataset" / "exampleai.yaml"
FILLER = "".join(f"<p>Clause {i} describes how accounts work and how billing is handled each month.</p>" for i in range(12))


def page(*paragraphs: str) -> bytes:
    return ("<html><body><main>" + "".join(f"<p>{p}</p>" for p in paragraphs) + FILLER + "</main></body></html>").encode()


PRIVACY = [
    "We may use the content you provide to train our models, unless you opt out.",
    "Trained reviewers may look at conversations to improve safety.",
    "Deleted content is removed from our systems within 30 days.",
    "In the European Economic Area and the UK we only train on content if you opt in.",
    "Users in the EEA and UK are not included unless they choose to opt in.",
    "Feedback you submit, such as thumbs up or down, may be used to improve our models even if you opted out.",
]


def local_dataset(tmp_path: Path, server) -> Path:
    """The example dataset with its source URLs pointing at the local server."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    text = EXAMPLE.read_text().replace("https://example.com/", server.url("/")).replace(
        "https://help.example.com/", server.url("/help/"))
    (folder / "exampleai.yaml").write_text(text)
    return folder


def one_pass(settings, documents, dataset=None, fetcher=None):
    return {r.name: r for r in asyncio.run(run_pass(settings, documents, dataset, fetcher=fetcher))}


def test_a_quote_that_disappears_opens_a_review_item_naming_claim_and_tool(make_settings, monitor_settings, tmp_path, page_server):
    folder = local_dataset(tmp_path, page_server)
    settings = make_settings(database_url=monitor_settings.database_url, allow_private_addresses="1", dataset=str(folder))
    dataset = load_dataset(folder)
    documents = [d for d in dataset_documents(dataset) if d.urls[0].endswith("/privacy")]
    page_server.routes["/privacy"] = Reply(body=page(*PRIVACY))
    [first] = one_pass(settings, documents, dataset).values()
    assert first.outcome == "first" and first.broken_evidence == []

    changed = ["We use the content you provide to train our models. You cannot opt out.", *PRIVACY[1:]]
    page_server.routes["/privacy"] = Reply(body=page(*changed))
    [result] = one_pass(settings, documents, dataset).values()

    assert result.outcome == "changed" and result.material and "training" in result.topics
    assert result.broken_evidence == ["consumer-training"]
    engine = engine_for(settings)
    items = {item.kind: item for item in list_items(engine)}
    assert items["broken_evidence"].tool == "exampleai" and items["broken_evidence"].claim == "consumer-training"
    view = get_item(engine, items["change"].id)
    assert view.passages[0]["old"].startswith("We may use the content") and view.passages[0]["kind"] == "edited"
    assert [b.claim for b in view.breaks] == ["consumer-training"]

    page_server.routes["/privacy"] = Reply(body=page(*PRIVACY))  # the vendor reverts
    [reverted] = one_pass(settings, documents, dataset).values()
    assert reverted.outcome == "flip_back" and reverted.broken_evidence == []
    assert [i.kind for i in list_items(engine)] == ["change"]  # the broken claim closed itself; the change stays


def test_three_failures_in_a_row_show_source_unreachable_and_recovery_clears_it(monitor_settings, page_server, fast_fetcher):
    document = Document(key="doc", name="Example policy", pages=(Page(page_server.url("/doc")),))
    page_server.routes["/doc"] = Reply(body=page(*PRIVACY))
    one_pass(monitor_settings, [document])
    page_server.routes["/doc"] = Reply(500, b"oops")
    engine = engine_for(monitor_settings)
    for attempt in range(3):
        assert list_items(engine) == [] or attempt == 3
        [result] = one_pass(monitor_settings, [document], fetcher=fast_fetcher(monitor_settings)).values()
        assert result.outcome == "error" and "HTTP 500" in result.error
    [item] = list_items(engine)
    assert item.kind == "unreachable" and "source unreachable since" in item.title

    page_server.routes["/doc"] = Reply(body=page(*PRIVACY))
    [result] = one_pass(monitor_settings, [document]).values()
    assert result.outcome == "unchanged" and list_items(engine) == []


def test_new_extraction_rules_rederive_a_technical_version_that_alerts_no_one(monitor_settings, page_server):
    url = page_server.url("/doc")
    page_server.routes["/doc"] = Reply(body=page(*PRIVACY).replace(b"<main>", b"<main><div class='promo'>Try our new app today, it is great and free for everyone.</div>"))
    one_pass(monitor_settings, [Document(key="doc", name="Policy", pages=(Page(url),))])
    stricter = Document(key="doc", name="Policy", pages=(Page(url, remove=(".promo",)),))
    [result] = one_pass(monitor_settings, [stricter]).values()

    assert result.outcome == "unchanged"
    with engine_for(monitor_settings).connect() as conn:
        outcomes = conn.execute(sa.select(t.versions.c.outcome).order_by(t.versions.c.id)).scalars().all()
        assert outcomes == ["first", "technical"]
        assert conn.execute(sa.select(sa.func.count()).select_from(t.changes)).scalar() == 0
    assert list_items(engine_for(monitor_settings)) == []


def test_conditional_requests_and_robots_txt(monitor_settings, page_server):
    page_server.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /private\n", content_type="text/plain")

    def conditional(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"")
        return Reply(body=page(*PRIVACY), headers=(("ETag", '"v1"'),))

    page_server.routes["/doc"] = conditional
    page_server.routes["/private"] = Reply(body=page(*PRIVACY))
    documents = [Document(key="doc", name="doc", pages=(Page(page_server.url("/doc")),)),
                 Document(key="private", name="private", pages=(Page(page_server.url("/private")),))]
    one_pass(monitor_settings, documents)
    results = one_pass(monitor_settings, documents)

    assert results["doc"].outcome == "unchanged", results["doc"].error
    assert results["private"].outcome == "error" and "robots.txt" in results["private"].error
    assert page_server.hits("/private") == 0
    user_agents = {headers.get("User-Agent") for _, headers in page_server.requests}
    assert user_agents == {monitor_settings.user_agent}


def test_private_addresses_are_refused_unless_allowed(make_settings, database_url, page_server):
    settings = make_settings(database_url=database_url, allow_private_addresses="0")
    page_server.routes["/doc"] = Reply(body=page(*PRIVACY))
    [result] = one_pass(settings, [Document(key="doc", name="doc", pages=(Page(page_server.url("/doc")),))]).values()
    assert result.outcome == "error" and "private address" in result.error and page_server.hits("/doc") == 0


def test_redirect_to_a_private_address_is_refused(make_settings, database_url, page_server):
    from doesittrain.monitor.fetch import FetchError, Fetcher

    async def go():
        async with Fetcher(user_agent="test", allow_private=False) as fetcher:
            await fetcher._get("http://127.0.0.1:9/x", None)

    try:
        asyncio.run(go())
    except FetchError as exc:
        assert exc.cause == "private address"
    else:
        raise AssertionError("a loopback URL was fetched")


def test_combined_pages_are_one_document(monitor_settings, page_server):
    page_server.routes["/a"] = Reply(body=page(PRIVACY[0]))
    page_server.routes["/b"] = Reply(body=page(PRIVACY[2]))
    combined = Document(key="both", name="both", pages=(Page(page_server.url("/a")), Page(page_server.url("/b"))))
    [first] = one_pass(monitor_settings, [combined]).values()
    page_server.routes["/b"] = Reply(body=page("Deleted content is removed from our systems within 90 days."))
    [second] = one_pass(monitor_settings, [combined]).values()
    assert first.outcome == "first" and second.outcome == "changed" and second.topics == ["retention"]


def test_monitor_run_json_reports_each_document_on_its_own_line(make_settings, monitor_settings, tmp_path, page_server, monkeypatch):
    folder = local_dataset(tmp_path, page_server)
    for path, text in {"/privacy": PRIVACY, "/help/data-controls": [
            'Turn off "Improve the model for everyone" in Data Controls to stop future chats being used.'],
            "/business-data": ["We do not train on business or API data by default."]}.items():
        page_server.routes[path] = Reply(body=page(*text))
    watch = tmp_path / "watch.yaml"
    watch.write_text(f"- name: Extra terms\n  url: {page_server.url('/terms')}\n  select: [main]\n")
    page_server.routes["/terms"] = Reply(body=page("These terms apply to everyone."))
    for name, value in {"DATASET": str(folder), "DATABASE_URL": monitor_settings.database_url,
                        "ALLOW_PRIVATE_ADDRESSES": "1", "HOME": str(tmp_path / "home"), "SECRET_KEY": "x"}.items():
        monkeypatch.setenv(f"DOESITTRAIN_{name}", value)

    result = CliRunner().invoke(cli, ["monitor", "run", "--json", "--watch", str(watch)])

    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0, result.output
    assert sorted(line["name"] for line in lines) == [
        "ExampleAI: Business data privacy", "ExampleAI: Data controls FAQ", "ExampleAI: ExampleAI Privacy Policy", "Extra terms"]
    by_name = {line["name"]: line for line in lines}
    assert set(by_name["ExampleAI: Business data privacy"]) == {
        "url", "name", "outcome", "material", "topics", "broken_evidence", "error", "version_id"}
    assert by_name["Extra terms"]["outcome"] == "first"
    # the business page holds one of the seven quotes that cite it
    broken = by_name["ExampleAI: Business data privacy"]["broken_evidence"]
    assert len(broken) == 6 and "business-training" not in broken


def test_bad_watch_file_names_file_line_and_field(tmp_path, monkeypatch, make_settings):
    watch = tmp_path / "watch.yaml"
    watch.write_text("- name: ok\n  url: https://example.org/a\n- name: broken\n  urll: https://example.org/b\n")
    monkeypatch.setenv("DOESITTRAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DOESITTRAIN_DATASET", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["monitor", "run", "--watch", str(watch)])
    assert result.exit_code == 1 and f"{watch}:4" in result.output and "urll" in result.output
    assert "Traceback" not in result.output


def test_workers_share_a_pass_without_fetching_a_document_twice(monitor_settings, page_server):
    page_server.routes["/doc"] = Reply(body=page(*PRIVACY))
    documents = [Document(key="doc", name="doc", pages=(Page(page_server.url("/doc")),))]

    async def two_workers():
        return await asyncio.gather(run_pass(monitor_settings, documents, worker=True),
                                    run_pass(monitor_settings, documents, worker=True))

    first, second = asyncio.run(two_workers())
    assert sorted([len(first), len(second)]) == [0, 1] and page_server.hits("/doc") == 1
    assert asyncio.run(run_pass(monitor_settings, documents, worker=True)) == []  # checked minutes ago
