"""The draft tool file: every verdict unknown, the sources filled in, each field's candidate quotes as evidence, and
comments that tell the editor what is left to decide.

It loads with the dataset loader. `doesittrain check` reports, on purpose, one error per undecided candidate
(`no plan has id 'which-plans'`): a candidate becomes evidence only when an editor names the plans it speaks for.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..dataset.edit import dump
from .candidates import FIELDS, Candidate
from .sources import Read, guess_kind

UNDECIDED_PLANS = "which-plans"
PLAN_ID = "all-plans"
QUESTIONS = {
    "training": "is what users type or upload used to train the vendor's models, by default, on this plan?",
    "opt_out": "how does a user stop that (the exact steps), or why is no opt-out needed?",
    "human_review": "may people at the vendor (or its contractors) read or review users' content?",
    "retention": "how long is users' content kept, and when is it deleted?",
    "zero_data_retention": "can a customer have nothing retained at all (zero data retention), and on which plans?",
    "dpa": "is there a data processing agreement (DPA), public or on request?",
}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "tool"


def source_ids(pages: list[Read]) -> dict[str, str]:
    """A readable, unique id per source URL, from its title."""
    ids: dict[str, str] = {}
    for page in pages:
        base = slugify(page.title)[:40].strip("-") or "source"
        candidate, n = base, 2
        while candidate in ids.values():
            candidate, n = f"{base}-{n}", n + 1
        ids.setdefault(page.url, candidate)
    return ids


def draft(name: str, pages: list[Read], ranked: dict[str, list[Candidate]], today: dt.date) -> str:
    """The text of the draft file."""
    ids = source_ids(pages)
    tool = CommentedMap()
    tool["slug"] = slugify(name)
    tool["name"] = name
    tool["vendor"] = name
    tool["category"] = "AI tool"
    tool["official_site"] = _site(pages)
    tool["last_verified"] = _fresh(today)
    tool["confidence"] = "low"
    tool["plans"] = _plans()
    tool["sources"] = _sources(pages, ids, today)
    tool["evidence"] = _evidence(ranked, ids)
    tool.yaml_set_start_comment(_header(name, pages, ranked, today))
    tool.yaml_add_eol_comment("the company behind the tool", "vendor")
    tool.yaml_add_eol_comment("e.g. AI chatbot, AI coding assistant, AI image generator", "category")
    tool.yaml_add_eol_comment("high only when the vendor's own current words settle every verdict", "confidence")
    return dump(tool)


def _header(name: str, pages: list[Read], ranked: dict[str, list[Candidate]], today: dt.date) -> str:
    found = ", ".join(f"{field} {len(ranked[field])}" for field in FIELDS)
    return "\n".join([
        f"Draft of {name}, made by `doesittrain draft` on {today.isoformat()} from {len(pages)} page(s).",
        f"Candidate quotes per field: {found}.",
        "They are verbatim passages, ranked by the monitor's topic tags; none is a verdict. For each field:",
        "  1. read its candidates below (and the page itself: the best answer may not be among them);",
        "  2. write the verdict in the plan (training, opt_out mechanism and exact steps, retention summary and days,",
        "     zero_data_retention, dpa), or leave it unknown where the vendor is silent;",
        "  3. keep the evidence that supports it: set `plans` to the plans it speaks for, write `supports` in your",
        "     own words (no more than the quote says), and delete the candidates you do not use.",
        "Split `plans` into the tiers the texts distinguish (consumer, business, enterprise, developer-api).",
        "`doesittrain check` on this draft reports:",
        f"  - an error `no plan has id '{UNDECIDED_PLANS}'` for every candidate not yet decided (step 3);",
        "  - a warning for every source without `published`: fill in the date the page prints, if any.",
        "A verdict other than unknown without evidence is an error too.",
    ])


def _fresh(day: dt.date) -> dt.date:
    """A new date object: one object written twice would be emitted as a YAML anchor and alias."""
    return dt.date.fromordinal(day.toordinal())


def _site(pages: list[Read]) -> str:
    for page in pages:
        parts = urlsplit(page.url)
        if not page.placeholder_url:
            return f"{parts.scheme}://{parts.netloc}"
    return urlsplit(pages[0].url)._replace(path="", query="", fragment="").geturl()


def _plans() -> CommentedSeq:
    plan = CommentedMap()
    plan["id"] = PLAN_ID
    plan["name"] = "All plans"
    plan["audience"] = "consumer"
    for field in ("training",):
        plan[field] = "unknown"
    plan["opt_out"] = CommentedMap(mechanism="unknown")
    for field in ("human_review", "retention", "zero_data_retention", "dpa"):
        plan[field] = "unknown"
    plan.yaml_add_eol_comment("one plan per tier the texts distinguish; audience: consumer, business, enterprise or "
                              "developer-api", "id")
    return CommentedSeq([plan])


def _sources(pages: list[Read], ids: dict[str, str], today: dt.date) -> CommentedSeq:
    sources = CommentedSeq()
    for page in pages:
        source = CommentedMap()
        source["id"] = ids[page.url]
        source["url"] = page.url
        source["title"] = page.title
        source["kind"] = guess_kind(page.url, page.title)
        source["retrieved"] = _fresh(today)
        if page.local:
            source["archived_copy"] = True
        if page.placeholder_url:
            source.yaml_add_eol_comment("a local file: write the address of the page it copies", "url")
        source.yaml_add_eol_comment("guessed: policy, terms, help_page, vendor_blog, news or third_party_tracker", "kind")
        sources.append(source)
    return sources


def _evidence(ranked: dict[str, list[Candidate]], ids: dict[str, str]) -> CommentedSeq:
    entries = CommentedSeq()
    for field in FIELDS:
        first = len(entries)
        for n, candidate in enumerate(ranked[field], 1):
            entry = CommentedMap()
            entry["id"] = f"{field.replace('_', '-')}-{n}"
            entry["plans"] = CommentedSeq([UNDECIDED_PLANS])
            entry["plans"].fa.set_flow_style()
            entry["field"] = field
            entry["source"] = ids[candidate.source_url]
            entry["quote"] = candidate.passage
            entry["supports"] = f"Candidate {n} for {field} (score {candidate.score:g}): what this quote shows, in your words."
            entries.append(entry)
        if len(entries) > first:
            entries.yaml_set_comment_before_after_key(first, before=f"{field}: {QUESTIONS[field]}", indent=2)
    return entries
