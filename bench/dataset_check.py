"""`doesittrain check` on a synthetic dataset of N tools (default 10,000): wall time, CPU time, peak memory.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    args = parser.parse_args()
    print(machine.describe())
    with tempfile.TemporaryDirectory(prefix="doesittrain-bench-") as tmp:
        dataset = Path(tmp) / "dataset"
        generate(dataset, args.tools)
        env = dict(os.environ, DOESITTRAIN_HOME=str(Path(tmp) / "home"), DOESITTRAIN_DATASET=str(dataset))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "doesittrain", "check"], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = ([l for l in (result.stdout + result.stderr).splitlines() if "files checked" in l] or ["(no summary)"])[-1]
    print(f"doesittrain check, {args.tools} tools: {summary}")
    print(f"  wall {wall:.1f} s   CPU {usage.ru_utime + usage.ru_stime:.1f} s (all processes)   "
          f"peak memory of one process {usage.ru_maxrss / 1024:.0f} MiB   target < 10 s")


if __name__ == "__main__":
    main()
