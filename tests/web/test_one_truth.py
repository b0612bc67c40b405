"""One truth: every element that states a verdict says what the dataset says, on every page and every answer.

Elements that state a verdict carry data-tool, data-plan, data-field, data-value (and data-region for a region
variant). These tests read them back from the whole static export, from /check answers for every tool × tier ×
region × setting, from the home filters and chart, and from sites built on generated datasets with region variants.
"""

from __future__ import annotations

import re
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser
from starlette.testclient import TestClient

from doesittrain import verdicts, wording
from doesittrain.dataset.check import COMPATIBLE_OPT_OUTS
from doesittrain.dataset.load import load_dataset
from doesittrain.dataset.schema import DPA, Audience, Field_, OptOutMechanism, Training, ZeroDataRetention
from doesittrain.settings import BUNDLED_DATASET
from doesittrain.settings import load as load_settings
from doesittrain.web.app import create_app
from doesittrain.web.claims import CLAIM_FIELDS

DATASET = load_dataset(BUNDLED_DATASET)

# Words that promise a way out of training, and words that deny one.
PROMISES_OPT_OUT = re.compile(r"you can turn it off|you can opt out|an admin can turn it off|opt-out in settings|opt-out by", re.I)
DENIES_OPT_OUT = re.compile(r"no opt-out(?! needed)|offers no way to stop", re.I)
SAYS_IT_TRAINS = re.compile(r"uses your data for training(?! only if)(?! unless you opt in)|trains on your data(?!,)|\bby default\b", re.I)
SAYS_IT_DOES_NOT = re.compile(r"does not (use your (new )?data|train)", re.I)


# ---------------------------------------------------------------- the checker


def claim_faults(html: str, tools: dict, where: str) -> list[str]:
    """Every way the claims on one page disagree with the dataset or contradict themselves."""
    tree = LexborHTMLParser(html)
    faults = []
    for node in tree.css("[data-field]"):
        faults += [f"{where}: {fault}" for fault in _faults_of(node, tools)]
    for node in tree.css(".badge"):
        if "data-field" not in node.attributes:
            faults.append(f"{where}: a badge states something without saying what: {node.text()!r}")
    return faults


def _faults_of(node, tools: dict) -> list[str]:
    attrs = node.attributes
    tool = tools.get(attrs.get("data-tool"))
    if tool is None:
        return [f"claim about an unknown tool {attrs.get('data-tool')!r}"]
    plan = next((p for p in tool.plans if p.id == attrs.get("data-plan")), None)
    if plan is None:
        return [f"{tool.slug}: claim about an unknown plan {attrs.get('data-plan')!r}"]
    regions = (attrs.get("data-region") or "").split()
    view = plan.in_region(regions[0]) if regions else plan
    if sorted(r.value for r in view.regions) != sorted(regions):
        return [f"{tool.slug}/{plan.id}: data-region {regions} is not a variant of the plan"]
    field = Field_(attrs["data-field"])
    expected = verdicts.plan_value(view, field)
    text = " ".join(node.text().split())
    label = f"{tool.slug}/{view.view_id}/{field.value}"
    if attrs.get("data-value") != expected:
        return [f"{label}: data-value {attrs.get('data-value')!r}, the dataset says {expected!r}"]
    return [f"{label}: {problem} in {text!r}" for problem in text_faults(view, field, text)]


def text_faults(plan, field: Field_, text: str) -> list[str]:
    faults = []
    labels = wording.LABELS_BY_FIELD[field]
    found = [t for t in labels.values() if t in text]
    found = [t for t in found if not any(t != other and t in other for other in found)]
    own = wording.label(field, verdicts.plan_value(plan, field))
    faults += [f"label {t!r} where the data says {own!r}" for t in found if t != own]
    # A sentence promises a way out only where the plan trains by default and has one; a label may name the
    # mechanism the vendor documents even where the training default itself is not documented.
    offers = verdicts.has_opt_out(plan) or (field is Field_.opt_out and text in wording.OPT_OUT_LABELS.values()
                                            and plan.opt_out.mechanism in verdicts.OPT_OUT_WAYS)
    if field in {Field_.training, Field_.opt_out}:
        if offers and DENIES_OPT_OUT.search(text):
            faults.append("denies an opt-out that exists")
        if not offers and PROMISES_OPT_OUT.search(text):
            faults.append("promises an opt-out that does not exist")
    if field is Field_.training:
        if verdicts.trains_by_default(plan) and SAYS_IT_DOES_NOT.search(text) and "turned off" not in text:
            faults.append("says it does not train where it does by default")
        if plan.training in {Training.off, Training.opt_in} and SAYS_IT_TRAINS.search(text):
            faults.append("says it trains where it does not by default")
        if plan.training is Training.unknown and "not documented" not in text.lower():
            faults.append("does not say it is not documented")
    return faults


