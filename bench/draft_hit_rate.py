"""How often `doesittrain draft` puts the passage an editor finally cited among its top 3 candidates for the field.

    python bench/draft_hit_rate.py [TOOLS_FOLDER] [--corpus tests/fixtures/current-policies] [--verbose]

For every tool file whose evidence quotes a vendor text archived in the corpus (SOURCES.tsv maps vendor URLs to
files), the script drafts the tool from all archived texts of the same services, as an editor would with
`doesittrain draft NAME FILE=URL…`, and counts the decided fields (a verdict other than unknown on some plan, with
evidence from an archived text): a field is a hit when one of its quotes overlaps one of the draft's top 3
candidates for that field (rapidfuzz partial_ratio >= 90 on folded text).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from doesittrain.dataset.load import load_dataset  # noqa: E402
from doesittrain.dataset.schema import Field_  # noqa: E402
from doesittrain.draft.candidates import rank  # noqa: E402
from doesittrain.draft.sources import read_file  # noqa: E402
from doesittrain.monitor.evidence import comparable  # noqa: E402

HIT_OVERLAP = 90


def url_key(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").split("#")[0].casefold()


def corpus_index(corpus: Path) -> tuple[dict[str, str], dict[str, list[tuple[Path, str]]]]:
    """vendor URL -> service, and service -> [(file, first vendor URL)]."""
    service_of: dict[str, str] = {}
    files: dict[str, list[tuple[Path, str]]] = {}
    with open(corpus / "SOURCES.tsv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            urls = [u for u in re.split(r"[\s,]+", row["vendor_urls"].strip()) if u]
            if not urls:
                continue
            for url in urls:
                service_of[url_key(url)] = row["service"]
            files.setdefault(row["service"], []).append((corpus / row["path"], urls[0]))
    return service_of, files


def hit(quote: str, candidates) -> bool:
    folded = comparable(quote)
    return any(fuzz.partial_ratio(folded, comparable(c.passage)) >= HIT_OVERLAP for c in candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tools", nargs="?", type=Path, default=ROOT / "src" / "doesittrain" / "data" / "tools")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "fixtures" / "current-policies")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    service_of, files = corpus_index(args.corpus)
    decided = hits = tools = 0
    for tool in load_dataset(args.tools).tools.values():
        quotes: dict[str, list[str]] = {}
        services: set[str] = set()
        for evidence in tool.evidence:
            service = service_of.get(url_key(str(tool.source(evidence.source).url)))
            known = any(tool.plan(p).is_known(evidence.field) for p in evidence.plans if p in {x.id for x in tool.plans})
            if service and known:
                services.add(service)
                quotes.setdefault(evidence.field.value, []).append(evidence.quote)
        if not quotes:
            continue
        tools += 1
        pages = [read_file(path, url) for service in sorted(services) for path, url in files[service]]
        ranked = rank(pages, [tool.name, tool.vendor, *tool.aliases])
        for field in (f.value for f in Field_):
            if field not in quotes:
                continue
            decided += 1
            found = any(hit(q, ranked[field]) for q in quotes[field])
            hits += found
            if args.verbose and not found:
                print(f"miss {tool.slug} {field}: cited {quotes[field][0][:110]!r}")
                for c in ranked[field]:
                    print(f"      top: {c.score} {c.passage[:110]!r}")
    print(f"tools with archived evidence: {tools}; decided fields: {decided}; "
          f"cited passage in the top 3: {hits} ({hits / decided:.0%})" if decided else "no decided fields")


if __name__ == "__main__":
    main()
