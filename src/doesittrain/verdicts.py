"""The one place that words every reader-facing answer, from the structured facts of a tool.

Pages, the API, feeds and emails all call these functions, so no two places can say different things about the
same fact. Rules kept here: an opt-out is only ever described where the plan's mechanism says one exists;
`unknown` is always "not documented", never a guess; "It depends on your plan tier" only where tiers differ; a
region variant is always named with its regions, and the plan's own terms with the regions they do not cover.
The fixed labels these sentences share with badges, filters and charts live in `wording.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dataset.schema import (
    DPA,
    UNKNOWN,
    Audience,
    Caveat,
    CaveatKind,
    Evidence,
    Field_,
    OptOutMechanism,
    OptOutScope,
    Plan,
    Tool,
    Training,
    ZeroDataRetention,
)
from .wording import (
    CONFIDENCE_MEANINGS,
    DPA_LABELS,
    FIELD_NAMES,
    NOT_DOCUMENTED,
    OPT_OUT_LABELS,
    TRAINING_LABELS,
    ZDR_LABELS,
    as_sentence,
    audience_label,
    join_names,
    label,
    plan_with_tool,
    regions_phrase,
)


@dataclass(frozen=True)
class Badge:
    text: str
    tone: str  # "bad" | "warn" | "good" | "unknown": drives colour only; the text carries the meaning
    field: str = Field_.training.value
    value: str = UNKNOWN


@dataclass(frozen=True)
class BadgeSet:
    """The badges of one tier, with the tier they speak for."""

    plan: Plan
    caption: str
    badges: list[Badge]


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
    caveats: tuple[str, ...] = ()


# ---------------------------------------------------------------- single values


def describe_value(field: Field_, value: str | None) -> str:
    """Reader wording of one stored value, e.g. ('training', 'default_on') -> 'Trains on your data by default'."""
    return label(field, value)


def plan_value(plan: Plan, field: Field_) -> str:
    """A plan's raw value for a field as a plain string (the form publish, history and data attributes compare)."""
    value = getattr(plan, field.value)
    if field is Field_.opt_out:
        return value.mechanism.value
    if field is Field_.retention:
        return UNKNOWN if value == UNKNOWN else value.summary
    return getattr(value, "value", value)


def where_phrase(plan: Plan) -> str:
    """'the EU/EEA and the UK' for a region variant, '' for a plan's own terms."""
    return regions_phrase(plan.regions) if plan.variant else ""


def plan_display_name(plan: Plan) -> str:
    """A tier's name; a region variant says where it holds ('Free / Plus in the EU/EEA and the UK')."""
    if plan.variant is None:
        return plan.name
    return f"{plan.name} in {where_phrase(plan)}"


def history_is_of(entry, plan: Plan) -> bool:
    """Whether a history entry concerns this view of a plan (its own terms, or one of its region variants)."""
    if entry.plan != plan.id:
        return False
    if entry.region is None:
        return plan.variant is None
    return plan.variant is not None and entry.region in plan.variant.regions


def history_key_and_name(plan: Plan, region) -> tuple[str, str]:
    """The key and name a history entry is shown under: a region named even where no variant is left today."""
    view = plan.in_region(region)
    if region and view.variant is None:
        return f"{plan.id}@{getattr(region, 'value', region)}", f"{plan.name} in {regions_phrase([region])}"
    return view.view_id, plan_display_name(view)


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


def trains_by_default(plan: Plan) -> bool:
    return plan.training in {Training.default_on, Training.default_on_no_opt_out}


# Mechanisms that are a way out of training.
OPT_OUT_WAYS = {
    OptOutMechanism.settings_toggle, OptOutMechanism.privacy_request, OptOutMechanism.email_request, OptOutMechanism.admin_setting,
}


def has_opt_out(plan: Plan) -> bool:
    return plan.training is Training.default_on and plan.opt_out.mechanism in OPT_OUT_WAYS


def lacks_opt_out(plan: Plan) -> bool:
    """Trains by default and no way out is documented (none offered, or none described)."""
    return trains_by_default(plan) and not has_opt_out(plan)


ZDR_USABLE = {ZeroDataRetention.available, ZeroDataRetention.on_request, ZeroDataRetention.enterprise_only}


def offers_zero_retention(plan: Plan) -> bool:
    return plan.zero_data_retention in ZDR_USABLE


# Kinds of plan, as the home chart's bars and the compare rows group them.
AUDIENCE_GROUPS = {
    "consumer": {Audience.consumer},
    "business": {Audience.business, Audience.enterprise},
    "developer-api": {Audience.developer_api},
}


