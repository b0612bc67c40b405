"""The one table of labels: every stored value has exactly one label, no two values share one, and every label is
explained on /methodology. Other tests read labels from this module instead of repeating them."""

from __future__ import annotations

import pytest

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
