"""Double opt-in subscriptions: subscribe, confirm, unsubscribe, expiry, and answers to data requests.

An address is stored only while it has a subscription (pending or confirmed). Confirmation tokens are random,
stored as SHA-256 hashes, single-use and valid for CONFIRM_HOURS. Unsubscribe links are HMACs over a
per-subscription nonce, so nothing that would unsubscribe someone is stored at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Mapping

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Connection

from ..errors import UserError
from ..settings import Settings
from ..store.db import engine_for
from . import emails, outbox as outbox_module
from .tables import ALL_TOOLS, addresses, outbox, subscriptions, utcnow
from .tokens import installation_secret, link_token_matches, parse_link_token, random_token, token_hash

CONFIRM_HOURS = 48  # how long a confirmation link works; every page and email that says so reads it here
CONFIRM_VALID_FOR = dt.timedelta(hours=CONFIRM_HOURS)
ALL_TOOLS_CHOICE = "all"  # what forms send for "every tool"


@dataclass(frozen=True)
class Subscription:
    id: int
    tool: str  # a slug, or ALL_TOOLS
    confirmed: bool

    @property
    def all_tools(self) -> bool:
        return self.tool == ALL_TOOLS


def normalized_email(raw: object) -> str:
    """The address as stored: syntax-checked (no DNS lookups) and lower-cased, so one person is one row."""
    if not isinstance(raw, str) or not raw.strip():
        raise UserError("Enter your email address.")
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(f"That email address is not valid: {exc}") from None
    return checked.normalized.lower()


def _chosen_tool(tool: object, known_tools: Mapping[str, str]) -> str:
    if not isinstance(tool, str) or not tool.strip():
        raise UserError("Choose a tool to follow, or all tools.")
    tool = tool.strip()
    if tool == ALL_TOOLS_CHOICE:
        return ALL_TOOLS
    if tool not in known_tools:
        raise UserError(f"There is no tool called {tool[:60]!r} to follow.")
    return tool


def subscribe(
    settings: Settings, email: object, tool: object, known_tools: Mapping[str, str], now: dt.datetime | None = None
) -> None:
    """Ask `email` to confirm an alert for `tool` (a slug or "all").

    Says nothing about what was already there: a new, pending or confirmed address all end here the same way.
    A confirmed subscription gets no mail; a new or pending one gets a fresh confirmation link.
    """
    address = normalized_email(email)
    chosen = _chosen_tool(tool, known_tools)
    now = now or utcnow()
    engine = engine_for(settings)
    for attempt in range(3):
        try:
            with engine.begin() as connection:
                delete_expired_pending(connection, now)
                _subscribe(connection, settings, address, chosen, known_tools, now)
            return
        except sa.exc.IntegrityError:
            # Two requests for the same address raced on the unique constraint; the retry sees the winner's row.
            if attempt == 2:
                raise


def _subscribe(connection: Connection, settings: Settings, address: str, tool: str, known_tools, now: dt.datetime) -> None:
    address_id = connection.execute(sa.select(addresses.c.id).where(addresses.c.email == address)).scalar()
    if address_id is None:
        address_id = connection.execute(
            addresses.insert().values(email=address, created_at=now).returning(addresses.c.id)
        ).scalar_one()
    row = connection.execute(
        sa.select(subscriptions.c.id, subscriptions.c.confirmed_at)
        .where(subscriptions.c.address_id == address_id, subscriptions.c.tool == tool)
    ).first()
    if row is not None and row.confirmed_at is not None:
        return
    token = random_token()
    values = {"confirm_token_hash": token_hash(token), "expires_at": now + CONFIRM_VALID_FOR}
    if row is None:
        subscription_id = connection.execute(
            subscriptions.insert()
            .values(address_id=address_id, tool=tool, created_at=now, nonce=secrets.token_hex(16), **values)
            .returning(subscriptions.c.id)
        ).scalar_one()
    else:
        subscription_id = row.id
        connection.execute(subscriptions.update().where(subscriptions.c.id == subscription_id).values(**values))
        # The earlier link is dead now; don't send it if it is still waiting in the outbox.
        connection.execute(
            outbox.delete().where(outbox.c.subscription_id == subscription_id, outbox.c.status == "pending")
        )
    site = settings.base_url
    email = emails.confirm_email(None if tool == ALL_TOOLS else known_tools[tool], f"{site}/confirm/{token}", site,
                                 CONFIRM_HOURS)
    outbox_module.enqueue(
        connection, settings, kind="confirm", address_id=address_id, subscription_id=subscription_id,
        publication_id=None, email=email, unsubscribe=None, now=now,
    )


def confirm(settings: Settings, token: str, now: dt.datetime | None = None) -> Subscription:
    """Confirm the subscription this link was sent for; the link then stops working."""
    now = now or utcnow()
    with engine_for(settings).begin() as connection:
        row = connection.execute(
            sa.select(subscriptions.c.id, subscriptions.c.tool, subscriptions.c.expires_at, subscriptions.c.address_id)
            .where(subscriptions.c.confirm_token_hash == token_hash(token))
        ).first()
        expired = row is not None and row.expires_at is not None and row.expires_at <= now
        if expired:
            _delete_subscription(connection, row.id, row.address_id)
        elif row is not None:
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.id == row.id)
                .values(confirmed_at=now, confirm_token_hash=None, expires_at=None)
            )
    # Raised after the commit, so an expired subscription's deletion is kept.
    if row is None:
        raise UserError(
            "This confirmation link is not valid or has already been used. "
            "If you confirmed before, your alert is active.",
            404,
        )
    if expired:
        raise UserError(
            f"This confirmation link has expired (links work for {CONFIRM_HOURS} hours). Please subscribe again.", 410
        )
    return Subscription(row.id, row.tool, True)


def subscription_for_unsubscribe(settings: Settings, token: str) -> Subscription | None:
    """The subscription an unsubscribe link names, or None when the link is wrong or it is already gone."""
    with engine_for(settings).connect() as connection:
        row = _row_for_unsubscribe(connection, settings, token)
    return None if row is None else Subscription(row.id, row.tool, row.confirmed_at is not None)


def _row_for_unsubscribe(connection: Connection, settings: Settings, token: str):
    parsed = parse_link_token(token)
    if parsed is None:
        return None
    subscription_id, mac = parsed
    row = connection.execute(
        sa.select(subscriptions.c.id, subscriptions.c.tool, subscriptions.c.nonce, subscriptions.c.address_id,
                  subscriptions.c.confirmed_at)
        .where(subscriptions.c.id == subscription_id)
    ).first()
    if row is None or not link_token_matches(installation_secret(settings), outbox_module.UNSUBSCRIBE, row.id, row.nonce, mac):
        return None
    return row


def unsubscribe(settings: Settings, token: str) -> Subscription | None:
    """Delete the subscription (and the address, when it was the last one). None when there was nothing to delete."""
    with engine_for(settings).begin() as connection:
        row = _row_for_unsubscribe(connection, settings, token)
        if row is None:
            return None
        _delete_subscription(connection, row.id, row.address_id)
    return Subscription(row.id, row.tool, False)


def _delete_subscription(connection: Connection, subscription_id: int, address_id: int) -> None:
    # Unsent mail for it goes too (foreign keys cascade on PostgreSQL; SQLite needs no pragma this way).
    connection.execute(outbox.delete().where(outbox.c.subscription_id == subscription_id))
    connection.execute(subscriptions.delete().where(subscriptions.c.id == subscription_id))
    remaining = connection.execute(
        sa.select(sa.func.count()).select_from(subscriptions).where(subscriptions.c.address_id == address_id)
    ).scalar_one()
    if remaining == 0:
        connection.execute(outbox.delete().where(outbox.c.address_id == address_id))
        connection.execute(addresses.delete().where(addresses.c.id == address_id))


def delete_expired_pending(connection: Connection, now: dt.datetime | None = None) -> int:
    """Delete unconfirmed subscriptions whose link expired, and addresses left with none. Returns how many."""
    now = now or utcnow()
    expired = connection.execute(
        sa.select(subscriptions.c.id, subscriptions.c.address_id)
        .where(subscriptions.c.confirmed_at.is_(None), subscriptions.c.expires_at <= now)
    ).all()
    for row in expired:
        _delete_subscription(connection, row.id, row.address_id)
    return len(expired)


def export_address(settings: Settings, email: str) -> dict | None:
    """Everything stored about one address (for a data request), or None when it is not stored."""
    address = normalized_email(email)
    with engine_for(settings).connect() as connection:
        row = connection.execute(sa.select(addresses).where(addresses.c.email == address)).first()
        if row is None:
            return None
        subs = connection.execute(
            sa.select(subscriptions.c.tool, subscriptions.c.created_at, subscriptions.c.confirmed_at)
            .where(subscriptions.c.address_id == row.id)
            .order_by(subscriptions.c.id)
        ).all()
        mails = connection.execute(
            sa.select(outbox.c.kind, outbox.c.subject, outbox.c.status, outbox.c.created_at, outbox.c.sent_at)
            .where(outbox.c.address_id == row.id)
            .order_by(outbox.c.id)
        ).all()
    return {
        "email": row.email,
        "stored_since": _iso(row.created_at),
        "subscriptions": [
            {"tool": "all" if s.tool == ALL_TOOLS else s.tool, "created": _iso(s.created_at),
             "confirmed": _iso(s.confirmed_at)}
            for s in subs
        ],
        "emails": [
            {"kind": m.kind, "subject": m.subject, "status": m.status, "created": _iso(m.created_at), "sent": _iso(m.sent_at)}
            for m in mails
        ],
    }


def delete_address(settings: Settings, email: str) -> bool:
    """Delete an address with its subscriptions and mail records. False when it was not stored."""
    address = normalized_email(email)
    with engine_for(settings).begin() as connection:
        address_id = connection.execute(sa.select(addresses.c.id).where(addresses.c.email == address)).scalar()
        if address_id is None:
            return False
        connection.execute(outbox.delete().where(outbox.c.address_id == address_id))
        connection.execute(subscriptions.delete().where(subscriptions.c.address_id == address_id))
        connection.execute(addresses.delete().where(addresses.c.id == address_id))
    return True


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"
