"""Jinja2 environment and the one `render` used by every HTML page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import verdicts, wording
from .claims import claim


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("doesittrain", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["verdicts"] = verdicts
    env.globals["wording"] = wording
    env.globals["claim"] = claim
    return env


def render_to_string(template_name: str, context: dict[str, Any]) -> str:
    return environment().get_template(template_name).render(**context)


def base_context(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "request": request,
        "site_url": settings.base_url,
        "csrf_token": _csrf_token(request),
        "static_export": bool(getattr(request.app.state, "static_export", False)),
        "alerts_enabled": bool(settings.smtp_url),
    }


def _csrf_token(request: Request) -> str:
    try:
        from .security import csrf_token
    except ImportError:  # the security module is optional while the site is assembled
        return ""
    return csrf_token(request)


def render(request: Request, template_name: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    full = base_context(request) | (context or {})
    return HTMLResponse(render_to_string(template_name, full), status_code=status)
