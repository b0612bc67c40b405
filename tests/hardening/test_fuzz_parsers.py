"""The parsers that read untrusted input, under hypothesis: no crash, bounded time per input, bounded memory.

The YAML loader reads dataset files from contributors; the monitor's extraction and normaliser read whatever a
policy page's server sends back.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from doesittrain.dataset.load import load_file
from tests.hardening.support import EXAMPLE_FILE

SECONDS_PER_INPUT = 2.0
PEAK_BYTES = 64 * 1024 * 1024
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
EXAMPLE_TEXT = EXAMPLE_FILE.read_text(encoding="utf-8")


@contextmanager
def bounded(what: str):
    """Fail when one input takes longer than SECONDS_PER_INPUT or allocates more than PEAK_BYTES at its peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < SECONDS_PER_INPUT, f"{what} took {elapsed:.1f} s"
    assert peak < PEAK_BYTES, f"{what} allocated {peak / 1e6:.0f} MB"


# ---------------------------------------------------------------- the dataset loader


def mutated(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (position, length, replacement) applied: deletions, insertions and overwrites."""
    for position, length, replacement in edits:
        at = position % (len(text) + 1)
        text = text[:at] + replacement + text[at + length:]
    return text


yaml_fragments = st.sampled_from([
    "\n", ": ", "- ", "  ", "{", "}", "[", "]", "&a ", "*a", "!!python/object:os.system ", "!!binary ", "? ", "|", ">",
    "'", '"', "#", "---\n", "...\n", "\t", "\x00", "\ufeff", "~", "null", "on", "off", "yes", "2026-13-45", "1e999",
    "0x1F", "<script>", "\r\n", "%YAML 1.1\n", "!!str ", "<<: *a\n",
])
edit = st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.one_of(yaml_fragments, st.text(max_size=20)))


def assert_loads_or_explains(path: Path, shown: str) -> None:
    with bounded(shown):
        loaded = load_file(path, shown)
    if loaded.tool is None:
        assert loaded.problems, "a file that gives no tool must say why"
    for problem in loaded.problems:
        assert problem.file == shown and problem.line >= 1 and problem.message
        assert str(problem).startswith(f"{shown}:{problem.line}:")


@given(edits=st.lists(edit, min_size=1, max_size=6))
@FUZZ
def test_mutated_dataset_files_load_or_report_file_and_line(tmp_path_factory, edits):
    path = tmp_path_factory.mktemp("yaml") / "tool.yaml"
    path.write_text(mutated(EXAMPLE_TEXT, edits), encoding="utf-8")
    assert_loads_or_explains(path, "tools/tool.yaml")


@given(raw=st.binary(max_size=3000))
@FUZZ
def test_arbitrary_bytes_load_or_report_file_and_line(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bytes") / "tool.yaml"
    path.write_bytes(raw)
    assert_loads_or_explains(path, "tools/tool.yaml")


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30), st.dates()),
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(st.text(max_size=12), children, max_size=5)),
    max_leaves=40,
)


@given(replacements=st.dictionaries(
    st.sampled_from(["slug", "name", "plans", "sources", "evidence", "myths", "history", "last_verified", "confidence",
                     "aliases", "extra_field"]),
    yaml_values, min_size=1, max_size=4))
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_well_formed_yaml_of_the_wrong_shape_is_explained(tmp_path_factory, replacements):
    data = yaml.safe_load(EXAMPLE_TEXT) | replacements
    path = tmp_path_factory.mktemp("shape") / "tool.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_loads_or_explains(path, "tools/tool.yaml")


@pytest.mark.parametrize("field", ["training", "plans", "aliases", "not_a_field"])
def test_nested_aliases_cannot_blow_up_time_or_memory(tmp_path, field):
    """A "billion laughs": nine levels of ten aliases each would be 10^9 values if anything expanded them."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text(EXAMPLE_TEXT + "\n" + "\n".join(lines) + f"\n{field}: *a8\n", encoding="utf-8")
    assert_loads_or_explains(path, "laughs.yaml")
    assert any(p.path.startswith("a8") or p.path.startswith(field) for p in load_file(path).problems)


def test_python_tags_are_refused_not_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "tool.yaml"
    path.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    assert_loads_or_explains(path, "tool.yaml")
    assert not marker.exists()


# ---------------------------------------------------------------- the monitor's extraction and normaliser


def monitor_module(name: str):
    try:
        return importlib.import_module(f"doesittrain.monitor.{name}")
    except ModuleNotFoundError:
        pytest.skip(f"doesittrain.monitor.{name} does not exist yet")


html_pieces = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<main>", "<script>", "</script>", "<style>", "<!--", "-->", "<br>", "<table><tr><td>",
    "<h1>", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "<![CDATA[", "<svg>", "<math>", "<template>", "\x00", "\ufeff",
    "We may use your content to train our models. ", "Updated 3 days ago. ", "January 32, 2026 ", "https://[x/ ", "http://a:99999999/ ",
    "https://t.example/?utm_source=x&id=", "<meta charset=\"utf-7\">", "<nav>", "<a href=\"javascript:x\">",
])
html_documents = st.lists(st.one_of(html_pieces, st.text(max_size=40)), max_size=60).map("".join)


