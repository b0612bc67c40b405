"""The issue's "Done when" journey and the quality bar, in a real Chromium against a real server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from doesittrain import wording

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def serious_violations(tab) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def test_search_read_compare_and_check(page, base_url, shot):
    # Search "claude" on the home page: the table filters as you type, Enter gives the server's results.
    page.goto(base_url + "/")
    page.get_by_label("Which AI tool?").fill("claude")
    visible = page.locator("#tool-table tbody tr:visible")
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text("Claude")
    shot(page, "01-home-search")
    page.keyboard.press("Enter")
    page.locator(".results").get_by_role("link", name="Claude", exact=True).click()

    # Read the tool page; the evidence opens on demand.
    expect(page).to_have_url(base_url + "/tools/claude")
    expect(page.get_by_role("heading", level=1)).to_have_text("Does Claude train on your data?")
    first_quote = page.locator("#tiers details.evidence").first
    expect(first_quote.locator("blockquote").first).to_be_hidden()
    first_quote.locator("summary").click()
    expect(first_quote.locator("blockquote").first).to_be_visible()
    shot(page, "02-tool-claude")

    # Compare it with ChatGPT, typed by name (a tool page lists no tools, so it stays small).
    page.get_by_label("Compare Claude with").fill("ChatGPT")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare\?tools=claude&tools=ChatGPT$"))
    expect(page.locator("table.compare thead th")).to_have_text([wording.UI["kind_of_plan"], "Claude", "ChatGPT"])
    shot(page, "03-compare")

    # Ask /check about Claude Pro in the EU with the toggle off.
    page.get_by_role("navigation", name="Site").get_by_role("link", name="My situation").click()
    page.get_by_label("Tool").select_option(label="Claude")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Plan", exact=True).select_option(label="Free / Pro / Max")
    page.get_by_label("Where you are").select_option(value="EU")
    page.get_by_label("What you did in the settings").select_option(value="opted_out")
    page.get_by_role("button", name="Get the answer").click()
    answer = page.locator("#result .answer")
    expect(answer).to_contain_text("Free / Pro / Max, with training turned off")
    expect(page.locator("#result .confidence")).to_contain_text("Confidence:")
    expect(page.locator("#result blockquote").first).to_be_visible()
    shot(page, "04-check-claude-pro-eu-off")


def test_search_without_javascript(browser, base_url, shot):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(base_url + "/")
    tab.get_by_label("Which AI tool?").fill("cluade")
    tab.get_by_role("button", name="Search").click()
    expect(tab.locator(".results .result-name")).to_have_text(["Claude"])
    tab.goto(base_url + "/?q=nonexistentbot")
    expect(tab.locator("#results .not-covered")).to_contain_text("not covered")
    shot(tab, "05-no-js-search")
    context.close()


def test_instant_search_says_not_covered(page, base_url):
    page.goto(base_url + "/")
    page.get_by_label("Which AI tool?").fill("zzqqxx")
    expect(page.locator("#tool-table tbody tr:visible")).to_have_count(0)
    expect(page.locator("#live-not-covered")).to_contain_text("not covered “zzqqxx” yet")


@pytest.mark.parametrize("path", ["/", "/tools/claude", "/compare?tools=claude,chatgpt",
                                  "/check?tool=claude&plan=Free+%2F+Pro+%2F+Max&region=EU&state=opted_out"])
def test_no_serious_accessibility_violations(page, base_url, path):
    page.goto(base_url + path)
    assert serious_violations(page) == []


@pytest.mark.parametrize("name, path", [("home", "/"), ("tool", "/tools/claude"), ("compare", "/compare?tools=claude,chatgpt"),
                                        ("check", "/check?tool=claude&plan=Free+%2F+Pro+%2F+Max&region=EU&state=opted_out")])
def test_readable_at_360_pixels(browser, base_url, shot, name, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    tab.goto(base_url + path)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{path} is {width}px wide"
    shot(tab, f"06-360px-{name}")
    context.close()


def test_keyboard_reaches_skip_link_then_search(page, base_url):
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    for _ in range(3):  # skip link → main: the search box is the first field in the content
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"


def test_prints_without_forms(page, base_url):
    page.goto(base_url + "/tools/claude")
    page.emulate_media(media="print")
    expect(page.locator("#notify")).to_be_hidden()
    expect(page.locator(".answer")).to_be_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
