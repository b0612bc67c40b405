"""Publish one change to a tool with N subscribers (default 100,000), then deliver to a local SMTP sink.

    python bench/emails.py [--subscribers 100000] [--senders 1,4] [--postgres | --database-url postgresql+psycopg://…]

Reports `doesittrain publish` (outbox rows written per second), then `doesittrain notify send` with 1 sender and
with 4 senders side by side (emails per second, each sender's share, each email checked to arrive exactly once).
The sink is aiosmtpd on loopback in this process. `--postgres` starts a throwaway PostgreSQL cluster (Debian's
postgresql package, fsync on) for the run; without it or --database-url the state is a SQLite file. PostgreSQL is
where several senders share the outbox with row locks.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOESITTRAIN = [sys.executable, "-m", "doesittrain"]


class Sink:
    def __init__(self):
        self.recipients: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.recipients[recipient] += 1
        return "250 2.0.0 Accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tool_variant(index: int) -> str:
    spec = importlib.util.spec_from_file_location("generate_dataset", ROOT / "bench" / "generate_dataset.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.tool_text(module.EXAMPLE.read_text(encoding="utf-8"), index)
    return text.replace(f"slug: tool-{index:05d}", "slug: benchtool")


def add_subscribers(database_url: str, count: int) -> None:
    from doesittrain.notify.tables import addresses, subscriptions, utcnow

    engine = sa.create_engine(database_url)
    now = utcnow()
    with engine.begin() as connection:
        for start in range(0, count, 10_000):
            batch = range(start, min(count, start + 10_000))
            connection.execute(addresses.insert(), [{"email": f"reader{n}@example.org", "created_at": now} for n in batch])
        ids = connection.execute(sa.select(addresses.c.id)).scalars().all()
        for start in range(0, len(ids), 10_000):
            connection.execute(subscriptions.insert(), [
                {"address_id": i, "tool": "benchtool", "created_at": now, "confirmed_at": now, "nonce": secrets.token_hex(16)}
                for i in ids[start:start + 10_000]
            ])
    engine.dispose()


def requeue(database_url: str) -> int:
    from doesittrain.notify.tables import outbox, utcnow

    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        count = connection.execute(outbox.update().values(status="pending", attempts=0, next_attempt_at=utcnow())).rowcount
    engine.dispose()
    return count


def deliver(senders: int, env: dict[str, str], sink: Sink, expected: int) -> tuple[float, list[str]]:
    """Start `senders` processes at once; wall time until the last one is done, and what each one reported."""
    sink.recipients.clear()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    processes = [subprocess.Popen([*DOESITTRAIN, "notify", "send"], env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(senders)]
    reports = [process.communicate()[0].strip() for process in processes]
    seconds = time.perf_counter() - started
    senders_cpu, sink_cpu = (after - before for after, before in zip(cpu_seconds(), cpu_before))
    reports.append(f"CPU per email: senders {senders_cpu / expected * 1000:.2f} ms, sink {sink_cpu / expected * 1000:.2f} ms")
    if any(process.returncode != 0 for process in processes):
        raise SystemExit(f"notify send failed: {reports}")
    if len(sink.recipients) != expected or set(sink.recipients.values()) != {1}:
        raise SystemExit(f"{len(sink.recipients)} recipients of {expected}, some more than once: {sink.recipients.most_common(3)}")
    return seconds, reports


def cpu_seconds() -> tuple[float, float]:
    """CPU time of finished child processes (the senders) and of this process (the sink), user + system."""
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def start_postgres(folder: Path) -> tuple[str, Callable[[], None]]:
    """A private PostgreSQL cluster on a free loopback port (as scripts/test starts one); returns URL and stop."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]
    data, port = folder / "pg", free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    quiet = {"check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*as_postgres, pg_bin / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"], **quiet)
    subprocess.run([*as_postgres, pg_bin / "pg_ctl", "-D", data, "-l", folder / "pg.log", "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=100", "start"], **quiet)

    def stop() -> None:
        subprocess.run([*as_postgres, pg_bin / "pg_ctl", "-D", data, "-m", "fast", "stop"], stdout=subprocess.DEVNULL)

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL for the run")
    parser.add_argument("--senders", default="1,4", help="sender counts to run one after the other, e.g. 4 or 1,4")
    args = parser.parse_args()
    print(machine.describe())
    tmp = Path(tempfile.mkdtemp(prefix="doesittrain-bench-"))
    stop_postgres = lambda: None  # noqa: E731
    if args.postgres:
        args.database_url, stop_postgres = start_postgres(tmp)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        dataset = tmp / "dataset"
        dataset.mkdir()
        (dataset / "benchtool.yaml").write_text(tool_variant(0), encoding="utf-8")
        database_url = args.database_url or f"sqlite:///{tmp / 'state.sqlite3'}"
        env = dict(os.environ, DOESITTRAIN_HOME=str(tmp / "home"), DOESITTRAIN_DATASET=str(dataset),
                   DOESITTRAIN_DATABASE_URL=database_url, DOESITTRAIN_SECRET_KEY="bench",
                   DOESITTRAIN_SMTP_URL=f"smtp://127.0.0.1:{controller.port}")
        subprocess.run([*DOESITTRAIN, "publish"], env=env, check=True, stdout=subprocess.DEVNULL)  # the baseline
        add_subscribers(database_url, args.subscribers)
        (dataset / "benchtool.yaml").write_text(tool_variant(2), encoding="utf-8")  # default_on -> opt_in

        started = time.perf_counter()
        published = subprocess.run([*DOESITTRAIN, "publish"], env=env, check=True, capture_output=True, text=True)
        publish_seconds = time.perf_counter() - started
        print(f"doesittrain publish, one tool with {args.subscribers} subscribers ({database_url.split(':')[0]}):")
        print(f"  {published.stdout.strip().splitlines()[-1]}")
        print(f"  {publish_seconds:.1f} s   {args.subscribers / publish_seconds:8.0f} outbox rows/s (whole command)")
        for run, senders in enumerate(int(n) for n in args.senders.split(",")):
            if run:
                requeue(database_url)
            seconds, reports = deliver(senders, env, sink, args.subscribers)
            print(f"  notify send x{senders}: {args.subscribers} emails in {seconds:.1f} s   "
                  f"{args.subscribers / seconds:8.0f} emails/s, each delivered once   (target 500/s with 4)")
            for number, report in enumerate(reports[:-1], 1):
                print(f"    sender {number}: {report}")
            print(f"    {reports[-1]}")
    finally:
        controller.stop()
        stop_postgres()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