@given(document=html_documents, charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=nope", "; charset=utf-16"]))
@FUZZ
def test_extraction_returns_paragraphs_or_says_why_not(document, charset):
    extract = monitor_module("extract")
    with bounded("extract"):
        try:
            paragraphs = extract.extract(document.encode("utf-8", "surrogatepass"), "text/html" + charset)
        except extract.ExtractError as refused:
            assert refused.cause
            return
    assert all(isinstance(p, str) and p.strip() == p and p for p in paragraphs)


@given(raw=st.binary(max_size=4000), pdf=st.booleans())
@FUZZ
def test_extraction_of_arbitrary_bytes_and_broken_pdfs(raw, pdf):
    extract = monitor_module("extract")
    importlib.import_module("pypdf")  # imported before the clock starts: the first import alone takes seconds
    body = (b"%PDF-1.7\n" + raw) if pdf else raw
    with bounded("extract"):
        try:
            extract.extract(body, "application/pdf" if pdf else "text/html")
        except extract.ExtractError as refused:
            assert refused.cause


def nested_page(depth: int) -> bytes:
    return ("<div>" * depth + "We may use your content to train our models. " * 20 + "</div>" * depth).encode()


def test_a_nested_page_is_extracted_in_bounded_time():
    extract = monitor_module("extract")
    with bounded("nesting 3000 deep"):
        paragraphs = extract.extract(nested_page(3000), "text/html")
    assert any("train our models" in p for p in paragraphs)


def test_a_hostile_deeply_nested_page_is_extracted_in_bounded_time(tmp_path):
    monitor_module("extract")
    page = tmp_path / "deep.html"
    page.write_bytes(nested_page(100_000))
    code = (
        "from doesittrain.monitor.extract import ExtractError, extract\n"
        "try:\n"
        f"    extract(open({str(page)!r}, 'rb').read(), 'text/html')\n"
        "except ExtractError as error:\n"
        "    print(error.cause)\n"
    )
    # In a child process, so the test ends on time whatever the extractor does.
    result = subprocess.run([sys.executable, "-c", code], timeout=SECONDS_PER_INPUT + 2, check=True,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "nested too deeply"


@given(text=st.text(max_size=400))
@FUZZ
def test_normalising_any_text_never_raises_and_is_stable(text):
    normalize = monitor_module("normalize")
    with bounded("fold_line"):
        once = normalize.fold_line(text)
        normalize.comparison_key(normalize.normalize_blocks([text, once]))
    assert normalize.fold_line(once) == once


@given(url=st.one_of(st.text(max_size=200), st.builds(lambda q: "https://example.com/p?" + q, st.text(max_size=100))))
@FUZZ
def test_cleaning_any_url_never_raises(url):
    normalize = monitor_module("normalize")
    with bounded("clean_url"):
        normalize.clean_url(url)


def test_a_malformed_url_in_page_text_does_not_crash_the_normaliser():
    normalize = monitor_module("normalize")
    assert normalize.fold_line("See https://[broken/link for details.") == "See https://[broken/link for details."
