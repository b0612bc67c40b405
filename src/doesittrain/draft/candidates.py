"""Which passages of the source pages most likely answer each question of the dataset, best first.

Each sentence (and each pair of consecutive sentences, for answers that need their context) is scored per field
from the monitor's topic tags (monitor.topics) and a few cues of a direct answer: the field's own words, the
user's data named, the vendor speaking ("we"), and the words that decide a verdict (negations, "only", "unless",
numbers of days). Zero data retention and DPAs share one monitor topic; their own words split them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..monitor.diff import sentences
from ..monitor.evidence import critical_words
from ..monitor.relevance import material_topics
from ..monitor.topics import spans
from .sources import Read

FIELDS = ("training", "opt_out", "human_review", "retention", "zero_data_retention", "dpa")
FIELD_TOPIC = {"training": "training", "opt_out": "opt_out", "human_review": "human_review", "retention": "retention",
               "zero_data_retention": "zero_retention_dpa", "dpa": "zero_retention_dpa"}
# The field's own words, strong (a passage with them answers the question) and weak (it touches it).
FIELD_WORDS = {
    "training": (r"\btrain(?:s|ed|ing)?\b (?:\w+ ){0,4}(?:models?|ai|artificial intelligence|algorithms?)|"
                 r"(?:to|for) (?:the )?(?:re)?train|model (?:training|improvement)|improv\w* (?:our |the |its )?(?:ai )?models?|"
                 r"fine-?tun\w* (?:our |its )?models?|(?:develop|build)\w* (?:our |new )?(?:ai |artificial intelligence )?models?|"
                 r"训练",
                 r"\btrain\w*|improv\w* (?:and \w+ )?(?:our |the )?services|machine learning|research"),
    "opt_out": (r"\bopt(?:-| )?(?:out|in)\b|\bopted\b|(?:turn|switch)(?:ed|ing)? (?:it )?off|toggle|data controls|"
                r"without your (?:explicit |prior )?(?:consent|permission)|撤回|关闭",
                r"settings?\b|object to|withdraw (?:your )?consent|\bdisable|preferences|\bmanage\b"),
    "human_review": (r"human (?:review|reviewers|annotat)|\breviewers?\b|manual(?:ly)? review|\(human\)|listen to|"
                     r"(?:staff|personnel|employees|contractors|team members|humans?)\b[^.]{0,60}\b(?:access|review|view|"
                     r"read|look|listen)|monitor\w* (?:\w+ ){0,4}(?:content|conversations|data|communications|interactions)|"
                     r"人工",
                     # "please review these terms" is the reader reviewing, not the vendor
                     r"\breview\w*(?! (?:the |these |our |this |any |its )?(?:terms|polic\w*|privacy|agreement|additional))|"
                     r"\bmonitor\w*|annotat\w*|\baccess\w*"),
    "retention": (r"\bretain(?:s|ed)?\b|retention|\b\d+ (?:days?|months?|years?)\b|until (?:you|the user) delete|auto-?delet|"
                  r"\b(?:keep|store|retain)s? (?:your |the )?(?:\w+ ){0,2}(?:inputs?|outputs?|content|conversations?|chats?|"
                  r"prompts?|activity|history)\b|保存|保留|删除",
                  r"\bdelet\w*|as long as|\bstor(?:e|ed|es|age)\b|\bkeep|\bkept\b|\bremov\w*"),
    "zero_data_retention": (r"zero[- ]data[- ]retention|\bzdr\b|zero retention|no data retention|"
                            r"(?:not|never) (?:be )?(?:stored|retained|logged|persisted|stor\w*|retain\w*)",
                            r"(?:deleted|discarded|erased) (?:immediately|after)|temporar\w*|\bephemeral"),
    "dpa": (r"data processing (?:addendum|agreement|terms)|\bdpa\b|数据处理协议",
            r"\bprocessor\b|sub-?processors?|standard contractual clauses|data controller|\baddendum\b"),
}
_STRONG = {field: re.compile(words[0], re.IGNORECASE) for field, words in FIELD_WORDS.items()}
_WEAK = {field: re.compile(words[1], re.IGNORECASE) for field, words in FIELD_WORDS.items()}
# Opt-outs of marketing, arbitration or cookies, and data kept for billing, answer none of the dataset's questions.
_OFF_TOPIC = re.compile(r"arbitration|class action|marketing|promotional|newsletter|advertis\w*|\bads\b|cookies?|analytics|"
                        r"payment|billing|unsubscribe|text messages|\bsms\b|sweepstakes|employment|job applicants?|"
                        r"\bsale\b|\bsell\b|subscriptions?\b|renewal|refund",
                        re.IGNORECASE)
_DPA_OFFERED = re.compile(
    r"(?:dpa|data processing (?:addendum|agreement))\W[^.]{0,100}\b(?:available|accessible|execute|sign|request|"
    r"applies|apply|governed|incorporated|posted)|\b(?:available|execute|sign|request)\w*\b[^.]{0,60}"
    r"(?:dpa|data processing (?:addendum|agreement))", re.IGNORECASE)
# Opt-outs that concern the browser, the device or what others see, not the use of one's data.
_OTHER_OPT_OUTS = re.compile(r"browser|tracking|location|device settings|permissions|personali[sz]|recommend|"
                             r"visible to other|contact you", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no|without|only|unless)\b|n't\b", re.IGNORECASE)
_USERS_DATA = re.compile(r"\b(?:your|user|customer|client)s?'? (?:\w+ ){0,2}(?:data|content|information|prompts?|inputs?|"
                         r"outputs?|conversations?|chats?|messages?|files?|recordings?)\b", re.IGNORECASE)
SHORTEST, LONGEST = 40, 600  # characters of a quotable passage
TOP = 3


@dataclass(frozen=True)
class Candidate:
    field: str
    passage: str
    source_url: str
    score: float


def passages(page: Read) -> list[str]:
    """Sentences and pairs of consecutive sentences, within one paragraph, of quotable length."""
    found: list[str] = []
    for paragraph in page.paragraphs:
        run = [part for sentence in sentences([paragraph]) for part in _CJK_SENTENCE.split(sentence) if part]
        found += run
        found += [a + b if _CJK_SENTENCE.search(a[-1:] + " ") else f"{a} {b}" for a, b in zip(run, run[1:])]
    return [p for p in dict.fromkeys(found) if SHORTEST <= len(p) <= LONGEST]


_CJK_SENTENCE = re.compile(r"(?<=[。！？；])")  # Chinese and Japanese sentences end without a space


def score(field: str, passage: str, speaker: re.Pattern[str] = re.compile(r"\b(?:we|us|our)\b", re.I)) -> float:
    """How directly `passage` answers `field`; 0 when it does not concern the field at all. `speaker` finds the
    vendor speaking ("we", or its name)."""
    strong, weak = len(_STRONG[field].findall(passage)), len(_WEAK[field].findall(passage))
    topics = material_topics(passage)
    value = 3.0 * min(strong, 3) + min(weak, 3)
    if field == "opt_out" and "training" in topics and _NEGATION.search(passage):
        value += 1 if strong else 4  # "we do not train on your data" is why no opt-out is needed
    if field == "dpa" and _DPA_OFFERED.search(passage):
        value += 3
    if field == "zero_data_retention" and "retention" in topics and _NEGATION.search(passage):
        value += 2
    if not value or not (strong or FIELD_TOPIC[field] in topics):
        return 0.0
    value += min(sum(1 for *_span, t in spans(passage) if t == FIELD_TOPIC[field]), 3)
    value += 2 if _USERS_DATA.search(passage) else 0  # every question is about what happens to the user's data
    value += 1 if speaker.search(passage) else 0
    value += 1.5 if critical_words(passage) else 0
    if _OFF_TOPIC.search(passage) or (field == "opt_out" and _OTHER_OPT_OUTS.search(passage)):
        value *= 0.4
    # Longer passages gather more hits; an editor quotes the shortest passage that settles the question.
    return value / (1 + len(passage) / 600)


def speaker_pattern(names: list[str]) -> re.Pattern[str]:
    """"We", "us", "our", or any of the tool's or vendor's names: the vendor speaking of itself."""
    words = [re.escape(n) for n in names if n.strip()]
    return re.compile(r"\b(?:we|us|our" + "".join(f"|{w}" for w in words) + r")\b", re.IGNORECASE)


def rank(pages: list[Read], names: list[str] = (), top: int = TOP) -> dict[str, list[Candidate]]:
    """The best `top` candidates per field across all pages; a passage inside a better candidate is skipped."""
    speaker = speaker_pattern(list(names))
    scored: dict[str, list[Candidate]] = {field: [] for field in FIELDS}
    for page in pages:
        for passage in passages(page):
            for field in FIELDS:
                value = score(field, passage, speaker)
                if value > 0:
                    scored[field].append(Candidate(field, passage, page.url, round(value, 2)))
    return {field: _best(candidates, top) for field, candidates in scored.items()}


def _best(candidates: list[Candidate], top: int) -> list[Candidate]:
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.score, len(c.passage))):
        if any(candidate.passage in c.passage or c.passage in candidate.passage for c in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) == top:
            break
    return chosen
