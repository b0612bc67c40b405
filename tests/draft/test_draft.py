"""`doesittrain draft`: a first tool file from real pages served on loopback, or from local files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from click.testing import CliRunner

from doesittrain.cli import cli
from doesittrain.dataset.check import check_folder
from doesittrain.dataset.load import load_file
from doesittrain.dataset.schema import Field_
from doesittrain.monitor.evidence import comparable

from pageserver import Reply

CORPUS = Path(__file__).parent.parent / "fixtures" / "current-policies"  # ODC-BY 1.0, Open Terms Archive contributors
TRAINING = "We use your conversations to train our models unless you turn off “Improve the model” in Settings."
OPT_OUT = "To opt out, open Settings → Data Controls and switch off “Improve the model”; this stops future chats being used."
REVIEW = "Trained reviewers may read a sample of conversations to improve safety."
RETENTION = "Deleted chats are removed from our systems within 30 days, as announced on May 30, 2025."
ZDR = "Enterprise customers may request zero data retention for the API."
DPA = "Our Data Processing Addendum is available to business customers on request."
FILLER = "".join(f"<p>Section {i}: we accept payments in euros and dollars and send invoices every month.</p>"
                 for i in range(6))


def html(title: str, *sentences: str) -> bytes:
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return (f"<html><head><title>{title}</title></head><body><nav>Home · Pricing</nav><main>{body}{FILLER}</main>"
            "</body></html>").encode()


def serve_example(page_server) -> tuple[str, str]:
    page_server.routes["/privacy"] = Reply(body=html("Example Chat Privacy Policy", TRAINING, REVIEW, RETENTION, ZDR))
    page_server.routes["/legal/terms"] = Reply(body=html("Example Chat Terms of Use", OPT_OUT, DPA))
    page_server.routes["/robots.txt"] = Reply(body=b"User-agent: *\nDisallow: /internal\n", content_type="text/plain")
    return page_server.url("/privacy"), page_server.url("/legal/terms")


def draft(*arguments: str):
    return CliRunner().invoke(cli, ["draft", *arguments])


def test_a_draft_from_pages_has_sources_and_verbatim_candidates_and_every_verdict_unknown(page_server, draft_env):
    privacy, terms = serve_example(page_server)
    out = draft_env / "example-chat.yaml"

    result = draft("Example Chat", privacy, terms, "--out", str(out))

    assert result.exit_code == 0, result.output
    tool = load_file(out).tool
    assert tool is not None and tool.slug == "example-chat"
    [plan] = tool.plans
    assert all(not plan.is_known(field) for field in Field_)
    assert [(str(s.url), s.title, s.kind.value, s.retrieved) for s in tool.sources] == [
        (privacy, "Example Chat Privacy Policy", "policy", dt.date.today()),
        (terms, "Example Chat Terms of Use", "terms", dt.date.today()),
    ]
    first = {e.field.value: e.quote for e in reversed(tool.evidence)}  # each field's best candidate
    assert first == {"training": TRAINING, "opt_out": OPT_OUT, "human_review": REVIEW, "retention": RETENTION,
                     "zero_data_retention": ZDR, "dpa": DPA}
    assert all(e.quote in (TRAINING, OPT_OUT, REVIEW, RETENTION, ZDR, DPA) for e in tool.evidence)


def test_check_names_what_the_editor_must_decide(page_server, draft_env):
    out = draft_env / "drafts" / "example-chat.yaml"
    out.parent.mkdir()
    assert draft("Example Chat", *serve_example(page_server), "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "# training: is what users type or upload used to train" in text
    assert "`doesittrain check` on this draft reports:" in text

    problems = check_folder(out.parent)

    errors = [p for p in problems if p.severity == "error"]
    evidence = load_file(out).tool.evidence
    assert len(errors) == len(evidence) and all("no plan has id 'which-plans'" in p.message for p in errors)
    assert {p.path for p in problems if p.severity == "warning"} == {"sources[0].published", "sources[1].published"}


def test_robots_txt_is_obeyed_and_private_addresses_refused_by_default(page_server, draft_env, monkeypatch):
    serve_example(page_server)
    page_server.routes["/internal/privacy"] = Reply(body=html("Internal", TRAINING, OPT_OUT))

    blocked = draft("Example Chat", page_server.url("/internal/privacy"), "--out", str(draft_env / "a.yaml"))
    assert blocked.exit_code == 1 and "blocked by robots.txt" in blocked.output and "Traceback" not in blocked.output

    monkeypatch.setenv("DOESITTRAIN_ALLOW_PRIVATE_ADDRESSES", "0")
    refused = draft("Example Chat", page_server.url("/privacy"), "--out", str(draft_env / "b.yaml"))
    assert refused.exit_code == 1 and "private address" in refused.output
    assert not (draft_env / "a.yaml").exists() and not (draft_env / "b.yaml").exists()


def test_a_local_copy_is_cited_as_the_vendor_page_and_quoted_verbatim(draft_env):
    copy = CORPUS / "jasper" / "terms-of-service.md"
    out = draft_env / "jasper.yaml"

    result = draft("Jasper", f"{copy}=https://www.jasper.ai/legal/terms", "--out", str(out))

    assert result.exit_code == 0, result.output
    tool = load_file(out).tool
    [source] = tool.sources
    assert (str(source.url), source.kind.value, source.archived_copy) == ("https://www.jasper.ai/legal/terms", "terms", True)
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", copy.read_text(encoding="utf-8"))  # links keep their words
    archived = comparable(re.sub(r"[*_#\\]", "", markdown))
    assert tool.evidence and all(comparable(e.quote) in archived for e in tool.evidence)
    assert any(e.field is Field_.training and "model training" in e.quote for e in tool.evidence)


def test_a_local_file_without_an_address_gets_a_placeholder_the_comments_point_at(draft_env):
    out = draft_env / "jasper.yaml"
    assert draft("Jasper", str(CORPUS / "jasper" / "privacy-policy.md"), "--out", str(out)).exit_code == 0
    assert "replace-with-the-page-address.invalid/privacy-policy.md  # a local file: write the address" in out.read_text()


def test_bad_input_is_refused_with_a_clear_message(draft_env):
    out = draft_env / "x.yaml"
    missing = draft("X", str(draft_env / "nowhere.html"), "--out", str(out))
    assert missing.exit_code == 1 and "nowhere.html: cannot be read" in missing.output and "Traceback" not in missing.output
    bad_pair = draft("X", f"{CORPUS / 'jasper' / 'privacy-policy.md'}=ftp://example.com", "--out", str(out))
    assert bad_pair.exit_code == 1 and "http(s) address" in bad_pair.output
    out.write_text("kept")
    exists = draft("X", str(CORPUS / "jasper" / "privacy-policy.md"), "--out", str(out))
    assert exists.exit_code == 1 and "exists" in exists.output and out.read_text() == "kept"
