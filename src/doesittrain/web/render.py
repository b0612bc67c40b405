"""Jinja2 environment and the one `render` used by every HTML page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import verdicts, wording
from .claims import claim
from .security import csrf_token, set_csrf_cookie


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("doesittrain", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code, so they never change under a running process; checking each file's time
        # on every render cost a tenth of a build.
        auto_reload=False,
    )
    env.globals["verdicts"] = verdicts
    env.globals["wording"] = wording
    env.globals["claim"] = claim
    return env


def render_to_string(template_name: str, context: dict[str, Any]) -> str:
    return environment().get_template(template_name).render(**context)


def site_context(app) -> dict[str, Any]:
    """What every template may use; the same for every reader, so pages rendered with it can be cached."""
    settings = app.state.settings
    static = bool(getattr(app.state, "static_export", False))
    site = settings.base_url
    return {
        "site_url": site,
        "csrf_token": "",
        "static_export": static,
        # Forms that need the server (search, check, compare, subscribe) point at it from a static export.
        "form_base": site if static else "",
        "alerts_enabled": bool(settings.smtp_url),
    }


def render(request: Request, template_name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """A page rendered for this request alone (errors, subscription answers); cached pages use pages.html."""
    full = site_context(request.app) | (context or {})
    return HTMLResponse(render_to_string(template_name, full), status_code=status)


def render_form_page(request: Request, template_name: str, context: dict[str, Any] | None = None,
                     status: int = 200) -> HTMLResponse:
    """A page whose form carries this browser's token (the fallback for browsers that send no Origin), and its cookie.

    The body differs per browser, so no cache may keep it.
    """
    response = render(request, template_name, {"csrf_token": csrf_token(request)} | (context or {}), status)
    response.headers["cache-control"] = "no-store"
    set_csrf_cookie(request, response)
    return response