# ---------------------------------------------------------------- the bundled site, every page


def test_every_claim_on_every_exported_page_agrees_with_the_data(exported_site):
    pages = sorted(exported_site.rglob("*.html"))
    faults, claims = [], 0
    for page in pages:
        html = page.read_text()
        claims += html.count("data-field=")
        faults += claim_faults(html, DATASET.tools, str(page.relative_to(exported_site)))
    assert claims > 10 * len(DATASET.tools), "tool pages and home state verdicts as claims"
    assert faults == [], f"{len(faults)} faults:\n" + "\n".join(faults[:40])


def test_every_tier_and_region_variant_of_every_tool_is_stated_on_its_page(exported_site):
    missing = []
    for tool in DATASET.tools.values():
        tree = LexborHTMLParser((exported_site / "tools" / tool.slug / "index.html").read_text())
        stated = {(n.attributes["data-plan"], n.attributes.get("data-region") or "", n.attributes["data-field"])
                  for n in tree.css("#tiers [data-field]")}
        for view in tool.plan_views():
            for field in CLAIM_FIELDS:
                key = (view.id, " ".join(r.value for r in view.regions), field.value)
                if key not in stated:
                    missing.append(f"{tool.slug}: {key}")
    assert missing == []


def test_check_answers_agree_with_the_data_for_every_tool_tier_region_and_setting(bundled_client):
    faults, answers = [], 0
    for tool in DATASET.tools.values():
        for plan in tool.plans:
            for region in wording.REGION_CHOICES:
                view = plan.in_region(region)
                for state in verdicts.setting_states(view):
                    response = bundled_client.get("/check", params={"tool": tool.slug, "plan": plan.name, "region": region, "state": state})
                    assert response.status_code == 200
                    tree = LexborHTMLParser(response.text)
                    answer = tree.css_first("#result [data-field]")
                    assert answer is not None, f"{tool.slug}/{plan.id}/{region}: no answer"
                    assert (answer.attributes.get("data-region") or "") == " ".join(r.value for r in view.regions)
                    faults += claim_faults(response.text, DATASET.tools, f"/check {tool.slug}/{plan.id}/{region or '-'}/{state}")
                    answers += 1
    assert answers >= len(DATASET.tools) * len(wording.REGION_CHOICES)
    assert faults == [], f"{len(faults)} faults:\n" + "\n".join(faults[:40])


def test_meta_ai_answers_differ_by_region_and_say_so(bundled_client):
    def answer(region: str) -> str:
        page = bundled_client.get("/check", params={"tool": "meta-ai", "plan": "Meta AI (every app)", "region": region}).text
        return " ".join(LexborHTMLParser(page).css_first("#result").text().split())

    assert "you can opt out with a privacy request" in answer("EU")
    assert "you can opt out with a privacy request" in answer("UK")
    us = answer("US")
    assert "offers no opt-out" in us and "no separate terms for the United States" in us
    assert "privacy request" not in us


def test_each_home_filter_matches_its_chart_bar_and_names_the_tier_that_matched(bundled_client):
    home = LexborHTMLParser(bundled_client.get("/").text)
    bar = home.css_first('[data-chart-audience="consumer"] [data-chart-tone="bad"]')
    filtered = LexborHTMLParser(bundled_client.get("/", params={"trains": "1"}).text)
    rows = filtered.css("#tool-table tbody tr")
    assert int(bar.attributes["data-count"]) == len(rows)
    assert len(rows) == sum(verdicts.audience_tone(t, "consumer") == "bad" for t in DATASET.tools.values())
    zdr = LexborHTMLParser(bundled_client.get("/", params={"zdr": "1"}).text)
    for row in zdr.css("#tool-table tbody tr"):
        matched = row.css('.matched [data-field="zero_data_retention"]')
        assert matched, row.text()
        assert all(ZeroDataRetention(m.attributes["data-value"]) in verdicts.ZDR_USABLE for m in matched)
    assert claim_faults(zdr.html, DATASET.tools, "/?zdr=1") == []


def test_the_embeddable_badge_names_the_tier_it_speaks_for(bundled_client):
    svg = bundled_client.get("/tools/claude/badge.svg").text
    assert f"{verdicts.plan_label(DATASET.tools['claude'].primary_plan)} · Free / Pro / Max" in svg
    assert 'data-plan="consumer"' in svg and 'data-value="default_on"' in svg


