"""The one place that words every reader-facing answer, from the structured facts of a tool.

Pages, the API, feeds and emails all call these functions, so no two places can say different things about the
same fact. Rules kept here: an opt-out is only ever described where the plan's mechanism says one exists;
`unknown` is always "Not documented", never a guess; "It depends on your plan tier" only where tiers differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .dataset.schema import (
    DPA,
    UNKNOWN,
    Evidence,
    Field_,
    OptOutMechanism,
    OptOutScope,
    Plan,
    Tool,
    Training,
    ZeroDataRetention,
)
from . import wording

NOT_DOCUMENTED = "Not documented"

TRAINING_LABELS = {
    Training.default_on: "Trains on your data by default",
    Training.default_on_no_opt_out: "Trains on your data, no opt-out",
    Training.opt_in: "Only if you opt in",
    Training.off: "Does not train on your data",
    Training.unknown: NOT_DOCUMENTED,
}

OPT_OUT_LABELS = {
    OptOutMechanism.settings_toggle: "Opt-out in settings",
    OptOutMechanism.privacy_request: "Opt-out by privacy request",
    OptOutMechanism.email_request: "Opt-out by email",
    OptOutMechanism.admin_setting: "Opt-out by an admin",
    OptOutMechanism.not_offered: "No opt-out",
    OptOutMechanism.not_needed: "No opt-out needed",
    OptOutMechanism.unknown: NOT_DOCUMENTED,
}

ZDR_LABELS = {
    ZeroDataRetention.available: "Zero retention available",
    ZeroDataRetention.on_request: "Zero retention on request",
    ZeroDataRetention.enterprise_only: "Zero retention for Enterprise only",
    ZeroDataRetention.not_offered: "No zero-retention option",
    ZeroDataRetention.unknown: NOT_DOCUMENTED,
}

DPA_LABELS = {
    DPA.public: "DPA published",
    DPA.on_request: "DPA on request",
    DPA.not_offered: "No DPA",
    DPA.unknown: NOT_DOCUMENTED,
}

FIELD_NAMES = {
    Field_.training: "Training on your data",
    Field_.opt_out: "Opt-out",
    Field_.human_review: "Human review",
    Field_.retention: "Retention",
    Field_.zero_data_retention: "Zero data retention",
    Field_.dpa: "Data processing agreement",
}

CONFIDENCE_MEANINGS = {
    "high": "the vendor's own current policy text says it plainly",
    "medium": "the vendor's text is indirect, older, or only quoted by third parties",
    "low": "sources disagree or are thin; treat this as a lead, not an answer",
}

_LABELS_BY_FIELD = {
    Field_.training: TRAINING_LABELS,
    Field_.opt_out: OPT_OUT_LABELS,
    Field_.zero_data_retention: ZDR_LABELS,
    Field_.dpa: DPA_LABELS,
}

SETTING_STATES = {
    "default": "I haven't changed anything",
    "opted_out": "I turned training off / opted out",
    "opted_in": "I opted in to training",
}


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # "bad" | "warn" | "good" | "unknown": drives colour only; the text carries the meaning


@dataclass(frozen=True)
class Answer:
    """One question answered: the question, its sentences, and the evidence behind them."""

    question: str
    text: str


@dataclass(frozen=True)
class Situation:
    sentence: str
    confidence: str
    plan: Plan
    evidence: tuple[Evidence, ...]


# ---------------------------------------------------------------- single values


def describe_value(field: Field_, value: str | None) -> str:
    """Reader wording of one stored value, e.g. ('training', 'default_on') -> 'Trains on your data by default'."""
    if value is None or value == UNKNOWN or value == "":
        return NOT_DOCUMENTED
    labels = _LABELS_BY_FIELD.get(field)
    if labels is None:
        return value
    for key, label in labels.items():
        if key.value == value:
            return label
    return value


def plan_value(plan: Plan, field: Field_) -> str:
    """A plan's raw value for a field as a plain string (the form publish and history compare)."""
    value = getattr(plan, field.value)
    if field is Field_.opt_out:
        return value.mechanism.value
    if field is Field_.retention:
        return UNKNOWN if value == UNKNOWN else value.summary
    return getattr(value, "value", value)


def plan_display_name(plan: Plan) -> str:
    if not plan.regions:
        return plan.name
    return f"{plan.name} ({_join(plan.regions)})"


