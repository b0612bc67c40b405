"""Deliver the outbox over SMTP: one row at a time, marked sent in the same transaction that claimed it.

How a row is claimed:
- PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED`, so several senders share the work and never take the same row.
- SQLite: the transaction starts with `BEGIN IMMEDIATE`, so only one sender holds the database at a time.
The row stays locked while the server receives it and is marked sent as soon as the server accepts it. If the
process dies in that short window the transaction rolls back and the next run sends the row again, with the same
Message-ID, which mail clients treat as one message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ..errors import UserError
from ..settings import Settings
from ..store.db import engine_for, make_engine
from .subscriptions import delete_expired_pending
from .tables import addresses, outbox, utcnow

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30
MAX_ATTEMPTS = 10
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MOST = dt.timedelta(hours=6)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://user:pass@host:587 (STARTTLS when the server offers it) or smtps://user:pass@host:465."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise UserError(f"DOESITTRAIN_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465, not {parts.scheme or 'empty'}://…")
    implicit_tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit_tls else 587)
    except ValueError:
        raise UserError("DOESITTRAIN_SMTP_URL has a port that is not a number.") from None
    return SmtpServer(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.implicit_tls:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
    if server.username:
        smtp.login(server.username, server.password or "")
    return smtp


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unreachable: str | None = None  # why the server could not be reached, when it could not
    expired_deleted: int = 0
    errors: list[str] = field(default_factory=list)

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


def _claim_next(connection: Connection, now: dt.datetime):
    query = (
        sa.select(outbox, addresses.c.email)
        .join(addresses, addresses.c.id == outbox.c.address_id)
        .where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
        .order_by(outbox.c.id)
        .limit(1)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    return connection.execute(query).first()


def _has_due(engine: Engine, now: dt.datetime) -> bool:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(outbox.c.id).where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now).limit(1)
        ).first() is not None


# ---------------------------------------------------------------- one message


def build_message(row, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.email
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.replace(tzinfo=dt.timezone.utc))
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


def _mark_sent(connection: Connection, row) -> None:
    # The bodies hold links (a confirmation token among them) that nobody needs once the mail is out.
    connection.execute(
        outbox.update()
        .where(outbox.c.id == row.id)
        .values(status="sent", sent_at=utcnow(), attempts=row.attempts + 1, last_error=None, body_text="", body_html="")
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


_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def _smtp_failure(exc: Exception) -> tuple[int | None, str]:
    """(reply code, reason) of a failed SMTP transaction, with any address in the server's words blanked out."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return None, type(exc).__name__
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return code, _ADDRESS.sub("(address)", f"{code} {text}")


# ---------------------------------------------------------------- a delivery pass


def send_due(settings: Settings, now: dt.datetime | None = None, limit: int | None = None) -> SendReport:
    """Send every email that is due, then stop. Safe to run in several processes at once."""
    if not settings.smtp_url:
        raise UserError("No mail server is configured: set DOESITTRAIN_SMTP_URL (see `doesittrain settings`).")
    server = parse_smtp_url(settings.smtp_url)
    now = now or utcnow()
    engine = sender_engine(settings)
    report = SendReport()
    if not _has_due(engine, now):
        return report
    try:
        smtp = connect(server)
    except OSError as exc:  # smtplib's errors are OSErrors too
        report.server_unreachable = _smtp_failure(exc)[1]
        log.warning("mail server unreachable: %s", report.server_unreachable)
        return report
    try:
        while limit is None or report.sent + report.failed + report.retrying < limit:
            outcome = _send_one(engine, smtp, settings, now)
            if outcome is None:
                break
            if outcome == "sent":
                report.sent += 1
            elif outcome == "failed":
                report.failed += 1
            elif outcome == "retrying":
                report.retrying += 1
            else:  # the connection is gone: what is left stays due for the next pass
                report.retrying += 1
                report.server_unreachable = outcome
                break
    finally:
        try:
            smtp.quit()
        except OSError:
            smtp.close()
    return report


def _send_one(engine: Engine, smtp: smtplib.SMTP, settings: Settings, now: dt.datetime) -> str | None:
    """Claim, send and mark one row in one transaction. Returns the outcome, or None when nothing is due."""
    with engine.begin() as connection:
        row = _claim_next(connection, now)
        if row is None:
            return None
        try:
            smtp.send_message(build_message(row, settings), to_addrs=[row.email])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            # (SMTPException is an OSError too, so the server's replies are told apart from lost connections first.)
            code, reason = _smtp_failure(exc)
            outcome = _mark_failed_attempt(connection, row, reason, permanent=code is not None and code >= 500, now=now)
            log.warning("outbox %s: %s (%s)", row.id, outcome, reason)
            if code == 421:  # the server is closing the connection
                return f"server closing: {reason}"
            return outcome
        except OSError as exc:  # disconnected, reset, timed out
            reason = _smtp_failure(exc)[1]
            _mark_failed_attempt(connection, row, reason, permanent=False, now=now)
            log.warning("outbox %s: connection lost (%s)", row.id, reason)
            return f"connection lost: {reason}"
        _mark_sent(connection, row)
    log.info("outbox %s: sent", row.id)
    return "sent"


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
