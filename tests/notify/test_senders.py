"""Senders: SMTP over STARTTLS and over TLS from the start, each checking the server's certificate against a CA,
and the console sender for development."""

from __future__ import annotations

import ssl

import pytest
import sqlalchemy as sa
import trustme
from aiosmtpd.controller import Controller

from doesittrain.errors import UserError
from doesittrain.notify import emails
from doesittrain.notify.outbox import enqueue
from doesittrain.notify.send import send_due
from doesittrain.notify.senders import open_sender
from doesittrain.notify.tables import addresses, outbox, utcnow
from doesittrain.store.db import engine_for
from notifyhelpers import Catcher, free_port

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


class TlsServer:
    """aiosmtpd on loopback, either offering STARTTLS (and refusing mail without it) or speaking TLS from the start."""

    def __init__(self, context: ssl.SSLContext, implicit: bool):
        self.catcher = Catcher()
        self.port = free_port()
        self.implicit = implicit
        tls = {"ssl_context": context} if implicit else {"tls_context": context, "require_starttls": True}
        self.controller = Controller(self.catcher, hostname=HOST, port=self.port, **tls)

    @property
    def url(self) -> str:
        return f"{'smtps' if self.implicit else 'smtp'}://{HOST}:{self.port}"


@pytest.fixture(params=["starttls", "smtps"])
def tls_mode(request) -> bool:
    return request.param == "smtps"


def deliver_one(make_settings, tmp_path, context: ssl.SSLContext, implicit: bool, trusted: trustme.CA | None):
    """Queue one mail and run a delivery pass against a TLS server, trusting `trusted` (None: the system's CAs)."""
    server = TlsServer(context, implicit)
    ca_file = ""
    if trusted is not None:
        ca_file = str(tmp_path / "ca.pem")
        trusted.cert_pem.write_to_path(ca_file)
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 's.db'}", smtp_url=server.url, smtp_ca_file=ca_file)
    queue_one(settings)
    server.controller.start()
    try:
        return server, settings, send_due(settings)
    finally:
        server.controller.stop()


def queue_one(settings, address: str = "reader@example.org") -> None:
    with engine_for(settings).begin() as connection:
        address_id = connection.execute(
            addresses.insert().values(email=address, created_at=utcnow()).returning(addresses.c.id)
        ).scalar_one()
        enqueue(connection, settings, kind="change", address_id=address_id, subscription_id=None, publication_id=None,
                email=emails.RenderedEmail("A change", "Something changed.", "<p>Something changed.</p>"),
                unsubscribe=None)


def statuses(settings) -> list[str]:
    with engine_for(settings).connect() as connection:
        return connection.execute(sa.select(outbox.c.status)).scalars().all()


def test_mail_goes_over_tls_when_the_certificate_chains_to_the_configured_ca(make_settings, tmp_path, ca, tls_mode):
    server, settings, report = deliver_one(make_settings, tmp_path, server_context(ca, HOST), tls_mode, ca)
    assert (report.sent, report.server_unreachable) == (1, None)
    assert [m["To"] for m in server.catcher.messages] == ["reader@example.org"]
    assert statuses(settings) == ["sent"]


@pytest.mark.parametrize("wrong", ["another CA", "another host name"])
def test_a_certificate_that_does_not_check_out_is_refused_and_the_mail_stays_owed(make_settings, tmp_path, ca, tls_mode, wrong):
    if wrong == "another CA":
        context, trusted = server_context(trustme.CA(), HOST), ca
    else:
        context, trusted = server_context(ca, "mail.example.org"), ca
    server, settings, report = deliver_one(make_settings, tmp_path, context, tls_mode, trusted)
    assert report.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in report.server_unreachable
    assert server.catcher.messages == []
    assert statuses(settings) == ["pending"]


def test_without_a_ca_file_the_systems_cas_are_used_and_a_private_ca_is_refused(make_settings, tmp_path, ca, tls_mode):
    _, _, report = deliver_one(make_settings, tmp_path, server_context(ca, HOST), tls_mode, trusted=None)
    assert report.sent == 0 and "CERTIFICATE_VERIFY_FAILED" in report.server_unreachable


def test_a_ca_file_that_cannot_be_read_is_named_in_the_error(make_settings, tmp_path):
    settings = make_settings(smtp_url=f"smtps://{HOST}:1", smtp_ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(UserError, match="DOESITTRAIN_SMTP_CA_FILE .*missing.pem"):
        open_sender(settings)


def test_a_malformed_smtp_url_is_refused_with_the_forms_it_accepts(make_settings):
    with pytest.raises(UserError, match="smtps://host:465 or console:"):
        open_sender(make_settings(smtp_url="http://mail.example.org"))


def test_the_console_sender_prints_each_mail_and_marks_it_sent(make_settings, tmp_path, capsys):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 's.db'}", smtp_url="console:")
    queue_one(settings, "first@example.org")
    queue_one(settings, "second@example.org")
    report = send_due(settings)
    printed = capsys.readouterr().out
    assert report.sent == 2
    assert printed.count("---------- email to ") == 2
    assert "To: first@example.org" in printed and "To: second@example.org" in printed
    assert "Subject: A change" in printed
    assert "[text/plain]\nSomething changed." in printed and "[text/html]\n<p>Something changed.</p>" in printed
    assert statuses(settings) == ["sent", "sent"]


def test_a_password_is_never_sent_to_a_server_without_starttls(make_settings, tmp_path):
    catcher, port = Catcher(), free_port()
    controller = Controller(catcher, hostname=HOST, port=port)  # plain SMTP: no STARTTLS offered
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 's.db'}", smtp_url=f"smtp://user:secret@{HOST}:{port}")
    queue_one(settings)
    controller.start()
    try:
        report = send_due(settings)
    finally:
        controller.stop()
    assert report.sent == 0 and "does not offer STARTTLS, so the password would travel unencrypted" in report.server_unreachable
    assert catcher.messages == [] and statuses(settings) == ["pending"]
