"""Subscribe, confirm and unsubscribe: the web side of "Get notified when this changes".

Every answer to a subscribe request is the same page, whatever was stored before, so the form cannot be used to
learn who is subscribed. Unsubscribe works from a browser (GET shows a button) and from a mail client's one-click
POST (RFC 8058), which carries no cookie: the link token alone authorises it.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import wording
from ..dataset.load import load_dataset
from ..errors import UserError
from ..notify import subscriptions
from ..settings import Settings
from .ratelimit import RateLimit
from .render import render, render_form_page
from .security import client_address, verify_csrf

# Confirmation mails one address can be sent per hour.
PER_ADDRESS = RateLimit("subscribe-address", 5, dt.timedelta(hours=1),
                        wording.MESSAGES["too_many_confirmations"])
CHECK_INBOX = wording.check_inbox(subscriptions.CONFIRM_HOURS)


def _per_client(settings: Settings) -> RateLimit:
    return RateLimit("subscribe-client", settings.rate_limit_per_minute, dt.timedelta(minutes=1))


def _known_tools(request: Request) -> dict[str, str]:
    site = getattr(request.app.state, "site", None)
    dataset = site.dataset if site is not None else load_dataset(request.app.state.settings.dataset_dir)
    return {slug: tool.name for slug, tool in sorted(dataset.tools.items(), key=lambda item: item[1].name.casefold())}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def subscribe_form(request: Request) -> Response:
    tools = _known_tools(request)
    chosen = request.query_params.get("tool", "all")
    return render_form_page(request, "subscribe/form.html", {"tools": tools, "chosen": chosen if chosen in tools else "all"})


def _alerts_enabled(request: Request) -> bool:
    return bool(request.app.state.settings.smtp_url)


def _alerts_off(request: Request, tool: object) -> Response:
    """No mail server: nothing is stored and nothing is promised; the reader is led back to the tool."""
    if _wants_json(request):
        return JSONResponse({"error": {"status": 503, "message": wording.ALERTS_NOT_ENABLED}}, status_code=503)
    slug = tool if isinstance(tool, str) and tool in _known_tools(request) else None
    return render(request, "subscribe/check_inbox.html", {
        "message": wording.ALERTS_NOT_ENABLED, "tool_name": _known_tools(request).get(slug), "tool_slug": slug,
        "alerts_off": True,
    }, status=503)


async def subscribe(request: Request) -> Response:
    form = await request.form()
    if not _alerts_enabled(request):  # nothing is stored, so there is nothing to forge
        return _alerts_off(request, form.get("tool"))
    verify_csrf(request, form)
    settings = request.app.state.settings
    # Counted in the database, so every worker process shares the limits; a 429 once one is used up.
    await run_in_threadpool(_per_client(settings).hit, settings, client_address(request))
    email = subscriptions.normalized_email(form.get("email"))
    tools = _known_tools(request)
    tool = form.get("tool")
    await run_in_threadpool(PER_ADDRESS.hit, settings, email)
    await run_in_threadpool(subscriptions.subscribe, settings, email, tool, tools)
    if _wants_json(request):
        return JSONResponse({"status": "confirmation_requested", "message": CHECK_INBOX})
    name = tools.get(tool) if isinstance(tool, str) else None
    slug = tool if name else None
    return render(request, "subscribe/check_inbox.html", {"message": CHECK_INBOX, "tool_name": name, "tool_slug": slug})


async def confirm(request: Request) -> Response:
    settings = request.app.state.settings
    confirmed = await run_in_threadpool(subscriptions.confirm, settings, request.path_params["token"])
    return render(request, "subscribe/confirmed.html", {"tool_name": _tool_name(request, confirmed)})


def _tool_name(request: Request, subscription: subscriptions.Subscription) -> str | None:
    if subscription.all_tools:
        return None
    return _known_tools(request).get(subscription.tool, subscription.tool)


async def unsubscribe_page(request: Request) -> Response:
    settings = request.app.state.settings
    found = await run_in_threadpool(subscriptions.subscription_for_unsubscribe, settings, request.path_params["token"])
    context = {"found": found is not None, "tool_name": _tool_name(request, found) if found else None}
    return render(request, "subscribe/unsubscribe.html", context)


async def unsubscribe(request: Request) -> Response:
    settings = request.app.state.settings
    removed = await run_in_threadpool(subscriptions.unsubscribe, settings, request.path_params["token"])
    if _wants_json(request):
        return JSONResponse({"status": "unsubscribed" if removed else "not_found"})
    context = {"removed": removed is not None, "tool_name": _tool_name(request, removed) if removed else None}
    return render(request, "subscribe/unsubscribed.html", context)


routes = [
    Route("/subscribe", subscribe_form, methods=["GET"]),
    Route("/subscribe", subscribe, methods=["POST"]),
    Route("/confirm/{token}", confirm, methods=["GET"]),
    Route("/unsubscribe/{token}", unsubscribe_page, methods=["GET"]),
    Route("/unsubscribe/{token}", unsubscribe, methods=["POST"]),
]