def plans_for_audience(tool: Tool, audience: str) -> list[Plan]:
    return [p for p in tool.plans if p.audience in AUDIENCE_GROUPS[audience]]


def audience_tone(tool: Tool, audience: str) -> str | None:
    """Over a tool's plans of one kind: 'bad' if any trains by default, 'good' if none trains unless you opt in,
    'unknown' otherwise; None when the tool has no such plan. The home chart and its filter both use it."""
    plans = plans_for_audience(tool, audience)
    if not plans:
        return None
    if any(trains_by_default(p) for p in plans):
        return "bad"
    if all(p.training in {Training.off, Training.opt_in} for p in plans):
        return "good"
    return "unknown"


# ---------------------------------------------------------------- phrases


def _names(plans: list[Plan]) -> str:
    return join_names([plan_display_name(p) for p in plans])


def _group_opt_out(plans: list[Plan], tool: Tool) -> str:
    """The way out for plans grouped under one verdict: their shared way and steps, or that they differ by plan."""
    ways = {(p.opt_out.mechanism, p.opt_out.steps) for p in plans}
    if len(ways) == 1:
        return _how_to_opt_out(plans[0], tool)
    if len({mechanism for mechanism, _ in ways}) == 1:
        return f"{_how_to_opt_out(plans[0], tool, with_steps=False)}, with steps that differ by plan"
    return "you can opt out, in a way that differs by plan"


def _how_to_opt_out(plan: Plan, tool: Tool, with_steps: bool = True) -> str:
    """The way out, as a clause: only called for plans that have one."""
    # Steps are a path ("Settings → Privacy → …"); a stop of their own would double the sentence's.
    steps = ((plan.opt_out.steps or "").strip().rstrip(".") if with_steps else "") or None
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
        OptOutScope.future_only: "Opting out covers future data only; data already used for training stays in trained models.",
        OptOutScope.past_and_future: "Opting out also covers data you shared before.",
        OptOutScope.unknown: "Whether opting out covers data you shared before is not documented.",
    }[plan.opt_out.scope]


def short_verdict(plan: Plan) -> str:
    """The verdict of one tier in a few words, the same wherever tiers are listed side by side."""
    if plan.training is Training.default_on:
        tail = "you can opt out" if has_opt_out(plan) else "how to opt out is not documented"
        return f"{_lower_first(TRAINING_LABELS[plan.training])}; {tail}"
    return _lower_first(TRAINING_LABELS[plan.training])


def _verdict_key(plan: Plan) -> tuple[Training, bool]:
    return (plan.training, has_opt_out(plan))


def _ordered_groups(tool: Tool) -> list[list[Plan]]:
    """Plans grouped by what they mean for training, the primary plan's group first, file order otherwise."""
    primary_key = _verdict_key(tool.primary_plan)
    keys: list[tuple] = []
    groups: dict[tuple, list[Plan]] = {}
    for plan in tool.plans:
        key = _verdict_key(plan)
        if key not in groups:
            keys.append(key)
            groups[key] = []
        groups[key].append(plan)
    keys.sort(key=lambda k: k != primary_key)
    return [groups[k] for k in keys]


def differing_variants(plan: Plan) -> list[Plan]:
    """The plan's region variants whose training verdict or opt-out differs from its own terms."""
    return [v for v in plan.views()[1:] if _verdict_key(v) != _verdict_key(plan)]


def _outside(plans: list[Plan]) -> str:
    """' outside the EU/EEA and the UK' when some of these plans have other terms there."""
    regions = [r for p in plans for v in differing_variants(p) for r in v.regions]
    return f" outside {regions_phrase(list(dict.fromkeys(regions)))}" if regions else ""


def tiers_differ(tool: Tool) -> bool:
    return len({_verdict_key(p) for p in tool.plans}) > 1


def _lead_clause(plans: list[Plan], tool: Tool, everywhere: bool) -> str:
    """The headline's first clause, for the group of the tier most readers use."""
    on = ("on every plan" if everywhere else f"on {_names(plans)}") + _outside(plans)
    plan = plans[0]
    training = plan.training
    if training is Training.default_on:
        if has_opt_out(plan):
            return f"Yes, {on} by default; {_group_opt_out(plans, tool)}."
        return f"Yes, {on} by default; how to opt out is not documented."
    if training is Training.default_on_no_opt_out:
        return f"Yes, {on}, and no opt-out is offered."
    if training is Training.opt_in:
        return f"Only if you opt in, {on}."
    if training is Training.off:
        return f"No, not {on}."
    if everywhere and not _outside(plans):
        return f"{NOT_DOCUMENTED}: {tool.vendor} does not say whether it trains on your data, on any plan."
    return f"{NOT_DOCUMENTED}: {tool.vendor} does not say whether it trains on your data {on}."


