"""The outbox: one row per email owed, written in the transaction that made it owed, sent later by notify.send.

Each row gets its Message-ID when written, so a message re-sent after a crash carries the same Message-ID and mail
clients merge the two copies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from email.utils import parseaddr

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..settings import Settings
from . import emails
from .tables import ALL_TOOLS, addresses, outbox, subscriptions, utcnow
from .tokens import installation_secret, link_token

UNSUBSCRIBE = "unsubscribe"


def new_message_id(settings: Settings) -> str:
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def unsubscribe_url(settings: Settings, subscription_id: int, nonce: str) -> str:
    token = link_token(installation_secret(settings), UNSUBSCRIBE, subscription_id, nonce)
    return f"{settings.base_url}/unsubscribe/{token}"


INSERT_BATCH = 1000  # outbox rows per INSERT statement when a publication owes many emails


def outbox_row(
    settings: Settings,
    *,
    kind: str,
    address_id: int,
    subscription_id: int | None,
    publication_id: int | None,
    email: emails.RenderedEmail,
    unsubscribe: str | None,
    now: dt.datetime,
) -> dict:
    return {
        "kind": kind, "address_id": address_id, "subscription_id": subscription_id, "publication_id": publication_id,
        "message_id": new_message_id(settings), "subject": email.subject, "body_text": email.text,
        "body_html": email.html, "unsubscribe_url": unsubscribe, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    }


def enqueue(connection: Connection, settings: Settings, *, now: dt.datetime | None = None, **email_fields) -> None:
    """One email owed (see `outbox_row` for its fields)."""
    connection.execute(outbox.insert().values(outbox_row(settings, now=now or utcnow(), **email_fields)))


def enqueue_change_emails(
    connection: Connection, settings: Settings, publication_id: int, changes: list, now: dt.datetime | None = None
) -> int:
    """One email per confirmed subscription: per tool for that tool's changes, one digest for all-tools subscribers.

    An address subscribed to all tools gets only the digest, so no change reaches anyone twice.
    Returns how many emails were queued.
    """
    by_tool: dict[str, list] = defaultdict(list)
    for change in changes:
        by_tool[change.tool].append(change)
    rows = connection.execute(
        sa.select(subscriptions.c.id, subscriptions.c.address_id, subscriptions.c.tool, subscriptions.c.nonce)
        .where(subscriptions.c.confirmed_at.is_not(None))
        .where(subscriptions.c.tool.in_([*by_tool, ALL_TOOLS]))
        .order_by(subscriptions.c.id)
    ).all()
    digest_addresses = {row.address_id for row in rows if row.tool == ALL_TOOLS}
    rendered: dict[str, emails.RenderedEmail] = {}  # per tool (or all tools): the same for all but the link
    now = now or utcnow()
    owed: list[dict] = []
    queued = 0
    for row in rows:
        all_tools = row.tool == ALL_TOOLS
        if not all_tools and row.address_id in digest_addresses:
            continue
        if row.tool not in rendered:
            tool_changes = changes if all_tools else by_tool[row.tool]
            rendered[row.tool] = emails.change_email(tool_changes, settings.base_url, all_tools)
        url = unsubscribe_url(settings, row.id, row.nonce)
        owed.append(outbox_row(
            settings, kind="change", address_id=row.address_id, subscription_id=row.id,
            publication_id=publication_id, email=rendered[row.tool].with_unsubscribe_link(url), unsubscribe=url,
            now=now,
        ))
        queued += 1
        if len(owed) == INSERT_BATCH:
            connection.execute(outbox.insert(), owed)
            owed = []
    if owed:
        connection.execute(outbox.insert(), owed)
    return queued


def pending_count(connection: Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status == "pending")).scalar_one()


def recipient_of(connection: Connection, outbox_id: int) -> str | None:
    return connection.execute(
        sa.select(addresses.c.email).join(outbox, outbox.c.address_id == addresses.c.id).where(outbox.c.id == outbox_id)
    ).scalar()
