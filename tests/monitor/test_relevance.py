"""Which changes are material for editors: on the labelled set of real changes, and rule by rule."""

from __future__ import annotations

import pytest

from doesittrain.monitor.diff import compare

from labelled_changes import labels, score

FILLER = [f"Clause {i} covers monthly billing for every plan we sell in the region." for i in range(3)]


def material(old: str, new: str, *, old_rest: tuple[str, ...] = (), new_rest: tuple[str, ...] = ()) -> bool:
    return compare([old, *FILLER, *old_rest], [new, *FILLER, *new_rest]).material


@pytest.fixture(scope="module")
def result():
    return score()


def test_the_labelled_set_holds_every_real_change_with_a_reason():
    labelled = labels()
    assert len(labelled) == 119 and sum(item.material for item in labelled) == 61
    assert all(item.reason for item in labelled)
    assert all(item.topics for item in labelled if item.material)


def test_material_precision_is_at_least_90_percent_at_recall_of_at_least_95_percent(result):
    assert result.recall >= 0.95, [item.path for item in result.missed]
    assert result.precision >= 0.90, [item.path for item in result.false_alarms]


def test_no_change_to_what_a_page_says_about_training_is_missed(result):
    assert result.training_missed == []


def test_a_negation_added_to_a_training_sentence_is_material():
    change = compare(["We train our models on your chats."] + FILLER, ["We do not train our models on your chats."] + FILLER)
    assert change.material and change.topics == ["training"]


def test_a_changed_retention_period_is_material():
    assert material("We delete your chats within 30 days.", "We delete your chats within 90 days.")


def test_a_link_annotation_is_not_material():
    assert not material("See here for the data used to train our models.",
                        "See here(opens in a new window) for the data used to train our models.")


def test_a_renamed_plan_is_not_material_but_a_plan_swapped_in_one_sentence_is():
    assert not material("Data from ChatGPT Team is not used for training.", "Data from ChatGPT Business is not used for training.")
    pro_lives_on = ("Le Chat Pro costs 15 euros a month.",)
    assert material("If you use Le Chat Pro we train on your chats.", "If you use Le Chat Team we train on your chats.",
                    old_rest=pro_lives_on, new_rest=pro_lives_on)


def test_function_words_plurals_and_cross_references_are_not_material():
    assert not material("We keep your data as long as described in Section 4.", "We keep the data as long as described in Section 3.")
    assert not material("We never use these services to train models.", "We never use this service to train models.")


def test_a_renumbered_list_item_is_not_material_but_a_number_opening_a_sentence_is():
    assert not material("4.1. We retain your chats for 30 days.", "5.1. We retain your chats for 30 days.")
    assert material("30 days after you delete a chat, we erase it from our servers.",
                    "90 days after you delete a chat, we erase it from our servers.")


def test_a_table_of_contents_entry_is_not_material():
    assert not compare(FILLER, [*FILLER, "Retention", "Data controls"]).material


def test_a_sentence_re_wrapped_over_lines_is_not_material():
    sentence = "We may share your personal data with service providers who host our servers for us."
    wrapped = ["We may share your personal data with service", "providers who host our servers for us."]
    assert not compare([sentence, *FILLER], [*wrapped, *FILLER]).material


def test_a_rule_of_conduct_for_the_user_is_not_material_unless_it_speaks_of_the_vendor():
    assert not material("You may not use Outputs to develop models that compete with Mistral AI or to reverse engineer the Services.",
                        "You may not use Outputs to develop models.")
    assert material("You agree that we may use your prompts to train our models.",
                    "You agree that we may not use your prompts to train our models.")


def test_a_row_of_a_list_takes_the_topics_of_its_section_heading():
    section = ["6. Who do we share your personal data with?", "Google Cloud Platform:"]
    old = compare([*FILLER, *section, "Purpose: Cloud infrastructure for our APIs"],
                  [*FILLER, *section, "Purpose: Cloud infrastructure for Le Chat and our APIs"])
    assert old.material and old.topics == ["sharing"]
    billing = ["7. How do we bill you?", "Stripe:"]
    assert not compare([*FILLER, *billing, "Purpose: Card payments in Europe"],
                       [*FILLER, *billing, "Purpose: Card payments in Europe and the US"]).material


def test_licence_words_without_the_users_data_are_not_retention_or_sharing():
    licence = "You assign, transfer and convey all rights in the Translations, which we may host and store for any reason."
    assert not compare(FILLER, [*FILLER, licence]).material
    assert compare(FILLER, [*FILLER, "We store your conversations on servers in the United States."]).material
