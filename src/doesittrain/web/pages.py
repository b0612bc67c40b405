"""HTML pages: home (search, filters, table, chart), tool, compare, check, changes, methodology, badge, feeds.

Each page is a pure function of the dataset and the published changes, so it is rendered once per content
version and served from the render cache (web/cache.py) until either changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import verdicts, wording
from ..dataset.load import Dataset
from ..dataset.schema import Audience, Field_, Plan, Tool
from ..monitor.status import RecheckStatus
from ..publish.change import VerdictChange
from . import charts, feeds
from .cache import CachedAnswer, Rendered, cache_key, cache_of, prepare
from .recheck import recheck_source, source_line, under_review
from .render import render_to_string, site_context
from .search import FILTER_FIELDS, FILTERS, SearchIndex, apply_filters, matches

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAX_COMPARED = 4
PICKER_LIMIT = 300


# ---------------------------------------------------------------- content and caching


@dataclass(frozen=True)
class Content:
    dataset: Dataset
    published: list[VerdictChange]
    version: str
    recheck: RecheckStatus = RecheckStatus()

    @property
    def tools(self) -> dict[str, Tool]:
        return self.dataset.tools

    def changes(self, slug: str | None = None) -> list[VerdictChange]:
        return feeds.all_changes(self.dataset, self.published, slug)


def content_of(app) -> Content:
    pinned = getattr(app.state, "content", None)
    if pinned is not None:  # a build renders one fixed content
        return pinned
    dataset = app.state.site.dataset
    published = feeds.published_source(app).get()
    recheck = recheck_source(app).get()
    # Each source hands back the same object until it re-reads, so the last Content is reused while all three are
    # the same: every cached answer asks for the version, and building it was half of such an answer's Python work.
    last = getattr(app.state, "last_content", None)
    if last is not None and last.dataset is dataset and last.published is published and last.recheck is recheck:
        return last
    content = Content(dataset, published, f"{dataset.version}/{feeds.changes_version(published)}/{recheck.version}", recheck)
    app.state.last_content = content
    return content


def content_version(app) -> str:
    """The render cache's version: the fast path and the page functions both read it here."""
    return content_of(app).version


def search_index(request: Request, content: Content) -> SearchIndex:
    state = request.app.state
    cached = getattr(state, "search_index", None)
    if cached is None or cached[0] != content.dataset.version:
        cached = state.search_index = (content.dataset.version, SearchIndex(content.tools))
    return cached[1]


def is_static_export(request: Request) -> bool:
    return bool(getattr(request.app.state, "static_export", False))


def cached(request: Request, make) -> CachedAnswer:
    """The answer for this URL from the render cache, rendering it with `make(content)` on a miss.

    A static export renders each URL once, so it skips the cache.
    """
    content = content_of(request.app)
    headers = request.app.state.security_headers
    if is_static_export(request):
        return CachedAnswer(prepare(make(content), headers))
    prepared = cache_of(request.app).get_or_make(content.version, cache_key(request.scope),
                                                 lambda: prepare(make(content), headers))
    return CachedAnswer(prepared)


def page_context(request: Request, path: str | None = None) -> dict:
    return site_context(request.app) | {
        "canonical": request.app.state.settings.base_url + (path if path is not None else request.url.path),
    }


def html(request: Request, template: str, context: dict, status: int = 200) -> Rendered:
    text = render_to_string(template, page_context(request) | context)
    return Rendered(text.encode(), "text/html; charset=utf-8", status=status)


