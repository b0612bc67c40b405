"""`doesittrain build` of a synthetic dataset of N tools (default 10,000): pages/s, files/s, peak memory.

    python bench/build.py [--tools 10000]

A "page" is a tool's HTML page; each tool also gets its JSON, Atom feed, badge and API document (files/s counts all).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402
from dataset_check import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    args = parser.parse_args()
    print(machine.describe())
    with tempfile.TemporaryDirectory(prefix="doesittrain-bench-") as tmp:
        dataset = Path(tmp) / "dataset"
        generate(dataset, args.tools)
        env = dict(os.environ, DOESITTRAIN_HOME=str(Path(tmp) / "home"), DOESITTRAIN_DATASET=str(dataset),
                   DOESITTRAIN_SECRET_KEY="bench")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "doesittrain", "build", str(Path(tmp) / "site")], env=env,
                                capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"build failed: {result.stderr[-2000:]}")
    files = int(re.search(r"Wrote (\d+) files", result.stdout).group(1))
    print(f"doesittrain build, {args.tools} tools: {files} files in {wall:.1f} s")
    print(f"  {args.tools / wall:8.0f} tool pages/s   {files / wall:8.0f} files/s   "
          f"peak memory {usage.ru_maxrss / 1024:.0f} MiB   target >= 1,000 pages/s")


if __name__ == "__main__":
    main()
