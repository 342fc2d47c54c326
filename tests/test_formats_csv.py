"""CSV reports: RFC 4180 on hostile file names, formula-safe cells, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io

import pytest

from etmf.formats import OutputFormat, csv_report, render
from etmf.model import FindingStatus, Report
from tests.report_samples import CJK_NAME, FORMULA_NAME, NEWLINE_NAME, scanned_report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return scanned_report(tmp_path_factory)


def rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(csv_report.BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_one_row_per_finding_with_every_field(report: Report) -> None:
    text = csv_report.render_findings(report)
    table = rows(text)
    assert list(table[0]) == list(csv_report.FINDING_COLUMNS)
    assert [r["id"] for r in table] == [f.id for f in report.findings]
    for row, finding in zip(table, report.findings, strict=True):
        assert row["rule"] == finding.rule
        assert row["kind"] == finding.kind.value
        assert row["severity"] == finding.severity.value
        assert row["status"] == finding.status.value
        assert row["site"] == (finding.site or "")
        assert row["profile"] == (finding.profile or "")
        for item in finding.evidence:
            assert item.text in row["evidence"]
        for citation in finding.citation:
            assert citation.source in row["citation"]
            if citation.url:
                assert citation.url in row["citation_url"]


def test_waived_findings_carry_the_waiver(report: Report) -> None:
    table = {r["id"]: r for r in rows(csv_report.render_findings(report))}
    waived = [f for f in report.findings if f.status is FindingStatus.WAIVED]
    assert waived
    for finding in waived:
        row = table[finding.id]
        assert row["status"] == "waived"
        assert row["waiver_reason"] == 'Trial-specific training is filed at trial level, "once"'
        assert row["waiver_approved_by"] == "QA Lead"
        assert row["waiver_until"] == "2027-01-31"


def test_rfc4180_quoting_of_commas_quotes_and_line_breaks(report: Report) -> None:
    text = csv_report.render_findings(report)
    body = text[1:]
    assert body.endswith("\r\n")
    # a record with a line break inside a quoted field still parses as one record
    assert '"notes\nsecond line, ""quoted"".txt' in body
    paths = [r["path"] for r in rows(text)]
    assert NEWLINE_NAME in paths
    assert CJK_NAME in paths
    # header and records end with CRLF; the line break inside the file name stays a bare LF
    assert body.count("\r\n") == len(report.findings) + 1


def test_formula_prefixes_are_neutralised(report: Report) -> None:
    table = rows(csv_report.render_findings(report))
    formula = next(r for r in table if r["path"].startswith("'="))
    assert formula["path"] == "'" + FORMULA_NAME
    assert formula["message"].startswith("'=HYPERLINK")
    for row in table:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    documents = rows(csv_report.render_documents(report))
    assert "'" + FORMULA_NAME in [r["path"] for r in documents]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+41 22", "'+41 22"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=b", "a=b"),
        ("臺大", "臺大"),
        (None, ""),
        (True, "true"),
        (1528, "1528"),
    ],
)
def test_safe_cell(value: object, expected: str) -> None:
    assert csv_report.safe_cell(value) == expected


def test_documents_csv_has_one_row_per_document(report: Report) -> None:
    table = rows(render(report, OutputFormat.DOCUMENTS_CSV))
    assert list(table[0]) == list(csv_report.DOCUMENT_COLUMNS)
    assert len(table) == len(report.documents)
    by_path = {r["path"].removeprefix("'"): r for r in table}
    for document in report.documents:
        row = by_path[document.path]
        assert row["sha256"] == document.sha256
        assert row["size"] == str(document.size)
        assert row["format"] == document.format.value
        assert row["readable"] == ("true" if document.readable else "false")
        assert row["artifact"] == (document.artifact or "")
        assert row["level"] == (document.level.value if document.level else "")
        assert row["site"] == (document.site or "")
        assert row["status"] == document.status.value
    log = by_path["TW/TW-001 NTUH/Delegation log.docx"]
    assert (log["artifact"], log["country"], log["site"]) == ("05.02.18", "TW", "TW-001")
    assert log["signature_status"]
    damaged = by_path[CJK_NAME]
    assert damaged["readable"] == "false"
    assert damaged["problem"]


def test_document_dates_signatures_and_language(report: Report) -> None:
    document = next(d for d in report.documents if d.path == "TW/TFDA approval letter.pdf")
    row = next(r for r in rows(csv_report.render_documents(report)) if r["path"] == document.path)
    assert row["language"] == (document.language.code if document.language else "")
    if document.identifying_date:
        assert row["identifying_date"] == document.identifying_date.value.isoformat()
    assert row["signature_status"] == csv_report.signature_summary(document)


def test_bom_can_be_left_out(report: Report) -> None:
    with_bom = render(report, OutputFormat.CSV)
    without = render(report, OutputFormat.CSV, bom=False)
    assert with_bom == csv_report.BOM + without
    assert not without.startswith(csv_report.BOM)
    assert with_bom.encode("utf-8").startswith(b"\xef\xbb\xbf")
    decoded = with_bom.encode("utf-8").decode("utf-8-sig")
    assert decoded == without


def test_evidence_is_flattened_with_its_source(report: Report) -> None:
    finding = next(f for f in report.findings if f.evidence)
    text = csv_report.evidence_text(finding.evidence)
    first = finding.evidence[0]
    assert text.startswith(f"[{first.source.value}")
    assert first.text in text
    assert (" | " in text) == (len(finding.evidence) > 1)
