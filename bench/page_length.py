"""How long a page is to read: its height in Chromium at a phone and a desktop width, and its printed A4 pages.

Starts `doesittrain serve` on a free port with a fresh home and the bundled dataset, opens the page in Debian's
Chromium at each width and prints `document.documentElement.scrollHeight`, then prints the page to PDF.

    .venv/bin/python bench/page_length.py [/tools/claude] [--widths 1280 390]
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile

from playwright.sync_api import sync_playwright
from pypdf import PdfReader

import machine  # bench/ is on the path when a benchmark runs as a script

CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_site(home: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DOESITTRAIN_HOME": home}
    process = subprocess.Popen([sys.executable, "-m", "doesittrain", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return machine.wait_until_serving(process, port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/tools/claude")
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 390])
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="doesittrain-length-") as home:
        site = start_site(home, port)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                for width in args.widths:
                    tab = browser.new_page(viewport={"width": width, "height": 900})
                    tab.goto(f"http://127.0.0.1:{port}{args.path}")
                    print(f"{args.path} at {width} px: {tab.evaluate('document.documentElement.scrollHeight')} px tall")
                    tab.close()
                tab = browser.new_page()
                tab.goto(f"http://127.0.0.1:{port}{args.path}")
                tab.emulate_media(media="print")
                pages = len(PdfReader(io.BytesIO(tab.pdf(format="A4"))).pages)
                print(f"{args.path} printed: {pages} A4 pages")
                browser.close()
        finally:
            site.terminate()
            site.wait(timeout=15)


if __name__ == "__main__":
    main()
