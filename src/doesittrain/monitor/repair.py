"""When a cited quote has left its page, the passage of the new version that took its place, if one did.

The replacement is cut from the page as a reader sees it (extracted, but not normalised: dates and typography stay as
written), one to three whole sentences long, so it can be cited verbatim. It is proposed only when it is close to the
old quote (REPLACEMENT_SIMILARITY) and carries the same words that flip meaning (negations, numbers, "only",
"unless", opt in/out): a passage that now says something else is for an editor to read, not to paste in.
"""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz, process

from .diff import sentences
from .evidence import comparable, critical_words
from .extract import Rules, decode_html, html_blocks, pdf_blocks

# fuzz.ratio of the folded texts. Rewordings of a 60-200 character quote (an article, a clause reordered, a word
# swapped) score 75-95; an unrelated sentence on the same topic scores below 60.
REPLACEMENT_SIMILARITY = 75
LONGEST_PASSAGE = 3  # sentences


def verbatim_paragraphs(pages: list[tuple[bytes, str, Rules]]) -> list[str]:
    """The text of each page as a reader sees it: (body, content type, rules) -> paragraphs, whitespace squeezed."""
    paragraphs: list[str] = []
    for body, content_type, rules in pages:
        if "pdf" in content_type.lower() or body[:5] == b"%PDF-":
            blocks = pdf_blocks(body)
        else:
            blocks = html_blocks(decode_html(body, content_type), rules)
        paragraphs.extend(_visible(block) for block in blocks if block.strip())
    return [p for p in paragraphs if p]


def _visible(text: str) -> str:
    """Whitespace squeezed and invisible characters (zero-width spaces, soft hyphens) dropped, nothing else."""
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def candidate_passages(paragraphs: list[str]) -> list[str]:
    """Runs of one to LONGEST_PASSAGE consecutive sentences within a paragraph."""
    passages: list[str] = []
    for paragraph in paragraphs:
        found = sentences([paragraph])
        for size in range(1, LONGEST_PASSAGE + 1):
            passages.extend(" ".join(found[i:i + size]) for i in range(len(found) - size + 1))
    return passages


def propose_replacement(quote: str, paragraphs: list[str]) -> str | None:
    """The passage of `paragraphs` that replaced `quote`, or None when none is close enough in words and meaning."""
    passages = candidate_passages(paragraphs)
    best = process.extractOne(quote, passages, scorer=fuzz.ratio, processor=comparable, score_cutoff=REPLACEMENT_SIMILARITY)
    if best is None:
        return None
    passage = best[0]
    if critical_words(comparable(passage)) != critical_words(comparable(quote)):
        return None
    return passage
