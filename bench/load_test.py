"""Load: 60 seconds of wrk on loopback against a tool page and the subscribe form at once.

Starts a discarding mail sink and `doesittrain serve` on a free port with a fresh home (the site opens its subscribe
form only when it has a mail server), takes one browser's form token and cookie, then runs
two wrk processes side by side: GETs of a tool page, and POSTs of the subscribe form with a new address each time
(a Lua script). Passes when no response is a 5xx, every 429 carries Retry-After, and prints p50/p99 per endpoint.

    .venv/bin/python bench/load_test.py [--seconds 60] [--connections 32] [--tool claude]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

import machine  # bench/ is on the path when a benchmark runs as a script

WRK = shutil.which("wrk") or "/usr/bin/wrk"

# Counts statuses per thread, checks Retry-After on every 429, and prints one JSON line at the end.
COUNTING = r"""
-- Globals, not locals: done() reads them from each thread with thread:get().
counts = {}
missing_retry_after = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  missing_retry_after = 0
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 429 and headers["Retry-After"] == nil and headers["retry-after"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  local missing = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[tostring(status)] = (total[tostring(status)] or 0) + n
    end
    missing = missing + thread:get("missing_retry_after")
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%s": %d', status, n)) end
  io.write(string.format('RESULT {"statuses": {%s}, "missing_retry_after": %d, "requests": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "seconds": %.2f}\n',
    table.concat(parts, ", "), missing, summary.requests,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.duration / 1e6))
end
"""

POST_SUBSCRIBE = r"""
local n = 0
local token = os.getenv("FORM_TOKEN")
local cookie = os.getenv("FORM_COOKIE")
local tag = tostring(math.random(1, 1e9))

function request()
  n = n + 1
  local body = "email=load" .. tag .. "-" .. n .. "%40example.org&tool=all&csrf_token=" .. token
  return wrk.format("POST", "/subscribe", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DiscardingSink:
    """A mail server that accepts and forgets: the site only opens its subscribe form when it has one."""

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def start_mail_sink():
    from aiosmtpd.controller import Controller

    sink = Controller(DiscardingSink(), hostname="127.0.0.1", port=free_port())
    sink.start()
    return sink


def start_site(home: Path, port: int, smtp_port: int) -> subprocess.Popen:
    env = {**os.environ, "DOESITTRAIN_HOME": str(home), "DOESITTRAIN_SECRET_KEY": "load-test",
           "DOESITTRAIN_SITE_URL": f"http://127.0.0.1:{port}", "DOESITTRAIN_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}
    process = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return machine.wait_until_serving(process, port)


def form_credentials(base: str) -> tuple[str, str]:
    with httpx.Client(base_url=base) as client:
        page = client.get("/subscribe")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return token, cookie


def wrk(base: str, path: str, script: Path, seconds: int, connections: int, env: dict) -> subprocess.Popen:
    command = [WRK, "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency",
               "-s", str(script), base + path]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **env})


def result_of(process: subprocess.Popen, seconds: int) -> dict:
    output, _ = process.communicate(timeout=seconds + 60)
    found = re.search(r"^RESULT (.*)$", output, re.M)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return json.loads(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32, help="per endpoint")
    parser.add_argument("--tool", default="claude")
    args = parser.parse_args()
    if not Path(WRK).exists():
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="doesittrain-load-") as folder:
        folder = Path(folder)
        (folder / "counting.lua").write_text(COUNTING)
        (folder / "subscribe.lua").write_text(POST_SUBSCRIBE + COUNTING)
        port = free_port()
        mail = start_mail_sink()
        site = start_site(folder / "home", port, mail.port)
        base = f"http://127.0.0.1:{port}"
        try:
            token, cookie = form_credentials(base)
            page = wrk(base, f"/tools/{args.tool}", folder / "counting.lua", args.seconds, args.connections, {})
            posts = wrk(base, "/subscribe", folder / "subscribe.lua", args.seconds, args.connections,
                        {"FORM_TOKEN": token, "FORM_COOKIE": cookie})
            results = {"tool page": result_of(page, args.seconds), "subscribe": result_of(posts, args.seconds)}
            alive = httpx.get(base + "/", timeout=5).status_code == 200
        finally:
            site.terminate()
            try:
                site.wait(timeout=15)
            except subprocess.TimeoutExpired:
                site.kill()
            mail.stop()

    failures = []
    for name, result in results.items():
        server_errors = sum(n for status, n in result["statuses"].items() if status.startswith("5"))
        rate = result["requests"] / result["seconds"]
        print(f"{name:10} {result['requests']:7d} requests  {rate:8.0f}/s  p50 {result['p50_ms']:.1f} ms  "
              f"p99 {result['p99_ms']:.1f} ms  max {result['max_ms']:.1f} ms  statuses {result['statuses']}  "
              f"socket errors {result['errors']}")
        if server_errors:
            failures.append(f"{name}: {server_errors} responses were 5xx")
        if result["missing_retry_after"]:
            failures.append(f"{name}: {result['missing_retry_after']} responses were 429 without Retry-After")
        if result["errors"]["timeout"] or result["errors"]["connect"]:
            failures.append(f"{name}: socket errors {result['errors']}")
    if "429" not in results["subscribe"]["statuses"]:
        failures.append("subscribe: the rate limit never answered 429")
    if not alive:
        failures.append("the site did not answer after the run")
    for failure in failures:
        print("FAIL", failure)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
