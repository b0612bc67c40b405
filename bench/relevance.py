"""Material-change precision and recall on the labelled set of real policy changes (tests/monitor/material_changes.tsv).

    python bench/relevance.py [--verbose]

Prints the set's size, precision and recall of `material`, and the changes on training the diff missed; with
--verbose also every missed change and false alarm with the editor's reason.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "monitor"))
from labelled_changes import score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    result = score()
    material = sum(item.material for item in result.labelled)
    print(f"labelled changes: {len(result.labelled)} ({material} material)")
    print(f"material precision: {result.precision:.1%}  recall: {result.recall:.1%}")
    print(f"training changes missed: {len(result.training_missed)}")
    if args.verbose:
        for title, items in (("missed", result.missed), ("false alarm", result.false_alarms),
                             ("training missed", result.training_missed)):
            for item in items:
                print(f"{title}: {item.path} [{', '.join(item.change.topics)}] editor: {item.reason}")


if __name__ == "__main__":
    main()