def json_ld(data: dict | list) -> Markup:
    """JSON for a <script type="application/ld+json">: `<`, `>` and `&` escaped so no text can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# ---------------------------------------------------------------- tool page


def evidence_view(tool: Tool, evidence) -> dict:
    source = tool.source(evidence.source)
    return {
        "id": evidence.id,
        "field": wording.FIELD_NAMES[evidence.field],
        "quote": evidence.quote,
        "supports": evidence.supports,
        "source_title": source.title,
        "source_url": str(source.url),
        "source_anchor": f"source-{source.id}",
    }


def tier_view(tool: Tool, plan: Plan, recheck: RecheckStatus = RecheckStatus()) -> dict:
    """What a tier row says about one plan as it applies somewhere (its own terms, or a region variant)."""
    quotes = [e for e in tool.evidence if plan.id in e.plans and (
        set(e.regions) & set(plan.variant.regions) if plan.variant else not e.regions)]
    where = verdicts.where_phrase(plan) or None
    return {
        "plan": plan,
        "name": verdicts.plan_display_name(plan),
        "where": wording.in_regions(where) if where else None,
        "quotes_summary": wording.quotes_summary(where),
        "under_review": under_review(tool, plan, recheck),
        "note": wording.as_sentence(plan.variant.note) if plan.variant and plan.variant.note else None,
        "audience": wording.audience_label(plan.audience),
        "label": verdicts.plan_label(plan),
        "tone": verdicts.training_tone(plan.training),
        "sentence": verdicts.tier_sentence(tool, plan),
        "opt_out": verdicts.describe_value(Field_.opt_out, plan.opt_out.mechanism.value),
        "zdr": verdicts.describe_value(Field_.zero_data_retention, plan.zero_data_retention.value),
        "dpa": verdicts.describe_value(Field_.dpa, plan.dpa.value),
        "retention": wording.as_sentence(verdicts.retention_text(plan)),
        "human_review": wording.as_sentence(verdicts.human_review_text(plan)),
        "notes": wording.as_sentence(plan.notes) if plan.notes and plan.variant is None else None,
        "evidence": [evidence_view(tool, e) for e in quotes],
    }


def plan_rows(tool: Tool, recheck: RecheckStatus) -> list[dict]:
    """One row per tier; region variants sit inside their tier's row, each with its own quotes."""
    return [tier_view(tool, plan, recheck) | {"variants": [tier_view(tool, v, recheck) for v in plan.views()[1:]]}
            for plan in tool.plans]


def myth_views(tool: Tool) -> list[dict]:
    ids = {e.id: e for e in tool.evidence}
    return [
        {
            "number": index,
            "myth": myth,
            "rating": wording.myth_rating_label(myth.rating),
            "evidence": [evidence_view(tool, ids[e]) for e in myth.evidence if e in ids],
        }
        for index, myth in enumerate(tool.myths, start=1)
    ]


def source_views(tool: Tool, recheck: RecheckStatus) -> list[dict]:
    return [
        {
            "source": source,
            "kind": wording.source_kind_label(source.kind),
            "anchor": f"source-{source.id}",
            "evidence": [evidence_view(tool, e) for e in tool.evidence if e.source == source.id],
            "recheck": source_line(tool, source.id, str(source.url), recheck),
        }
        for source in tool.sources
    ]


def timeline_rows(tool: Tool, changes: list[VerdictChange]) -> list[charts.TimelineRow]:
    rows: dict[tuple[str, str], list[charts.Mark]] = {}
    names: dict[tuple[str, str], str] = {}
    for change in sorted(changes, key=lambda c: c.date):
        key = (change.plan, change.field)
        names[key] = f"{change.plan_name}: {wording.FIELD_NAMES[Field_(change.field)]}"
        rows.setdefault(key, []).append(charts.Mark(change.date, change.before, change.after, change.sentence))
    return [charts.TimelineRow(names[k], k[1], marks) for k, marks in rows.items()]


def timeline_by_plan(tool: Tool, changes: list[VerdictChange]) -> list[dict]:
    order = {p.id: i for i, p in enumerate(tool.plans)}
    groups: dict[str, dict] = {}
    for change in changes:
        group = groups.setdefault(change.plan, {"name": change.plan_name, "changes": []})
        group["changes"].append(change)
    return [groups[k] for k in sorted(groups, key=lambda k: order.get(k, len(order)))]


# The page answers each FAQ question in its own section, in verdicts.faq's order; the FAQ links there instead of
# repeating the answer (its JSON-LD keeps the full answers for search engines).
FAQ_ANCHORS = ("#answer", "#opt-out", "#zdr-dpa", "#tiers")


def faq_links(faq: list[verdicts.Answer]) -> list[str]:
    """The section answering each FAQ question; a question beyond the known ones points at the tier table."""
    return [FAQ_ANCHORS[min(i, len(FAQ_ANCHORS) - 1)] for i in range(len(faq))]


def timeline_legend(rows: list[charts.TimelineRow]) -> list[dict]:
    labels = wording.CHART_LEGEND | {"neutral": wording.TIMELINE_OTHER_SETTING}
    return [{"tone": tone, "label": labels[tone]} for tone in charts.timeline_tones(rows)]


