"""The JSON API and its OpenAPI description, open-data downloads, sitemap.xml and robots.txt.

Same data as the pages, the same wording (doesittrain.verdicts), and the same cache. Every JSON error has one
shape, produced by the app's error handler: {"error": {"status": 404, "message": "…"}}.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import verdicts, wording
from ..dataset.schema import Tool
from ..monitor.status import RecheckStatus
from . import feeds
from .cache import Rendered
from .pages import Content, cached, search_index

# Read-only data may be fetched from any web page (the dataset is open data); nothing here reads cookies.
OPEN_TO_ALL = {"access-control-allow-origin": "*"}

LICENCE = wording.LICENCE | {"note": wording.DATA_LICENCE}

CSV_COLUMNS = [
    "tool", "name", "vendor", "category", "plan", "plan_name", "audience", "regions", "training", "training_label",
    "sentence", "opt_out", "opt_out_steps", "opt_out_side_effects", "retention", "human_review",
    "zero_data_retention", "dpa", "confidence", "last_verified", "url", "licence",
]


def site_of(request: Request) -> str:
    return request.app.state.settings.base_url


def json_body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def tool_answers(tool: Tool) -> dict:
    return {
        "headline": verdicts.headline(tool),
        "summary": verdicts.summary(tool),
        "badges": [{"text": b.text, "tone": b.tone} for b in verdicts.badges(tool)],
        "plans": [
            {"id": p.view_id, "name": verdicts.plan_display_name(p), "label": verdicts.plan_label(p),
             "sentence": verdicts.plan_sentence(tool, p)}
            for p in tool.plan_views()
        ],
        "faq": [{"question": a.question, "answer": a.text} for a in verdicts.faq(tool)],
    }


def tool_data(tool: Tool) -> dict:
    """The tool as stored, with each region variant listing only the fields it overrides."""
    data = tool.model_dump(mode="json")
    for plan, dumped in zip(tool.plans, data["plans"]):
        dumped["regional"] = [
            {"regions": [r.value for r in v.regions], "note": v.note,
             **{k: d for k, d in v.model_dump(mode="json", include=set(v.overrides)).items()}}
            for v in plan.regional
        ]
    return data


def recheck_data(tool: Tool, status: RecheckStatus) -> dict:
    """The monitor's re-check of each source: when its quotes were last found, which are missing since when."""
    sources = []
    for source in tool.sources:
        checked = status.last_checked(str(source.url))
        missing = {e.id: status.missing_since(tool.slug, e.id) for e in tool.evidence if e.source == source.id}
        sources.append({
            "source": source.id,
            "last_read": checked.date().isoformat() if checked else None,
            "quotes_missing_since": {k: v.date().isoformat() for k, v in missing.items() if v is not None},
        })
    return {"sources": sources}


def tool_document(tool: Tool, site: str, status: RecheckStatus = RecheckStatus()) -> dict:
    """One tool's record. It names no dataset version (the listing and the downloads do), so a tool's document
    changes only when that tool does, and a static export rewrites only its file."""
    return {
        "tool": tool_data(tool),
        "answers": tool_answers(tool),
        "recheck": recheck_data(tool, status),
        "url": f"{site}/tools/{tool.slug}",
        "licence": LICENCE,
    }


def tool_listing(tool: Tool, site: str) -> dict:
    return {
        "slug": tool.slug,
        "name": tool.name,
        "vendor": tool.vendor,
        "category": tool.category,
        "summary": verdicts.summary(tool),
        "badges": [{"text": b.text, "tone": b.tone} for b in verdicts.badges(tool)],
        "last_verified": tool.last_verified.isoformat(),
        "confidence": tool.confidence.value,
        "url": f"{site}/tools/{tool.slug}",
        "api_url": f"{site}/api/tools/{tool.slug}",
    }


def sorted_tools(content: Content) -> list[Tool]:
    return sorted(content.tools.values(), key=lambda t: t.name.lower())


async def api_tools(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:100]

    def make(content: Content) -> Rendered:
        site = site_of(request)
        chosen = [m.tool for m in search_index(request, content).search(query)] if query else sorted_tools(content)
        tools = [tool_listing(t, site) for t in chosen]
        body = {"count": len(tools), "tools": tools, "dataset_version": content.dataset.version, "licence": LICENCE}
        if query:
            body["query"] = query
        return Rendered(json_body(body), "application/json", OPEN_TO_ALL)

    return cached(request, make)


