"""Which questions of the dataset a passage speaks to: the topics editors care about, from keyword patterns.

Patterns favour recall: a passage wrongly tagged costs an editor a glance, a missed one costs a wrong verdict.
"""

from __future__ import annotations

import re

TOPICS = ("training", "opt_out", "retention", "human_review", "sharing", "zero_retention_dpa")
OTHER = "other"

_PATTERNS = {
    "training": r"\btrain(?:s|ed|ing)?\b|improv\w* (?:and \w+ )?(?:our |the )?(?:models?|ai|services|model performance)|"
                r"model (?:training|improvement|development)|machine learning|(?:develop|build)\w* (?:our |new )?(?:ai )?models?|"
                r"fine-?tun|research purposes|to develop (?:and improve )?(?:our )?services",
    "opt_out": r"\bopt(?:-| )?(?:out|in)\b|\bopted\b|object to|withdraw (?:your )?consent|turn(?:ed|ing)? (?:it )?off|\bdisable|"
               r"data controls|privacy (?:portal|request)|choose (?:not )?to|unsubscribe|toggle",
    "retention": r"\bretain|retention|\bkeep\b|\bkept\b|\bstored?\b|delet\w*|\berase|\b\d+ (?:days?|months?|years?)\b|"
                 r"as long as|period of time|no longer (?:need|necessary)",
    "human_review": r"human review|\breview(?:ers?|ed)?\b|trained (?:staff|personnel|annotators?)|annotat\w*|"
                    r"(?:staff|personnel|employees|contractors) may (?:access|view|read)|manual(?:ly)? (?:review|inspect)",
    # Who else gets the data. "Third party", "affiliates" and "partners" alone also fill liability and licence
    # clauses ("claims of any third party", "hold us and our affiliates harmless", "non-transferable licence"),
    # so they count only where data goes to them.
    "sharing": r"\bshar(?:e|es|ed|ing)\b|disclos\w*|\bsell\b|\bsold\b|\bsale\b|(?<!non-)\btransfer(?:s|red|ring)?\b|"
               r"service providers?|sub-?processors?|\b(?:authorities|law enforcement)\b|"
               r"\b(?:with|to) (?:our |its |their |certain |trusted |selected )?(?:affiliates|partners|vendors|"
               r"third[- ]part(?:y|ies)|other users)\b",
    "zero_retention_dpa": r"zero[- ]data[- ]retention|\bzdr\b|data processing (?:addendum|agreement|terms)|\bdpa\b|"
                          r"sub-?processors?|(?:data )?processor\b|\baddend(?:um|a)\b|business associate",
}
_COMPILED = {topic: re.compile(pattern, re.IGNORECASE) for topic, pattern in _PATTERNS.items()}


def topics_of(passage: str) -> list[str]:
    """The topics a passage concerns, in TOPICS order; ["other"] when none."""
    found = [topic for topic in TOPICS if _COMPILED[topic].search(passage)]
    return found or [OTHER]


def spans(passage: str) -> list[tuple[int, int, str]]:
    """(start, end, topic) of every keyword match, for highlighting in the review pages."""
    hits = [(m.start(), m.end(), topic) for topic, pattern in _COMPILED.items() for m in pattern.finditer(passage)]
    return sorted(hits)
