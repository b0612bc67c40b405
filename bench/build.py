"""`doesittrain build` of a synthetic dataset of N tools: HTML pages/s for a fresh build and after one file changed.

    python bench/build.py [--tools 2000 10000] [--out-dir /dev/shm]

Each size runs `doesittrain build` three times into the same folder: fresh, again with nothing changed, and after
one tool file changed. `--out-dir` puts the output folder elsewhere (a tmpfs such as /dev/shm leaves out the disk,
whose cost of creating a file varies from 0.05 to 0.9 ms on a shared virtual disk). "HTML pages/s" is the HTML pages a fresh build writes (a page per tool, the site pages,
404) divided by the whole command's wall time; the rendering figure leaves out the time spent loading the dataset.
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

SITE_HTML_PAGES = 6  # home, compare, check, changes, methodology, 404
SUMMARY = re.compile(r"Built (\d+) files .* in ([\d.]+) s \(([\d.]+) s loading the dataset\): (\d+) rendered, (\d+) written")


def run_build(env: dict, out: Path) -> dict:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", "doesittrain", "build", str(out)], env=env, capture_output=True,
                            text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"build failed: {result.stderr[-2000:]}")
    files, _, loading, rendered, written = SUMMARY.search(result.stdout).groups()
    return {"wall": wall, "loading": float(loading), "files": int(files), "rendered": int(rendered),
            "written": int(written), "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak": after.ru_maxrss / 1024}


def report(label: str, run: dict, html_pages: int) -> None:
    rendering = run["wall"] - run["loading"]
    print(f"  {label:<22} {run['wall']:6.1f} s wall ({run['loading']:5.1f} s loading)  {run['cpu']:6.1f} s CPU  "
          f"{run['rendered']:6d} rendered  {run['written']:6d} written  "
          f"{html_pages / run['wall']:6.0f} HTML pages/s  ({html_pages / rendering:6.0f} rendering)")


def bench(tools: int, tmp: Path, out_dir: Path) -> None:
    dataset = tmp / f"dataset-{tools}"
    generate(dataset, tools)
    env = dict(os.environ, DOESITTRAIN_HOME=str(tmp / "home"), DOESITTRAIN_DATASET=str(dataset),
               DOESITTRAIN_SECRET_KEY="bench")
    out = out_dir / f"site-{tools}"
    html_pages = tools + SITE_HTML_PAGES
    fresh = run_build(env, out)
    print(f"doesittrain build, {tools} tools: {fresh['files']} files, {html_pages} HTML pages, "
          f"peak memory {fresh['peak']:.0f} MiB per process")
    report("fresh", fresh, html_pages)
    report("nothing changed", run_build(env, out), html_pages)
    changed = dataset / "tool-00001.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("unless you opt out.", "unless you opt out now."),
                       encoding="utf-8")
    report("one tool file changed", run_build(env, out), html_pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--out-dir", type=Path, help="where the output folders go (default: beside the dataset)")
    args = parser.parse_args()
    print(machine.describe())
    print("target >= 1,000 HTML pages/s")
    with tempfile.TemporaryDirectory(prefix="doesittrain-bench-") as tmp:
        with tempfile.TemporaryDirectory(prefix="doesittrain-bench-", dir=args.out_dir) as out_dir:
            print(f"output folders in {out_dir}")
            for tools in args.tools:
                bench(tools, Path(tmp), Path(out_dir))


if __name__ == "__main__":
    main()
