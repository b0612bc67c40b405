"""A fetched page (HTML or PDF bytes) -> the policy's paragraphs, or an ExtractError saying why there are none.

Errors are never versions: an empty or collapsed extraction, a soft 404, a login wall, a bot challenge or a consent
page raises ExtractError with a cause, so the monitor records a failed fetch instead of a "change".
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from .normalize import normalize_blocks

# Bump when the rules below change: versions are then re-derived from snapshots as technical upgrades.
EXTRACTOR_VERSION = "1"

_BLOCK_TAGS = ("address,article,aside,blockquote,br,dd,details,div,dl,dt,figcaption,figure,h1,h2,h3,h4,h5,h6,hr,"
               "li,main,ol,p,pre,section,summary,table,td,th,tr,ul,caption")
# Page furniture and per-visit noise that is never part of a policy.
DEFAULT_REMOVE = (
    "script,style,noscript,template,svg,iframe,nav,header,footer,form,button,select,[hidden],[aria-hidden=true],"
    "[role=navigation],[role=banner],[role=contentinfo],[role=dialog],[role=alertdialog],.sr-only,.visually-hidden,"
    "[id*=cookie i],[class*=cookie i],[id*=consent i],[class*=consent i],[id*=gdpr i],[class*=gdpr i],"
    "[class*=banner i],[class*=skip-link i],[class*=locale i],[class*=language-picker i]"
)
MAIN_CANDIDATES = ("main", "[role=main]", "article", "#content", ".content", "body")
_SEPARATOR = "\x1e"

# A short page made of one of these phrases is an error, a wall or a challenge, not a policy.
ERROR_PHRASES = {
    "soft 404": re.compile(r"page (?:not found|isn.t available|does not exist|could not be found)|\b404\b|"
                           r"no longer available|an unexpected error|something went wrong", re.I),
    "login wall": re.compile(r"\b(?:sign|log) ?in to (?:continue|view|access)|please (?:sign|log) ?in|session expired", re.I),
    "bot block": re.compile(r"verify (?:you are|you're) (?:a )?human|are you a robot|just a moment|checking your browser|"
                            r"access denied|attention required|enable javascript and cookies|captcha|unusual traffic", re.I),
    "consent page": re.compile(r"before you continue|we value your privacy|accept (?:all )?cookies|manage (?:your )?consent", re.I),
}
# Below this many characters a page is checked against ERROR_PHRASES; real policies are far longer.
SHORT_PAGE_CHARS = 1500
# Below this many characters there is nothing worth tracking.
MIN_CHARS = 200
# A new text shorter than this share of the previous version, and short in itself, is a broken or truncated
# page. The absolute bound matters: real policies do shrink a lot when a vendor splits one page into several.
COLLAPSE_RATIO = 0.3
COLLAPSE_CHARS = 3000


class ExtractError(Exception):
    """Why a fetched page holds no policy text; `cause` is a short label (soft 404, empty, …)."""

    def __init__(self, cause: str, detail: str = ""):
        super().__init__(f"{cause}: {detail}" if detail else cause)
        self.cause = cause


@dataclass(frozen=True)
class Rules:
    """How to cut the policy out of a page: CSS `select` (content) and `remove` (noise inside it)."""

    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def extract(body: bytes, content_type: str, rules: Rules = Rules(), previous_chars: int | None = None) -> list[str]:
    """Normalised paragraphs of the policy in `body`."""
    if "pdf" in content_type.lower() or body[:5] == b"%PDF-":
        blocks = pdf_blocks(body)
    else:
        blocks = html_blocks(decode_html(body, content_type), rules)
    paragraphs = normalize_blocks(blocks)
    check_is_policy(paragraphs, previous_chars)
    return paragraphs


def decode_html(body: bytes, content_type: str) -> str:
    """Bytes -> text by the declared charset, then the <meta> one, then UTF-8, then cp1252 (never fails)."""
    candidates = []
    if match := re.search(r"charset=([\w-]+)", content_type, re.I):
        candidates.append(match.group(1))
    if match := re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I):
        candidates.append(match.group(1).decode("ascii", "ignore"))
    # Valid UTF-8 is almost never anything else, whatever the header claims; then the declared charsets.
    for encoding in ("utf-8", *candidates):
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


# Real policy pages nest a few dozen elements deep. The HTML parser's cost grows with the square of the depth
# (1.4 s at 20,000), so a page nested deeper than this is refused before parsing, as hostile or broken.
MAX_NESTING = 5000
_CONTAINER_TAG = re.compile(r"<(/?)(div|section|article|main|span|table|tbody|tr|td|ul|ol|blockquote|form|nav|aside|header|footer|a|b|i|em|strong)\b[^>]*>", re.I)


def nesting_depth(html: str) -> int:
    """The deepest nesting of container elements, from a linear scan of the tags (no parse)."""
    depth = deepest = 0
    for match in _CONTAINER_TAG.finditer(html):
        if match.group(1):
            depth = max(0, depth - 1)
        elif not match.group(0).endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_blocks(html: str, rules: Rules = Rules()) -> list[str]:
    """Visible text of the selected part of the page, one string per block element. Link targets are left
    out: the words a reader sees are the policy; hrefs carry the per-visit ids."""
    if nesting_depth(html) > MAX_NESTING:
        raise ExtractError("nested too deeply", f"more than {MAX_NESTING} nested elements")
    tree = LexborHTMLParser(html)
    _remove(tree, DEFAULT_REMOVE)
    roots = _select(tree, rules.select)
    for root in roots:
        for selector in rules.remove:
            _remove_in(root, selector)
    blocks: list[str] = []
    for root in roots:
        for node in root.css(_BLOCK_TAGS):
            node.insert_before(_SEPARATOR)
            node.insert_after(_SEPARATOR)
        blocks.extend(root.text(deep=True, separator="").split(_SEPARATOR))
    return blocks


def _remove(tree: LexborHTMLParser, selectors: str) -> None:
    root = tree.root
    if root is not None:
        _remove_in(root, selectors)


def _remove_in(root, selectors: str) -> None:
    try:
        nodes = root.css(selectors)
    except Exception as exc:  # selectolax raises a bare exception type on bad CSS
        raise ExtractError("invalid selector", f"{selectors!r}: {exc}") from None
    for node in nodes:
        node.decompose()


def _select(tree: LexborHTMLParser, select: tuple[str, ...]):
    if select:
        found = []
        for selector in select:
            try:
                found.extend(tree.css(selector))
            except Exception as exc:
                raise ExtractError("invalid selector", f"{selector!r}: {exc}") from None
        if not found:
            raise ExtractError("selector has no match", ", ".join(select))
        return found
    for candidate in MAIN_CANDIDATES:
        node = tree.css_first(candidate)
        if node is not None and len(node.text(deep=True, strip=True)) >= MIN_CHARS:
            return [node]
    return [tree.body] if tree.body is not None else []


def pdf_blocks(body: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractError("unreadable PDF", str(exc)) from None
    # PDF lines are wrapped by layout; paragraphs are separated by blank lines or sentence ends.
    return [" ".join(chunk.split()) for chunk in re.split(r"\n\s*\n|(?<=[.:;])\n", text)]


def check_is_policy(paragraphs: list[str], previous_chars: int | None = None) -> None:
    """Raise ExtractError when the text is empty, an error page, or collapsed compared with the last version."""
    chars = sum(map(len, paragraphs))
    text = " ".join(paragraphs)
    if chars < SHORT_PAGE_CHARS:
        for cause, pattern in ERROR_PHRASES.items():
            if pattern.search(text):
                raise ExtractError(cause, text[:120])
    if chars < MIN_CHARS:
        raise ExtractError("empty extraction", f"{chars} characters of text")
    if previous_chars and chars < previous_chars * COLLAPSE_RATIO and chars < COLLAPSE_CHARS:
        raise ExtractError("collapsed extraction", f"{chars} characters, the last version had {previous_chars}")
