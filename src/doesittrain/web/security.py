"""Security headers, CSRF protection for forms and the rate-limit refusal, shared by every part of the site.

CSRF follows OWASP's recommended order. A browser says where a form came from: `Sec-Fetch-Site` (Fetch Metadata)
when it sends it, else `Origin`; a POST from another site is refused on those alone, so pages need no per-reader
token and a cached page is the same bytes for everyone. Only a request carrying neither header (an old browser,
a script) falls back to a double submit: a random value in a signed cookie and, signed differently, in the form's
hidden `csrf_token` field, both issued by the pages rendered per request (/subscribe, /admin).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Mapping
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from .. import wording
from ..errors import UserError
from ..notify.tokens import installation_secret
from ..settings import Settings

CSRF_COOKIE = "doesittrain_csrf"
CSRF_FIELD = "csrf_token"
CSRF_COOKIE_SECONDS = 60 * 60 * 24 * 30
_STATE_KEY = "csrf_value"
_NEW_COOKIE_KEY = "csrf_new_cookie"
# Sec-Fetch-Site values of a request the site itself started: a page of the same origin, or the reader directly.
_OWN_FETCH_SITES = {"same-origin", "none"}

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self' {site}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "interest-cohort=()",
}


def security_headers(base_url: str) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries, as raw ASGI pairs (built once per app)."""
    return [(name.encode(), value.format(site=base_url).encode()) for name, value in SECURITY_HEADERS.items()]


def secret_key(settings: Settings) -> str:
    """The installation's signing key (the setting, or a random one kept in the database)."""
    return installation_secret(settings)


# ---------------------------------------------------------------- where a form came from


class CrossSiteRefused(UserError):
    def __init__(self):
        super().__init__(wording.MESSAGES["cross_site_form"], 403)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request) -> set[str]:
    """The origins a form of this site is posted from: the configured site address and the address asked for."""
    return {origin_of(request.app.state.settings.site_url), origin_of(str(request.base_url))}


def sent_by_this_site(request: Request) -> bool | None:
    """True or False when the browser said where the request came from; None when it sent neither header."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site.lower() in _OWN_FETCH_SITES
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower() in own_origins(request)
    return None


# ---------------------------------------------------------------- the token fallback


class FormTokens:
    """The double-submit pair for one signing key: the cookie's value and the form field's token."""

    def __init__(self, key: str, secure: bool):
        self.cookie = URLSafeSerializer(key, salt="csrf-cookie")
        self.form = URLSafeSerializer(key, salt="csrf-form")
        self.secure = secure

    def value_of(self, signed: str | None, serializer: URLSafeSerializer) -> str | None:
        if not signed:
            return None
        try:
            value = serializer.loads(signed)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None


def form_tokens(request: Request) -> FormTokens:
    state = request.app.state
    tokens = getattr(state, "form_tokens", None)
    if tokens is None:
        settings: Settings = state.settings
        tokens = state.form_tokens = FormTokens(secret_key(settings), settings.site_url.startswith("https://"))
    return tokens


def csrf_token(request: Request) -> str:
    """The hidden-field token for this request's browser; creates the cookie value when there is none yet."""
    tokens = form_tokens(request)
    value = getattr(request.state, _STATE_KEY, None)
    if value is None:
        value = tokens.value_of(request.cookies.get(CSRF_COOKIE), tokens.cookie)
        if value is None:
            value = secrets.token_urlsafe(32)
            setattr(request.state, _NEW_COOKIE_KEY, value)
        setattr(request.state, _STATE_KEY, value)
    return tokens.form.dumps(value)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Put the cookie on a response when `csrf_token` created a new value for this request."""
    value = getattr(request.state, _NEW_COOKIE_KEY, None)
    if value is None:
        return
    tokens = form_tokens(request)
    response.set_cookie(CSRF_COOKIE, tokens.cookie.dumps(value), max_age=CSRF_COOKIE_SECONDS, path="/",
                        httponly=True, samesite="lax", secure=tokens.secure)


def verify_token(request: Request, form: Mapping[str, object]) -> None:
    """The double submit: the form's token must carry the value of the browser's signed cookie."""
    tokens = form_tokens(request)
    cookie_value = tokens.value_of(request.cookies.get(CSRF_COOKIE), tokens.cookie)
    if cookie_value is None:
        raise UserError(wording.MESSAGES["form_unverified"], 403)
    submitted = form.get(CSRF_FIELD)
    if not isinstance(submitted, str) or not submitted:
        raise UserError(wording.MESSAGES["form_token_missing"], 403)
    form_value = tokens.value_of(submitted, tokens.form)
    if form_value is None or not hmac.compare_digest(form_value, cookie_value):
        raise UserError(wording.MESSAGES["form_token_stale"], 403)


def verify_csrf(request: Request, form: Mapping[str, object]) -> None:
    """Accept a form POST from this site: by Fetch Metadata or Origin, else (neither sent) by its token."""
    by_headers = sent_by_this_site(request)
    if by_headers is False:
        raise CrossSiteRefused()
    if by_headers is None:
        verify_token(request, form)


class RateLimited(UserError):
    """Too many requests for one key; `retry_after` (seconds) goes into the response's Retry-After header."""

    def __init__(self, retry_after: int, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            message or wording.too_many_requests(self.retry_after),
            429,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def client_address(request: Request) -> str:
    """The client's address: the peer's, or X-Forwarded-For's when the peer is the local proxy (see web/app.py)."""
    return request.client.host if request.client else "unknown"
