"""Requests/s and p50/p99 latency of one tool page: `doesittrain serve` against the static export served by nginx.

    python bench/tool_page.py [--slug claude] [--seconds 10] [--connections 32] [--workers 1] [--dataset DIR]

`doesittrain serve` and the same app under uvicorn and granian started directly run on loopback in the same run
as nginx, each measured by wrk with the same settings; the static copy is the reference for what a plain web
server does with the same bytes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402
DOESITTRAIN = [sys.executable, "-m", "doesittrain"]

NGINX_CONF = """
{user}
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/atom+xml atom; }}
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri.json $uri/index.html $uri/index.json =404; }}
        error_page 404 /404.html;
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer within {seconds} s")
        time.sleep(0.2)


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> tuple[float, str, str]:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses during the run")
    return rate, p50, p99


def app_servers(port: int, workers: int) -> dict[str, list[str]]:
    """Each way of serving the app: the `serve` command, and each ASGI server on the same app factory."""
    factory = "doesittrain.web.commands:serve_app"
    return {
        "doesittrain serve": [*DOESITTRAIN, "serve", "--port", str(port), "--workers", str(workers)],
        "uvicorn": [sys.executable, "-m", "uvicorn", "--factory", factory, "--port", str(port), "--workers", str(workers),
                    "--http", "httptools", "--loop", "uvloop", "--no-access-log", "--log-level", "warning"],
        "granian": [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--port", str(port),
                    "--workers", str(workers), "--no-ws", "--log-level", "warning", factory],
    }


def measure_app(name: str, command: list[str], env: dict, url: str, args) -> tuple[float, str, str]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(url)
        run_wrk(url, 2, args.connections, args.threads)  # warm-up: fills the render cache
        return run_wrk(url, args.seconds, args.connections, args.threads)
    finally:
        machine.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="claude")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers and nginx worker processes")
    parser.add_argument("--dataset", type=Path, default=None)
    parser.add_argument("--servers", nargs="+", default=["doesittrain serve", "uvicorn", "granian"],
                        help="which of: 'doesittrain serve', uvicorn, granian")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="doesittrain-bench-"))
    os.chmod(tmp, 0o755)
    env = dict(os.environ, DOESITTRAIN_HOME=str(tmp / "home"), DOESITTRAIN_SECRET_KEY="bench")
    if args.dataset:
        env["DOESITTRAIN_DATASET"] = str(args.dataset.resolve())
    app_port, nginx_port = free_port(), free_port()
    env["DOESITTRAIN_SITE_URL"] = f"http://127.0.0.1:{app_port}"
    processes: list[subprocess.Popen] = []
    try:
        out = tmp / "site"
        subprocess.run([*DOESITTRAIN, "build", str(out)], env=env, check=True, stdout=subprocess.DEVNULL)
        conf = tmp / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, workers=args.workers, tmp=tmp, port=nginx_port, root=out))
        processes.append(subprocess.Popen(["/usr/sbin/nginx", "-c", str(conf), "-p", str(tmp)], stderr=subprocess.DEVNULL))
        path = f"/tools/{args.slug}"
        static_url = f"http://127.0.0.1:{nginx_port}{path}"
        wait_for(static_url)
        print(f"tool page {path}: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, {args.workers} worker(s)")
        print(machine.describe())
        results = {}
        for name, command in app_servers(app_port, args.workers).items():
            if name in args.servers:
                results[name] = measure_app(name, command, env, f"http://127.0.0.1:{app_port}{path}", args)
        results["nginx static copy"] = run_wrk(static_url, args.seconds, args.connections, args.threads)
        static_rate = results["nginx static copy"][0]
        for name, (rate, p50, p99) in results.items():
            print(f"  {name:<18}: {rate:10.0f} requests/s   p50 {p50:>9}   p99 {p99:>9}   {rate / static_rate:.2f} of nginx")
    finally:
        for process in processes:
            machine.stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