def history_is_of(entry, plan: Plan) -> bool:
    """Whether a history entry concerns this view of a plan (its own terms, or one of its region variants)."""
    if entry.plan != plan.id:
        return False
    if entry.region is None:
        return plan.variant is None
    return plan.variant is not None and entry.region in plan.variant.regions


def plan_label(plan: Plan) -> str:
    return TRAINING_LABELS[plan.training]


def training_tone(training: Training) -> str:
    return {
        Training.default_on: "bad",
        Training.default_on_no_opt_out: "bad",
        Training.opt_in: "good",
        Training.off: "good",
        Training.unknown: "unknown",
    }[training]


def has_opt_out(plan: Plan) -> bool:
    return plan.training is Training.default_on and plan.opt_out.mechanism not in {
        OptOutMechanism.unknown,
        OptOutMechanism.not_offered,
        OptOutMechanism.not_needed,
    }


# ---------------------------------------------------------------- phrases


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _names(plans: list[Plan]) -> str:
    return _join([plan_display_name(p) for p in plans])


def _how_to_opt_out(plan: Plan, tool: Tool) -> str:
    """The way out, as a clause: only called for plans that have one."""
    steps = (plan.opt_out.steps or "").rstrip(".")  # the clause ends the sentence, not the steps
    mechanism = plan.opt_out.mechanism
    if mechanism is OptOutMechanism.settings_toggle:
        return f"you can turn it off in {steps}" if steps else "you can turn it off in your settings"
    if mechanism is OptOutMechanism.admin_setting:
        return f"an admin can turn it off ({steps})" if steps else "an admin can turn it off"
    if mechanism is OptOutMechanism.privacy_request:
        return f"you can opt out with a privacy request ({steps})" if steps else "you can opt out with a privacy request"
    if mechanism is OptOutMechanism.email_request:
        return f"you can opt out by emailing {tool.vendor} ({steps})" if steps else f"you can opt out by emailing {tool.vendor}"
    raise ValueError(f"{plan.id} has no opt-out")  # pragma: no cover - guarded by has_opt_out


def _scope_phrase(plan: Plan) -> str:
    return {
        OptOutScope.future_only: "It covers future data only; data already used for training stays in trained models.",
        OptOutScope.past_and_future: "It also covers data you shared before opting out.",
        OptOutScope.unknown: "Whether it covers data you shared before opting out is not documented.",
    }[plan.opt_out.scope]


def _training_group_key(plan: Plan) -> tuple[Training, bool]:
    return (plan.training, has_opt_out(plan))


def _ordered_groups(tool: Tool) -> list[list[Plan]]:
    """Plans grouped by what they mean for training, the primary plan's group first, file order otherwise."""
    primary_key = _training_group_key(tool.primary_plan)
    keys: list[tuple] = []
    groups: dict[tuple, list[Plan]] = {}
    for plan in tool.plans:
        key = _training_group_key(plan)
        if key not in groups:
            keys.append(key)
            groups[key] = []
        groups[key].append(plan)
    keys.sort(key=lambda k: k != primary_key)
    return [groups[k] for k in keys]


def tiers_differ(tool: Tool) -> bool:
    return len({_training_group_key(p) for p in tool.plans}) > 1


def _lead_clause(plans: list[Plan], tool: Tool, everywhere: bool) -> str:
    """The headline's first clause, for the group of the tier most readers use."""
    on = "on every plan" if everywhere else f"on {_names(plans)}"
    plan = plans[0]
    training = plan.training
    if training is Training.default_on:
        if has_opt_out(plan):
            return f"Yes, {on} by default; {_how_to_opt_out(plan, tool)}."
        return f"Yes, {on} by default; how to opt out is not documented."
    if training is Training.default_on_no_opt_out:
        return f"Yes, {on}, and no opt-out is offered."
    if training is Training.opt_in:
        return f"Only if you opt in, {on}."
    if training is Training.off:
        return f"No, not {on}."
    return f"{NOT_DOCUMENTED}: {tool.vendor} does not say whether it trains on your data {on}."


def _other_clause(plans: list[Plan]) -> str:
    plan = plans[0]
    short = {
        Training.default_on: "yes, by default (opt-out available)" if has_opt_out(plan) else "yes, by default (opt-out not documented)",
        Training.default_on_no_opt_out: "yes, with no opt-out",
        Training.opt_in: "only if you opt in",
        Training.off: "no",
        Training.unknown: NOT_DOCUMENTED.lower(),
    }[plan.training]
    return f"{_names(plans)}: {short}."


# ---------------------------------------------------------------- tool-level answers


