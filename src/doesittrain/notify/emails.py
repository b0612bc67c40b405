"""Subject, plain text and HTML of every email, rendered from templates/email/<kind>/."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import escape

from .. import verdicts, wording
from ..dataset.schema import Field_

if TYPE_CHECKING:  # publish calls notify, never the other way round; the record is only named here
    from ..publish.change import VerdictChange


# Rendered in place of each subscriber's unsubscribe link, so one rendering serves every subscriber of a change
# (letters only: HTML escaping leaves it as it is).
UNSUBSCRIBE_LINK = "UNSUBSCRIBELINKPLACEHOLDER"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str

    def with_unsubscribe_link(self, url: str) -> "RenderedEmail":
        return RenderedEmail(self.subject, self.text.replace(UNSUBSCRIBE_LINK, url),
                             self.html.replace(UNSUBSCRIBE_LINK, str(escape(url))))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("doesittrain", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["wording"] = wording
    return env


def _render(kind: str, context: dict) -> RenderedEmail:
    env = environment()
    subject = env.get_template(f"email/{kind}/subject.txt").render(**context)
    return RenderedEmail(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        text=env.get_template(f"email/{kind}/body.txt").render(**context),
        html=env.get_template(f"email/{kind}/body.html").render(**context),
    )


def tool_url(base_url: str, slug: str) -> str:
    return f"{base_url}/tools/{slug}"


def _described(change: VerdictChange) -> dict:
    field = Field_(change.field)
    return {
        "change": change,
        "field_name": wording.FIELD_NAMES[field],
        "before": verdicts.describe_value(field, change.before),
        "after": verdicts.describe_value(field, change.after),
    }


def _grouped_by_tool(changes: Iterable[VerdictChange], base_url: str) -> list[dict]:
    tools: dict[str, dict] = {}
    for change in changes:
        entry = tools.setdefault(
            change.tool, {"slug": change.tool, "name": change.tool_name, "url": tool_url(base_url, change.tool), "changes": []}
        )
        entry["changes"].append(_described(change))
    return list(tools.values())


def change_email(changes: list[VerdictChange], base_url: str, all_tools: bool,
                 unsubscribe_url: str = UNSUBSCRIBE_LINK) -> RenderedEmail:
    """One email for one publish: the changes of one tool, or of every changed tool for an all-tools subscriber.
    `base_url` is `Settings.base_url`.

    Without `unsubscribe_url` the link is a placeholder, filled per subscriber by `with_unsubscribe_link`."""
    return _render(
        "change",
        {
            "tools": _grouped_by_tool(changes, base_url),
            "change_count": len(changes),
            "all_tools": all_tools,
            "site_url": base_url,
            "changes_url": f"{base_url}/changes",
            "unsubscribe_url": unsubscribe_url,
        },
    )


def confirm_email(tool_name: str | None, confirm_url: str, base_url: str, valid_hours: int) -> RenderedEmail:
    """The double opt-in request; `tool_name` None means every tool."""
    return _render(
        "confirm",
        {"tool_name": tool_name, "confirm_url": confirm_url, "hours": valid_hours, "site_url": base_url},
    )