def _listed(plans: list[Plan]) -> str:
    return f"{_names(plans)}{_outside(plans)}: {short_verdict(plans[0])}."


def _regional_clauses(tool: Tool) -> list[str]:
    return [f"{_capital(plan_display_name(v))}: {short_verdict(v)}." for p in tool.plans for v in differing_variants(p)]


# ---------------------------------------------------------------- tool-level answers


def headline(tool: Tool) -> str:
    """The answer to "Does X train on your data?", led by the tier most readers use, then other tiers and regions."""
    groups = _ordered_groups(tool)
    first = _lead_clause(groups[0], tool, everywhere=len(groups) == 1)
    return " ".join([first, *(_listed(g) for g in groups[1:]), *_regional_clauses(tool)])


def summary(tool: Tool) -> str:
    """One line for lists and search results: every tier group, each named, then regional differences."""
    return " ".join([*(_capital(_listed(g)) for g in _ordered_groups(tool)), *_regional_clauses(tool)])


def plan_sentence(tool: Tool, plan: Plan) -> str:
    """One sentence for a tier (or a region variant of it) in the table."""
    training = plan.training
    if training is Training.default_on:
        if has_opt_out(plan):
            return f"{tool.vendor} uses your data for training unless you opt out: {_how_to_opt_out(plan, tool)}."
        return f"{tool.vendor} uses your data for training by default; how to opt out is not documented."
    if training is Training.default_on_no_opt_out:
        return f"{tool.vendor} uses your data for training, and no opt-out is offered."
    if training is Training.opt_in:
        return f"{tool.vendor} uses your data for training only if you opt in."
    if training is Training.off:
        return f"{tool.vendor} does not use your data on this plan for training."
    return f"Whether {tool.vendor} trains on data from this plan is not documented."


def caveat_sentence(tool: Tool, caveat: Caveat) -> str:
    """A qualification of a verdict, worded from its kind (the detail names what the kind needs)."""
    vendor, detail = tool.vendor, caveat.detail
    return {
        CaveatKind.feedback_used: f"Feedback you send {vendor} (such as a thumbs up or down) can still be used for training, whatever the setting.",
        CaveatKind.flagged_content_used: f"Content flagged for safety review can still be used by {vendor} to train its models, whatever the setting.",
        CaveatKind.program_opt_in: f"This changes if your organisation joins {detail}: then {vendor} may train on its data.",
        CaveatKind.third_party_platform: f"Your data also falls under the terms of {detail}.",
        CaveatKind.public_content_used: f"{_capital(detail or 'public content')} can be used for training whatever the setting.",
    }[caveat.kind]


def caveat_sentences(tool: Tool, plan: Plan) -> list[str]:
    return [caveat_sentence(tool, c) for c in plan.caveats]


def tier_sentence(tool: Tool, plan: Plan) -> str:
    """The tier row's full text: the verdict, then what qualifies it."""
    return " ".join([plan_sentence(tool, plan), *caveat_sentences(tool, plan)])


def opt_out_answers(tool: Tool) -> list[str]:
    """"Can you opt out?": one paragraph per group of tiers (and region variant), with exact steps and side effects."""
    paragraphs = []
    for group in _ordered_groups(tool):
        paragraphs += _opt_out_paragraphs(tool, group)
    for plan in tool.plans:
        for view in differing_variants(plan):
            paragraphs += _opt_out_paragraphs(tool, [view])
    return paragraphs


def _opt_out_paragraphs(tool: Tool, group: list[Plan]) -> list[str]:
    plan = group[0]
    names = _names(group) + (_outside(group) if not plan.variant else "")
    if has_opt_out(plan):
        paragraphs = []
        for member in group:
            text = f"{plan_display_name(member)}: {_capital(_how_to_opt_out(member, tool))}."
            if member.opt_out.side_effects:
                text += " " + as_sentence(member.opt_out.side_effects)
            text += " " + _scope_phrase(member)
            paragraphs.append(" ".join([text, *(caveat_sentence(tool, c) for c in member.caveats if c.kind in STILL_USED)]))
        return paragraphs
    if plan.training is Training.default_on:
        return [f"{names}: your data is used for training by default, and how to opt out is not documented."]
    if plan.training is Training.default_on_no_opt_out:
        return [f"{names}: no. {tool.vendor} offers no way to stop training on your data."]
    if plan.training in {Training.off, Training.opt_in}:
        why = "your data is not used for training" if plan.training is Training.off else "training is off unless you opt in"
        return [f"{names}: nothing to do; {why}."]
    return [f"{names}: not documented, because whether this plan trains on your data is not documented."]