def headline(tool: Tool) -> str:
    """The answer to "Does X train on your data?", led by the tier most readers use."""
    groups = _ordered_groups(tool)
    first = _lead_clause(groups[0], tool, everywhere=len(groups) == 1)
    return " ".join([first, *(_other_clause(g) for g in groups[1:])])


def plan_sentence(tool: Tool, plan: Plan) -> str:
    """One sentence for a tier in the table."""
    training = plan.training
    if training is Training.default_on:
        if has_opt_out(plan):
            text = f"{tool.vendor} uses your data for training unless you opt out: {_how_to_opt_out(plan, tool)}."
        else:
            text = f"{tool.vendor} uses your data for training by default; how to opt out is not documented."
    elif training is Training.default_on_no_opt_out:
        text = f"{tool.vendor} uses your data for training, and no opt-out is offered."
    elif training is Training.opt_in:
        text = f"{tool.vendor} uses your data for training only if you opt in."
    elif training is Training.off:
        text = f"{tool.vendor} does not use your data on this plan for training."
    else:
        text = f"Whether {tool.vendor} trains on data from this plan is not documented."
    return text


def opt_out_answers(tool: Tool) -> list[str]:
    """"Can you opt out?": one paragraph per group of tiers, with exact steps and what opting out costs."""
    paragraphs = []
    for group in _ordered_groups(tool):
        plan = group[0]
        names = _names(group)
        if has_opt_out(plan):
            for member in group:
                text = f"{plan_display_name(member)}: {_capital(_how_to_opt_out(member, tool))}."
                if member.opt_out.side_effects:
                    text += f" {wording.OPT_OUT_SIDE_EFFECT} {wording.as_sentence(member.opt_out.side_effects)}"
                text += " " + _scope_phrase(member)
                paragraphs.append(text)
        elif plan.training is Training.default_on:
            paragraphs.append(f"{names}: your data is used for training by default, and how to opt out is not documented.")
        elif plan.training is Training.default_on_no_opt_out:
            paragraphs.append(f"{names}: no. {tool.vendor} offers no way to stop training on your data.")
        elif plan.training in {Training.off, Training.opt_in}:
            why = "your data is not used for training" if plan.training is Training.off else "training is off unless you opt in"
            paragraphs.append(f"{names}: nothing to do; {why}.")
        else:
            paragraphs.append(f"{names}: {NOT_DOCUMENTED.lower()}, because whether this plan trains on your data is not documented.")
    return paragraphs


def _zdr_phrase(value: ZeroDataRetention) -> str:
    return {
        ZeroDataRetention.available: "zero data retention is available",
        ZeroDataRetention.on_request: "zero data retention is available on request",
        ZeroDataRetention.enterprise_only: "zero data retention is offered only on Enterprise contracts",
        ZeroDataRetention.not_offered: "no zero-data-retention option",
        ZeroDataRetention.unknown: "zero data retention: not documented",
    }[value]


def _dpa_phrase(value: DPA) -> str:
    return {
        DPA.public: "a data processing agreement (DPA) is published",
        DPA.on_request: "a DPA is available on request",
        DPA.not_offered: "no DPA",
        DPA.unknown: "DPA: not documented",
    }[value]


def retention_text(plan: Plan) -> str:
    return NOT_DOCUMENTED if plan.retention == UNKNOWN else plan.retention.summary


def human_review_text(plan: Plan) -> str:
    return NOT_DOCUMENTED if plan.human_review == UNKNOWN else plan.human_review


def zdr_dpa_answers(tool: Tool) -> list[str]:
    """"Zero retention / DPA": one sentence per group of tiers with the same options, then retention."""
    paragraphs = []
    keyed = [((p.zero_data_retention, p.dpa), p) for p in tool.plans]
    order: list[tuple] = []
    for key, _ in keyed:
        if key not in order:
            order.append(key)
    for key in order:
        plans = [p for k, p in keyed if k == key]
        zdr, dpa = key
        paragraphs.append(f"{_names(plans)}: {_zdr_phrase(zdr)}; {_dpa_phrase(dpa)}.")
    for plan in tool.plans:
        if plan.retention != UNKNOWN:
            paragraphs.append(f"Retention on {plan_display_name(plan)}: {plan.retention.summary.rstrip('.')}.")
    return paragraphs


