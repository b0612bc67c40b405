"""The verdict engine cannot contradict the facts it is given: checked over generated tools (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from doesittrain import verdicts, wording
from doesittrain.dataset.check import COMPATIBLE_OPT_OUTS
from doesittrain.dataset.load import load_dataset
from doesittrain.dataset.schema import DPA, Audience, OptOutMechanism, OptOutScope, Tool, Training, ZeroDataRetention

PLAN_NAMES = ["Free", "Plus", "Pro", "Team", "Enterprise", "API", "Business", "Education"]
STEPS = ["Settings → Privacy → Training", "Account → Data use → Model training"]
OPT_OUT_PROMISES = re.compile(r"you can turn it off|you can opt out|an admin can turn it off|opt-out available|Opt-out in settings|Opt-out by", re.I)


@st.composite
def region_variants(draw):
    """A variant that overrides training and opt-out (the combinations check accepts) and maybe ZDR or DPA."""
    training = draw(st.sampled_from(list(Training)))
    mechanism = draw(st.sampled_from(sorted(COMPATIBLE_OPT_OUTS[training], key=lambda m: m.value)))
    has_steps = mechanism not in {OptOutMechanism.not_offered, OptOutMechanism.not_needed, OptOutMechanism.unknown}
    variant = {
        "regions": draw(st.sampled_from([["EU"], ["EU", "UK"], ["UK"], ["US"]])),
        "note": draw(st.sampled_from([None, "Local law gives a right to object."])),
        "training": training.value,
        "opt_out": {"mechanism": mechanism.value, "steps": "Privacy Center → Object" if has_steps else None},
    }
    if draw(st.booleans()):
        variant["zero_data_retention"] = draw(st.sampled_from([z.value for z in ZeroDataRetention]))
    if draw(st.booleans()):
        variant["dpa"] = draw(st.sampled_from([d.value for d in DPA]))
    return variant


@st.composite
def plans(draw, index: int):
    training = draw(st.sampled_from(list(Training)))
    mechanism = draw(st.sampled_from(sorted(COMPATIBLE_OPT_OUTS[training], key=lambda m: m.value)))
    has_steps = mechanism not in {OptOutMechanism.not_offered, OptOutMechanism.not_needed, OptOutMechanism.unknown}
    return {
        "id": f"plan-{index}",
        "name": draw(st.sampled_from(PLAN_NAMES)) + f" {index}",
        "audience": draw(st.sampled_from([a.value for a in Audience])),
        "regional": draw(st.sampled_from([[], []]) | st.lists(region_variants(), max_size=1)),
        "training": training.value,
        "opt_out": {
            "mechanism": mechanism.value,
            "steps": draw(st.sampled_from(STEPS)) if has_steps else None,
            "side_effects": draw(st.sampled_from([None, "Chat history is turned off."])),
            "scope": draw(st.sampled_from([s.value for s in OptOutScope])),
        },
        "human_review": draw(st.sampled_from(["unknown", "Staff may read flagged chats."])),
        "retention": draw(st.sampled_from(["unknown", {"summary": "Kept for 30 days.", "days": 30}])),
        "zero_data_retention": draw(st.sampled_from([z.value for z in ZeroDataRetention])),
        "dpa": draw(st.sampled_from([d.value for d in DPA])),
    }


@st.composite
def tools(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    return Tool.model_validate({
        "slug": "generated",
        "name": "GenAI",
        "vendor": "Gen Corp",
        "category": "AI chatbot",
        "official_site": "https://gen.example",
        "last_verified": "2026-11-01",
        "confidence": draw(st.sampled_from(["high", "medium", "low"])),
        "plans": [draw(plans(i)) for i in range(count)],
        "sources": [{"id": "s", "url": "https://gen.example/p", "title": "P", "kind": "policy", "retrieved": "2026-11-01"}],
    })


def _every_text(tool: Tool) -> list[str]:
    texts = [verdicts.headline(tool), verdicts.summary(tool), *verdicts.opt_out_answers(tool), *verdicts.zdr_dpa_answers(tool)]
    texts += [b.text for b in verdicts.badges(tool)]
    texts += [a.text for a in verdicts.faq(tool)]
    texts += [verdicts.plan_sentence(tool, p) for p in tool.plan_views()]
    return texts


@settings(max_examples=300, deadline=None)
@given(tools())
def test_no_opt_out_is_promised_where_none_exists(tool):
    if not any(verdicts.has_opt_out(p) for p in tool.plan_views()):
        for text in _every_text(tool):
            assert not OPT_OUT_PROMISES.search(text), text


@settings(max_examples=300, deadline=None)
@given(tools())
def test_each_plan_sentence_promises_an_opt_out_only_if_that_plan_has_one(tool):
    for plan in tool.plan_views():
        sentence = verdicts.plan_sentence(tool, plan)
        assert bool(OPT_OUT_PROMISES.search(sentence)) == verdicts.has_opt_out(plan), sentence


@settings(max_examples=300, deadline=None)
@given(tools())
def test_it_depends_only_where_tiers_differ(tool):
    differ = len({(p.training, verdicts.has_opt_out(p)) for p in tool.plans}) > 1
    confidential = verdicts.faq(tool)[3].text
    assert ("It depends on your plan tier" in confidential) == differ
    assert ("on every plan" in verdicts.headline(tool) or "on any plan" in verdicts.headline(tool)) == (not differ)


@settings(max_examples=300, deadline=None)
@given(tools())
def test_unknown_is_always_not_documented_never_a_guess(tool):
    for plan in tool.plans:
        if plan.training is Training.unknown:
            assert verdicts.plan_label(plan) == "Training not documented"
            sentence = verdicts.plan_sentence(tool, plan)
            assert "not documented" in sentence
            assert not re.search(r"\b(uses your data|does not use)\b", sentence)
        if plan.zero_data_retention is ZeroDataRetention.unknown:
            assert verdicts.describe_value(verdicts.Field_.zero_data_retention, "unknown") == "Zero retention not documented"
    primary = tool.primary_plan
    if primary.training is Training.unknown:
        assert verdicts.headline(tool).startswith("Not documented")
        assert any(b.text == "Training not documented" for b in verdicts.badges(tool))


@settings(max_examples=300, deadline=None)
@given(tools())
def test_headline_answers_for_the_tier_most_readers_use(tool):
    primary = tool.primary_plan
    first = verdicts.headline(tool)
    expected_start = {
        Training.default_on: "Yes",
        Training.default_on_no_opt_out: "Yes",
        Training.opt_in: "Only if you opt in",
        Training.off: "No",
        Training.unknown: "Not documented",
    }[primary.training]
    assert first.startswith(expected_start)
    assert verdicts.plan_display_name(primary) in first or "every plan" in first or "any plan" in first


@settings(max_examples=200, deadline=None)
@given(tools())
def test_badges_never_say_no_opt_out_and_opt_out_available_together(tool):
    texts = [b.text for b in verdicts.badges(tool)]
    assert not ("No opt-out" in texts and any(t.startswith("Opt-out in") or t.startswith("Opt-out by") for t in texts))


@settings(max_examples=200, deadline=None)
@given(tools(), st.sampled_from(list(wording.SETTING_STATES)))
def test_situation_speaks_of_the_chosen_plan_and_never_promises_a_missing_opt_out(tool, state):
    for plan in tool.plans:
        result = verdicts.situation(tool, plan, state)
        assert verdicts.plan_display_name(plan) in result.sentence
        assert result.confidence == tool.confidence.value
        if not verdicts.has_opt_out(plan):
            assert not OPT_OUT_PROMISES.search(result.sentence)


@settings(max_examples=300, deadline=None)
@given(tools())
def test_the_headline_quotes_opt_out_steps_only_when_every_tier_it_names_shares_them(tool):
    headline = verdicts.headline(tool)
    lead = (tool.primary_plan.training, verdicts.has_opt_out(tool.primary_plan))
    named = [p for p in tool.plans if (p.training, verdicts.has_opt_out(p)) == lead]
    for steps in STEPS:
        if steps in headline:
            assert all(p.opt_out.steps == steps for p in named), headline


def test_example_headline_reads_as_one_answer(example_dataset):
    tool = load_dataset(example_dataset).tools["exampleai"]
    assert verdicts.headline(tool) == (
        "Yes, on Free / Plus outside the EU/EEA and the UK by default; you can turn it off in Settings → Data Controls"
        " → Improve the model for everyone. Team / Enterprise and API: does not train on your data."
        " Free / Plus in the EU/EEA and the UK: trains only if you opt in."
    )


@settings(max_examples=300, deadline=None)
@given(tools(), st.sampled_from(["EU", "UK", "US", "CH"]))
def test_a_reader_in_a_region_gets_that_regions_terms_and_is_told_so(tool, region):
    for plan in tool.plans:
        view = verdicts.plan_for(tool, plan.name, region)
        variant = plan.variant_for(region)
        assert view.training is (variant.training if variant and variant.training else plan.training)
        answer = verdicts.situation(tool, view)
        note = verdicts.region_answer_note(tool, view, region)
        if variant is not None:
            assert verdicts.where_phrase(view) in answer.sentence
        else:
            assert note and "no separate terms" in note


@settings(max_examples=300, deadline=None)
@given(tools())
def test_the_headline_names_every_region_whose_verdict_differs(tool):
    text = verdicts.headline(tool)
    for plan in tool.plans:
        for view in verdicts.differing_variants(plan):
            assert verdicts.plan_display_name(view) in text


def test_caveats_reach_the_answer_of_a_reader_who_opted_out(example_dataset):
    tool = load_dataset(example_dataset).tools["exampleai"]
    answer = verdicts.situation(tool, tool.plan("consumer"), "opted_out")
    assert answer.caveats == (verdicts.caveat_sentence(tool, tool.plan("consumer").caveats[0]),)
    assert "feedback-used" not in answer.caveats[0] and "thumbs up or down" in answer.caveats[0]
    assert "consumer-feedback" in {e.id for e in answer.evidence}
    assert answer.caveats[0] in verdicts.tier_sentence(tool, tool.plan("consumer"))


def test_regional_plan_wins_for_a_reader_in_that_region(example_dataset):
    tool = load_dataset(example_dataset).tools["exampleai"]
    assert verdicts.plan_for(tool, "Free / Plus", "EU").view_id == "consumer@EU+UK"
    assert verdicts.plan_for(tool, "Free / Plus", "US").id == "consumer"
    assert verdicts.plan_for(tool, "Free / Plus", None).id == "consumer"
    assert verdicts.plan_for(tool, "Nope", None) is None


def test_opting_out_changes_the_answer_and_cites_the_opt_out_quote(example_dataset):
    tool = load_dataset(example_dataset).tools["exampleai"]
    plan = tool.plan("consumer")
    default = verdicts.situation(tool, plan, "default")
    opted_out = verdicts.situation(tool, plan, "opted_out")
    assert "by default" in default.sentence
    assert "with training turned off" in opted_out.sentence
    assert "future data only" in opted_out.sentence
    assert {e.field.value for e in opted_out.evidence} == {"training", "opt_out"}
