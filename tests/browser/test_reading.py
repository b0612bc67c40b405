"""Reading the site as a reader does, in a real Chromium: on a phone (390 px), a desktop (1280 px) and paper.

Every page below is opened at both widths and measured: no word broken across lines, no chart label on top of
another, no sideways scrolling, no text smaller than 11 px. Tool pages are printed to PDF and every quote is
looked for in it. Screenshots go to test-output/browser/ to be looked at.
"""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import expect

from doesittrain.settings import BUNDLED_DATASET

pytestmark = pytest.mark.browser

TOOLS = ["claude", "chatgpt", "meta-ai"]
PAGES = {
    "home": "/",
    "search": "/?q=copilot",
    **{f"tool-{slug}": f"/tools/{slug}" for slug in TOOLS},
    "compare": "/compare?tools=claude&tools=chatgpt&tools=gemini&tools=meta-ai",
    "check": "/check?tool=claude&plan=" + quote("Free / Pro / Max") + "&region=EU&state=opted_out",
    "methodology": "/methodology",
    "changes": "/changes",
}
WIDTHS = [390, 1280]
SMALLEST_TEXT_PX = 11

# One script measures a page: words split over two lines, overlapping chart labels, sideways scroll, tiny text.
# A "word" is a run of letters and digits, so a line may still break after a hyphen or slash; URLs may break anywhere.
MEASURE = """() => {
  const faults = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /[\\p{L}\\p{N}]+/gu;
  // A web address written out in a sentence ("myactivity.google.com/product/gemini") may wrap anywhere.
  const inAddress = (text, at) => {
    const start = text.lastIndexOf(" ", at) + 1, end = text.indexOf(" ", at);
    return /[\\w-]+\\.[a-z]{2,}|\\//i.test(text.slice(start, end === -1 ? undefined : end));
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("svg, script, style, .url, textarea, option") || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (node.textContent.trim() && size < %(smallest)d) faults.push(`text of ${size}px: ${node.textContent.trim().slice(0, 40)}`);
    for (const match of node.textContent.matchAll(word)) {
      if (match[0].length < 2 || inAddress(node.textContent, match.index)) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) faults.push(`word broken across lines: ${match[0]}`);
    }
  }
  for (const badge of document.querySelectorAll(".badge")) {
    if (!visible(badge)) continue;
    const lines = new Set(Array.from(badge.getClientRects()).map(r => Math.round(r.top))).size;
    const style = getComputedStyle(badge);
    if (lines > 1 || badge.getBoundingClientRect().height > 2 * parseFloat(style.lineHeight)) faults.push(`badge wraps: ${badge.textContent}`);
    if (parseFloat(style.paddingLeft) < 4) faults.push(`badge without padding: ${badge.textContent}`);
  }
  for (const svg of document.querySelectorAll("svg.chart")) {
    if (!visible(svg)) continue;
    const texts = Array.from(svg.querySelectorAll("text"));
    const boxes = texts.map(t => t.getBoundingClientRect());
    texts.forEach((t, i) => {
      const size = parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a;
      if (size < %(smallest)d) faults.push(`chart text of ${size.toFixed(1)}px: ${t.textContent}`);
      for (let j = i + 1; j < texts.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
          faults.push(`chart labels overlap: ${t.textContent} / ${texts[j].textContent}`);
        }
      }
    });
  }
  for (const box of document.querySelectorAll("main *")) {
    const style = getComputedStyle(box);
    if (["auto", "scroll", "hidden"].includes(style.overflowX) && visible(box) && box.scrollWidth > box.clientWidth + 1) {
      faults.push(`content cut or scrolling inside ${box.tagName.toLowerCase()}.${box.className}: ${box.scrollWidth}px in ${box.clientWidth}px`);
    }
  }
  const wide = document.documentElement.scrollWidth;
  if (wide > window.innerWidth) faults.push(`page scrolls sideways: ${wide}px in ${window.innerWidth}px`);
  return faults;
}""" % {"smallest": SMALLEST_TEXT_PX}


@pytest.fixture
def tab_at(browser):
    contexts = []

    def open_at(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well_on_screen(tab_at, base_url, shot, name, width):
    tab = tab_at(width)
    tab.goto(base_url + PAGES[name])
    shot(tab, f"reading-{name}-{width}")
    assert tab.evaluate(MEASURE) == []


def test_the_measure_finds_each_fault_it_looks_for(tab_at):
    tab = tab_at(390)
    tab.set_content(
        '<div style="width:60px;overflow-wrap:anywhere">Healthcare</div>'
        '<p style="font-size:9px">tiny words</p><div style="width:2000px">wide</div>'
        '<svg class="chart" viewBox="0 0 200 40" width="200"><text x="10" y="20">2025-05-13</text>'
        '<text x="14" y="22">2025-09-26</text></svg>'
        '<span class="badge" style="padding:0">bare</span>'
        '<main><div style="overflow-x:auto;width:100px"><span style="display:inline-block;width:300px">cut</span></div></main>'
    )
    found = " | ".join(tab.evaluate(MEASURE))
    for fault in ["word broken across lines: Healthcare", "text of 9px", "scrolls sideways", "chart labels overlap",
                  "content cut or scrolling inside div", "badge without padding: bare"]:
        assert fault in found


@pytest.mark.parametrize("width", [320, 768, 1920])
@pytest.mark.parametrize("name", ["home", "tool-chatgpt", "tool-meta-ai", "compare"])
def test_no_word_breaks_at_any_width_from_phone_to_wide_screen(tab_at, base_url, name, width):
    tab = tab_at(width)
    tab.goto(base_url + PAGES[name])
    assert [f for f in tab.evaluate(MEASURE) if "word broken" in f or "sideways" in f] == []


@pytest.mark.parametrize("width", [320, 360])
def test_timeline_text_stays_readable_on_the_narrowest_phones(tab_at, base_url, width):
    tab = tab_at(width)
    tab.goto(base_url + "/tools/chatgpt")
    expect(tab.locator("#timeline svg.chart").locator("visible=true")).to_have_count(1)
    assert [f for f in tab.evaluate(MEASURE) if "chart" in f] == []


def test_timeline_has_a_legend_and_says_the_same_in_words(tab_at, base_url):
    tab = tab_at(1280)
    tab.goto(base_url + "/tools/chatgpt")
    assert tab.locator("#timeline .chart-legend li").count() >= 2
    svg = tab.locator("#timeline svg.chart").locator("visible=true")
    assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
    dots = svg.locator("circle.dot").count()
    assert tab.locator("#timeline .timeline-list li").count() == dots, "each dot is a change in the list"


@pytest.mark.parametrize("width", WIDTHS)
def test_print_shows_every_quote_once_and_no_navigation_or_forms(tab_at, base_url, width):
    tab = tab_at(width)
    tab.goto(base_url + "/tools/claude")
    tab.emulate_media(media="print")
    for hidden in ["nav", "form", "#notify", "#another", "#faq"]:
        assert tab.locator(hidden).locator("visible=true").count() == 0, hidden
    shot_quotes = tab.locator("#sources blockquote").locator("visible=true").count()
    assert shot_quotes == len(quotes_of("claude"))
    assert tab.locator("#tiers blockquote, #myths blockquote").locator("visible=true").count() == 0, "each quote once"


def pdf_text(tab) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(tab.pdf(format="A4")))
    return squeeze(" ".join(page.extract_text() for page in reader.pages))