def badges(tool: Tool) -> list[Badge]:
    """Badges for the tier most readers use."""
    plan = tool.primary_plan
    training = {
        Training.default_on: "Trains by default",
        Training.default_on_no_opt_out: "Trains by default",
        Training.opt_in: "Trains only if you opt in",
        Training.off: "Does not train",
        Training.unknown: "Training: not documented",
    }[plan.training]
    result = [Badge(training, training_tone(plan.training))]
    if plan.training is Training.default_on_no_opt_out:
        result.append(Badge("No opt-out", "bad"))
    elif plan.training is Training.default_on:
        result.append(Badge(OPT_OUT_LABELS[plan.opt_out.mechanism], "warn") if has_opt_out(plan) else Badge("Opt-out: not documented", "unknown"))
    zdr = plan.zero_data_retention
    zdr_text = "Zero retention: not documented" if zdr is ZeroDataRetention.unknown else ZDR_LABELS[zdr]
    zdr_tone = {"available": "good", "on_request": "good", "enterprise_only": "warn", "not_offered": "warn", "unknown": "unknown"}[zdr.value]
    result.append(Badge(zdr_text, zdr_tone))
    return result


def summary(tool: Tool) -> str:
    """One line for lists and search results."""
    return " ".join(
        f"{_names(group)}: {_summary_phrase(group[0])}." for group in _ordered_groups(tool)
    )


def _summary_phrase(plan: Plan) -> str:
    if plan.training is Training.default_on:
        return "trains by default, " + ("opt-out available" if has_opt_out(plan) else "opt-out not documented")
    return {
        Training.default_on_no_opt_out: "trains, no opt-out",
        Training.opt_in: "only if you opt in",
        Training.off: "does not train",
        Training.unknown: "not documented",
    }[plan.training]


def confidence_note(tool: Tool) -> str:
    return f"Confidence {tool.confidence.value}: {CONFIDENCE_MEANINGS[tool.confidence.value]}."


def confirm_note(tool: Tool) -> str:
    return f"Terms change: confirm directly with {tool.vendor} before sending confidential data."


def disclaimer(tool: Tool) -> str:
    return (
        f"This page is cited public information, not legal or compliance advice. Whether {tool.name} trains on your "
        f"data, and any zero-retention or DPA option, can depend on your plan, region and contract. Always confirm "
        f"current terms with {tool.vendor} before sending confidential or proprietary data."
    )


def faq(tool: Tool) -> list[Answer]:
    name = tool.name
    confidential = (
        "It depends on your plan tier. " + " ".join(f"{plan_display_name(p)}: {plan_sentence(tool, p)}" for p in tool.plans)
        if tiers_differ(tool)
        else plan_sentence(tool, tool.primary_plan)
    )
    answers = [
        Answer(f"Does {name} train its AI models on my data?", headline(tool)),
        Answer(f"Can I opt out of {name} training on my data?", " ".join(opt_out_answers(tool))),
        Answer(f"Does {name} offer zero data retention (ZDR) or a DPA?", " ".join(zdr_dpa_answers(tool))),
        Answer(
            f"Is {name} safe to use with confidential or proprietary data?",
            f"{confidential} Always confirm current terms with {tool.vendor} before sending confidential data: "
            "this is cited public information, not legal advice.",
        ),
    ]
    return answers


# ---------------------------------------------------------------- "my situation"


def plans_by_name(tool: Tool) -> list[str]:
    seen: list[str] = []
    for plan in tool.plans:
        if plan.name not in seen:
            seen.append(plan.name)
    return seen


def regions(tool: Tool) -> list[str]:
    """Every region some plan of the tool has separate terms for."""
    return sorted({r.value for p in tool.plans for v in p.regional for r in v.regions})


def plan_for(tool: Tool, plan_name: str, region: str | None) -> Plan | None:
    """The plan that applies to a reader on `plan_name` in `region`, with that region's variant applied."""
    plan = next((p for p in tool.plans if p.name == plan_name or p.id == plan_name), None)
    return plan.in_region(region) if plan else None


def setting_states(plan: Plan) -> list[str]:
    """Which "what I did" choices change the answer for this plan."""
    if has_opt_out(plan):
        return ["default", "opted_out"]
    if plan.training is Training.opt_in:
        return ["default", "opted_in"]
    return ["default"]


