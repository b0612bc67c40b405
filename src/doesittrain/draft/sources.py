"""The pages a draft is made from: fetched with the monitor's fetcher (robots.txt, private-address guard, limits)
or read from local files, and cut to the text a reader sees with the monitor's extraction.

The text is kept as written (not normalised: dates and typography stay), so quotes taken from it are verbatim.
A local file can stand for a vendor page: `PATH=URL` cites URL and marks the source as an archived copy.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from ..errors import UserError
from ..monitor.extract import ExtractError, Rules, extract
from ..monitor.fetch import Fetcher, FetchError
from ..monitor.repair import verbatim_paragraphs
from ..settings import Settings

# A placeholder address for a local file given without one; `.invalid` can never resolve (RFC 2606).
PLACEHOLDER_HOST = "https://replace-with-the-page-address.invalid/"


@dataclass
class Read:
    """One source page: where it is cited from, its title, its paragraphs, and whether it was a local copy."""

    url: str
    title: str
    paragraphs: list[str]
    local: bool
    placeholder_url: bool = False


def parse_argument(argument: str) -> tuple[str | None, Path | None]:
    """`URL`, `PATH` or `PATH=URL` -> (url, path)."""
    if re.match(r"^https?://", argument, re.IGNORECASE):
        return argument, None
    path_text, _, url = argument.partition("=")
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise UserError(f"{argument}: after '=' give the page's http(s) address, e.g. {path_text}=https://example.com/privacy")
    return (url or None), Path(path_text)


def read_all(arguments: list[str], settings: Settings) -> list[Read]:
    parsed = [parse_argument(a) for a in arguments]
    fetched = asyncio.run(_fetch_all([url for url, path in parsed if path is None], settings))
    pages = []
    for url, path in parsed:
        pages.append(fetched[url] if path is None else read_file(path, url))
    return pages


async def _fetch_all(urls: list[str], settings: Settings) -> dict[str, Read]:
    if not urls:
        return {}
    async with Fetcher.from_settings(settings) as fetcher:
        results = await asyncio.gather(*(_fetch(fetcher, url) for url in urls))
    return dict(zip(urls, results))


async def _fetch(fetcher: Fetcher, url: str) -> Read:
    try:
        page = await fetcher.fetch(url)
    except FetchError as exc:
        raise UserError(f"{url}: could not be fetched ({exc})") from None
    return _from_body(page.body, page.content_type, url, local=False, shown=url)


def read_file(path: Path, url: str | None) -> Read:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        html = MarkdownIt("commonmark").enable("table").render(body.decode("utf-8", errors="replace"))
        body, content_type = f"<html><body><main>{html}</main></body></html>".encode(), "text/html; charset=utf-8"
    elif suffix == ".pdf":
        content_type = "application/pdf"
    elif suffix in (".txt", ".text"):
        paragraphs = "".join(f"<p>{_escape(p)}</p>" for p in re.split(r"\n\s*\n", body.decode("utf-8", errors="replace")))
        body, content_type = f"<html><body><main>{paragraphs}</main></body></html>".encode(), "text/html; charset=utf-8"
    else:
        content_type = "text/html"
    read = _from_body(body, content_type, url or PLACEHOLDER_HOST + path.name, local=True, shown=str(path))
    read.placeholder_url = url is None
    return read


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _from_body(body: bytes, content_type: str, url: str, *, local: bool, shown: str) -> Read:
    try:
        extract(body, content_type)  # the monitor's checks: refuses error pages, walls and empty extractions
        paragraphs = verbatim_paragraphs([(body, content_type, Rules())])
    except ExtractError as exc:
        raise UserError(f"{shown}: holds no policy text ({exc})") from None
    return Read(url, _title(body, content_type, paragraphs, url), paragraphs, local)


def _title(body: bytes, content_type: str, paragraphs: list[str], url: str) -> str:
    if "pdf" not in content_type.lower():
        tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
        for selector in ("title", "h1"):
            node = tree.css_first(selector)
            if node is not None and node.text(strip=True):
                return " ".join(node.text(strip=True).split())[:200]
    if paragraphs and len(paragraphs[0]) <= 120:
        return paragraphs[0]
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(url).hostname or url


def guess_kind(url: str, title: str) -> str:
    """The source kind an editor would most likely pick, from words in the address and the title."""
    words = f"{url} {title}".lower()
    if re.search(r"privacy|data[- ]?(?:processing|protection|usage)|\bdpa\b|cookie|subprocessor", words):
        return "policy"
    if re.search(r"terms|conditions|agreement|\btos\b|legal|acceptable[- ]use", words):
        return "terms"
    if re.search(r"help|support|faq|docs?\b|documentation|knowledge|article", words):
        return "help_page"
    if re.search(r"blog|news|announc|press", words):
        return "vendor_blog"
    return "policy"
