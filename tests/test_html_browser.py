"""The HTML report in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): the demo TMF's report loads without console errors, its charts render, the
planted gaps show in the matrix and the findings table, the filters count right, hostile file
names and YAML values do not run, and it prints. Screenshots and the printed PDF are kept in
build/test-artefacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, sync_playwright

from etmf.formats.html import HtmlOptions, TrendPoint, render
from etmf.model import Report
from etmf.scan import scan
from fixtures.demo import PLANTED, build
from fixtures.documents import pdf_bytes, write

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artefacts"
XSS_NAME = "<script>alert(1)</script>.pdf"
IMG_NAME = '"><img src=x onerror=alert(2)>.pdf'
HOSTILE_TEXT = "</script><script>alert(3)</script>"
HOSTILE_APPROVER = "<img src=x onerror=alert(4)>"


@dataclass(frozen=True)
class Pages:
    demo: Report
    demo_html: Path
    hostile_html: Path
    trend_html: Path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    """The demo TMF scanned as it is, then again with hostile file names, text and YAML."""
    base = tmp_path_factory.mktemp("html")
    root = base / "tmf"
    build(root)
    demo = scan(root)
    demo_html = base / "demo.html"
    demo_html.write_text(render(demo), "utf-8")
    history = [
        TrendPoint(
            datetime(2026, 10, 1, 2, tzinfo=UTC) + timedelta(days=7 * n),
            demo.as_of,
            0.6 + 0.1 * n,
            20 - 3 * n,
        )
        for n in range(4)
    ]
    trend_html = base / "trend.html"
    trend_html.write_text(render(demo, options=HtmlOptions(trend=history)), "utf-8")
    write(root / XSS_NAME, pdf_bytes("Curriculum Vitae", f"Name: {HOSTILE_TEXT}"))
    write(root / "TW" / IMG_NAME, pdf_bytes(HOSTILE_TEXT, "\u2028 & <b>bold</b>"))
    study = root / "etmf.yaml"
    text = study.read_text("utf-8")
    text = text.replace('"Lee Soo-jin, Clinical Operations Lead"', f'"{HOSTILE_APPROVER}"')
    study.write_text(text, "utf-8")
    hostile_html = base / "hostile.html"
    hostile_html.write_text(render(scan(root)), "utf-8")
    return Pages(demo, demo_html, hostile_html, trend_html)


@pytest.fixture(scope="module")
def browser(pages: Pages) -> Iterator[Browser]:
    """Started after the scans: Playwright's sync API keeps an event loop running in this
    thread, and the demo's PDF signing calls asyncio.run."""
    assert CHROMIUM.exists(), "Chromium is missing: run scripts/install-system-deps"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    page: Page
    errors: list[str]
    dialogs: list[str]


def open_page(browser: Browser, path: Path) -> Opened:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    dialogs: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(f"{message.type}: {message.text}")

    def dialog(opened: Dialog) -> None:
        dialogs.append(opened.message)
        opened.dismiss()

    def request(sent: Request) -> None:
        """The page itself is the only request: nothing is fetched."""
        if sent.url != path.as_uri():
            errors.append(f"request: {sent.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("dialog", dialog)
    page.on("request", request)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return Opened(page, errors, dialogs)


CHART_SIZES = """() => Array.from(document.querySelectorAll("svg.chart")).map((svg) => {
  const box = svg.getBoundingClientRect();
  const shapes = svg.querySelectorAll("rect, polyline, circle").length;
  return [svg.getAttribute("aria-label"), Math.min(box.width, box.height, shapes)];
})"""


def test_the_demo_report_loads_without_errors_and_its_charts_render(
    browser: Browser, pages: Pages
) -> None:
    opened = open_page(browser, pages.demo_html)
    page = opened.page
    charts = page.evaluate(CHART_SIZES)
    assert len(charts) >= 10  # a bar per scope, the findings chart, the expiry timeline
    for label, smallest in charts:
        assert smallest > 0, label  # a width, a height and a number of shapes
    assert any("by kind and severity" in label for label, _ in charts)
    assert any("expire" in label for label, _ in charts)
    assert "No scan history is recorded" in page.inner_text("#trend")
    assert page.is_visible("#finding-filters")  # the script ran
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / "demo-report.png", full_page=True)
    page.screenshot(
        path=ARTEFACTS / "demo-report-top.png",
        clip={"x": 0, "y": 0, "width": 1280, "height": 1900},
        full_page=True,
    )
    assert (ARTEFACTS / "demo-report.png").stat().st_size > 50_000
    assert opened.errors == []


MATRIX_CELLS = """() => Array.from(document.querySelectorAll("table.matrix td[data-state]")).map(
  (td) => [td.closest("table").dataset.level, td.parentElement.dataset.scope, td.dataset.state,
           td.title])"""

STATE_OF_KIND = {
    "missing": "missing",
    "overdue": "missing",
    "expired": "expired",
    "unsigned": "unsigned",
    "invalid_signature": "unsigned",
    "wrong_language": "attention",
    "expiring": "attention",
}