def tool_json_ld(tool: Tool, url: str, faq: list[verdicts.Answer]) -> list[Markup]:
    blocks = [{
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": a.question, "acceptedAnswer": {"@type": "Answer", "text": a.text}} for a in faq
        ],
    }]
    for view in myth_views(tool):
        myth = view["myth"]
        appearance = {"@type": "CreativeWork", "name": myth.appeared.outlet}
        if myth.appeared.url:
            appearance["url"] = str(myth.appeared.url)
        if myth.appeared.date:
            appearance["datePublished"] = myth.appeared.date.isoformat()
        blocks.append({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{url}#myth-{view['number']}",
            "claimReviewed": myth.claim,
            "datePublished": tool.last_verified.isoformat(),
            "author": {"@type": "Organization", "name": "doesittrain"},
            "reviewRating": {"@type": "Rating", "alternateName": view["rating"]},
            "itemReviewed": {"@type": "Claim", "appearance": appearance},
            "reviewBody": myth.correction,
        })
    return [json_ld(b) for b in blocks]


def other_tools(content: Content, tool: Tool, limit: int = 6) -> list[Tool]:
    """Tools of the same category first, then the rest, by name; walks the sorted list once, stops when full."""
    same: list[Tool] = []
    rest: list[Tool] = []
    for other in content.dataset.tools_by_name:
        if other.slug == tool.slug:
            continue
        if other.category == tool.category:
            same.append(other)
            if len(same) == limit:
                break
        elif len(rest) < limit:
            rest.append(other)
    return (same + rest)[:limit]


def tool_page_context(request: Request, content: Content, tool: Tool) -> dict:
    site = request.app.state.settings.base_url
    url = f"{site}/tools/{tool.slug}"
    changes = content.changes(tool.slug)
    faq = verdicts.faq(tool)
    rows = timeline_rows(tool, changes)
    return {
        "tool": tool,
        "page_url": url,
        "badges": verdicts.badge_set(tool),
        "question": wording.question(tool),
        "headline": verdicts.headline(tool),
        "opt_out": verdicts.opt_out_answers(tool),
        "zdr_dpa": verdicts.zdr_dpa_answers(tool),
        "myths": myth_views(tool),
        "plans": plan_rows(tool, content.recheck),
        "confidence_note": verdicts.confidence_note(tool),
        "confirm_note": verdicts.confirm_note(tool),
        "faq": faq,
        "sources": source_views(tool, content.recheck),
        "disclaimer": verdicts.disclaimer(tool),
        "changes": changes,
        "timeline": timeline_by_plan(tool, changes),
        "timeline_svg": charts.timeline_svg(rows, tool.last_verified, wording.timeline_title(tool.name)),
        "timeline_svg_narrow": charts.timeline_svg(rows, tool.last_verified, wording.timeline_title(tool.name),
                                                   charts.NARROW_WIDTH, "timeline-narrow"),
        "timeline_legend": timeline_legend(rows),
        "faq_links": faq_links(faq),
        "no_changes": verdicts.no_changes_text(tool),
        "others": other_tools(content, tool),
        "json_ld": tool_json_ld(tool, url, faq),
        "badge_snippet": f'<a href="{url}"><img src="{url}/badge.svg" alt="{tool.name}: {verdicts.badge_text(tool)}"></a>',
    }


def not_found(request: Request, content: Content, wanted: str) -> Rendered:
    matches = search_index(request, content).search(wanted, limit=5)
    return html(request, "error.html", {
        "status": 404,
        "message": wording.not_covered(wanted),
        "suggestions": [m.tool for m in matches],
        "query": wanted,
    }, status=404)


async def tool_page(request: Request) -> Response:
    slug = request.path_params["slug"]

    def make(content: Content) -> Rendered:
        tool = content.tools.get(slug)
        if tool is None:
            # /tools/Claude, /tools/openai, /tools/instagram: the one tool with that name, product or vendor.
            known = search_index(request, content).exact(slug)
            if known is not None:
                return Rendered(b"", "text/plain", {"location": f"/tools/{known.slug}"}, status=308)
            return not_found(request, content, slug.replace("-", " "))
        return html(request, "tool.html", tool_page_context(request, content, tool))

    return cached(request, make)


async def tool_badge(request: Request) -> Response:
    slug = request.path_params["slug"]

    def make(content: Content) -> Rendered:
        tool = feeds.require_tool(content.dataset, slug)
        link = f"{request.app.state.settings.base_url}/tools/{tool.slug}"
        return Rendered(charts.badge_svg(tool, link).encode(), "image/svg+xml", {"cache-control": "public, max-age=3600"})

    return cached(request, make)


async def tool_feed(request: Request) -> Response:
    slug = request.path_params["slug"]

    def make(content: Content) -> Rendered:
        tool = feeds.require_tool(content.dataset, slug)
        body = feeds.atom_feed(request, content.changes(slug), wording.tool_feed_title(tool.name),
                               f"/tools/{slug}.atom", f"/tools/{slug}")
        return Rendered(body, "application/atom+xml; charset=utf-8")

    return cached(request, make)


