"""`doesittrain check` on a synthetic dataset of N tools (default 10,000): cold, again unchanged, and after one
file changed (the parse cache in the home folder), each with wall time, CPU time and peak memory.

    python bench/dataset_check.py [--tools 10000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, tools: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate_dataset.py"), str(folder), "--tools", str(tools)],
                   check=True, stdout=subprocess.DEVNULL)


def timed_check(env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak MiB of one `doesittrain check` run, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "doesittrain", "check"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    summary = ([l for l in (result.stdout + result.stderr).splitlines() if "files checked" in l] or ["(no summary)"])[-1]
    return wall, cpu, after.ru_maxrss / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    args = parser.parse_args()
    print(machine.describe())
    with tempfile.TemporaryDirectory(prefix="doesittrain-bench-") as tmp:
        dataset = Path(tmp) / "dataset"
        generate(dataset, args.tools)
        env = dict(os.environ, DOESITTRAIN_HOME=str(Path(tmp) / "home"), DOESITTRAIN_DATASET=str(dataset))
        runs = {"cold (no cache)": timed_check(env), "again, nothing changed": timed_check(env)}
        changed = dataset / "tool-00007.yaml"
        changed.write_text(changed.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        runs["after one file changed"] = timed_check(env)
    print(f"doesittrain check, {args.tools} tools: {runs['cold (no cache)'][3]}")
    for name, (wall, cpu, peak, _summary) in runs.items():
        print(f"  {name:24} wall {wall:5.2f} s   CPU {cpu:5.2f} s (all processes)   peak of one process {peak:4.0f} MiB")
    print("  targets (2,000 tools): cold < 6 s, after one file changed < 2 s")


if __name__ == "__main__":
    main()
