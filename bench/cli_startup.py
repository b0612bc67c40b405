"""`doesittrain --help` start-up time: median wall time of N runs, and what importing every command module
(what `--help` did before commands were loaded lazily) costs on the same machine.

    python bench/cli_startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

EVERY_COMMAND_MODULE = ("import doesittrain.cli, doesittrain.dataset.commands, doesittrain.web.commands, "
                        "doesittrain.notify.commands, doesittrain.monitor.commands, doesittrain.store.commands")


def median_wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(machine.describe())
    help_s = median_wall([sys.executable, "-m", "doesittrain", "--help"], args.runs)
    eager_s = median_wall([sys.executable, "-c", EVERY_COMMAND_MODULE], args.runs)
    bare_s = median_wall([sys.executable, "-c", "pass"], args.runs)
    print(f"doesittrain --help: median {help_s * 1000:.0f} ms of {args.runs} runs (target < 300 ms)")
    print(f"importing every command module: {eager_s * 1000:.0f} ms; a bare Python start: {bare_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