# ---------------------------------------------------------------- home


def matched_claims(tool: Tool, flags: set[str]) -> list[dict]:
    """For each chosen filter, the tiers that made the tool match, with the label of the field the filter is about."""
    found = []
    for flag, plans in matches(tool, flags).items():
        field = FILTER_FIELDS[flag]
        for plan in plans:
            found.append({"plan": plan, "field": field, "name": verdicts.plan_display_name(plan),
                          "badge": verdicts.badge(plan, field)})
    return found


def home_rows(tools: list[Tool], flags: set[str] = frozenset()) -> list[dict]:
    return [
        {"tool": t, "badges": verdicts.badge_set(t), "summary": verdicts.summary(t),
         "matched": matched_claims(t, flags)}
        for t in tools
    ]


def dataset_json_ld(site: str, content: Content) -> Markup:
    return json_ld({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": wording.DATASET_NAME,
        "description": wording.DATASET_DESCRIPTION,
        "url": site + "/",
        "license": wording.LICENCE["data_url"],
        "version": content.dataset.version,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": site + "/data/tools.json"},
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": site + "/data/tools.csv"},
        ],
    })


async def home(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:100]
    category = request.query_params.get("category", "").strip()
    flags = {f for f in FILTERS if request.query_params.get(f)}

    def make(content: Content) -> Rendered:
        tools = sorted(content.tools.values(), key=lambda t: t.name.lower())
        categories = sorted({t.category for t in tools})
        matches = search_index(request, content).search(query) if query else []
        shown = apply_filters(tools, category if category in categories else None, flags)
        site = request.app.state.settings.base_url
        counts = charts.audience_counts(tools)
        return html(request, "home.html", {
            "query": query,
            "matches": [{"tool": m.tool, "badges": verdicts.badge_set(m.tool), "summary": verdicts.summary(m.tool)} for m in matches],
            "not_covered": wording.not_covered(query) if query and not matches else None,
            "category": category,
            "categories": categories,
            "filters": FILTERS,
            "flags": flags,
            "rows": home_rows(shown, flags),
            "total": len(tools),
            "chart": charts.audience_chart_svg(counts, wording.CHART_TITLE),
            "chart_counts": counts,
            "legend": wording.CHART_LEGEND,
            "json_ld": [dataset_json_ld(site, content)],
            # The browser ranks as the server does, from the same keys (static/search.js).
            "search_index": json_ld(search_index(request, content).document()),
            "canonical": site + "/",
        })

    return cached(request, make)


# ---------------------------------------------------------------- compare


def requested_slugs(request: Request) -> list[str]:
    slugs: list[str] = []
    for value in request.query_params.getlist("tools"):
        for part in value.split(","):
            part = part.strip().lower()
            if part and part not in slugs:
                slugs.append(part)
    return slugs[:MAX_COMPARED]


AUDIENCE_ROWS = [
    ("consumer", {Audience.consumer}),
    ("business", {Audience.business, Audience.enterprise}),
    ("developer-api", {Audience.developer_api}),
]


def compare_rows(tools: list[Tool]) -> list[dict]:
    rows = []
    for audience, members in AUDIENCE_ROWS:
        cells = []
        for tool in tools:
            views = [v for p in tool.plans if p.audience in members for v in p.views()]
            cells.append([tier_view(tool, v) | {"tool": tool} for v in views])
        if any(cells):
            rows.append({"audience": wording.audience_label(audience), "cells": cells})
    return rows


def resolve_tool(request: Request, content: Content, wanted: str) -> Tool | None:
    """A slug, or a name close enough to one tool ("chat gpt"), as typed into a form."""
    if wanted in content.tools:
        return content.tools[wanted]
    matches = search_index(request, content).search(wanted, limit=1)
    return matches[0].tool if matches and matches[0].score >= 90 else None


def pickable_tools(content: Content) -> list[Tool]:
    """Tools for a <select>; past PICKER_LIMIT a text box is friendlier (and pages stay small)."""
    if len(content.tools) > PICKER_LIMIT:
        return []
    return sorted(content.tools.values(), key=lambda t: t.name.lower())


async def compare(request: Request) -> Response:
    slugs = requested_slugs(request)

    def make(content: Content) -> Rendered:
        found = [(s, resolve_tool(request, content, s)) for s in slugs]
        tools = list({t.slug: t for _, t in found if t is not None}.values())
        missing = [s for s, t in found if t is None]
        return html(request, "compare.html", {
            "tools": tools,
            "missing": [wording.not_covered(s) for s in missing],
            "rows": compare_rows(tools),
            "all_tools": pickable_tools(content),
            "slots": [t.slug for t in tools] + [""] * (min(MAX_COMPARED, max(2, len(tools) + 1)) - len(tools)),
            "max_compared": MAX_COMPARED,
            "canonical": request.app.state.settings.base_url + "/compare",
        })

    return cached(request, make)


