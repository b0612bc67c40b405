"""Rules beyond the schema: evidence for every known fact, references that resolve, consistent history."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from functools import partial
from pathlib import Path

from .load import Dataset, LoadedFile, Problem, dataset_files, format_path, line_of, load_dataset, load_file
from .schema import CaveatKind, Field_, OptOutMechanism, Plan, Region, Tool, Training

STALE_AFTER_DAYS = 180

# Which opt-out mechanisms make sense for each training default; anything else contradicts itself.
COMPATIBLE_OPT_OUTS: dict[Training, set[OptOutMechanism]] = {
    Training.default_on: {
        OptOutMechanism.settings_toggle,
        OptOutMechanism.privacy_request,
        OptOutMechanism.email_request,
        OptOutMechanism.admin_setting,
        OptOutMechanism.unknown,
    },
    Training.default_on_no_opt_out: {OptOutMechanism.not_offered},
    Training.opt_in: {OptOutMechanism.not_needed},
    Training.off: {OptOutMechanism.not_needed},
    Training.unknown: set(OptOutMechanism),
}


def _value_text(value) -> str:
    if hasattr(value, "mechanism"):
        return value.mechanism.value
    if hasattr(value, "summary"):
        return value.summary
    return getattr(value, "value", value)


# Hosts that never serve a vendor's own page: shorteners, preview/staging builds, proxies and web archives' mirrors.
NOT_VENDOR_HOSTS = {
    "tinyurl.com", "bit.ly", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at",
    "lnkd.in", "tiny.cc", "rb.gy", "glama.ai", "translate.goog", "webcache.googleusercontent.com", "archive.ph",
    "archive.today", "12ft.io", "r.jina.ai",
}
NOT_VENDOR_HOST_PARTS = ("vercel.app", "netlify.app", "pages.dev", "herokuapp.com", "translate.goog", "ngrok", "preview", "staging")

NEEDS_DETAIL = {
    CaveatKind.program_opt_in: "the programme's name",
    CaveatKind.third_party_platform: "which platforms",
    CaveatKind.public_content_used: "what public content",
}


def _is_not_a_vendor_host(host: str) -> bool:
    host = host.removeprefix("www.")
    return host in NOT_VENDOR_HOSTS or any(part in host for part in NOT_VENDOR_HOST_PARTS)


class _Checker:
    def __init__(self, loaded: LoadedFile, today: dt.date):
        self.loaded = loaded
        self.tool: Tool = loaded.tool  # type: ignore[assignment]
        self.today = today
        self.problems: list[Problem] = []
        self.source_ids = {s.id for s in self.tool.sources}

    def report(self, path: tuple, message: str, severity: str = "error") -> None:
        line = line_of(self.loaded.lines, path)
        self.problems.append(Problem(_shown(self.loaded.path), line, format_path(path), message, severity))

    def run(self) -> list[Problem]:
        self.check_unique_ids()
        self.check_plans()
        self.check_evidence_references()
        self.check_myths()
        self.check_history()
        self.check_freshness()
        return self.problems

    def check_unique_ids(self) -> None:
        for collection in ("plans", "sources", "evidence"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(self.tool, collection)):
                if item.id in seen:
                    self.report((collection, i, "id"), f"duplicate id {item.id!r}")
                seen.add(item.id)

    def check_plans(self) -> None:
        for i, plan in enumerate(self.tool.plans):
            self.check_plan_view(plan, ("plans", i))
            self.check_region_variants(plan, i)
            self.check_caveats(plan, i)
            self.check_sources_behind(plan, ("plans", i))

    def check_plan_view(self, plan: Plan, at: tuple) -> None:
        """One plan as a reader sees it (its own terms, or a region variant applied): consistent and cited."""
        variant = plan.variant
        own = variant.overrides if variant else None

        def path(*rest) -> tuple:
            # A variant's problem is reported on the variant's own line when the variant sets that field.
            if own is not None and rest[0] in own:
                return (*at, *rest)
            return (*at[:2], *rest) if own is not None else (*at, *rest)

        allowed = COMPATIBLE_OPT_OUTS[plan.training]
        where = f" in {', '.join(r.value for r in variant.regions)}" if variant else ""
        if plan.opt_out.mechanism not in allowed:
            self.report(
                path("opt_out", "mechanism"),
                f"{plan.opt_out.mechanism.value!r} contradicts training {plan.training.value!r}{where}"
                f" (expected one of {', '.join(sorted(m.value for m in allowed))})",
            )
        needs_steps = plan.opt_out.mechanism not in {
            OptOutMechanism.not_offered, OptOutMechanism.not_needed, OptOutMechanism.unknown
        }
        if needs_steps and not plan.opt_out.steps:
            self.report(path("opt_out", "steps"), "an opt-out that exists needs its exact steps")
        for field in Field_:
            if own is not None and field.value not in own:
                continue  # the plan's own evidence covers a field the variant does not change
            if plan.is_known(field) and not self.tool.evidence_of(plan, field):
                hint = f" with regions {', '.join(r.value for r in variant.regions)}" if variant else ""
                self.report(
                    path(field.value),
                    f"is {_value_text(getattr(plan, field.value))!r}{where} but no evidence{hint} quotes a source for it"
                    " (add evidence or write unknown)",
                )

    def check_region_variants(self, plan: Plan, i: int) -> None:
        seen: dict[Region, int] = {}
        for j, variant in enumerate(plan.regional):
            at = ("plans", i, "regional", j)
            if not variant.overrides:
                self.report((*at, "regions"), "a region variant must set at least one field that differs there")
            for k, region in enumerate(variant.regions):
                if region in seen:
                    self.report((*at, "regions", k), f"{region.value} already has a variant (regional[{seen[region]}])")
                seen.setdefault(region, j)
            self.check_plan_view(plan.as_variant(variant), at)

    def check_caveats(self, plan: Plan, i: int) -> None:
        evidence_ids = {e.id for e in self.tool.evidence}
        for j, caveat in enumerate(plan.caveats):
            for k, evidence_id in enumerate(caveat.evidence):
                if evidence_id not in evidence_ids:
                    self.report(("plans", i, "caveats", j, "evidence", k), f"no evidence has id {evidence_id!r}")
            if caveat.kind in NEEDS_DETAIL and not caveat.detail:
                self.report(("plans", i, "caveats", j, "detail"), f"a {caveat.kind.value} caveat needs its detail ({NEEDS_DETAIL[caveat.kind]})")

    def check_sources_behind(self, plan: Plan, at: tuple) -> None:
        """A verdict resting only on third-party sources is allowed, but an editor should know."""
        quotes = self.tool.evidence_for(plan.id, Field_.training)
        if plan.training is Training.unknown or not quotes:
            return
        if not any(self.tool.source(e.source).kind.is_vendor for e in quotes if e.source in self.source_ids):
            self.report((*at, "training"), "rests only on third-party sources: cite the vendor's own page where one exists", "warning")

    def check_evidence_references(self) -> None:
        plans = {p.id: p for p in self.tool.plans}
        source_ids = self.source_ids
        quotes: dict[str, str] = {}
        for i, evidence in enumerate(self.tool.evidence):
            for plan_id in evidence.plans:
                if plan_id not in plans:
                    self.report(("evidence", i, "plans"), f"no plan has id {plan_id!r}")
                    continue
                for k, region in enumerate(evidence.regions):
                    if plans[plan_id].variant_for(region) is None:
                        self.report(("evidence", i, "regions", k), f"plan {plan_id!r} has no variant for {region.value}")
            if evidence.source not in source_ids:
                self.report(("evidence", i, "source"), f"no source has id {evidence.source!r}")
            quote = " ".join(evidence.quote.split())
            if quote.endswith(("...", "…")) or quote.startswith(("...", "…")):
                self.report(("evidence", i, "quote"), "is trimmed with an ellipsis: quote whole sentences")
            earlier = quotes.get(quote)
            if earlier is not None and earlier != evidence.source:
                self.report(("evidence", i, "quote"), f"the same quote is cited from two sources ({earlier}, {evidence.source})")
            quotes.setdefault(quote, evidence.source)

    def check_myths(self) -> None:
        evidence_ids = {e.id for e in self.tool.evidence}
        for i, myth in enumerate(self.tool.myths):
            if myth.appeared.url is None or myth.appeared.date is None:
                self.report(("myths", i, "appeared"), "name where the claim appeared with its url and date", "warning")
            for j, evidence_id in enumerate(myth.evidence):
                if evidence_id not in evidence_ids:
                    self.report(("myths", i, "evidence", j), f"no evidence has id {evidence_id!r}")

    def check_history(self) -> None:
        plans = {p.id: p for p in self.tool.plans}
        latest: dict[tuple, tuple[int, object]] = {}
        for i, entry in enumerate(self.tool.history):
            if entry.plan not in plans:
                self.report(("history", i, "plan"), f"no plan has id {entry.plan!r}")
                continue
            if entry.source not in self.source_ids:
                self.report(("history", i, "source"), f"no source has id {entry.source!r}")
            key = (entry.plan, entry.region, entry.field)
            if key not in latest or entry.date >= latest[key][1].date:  # type: ignore[attr-defined]
                latest[key] = (i, entry)
        for (plan_id, region, field), (i, entry) in latest.items():
            view = plans[plan_id].in_region(region)
            current = getattr(view, field.value)
            if field in {Field_.training, Field_.opt_out, Field_.zero_data_retention, Field_.dpa}:
                if entry.after != _value_text(current):  # type: ignore[attr-defined]
                    where = f" in {region.value}" if region else ""
                    self.report(
                        ("history", i, "after"),
                        f"latest change says {entry.after!r} but plan {plan_id!r} has"  # type: ignore[attr-defined]
                        f" {field.value} {_value_text(current)!r}{where}",
                    )

    def check_freshness(self) -> None:
        age = (self.today - self.tool.last_verified).days
        if age > STALE_AFTER_DAYS:
            self.report(("last_verified",), f"verified {age} days ago (more than {STALE_AFTER_DAYS}): re-check the sources", "warning")
        if self.tool.last_verified > self.today:
            self.report(("last_verified",), "is in the future")
        for i, source in enumerate(self.tool.sources):
            host = (source.url.host or "").lower()
            if source.kind.is_vendor and _is_not_a_vendor_host(host):
                self.report(("sources", i, "kind"), f"{source.kind.value!r} is a vendor's own page, but {host} is a link shortener, preview build or proxy: link the vendor's page or use kind news/third_party_tracker")
            if source.published is None:
                self.report(("sources", i, "published"), "the source prints no date", "warning")
            if source.retrieved > self.today:
                self.report(("sources", i, "retrieved"), "is in the future")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_dataset(dataset: Dataset, today: dt.date | None = None) -> list[Problem]:
    """Every problem in a dataset: schema errors, rule errors, warnings, and clashes between files."""
    today = today or dt.date.today()
    problems: list[Problem] = list(dataset.problems)
    identities = []
    for loaded in dataset.files:
        if loaded.tool is not None:
            found, identity = _file_problems(loaded, today)
            problems.extend(found)
            identities.append(identity)
    return _sorted(problems + _clashes(identities))


def _file_problems(loaded: LoadedFile, today: dt.date) -> tuple[list[Problem], tuple]:
    """One valid file's own problems, and its names (each with its place) for the clash check across files."""
    problems = _Checker(loaded, today).run()
    shown = _shown(loaded.path)
    tool = loaded.tool
    if loaded.path.stem != tool.slug:
        problems.append(Problem(shown, line_of(loaded.lines, ("slug",)), "slug", f"{tool.slug!r} does not match the file name {loaded.path.name!r}"))
    names = []
    for i, name in enumerate([tool.slug, tool.name, *tool.aliases]):
        path = ("slug",) if i == 0 else ("name",) if i == 1 else ("aliases", i - 2)
        names.append((name, line_of(loaded.lines, path), format_path(path)))
    return problems, (tool.slug, shown, names)


