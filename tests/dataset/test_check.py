"""`doesittrain check`: each bad file produces exactly the message an editor needs, at the right line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.dataset.check import check_folder

TODAY = dt.date(2026, 11, 28)


def _edit(example_dataset: Path, tmp_path: Path, old: str, new: str, name: str = "exampleai.yaml") -> Path:
    text = (example_dataset / "exampleai.yaml").read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    folder = tmp_path / "tools"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text.replace(old, new, 1))
    return folder


def _errors(folder: Path) -> list[str]:
    return [str(p).split(": ", 1)[0].rsplit("/", 1)[-1] + ": " + str(p).split(": ", 1)[1]
            for p in check_folder(folder, TODAY) if p.severity == "error"]


BAD_FILES = [
    pytest.param("training: default_on\n", "training: maybe\n",
                 ["exampleai.yaml:15: plans[0].training: 'maybe' is not one of default_on, default_on_no_opt_out, opt_in, off, unknown"],
                 id="unknown-training-value"),
    pytest.param("      scope: future_only", "      scope: forever",
                 ["exampleai.yaml:20: plans[0].opt_out.scope: 'forever' is not one of future_only, past_and_future, unknown"],
                 id="unknown-scope"),
    pytest.param("    dpa: not_offered\n    caveats:", "    dpaa: not_offered\n    caveats:",
                 ["exampleai.yaml:12: plans[0].dpa: is required",
                  "exampleai.yaml:26: plans[0].dpaa: is not a field of this format (check the spelling)"],
                 id="misspelt-field"),
    pytest.param("      mechanism: settings_toggle\n", "      mechanism: not_offered\n",
                 ["exampleai.yaml:17: plans[0].opt_out.mechanism: 'not_offered' contradicts training 'default_on'"
                  " (expected one of admin_setting, email_request, privacy_request, settings_toggle, unknown)"],
                 id="opt-out-contradicts-training"),
    pytest.param("      steps: Settings → Data Controls → Improve the model for everyone\n", "",
                 ["exampleai.yaml:16: plans[0].opt_out.steps: an opt-out that exists needs its exact steps"],
                 id="opt-out-without-steps"),
    pytest.param("    source: news\n", "    source: newz\n",
                 ["exampleai.yaml:175: history[0].source: no source has id 'newz'"],
                 id="history-cites-missing-source"),
    pytest.param("  - plans: [consumer]\n    field: human_review", "  - plans: [nobody]\n    field: human_review",
                 ["exampleai.yaml:21: plans[0].human_review: is 'Conversations may be reviewed by trained staff to improve safety.'"
                  " but no evidence quotes a source for it (add evidence or write unknown)",
                  "exampleai.yaml:100: evidence[3].plans: no plan has id 'nobody'"],
                 id="known-field-without-evidence"),
    pytest.param("    after: default_on\n", "    after: opt_in\n",
                 ["exampleai.yaml:173: history[0].after: latest change says 'opt_in' but plan 'consumer' has training 'default_on'"],
                 id="history-disagrees-with-current-value"),
    pytest.param("    evidence: [consumer-training, business-training]", "    evidence: [consumer-training, gone]",
                 ["exampleai.yaml:167: myths[0].evidence[1]: no evidence has id 'gone'"],
                 id="myth-cites-missing-evidence"),
    pytest.param("    field: training\n    source: business\n", "    field: training\n    source: news\n",
                 ["exampleai.yaml:10: confidence: is high, but plans[1].training rests only on third-party sources: say"
                  " medium, or cite the vendor's own page",
                  "exampleai.yaml:10: confidence: is high, but plans[2].training rests only on third-party sources: say"
                  " medium, or cite the vendor's own page"],
                 id="high-confidence-on-third-party-sources"),
    pytest.param("      url: https://listicle.example.net/ai-privacy\n      date: 2026-02-01\n", "",
                 ["exampleai.yaml:161: myths[0].appeared: give the date the page prints (date) or, if it prints none,"
                  " when the claim was seen there (seen)",
                  "exampleai.yaml:161: myths[0].appeared.url: link the page where the claim appeared"],
                 id="myth-without-link-or-date"),
    pytest.param("    quote: We may use the content you provide to train our models, unless you opt out.",
                 "    quote: We may use the content you provide to train …",
                 ["exampleai.yaml:87: evidence[0].quote: is trimmed with an ellipsis: quote whole sentences"],
                 id="trimmed-quote"),
    pytest.param("  - id: help-controls", "  - id: privacy",
                 ["exampleai.yaml:65: sources[1].id: duplicate id 'privacy'",
                  "exampleai.yaml:91: evidence[1].source: no source has id 'help-controls'"],
                 id="duplicate-source-id"),
    pytest.param("official_site: https://example.com", "official_site: not a url",
                 ["exampleai.yaml:6: official_site: input should be a valid URL, relative URL without a base"],
                 id="bad-url"),
    pytest.param("      - regions: [EU, UK]", "      - regions: [EU, XX]",
                 ["exampleai.yaml:31: plans[0].regional[0].regions[1]: 'XX' is not one of EU, UK, CH, US, CA, BR, KR, JP, IN, AU, CN"],
                 id="region-code-not-in-the-list"),
    pytest.param("  - id: eu-training\n    plans: [consumer]\n    regions: [EU, UK]", "  - id: eu-training\n    plans: [consumer]",
                 ["exampleai.yaml:33: plans[0].regional[0].training: is 'opt_in' in EU, UK but no evidence with regions EU, UK"
                  " quotes a source for it (add evidence or write unknown)"],
                 id="region-variant-without-its-own-evidence"),
    pytest.param("    regions: [EU, UK]\n    field: opt_out", "    regions: [EU, US]\n    field: opt_out",
                 ["exampleai.yaml:128: evidence[8].regions[1]: plan 'consumer' has no variant for US"],
                 id="evidence-for-a-region-without-a-variant"),
    pytest.param("        retention: unknown\n        dpa: unknown\n",
                 "        retention: unknown\n        dpa: unknown\n      - regions: [UK]\n        dpa: public\n",
                 ["exampleai.yaml:38: plans[0].regional[1].regions[0]: UK already has a variant (regional[0])",
                  "exampleai.yaml:39: plans[0].regional[1].dpa: is 'public' in UK but no evidence with regions UK quotes a"
                  " source for it (add evidence or write unknown)"],
                 id="two-variants-for-one-region"),
    pytest.param("        evidence: [consumer-feedback]", "        evidence: [nothing]",
                 ["exampleai.yaml:29: plans[0].caveats[0].evidence[0]: no evidence has id 'nothing'"],
                 id="caveat-cites-missing-evidence"),
    pytest.param("    url: https://help.example.com/data-controls", "    url: https://tinyurl.com/abc123",
                 ["exampleai.yaml:68: sources[1].kind: 'help_page' is a vendor's own page, but tinyurl.com is a link"
                  " shortener, preview build or proxy: link the vendor's page or use kind news/third_party_tracker"],
                 id="vendor-kind-on-a-link-shortener"),
    pytest.param("slug: exampleai", "slug: Example AI",
                 ["exampleai.yaml:2: slug: string should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'"],
                 id="bad-slug"),
    pytest.param("plans:\n", "plans: [\n",
                 ["exampleai.yaml:12: is not valid YAML: did not find expected node content"],
                 id="broken-yaml"),
]


@pytest.mark.parametrize("old, new, expected", BAD_FILES)
def test_bad_file_gives_exact_messages(example_dataset, tmp_path, old, new, expected):
    folder = _edit(example_dataset, tmp_path, old, new)
    assert _errors(folder) == expected


def test_the_example_passes_with_only_a_warning_for_the_undated_source(example_dataset):
    problems = check_folder(example_dataset, TODAY)
    assert [p.severity for p in problems] == ["warning"]
    assert "sources[1].published: the source prints no date" in str(problems[0])


def test_steps_with_a_second_sentence_are_a_warning(example_dataset, tmp_path):
    folder = _edit(example_dataset, tmp_path, "      steps: Settings → Data Controls → Improve the model for everyone\n",
                   "      steps: Open Settings. Then Data Controls → Improve the model for everyone\n")
    warnings = [str(p) for p in check_folder(folder, TODAY) if p.severity == "warning" and "steps" in p.path]
    assert warnings == [f"{folder / 'exampleai.yaml'}:18: warning: plans[0].opt_out.steps: write the steps as one path or "
                        "clause, since answers quote them inside a sentence; say more in side_effects or the plan's notes"]


def test_stale_verification_is_a_warning_not_an_error(example_dataset):
    problems = check_folder(example_dataset, dt.date(2027, 12, 1))
    assert not [p for p in problems if p.severity == "error"]
    assert any("verified 395 days ago" in str(p) for p in problems)


def test_alias_used_by_two_tools_is_an_error(example_dataset, tmp_path):
    folder = _edit(example_dataset, tmp_path, "x", "x")
    other = (folder / "exampleai.yaml").read_text().replace("slug: exampleai", "slug: othertool").replace("name: ExampleAI", "name: Other")
    (folder / "othertool.yaml").write_text(other)
    messages = [str(p) for p in check_folder(folder, TODAY) if p.severity == "error"]
    assert any("othertool.yaml:7: aliases[0]: 'example chat' is already used by 'exampleai'" in m for m in messages)


def test_slug_must_match_file_name(example_dataset, tmp_path):
    folder = _edit(example_dataset, tmp_path, "x", "x", name="renamed.yaml")
    assert _errors(folder) == ["renamed.yaml:2: slug: 'exampleai' does not match the file name 'renamed.yaml'"]


def test_yaml_off_stays_a_string_not_false(example_dataset, tmp_path):
    folder = _edit(example_dataset, tmp_path, "    training: 'off'", "    training: off")
    assert _errors(folder) == []


def test_cli_exits_1_on_errors_and_0_on_warnings(example_dataset, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", "--dataset", str(example_dataset), "--today", "2026-11-28"])
    assert ok.exit_code == 0, ok.output
    assert "1 files checked: 0 errors, 1 warnings" in ok.output
    folder = _edit(example_dataset, tmp_path, "training: default_on\n", "training: maybe\n")
    bad = runner.invoke(cli, ["check", "--dataset", str(folder)])
    assert bad.exit_code == 1
    assert "plans[0].training: 'maybe' is not one of" in bad.output


def test_cli_names_a_missing_folder(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--dataset", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such dataset folder" in result.output
    assert "Traceback" not in result.output


def test_a_recheck_takes_unchanged_files_from_the_cache_and_rereads_changed_ones(example_dataset, tmp_path):
    folder = _edit(example_dataset, tmp_path, "x", "x")
    cache = tmp_path / "cache" / "check.json"
    first = check_folder(folder, TODAY, cache)
    assert check_folder(folder, TODAY, cache) == first == check_folder(folder, TODAY)

    stored = json.loads(cache.read_text())
    [key] = stored["files"]
    stored["files"][key][0] = [[1, "slug", "a finding kept in the cache", "error"]]
    cache.write_text(json.dumps(stored))
    assert [p.message for p in check_folder(folder, TODAY, cache)][0] == "a finding kept in the cache"

    (folder / "exampleai.yaml").write_text((folder / "exampleai.yaml").read_text().replace("training: default_on\n", "training: maybe\n", 1))
    assert "'maybe' is not one of" in str(check_folder(folder, TODAY, cache)[0])


def test_the_cache_is_dropped_when_the_checking_code_changes(example_dataset, tmp_path):
    cache = tmp_path / "check.json"
    check_folder(example_dataset, TODAY, cache)
    stored = json.loads(cache.read_text())
    stored["code"] = "an older version"
    for findings in stored["files"].values():
        findings[0] = []
    cache.write_text(json.dumps(stored))
    assert [p.severity for p in check_folder(example_dataset, TODAY, cache)] == ["warning"]


def test_staleness_is_judged_against_today_even_from_the_cache(example_dataset, tmp_path):
    cache = tmp_path / "check.json"
    assert not any("days ago" in str(p) for p in check_folder(example_dataset, TODAY, cache))
    assert any("verified 395 days ago" in str(p) for p in check_folder(example_dataset, dt.date(2027, 12, 1), cache))
    assert any("is in the future" in str(p) for p in check_folder(example_dataset, dt.date(2020, 1, 1), cache))


def test_a_damaged_cache_counts_as_empty(example_dataset, tmp_path):
    cache = tmp_path / "check.json"
    cache.write_text("{not json")
    assert [p.severity for p in check_folder(example_dataset, TODAY, cache)] == ["warning"]
    assert json.loads(cache.read_text())["files"]
