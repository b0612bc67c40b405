"""Benchmark: one monitor pass over N ~100 KB policy documents served on loopback, unchanged and changed.

    .venv/bin/python bench/monitor_pass.py [--docs 1000] [--database sqlite|URL]

Documents are real policy texts (tests/fixtures/policy-versions), rendered to HTML and padded with other policies
of the corpus to about 100 KB; state 1 of each document is a later version of the same policy whose text
differs. A separate process serves them (its CPU is not counted). Passes: first, unchanged, then every document
switched to state 1 and a changed pass. Reported per pass: wall seconds, CPU seconds of this process, documents/s,
outcomes. For the changedetection.io reference, install it from PyPI into its own virtualenv, let it watch the
same documents (start the server with --docserver), and time its first, unchanged and changed passes.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "policy-versions"
TARGET_BYTES = 100_000


def build_documents(count: int) -> tuple[list[bytes], list[bytes]]:
    markdown = MarkdownIt("commonmark").enable("table")
    with open(CORPUS / "INDEX.tsv", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f, delimiter="\t"), key=lambda r: r["path"])
    series: dict[str, list[str]] = {}
    for row in rows:
        series.setdefault(row["path"].rsplit("/", 1)[0], []).append(row["path"])
    rendered = {row["path"]: markdown.render((CORPUS / row["path"]).read_text(encoding="utf-8")) for row in rows}
    paths = [row["path"] for row in rows]
    state0, state1 = [], []
    for i in range(count):
        path = paths[i % len(paths)]
        versions = series[path.rsplit("/", 1)[0]]
        at = versions.index(path)
        later = versions[at + 1] if at + 1 < len(versions) else versions[at - 1]
        filler, j = [], i
        while sum(map(len, filler)) + len(rendered[path]) < TARGET_BYTES:
            j += 37
            filler.append(rendered[paths[j % len(paths)]])
        padding = "".join(filler)[: max(0, TARGET_BYTES - len(rendered[path]))]
        wrap = lambda body: (f"<html><body><main><p>Document {i}.</p>{body}<section>{padding}</section></main></body></html>").encode()
        state0.append(wrap(rendered[path]))
        state1.append(wrap(rendered[later] + f"<p>Revision {i}: this document changed.</p>"))
    return state0, state1


def serve(port_queue, count: int) -> None:
    """Build the documents here, not in the measuring process, so its peak memory is the monitor's alone."""
    state0, state1 = build_documents(count)
    state = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/switch"):
                state["n"] = 1
                body = b"ok"
            elif self.path.startswith("/doc/"):
                body = (state1 if state["n"] else state0)[int(self.path.rsplit("/", 1)[1])]
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put((server.server_address[1], sum(map(len, state0)) / count))
    server.serve_forever()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--docserver", help="Use this running server instead (the changedetection.io reference's "
                                            "docserver.py: /doc/<i>, /switch?to=1), for a side-by-side run on the same pages.")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from doesittrain import settings as settings_module
    from doesittrain.monitor.run import run_pass
    from doesittrain.monitor.watch import Document, Page
    from doesittrain.store.db import engine_for

    server = None
    if args.docserver:
        base = args.docserver.rstrip("/")
    else:
        ports = multiprocessing.Queue()
        server = multiprocessing.Process(target=serve, args=(ports, args.docs), daemon=True)
        server.start()
        port, average = ports.get()
        print(f"{args.docs} documents, {average / 1000:.1f} KB on average", flush=True)
        base = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    database = f"sqlite:///{home / 'bench.sqlite3'}" if args.database == "sqlite" else args.database
    settings = settings_module.load(environ={}, home=str(home), database_url=database, allow_private_addresses="1",
                                    fetch_concurrency="16", fetch_per_host="16", dataset=str(home))
    engine_for(settings)
    documents = [Document(key=f"doc{i}", name=f"doc {i}", pages=(Page(f"{base}/doc/{i}"),)) for i in range(args.docs)]
    figures = {}
    for name in ("first", "unchanged", "changed"):
        if name == "changed":
            import urllib.request

            urllib.request.urlopen(base + "/switch?to=1").read()
        wall0, cpu0 = time.perf_counter(), cpu()
        results = asyncio.run(run_pass(settings, documents))
        wall, used = time.perf_counter() - wall0, cpu() - cpu0
        figures[name] = {"wall_s": round(wall, 2), "cpu_s": round(used, 2), "docs_per_s": round(len(results) / wall, 1),
                         "cpu_ms_per_doc": round(used / len(results) * 1000, 1), "outcomes": dict(Counter(r.outcome for r in results))}
        print(name, json.dumps(figures[name]), flush=True)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures))
    if server is not None:
        server.terminate()


if __name__ == "__main__":
    main()