def _clashes(identities: list[tuple]) -> list[Problem]:
    """A slug, name or alias used by two tools: reported on every file after the first that uses it."""
    problems = []
    owners: dict[str, str] = {}
    for slug, shown, names in identities:
        for name, line, path in names:
            key = name.casefold()
            if key in owners and owners[key] != slug:
                problems.append(Problem(shown, line, path, f"{name!r} is already used by {owners[key]!r}"))
            owners.setdefault(key, slug)
    return problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.path, p.message))


# Below this many files one process is quicker than starting others.
PARALLEL_FROM_FILES = 400


def _check_path(path: Path, today: dt.date) -> tuple[list[Problem], tuple | None]:
    loaded = load_file(path, _shown(path))
    if loaded.tool is None:
        return loaded.problems, None
    found, identity = _file_problems(loaded, today)
    return loaded.problems + found, identity


def check_folder(folder: Path, today: dt.date | None = None) -> list[Problem]:
    """check_dataset(load_dataset(folder)), with large folders checked file by file in one process per CPU.

    Workers send back only problems and names (parsed tools are slow to pass between processes), and the clash
    check runs over the files in their usual order, so messages and their order are the same either way.
    """
    today = today or dt.date.today()
    paths = dataset_files(Path(folder))
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM_FILES or workers < 2:
        return check_dataset(load_dataset(folder), today)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(partial(_check_path, today=today), paths, chunksize=max(16, len(paths) // (workers * 8))))
    problems = [p for found, _ in results for p in found]
    return _sorted(problems + _clashes([identity for _, identity in results if identity is not None]))
