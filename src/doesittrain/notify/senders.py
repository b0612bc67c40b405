"""Senders: what hands a prepared message to the world. The outbox knows only this interface.

`open_sender(settings)` picks one from DOESITTRAIN_SMTP_URL:
- `smtp://user:pass@host:587` (STARTTLS when the server offers it; a server without it gets no password) or `smtps://user:pass@host:465`: `SmtpSender`,
  one connection kept open for a whole delivery pass, the certificate checked against the system's CAs or
  DOESITTRAIN_SMTP_CA_FILE;
- `console:`: `ConsoleSender`, which prints each message to standard output (for development).

A sender either delivers or raises `DeliveryFailed`, saying whether the failure is permanent (do not retry) and
whether the sender is unusable now (stop this pass; what is left stays owed).
"""

from __future__ import annotations

import re
import smtplib
import ssl
import sys
import threading
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.policy import Compat32
from email.utils import parseaddr
from functools import lru_cache
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from ..errors import UserError
from ..settings import Settings

SMTP_TIMEOUT = 30
CONSOLE = "console"


class _SmtpFlattening(Compat32):
    """compat32 with SMTP's line ends, writing a short single-line ASCII header as it is: folding every header
    through email.header.Header was the largest part of the CPU a message costs."""

    def fold_binary(self, name: str, value) -> bytes:
        if isinstance(value, str) and value.isascii() and len(name) + len(value) <= 76 and not _LINE_BREAK.search(value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_LINE_BREAK = re.compile(r"[\r\n]")
_FLATTEN = _SmtpFlattening(linesep="\r\n")


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, sender_gone: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.sender_gone = sender_gone


class SenderUnreachable(Exception):
    """The sender could not be opened at all (mail server down, TLS refused); nothing was attempted."""


class Sender(Protocol):
    def deliver(self, message: Message, recipient: str) -> None:
        """Hand over one message for one recipient; raises DeliveryFailed."""

    def close(self) -> None: ...


# ---------------------------------------------------------------- SMTP


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
        raise UserError(
            "DOESITTRAIN_SMTP_URL must look like smtp://user:password@host:587, smtps://host:465 or console:, "
            f"not {parts.scheme or 'empty'}://…"
        )
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


def tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificate and host name checked, against the given CA bundle or the system's."""
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"DOESITTRAIN_SMTP_CA_FILE {ca_file}: not a readable PEM CA bundle ({exc}).") from None


_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def _smtp_failure(exc: Exception) -> tuple[int | None, str]:
    """(reply code, reason) of a failed SMTP exchange, with any address in the server's words blanked out."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return None, f"{type(exc).__name__}: {exc}" if isinstance(exc, ssl.SSLError) else type(exc).__name__
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return code, _ADDRESS.sub("(address)", f"{code} {text}")


@lru_cache(maxsize=4)
def _envelope_sender(from_header: str) -> str:
    return parseaddr(from_header)[1]


class SmtpSender:
    """One SMTP connection, reused for every message of a pass."""

    def __init__(self, server: SmtpServer, context: ssl.SSLContext):
        try:
            self.smtp = self._connect(server, context)
        except (OSError, ssl.SSLError) as exc:  # smtplib's errors are OSErrors too
            raise SenderUnreachable(_smtp_failure(exc)[1]) from exc

    @staticmethod
    def _connect(server: SmtpServer, context: ssl.SSLContext) -> smtplib.SMTP:
        if server.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT)
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif server.username:
                smtp.close()
                raise SenderUnreachable(
                    f"the mail server at {server.host}:{server.port} does not offer STARTTLS, so the password would "
                    "travel unencrypted; use smtps://, a server that offers STARTTLS, or a relay without a password")
        if server.username:
            smtp.login(server.username, server.password or "")
        return smtp

    def deliver(self, message: Message, recipient: str) -> None:
        options = [] if recipient.isascii() else ["SMTPUTF8"]  # an address with non-ASCII characters needs it
        try:
            self.smtp.sendmail(_envelope_sender(message["From"]), [recipient], message.as_bytes(policy=_FLATTEN),
                               mail_options=options)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
            # (SMTPException is an OSError too, so the server's replies are told apart from lost connections first.)
            code, reason = _smtp_failure(exc)
            raise DeliveryFailed(reason, permanent=code is not None and code >= 500,
                                 sender_gone=code == 421) from exc  # 421: the server is closing the connection
        except OSError as exc:  # disconnected, reset, timed out
            raise DeliveryFailed(f"connection lost: {_smtp_failure(exc)[1]}", permanent=False, sender_gone=True) from exc

    def close(self) -> None:
        try:
            self.smtp.quit()
        except OSError:
            self.smtp.close()


# ---------------------------------------------------------------- console


class ConsoleSender:
    """Prints each message, headers and both parts, instead of sending it."""

    _lock = threading.Lock()  # background delivery and a command may print at once

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def deliver(self, message: Message, recipient: str) -> None:
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(f"---------- email to {recipient}\n{readable(message)}\n")
            stream.flush()

    def close(self) -> None:
        pass


def readable(message: Message) -> str:
    """Headers and each part as a person reads them: encoded words and quoted-printable decoded."""
    lines = [f"{name}: {make_header(decode_header(str(value)))}" for name, value in message.items()
             if name not in ("Content-Type", "MIME-Version")]
    for part in message.walk():
        if not part.is_multipart():
            body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8", errors="replace")
            lines += ["", f"[{part.get_content_type()}]", body.rstrip("\n")]
    return "\n".join(lines) + "\n"


def is_console(smtp_url: str) -> bool:
    return urlsplit(smtp_url.strip()).scheme == CONSOLE


def check_configured(settings: Settings) -> None:
    """Refuse early, with the setting to fix, when no sender is configured or the URL is malformed."""
    if not settings.smtp_url:
        raise UserError("No mail server is configured: set DOESITTRAIN_SMTP_URL (see `doesittrain settings`).")
    if not is_console(settings.smtp_url):
        parse_smtp_url(settings.smtp_url)


def open_sender(settings: Settings) -> Sender:
    """The sender DOESITTRAIN_SMTP_URL names, ready to deliver; raises SenderUnreachable when it cannot be."""
    check_configured(settings)
    if is_console(settings.smtp_url):
        return ConsoleSender()
    return SmtpSender(parse_smtp_url(settings.smtp_url), tls_context(settings.smtp_ca_file))