def test_the_planted_gaps_show_in_the_matrix(browser: Browser, pages: Pages) -> None:
    cells = open_page(browser, pages.demo_html).page.evaluate(MATRIX_CELLS)
    checked = 0
    for planted in PLANTED:
        if planted.kind not in STATE_OF_KIND:
            continue  # an unreadable file has no artifact, so no column
        state = "waived" if planted.status == "waived" else STATE_OF_KIND[planted.kind]
        scope = planted.site or planted.country
        level = "site" if planted.site else "country"
        mark = planted.path or planted.rule
        hits = [
            c for c in cells if c[0] == level and c[1] == scope and c[2] == state and mark in c[3]
        ]
        assert hits, planted
        checked += 1
    assert checked == len(PLANTED) - 1
    flagged = [c for c in cells if c[2] not in ("present", "not_yet_due")]
    assert len(flagged) == checked  # each planted gap has its own cell, and nothing else shows


FINDING_ROWS = """() => Array.from(document.querySelectorAll("#findings-table tbody tr")).map(
  (tr) => [tr.querySelector("code").textContent, tr.dataset.kind, tr.dataset.country || null,
           tr.dataset.site || null, tr.querySelector(".path")?.textContent ?? null,
           tr.dataset.status, tr.hidden])"""


def test_the_planted_gaps_show_in_the_findings_table(browser: Browser, pages: Pages) -> None:
    rows = open_page(browser, pages.demo_html).page.evaluate(FINDING_ROWS)
    assert {tuple(r[:6]) for r in rows} == {
        (p.rule, p.kind, p.country, p.site, p.path, p.status) for p in PLANTED
    }
    assert len(rows) == len(PLANTED)
    assert not any(r[6] for r in rows)


def test_without_javascript_the_table_is_complete_and_the_dead_filters_are_hidden(
    browser: Browser, pages: Pages
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(pages.demo_html.as_uri())
    assert not page.is_visible("#finding-filters")
    assert page.locator("#findings-table tbody tr:visible").count() == len(PLANTED)
    context.close()


def visible_rows(page: Page) -> int:
    return int(
        page.evaluate("document.querySelectorAll('#findings-table tbody tr:not([hidden])').length")
    )


def test_filters_show_the_expected_rows(browser: Browser, pages: Pages) -> None:
    page = open_page(browser, pages.demo_html).page
    total = len(PLANTED)
    assert page.inner_text("#finding-count") == f"{total} of {total} findings"
    page.select_option("#filter-site", "KR-001")
    at_site = [p for p in PLANTED if p.site == "KR-001"]
    assert visible_rows(page) == len(at_site) == 4
    assert page.inner_text("#finding-count") == f"{len(at_site)} of {total} findings"
    page.select_option("#filter-kind", "missing")
    assert visible_rows(page) == len([p for p in at_site if p.kind == "missing"]) == 2
    page.select_option("#filter-status", "open")
    assert visible_rows(page) == 1
    page.click("button[type=reset]")
    page.wait_for_function(f"document.getElementById('finding-count').dataset.shown === '{total}'")
    page.select_option("#filter-country", "TW")
    assert visible_rows(page) == len([p for p in PLANTED if p.country == "TW"])
    offered = page.evaluate(
        "Array.from(document.querySelectorAll('#filter-site option'))"
        ".filter((o) => !o.hidden).map((o) => o.value)"
    )
    assert offered == ["", "TW-001", "TW-002"]
    page.select_option("#filter-country", "")
    page.select_option("#filter-severity", "critical")
    assert (
        visible_rows(page)
        == len([r for r in pages.demo.findings if r.severity.value == "critical"])
        == 1
    )


def test_hostile_file_names_text_and_yaml_values_do_not_run(browser: Browser, pages: Pages) -> None:
    page_text = pages.hostile_html.read_text("utf-8")
    without_policy = pages.hostile_html.with_name("hostile-without-csp.html")
    stripped, removed = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page_text)
    assert removed == 1
    without_policy.write_text(stripped, "utf-8")
    for path in (pages.hostile_html, without_policy):
        opened = open_page(browser, path)
        page = opened.page
        assert opened.dialogs == []
        assert opened.errors == []
        assert page.evaluate("document.querySelectorAll('img, iframe').length") == 0
        assert page.evaluate("document.scripts.length") == 2
        body = page.inner_text("body")
        assert XSS_NAME in body
        assert f"TW/{IMG_NAME}" in body
        assert HOSTILE_APPROVER in body
    page.screenshot(path=ARTEFACTS / "hostile-report.png")


def test_the_trend_chart_draws_the_history(browser: Browser, pages: Pages) -> None:
    opened = open_page(browser, pages.trend_html)
    box = opened.page.locator("#trend svg.chart").bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) > 0
    assert opened.page.locator("#trend polyline").count() == 2
    assert opened.page.locator("#trend circle").count() == 4
    assert opened.errors == []


def test_it_prints_as_a_binder_with_details_open_and_controls_hidden(
    browser: Browser, pages: Pages
) -> None:
    page = open_page(browser, pages.demo_html).page
    page.emulate_media(media="print")
    assert not page.is_visible("#finding-filters")
    assert not page.is_visible("nav")
    pdf = ARTEFACTS / "demo-report.pdf"
    page.pdf(path=pdf, prefer_css_page_size=True, print_background=True)
    reader = pypdf.PdfReader(pdf)
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    }
    assert sizes == {(595, 842), (842, 595)}  # A4, the matrix and findings in landscape
    text = "".join(p.extract_text() for p in reader.pages)
    assert "IRB_continuing_review_scan.pdf" in text
    assert "Dates read" in text  # the collapsed document details were opened for print