def situation(tool: Tool, plan: Plan, setting_state: str = "default") -> Situation:
    """One sentence for a reader's tool × plan × region × setting, with its confidence and supporting quotes."""
    if setting_state not in setting_states(plan):
        setting_state = "default"
    where = plan_display_name(plan)
    training = plan.training
    evidence = list(tool.evidence_of(plan, Field_.training))
    if training is Training.default_on and setting_state == "opted_out":
        sentence = f"On {where}, with training turned off, {tool.vendor} does not use your new data for training. {_scope_phrase(plan)}"
        evidence += tool.evidence_of(plan, Field_.opt_out)
    elif training is Training.default_on:
        tail = f"; {_how_to_opt_out(plan, tool)}." if has_opt_out(plan) else "; how to opt out is not documented."
        sentence = f"On {where}, {tool.vendor} uses your data for training by default" + tail
        evidence += tool.evidence_of(plan, Field_.opt_out) if has_opt_out(plan) else []
    elif training is Training.default_on_no_opt_out:
        sentence = f"On {where}, {tool.vendor} uses your data for training and offers no opt-out."
    elif training is Training.opt_in and setting_state == "opted_in":
        sentence = f"On {where}, you opted in, so {tool.vendor} may use your data for training."
    elif training is Training.opt_in:
        sentence = f"On {where}, {tool.vendor} does not use your data for training unless you opt in."
    elif training is Training.off:
        sentence = f"On {where}, {tool.vendor} does not use your data for training."
    else:
        sentence = f"On {where}, whether {tool.vendor} trains on your data is not documented."
    return Situation(sentence, tool.confidence.value, plan, tuple(evidence))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = [name for name in dir() if not name.startswith("_") and name not in {"annotations", "groupby", "dataclass"}]


# ---------------------------------------------------------------- site wording (pages, feeds, API)

AUDIENCE_LABELS = {
    "consumer": "Consumer",
    "business": "Business",
    "enterprise": "Enterprise",
    "developer-api": "API",
}

MYTH_RATING_LABELS = {
    "false": "False",
    "outdated": "Outdated",
    "misleading": "Misleading",
    "missing_context": "Missing context",
}

SOURCE_KIND_LABELS = {
    "policy": "Vendor policy",
    "terms": "Vendor terms",
    "help_page": "Vendor help page",
    "vendor_blog": "Vendor blog",
    "news": "News report",
    "third_party_tracker": "Third-party tracker",
}

REGION_CHOICES = {
    "": "Anywhere else",
    "EU": "European Union",
    "UK": "United Kingdom",
    "US": "United States",
}

DATA_LICENCE = "Dataset under CC BY 4.0; quoted policy texts from Open Terms Archive under ODC-BY 1.0; code under Apache-2.0."


def audience_label(audience: str) -> str:
    return AUDIENCE_LABELS.get(getattr(audience, "value", audience), str(audience))


def myth_rating_label(rating: str) -> str:
    return MYTH_RATING_LABELS.get(getattr(rating, "value", rating), str(rating))


def source_kind_label(kind: str) -> str:
    return SOURCE_KIND_LABELS.get(getattr(kind, "value", kind), str(kind))


def question(tool: Tool) -> str:
    return f"Does {tool.name} train its models on your data?"


def change_sentence(plan_name: str, field: str, before: str, after: str) -> str:
    """One published or historical verdict change, e.g. 'Free / Plus: Training on your data changed from … to …'."""
    which = Field_(field)
    return (
        f"{plan_name}: {FIELD_NAMES[which]} changed from “{describe_value(which, before).rstrip('.')}” "
        f"to “{describe_value(which, after).rstrip('.')}”."
    )


def change_title(tool_name: str, plan_name: str, field: str, after: str) -> str:
    """A short title for a feed entry or a timeline mark."""
    which = Field_(field)
    return f"{wording.plan_with_tool(tool_name, plan_name)}: {describe_value(which, after)}"


def no_changes_text(tool: Tool) -> str:
    return f"No verdict change recorded for {tool.name} since we started tracking it (last verified {tool.last_verified})."


def not_covered(query: str) -> str:
    return f"We have not covered “{query}” yet, so we cannot say whether it trains on your data."


def region_answer_note(tool: Tool, plan: Plan, region: str | None) -> str | None:
    """Why the region did or did not change the answer, shown under a "my situation" sentence."""
    if plan.variant is not None:
        return plan.variant.note
    if region:
        return f"{tool.vendor} documents no separate terms for {REGION_CHOICES.get(region, region)} on this plan."
    return None


def badge_text(tool: Tool) -> str:
    """The embeddable badge's right half: the verdict for the tier most readers use."""
    return badges(tool)[0].text


def chart_row_label(audience: str) -> str:
    return f"{audience_label(audience)} plans"


CHART_LEGEND = {
    "bad": "Trains by default",
    "good": "Does not train by default",
    "unknown": NOT_DOCUMENTED,
}
