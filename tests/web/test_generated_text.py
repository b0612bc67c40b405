"""Every page of the static export reads as written prose: no doubled stops, stray brackets, empty placeholders or
sentences said twice in one place. The words are generated from data, so these faults appear only when a
template and a data file meet; the whole bundled site is checked."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser


BLOCKS = "p, li, td, th, dd, dt, h1, h2, h3, summary, figcaption, label, legend, option, title"
# A stop after a stop, also across a closing quote ("kept 2 years.. Human", "“order.”."), never an ellipsis.
DOUBLED_STOP = re.compile(r"(?<!\.)\.[”’\"')]?\.(?!\.)")
PLACEHOLDER = re.compile(r"(:\s*[—–-]\s*$)|(:\s*\.)|\b(None|null|undefined|nan)\b|\{\{|\}\}|\(\s*\)|\[\s*\]")
SENTENCE_END = re.compile(r"(?<=[.!?])[”’\"]?\s+(?=[A-Z“])")


def doubled_stops(text: str) -> list[str]:
    return [text[max(0, m.start() - 30): m.end() + 10] for m in DOUBLED_STOP.finditer(text)]


def stray_brackets(text: str) -> list[str]:
    """Brackets that do not pair up inside one block of text ("…request))", "(see below")."""
    depth, faults = 0, []
    for index, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                faults.append(text[max(0, index - 30): index + 1])
                depth = 0
    if depth > 0:
        faults.append(text[-40:])
    return faults


def empty_placeholders(text: str) -> list[str]:
    return [m.group(0) for m in PLACEHOLDER.finditer(text)]


def repeated_sentences(text: str) -> list[str]:
    """A sentence of four words or more said twice in the same block."""
    seen: set[str] = set()
    repeats = []
    for sentence in SENTENCE_END.split(text):
        key = re.sub(r"\W+", " ", sentence).strip().lower()
        if len(key.split()) < 4:
            continue
        if key in seen:
            repeats.append(sentence)
        seen.add(key)
    return repeats


CHECKS = {
    "doubled stop": doubled_stops,
    "stray bracket": stray_brackets,
    "empty placeholder": empty_placeholders,
    "repeated sentence": repeated_sentences,
}


def page_faults(html: str) -> list[str]:
    tree = LexborHTMLParser(html)
    # Quoted policy text is verbatim (the vendor's words, cut where the quote ends); only our own words are judged.
    for node in tree.css("script, style, svg, textarea, .url, blockquote"):
        node.decompose()
    faults = []
    for text in block_texts(tree):
        for name, check in CHECKS.items():
            faults += [f"{name}: {hit!r}" for hit in check(text)]
    return faults


def block_texts(tree: LexborHTMLParser) -> list[str]:
    """The text of each block on its own: innermost blocks are read and removed first, so a table cell is judged
    by its own sentence, not by the paragraphs nested in it."""
    texts = []
    while True:
        leaves = [b for b in tree.css(BLOCKS) if len(b.css(BLOCKS)) == 1]
        if not leaves:
            return texts
        for leaf in leaves:
            texts.append(re.sub(r"\s+", " ", leaf.text()).strip())
            leaf.decompose()


# ---------------------------------------------------------------- the linter itself


@pytest.mark.parametrize("text", [
    "Chats are kept up to 2 years.. Human review: none.",
    "The order ended “on 26 September.”. OpenAI says so.",
])
def test_a_doubled_stop_is_found(text):
    assert doubled_stops(text)


def test_an_ellipsis_and_a_version_are_not_doubled_stops():
    assert doubled_stops("Loading… or loading... version 1.2.3 of e.g. the app.") == []


def test_unpaired_brackets_are_found_and_nested_ones_pass():
    assert stray_brackets("you can opt out (privacy request (form)))")
    assert stray_brackets("opt out (see the form")
    assert stray_brackets("opt out (see the (form) now) today") == []


def test_placeholders_are_found():
    assert empty_placeholders("Region notes: —")
    assert empty_placeholders("Retention: None")
    assert empty_placeholders("Steps: {{ steps }}")
    assert empty_placeholders("Retention: kept 30 days — then deleted.") == []


def test_a_sentence_said_twice_is_found():
    assert repeated_sentences("It covers future data only. Nothing else. It covers future data only.")
    assert repeated_sentences("One thing here. Another thing there.") == []


# ---------------------------------------------------------------- every page of the bundled site


def test_every_exported_page_reads_as_prose(exported_site):
    pages = sorted(exported_site.rglob("*.html"))
    assert len(pages) > 20
    faults = [f"{page.relative_to(exported_site)}: {fault}" for page in pages for fault in page_faults(page.read_text())]
    assert faults == [], f"{len(faults)} faults:\n" + "\n".join(faults[:60])
