"""The labelled set of real changes (material_changes.tsv) and how the monitor's diff scores on it.

Each policy history of tests/fixtures/policy-versions is read the way the monitor reads a page (Markdown rendered
to HTML, then extracted and normalised); a version whose text differs from every earlier state is a change, compared
with the state before it. Each change carries an editor's label: material or not, the topics it alters, and why.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from doesittrain.monitor.diff import Change, compare
from doesittrain.monitor.extract import extract
from doesittrain.monitor.normalize import comparison_key

HERE = Path(__file__).parent
CORPUS = HERE.parent / "fixtures" / "policy-versions"
LABELS = HERE / "material_changes.tsv"

_markdown = MarkdownIt("commonmark").enable("table")


@dataclass
class Labelled:
    path: str
    material: bool
    topics: list[str]
    reason: str
    change: Change | None = None


@dataclass
class Score:
    labelled: list[Labelled] = field(default_factory=list)

    def _count(self, predicted: bool, actual: bool) -> int:
        return sum(1 for item in self.labelled if item.change.material is predicted and item.material is actual)

    @property
    def precision(self) -> float:
        flagged = self._count(True, True) + self._count(True, False)
        return self._count(True, True) / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        material = self._count(True, True) + self._count(False, True)
        return self._count(True, True) / material if material else 1.0

    @property
    def missed(self) -> list[Labelled]:
        return [item for item in self.labelled if item.material and not item.change.material]

    @property
    def false_alarms(self) -> list[Labelled]:
        return [item for item in self.labelled if item.change.material and not item.material]

    @property
    def training_missed(self) -> list[Labelled]:
        """Changes an editor labelled as altering training that the diff did not flag as material on training."""
        return [item for item in self.labelled
                if "training" in item.topics and not (item.change.material and "training" in item.change.topics)]


def page_text(path: str) -> list[str]:
    html = f"<html><body><main>{_markdown.render((CORPUS / path).read_text(encoding='utf-8'))}</main></body></html>"
    return extract(html.encode(), "text/html")


def changes() -> dict[str, tuple[list[str], list[str]]]:
    """(previous state, new state) of every version whose text is new, by the version's path."""
    with open(CORPUS / "LABELS.tsv", encoding="utf-8") as f:
        paths = sorted(row["path"] for row in csv.DictReader(f, delimiter="\t"))
    found: dict[str, tuple[list[str], list[str]]] = {}
    latest: dict[str, tuple[list[str], str]] = {}
    seen: set[tuple[str, str]] = set()
    for path in paths:
        history = path.rsplit("/", 1)[0]
        paragraphs = page_text(path)
        state = hashlib.sha256(comparison_key(paragraphs).encode()).hexdigest()
        previous = latest.get(history)
        if previous is not None and state != previous[1] and (history, state) not in seen:
            found[path] = (previous[0], paragraphs)
        latest[history] = (paragraphs, state)
        seen.add((history, state))
    return found


def labels() -> list[Labelled]:
    with open(LABELS, encoding="utf-8") as f:
        return [Labelled(row["path"], row["material"] == "yes", [t for t in row["topics"].split(",") if t != "-"],
                         row["reason"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def score() -> Score:
    pairs = changes()
    labelled = labels()
    for item in labelled:
        item.change = compare(*pairs[item.path])
    return Score(labelled)
