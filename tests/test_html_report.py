"""The HTML report as rendered text: escaping, matrix cells, completeness, timeline, trend,
the content-security policy and determinism. The browser test is tests/test_html_browser.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pytest

from etmf.cli import main
from etmf.formats import OutputFormat, json_report
from etmf.formats import render as render_format
from etmf.formats.html import HtmlOptions, TrendPoint, render
from etmf.formats.html.completeness import by_country, by_level, by_site
from etmf.formats.html.markup import element, safe_url, script_json
from etmf.formats.html.matrix import CellState, build_matrix
from etmf.formats.html.timeline import expiring_items
from etmf.model import (
    DocumentStatus,
    ExpectationStatus,
    Expiry,
    ExpiryBasis,
    FindingStatus,
    Kind,
    Level,
    Report,
    Severity,
)
from tests.html_reports import AS_OF, doc, expect, finding, report
from tests.test_scan_report import build_tree

XSS_NAME = "<script>alert(1)</script>.pdf"
IMG_NAME = '"><img src=x onerror=alert(2)>.pdf'

PRESENT, MISSING = ExpectationStatus.PRESENT, ExpectationStatus.MISSING
WAIVED, NOT_YET_DUE = ExpectationStatus.WAIVED, ExpectationStatus.NOT_YET_DUE


def tree(page: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page)


def hostile_report() -> Report:
    evil = "</script><script>alert(3)</script>\u2028"
    documents = [
        doc(XSS_NAME, site="S1", country="TW", title=evil, evidence=evil),
        doc(f"S1/{IMG_NAME}", site="S1", country="TW"),
    ]
    findings = [
        finding(
            Kind.UNSIGNED, path=XSS_NAME, site="S1", country="TW", message=f"{XSS_NAME} {evil}"
        ),
        finding(
            Kind.EXPIRED,
            path=f"S1/{IMG_NAME}",
            site="S1",
            country="TW",
            url="javascript:alert(4)",
            message=IMG_NAME,
        ),
    ]
    expected = [expect("05.02.04", PRESENT, site="S1", country="TW", documents=[XSS_NAME])]
    return report(
        documents=documents,
        findings=findings,
        expected=expected,
        countries=["TW"],
        sites=["S1"],
        title=f"{evil}' onmouseover='alert(5)",
    )


def test_untrusted_text_never_becomes_markup() -> None:
    page = render(hostile_report())
    root = tree(page)
    scripts = root.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/json", None]
    assert "alert" not in scripts[1].text
    assert not root.xpath("//img | //iframe | //object | //embed | //link")
    handlers = [
        a for e in root.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")
    ]
    assert handlers == []
    assert "javascript:" not in " ".join(root.xpath("//a/@href"))
    # The names are shown as text, exactly as they are.
    assert XSS_NAME in root.text_content()
    assert f"S1/{IMG_NAME}" in root.xpath(
        "//details[@class='document']//span[@class='path']/text()"
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.pdf" in page
    # In attributes too: the matrix cell's tooltip names the document.
    (cell,) = root.xpath("//table[@data-level='site']//td[@data-state]")
    assert XSS_NAME in cell.get("title")


def test_embedded_json_cannot_end_its_script_element() -> None:
    value = {"site": "</script><script>alert(1)</script>", "line": "a\u2028b\u2029c", "amp": "&"}
    text = script_json(value)
    for character in "<>&\u2028\u2029":
        assert character not in text
    assert json.loads(text) == value
    page = render(hostile_report())
    data = page.split('<script type="application/json" id="etmf-data">', 1)[1].split("</script>")[0]
    assert json.loads(data) == {"siteCountry": {"S1": "TW"}}


def test_only_http_and_mailto_urls_are_links() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("mailto:qa@example.org") == "mailto:qa@example.org"
    for url in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "/etc/passwd",
        "",
    ):
        assert safe_url(url) is None
    assert (
        element("a", {"href": 'x" onclick="y'}, "<b>")
        == '<a href="x&quot; onclick=&quot;y">&lt;b&gt;</a>'
    )


def matrix_report() -> Report:
    """Sites A, B, C by artifacts X (05.02.04), Y (05.02.12), Z (05.02.18): every cell state."""
    x, y, z = "05.02.04", "05.02.12", "05.02.18"
    expected = [
        expect(x, PRESENT, site="A", country="TW", documents=["A/cv.pdf"]),
        expect(y, PRESENT, site="A", country="TW", documents=["A/cta.pdf"], rule="R-Y"),
        expect(z, PRESENT, site="A", country="TW", documents=["A/log.pdf"], rule="R-Z"),
        expect(x, MISSING, site="B", country="TW"),
        expect(y, WAIVED, site="B", country="TW", rule="R-Y"),
        expect(z, PRESENT, site="B", country="TW", documents=["B/log.pdf"], rule="R-Z"),
        expect(x, NOT_YET_DUE, site="C", country="KR"),
        expect(z, NOT_YET_DUE, site="C", country="KR", rule="R-Z"),
        expect(z, MISSING, site="C", country="KR", rule="R-Z"),
        expect("03.01.02", PRESENT, country="KR", documents=["KR/approval.pdf"], rule="R-C"),
        expect("02.01.02", PRESENT, documents=["protocol.pdf"], rule="R-T"),
    ]
    findings = [
        finding(Kind.EXPIRED, path="A/cv.pdf", site="A", country="TW"),
        finding(Kind.INVALID_SIGNATURE, path="A/cta.pdf", site="A", country="TW"),
        finding(Kind.WRONG_LANGUAGE, path="A/log.pdf", site="A", country="TW"),
        finding(Kind.MISSING, site="B", country="TW", artifact=x),
        finding(
            Kind.MISSING,
            rule="R-Y",
            site="B",
            country="TW",
            artifact=y,
            status=FindingStatus.WAIVED,
        ),
        finding(
            Kind.NEEDS_REVIEW, severity=Severity.INFO, path="B/log.pdf", site="B", country="TW"
        ),
        finding(Kind.UNSIGNED, path="KR/approval.pdf", country="KR"),
        finding(Kind.OVERDUE, rule="R-Z", site="C", country="KR", artifact=z),
    ]
    return report(
        expected=expected, findings=findings, countries=["TW", "KR"], sites=["A", "B", "C"]
    )


def test_matrix_cells_derive_expired_and_unsigned_from_findings_on_present_documents() -> None:
    the_report = matrix_report()
    matrix = build_matrix(the_report, Level.SITE)
    assert [c.code for c in matrix.columns] == ["05.02.04", "05.02.12", "05.02.18"]
    states = {row.label: [c.state if c else None for c in row.cells] for row in matrix.rows}
    assert states == {
        "A": [CellState.EXPIRED, CellState.UNSIGNED, CellState.ATTENTION],
        "B": [CellState.MISSING, CellState.WAIVED, CellState.PRESENT],  # info does not count
        "C": [CellState.NOT_YET_DUE, None, CellState.MISSING],  # the worst expectation wins
    }
    (country,) = [r for r in build_matrix(the_report, Level.COUNTRY).rows if r.label == "KR"]
    assert [c.state if c else None for c in country.cells] == [CellState.UNSIGNED]
    (trial,) = build_matrix(the_report, Level.TRIAL).rows
    assert [c.state if c else None for c in trial.cells] == [CellState.PRESENT]
    # The missing cells carry the finding that says so, and link to its row in the table.
    cell = matrix.rows[1].cells[0]
    assert cell is not None
    assert [f.kind for f in cell.findings] == [Kind.MISSING]
    root = tree(render(the_report))
    rows = root.xpath("//table[@data-level='site']/tbody/tr")
    page_states = {
        r.get("data-scope"): [td.get("data-state") or "none" for td in r.xpath("td")] for r in rows
    }
    assert page_states == {
        "A": ["expired", "unsigned", "attention"],
        "B": ["missing", "waived", "present"],
        "C": ["not_yet_due", "none", "missing"],
    }
    (link,) = rows[1].xpath("td[1]/a/@href")
    (target,) = root.xpath(f"//tr[@id='{link[1:]}']")
    assert target.get("data-kind") == "missing"
    assert target.get("data-site") == "B"


def test_every_cell_state_has_its_own_symbol_for_black_and_white_print() -> None:
    assert len({state.symbol for state in CellState}) == len(CellState)
    legend = tree(render(matrix_report())).xpath("//ul[@class='legend']/li")
    assert len(legend) == len(CellState) + 1


def test_completeness_per_level_country_and_site() -> None:
    the_report = matrix_report()
    levels = {
        s.label: (s.present, s.missing, s.waived, s.not_yet_due) for s in by_level(the_report)
    }
    assert levels == {"Trial": (1, 0, 0, 0), "Country": (1, 0, 0, 0), "Site": (4, 2, 1, 2)}
    countries = {s.label: (s.present, s.missing, s.ratio) for s in by_country(the_report)}
    assert countries == {"TW": (4, 1, 0.8), "KR": (1, 1, 0.5)}
    sites = {s.label: (s.expected, s.ratio) for s in by_site(the_report)}
    assert sites == {"A": (3, 1.0), "B": (3, 0.5), "C": (3, 0.0)}


def test_expiry_timeline_covers_the_horizon_and_expiring_findings() -> None:
    documents = [
        doc("soon.pdf", expires=date(2026, 11, 20)),
        doc("today.pdf", expires=AS_OF),
        doc("late.pdf", expires=date(2027, 3, 1)),
        doc("warned.pdf", expires=date(2027, 2, 15)),
        doc("gone.pdf", expires=date(2026, 10, 1)),
        doc("old.pdf", expires=date(2026, 11, 5)).model_copy(
            update={"status": DocumentStatus.SUPERSEDED}
        ),
    ]
    findings = [finding(Kind.EXPIRING, path="warned.pdf", severity=Severity.MINOR)]
    the_report = report(documents=documents, findings=findings)
    items = expiring_items(the_report, horizon_days=90)
    assert [(i.document.path, i.days_left) for i in items] == [
        ("today.pdf", 0),
        ("soon.pdf", 19),
        ("warned.pdf", 106),
    ]
    wider = expiring_items(the_report, horizon_days=130)
    assert [i.document.path for i in wider] == ["today.pdf", "soon.pdf", "warned.pdf", "late.pdf"]
    page = tree(render(the_report, options=HtmlOptions(horizon_days=30)))
    assert page.xpath("//section[@id='expiring']/h2/text()") == ["Expiring in the next 30 days"]
    assert len(page.xpath("//section[@id='expiring']//svg//rect")) == 3
    assert len(page.xpath("//table[@class='expiring']/tbody/tr")) == 3


def test_trend_is_drawn_from_the_history_points_or_says_there_is_none() -> None:
    empty = tree(render(report()))
    assert "No scan history is recorded" in empty.xpath("//section[@id='trend']")[0].text_content()
    points = [
        TrendPoint(datetime(2026, 10, 3, 2, tzinfo=UTC), date(2026, 10, 3), 0.5, 20),
        TrendPoint(datetime(2026, 10, 1, 2, tzinfo=UTC), date(2026, 10, 1), None, 30),
        TrendPoint(datetime(2026, 10, 5, 2, tzinfo=UTC), date(2026, 10, 5), 1.0, 0),
    ]
    page = tree(render(report(), options=HtmlOptions(trend=points)))
    (svg,) = page.xpath("//section[@id='trend']//svg")
    (complete,) = svg.xpath(".//polyline[@class='completeness']/@points")
    (opened,) = svg.xpath(".//polyline[@class='open']/@points")
    assert complete == "450,120 840,20"  # the first scan had nothing due: no point
    assert opened == "60,20 450,86.7 840,220"
    rows = page.xpath("//table[@class='trend']/tbody/tr/td[1]/text()")
    assert rows == sorted(rows)
    assert len(rows) == 3


def test_findings_table_rows_carry_what_the_filters_match() -> None:
    root = tree(render(matrix_report()))
    rows = root.xpath("//table[@id='findings-table']/tbody/tr")
    assert len(rows) == 8
    assert [r.get("data-status") for r in rows][-1] == "waived"  # open first
    assert {r.get("data-site") for r in rows} == {"A", "B", "C", ""}
    assert root.xpath("//select[@name='site']/option/@value") == ["", "A", "B", "C"]
    assert root.xpath("//select[@name='country']/option/@value") == ["", "KR", "TW"]
    (row,) = [r for r in rows if r.get("data-kind") == "invalid_signature"]
    assert "ICH E6(R2) 8.2" in row.text_content()
    assert "what was read" in row.text_content()
    assert row.xpath(".//a[@class='cite']/@href") == ["https://example.org/gcp"]


def test_the_page_loads_nothing_and_allows_only_its_own_style_and_script() -> None:
    page = render(matrix_report())
    root = tree(page)
    (policy,) = root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"style-src 'sha256-{digest(style)}'" in policy
    assert f"script-src 'sha256-{digest(script)}'" in policy
    assert "default-src 'none'" in policy
    assert root.xpath("//@src | //link | //@style") == []
    assert "url(" not in style
    assert "@import" not in style
    assert "@font-face" not in style


def test_same_report_same_bytes_and_a_report_read_back_from_json_renders_the_same() -> None:
    the_report = matrix_report()
    first = render(the_report)
    assert render(the_report) == first
    assert render(json_report.parse(json_report.render(the_report))) == first
    assert render_format(the_report, OutputFormat.HTML) == first


def test_document_details_are_capped_with_documents_with_findings_first() -> None:
    documents = [doc(f"site/doc-{n:03}.pdf") for n in range(30)]
    findings = [finding(Kind.UNSIGNED, path="site/doc-029.pdf")]
    root = tree(
        render(
            report(documents=documents, findings=findings), options=HtmlOptions(document_limit=5)
        )
    )
    paths = root.xpath("//details[@class='document']//span[@class='path']/text()")
    assert paths == [
        "site/doc-029.pdf",
        "site/doc-000.pdf",
        "site/doc-001.pdf",
        "site/doc-002.pdf",
        "site/doc-003.pdf",
    ]
    (note,) = root.xpath("//section[@id='documents']/p[@class='note']/text()")
    assert note.startswith("Showing 5 of 30 documents")


def test_a_report_of_100000_documents_renders_a_page_of_bounded_size() -> None:
    """Every 20th document expires within the horizon, every 50th has a finding: the document
    details and the expiry table stop at ``document_limit``; the findings table is complete."""
    template = doc("x.pdf", site="S1", country="TW")
    soon = Expiry(date=date(2026, 12, 1), basis=ExpiryBasis.STATED, evidence="valid until")
    documents = [
        template.model_copy(
            update={"path": f"S1/{n:06}.pdf", "expires": soon if n % 20 == 0 else None}
        )
        for n in range(100_000)
    ]
    findings = [
        finding(Kind.UNSIGNED, path=f"S1/{n:06}.pdf", site="S1", country="TW", number=n)
        for n in range(0, 100_000, 50)
    ]
    page = render(report(documents=documents, findings=findings, sites=["S1"], countries=["TW"]))
    assert len(page) < 20_000_000
    assert page.count('<details id="d-') == 2000
    assert page.count('<tr id="f-') == 2000
    assert "Showing 2000 of 100000 documents" in page
    assert "The table lists the first 2000 of 5000" in page


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        HtmlOptions(horizon_days=0)
    with pytest.raises(ValueError, match="document_limit"):
        HtmlOptions(document_limit=-1)


def test_etmf_scan_writes_the_html_report(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tmf")
    output = tmp_path / "report.html"
    arguments = ["scan", str(root), "--format", "html", "--output", str(output), "--jobs", "0"]
    assert main(arguments) in (0, 1)
    page = output.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    parsed = tree(page)
    assert parsed.xpath("//h1/text()") == ["TMF inspection readiness: S-1"]
    assert re.search(r"Delegation log\.docx", page)
