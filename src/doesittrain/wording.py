"""Every reader-facing word that is not a verdict sentence: labels, titles, messages, the licence line.

`verdicts.py` builds the sentences that state a verdict; this module holds the fixed words around them, one label per
value, so pages, the API, feeds, badges and emails all say the same thing.
"""

from __future__ import annotations


# ---------------------------------------------------------------- tool page furniture

TIMELINE_CAPTION = "Each dot is a dated change; the list below says the same in words."
TIMELINE_OTHER_SETTING = "Opt-out, retention or DPA setting (values in the list below)"
FAQ_HEADING = "Frequently asked questions"
FAQ_ANSWERED_IN = "Answered in"
TIERS_HEADING = "Verdict by plan tier"
OPT_OUT_HEADING = "Can you opt out?"
ZDR_DPA_HEADING = "Zero retention / DPA"
# The page answers each FAQ question in its own section; the FAQ points there instead of repeating it.
# None stands for the direct answer, whose heading is the tool's own question.
FAQ_SECTIONS = ((None, "#answer"), (OPT_OUT_HEADING, "#opt-out"), (ZDR_DPA_HEADING, "#zdr-dpa"), (TIERS_HEADING, "#tiers"))
OPT_OUT_SIDE_EFFECT = "Side effect of opting out:"


def faq_summary(count: int) -> str:
    return f"{count} common questions, each answered above"


def as_sentence(text: str) -> str:
    """Text ending in exactly one full stop (or its own ! or ?), so joined sentences never read "years.. Human"."""
    text = text.strip().rstrip(".").rstrip()
    return text if text.endswith(("!", "?", "…")) else text + "."


def join_names(names: list[str]) -> str:
    """'Claude', 'Claude and ChatGPT', 'Claude, ChatGPT and Gemini'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def compare_title(names: list[str]) -> str:
    return f"Compare {join_names(names)}" if names else "Compare AI tools"


def plan_with_tool(tool_name: str, plan_name: str) -> str:
    """'GitHub Copilot' + 'Copilot Free' → 'GitHub Copilot Free'; 'DeepSeek' + 'DeepSeek Chat' → 'DeepSeek Chat'."""
    tool_words, plan_words = tool_name.split(), plan_name.split()
    for size in range(min(len(tool_words), len(plan_words)), 0, -1):
        if [w.lower() for w in tool_words[-size:]] == [w.lower() for w in plan_words[:size]]:
            return " ".join(tool_words + plan_words[size:])
    return f"{tool_name} {plan_name}"
