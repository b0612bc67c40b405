"""Secrets for links and cookies: the installation's signing key, single-use random tokens, HMAC link tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

import sqlalchemy as sa

from ..settings import Settings

_SECRET_META_KEY = "secret_key"
_secret_cache: dict[str, str] = {}
_secret_lock = threading.Lock()


def installation_secret(settings: Settings) -> str:
    """The key that signs cookies and links: the setting, else a random key generated once and kept in `meta`."""
    if settings.secret_key:
        return settings.secret_key
    url = settings.database_url
    with _secret_lock:
        if url not in _secret_cache:
            _secret_cache[url] = _stored_secret(settings)
        return _secret_cache[url]


def _stored_secret(settings: Settings) -> str:
    from ..store.db import engine_for
    from ..store.tables import meta

    def read(connection) -> str | None:
        return connection.execute(sa.select(meta.c.value).where(meta.c.key == _SECRET_META_KEY)).scalar()

    engine = engine_for(settings)
    with engine.begin() as connection:
        found = read(connection)
        if found:
            return found
        try:
            with connection.begin_nested():
                connection.execute(meta.insert().values(key=_SECRET_META_KEY, value=secrets.token_urlsafe(48)))
        except sa.exc.IntegrityError:  # another process generated it first: use theirs
            pass
        return read(connection)


def random_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored instead of a token: its SHA-256, so a database leak gives no working links."""
    return hashlib.sha256(token.encode()).hexdigest()


def _mac(key: str, purpose: str, subject_id: int, nonce: str) -> str:
    digest = hmac.new(key.encode(), f"{purpose}:{subject_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_token(key: str, purpose: str, subject_id: int, nonce: str) -> str:
    """A token naming one row, e.g. '42.Xy…': recomputed, never stored, and dead once the row's nonce is gone."""
    return f"{subject_id}.{_mac(key, purpose, subject_id, nonce)}"


def parse_link_token(token: str) -> tuple[int, str] | None:
    """(row id, mac) of a link token, or None when it is not shaped like one."""
    head, _, mac = token.partition(".")
    if not head.isdigit() or len(head) > 18 or not mac:
        return None
    return int(head), mac


def link_token_matches(key: str, purpose: str, subject_id: int, nonce: str, mac: str) -> bool:
    return hmac.compare_digest(_mac(key, purpose, subject_id, nonce), mac)
