"""The bundled dataset: it passes `check`, and every quote is whole, single-sourced and, where the vendor's text is
in the archived corpus (tests/fixtures/current-policies, ODC-BY 1.0), found in that text."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from doesittrain.dataset.check import check_folder
from doesittrain.dataset.load import load_dataset
from doesittrain.settings import BUNDLED_DATASET

CORPUS = Path(__file__).parent.parent / "fixtures" / "current-policies"
DATASET = load_dataset(BUNDLED_DATASET)
QUOTES = [
    pytest.param(tool, evidence, id=f"{tool.slug}:{evidence.id}")
    for tool in DATASET.tools.values()
    for evidence in tool.evidence
]

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "\u200b": ""})


def fold(text: str) -> str:
    """Compare text as a reader would: typography, markdown emphasis and whitespace do not count."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links keep their words
    text = re.sub(r"[*_`#>]", "", text)
    return " ".join(text.split()).casefold()


@lru_cache(maxsize=1)
def corpus_by_url() -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    with open(CORPUS / "SOURCES.tsv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for url in re.split(r"[\s,]+", row["vendor_urls"].strip()):
                if url:
                    index.setdefault(_url_key(url), []).append(CORPUS / row["path"])
    return index


def _url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").split("#")[0].casefold()


def test_the_bundled_dataset_passes_check_with_no_errors():
    errors = [str(p) for p in check_folder(BUNDLED_DATASET) if p.severity == "error"]
    assert errors == []
    assert len(DATASET.tools) >= 1


@pytest.mark.parametrize("tool, evidence", QUOTES)
def test_quote_is_whole(tool, evidence):
    quote = evidence.quote.strip()
    assert quote, "empty quote"
    assert not quote.startswith(("...", "…")) and not quote.endswith(("...", "…")), "quote trimmed into an ellipsis"


def test_no_quote_is_cited_from_two_different_sources():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for tool in DATASET.tools.values():
        for evidence in tool.evidence:
            key = fold(evidence.quote)
            url = str(tool.source(evidence.source).url)
            if key in seen and seen[key][1] != url:
                clashes.append(f"{tool.slug}:{evidence.id} and {seen[key][0]}")
            seen.setdefault(key, (f"{tool.slug}:{evidence.id}", url))
    assert clashes == []


def _archived_files(tool, evidence) -> list[Path]:
    return corpus_by_url().get(_url_key(str(tool.source(evidence.source).url)), [])


QUOTES_IN_CORPUS = [q for q in QUOTES if _archived_files(*q.values)]


def test_some_quotes_come_from_the_archived_vendor_texts():
    assert QUOTES_IN_CORPUS


@pytest.mark.parametrize("tool, evidence", QUOTES_IN_CORPUS)
def test_quote_is_in_the_archived_vendor_text(tool, evidence):
    files = _archived_files(tool, evidence)
    texts = [fold(path.read_text(encoding="utf-8")) for path in files]
    assert any(fold(evidence.quote) in text for text in texts), f"quote not found in {', '.join(p.name for p in files)}"
