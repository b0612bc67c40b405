"""Deliver the outbox through a sender (notify.senders), in batches: claimed, sent and marked in one transaction.

How rows are claimed:
- PostgreSQL: `SELECT … LIMIT 50 FOR UPDATE SKIP LOCKED`, so several senders share the work and never take the
  same row.
- SQLite: the transaction starts with `BEGIN IMMEDIATE`, so only one sender holds the database at a time.
A batch goes out over one connection; it ends after BATCH_SIZE messages or BATCH_SECONDS, whichever comes first,
and every message the server accepted is marked sent in that batch's commit. If the process dies before the
commit, the transaction rolls back and the next run sends the whole batch again: what the server had accepted
arrives a second time with the same Message-ID, which mail clients treat as one message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..settings import Settings
from ..store.db import engine_for, make_engine
from .senders import DeliveryFailed, Sender, SenderUnreachable, check_configured, open_sender
from .subscriptions import delete_expired_pending
from .tables import addresses, outbox, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MOST = dt.timedelta(hours=6)
# A batch is one transaction: bigger batches mean fewer commits, but a longer hold on the SQLite write lock and
# more messages sent again after a crash. Both are bounded by whichever limit is reached first.
BATCH_SIZE = 50
BATCH_SECONDS = 0.5


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unreachable: str | None = None  # why the server could not be reached, when it could not
    expired_deleted: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def count(self, outcome: str) -> None:
        if outcome == "failed":
            self.failed += 1
        else:
            self.retrying += 1

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed for good"
        if self.server_unreachable:
            text += f"; mail server unreachable ({self.server_unreachable}), owed emails stay queued"
        return text


# ---------------------------------------------------------------- claiming rows


@lru_cache(maxsize=8)
def _sqlite_sender_engine(url: str) -> Engine:
    # Our own engine so that only the sender's transactions start with BEGIN IMMEDIATE (the write lock up front);
    # the driver's implicit transactions are turned off so SQLAlchemy's begin is the one that runs.
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def sender_engine(settings: Settings) -> Engine:
    engine = engine_for(settings)  # applies migrations once
    if engine.dialect.name == "sqlite":
        return _sqlite_sender_engine(settings.database_url)
    return engine


def _claim_batch(connection: Connection, now: dt.datetime, size: int) -> list:
    # Ordered by the (status, next_attempt_at) index, so a claim reads only due rows, however many were sent.
    query = (
        sa.select(outbox, addresses.c.email)
        .join(addresses, addresses.c.id == outbox.c.address_id)
        .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.next_attempt_at)
        .limit(size)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    return connection.execute(query).all()


def _has_due(engine: Engine, now: dt.datetime) -> bool:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(outbox.c.id).where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now).limit(1)
        ).first() is not None


# ---------------------------------------------------------------- one message


# The stdlib's compat32 MIME classes: the same message as EmailMessage would make, built and flattened in about
# half the time (header parsing and refolding were most of a sender's CPU per email). Bodies are quoted-printable,
# so they stay readable.
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
# A fixed boundary spares a search of the bodies and a regular expression per message: quoted-printable writes
# every "=" as "=3D", so "=_" can never occur in a part.
_BOUNDARY = "=_doesittrain_alternative"


@lru_cache(maxsize=4)
def _from_header(mail_from: str) -> str:
    return formataddr(parseaddr(mail_from), charset="utf-8")


def build_message(row, settings: Settings) -> Message:
    message = MIMEMultipart("alternative", boundary=_BOUNDARY)
    message["From"] = _from_header(settings.mail_from)
    message["To"] = row.email
    message["Subject"] = row.subject if row.subject.isascii() else Header(row.subject, "utf-8")
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=dt.timezone.utc))
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach(MIMEText(row.body_text, "plain", _UTF8_QP))
    message.attach(MIMEText(row.body_html, "html", _UTF8_QP))
    return message


def _mark_sent(connection: Connection, ids: list[int]) -> None:
    # The bodies hold links (a confirmation token among them) that nobody needs once the mail is out.
    if ids:
        connection.execute(
            outbox.update()
            .where(outbox.c.id.in_(ids))
            .values(status="sent", sent_at=utcnow(), attempts=outbox.c.attempts + 1, last_error=None,
                    body_text="", body_html="")
        )


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MOST)


def _mark_failed_attempt(connection: Connection, row, reason: str, permanent: bool, now: dt.datetime) -> str:
    attempts = row.attempts + 1
    give_up = permanent or attempts >= MAX_ATTEMPTS
    connection.execute(
        outbox.update()
        .where(outbox.c.id == row.id)
        .values(
            status="failed" if give_up else "pending",
            attempts=attempts,
            last_error=reason[:500],
            next_attempt_at=now + backoff(attempts),
        )
    )
    return "failed" if give_up else "retrying"


# ---------------------------------------------------------------- a delivery pass


def send_due(settings: Settings, now: dt.datetime | None = None, limit: int | None = None) -> SendReport:
    """Send every email that is due, then stop. Safe to run in several processes at once."""
    check_configured(settings)
    now = now or utcnow()
    engine = sender_engine(settings)
    report = SendReport()
    if not _has_due(engine, now):
        return report
    try:
        sender = open_sender(settings)
    except SenderUnreachable as exc:
        report.server_unreachable = str(exc)
        log.warning("mail server unreachable: %s", exc)
        return report
    try:
        while limit is None or report.attempted < limit:
            room = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - report.attempted)
            if not _send_batch(engine, sender, settings, now, room, report) or report.server_unreachable:
                break
    finally:
        sender.close()
    return report


def _send_batch(engine: Engine, sender: Sender, settings: Settings, now: dt.datetime, size: int,
                report: SendReport) -> bool:
    """Claim up to `size` due rows, send them, and record every outcome in one commit. False when none was due."""
    with engine.begin() as connection:
        rows = _claim_batch(connection, now, size)
        sent: list[int] = []
        deadline = time.monotonic() + BATCH_SECONDS
        for row in rows:
            try:
                sender.deliver(build_message(row, settings), row.email)
            except DeliveryFailed as failure:
                outcome = _mark_failed_attempt(connection, row, failure.reason, failure.permanent, now)
                log.warning("outbox %s: %s (%s)", row.id, outcome, failure.reason)
                report.count(outcome)
                if failure.sender_gone:  # what is left stays due for the next pass
                    report.server_unreachable = failure.reason
                    break
            else:
                sent.append(row.id)
            if time.monotonic() > deadline:  # rows not reached are released untouched by the commit
                break
        _mark_sent(connection, sent)
    report.sent += len(sent)
    if sent:
        log.info("outbox %s…%s: %d sent", sent[0], sent[-1], len(sent))
    return bool(rows)


def run_once(settings: Settings, now: dt.datetime | None = None) -> SendReport:
    """One background pass: forget expired unconfirmed addresses, then deliver what is due."""
    now = now or utcnow()
    with engine_for(settings).begin() as connection:
        expired = delete_expired_pending(connection, now)
    report = send_due(settings, now)
    report.expired_deleted = expired
    return report


async def deliver_forever(settings: Settings, stop_event: asyncio.Event, interval: float = 10.0) -> None:
    """Deliver owed emails until `stop_event` is set; backs off while the mail server is unreachable."""
    delay = interval
    while not stop_event.is_set():
        try:
            report = await asyncio.to_thread(run_once, settings)
            delay = interval if report.server_unreachable is None else min(delay * 2, 300.0)
        except Exception:  # a pass failing (database restarting…) must not end delivery for good
            log.exception("delivery pass failed")
            delay = min(delay * 2, 300.0)
        try:
            await asyncio.wait_for(stop_event.wait(), delay)
        except asyncio.TimeoutError:
            pass


def deliver_in_thread(settings: Settings, interval: float = 10.0) -> tuple[threading.Thread, threading.Event]:
    """The same loop in a thread, for hosts without an event loop. Set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        delay = interval
        while not stop.is_set():
            try:
                report = run_once(settings)
                delay = interval if report.server_unreachable is None else min(delay * 2, 300.0)
            except Exception:
                log.exception("delivery pass failed")
                delay = min(delay * 2, 300.0)
            stop.wait(delay)

    thread = threading.Thread(target=loop, name="doesittrain-delivery", daemon=True)
    thread.start()
    return thread, stop