def squeeze(text: str) -> str:
    """Ligatures unfolded and all white space dropped, so a quote wrapped over lines still matches."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quotes_of(slug: str) -> list[str]:
    data = yaml.safe_load((BUNDLED_DATASET / f"{slug}.yaml").read_text())
    return [e["quote"] for e in data["evidence"]]


def source_urls_of(slug: str) -> list[str]:
    return [s["url"] for s in yaml.safe_load((BUNDLED_DATASET / f"{slug}.yaml").read_text())["sources"]]


@pytest.mark.parametrize("slug", TOOLS)
def test_every_quote_of_a_tool_page_is_in_its_pdf_and_each_url_once(tab_at, base_url, slug):
    tab = tab_at(1280)
    tab.goto(base_url + f"/tools/{slug}")
    tab.emulate_media(media="print")
    text = pdf_text(tab)
    missing = [q for q in quotes_of(slug) if squeeze(q) not in text]
    assert missing == []
    counts = {url: text.count(squeeze(url)) for url in source_urls_of(slug)}
    assert {url: n for url, n in counts.items() if n != 1} == {}


# ---------------------------------------------------------------- search: the browser ranks as the server does

QUERIES = ["claude", "cluade", "chatgtp", "ChatGPT Plus", "gemni", "WhatsApp", "Instagram", "Facebook", "X", "Twitter",
           "DALL·E", "Sora", "OpenAI", "Anthropic", "copilot", "notion ai", "le chat", "perplex", "grammerly", "meta",
           "zzqqxx"]


def test_browser_and_server_give_the_same_top_results(tab_at, base_url):
    import json
    import urllib.request

    tab = tab_at(1280)
    tab.goto(base_url + "/")
    for query in QUERIES:
        with urllib.request.urlopen(f"{base_url}/api/tools?q={quote(query)}") as response:
            server = [t["slug"] for t in json.load(response)["tools"]][:5]
        browser = [m["slug"] for m in tab.evaluate("(q) => window.doesittrainSearch(q, 5)", query)]
        assert browser == server, query


def test_typing_a_typo_or_a_product_shows_the_tool_first(tab_at, base_url, shot):
    tab = tab_at(390)
    tab.goto(base_url + "/")
    box = tab.get_by_label("Which AI tool?")
    for typed, name in [("cluade", "Claude"), ("WhatsApp", "Meta AI"), ("sora", "ChatGPT")]:
        box.fill(typed)
        rows = tab.locator("#tool-table tbody tr:visible")
        expect(rows.first).to_contain_text(name)
        expect(tab.locator("#live-not-covered")).to_be_hidden()
    expect(tab.locator("#tool-table tbody tr:visible")).to_have_count(1)  # "sora": ChatGPT only, never Cursor
    shot(tab, "reading-search-sora-390")


def test_changing_the_tool_on_check_drops_the_old_plan_list(tab_at, base_url):
    tab = tab_at(1280)
    tab.goto(base_url + "/check?tool=claude")
    expect(tab.get_by_label("Plan", exact=True)).to_be_visible()
    tab.get_by_label("Tool").select_option(label="ChatGPT")
    expect(tab.get_by_label("Plan", exact=True)).to_be_hidden()
    tab.get_by_role("button", name="Next").click()
    expect(tab).to_have_url(re.compile(r"/check\?tool=chatgpt$"))
    plans = tab.get_by_label("Plan", exact=True).locator("option").all_text_contents()
    assert "Free / Pro / Max" not in plans and len(plans) > 1


def test_compare_with_starts_on_a_choice_not_the_first_tool(tab_at, base_url):
    tab = tab_at(1280)
    tab.goto(base_url + "/tools/claude")
    select = tab.get_by_label("Compare Claude with")
    assert select.evaluate("s => s.value") == ""
    expect(tab.get_by_role("heading", level=1)).to_have_text("Does Claude train on your data?")
    tab.goto(base_url + "/compare?tools=claude&tools=chatgpt&tools=gemini")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Compare Claude, ChatGPT and Gemini")
