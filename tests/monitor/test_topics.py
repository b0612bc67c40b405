"""Topic tagging on a labelled table of real passages from the policy corpus (topic_passages.tsv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from doesittrain.monitor.topics import TOPICS, spans, topics_of

TABLE = Path(__file__).parent / "topic_passages.tsv"
with open(TABLE, encoding="utf-8") as _f:
    ROWS = [(row["passage"], row["topics"].split(",")) for row in csv.DictReader(_f, delimiter="\t", quoting=csv.QUOTE_NONE)]


@pytest.mark.parametrize("passage,expected", ROWS, ids=[p[:40] for p, _ in ROWS])
def test_each_labelled_passage_gets_its_topics(passage, expected):
    assert topics_of(passage) == expected


def test_the_table_covers_every_topic():
    assert {t for _, topics in ROWS for t in topics} == {*TOPICS, "other"}


def test_spans_point_at_the_words_that_set_a_topic():
    passage = "We may use your chats to train our models."
    assert [(passage[s:e], topic) for s, e, topic in spans(passage)] == [("train", "training")]
