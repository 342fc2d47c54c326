"""The Markdown summary: study, as_of, completeness, counts, the worst findings by scope, waived."""

from __future__ import annotations

import re

import pytest

from etmf.formats import OutputFormat, markdown, render
from etmf.model import FindingStatus, Report
from tests.report_samples import scanned_report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return scanned_report(tmp_path_factory)


def test_header_completeness_and_counts(report: Report) -> None:
    text = render(report, OutputFormat.MARKDOWN)
    lines = text.splitlines()
    assert lines[0] == "## etmf: S-1, as of 2026-01-01"
    summary = report.summary
    due = summary.present + summary.missing
    assert (
        f"- **Completeness:** {summary.present} of {due} expected documents present, "
        f"{summary.completeness:.0%} ({summary.not_yet_due} not yet due, 1 waived)"
    ) in lines
    assert f"| critical | {summary.by_severity['critical']} |" in lines
    assert f"| major | {summary.by_severity['major']} |" in lines
    assert "| info | 0 |" in lines


def test_top_findings_grouped_by_scope_worst_first(report: Report) -> None:
    text = markdown.render(report, limit=4)
    open_count = sum(1 for f in report.findings if f.status is FindingStatus.OPEN)
    assert f"### Open findings (the 4 worst of {open_count})" in text
    items = re.findall(r"^- ([A-Z]+) `([A-Z0-9-]+)` ", text, flags=re.MULTILINE)
    assert len(items) == 4
    assert {severity for severity, _ in items} == {"CRITICAL"}
    headings = re.findall(r"^\*\*(.+)\*\*$", text, flags=re.MULTILINE)
    assert headings == ["Trial", "Site TW-001 (TW)"]
    everything = markdown.render(report, limit=100)
    assert f"### Open findings (all of {open_count})" in everything
    assert re.findall(r"^\*\*(.+)\*\*$", everything, flags=re.MULTILINE) == [
        "Trial",
        "Country TW",
        "Site TW-001 (TW)",
    ]


def test_waived_line_names_rule_scope_and_reason(report: Report) -> None:
    text = markdown.render(report, limit=100)
    assert (
        "**Waived** (1 finding): `BASE-REQ-018` at Site TW-001 (TW): "
        'Trial-specific training is filed at trial level, "once"'
    ) in text


def test_untrusted_text_is_escaped(report: Report) -> None:
    text = markdown.render(report, limit=100)
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\> \*bold\* \[link\](x).pdf" in text
    assert "notes second line" in text  # a line break in a file name cannot break the list
    assert markdown.escape("a|b `c` ~d~ &amp;") == r"a\|b \`c\` \~d\~ \&amp;"


def test_no_findings(report: Report) -> None:
    clean = report.model_copy(update={"findings": ()})
    text = markdown.render(clean)
    assert "No open findings." in text
    assert "Waived" not in text
