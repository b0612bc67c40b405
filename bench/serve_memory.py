"""Memory of `doesittrain serve` with a synthetic dataset of N tools (default 10,000), after serving pages.

    python bench/serve_memory.py [--tools 10000] [--pages 2000]

Requests the home page, /api/tools and --pages different tool pages (each rendered and kept in the render cache),
then reports the resident and peak memory of the server's processes together (granian's main process and its
worker).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402
from dataset_check import generate  # noqa: E402
from tool_page import free_port, wait_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    print(machine.describe())
    with tempfile.TemporaryDirectory(prefix="doesittrain-bench-") as tmp:
        dataset = Path(tmp) / "dataset"
        generate(dataset, args.tools)
        port = free_port()
        env = dict(os.environ, DOESITTRAIN_HOME=str(Path(tmp) / "home"), DOESITTRAIN_DATASET=str(dataset),
                   DOESITTRAIN_SECRET_KEY="bench")
        server = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port), "--workers", "1"],
                                  env=env, stdout=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            wait_for(base + "/tools/tool-00000", seconds=600)
            first = time.perf_counter() - started
            for path in ["/", "/api/tools", *(f"/tools/tool-{n:05d}" for n in range(args.pages))]:
                with urllib.request.urlopen(base + path, timeout=120) as response:
                    response.read()
            print(f"doesittrain serve, {args.tools} tools: first page after {first:.1f} s; "
                  f"after home, /api/tools and {args.pages} tool pages:")
            processes = machine.process_tree(server.pid)
            resident = sum(machine.rss_mib(pid) for pid in processes)
            peak = sum(machine.peak_rss_mib(pid) for pid in processes)
            each = ", ".join(f"{machine.rss_mib(pid):.0f}" for pid in processes)
            print(f"  resident {resident:.0f} MiB   peak {peak:.0f} MiB   (the server's {len(processes)} processes together:"
                  f" {each} MiB)   target < 500 MiB")
        finally:
            machine.stop(server, 30)


if __name__ == "__main__":
    main()
