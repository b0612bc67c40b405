"""Normalisation and extraction: what counts as the same text, and what is not a policy at all."""

from __future__ import annotations

import pytest

from doesittrain.monitor.diff import compare, word_diff
from doesittrain.monitor.evidence import locate
from doesittrain.monitor.extract import ExtractError, Rules, extract
from doesittrain.monitor.normalize import clean_url, comparison_key, fold_line

BODY = "".join(f"<p>Paragraph {i} explains how the service handles your account and your files.</p>" for i in range(8))


@pytest.mark.parametrize("url,clean", [
    ("https://openai.com/policies/x/?openaicom-did=3f2b8c1e-1111-2222-3333-444455556666&utm_source=a", "https://openai.com/policies/x"),
    ("https://claude.ai/redirect/website.v1.0b9c5c1e-1111-2222-3333-444455556666/https%3A%2F%2Fwww.anthropic.com%2Flegal%2Fprivacy",
     "https://www.anthropic.com/legal/privacy"),
    ("https://www.bing.com/ck/a?!&&p=abc&u=a1aHR0cHM6Ly9leGFtcGxlLm9yZy9wb2xpY3k&ntb=1&fclid=1234", "https://example.org/policy"),
    ("https://example.org/page?lang=en#section-2", "https://example.org/page?lang=en"),
])
def test_urls_lose_wrappers_tracking_and_per_request_ids(url, clean):
    assert clean_url(url) == clean


def test_typography_invisible_characters_and_dates_fold():
    assert fold_line("We\u2019re \u201cclear\u201d\u2060 \u2014 effective\u00a0July 8, 2026") == \
        fold_line("We're \"clear\" - effective 8 July 2026") == "We're \"clear\" - effective 2026-07-08"
    assert fold_line("Updated 18 days ago") == ""


def test_moved_paragraphs_and_rewrapped_lines_are_the_same_state():
    assert comparison_key(["A first rule.", "A second rule."]) == comparison_key(["A second  rule.", "A first rule."])
    assert comparison_key(["We train."]) != comparison_key(["We do not train."])


def test_page_furniture_is_removed_and_main_content_kept():
    html = f"""<html><body><nav>Menu</nav><div class="cookie-banner">Accept cookies</div>
    <main>{BODY}<p class="sr-only">skip</p></main><footer>Generated 12:00:01</footer></body></html>"""
    text = " ".join(extract(html.encode(), "text/html"))
    assert "Paragraph 0" in text and "Menu" not in text and "cookies" not in text and "Generated" not in text
    assert "skip" not in text


def test_select_and_remove_rules():
    html = f"<html><body><article id='terms'>{BODY}<div class='promo'>Buy now</div></article><aside>{BODY}</aside></body></html>"
    paragraphs = extract(html.encode(), "text/html", Rules(select=("#terms",), remove=(".promo",)))
    assert len(paragraphs) == 8 and all("Buy now" not in p for p in paragraphs)
    with pytest.raises(ExtractError, match="selector has no match"):
        extract(html.encode(), "text/html", Rules(select=("#missing",)))


@pytest.mark.parametrize("html,cause", [
    ("<html><body><main><h1>404</h1><p>Page not found</p></main></body></html>", "soft 404"),
    ("<html><body><main><p>Please log in to continue</p></main></body></html>", "login wall"),
    ("<html><body><p>Verify you are human by completing the action below.</p></body></html>", "bot block"),
    ("<html><body><main><p>Before you continue to our site, accept all cookies.</p></main></body></html>", "consent page"),
    ("<html><body></body></html>", "empty extraction"),
])
def test_error_pages_are_not_policies(html, cause):
    with pytest.raises(ExtractError) as caught:
        extract(html.encode(), "text/html")
    assert caught.value.cause == cause


def test_a_collapsed_page_is_an_error_not_a_shorter_policy():
    html = f"<html><body><main>{BODY}</main></body></html>".encode()
    with pytest.raises(ExtractError, match="collapsed"):
        extract(html, "text/html", previous_chars=20000)


def test_pdf_text_is_extracted():
    stream = b"BT /F1 12 Tf 72 720 Td (We do not train on API data. Deleted data is erased within 30 days and more text follows here to pass the minimum length of a real policy page, which is two hundred characters long at least. A second sentence makes sure of it.) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    assert "We do not train on API data." in " ".join(extract(pdf, "application/pdf"))


def test_a_changed_sentence_is_one_edited_passage_with_topics_and_moves_are_ignored():
    old = ["We keep chats for 30 days.", "Billing happens monthly. Support answers in a day."]
    new = ["Support answers in a day. Billing happens monthly.", "We keep chats for 90 days."]
    change = compare(old, new)
    assert [(p.kind, p.old, p.new, p.topics) for p in change.passages] == [
        ("edited", "We keep chats for 30 days.", "We keep chats for 90 days.", ["retention"])]
    assert change.material
    assert ("removed", "30 ") in word_diff("for 30 days", "for 90 days")


def test_a_punctuation_fix_is_not_material():
    change = compare(["We do not train on your data"], ["We do not train on your data."])
    assert change.passages and not change.material


@pytest.mark.parametrize("quote,how", [
    ("We do not train on business data.", "exact"),
    ("we DO NOT train on business data", "normalised"),
    ("We do not train on busines data.", "fuzzy"),
    ("We train on business data.", "missing"),
    ("We do not train on business data for 30 days.", "missing"),
])
def test_quotes_are_found_exactly_then_normalised_then_fuzzily_but_never_with_a_flipped_meaning(quote, how):
    text = "Intro.\nWe do not train on business data.\nOther text about billing and invoices."
    assert locate(quote, text).how == how