# Caveats that still hold after a reader opts out.
STILL_USED = {CaveatKind.feedback_used, CaveatKind.flagged_content_used, CaveatKind.public_content_used}


def _zdr_phrase(value: ZeroDataRetention) -> str:
    return _lower_first(ZDR_LABELS[value])


def _dpa_phrase(value: DPA) -> str:
    return DPA_LABELS[value] if value is not DPA.not_offered else "no DPA"


def retention_text(plan: Plan) -> str:
    return NOT_DOCUMENTED if plan.retention == UNKNOWN else plan.retention.summary


def human_review_text(plan: Plan) -> str:
    return NOT_DOCUMENTED if plan.human_review == UNKNOWN else plan.human_review


def zdr_dpa_answers(tool: Tool) -> list[str]:
    """"Zero retention / DPA": one sentence per group of tiers (and region variants) with the same options."""
    paragraphs = []
    views = tool.plan_views()
    keyed = [((p.zero_data_retention, p.dpa), p) for p in views]
    order: list[tuple] = []
    for key, _ in keyed:
        if key not in order:
            order.append(key)
    for key in order:
        plans = [p for k, p in keyed if k == key]
        zdr, dpa = key
        paragraphs.append(f"{_names(plans)}: {_zdr_phrase(zdr)}; {_dpa_phrase(dpa)}.")
    return paragraphs


def retention_answers(tool: Tool) -> list[str]:
    return [f"{plan_display_name(p)}: {as_sentence(p.retention.summary)}" for p in tool.plan_views()
            if p.retention != UNKNOWN and (p.variant is None or "retention" in p.variant.overrides)]


def badge_set(tool: Tool, plan: Plan | None = None) -> BadgeSet:
    """Badges for one tier (by default the tier most readers use), captioned with that tier."""
    plan = plan or tool.primary_plan
    fields = [Field_.training, *([Field_.opt_out] if trains_by_default(plan) else []), Field_.zero_data_retention]
    return BadgeSet(plan, badge_caption(tool, plan), [badge(plan, field) for field in fields])


def badge(plan: Plan, field: Field_) -> Badge:
    value = plan_value(plan, field)
    return Badge(label(field, value), value_tone(plan, field), field.value, value)


def value_tone(plan: Plan, field: Field_) -> str:
    """The colour of a badge: bad, warn, good or unknown (the text carries the meaning)."""
    if field is Field_.training:
        return training_tone(plan.training)
    if field is Field_.opt_out:
        if plan.opt_out.mechanism is OptOutMechanism.unknown:
            return "unknown"
        return "warn" if plan.opt_out.mechanism in OPT_OUT_WAYS else ("bad" if trains_by_default(plan) else "good")
    value = plan_value(plan, field)
    if value == UNKNOWN:
        return "unknown"
    return "good" if value in {"available", "on_request", "public"} else "warn"


def badges(tool: Tool) -> list[Badge]:
    """Badges for the tier most readers use (badge_set says which tier that is)."""
    return badge_set(tool).badges


