"""The HTML pages: what a reader sees on each, read like the issue's page list."""

from __future__ import annotations

import json
import re

import pytest

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.testclient import TestClient

from doesittrain import verdicts, wording
from doesittrain.dataset.load import load_dataset
from doesittrain.dataset.schema import Training
from doesittrain.web.app import create_app
from doesittrain.wording import CHART_LEGEND, TRAINING_LABELS


def page(client, url, status=200) -> HTMLParser:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return HTMLParser(response.text)


def text_of(tree: HTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, f"no {selector}"
    return " ".join(node.text().split())


def example_tool(example_dataset):
    return load_dataset(example_dataset).tools["exampleai"]


def test_tool_page_has_every_section_of_the_seed_in_order(client):
    tree = page(client, "/tools/exampleai")
    headings = [" ".join(h.text().split()) for h in tree.css("h1, h2")]
    expected = [
        "Does ExampleAI train on your data?",
        "Does ExampleAI train its models on your data?",
        "Verdict by plan tier",
        "Can you opt out?",
        "Zero retention / DPA",
        "What the listicles get wrong",
        "How the verdict changed",
        "Get notified when this changes",
        "Frequently asked questions",
        "Sources",
        "Check another AI tool",
    ]
    assert headings == expected
    html = tree.html
    assert html.index("Last verified") < html.index("Get notified") < html.index(verdicts.disclaimer(_tool(client)))


def _tool(client):
    return client.app.state.site.dataset.tools["exampleai"]


def test_tool_page_words_come_from_the_verdict_engine(client):
    tool = _tool(client)
    tree = page(client, "/tools/exampleai")
    assert text_of(tree, ".answer") == verdicts.headline(tool)
    assert [b.text() for b in tree.css("header .badge")] == [b.text for b in verdicts.badges(tool)]
    assert text_of(tree, "#opt-out p") == verdicts.opt_out_answers(tool)[0]
    assert verdicts.confirm_note(tool) in text_of(tree, ".verified")


def test_faq_is_collapsed_and_points_at_the_sections_that_answer_it(client):
    tool = _tool(client)
    tree = page(client, "/tools/exampleai")
    details = tree.css_first("#faq details")
    assert details is not None and "open" not in details.attributes
    items = tree.css("#faq li")
    assert [" ".join(li.text().split()) for li in items] == [a.question for a in verdicts.faq(tool)]
    targets = [li.css_first("a").attributes["href"] for li in items]
    assert targets == ["#answer", "#opt-out", "#zdr-dpa", "#tiers"]
    assert all(tree.css_first(target) is not None for target in targets)
    for answer in verdicts.faq(tool):
        assert answer.text not in text_of(tree, "#faq"), "the FAQ does not repeat the sections word for word"


def test_tier_table_has_one_row_per_plan_with_label_sentence_and_region_note(client):
    tool = _tool(client)
    rows = page(client, "/tools/exampleai").css("table.tiers tbody tr")
    assert len(rows) == len(tool.plans), "a region variant sits inside its tier's row, not in a row of its own"
    eu = rows[0].css_first(".variant")
    assert "In the EU/EEA and the UK" in eu.text()
    assert verdicts.plan_label(tool.plans[0].in_region("EU")) in eu.text()
    assert "In the EU and UK training is off unless you opt in." in eu.text()
    assert eu.css_first("[data-region]").attributes["data-region"] == "EU UK"


def test_evidence_quotes_are_shown_on_demand(client):
    tree = page(client, "/tools/exampleai")
    quotes = [" ".join(q.text().split()) for q in tree.css("details.evidence blockquote p")]
    assert "“We may use the content you provide to train our models, unless you opt out.”" in quotes
    for blockquote in tree.css("blockquote"):
        assert blockquote.parent.tag == "details" or blockquote.parent.parent.tag == "details" or "result" in (blockquote.parent.attributes.get("class") or "")


def test_myth_shows_claim_outlet_rating_correction_and_evidence(client):
    myth = page(client, "/tools/exampleai").css_first("#myth-1")
    text = " ".join(myth.text().split())
    assert "Paying for Plus keeps your chats out of training." in text
    assert "Some Listicle" in text and "2026-02-01" in text
    assert "Our rating: False" in text
    assert "only business plans are excluded by default" in text
    assert len(myth.css("blockquote")) == 2


def test_a_myth_from_a_page_that_prints_no_date_says_when_it_was_seen_there(dataset_copy, make_settings):
    tool_file = dataset_copy / "exampleai.yaml"
    tool_file.write_text(tool_file.read_text(encoding="utf-8").replace("      date: 2026-02-01\n", "      seen: 2026-03-05\n"),
                         encoding="utf-8")
    with TestClient(create_app(make_settings(dataset=str(dataset_copy)))) as client:
        text = " ".join(page(client, "/tools/exampleai").css_first("#myth-1").text().split())
    assert "Appeared in Some Listicle (seen there on 2026-03-05)" in text


def test_sources_list_supports_dates_and_quote(client):
    source = page(client, "/tools/exampleai").css_first("#source-privacy")
    text = " ".join(source.text().split())
    assert "ExampleAI Privacy Policy" in text
    assert "Supports: Consumer chats are used for training by default." in text
    assert "Dated 2026-06-01" in text and "read 2026-11-01" in text
    assert source.css_first("details blockquote") is not None


def test_tier_hint_and_timeline_are_added_to_the_seed(client):
    tree = page(client, "/tools/exampleai")
    assert "Your plan is shown under Settings → Account" in text_of(tree, ".hint")
    timeline = text_of(tree, "#timeline")
    assert "2025-09-01" in timeline
    assert (f"Free / Plus: Training on your data changed from “{TRAINING_LABELS[Training.opt_in]}” to"
            f" “{TRAINING_LABELS[Training.default_on]}”.") in timeline
    svg = tree.css_first("#timeline svg")
    assert svg.attributes["role"] == "img" and svg.css_first("title") is not None


def test_subscribe_form_posts_to_the_site_with_its_tool_and_no_per_reader_token(client):
    form = page(client, "/tools/exampleai").css_first("#notify form")
    assert form.attributes["action"] == "/subscribe", "a served page posts to whatever address it was opened at"
    assert form.attributes["method"] == "post"
    fields = {i.attributes.get("name"): i.attributes.get("value") for i in form.css("input")}
    assert fields["tool"] == "exampleai" and "email" in fields
    assert "csrf_token" not in fields, "the browser's Origin and Sec-Fetch-Site vouch for the form"
    assert "One email per change. No newsletter, no selling your address." in form.text()


def test_a_cached_page_is_the_same_bytes_for_every_browser(site_settings):
    app = create_app(site_settings)
    bodies = set()
    for _ in range(2):
        with TestClient(app) as browser:
            answer = browser.get("/tools/exampleai")
            assert "set-cookie" not in answer.headers
            bodies.add(answer.content)
    assert len(bodies) == 1


def test_json_ld_has_faq_claim_reviews_and_cannot_close_its_script(client):
    tree = page(client, "/tools/exampleai")
    blocks = [json.loads(s.text()) for s in tree.css('script[type="application/ld+json"]')]
    kinds = [b["@type"] for b in blocks]
    assert kinds == ["FAQPage", "ClaimReview"]
    assert blocks[1]["claimReviewed"] == "Paying for Plus keeps your chats out of training."
    assert blocks[1]["reviewRating"]["alternateName"] == "False"
    from doesittrain.web.pages import json_ld

    assert "</script>" not in str(json_ld({"text": "</script><script>alert(1)</script>"}))
    assert json.loads(str(json_ld({"text": "</script>"}))) == {"text": "</script>"}


def test_canonical_and_alternate_links(client):
    tree = page(client, "/tools/exampleai")
    assert tree.css_first('link[rel="canonical"]').attributes["href"] == "https://doesittrain.test/tools/exampleai"
    assert tree.css_first('link[rel="alternate"][type="application/json"]').attributes["href"] == "/tools/exampleai.json"


def test_unknown_tool_is_a_helpful_404_with_suggestions(client):
    tree = page(client, "/tools/exampleia", status=404)
    assert "not covered “exampleia” yet" in tree.text()
    assert [a.attributes["href"] for a in tree.css(".suggestions a")] == ["/tools/exampleai"]
    assert tree.css_first("form[role=search]") is not None


def test_any_unknown_address_is_a_page_not_a_traceback(client):
    tree = page(client, "/no/such/page", status=404)
    assert "Check another AI tool" in tree.text()


def test_home_lists_every_tool_with_consumer_badges_and_a_chart(client):
    tree = page(client, "/")
    rows = tree.css("#tool-table tbody tr")
    assert [r.css_first("a").text() for r in rows] == ["ExampleAI"]
    assert TRAINING_LABELS[Training.default_on] in rows[0].text()
    assert "For Free / Plus (consumer)" in rows[0].text(), "the badges say which tier they speak for"
    assert tree.css_first("#chart svg") is not None
    assert f"Consumer plans: 1 {CHART_LEGEND['bad'].lower()}" in text_of(tree, ".chart-text")
    ld = json.loads(tree.css_first('script[type="application/ld+json"]').text())
    assert ld["@type"] == "Dataset" and ld["license"].startswith("https://creativecommons.org/licenses/by/4.0")


def test_home_search_works_without_javascript_and_tolerates_typos(client):
    tree = page(client, "/?q=exmpleai")
    assert [a.text() for a in tree.css(".results .result-name")] == ["ExampleAI"]
    tree = page(client, "/?q=exai")  # an alias
    assert [a.text() for a in tree.css(".results .result-name")] == ["ExampleAI"]


def test_tool_not_covered_gets_a_clear_answer(client):
    tree = page(client, "/?q=Nonexistent+Bot")
    assert text_of(tree, "#results .not-covered") == wording.not_covered("Nonexistent Bot")


def test_home_filters_narrow_the_table(client):
    assert len(page(client, "/?trains=1").css("#tool-table tbody tr")) == 1
    assert len(page(client, "/?no_opt_out=1").css("#tool-table tbody tr")) == 0
    assert len(page(client, "/?zdr=1&category=AI+chatbot").css("#tool-table tbody tr")) == 1
    assert len(page(client, "/?category=Image+generation").css("#tool-table tbody tr")) == 1  # unknown category: ignored


def test_compare_puts_tiers_side_by_side(bundled_client):
    tree = page(bundled_client, "/compare?tools=claude,chatgpt")
    headers = [th.text() for th in tree.css("table.compare thead th")]
    assert headers == [wording.UI["kind_of_plan"], "Claude", "ChatGPT"]
    audiences = [th.text() for th in tree.css("table.compare tbody th")]
    assert audiences[0] == "Consumer" and "API" in audiences
    tree = page(bundled_client, "/compare?tools=claude&tools=chat+gpt&tools=nothing-here")
    assert [th.text() for th in tree.css("table.compare thead th")][1:] == ["Claude", "ChatGPT"]
    assert "nothing-here" in text_of(tree, ".not-covered")


def test_check_gives_one_sentence_with_confidence_and_quote(client):
    tool = _tool(client)
    tree = page(client, "/check?tool=exampleai&plan=Free+%2F+Plus&region=EU&state=default")
    expected = verdicts.situation(tool, tool.plan("consumer").in_region("EU"), "default").sentence
    assert text_of(tree, "#result .answer") == expected
    assert text_of(tree, "#result .confidence").startswith("Confidence: high")
    assert "we only train on content if you opt in" in text_of(tree, "#result blockquote")


def test_check_with_the_toggle_off(client):
    tree = page(client, "/check?tool=exampleai&plan=Free+%2F+Plus&region=&state=opted_out")
    assert "with training turned off" in text_of(tree, "#result .answer")
    states = [o.attributes["value"] for o in tree.css("#check-state option")]
    assert states == ["default", "opted_out"]


def test_check_form_works_step_by_step_without_javascript(client):
    tree = page(client, "/check")
    assert tree.css_first("#check-plan") is None and tree.css_first("#result") is None
    tree = page(client, "/check?tool=exampleai")
    assert [o.text() for o in tree.css("#check-plan option")][1:] == ["Free / Plus", "Team / Enterprise", "API"]
    tree = page(client, "/check?tool=nothing")
    assert "not covered" in text_of(tree, ".not-covered")


def test_a_plan_of_another_tool_is_named_not_dropped_silently(client):
    from doesittrain import wording

    tree = page(client, "/check?tool=exampleai&plan=" + "Free+%2F+Pro+%2F+Max")
    assert text_of(tree, "#stale-plan") == wording.plan_not_offered("Free / Pro / Max", "ExampleAI")
    assert tree.css_first("#result") is None
    assert page(client, "/check?tool=exampleai&plan=API").css_first("#stale-plan") is None


def test_methodology_explains_labels_confidence_and_licences(client):
    text = " ".join(page(client, "/methodology").text().split())
    for label in wording.TRAINING_LABELS.values():
        assert label in text
    for meaning in wording.CONFIDENCE_MEANINGS.values():
        assert meaning.capitalize() in text
    assert "CC BY 4.0" in text and "ODC-BY" in text and "Apache-2.0" in text


def test_changes_lists_history_newest_first_with_a_subscribe_for_all(client):
    tree = page(client, "/changes")
    items = tree.css("ol.changes li")
    assert "ExampleAI" in items[0].text() and "2025-09-01" in items[0].text()
    form = tree.css_first("form.subscribe")
    assert form.css_first('input[name="tool"]').attributes["value"] == "all"


def test_bundled_tool_pages_render(bundled_client):
    for slug in bundled_client.app.state.site.dataset.tools:
        response = bundled_client.get(f"/tools/{slug}")
        assert response.status_code == 200, slug


def test_every_response_carries_security_headers(client):
    for url in ["/", "/tools/exampleai", "/api/tools", "/nope", "/tools/exampleai/badge.svg", "/static/site.css"]:
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"], url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_pages_have_no_inline_scripts_or_styles(client):
    for url in ["/", "/tools/exampleai", "/compare?tools=exampleai", "/check?tool=exampleai", "/changes", "/methodology"]:
        tree = page(client, url)
        for script in tree.css("script"):
            # Data blocks (JSON-LD, the search index) are never run, so the CSP's script-src 'self' still holds.
            assert script.attributes.get("src") or script.attributes.get("type") in {"application/ld+json", "application/json"}, url
        assert not tree.css("style") and not tree.css("[style]"), url


@pytest.mark.parametrize("path, target", [
    ("/tools/Claude", "/tools/claude"), ("/tools/CHATGPT", "/tools/chatgpt"), ("/tools/openai", "/tools/chatgpt"),
    ("/tools/anthropic", "/tools/claude"), ("/tools/instagram", "/tools/meta-ai"), ("/tools/Meta-AI", "/tools/meta-ai"),
])
def test_tool_addresses_ignore_case_and_know_products_and_vendors(bundled_client, path, target):
    response = bundled_client.get(path, follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == target


def test_an_unknown_tool_address_is_still_a_helpful_404(bundled_client):
    assert bundled_client.get("/tools/no-such-tool-anywhere", follow_redirects=False).status_code == 404


def test_the_tool_page_asks_for_a_tool_to_compare_by_name_instead_of_listing_every_tool(client):
    """Nothing on a tool page grows with the number of tools, so pages stay small and builds stay fast."""
    form = page(client, "/tools/exampleai").css_first("form.compare-with")
    assert form.css_first("select") is None
    assert form.css_first("input#compare-with").attributes["name"] == "tools"
    assert form.css_first('input[type="hidden"]').attributes["value"] == "exampleai"
