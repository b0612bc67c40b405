"""Write a synthetic dataset of N tools (default 10,000) for the build, check and serve benchmarks.

    python bench/generate_dataset.py OUT_DIR [--tools 10000]

Each tool is the example tool with its own slug, name, aliases and a rotating mix of verdicts, so pages differ.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dataset" / "exampleai.yaml"

# Consistent (training, opt-out mechanism, steps) triples for the consumer plan.
VARIANTS = [
    ("default_on", "settings_toggle", "      steps: Settings → Data Controls → Improve the model for everyone\n"),
    ("default_on_no_opt_out", "not_offered", ""),
    ("opt_in", "not_needed", ""),
    ("'off'", "not_needed", ""),
]


def tool_text(template: str, index: int) -> str:
    training, mechanism, steps = VARIANTS[index % len(VARIANTS)]
    text = template.replace("slug: exampleai", f"slug: tool-{index:05d}")
    text = text.replace("name: ExampleAI", f"name: Synthetic Tool {index}")
    text = text.replace("aliases: [example chat, exai]", f"aliases: [synthetic {index}, st{index}]")
    text = text.replace(
        "    training: default_on\n    opt_out:\n      mechanism: settings_toggle\n"
        "      steps: Settings → Data Controls → Improve the model for everyone\n",
        f"    training: {training}\n    opt_out:\n      mechanism: {mechanism}\n{steps}",
        1,
    )
    if training != "default_on":
        # the example's history says the consumer plan is now default_on; keep the file consistent
        text = text.replace("    after: default_on\n", f"    after: {training.strip(chr(39))}\n")
        text = text.replace("      side_effects: Chats stay in your history; only future chats are excluded.\n      scope: future_only\n", "")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tools", type=int, default=10_000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    template = EXAMPLE.read_text(encoding="utf-8")
    for index in itertools.islice(itertools.count(), args.tools):
        (args.out / f"tool-{index:05d}.yaml").write_text(tool_text(template, index), encoding="utf-8")
    print(f"wrote {args.tools} tools to {args.out}")


if __name__ == "__main__":
    main()
