"""Typo-tolerant search over names, aliases and slugs, and the home filters."""

from __future__ import annotations

import pytest

from doesittrain.dataset.load import load_dataset
from doesittrain.settings import BUNDLED_DATASET
from doesittrain.web.search import SearchIndex, apply_filters, normalise


@pytest.fixture(scope="module")
def index():
    tools = load_dataset(BUNDLED_DATASET).tools
    if "claude" not in tools or "chatgpt" not in tools:
        pytest.skip("the bundled dataset lacks claude or chatgpt")
    return SearchIndex(tools)


def test_normalise_ignores_case_spaces_and_accents():
    assert normalise("Notion AI") == normalise("notion-ai") == "notionai"
    assert normalise("Le Chât") == "lechat"


@pytest.mark.parametrize("query, slug", [("claude", "claude"), ("Cluade", "claude"), ("chatgtp", "chatgpt"),
                                         ("ChatGPT Plus", "chatgpt"), ("gemni", "gemini")])
def test_names_and_typos_find_the_tool_first(index, query, slug):
    assert index.search(query)[0].tool.slug == slug


def test_nonsense_finds_nothing(index):
    assert index.search("qqqqzzzz") == []
    assert index.search("   ") == []


def test_aliases_are_searched(example_dataset):
    index = SearchIndex(load_dataset(example_dataset).tools)
    assert [m.tool.slug for m in index.search("example chat")] == ["exampleai"]


def test_filters_combine(example_dataset):
    tools = list(load_dataset(example_dataset).tools.values())
    assert apply_filters(tools, None, {"trains", "zdr"}) == tools
    assert apply_filters(tools, "Other", set()) == []
    assert apply_filters(tools, None, {"no_opt_out"}) == []


@pytest.mark.parametrize("query, slug", [
    ("WhatsApp", "meta-ai"), ("Instagram", "meta-ai"), ("Facebook", "meta-ai"), ("X", "grok"), ("Twitter", "grok"),
    ("DALL·E", "chatgpt"), ("dall-e", "chatgpt"), ("Sora", "chatgpt"), ("OpenAI", "chatgpt"), ("Anthropic", "claude"),
])
def test_products_and_vendors_find_the_tool_that_covers_them(index, query, slug):
    assert index.search(query)[0].tool.slug == slug


def test_text_inside_a_word_is_not_a_match(index):
    assert [m.tool.slug for m in index.search("sora")] == ["chatgpt"], "'Cursor AI' holds 'sora' but is unrelated"
    assert "grammarly" not in [m.tool.slug for m in index.search("gemini")]


def test_a_later_word_of_a_name_is_a_match(index):
    assert "github-copilot" in [m.tool.slug for m in index.search("copilot")]


def test_exact_names_products_and_vendors_resolve_to_one_tool(index):
    assert index.exact("Claude").slug == "claude"
    assert index.exact("openai").slug == "chatgpt"
    assert index.exact("clau") is None, "only a whole name is an address"