# ---------------------------------------------------------------- generated datasets


@st.composite
def generated_plan(draw, index: int):
    def verdict():
        training = draw(st.sampled_from(list(Training)))
        mechanism = draw(st.sampled_from(sorted(COMPATIBLE_OPT_OUTS[training], key=lambda m: m.value)))
        steps = "Settings → Privacy → Training" if mechanism not in {
            OptOutMechanism.not_offered, OptOutMechanism.not_needed, OptOutMechanism.unknown} else None
        return training.value, {"mechanism": mechanism.value, **({"steps": steps} if steps else {})}

    training, opt_out = verdict()
    plan = {
        "id": f"plan-{index}", "name": f"Tier {index}",
        "audience": draw(st.sampled_from([a.value for a in Audience])),
        "training": training, "opt_out": opt_out,
        "zero_data_retention": draw(st.sampled_from([z.value for z in ZeroDataRetention])),
        "dpa": draw(st.sampled_from([d.value for d in DPA])),
    }
    if draw(st.booleans()):
        v_training, v_opt_out = verdict()
        plan["regional"] = [{"regions": draw(st.sampled_from([["EU"], ["EU", "UK"], ["US"]])), "training": v_training,
                             "opt_out": v_opt_out, "dpa": draw(st.sampled_from([d.value for d in DPA]))}]
    return plan


@st.composite
def generated_tool(draw, slug: str):
    plans = [draw(generated_plan(i)) for i in range(draw(st.integers(1, 3)))]
    evidence = []
    for plan in plans:
        for view, regions in [(plan, None), *((v, v["regions"]) for v in plan.get("regional", []))]:
            for field in ("training", "opt_out", "zero_data_retention", "dpa"):
                if field not in view:
                    continue
                evidence.append({"plans": [plan["id"]], **({"regions": regions} if regions else {}), "field": field,
                                 "source": "policy", "quote": f"{slug} {plan['id']} {regions} {field}.", "supports": "Generated."})
    return {
        "slug": slug, "name": slug.capitalize(), "vendor": f"{slug.capitalize()} Inc", "category": "AI chatbot",
        "official_site": f"https://{slug}.example", "last_verified": "2026-11-01", "confidence": "medium",
        "plans": plans, "evidence": evidence,
        "sources": [{"id": "policy", "url": f"https://{slug}.example/privacy", "title": "Privacy", "kind": "policy",
                     "published": "2026-10-01", "retrieved": "2026-11-01"}],
    }


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.tuples(generated_tool("alpha"), generated_tool("beta")))
def test_no_page_answer_badge_filter_or_chart_contradicts_a_generated_dataset(tmp_path_factory, tools):
    folder = tmp_path_factory.mktemp("dataset")
    for tool in tools:
        (folder / f"{tool['slug']}.yaml").write_text(yaml.safe_dump(tool, sort_keys=False, allow_unicode=True))
    dataset = load_dataset(folder)
    assert not dataset.problems, dataset.problems
    home = tmp_path_factory.mktemp("home")
    app_settings = load_settings(environ={}, home=str(home), dataset=str(folder), secret_key="t", site_url="https://t.test")
    faults = []
    with TestClient(create_app(app_settings)) as client:
        pages = ["/", "/?trains=1", "/?no_opt_out=1", "/?zdr=1", "/compare?tools=alpha,beta",
                 *(f"/tools/{slug}" for slug in dataset.tools)]
        for tool in dataset.tools.values():
            for plan in tool.plans:
                for region in ("", "EU", "US"):
                    for state in verdicts.setting_states(plan.in_region(region)):
                        pages.append(f"/check?tool={tool.slug}&plan={plan.name}&region={region}&state={state}")
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            faults += claim_faults(response.text, dataset.tools, path)
        chart = LexborHTMLParser(client.get("/").text)
        for audience in verdicts.AUDIENCE_GROUPS:
            bar = chart.css_first(f'[data-chart-audience="{audience}"] [data-chart-tone="bad"]')
            expected = sum(verdicts.audience_tone(t, audience) == "bad" for t in dataset.tools.values())
            assert int(bar.attributes["data-count"]) == expected
        trains = LexborHTMLParser(client.get("/?trains=1").text).css("#tool-table tbody tr")
        assert len(trains) == sum(verdicts.audience_tone(t, "consumer") == "bad" for t in dataset.tools.values())
    shutil.rmtree(home, ignore_errors=True)
    assert faults == [], "\n".join(faults[:20])
