"""CSRF protection for forms and the rate-limit refusal, shared by every part of the site that accepts input.

CSRF is a double submit: a random value travels in a signed cookie and, signed differently, in the form's hidden
`csrf_token` field; a POST is accepted only when both carry the same value. Pages call `csrf_token(request)` while
rendering; `CSRFCookieMiddleware` (or `set_csrf_cookie`) then sets the cookie on the response.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Mapping

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..errors import UserError
from ..notify.tokens import installation_secret
from ..settings import Settings

CSRF_COOKIE = "doesittrain_csrf"
CSRF_FIELD = "csrf_token"
_STATE_KEY = "csrf_value"
_NEW_COOKIE_KEY = "csrf_new_cookie"


def secret_key(settings: Settings) -> str:
    """The installation's signing key (the setting, or a random one kept in the database)."""
    return installation_secret(settings)


def _settings_of(request: Request) -> Settings:
    return request.app.state.settings


def _serializers(request: Request) -> tuple[URLSafeSerializer, URLSafeSerializer]:
    key = secret_key(_settings_of(request))
    return URLSafeSerializer(key, salt="csrf-cookie"), URLSafeSerializer(key, salt="csrf-form")


def _cookie_value(request: Request) -> str | None:
    """The random value of this browser's CSRF cookie, or None when it is missing or forged."""
    raw = request.cookies.get(CSRF_COOKIE)
    if not raw:
        return None
    cookie_serializer, _ = _serializers(request)
    try:
        value = cookie_serializer.loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def csrf_token(request: Request) -> str:
    """The hidden-field token for this request's browser; creates the cookie value when there is none yet."""
    value = getattr(request.state, _STATE_KEY, None)
    if value is None:
        value = _cookie_value(request)
        if value is None:
            value = secrets.token_urlsafe(32)
            setattr(request.state, _NEW_COOKIE_KEY, value)
        setattr(request.state, _STATE_KEY, value)
    _, form_serializer = _serializers(request)
    return form_serializer.dumps(value)


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Put the cookie on a response when `csrf_token` created a new value for this request."""
    value = getattr(request.state, _NEW_COOKIE_KEY, None)
    if value is None:
        return
    cookie_serializer, _ = _serializers(request)
    response.set_cookie(
        CSRF_COOKIE,
        cookie_serializer.dumps(value),
        max_age=60 * 60 * 24 * 30,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_settings_of(request).site_url.startswith("https://"),
    )


def verify_csrf(request: Request, form: Mapping[str, object]) -> None:
    """Accept a form POST only when its token matches the browser's cookie; else a 403 that says what to do."""
    cookie_value = _cookie_value(request)
    if cookie_value is None:
        raise UserError(
            "This form could not be verified because its security cookie is missing. "
            "Allow cookies for this site, reload the page and send the form again.",
            403,
        )
    submitted = form.get(CSRF_FIELD)
    if not isinstance(submitted, str) or not submitted:
        raise UserError("This form is missing its security token. Reload the page and send the form again.", 403)
    _, form_serializer = _serializers(request)
    try:
        form_value = form_serializer.loads(submitted)
    except BadSignature:
        form_value = None
    if not isinstance(form_value, str) or not hmac.compare_digest(form_value, cookie_value):
        raise UserError("This form's security token is out of date. Reload the page and send the form again.", 403)


class CSRFCookieMiddleware:
    """Sets the CSRF cookie on any response whose page asked for a token (pure ASGI, so streaming is untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the page's Request, which records a new cookie value here
        request = Request(scope)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                probe = Response()
                set_csrf_cookie(request, probe)
                cookies = [(k, v) for k, v in probe.raw_headers if k == b"set-cookie"]
                if cookies:
                    message["headers"] = list(message.get("headers", [])) + cookies
            await send(message)

        await self.app(scope, receive, send_with_cookie)


class RateLimited(UserError):
    """Too many requests for one key; `retry_after` (seconds) goes into the response's Retry-After header."""

    def __init__(self, retry_after: int, message: str | None = None):
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            message or f"Too many requests. Please wait {self.retry_after} seconds and try again.",
            429,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def client_address(request: Request) -> str:
    """The client's address as the server sees it (a proxy in front should pass the real one through uvicorn)."""
    return request.client.host if request.client else "unknown"
