"""Double opt-in: syntax checks, no enumeration, hashed single-use tokens, expiry, unsubscribe, data requests."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from doesittrain.errors import UserError
from doesittrain.notify import subscriptions
from doesittrain.notify.send import run_once
from doesittrain.notify.tables import addresses, outbox, subscriptions as subscriptions_table, utcnow
from doesittrain.notify.outbox import unsubscribe_url
from doesittrain.store.db import engine_for
from notifyhelpers import KNOWN, confirmation_token, subscribe_confirmed


def count(settings, table, *where) -> int:
    with engine_for(settings).connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def token_of_subscription(settings, address: str) -> str:
    with engine_for(settings).connect() as connection:
        row = connection.execute(
            sa.select(subscriptions_table.c.id, subscriptions_table.c.nonce)
            .join(addresses).where(addresses.c.email == address)
        ).first()
    return unsubscribe_url(settings, row.id, row.nonce).rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter your email address."),
        ("not-an-address", "That email address is not valid: An email address must have an @-sign."),
        ("two@@example.org", "That email address is not valid"),
        (None, "Enter your email address."),
    ],
)
def test_bad_addresses_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(UserError) as refused:
        subscriptions.normalized_email(raw)
    assert refused.value.message.startswith(message)
    assert refused.value.status == 400


def test_addresses_are_normalised_so_one_person_is_one_row(settings):
    subscriptions.subscribe(settings, "  Reader@EXAMPLE.org ", "exampleai", KNOWN)
    subscriptions.subscribe(settings, "reader@example.org", "exampleai", KNOWN)
    assert count(settings, addresses) == 1
    assert count(settings, subscriptions_table) == 1


def test_an_unknown_tool_is_refused_naming_it(settings):
    with pytest.raises(UserError, match="no tool called 'nope'"):
        subscriptions.subscribe(settings, "a@example.org", "nope", KNOWN)


def test_new_pending_and_confirmed_addresses_get_the_same_answer(settings):
    assert subscriptions.subscribe(settings, "new@example.org", "exampleai", KNOWN) is None
    assert subscriptions.subscribe(settings, "new@example.org", "exampleai", KNOWN) is None  # pending
    subscriptions.confirm(settings, confirmation_token(settings))
    assert subscriptions.subscribe(settings, "new@example.org", "exampleai", KNOWN) is None  # confirmed
    # Pending got a fresh link (the old unsent one was withdrawn); confirmed got nothing.
    assert count(settings, outbox, outbox.c.kind == "confirm") == 1


def test_tokens_are_stored_only_as_hashes(settings):
    subscriptions.subscribe(settings, "a@example.org", "exampleai", KNOWN)
    token = confirmation_token(settings)
    assert len(token) >= 43  # 256 bits, URL-safe
    with engine_for(settings).connect() as connection:
        stored = connection.execute(sa.select(subscriptions_table.c.confirm_token_hash)).scalar_one()
    assert stored != token and len(stored) == 64


def test_a_confirmation_link_works_once(settings):
    subscriptions.subscribe(settings, "a@example.org", "all", KNOWN)
    token = confirmation_token(settings)
    assert subscriptions.confirm(settings, token).all_tools
    with pytest.raises(UserError) as again:
        subscriptions.confirm(settings, token)
    assert again.value.status == 404


def test_a_confirmation_link_expires_after_48_hours_and_the_address_goes(settings):
    subscriptions.subscribe(settings, "late@example.org", "exampleai", KNOWN)
    token = confirmation_token(settings)
    with pytest.raises(UserError) as expired:
        subscriptions.confirm(settings, token, now=utcnow() + dt.timedelta(hours=48, minutes=1))
    assert expired.value.status == 410 and "expired" in expired.value.message
    assert count(settings, addresses) == 0


def test_expired_pending_addresses_are_deleted_by_the_background_pass(settings, make_settings, smtp_server):
    mail = make_settings(database_url=settings.database_url, smtp_url=smtp_server.url)
    subscriptions.subscribe(mail, "never@example.org", "exampleai", KNOWN)
    subscribe_confirmed(mail, "kept@example.org", "exampleai", KNOWN)
    report = run_once(mail, now=utcnow() + dt.timedelta(hours=49))
    assert report.expired_deleted == 1
    with engine_for(mail).connect() as connection:
        assert connection.execute(sa.select(addresses.c.email)).scalars().all() == ["kept@example.org"]


def test_unsubscribing_the_last_subscription_deletes_the_address(settings):
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)
    subscribe_confirmed(settings, "a@example.org", "all", KNOWN)
    with engine_for(settings).connect() as connection:
        rows = connection.execute(sa.select(subscriptions_table.c.id, subscriptions_table.c.nonce,
                                            subscriptions_table.c.tool)).all()
    tokens = {r.tool: unsubscribe_url(settings, r.id, r.nonce).rsplit("/", 1)[1] for r in rows}
    assert subscriptions.unsubscribe(settings, tokens["exampleai"]).tool == "exampleai"
    assert count(settings, addresses) == 1
    assert subscriptions.unsubscribe(settings, tokens["exampleai"]) is None  # already gone
    subscriptions.unsubscribe(settings, tokens["*"])
    assert count(settings, addresses) == 0
    assert count(settings, outbox) == 0


def test_forged_unsubscribe_tokens_do_nothing(settings):
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)
    real = token_of_subscription(settings, "a@example.org")
    for forged in ("1.AAAA", real[:-2] + "xx", "garbage", "", "99." + real.split(".")[1]):
        assert subscriptions.subscription_for_unsubscribe(settings, forged) is None
        assert subscriptions.unsubscribe(settings, forged) is None
    assert count(settings, subscriptions_table) == 1


def test_export_shows_everything_stored_and_delete_removes_it(settings):
    subscribe_confirmed(settings, "a@example.org", "exampleai", KNOWN)
    exported = subscriptions.export_address(settings, "A@example.org")
    assert exported["email"] == "a@example.org"
    assert [s["tool"] for s in exported["subscriptions"]] == ["exampleai"]
    assert exported["subscriptions"][0]["confirmed"]
    assert [m["kind"] for m in exported["emails"]] == ["confirm"]
    assert subscriptions.delete_address(settings, "a@example.org")
    assert subscriptions.export_address(settings, "a@example.org") is None
    assert not subscriptions.delete_address(settings, "a@example.org")
    assert count(settings, outbox) == count(settings, subscriptions_table) == 0
