"""The review queue on the web (/admin): enabled only when DOESITTRAIN_ADMIN_PASSWORD is set.

Login compares the password in constant time, locks an address out after repeated failures, and keeps the editor
signed in with a signed, HttpOnly, SameSite=Strict cookie (Secure when the site is served over HTTPS). Every form
carries a CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .. import wording
from ..errors import UserError
from ..monitor.diff import word_diff
from ..monitor.review import get_item, list_items, resolve
from ..monitor.topics import spans
from ..store.db import engine_for
from .ratelimit import RateLimit
from .render import render_form_page
from .security import client_address, secret_key, verify_csrf

SESSION_COOKIE = "doesittrain_admin"
SESSION_SECONDS = 8 * 3600
LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


# Five wrong passwords from one address lock it out for 15 minutes, right password or not; counted in the
# database, so every worker process sees the same failures.
login_failures = RateLimit(
    "admin-login", LOCKOUT_FAILURES, dt.timedelta(seconds=LOCKOUT_SECONDS),
    wording.MESSAGES["admin_lockout"],
)


def _settings(request: Request):
    return request.app.state.settings


def _require_enabled(request: Request) -> None:
    if not _settings(request).admin_password:
        raise UserError(wording.HTTP_ERRORS[404], 404)


def _signer(request: Request) -> TimestampSigner:
    return TimestampSigner(secret_key(_settings(request)), salt="admin-session")


def _signed_in(request: Request) -> bool:
    raw = request.cookies.get(SESSION_COOKIE, "")
    try:
        return _signer(request).unsign(raw, max_age=SESSION_SECONDS) == b"editor"
    except (BadSignature, SignatureExpired):
        return False


def _page(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return render_form_page(request, template, context, status)


def _guard(request: Request) -> Response | None:
    _require_enabled(request)
    if not _signed_in(request):
        return RedirectResponse("/admin/login", status_code=303)
    return None


async def login(request: Request) -> Response:
    _require_enabled(request)
    if request.method == "GET":
        return _page(request, "admin/login.html", {"error": None})
    form = await request.form()
    verify_csrf(request, form)
    address = client_address(request)
    await run_in_threadpool(login_failures.check, _settings(request), address)
    password = str(form.get("password", ""))
    if not hmac.compare_digest(password.encode(), _settings(request).admin_password.encode()):
        await run_in_threadpool(login_failures.count, _settings(request), address)
        return _page(request, "admin/login.html", {"error": wording.MESSAGES["wrong_password"]}, status=401)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(SESSION_COOKIE, _signer(request).sign(b"editor").decode(), max_age=SESSION_SECONDS,
                        path="/admin", httponly=True, samesite="strict",
                        secure=_settings(request).site_url.startswith("https://"))
    return response


async def logout(request: Request) -> Response:
    _require_enabled(request)
    verify_csrf(request, await request.form())
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response


async def queue(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    show_all = request.query_params.get("all") == "1"
    items = list_items(engine_for(_settings(request)), include_resolved=show_all)
    return _page(request, "admin/queue.html", {"items": items, "show_all": show_all})


def highlight(text: str) -> list[tuple[str, str | None]]:
    """(piece, topic or None) so a template can mark the words that set each topic."""
    pieces, at = [], 0
    for start, end, topic in spans(text):
        if start < at:
            continue
        pieces += [(text[at:start], None), (text[start:end], topic)]
        at = end
    return pieces + [(text[at:], None)]


async def item(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    view = get_item(engine_for(_settings(request)), request.path_params["item_id"])
    passages = [
        {**p, "old_pieces": [(op, piece) for op, piece in word_diff(p["old"], p["new"]) if op != "added"],
         "new_pieces": [(op, piece) for op, piece in word_diff(p["old"], p["new"]) if op != "removed"],
         "old_marked": highlight(p["old"]), "new_marked": highlight(p["new"])}
        for p in view.passages
    ]
    return _page(request, "admin/item.html", {"view": view, "passages": passages})


async def resolve_item(request: Request) -> Response:
    if (redirect := _guard(request)) is not None:
        return redirect
    form = await request.form()
    verify_csrf(request, form)
    resolve(engine_for(_settings(request)), request.path_params["item_id"], str(form.get("note", "")))
    return RedirectResponse("/admin", status_code=303)


routes = [
    Route("/admin", queue, methods=["GET"]),
    Route("/admin/login", login, methods=["GET", "POST"]),
    Route("/admin/logout", logout, methods=["POST"]),
    Route("/admin/items/{item_id:int}", item, methods=["GET"]),
    Route("/admin/items/{item_id:int}/resolve", resolve_item, methods=["POST"]),
]