def badge_caption(tool: Tool, plan: Plan) -> str:
    others = " Other plans differ." if tiers_differ(tool) or differing_variants(plan) else ""
    return f"For {plan_display_name(plan)} ({_lower_first(audience_label(plan.audience))}).{others}"


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
    """Full answers for search engines (JSON-LD); the page itself points each question at its section."""
    name = tool.name
    confidential = (
        "It depends on your plan tier. " + " ".join(f"{plan_display_name(p)}: {tier_sentence(tool, p)}" for p in tool.plans)
        if tiers_differ(tool)
        else tier_sentence(tool, tool.primary_plan)
    )
    regional = " ".join(f"{_capital(plan_display_name(v))}: {plan_sentence(tool, v)}" for p in tool.plans for v in differing_variants(p))
    return [
        Answer(f"Does {name} train its AI models on my data?", headline(tool)),
        Answer(f"Can I opt out of {name} training on my data?", " ".join(opt_out_answers(tool))),
        Answer(f"Does {name} offer zero data retention (ZDR) or a DPA?", " ".join(zdr_dpa_answers(tool))),
        Answer(
            f"Is {name} safe to use with confidential or proprietary data?",
            " ".join(filter(None, [confidential, regional])) + f" Always confirm current terms with {tool.vendor} "
            "before sending confidential data: this is cited public information, not legal advice.",
        ),
    ]


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
    """One sentence for a reader's tool × plan × region × setting, with its caveats, confidence and quotes."""
    if setting_state not in setting_states(plan):
        setting_state = "default"
    where = plan_display_name(plan)
    training = plan.training
    evidence = list(tool.evidence_of(plan, Field_.training))
    caveats = [c for c in plan.caveats]
    if training is Training.default_on and setting_state == "opted_out":
        sentence = f"On {where}, with training turned off, {tool.vendor} does not use your new data for training. {_scope_phrase(plan)}"
        evidence += tool.evidence_of(plan, Field_.opt_out)
        caveats = [c for c in caveats if c.kind in STILL_USED] + [c for c in caveats if c.kind not in STILL_USED]
    elif training is Training.default_on:
        tail = f"; {_how_to_opt_out(plan, tool)}." if has_opt_out(plan) else "; how to opt out is not documented."
        sentence = f"On {where}, {tool.vendor} uses your data for training by default" + tail
        evidence += tool.evidence_of(plan, Field_.opt_out) if has_opt_out(plan) else []
    elif training is Training.default_on_no_opt_out:
        sentence = f"On {where}, {tool.vendor} uses your data for training and offers no opt-out."
        evidence += tool.evidence_of(plan, Field_.opt_out)
    elif training is Training.opt_in and setting_state == "opted_in":
        sentence = f"On {where}, you opted in, so {tool.vendor} may use your data for training."
    elif training is Training.opt_in:
        sentence = f"On {where}, {tool.vendor} does not use your data for training unless you opt in."
    elif training is Training.off:
        sentence = f"On {where}, {tool.vendor} does not use your data for training."
    else:
        sentence = f"On {where}, whether {tool.vendor} trains on your data is not documented."
    ids = {e for c in caveats for e in c.evidence}
    evidence += [e for e in tool.evidence if e.id in ids]
    return Situation(sentence, tool.confidence.value, plan, tuple(evidence), tuple(caveat_sentence(tool, c) for c in caveats))


def region_answer_note(tool: Tool, plan: Plan, region: str | None) -> str | None:
    """Why the region did or did not change the answer, shown under a "my situation" sentence."""
    if plan.variant is not None:
        return as_sentence(plan.variant.note) if plan.variant.note else None
    if region:
        elsewhere = [r.value for v in plan.regional for r in v.regions]
        tail = f" This is the answer everywhere except {regions_phrase(elsewhere)}." if elsewhere else ""
        return f"{tool.vendor} documents no separate terms for {regions_phrase([region])} on this plan.{tail}"
    return None


# ---------------------------------------------------------------- changes


def change_sentence(plan_name: str, field: str, before: str, after: str) -> str:
    """One published or historical verdict change, e.g. 'Free / Plus: Training on your data changed from … to …'."""
    which = Field_(field)
    # Free-text values (retention) end in their own stop; inside quotes mid-sentence it would double the sentence's.
    before_text, after_text = label(which, before).rstrip("."), label(which, after).rstrip(".")
    return f"{plan_name}: {FIELD_NAMES[which]} changed from “{before_text}” to “{after_text}”."


def change_title(tool_name: str, plan_name: str, field: str, after: str) -> str:
    """A short title for a feed entry, an email subject or a timeline mark."""
    which = Field_(field)
    return f"{plan_with_tool(tool_name, plan_name)}: {label(which, after)}"


def no_changes_text(tool: Tool) -> str:
    return f"No verdict change recorded for {tool.name} since we started tracking it (last verified {tool.last_verified})."


def badge_text(tool: Tool) -> str:
    """The embeddable badge's right half: the verdict of the tier most readers use, naming that tier."""
    plan = tool.primary_plan
    return f"{TRAINING_LABELS[plan.training]} · {plan.name}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    # Labels start with a capital; inside a sentence they read lower-case, except acronyms such as "DPA".
    return text if text[:3].isupper() else text[:1].lower() + text[1:]


__all__ = [name for name in dir() if not name.startswith("_") and name not in {"annotations", "dataclass"}]
