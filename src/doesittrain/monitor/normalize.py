"""Fold away what changes on every fetch but means nothing, so that equal text means an unchanged policy.

Applied to extracted text before hashing and diffing. Each rule targets noise measured on real AI policy
histories: per-request ids and click-tracking wrappers in URLs, curly vs straight quotes, invisible characters,
relative dates ("Updated 18 days ago") and the same date written in two formats after a locale flip.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Characters that render as nothing (word joiner, zero-width space/joiners, BOM, soft hyphen).
_INVISIBLE = dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f", "")
_TYPOGRAPHY = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2022": "*", "\u00a0": " ",
}
_FOLDED = _INVISIBLE | _TYPOGRAPHY
# One regex pass that touches only these characters: str.translate looks up every character of the line, and
# was a third of the time spent on a changed 100 KB page.
_FOLDABLE = re.compile("[" + "".join(map(re.escape, _FOLDED)) + "]")
_TYPOGRAPHIC = re.compile("[" + "".join(map(re.escape, _TYPOGRAPHY)) + "]")

# Query parameters that identify a visit or a campaign, never the document.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|fclid|mc_[ce]id|_hs\w+|hsa_\w+|igshid|ref_src|ref|source|"
    r"[\w-]*-did|did|sid|session(id)?|token|nonce|ts|timestamp|h|cb|_ga|_gl|trk|trkid|tracking_?id)$",
    re.IGNORECASE,
)
# A value that looks generated per request: uuids, long hex or base64-ish runs.
_OPAQUE_VALUE = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[\w-]{24,})$", re.I)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_UUID_SEGMENT = re.compile(r"^[\w.]*v\d+\.[0-9a-f-]{36}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

_MONTHS = "january february march april may june july august september october november december".split()
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_RELATIVE_DATE = re.compile(
    r"\b(?:(?:updated|edited|posted|published|modified)\s+)?(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b",
    re.I,
)
_SPACES = re.compile(r"\s+")
_HAS_DIGIT = re.compile(r"\d")
# Quick tests that rule a line out before the slower date patterns run: every absolute date has a four-digit
# year, every relative one ends in "ago".
_HAS_YEAR = re.compile(r"\d{4}")
_HAS_AGO = re.compile(r"ago\b", re.I)


def unwrap_redirect(url: str) -> str:
    """The destination of a click-tracking or redirect wrapper, or the URL itself."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "https://[x": not a URL we can read, keep it as written
        return url
    host = parts.hostname or ""
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    segments = parts.path.split("/")
    # claude.ai/redirect/website.v1.<uuid>/<encoded target>
    if "redirect" in segments:
        at = segments.index("redirect")
        if len(segments) > at + 2 and _UUID_SEGMENT.match(segments[at + 1]):
            target = unquote("/".join(segments[at + 2:]))
            if target.startswith(("http://", "https://")):
                return target
    for key in ("u", "url", "q", "target", "dest", "destination", "redirect", "redirect_uri"):
        value = query.get(key, "")
        if key == "u" and value.startswith("a1") and host.endswith("bing.com"):
            value = _b64(value[2:])
        if value.startswith(("http://", "https://")) and (host.endswith(("bing.com", "google.com", "facebook.com"))
                                                          or "redirect" in parts.path or parts.path.endswith(("/l.php", "/url", "/ck/a"))):
            return value
    return url


def _b64(value: str) -> str:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8", "replace")
    except (ValueError, UnicodeDecodeError):
        return ""


def clean_url(url: str) -> str:
    """A URL with wrappers unwrapped, tracking parameters and per-request ids dropped, fragment removed."""
    url = unwrap_redirect(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMS.match(k) and not _OPAQUE_VALUE.match(v)]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), path, urlencode(kept), ""))


def stable_dates(text: str) -> str:
    """Write every absolute date as YYYY-MM-DD and drop relative ones, which change with the clock."""
    if _HAS_AGO.search(text):
        text = _RELATIVE_DATE.sub("", text)
    if not _HAS_YEAR.search(text):
        return text
    text = _DAY_MONTH_YEAR.sub(lambda m: _iso(m.group(3), m.group(2), m.group(1)), text)
    return _MONTH_DAY_YEAR.sub(lambda m: _iso(m.group(3), m.group(1), m.group(2)), text)


def _iso(year: str, month: str, day: str) -> str:
    number = next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(month.lower()[:3]))
    return f"{year}-{number:02d}-{int(day):02d}"


def fold_line(line: str) -> str:
    """One paragraph in canonical form: Unicode and typography folded, URLs cleaned, dates stable, spaces single."""
    if not line.isascii():
        line = _FOLDABLE.sub(lambda m: _FOLDED[m.group()], unicodedata.normalize("NFKC", line))
    elif "`" in line:
        line = _TYPOGRAPHIC.sub(lambda m: _TYPOGRAPHY[m.group()], line)
    if "http" in line:
        line = _URL.sub(lambda m: clean_url(m.group(0)), line)
    if _HAS_DIGIT.search(line):  # every date pattern, relative or absolute, contains a digit (or "a day ago")
        line = stable_dates(line)
    elif " ago" in line:
        line = _RELATIVE_DATE.sub("", line)
    return " ".join(line.split())


def normalize_blocks(blocks: list[str]) -> list[str]:
    """Canonical paragraphs, empty ones dropped."""
    return [folded for folded in map(fold_line, filter(str.strip, blocks)) if folded]


# A sentence of squeezed text: up to and including its end mark, or the rest of the text.
_SQUEEZED_SENTENCE = re.compile(r"[^.!?;:]*[.!?;:]|[^.!?;:]+")
# Stray emphasis markers at word edges ("_these Terms_" where a page's markup broke): never wording. A run of
# `_`/`*` not preceded by a word character, or not followed by one. Written to start with the marker itself, so
# the regex engine skips to candidates instead of testing a lookbehind at every position.
_EMPHASIS_REMNANT = re.compile(r"[_*](?:(?<!\w[_*])[_*]*|[_*]*(?!\w))")


def comparison_key(paragraphs: list[str]) -> str:
    """The text two versions must share to be the same state. All whitespace is removed, so re-wrapped lines
    and changed block boundaries (a list turned "loose", a <br> doubled) are not changes; the sentences are
    sorted, so a moved sentence or paragraph is not a change either."""
    squeezed = "".join(_EMPHASIS_REMNANT.sub("", " ".join(paragraphs)).split())
    return "\n".join(sorted(_SQUEEZED_SENTENCE.findall(squeezed)))
