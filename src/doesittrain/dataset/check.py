"""Rules beyond the schema: evidence for every known fact, references that resolve, consistent history."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from functools import partial
from pathlib import Path

from .load import Dataset, LoadedFile, Problem, dataset_files, format_path, line_of, load_dataset, load_file
from .schema import Field_, OptOutMechanism, Tool, Training

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


class _Checker:
    def __init__(self, loaded: LoadedFile, today: dt.date):
        self.loaded = loaded
        self.tool: Tool = loaded.tool  # type: ignore[assignment]
        self.today = today
        self.problems: list[Problem] = []

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
            allowed = COMPATIBLE_OPT_OUTS[plan.training]
            if plan.opt_out.mechanism not in allowed:
                self.report(
                    ("plans", i, "opt_out", "mechanism"),
                    f"{plan.opt_out.mechanism.value!r} contradicts training {plan.training.value!r}"
                    f" (expected one of {', '.join(sorted(m.value for m in allowed))})",
                )
            needs_steps = plan.opt_out.mechanism not in {
                OptOutMechanism.not_offered, OptOutMechanism.not_needed, OptOutMechanism.unknown
            }
            if needs_steps and not plan.opt_out.steps:
                self.report(("plans", i, "opt_out", "steps"), "an opt-out that exists needs its exact steps")
            for field in Field_:
                if plan.is_known(field) and not self.tool.evidence_for(plan.id, field):
                    self.report(
                        ("plans", i, field.value),
                        f"is {_value_text(getattr(plan, field.value))!r} but no evidence quotes a source for it"
                        " (add evidence or write unknown)",
                    )

    def check_evidence_references(self) -> None:
        plan_ids = {p.id for p in self.tool.plans}
        source_ids = {s.id for s in self.tool.sources}
        quotes: dict[str, str] = {}
        for i, evidence in enumerate(self.tool.evidence):
            for plan_id in evidence.plans:
                if plan_id not in plan_ids:
                    self.report(("evidence", i, "plans"), f"no plan has id {plan_id!r}")
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
            for j, evidence_id in enumerate(myth.evidence):
                if evidence_id not in evidence_ids:
                    self.report(("myths", i, "evidence", j), f"no evidence has id {evidence_id!r}")

    def check_history(self) -> None:
        plan_ids = {p.id for p in self.tool.plans}
        source_ids = {s.id for s in self.tool.sources}
        latest: dict[tuple[str, Field_], tuple[int, object]] = {}
        for i, entry in enumerate(self.tool.history):
            if entry.plan not in plan_ids:
                self.report(("history", i, "plan"), f"no plan has id {entry.plan!r}")
                continue
            if entry.source not in source_ids:
                self.report(("history", i, "source"), f"no source has id {entry.source!r}")
            key = (entry.plan, entry.field)
            if key not in latest or entry.date >= latest[key][1].date:  # type: ignore[attr-defined]
                latest[key] = (i, entry)
        for (plan_id, field), (i, entry) in latest.items():
            current = getattr(self.tool.plan(plan_id), field.value)
            if field in {Field_.training, Field_.opt_out, Field_.zero_data_retention, Field_.dpa}:
                if entry.after != _value_text(current):  # type: ignore[attr-defined]
                    self.report(
                        ("history", i, "after"),
                        f"latest change says {entry.after!r} but plan {plan_id!r} has"  # type: ignore[attr-defined]
                        f" {field.value} {_value_text(current)!r}",
                    )

    def check_freshness(self) -> None:
        age = (self.today - self.tool.last_verified).days
        if age > STALE_AFTER_DAYS:
            self.report(("last_verified",), f"verified {age} days ago (more than {STALE_AFTER_DAYS}): re-check the sources", "warning")
        if self.tool.last_verified > self.today:
            self.report(("last_verified",), "is in the future")
        for i, source in enumerate(self.tool.sources):
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
