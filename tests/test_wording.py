"""Words around the verdicts: the small helpers that keep generated text free of stutters and doubled stops."""

from __future__ import annotations

import pytest

from doesittrain import wording


@pytest.mark.parametrize("tool, plan, expected", [
    ("GitHub Copilot", "Copilot Free", "GitHub Copilot Free"),
    ("DeepSeek", "DeepSeek Chat", "DeepSeek Chat"),
    ("Le Chat", "Le Chat Pro", "Le Chat Pro"),
    ("Claude", "Free / Pro / Max", "Claude Free / Pro / Max"),
])
def test_a_plan_named_after_its_tool_is_not_named_twice(tool, plan, expected):
    assert wording.plan_with_tool(tool, plan) == expected


def test_compare_titles_list_tools_as_a_sentence_does():
    assert wording.compare_title([]) == "Compare AI tools"
    assert wording.compare_title(["Claude", "ChatGPT"]) == "Compare Claude and ChatGPT"
    assert wording.compare_title(["Claude", "ChatGPT", "Gemini"]) == "Compare Claude, ChatGPT and Gemini"


@pytest.mark.parametrize("text, expected", [
    ("kept up to 2 years.", "kept up to 2 years."), ("kept up to 2 years", "kept up to 2 years."),
    ("kept up to 2 years.. ", "kept up to 2 years."), ("Is it kept?", "Is it kept?"),
])
def test_a_sentence_ends_in_one_stop(text, expected):
    assert wording.as_sentence(text) == expected