async def api_tool(request: Request) -> Response:
    slug = request.path_params["slug"]

    def make(content: Content) -> Rendered:
        tool = feeds.require_tool(content.dataset, slug)
        return Rendered(json_body(tool_document(tool, site_of(request), content.recheck)), "application/json", OPEN_TO_ALL)

    return cached(request, make)


def data_json_body(documents: Iterable[bytes], version: str) -> bytes:
    """The whole dataset from each tool's document as `json_body` wrote it (a build reuses the files it wrote)."""
    head = json_body({"licence": LICENCE, "dataset_version": version, "tools": []})
    return head.removesuffix(b"[]}") + b"[" + b",".join(documents) + b"]}"


async def data_json(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        site, version = site_of(request), content.dataset.version
        documents = (json_body(tool_document(t, site, content.recheck)) for t in sorted_tools(content))
        return Rendered(data_json_body(documents, version), "application/json",
                        {"content-disposition": 'inline; filename="tools.json"'} | OPEN_TO_ALL)

    return cached(request, make)


def csv_rows(tool: Tool, site: str):
    for plan in tool.plan_views():
        yield {
            "tool": tool.slug, "name": tool.name, "vendor": tool.vendor, "category": tool.category,
            "plan": plan.id, "plan_name": plan.name, "audience": plan.audience.value,
            "regions": " ".join(r.value for r in plan.regions),
            "training": plan.training.value, "training_label": verdicts.plan_label(plan),
            "sentence": verdicts.plan_sentence(tool, plan),
            "opt_out": plan.opt_out.mechanism.value, "opt_out_steps": plan.opt_out.steps or "",
            "opt_out_side_effects": plan.opt_out.side_effects or "",
            "retention": verdicts.retention_text(plan), "human_review": verdicts.human_review_text(plan),
            "zero_data_retention": plan.zero_data_retention.value, "dpa": plan.dpa.value,
            "confidence": tool.confidence.value, "last_verified": tool.last_verified.isoformat(),
            "url": f"{site}/tools/{tool.slug}", "licence": wording.DATA_LICENCE_SHORT,
        }


async def data_csv(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for tool in sorted_tools(content):
            writer.writerows(csv_rows(tool, site_of(request)))
        return Rendered(out.getvalue().encode(), "text/csv; charset=utf-8",
                        {"content-disposition": 'inline; filename="tools.csv"'} | OPEN_TO_ALL)

    return cached(request, make)


# ---------------------------------------------------------------- sitemap, robots

PAGES = ["/", "/changes", "/methodology", "/compare", "/check"]


def sitemap_xml(content: Content, site: str) -> str:
    changes = content.changes()
    latest = feeds.last_change_dates(changes)
    newest = changes[0].date.isoformat() if changes else None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']

    def url(path: str, lastmod: str | None) -> None:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{site}{path}</loc>{mod}</url>")

    for path in PAGES:
        url(path, newest if path in {"/", "/changes"} else None)
    for tool in sorted(content.tools.values(), key=lambda t: t.slug):
        changed = latest.get(tool.slug)
        url(f"/tools/{tool.slug}", changed.isoformat() if changed else None)
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


async def sitemap(request: Request) -> Response:
    def make(content: Content) -> Rendered:
        return Rendered(sitemap_xml(content, site_of(request)).encode(), "application/xml")

    return cached(request, make)


async def robots(request: Request) -> Response:
    body = f"User-agent: *\nDisallow: /admin\nDisallow: /subscribe\n\nSitemap: {site_of(request)}/sitemap.xml\n"
    return Response(body, media_type="text/plain")


# ---------------------------------------------------------------- OpenAPI


def openapi_document(site: str) -> dict:
    schemas = Tool.model_json_schema(mode="serialization", ref_template="#/components/schemas/{model}")
    components = dict(schemas.pop("$defs", {}))
    components["Tool"] = schemas
    badge = {"type": "object", "required": ["text", "tone"],
             "properties": {"text": {"type": "string"}, "tone": {"type": "string", "enum": ["bad", "warn", "good", "unknown"]}}}
    components["Licence"] = {"type": "object", "required": ["data", "code"], "properties": {k: {"type": "string"} for k in LICENCE}}
    components["Error"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"],
                                 "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}},
    }
    components["ToolListing"] = {
        "type": "object",
        "required": ["slug", "name", "vendor", "category", "summary", "badges", "last_verified", "confidence", "url", "api_url"],
        "properties": {
            "slug": {"type": "string"}, "name": {"type": "string"}, "vendor": {"type": "string"},
            "category": {"type": "string"}, "summary": {"type": "string"}, "badges": {"type": "array", "items": badge},
            "last_verified": {"type": "string", "format": "date"}, "confidence": {"type": "string", "enum": ["high", "medium", "low"]},
            "url": {"type": "string"}, "api_url": {"type": "string"},
        },
    }
    components["ToolDocument"] = {
        "type": "object", "required": ["tool", "answers", "url", "licence"],
        "properties": {
            "tool": {"$ref": "#/components/schemas/Tool"},
            "answers": {
                "type": "object", "required": ["headline", "summary", "badges", "plans", "faq"],
                "properties": {
                    "headline": {"type": "string"}, "summary": {"type": "string"},
                    "badges": {"type": "array", "items": badge},
                    "plans": {"type": "array", "items": {"type": "object", "required": ["id", "name", "label", "sentence"],
                                                         "properties": {k: {"type": "string"} for k in ("id", "name", "label", "sentence")}}},
                    "faq": {"type": "array", "items": {"type": "object", "required": ["question", "answer"],
                                                       "properties": {"question": {"type": "string"}, "answer": {"type": "string"}}}},
                },
            },
            "url": {"type": "string"},
            "licence": {"$ref": "#/components/schemas/Licence"},
        },
    }

    def ok(schema: dict, media: str = "application/json") -> dict:
        return {"description": "OK", "content": {media: {"schema": schema}}}

    error = {"description": wording.API_DOCS["no_such_tool"], "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    slug = [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}, "example": "chatgpt"}]
    one_tool = {"parameters": slug, "responses": {"200": ok({"$ref": "#/components/schemas/ToolDocument"}), "404": error}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "doesittrain", "version": "1", "description": wording.API_DOCS["api"],
                 "license": {"name": f"{LICENCE['data']} (data)", "url": LICENCE["data_url"]}},
        "servers": [{"url": site}],
        "paths": {
            "/api/tools": {"get": {"operationId": "listTools", "summary": wording.API_DOCS["listTools"],
                                   "parameters": [{"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                                                   "description": wording.API_DOCS["q"]}],
                                   "responses": {"200": ok({
                                       "type": "object", "required": ["count", "tools", "dataset_version", "licence"],
                                       "properties": {"count": {"type": "integer"}, "query": {"type": "string"},
                                                      "tools": {"type": "array", "items": {"$ref": "#/components/schemas/ToolListing"}},
                                                      "dataset_version": {"type": "string"},
                                                      "licence": {"$ref": "#/components/schemas/Licence"}}})}}},
            "/api/tools/{slug}": {"get": {"operationId": "getTool", "summary": wording.API_DOCS["getTool"], **one_tool}},
            "/tools/{slug}.json": {"get": {"operationId": "getToolDocument", "summary": wording.API_DOCS["getToolDocument"], **one_tool}},
            "/data/tools.json": {"get": {"operationId": "downloadJson", "summary": wording.API_DOCS["downloadJson"],
                                         "responses": {"200": ok({
                                             "type": "object", "required": ["licence", "dataset_version", "tools"],
                                             "properties": {"licence": {"$ref": "#/components/schemas/Licence"},
                                                            "dataset_version": {"type": "string"},
                                                            "tools": {"type": "array", "items": {"$ref": "#/components/schemas/ToolDocument"}}}})}}},
            "/data/tools.csv": {"get": {"operationId": "downloadCsv", "summary": wording.API_DOCS["downloadCsv"],
                                        "responses": {"200": ok({"type": "string"}, "text/csv")}}},
        },
        "components": {"schemas": components},
    }


async def openapi(request: Request) -> Response:
    return Response(json_body(openapi_document(site_of(request))), media_type="application/json", headers=OPEN_TO_ALL)


routes = [
    Route("/api/tools", api_tools, name="api_tools"),
    Route("/api/tools/{slug}", api_tool, name="api_tool"),
    Route("/tools/{slug}.json", api_tool, name="tool_json"),
    Route("/openapi.json", openapi, name="openapi"),
    Route("/data/tools.json", data_json, name="data_json"),
    Route("/data/tools.csv", data_csv, name="data_csv"),
    Route("/sitemap.xml", sitemap, name="sitemap"),
    Route("/robots.txt", robots, name="robots"),
]

