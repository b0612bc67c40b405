"""Pictures drawn as SVG on the server: a tool's verdict timeline, the home chart per audience, the badge.

Every picture carries a <title> and an aria-label, and the page shows the same facts as text beside it.
Colours come from classes (site.css) so the CSP needs no inline styles; the badge is standalone and uses fill=.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup, escape

from .. import verdicts, wording
from ..dataset.schema import Audience, Field_, Tool, Training
from .claims import claim as claim_attributes

WIDTH = 640


@dataclass(frozen=True)
class Mark:
    """One change on a timeline row."""

    date: dt.date
    before: str
    after: str
    label: str


@dataclass(frozen=True)
class TimelineRow:
    label: str
    field: str
    marks: list[Mark]


def _tone(field: str, value: str) -> str:
    if field == Field_.training.value:
        try:
            return verdicts.training_tone(Training(value))
        except ValueError:
            return "unknown"
    return "neutral"


def _x(date: dt.date, start: dt.date, end: dt.date, left: int, right: int) -> float:
    span = max((end - start).days, 1)
    return left + (right - left) * (date - start).days / span


# Text sizes in the SVG's own units. The narrow drawing is shown at about its drawn size (site.css caps its width),
# so these stay readable on a 360 px phone; the estimates of text width err on the wide side so labels never touch.
LABEL_SIZE, DATE_SIZE = 13, 13
CHAR_WIDTH = 0.62  # of the font size, for digits and Latin letters in system-ui
NARROW_WIDTH = 340


def _estimated_width(text: str, size: int) -> float:
    return len(text) * size * CHAR_WIDTH


def _wrap(text: str, size: int, width: float) -> list[str]:
    """Split a row label into lines that fit the drawing, at spaces; a label never runs off the edge."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _estimated_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _place_dates(xs: list[float], width: float, left: float, right: float) -> list[tuple[float, str, int]]:
    """(x, anchor, level) per date label: a label that would touch an earlier one drops to the next level down."""
    placed: list[tuple[float, float, int]] = []
    result = []
    for x in xs:
        anchor = "end" if x + width > right else "start"
        x0, x1 = (x - width, x) if anchor == "end" else (x, x + width)
        x0 = max(x0, left)
        level = 0
        while any(level == lv and x0 < b1 + 8 and a0 < x1 + 8 for a0, b1, lv in placed):
            level += 1
        placed.append((x0, x1, level))
        result.append((x, anchor, level))
    return result


def timeline_svg(rows: list[TimelineRow], until: dt.date, title: str, width: int = WIDTH, css: str = "timeline-wide") -> Markup:
    """Rows of coloured segments (one per value held) with a dot and date at each change.

    Row labels wrap to the drawing's width and date labels that would collide are stacked, so no text overlaps
    at any width; the legend and the list of changes in words are HTML beside it (tool.html).
    """
    if not rows:
        return Markup("")
    dates = [m.date for row in rows for m in row.marks]
    start = min(dates) - dt.timedelta(days=30)
    end = max(until, max(dates)) + dt.timedelta(days=15)
    left, right = 4, width - 4
    date_width = _estimated_width("0000-00-00", DATE_SIZE)
    body: list[str] = []
    y = 4
    for row in rows:
        for line in _wrap(row.label, LABEL_SIZE, right - left):
            y += LABEL_SIZE + 3
            body.append(f'<text class="row-label" x="{left}" y="{y}">{escape(line)}</text>')
        marks = sorted(row.marks, key=lambda m: m.date)
        bar_y = y + 8
        edges = [start, *(m.date for m in marks), end]
        values = [marks[0].before, *(m.after for m in marks)]
        for (a, b), value in zip(zip(edges, edges[1:]), values):
            x1, x2 = _x(a, start, end, left, right), _x(b, start, end, left, right)
            body.append(
                f'<rect class="seg tone-{_tone(row.field, value)}" x="{x1:.1f}" y="{bar_y}" '
                f'width="{max(x2 - x1, 1):.1f}" height="10"><title>{escape(verdicts.describe_value(Field_(row.field), value))}</title></rect>'
            )
        xs = [_x(m.date, start, end, left, right) for m in marks]
        levels = 0
        for mark, (x, anchor, level) in zip(marks, _place_dates(xs, date_width, left, right)):
            body.append(f'<circle class="dot" cx="{x:.1f}" cy="{bar_y + 5}" r="6"><title>{escape(mark.label)}</title></circle>')
            body.append(f'<text class="date" x="{x:.1f}" y="{bar_y + 30 + level * (DATE_SIZE + 4)}" '
                        f'text-anchor="{anchor}">{mark.date.isoformat()}</text>')
            levels = max(levels, level + 1)
        y = bar_y + 30 + (levels - 1) * (DATE_SIZE + 4) + 12
    y += DATE_SIZE + 2
    body.append(f'<text class="axis" x="{left}" y="{y}">{start.year}</text>')
    body.append(f'<text class="axis" x="{right}" y="{y}" text-anchor="end">{until.isoformat()}</text>')
    return _chart(f"timeline {css}", width, y + 6, title, body)


