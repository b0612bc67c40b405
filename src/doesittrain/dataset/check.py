"""Rules beyond the schema: evidence for every known fact, references that resolve, consistent history."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..yamlfile import format_path, line_of
from .cache import FindingsCache, file_key
from .load import Dataset, LoadedFile, Problem, dataset_files, display_name, in_processes, load_text
from .schema import CaveatKind, Confidence, Field_, OptOutMechanism, Plan, Region, Tool, Training

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


# A stop followed by a capital: the steps hold a second sentence.
_SENTENCE_INSIDE = re.compile(r"[.!?] +[A-Z]")

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
    """The rules one valid file must follow whatever the day; problems carry no file name (see Findings)."""

    def __init__(self, loaded: LoadedFile):
        self.loaded = loaded
        self.tool: Tool = loaded.tool  # type: ignore[assignment]
        self.problems: list[Problem] = []
        self.source_ids = {s.id for s in self.tool.sources}

    def report(self, path: tuple, message: str, severity: str = "error") -> None:
        self.problems.append(Problem("", line_of(self.loaded.lines, path), format_path(path), message, severity))

    def run(self) -> list[Problem]:
        self.check_unique_ids()
        self.check_plans()
        self.check_evidence_references()
        self.check_myths()
        self.check_history()
        self.check_slug_is_file_name()
        self.check_sources()
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
        elif plan.opt_out.steps and _SENTENCE_INSIDE.search(plan.opt_out.steps.strip().rstrip(".")):
            self.report(path("opt_out", "steps"), "write the steps as one path or clause, since answers quote them "
                        "inside a sentence; say more in side_effects or the plan's notes", "warning")
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
            if self.tool.confidence is Confidence.high:
                self.report(("confidence",), f"is high, but {format_path((*at, 'training'))} rests only on third-party "
                            "sources: say medium, or cite the vendor's own page")

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
            if myth.appeared.url is None:
                self.report(("myths", i, "appeared", "url"), "link the page where the claim appeared")
            if myth.appeared.date is None and myth.appeared.seen is None:
                self.report(("myths", i, "appeared"), "give the date the page prints (date) or, if it prints none, "
                            "when the claim was seen there (seen)")
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

    def check_slug_is_file_name(self) -> None:
        if self.loaded.path.stem != self.tool.slug:
            self.report(("slug",), f"{self.tool.slug!r} does not match the file name {self.loaded.path.name!r}")

    def check_sources(self) -> None:
        """What a source says of itself; its dates are judged against today in `_dated_problems`."""
        for i, source in enumerate(self.tool.sources):
            host = (source.url.host or "").lower()
            if source.kind.is_vendor and _is_not_a_vendor_host(host):
                self.report(("sources", i, "kind"), f"{source.kind.value!r} is a vendor's own page, but {host} is a link shortener, preview build or proxy: link the vendor's page or use kind news/third_party_tracker")
            if source.published is None:
                self.report(("sources", i, "published"), "the source prints no date", "warning")


@dataclass
class Findings:
    """What one file says whatever the day and wherever it lies: its problems (without a file name), its names
    for the clash check, and the dates that are judged against today. Small and plain, so it can be cached."""

    problems: list[Problem]
    names: list[tuple[str, int, str]] = field(default_factory=list)  # (name, line, field path)
    slug: str | None = None
    dates: list[tuple[str, dt.date, int]] = field(default_factory=list)  # (field path, date, line)

    def to_json(self) -> list:
        return [[[p.line, p.path, p.message, p.severity] for p in self.problems], self.names, self.slug,
                [[path, day.isoformat(), line] for path, day, line in self.dates]]

    @classmethod
    def from_json(cls, data: list) -> "Findings":
        problems, names, slug, dates = data
        return cls([Problem("", *p) for p in problems], [tuple(n) for n in names], slug,
                   [(path, dt.date.fromisoformat(day), line) for path, day, line in dates])


def findings_of(loaded: LoadedFile) -> Findings:
    tool = loaded.tool
    if tool is None:
        return Findings([replace(p, file="") for p in loaded.problems])
    names = [(name, line_of(loaded.lines, path), format_path(path))
             for name, path in [(tool.slug, ("slug",)), (tool.name, ("name",)),
                                *((alias, ("aliases", i)) for i, alias in enumerate(tool.aliases))]]
    dates = [("last_verified", tool.last_verified, line_of(loaded.lines, ("last_verified",)))]
    dates += [(format_path(("sources", i, "retrieved")), source.retrieved, line_of(loaded.lines, ("sources", i, "retrieved")))
              for i, source in enumerate(tool.sources)]
    return Findings(_Checker(loaded).run(), names, tool.slug, dates)


def _dated_problems(findings: Findings, today: dt.date) -> list[Problem]:
    """The problems that depend on the day: staleness and dates in the future."""
    problems = []
    for path, day, line in findings.dates:
        if path == "last_verified":
            age = (today - day).days
            if age > STALE_AFTER_DAYS:
                problems.append(Problem("", line, path, f"verified {age} days ago (more than {STALE_AFTER_DAYS}): re-check the sources", "warning"))
        if day > today:
            problems.append(Problem("", line, path, "is in the future"))
    return problems


def _report(files: list[tuple[str, Findings]], today: dt.date | None) -> list[Problem]:
    """Every problem of every file, named by its file, plus the clashes between files, in one stable order.

    A slug, name or alias used by two tools is reported on every file after the first that uses it."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    for shown, findings in files:
        problems += [replace(p, file=shown) for p in findings.problems + _dated_problems(findings, today)]
        for name, line, path in findings.names:
            key = name.casefold()
            if key in owners and owners[key] != findings.slug:
                problems.append(Problem(shown, line, path, f"{name!r} is already used by {owners[key]!r}"))
            owners.setdefault(key, findings.slug)
    return sorted(problems, key=lambda p: (p.file, p.line, p.path, p.message))


def check_dataset(dataset: Dataset, today: dt.date | None = None) -> list[Problem]:
    """Every problem in a loaded dataset: schema errors, rule errors, warnings, and clashes between files."""
    return _report([(display_name(f.path), findings_of(f)) for f in dataset.files], today)


def _findings_of_file(path: Path, text: bytes) -> Findings:
    return findings_of(load_text(path, text))


def check_folder(folder: Path, today: dt.date | None = None, cache: Path | None = None) -> list[Problem]:
    """check_dataset(load_dataset(folder)), with the findings of unchanged files taken from `cache` and large
    numbers of changed files parsed in one process per CPU.

    Workers send back only findings (parsed tools are slow to pass between processes), and the clash check runs
    over the files in their usual order, so messages and their order are the same either way.
    """
    paths = dataset_files(Path(folder))
    texts = [path.read_bytes() for path in paths]
    cached = FindingsCache.open(cache)
    keys = [file_key(path.name, text) for path, text in zip(paths, texts)]
    found = {key: Findings.from_json(cached.get(key)) for key in keys if cached.get(key) is not None}
    missing = [(path, text, key) for path, text, key in zip(paths, texts, keys) if key not in found]
    for (_path, _text, key), findings in zip(missing, in_processes(_findings_of_file, [(p, t) for p, t, _ in missing])):
        found[key] = findings
    cached.save({key: found[key].to_json() for key in keys})
    return _report([(display_name(path), found[key]) for path, key in zip(paths, keys)], today)