# ---------------------------------------------------------------- my situation


def situation_view(tool: Tool, plan_name: str, region: str, state: str) -> dict | None:
    plan = verdicts.plan_for(tool, plan_name, region or None)
    if plan is None:
        return None
    answer = verdicts.situation(tool, plan, state)
    return {
        "sentence": answer.sentence,
        "confidence": answer.confidence,
        "confidence_meaning": wording.CONFIDENCE_MEANINGS[answer.confidence],
        "region_note": verdicts.region_answer_note(tool, plan, region or None),
        "caveats": answer.caveats,
        "evidence": [evidence_view(tool, e) for e in {e.id: e for e in answer.evidence}.values()],
        "plan": plan,
    }


async def check(request: Request) -> Response:
    params = request.query_params
    slug, plan_name = params.get("tool", "").strip().lower(), params.get("plan", "").strip()
    region, state = params.get("region", "").strip().upper(), params.get("state", "default").strip()

    def make(content: Content) -> Rendered:
        tool = content.tools.get(slug)
        plan_names = verdicts.plans_by_name(tool) if tool else []
        chosen_plan = plan_name if plan_name in plan_names else ""
        regions = dict(wording.REGION_CHOICES)
        for extra in verdicts.regions(tool) if tool else []:
            regions.setdefault(extra, extra)
        chosen_region = region if region in regions else ""
        result = situation_view(tool, chosen_plan, chosen_region, state) if tool and chosen_plan else None
        states = verdicts.setting_states(result["plan"]) if result else []
        return html(request, "check.html", {
            "all_tools": pickable_tools(content),
            "tool": tool,
            "unknown_tool": wording.not_covered(slug) if slug and not tool else None,
            # A plan of another tool (the tool was changed after the plans were shown) is said, never dropped silently.
            "stale_plan": wording.plan_not_offered(plan_name, tool.name) if tool and plan_name and not chosen_plan else None,
            "plan_names": plan_names,
            "plan_name": chosen_plan,
            "regions": regions,
            "region": chosen_region,
            "states": {s: wording.SETTING_STATES[s] for s in (states or wording.SETTING_STATES)},
            "state": state if state in wording.SETTING_STATES else "default",
            "result": result,
            "tier_hint": tool.tier_hint if tool else None,
            "canonical": request.app.state.settings.base_url + "/check",
        })

    return cached(request, make)


# ---------------------------------------------------------------- changes, methodology


async def changes_page(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        return html(request, "changes.html", {
            "changes": content.changes(),
            "tools": content.tools,
        })

    return cached(request, make)


async def changes_feed(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        body = feeds.atom_feed(request, content.changes()[:200], wording.CHANGES_FEED_TITLE, "/changes.atom", "/changes")
        return Rendered(body, "application/atom+xml; charset=utf-8")

    return cached(request, make)


async def methodology(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        return html(request, "methodology.html", {
            "glossary": [
                (wording.FIELD_NAMES[field], [
                    {"label": wording.label(field, value.value), "meaning": meaning, "example": example}
                    for value, (meaning, example) in entries.items()
                ])
                for field, entries in wording.GLOSSARY.items()
            ],
            "confidence": wording.CONFIDENCE_MEANINGS,
            "ratings": wording.MYTH_RATING_LABELS,
            "source_kinds": wording.SOURCE_KIND_LABELS,
            "tool_count": len(content.tools),
            "version": content.dataset.version,
        })

    return cached(request, make)


async def tool_page_slash(request: Request) -> Response:
    return RedirectResponse(f"/tools/{request.path_params['slug']}", status_code=308)


routes = [
    Route("/", home, name="home"),
    Route("/tools/{slug}.atom", tool_feed, name="tool_feed"),
    Route("/tools/{slug}/badge.svg", tool_badge, name="tool_badge"),
    Route("/tools/{slug}/", tool_page_slash),
    Route("/tools/{slug}", tool_page, name="tool"),
    Route("/compare", compare, name="compare"),
    Route("/check", check, name="check"),
    Route("/changes", changes_page, name="changes"),
    Route("/changes.atom", changes_feed, name="changes_feed"),
    Route("/methodology", methodology, name="methodology"),
    Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
]
