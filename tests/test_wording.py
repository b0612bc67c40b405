"""The one table of labels: every stored value has exactly one label, no two values share one, and every label is
explained on /methodology. Other tests read labels from this module instead of repeating them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import doesittrain

from doesittrain import wording
from doesittrain.dataset.schema import DPA, Field_, OptOutMechanism, Region, Training, ZeroDataRetention

# The table, pinned once: a change of wording shows up here, and only here.
LABELS = {
    Field_.training: {
        "default_on": "Trains on your data by default",
        "default_on_no_opt_out": "Trains on your data, no opt-out",
        "opt_in": "Trains only if you opt in",
        "off": "Does not train on your data",
        "unknown": "Training not documented",
    },
    Field_.opt_out: {
        "settings_toggle": "Opt-out in settings",
        "privacy_request": "Opt-out by privacy request",
        "email_request": "Opt-out by email",
        "admin_setting": "Opt-out by an admin",
        "not_offered": "No opt-out",
        "not_needed": "No opt-out needed",
        "unknown": "Opt-out not documented",
    },
    Field_.zero_data_retention: {
        "available": "Zero retention available",
        "on_request": "Zero retention on request",
        "enterprise_only": "Zero retention for Enterprise only",
        "not_offered": "No zero-retention option",
        "unknown": "Zero retention not documented",
    },
    Field_.dpa: {
        "public": "DPA published",
        "on_request": "DPA on request",
        "not_offered": "No DPA",
        "unknown": "DPA not documented",
    },
}
ENUMS = {Field_.training: Training, Field_.opt_out: OptOutMechanism, Field_.zero_data_retention: ZeroDataRetention, Field_.dpa: DPA}


@pytest.mark.parametrize("field", list(LABELS))
def test_each_value_has_its_one_label(field):
    assert {value.value for value in ENUMS[field]} == set(LABELS[field])
    assert {value: wording.label(field, value) for value in LABELS[field]} == LABELS[field]


def test_no_two_values_share_a_label_and_an_unknown_says_which_fact_is_missing():
    every = [label for labels in LABELS.values() for label in labels.values()]
    assert len(every) == len(set(every))
    assert all("not documented" in labels["unknown"] for labels in LABELS.values())


@pytest.mark.parametrize("field", list(LABELS))
def test_the_glossary_explains_every_label_with_an_example(field):
    entries = wording.GLOSSARY[field]
    assert {value.value for value in entries} == set(LABELS[field])
    for meaning, example in entries.values():
        assert meaning.endswith(".") and example


def test_free_text_fields_are_shown_as_written_and_unknown_as_not_documented():
    assert wording.label(Field_.retention, "Kept for 30 days.") == "Kept for 30 days."
    assert wording.label(Field_.human_review, "unknown") == wording.NOT_DOCUMENTED


def test_every_region_code_has_a_picker_name_and_a_name_inside_a_sentence():
    assert set(wording.REGION_CHOICES) == {""} | {r.value for r in Region}
    assert wording.regions_phrase(["EU", "UK"]) == "the EU/EEA and the UK"


def test_the_licence_line_names_each_licence_once():
    line = wording.DATA_LICENCE
    assert line.count("CC BY 4.0") == 1 and line.count("ODC-BY 1.0") == 1 and line.count("Apache-2.0") == 1


# ---------------------------------------------------------------- no reader-facing words elsewhere

PACKAGE = Path(doesittrain.__file__).parent
# The site and the emails speak to readers; command-line output and logs speak to operators and stay where they are.
READER_FACING = [*sorted((PACKAGE / "web").glob("*.py")), PACKAGE / "notify" / "emails.py"]
OPERATOR_FACING = {"commands.py", "build.py"}
PHRASE = re.compile(r"\b[A-Za-z][a-z’']+(?: [A-Za-z][a-z’']*){2,}")
LOGGING = {"debug", "info", "warning", "error", "exception", "critical"}
# Elements whose text a reader reads as a name: titles, headings, table headers, buttons, labels, summaries.
NAMING = re.compile(r"<(title|h1|h2|h3|th|button|label|legend|summary|option|figcaption|caption)\b[^>]*>(.*?)</\1>", re.S)
TITLE_BLOCK = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)
SITE_NAME = "doesittrain"


def _phrases_in_module(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))  # docstrings
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOGGING:
            skip.update(id(part) for arg in node.args for part in ast.walk(arg))
    return [f"{path.name}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip and PHRASE.search(n.value)]


def test_the_site_and_the_emails_write_no_phrase_of_their_own_in_python():
    found = [p for path in READER_FACING if path.name not in OPERATOR_FACING for p in _phrases_in_module(path)]
    assert found == []


def test_templates_name_nothing_in_words_of_their_own():
    found = []
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        text = path.read_text()
        for inner in [m.group(2) for m in NAMING.finditer(text)] + TITLE_BLOCK.findall(text):
            literal = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}|<[^>]+>", " ", inner, flags=re.S).replace(SITE_NAME, "")
            if re.search(r"[A-Za-z]{2,}", literal):
                found.append(f"{path.relative_to(PACKAGE)}: {' '.join(literal.split())}")
    assert found == []