def timeline_tones(rows: list[TimelineRow]) -> list[str]:
    """The colours a timeline uses, in legend order, so the legend names only what is drawn."""
    used = {_tone(row.field, value) for row in rows for m in row.marks for value in (m.before, m.after)}
    return [tone for tone in ("bad", "good", "unknown", "neutral") if tone in used]


# ---------------------------------------------------------------- home chart

CHART_AUDIENCES = ("consumer", "business", "developer-api")


def audience_counts(tools: list[Tool]) -> dict[str, Counter]:
    counts = {audience: Counter() for audience in CHART_AUDIENCES}
    for tool in tools:
        for audience in CHART_AUDIENCES:
            tone = verdicts.audience_tone(tool, audience)
            if tone is not None:
                counts[audience][tone] += 1
    return counts


def audience_chart_svg(counts: dict[str, Counter], title: str) -> Markup:
    """One stacked bar per audience: trains by default / does not / not documented, with counts written in.

    Drawn narrow (labels above their bars, the legend stacked) so it is shown near its drawn size on every screen
    and its text never drops under 11 px; site.css caps its width on wide screens.
    """
    width, bar_height, order = NARROW_WIDTH, 22, ("bad", "good", "unknown")
    widest = max((sum(c.values()) for c in counts.values()), default=1) or 1
    scale = (width - 8) / widest
    parts: list[str] = []
    y = 0
    for audience, counter in counts.items():
        y += LABEL_SIZE + 4
        parts.append(f'<text class="row-label" x="0" y="{y}">{escape(wording.chart_row_label(audience))}</text>')
        y += 6
        x = 0.0
        for tone in order:
            n = counter.get(tone, 0)
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect class="seg tone-{tone}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}">'
                f'<title>{n} × {escape(wording.CHART_LEGEND[tone])}</title></rect>'
            )
            if w >= 22:
                parts.append(f'<text class="count tone-{tone}" x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle">{n}</text>')
            x += w
        y += bar_height + 10
    for tone in order:
        y += LABEL_SIZE + 6
        parts.append(f'<rect class="seg tone-{tone}" x="0" y="{y - 11}" width="12" height="12"/>')
        parts.append(f'<text class="legend" x="18" y="{y}">{escape(wording.CHART_LEGEND[tone])}</text>')
    return _chart("audiences", width, y + 6, title, parts)


def _chart(css: str, width: int, height: float, title: str, parts: list[str]) -> Markup:
    """An inline chart: an accessible image whose title screen readers and hover tooltips both read."""
    head = (
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(parts) + "</svg>")


# ---------------------------------------------------------------- badge

BADGE_FILLS = {"bad": "#b3261e", "warn": "#8a5300", "good": "#1b6e3a", "unknown": "#555555"}


def _text_width(text: str) -> int:
    # Verdana 11px averages about 6.6 px per character; a little slack keeps text inside its box.
    return int(len(text) * 6.6) + 12


def badge_svg(tool: Tool, link: str) -> str:
    """A shields-style badge 'does it train? | <verdict> (<tier>)' that links back to the tool's page."""
    left, right = wording.BADGE_LEFT, verdicts.badge_text(tool)
    tone = verdicts.badges(tool)[0].tone
    claim = claim_attributes(tool, tool.primary_plan, "training")
    lw, rw = _text_width(left), _text_width(right)
    total = lw + rw
    label = f"{tool.name}: {right}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{total}" height="20" '
        f'role="img" aria-label="{escape(label)}"{claim}><title>{escape(label)}</title>'
        f'<a xlink:href="{escape(link)}" href="{escape(link)}" target="_top">'
        f'<rect width="{lw}" height="20" fill="#333333"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{BADGE_FILLS.get(tone, "#555555")}"/>'
        f'<g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{lw / 2:.1f}" y="14">{escape(left)}</text>'
        f'<text x="{lw + rw / 2:.1f}" y="14">{escape(right)}</text></g></a></svg>'
    )


def audience_of(plan_audience: Audience) -> str:
    return plan_audience.value
