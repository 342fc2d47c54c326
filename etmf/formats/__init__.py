"""Output formats: one module per format, each a pure ``render(report) -> str``.

``text`` for people at a terminal, ``json`` the full report (``etmf report`` reads it back),
``markdown`` a short summary for tickets, ``csv`` one row per finding, ``documents-csv`` one row
per document, ``junit`` JUnit XML and ``sarif`` SARIF 2.1.0 for CI servers, ``html`` the
inspection-readiness page.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

from etmf.model import Report

if TYPE_CHECKING:
    from etmf.formats.html import HtmlOptions


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"
    DOCUMENTS_CSV = "documents-csv"
    JUNIT = "junit"
    SARIF = "sarif"
    HTML = "html"


def render(
    report: Report,
    output_format: OutputFormat,
    *,
    color: bool = False,
    bom: bool = True,
    html_options: HtmlOptions | None = None,
) -> str:
    """``color``: ANSI colours in the text format; ``bom``: a UTF-8 byte order mark at the start
    of the CSV formats (see etmf/formats/csv_report.py for why it is the default);
    ``html_options``: the HTML report's expiry horizon, scan-history trend and document cap."""
    from etmf.formats import csv_report, html, json_report, junit, markdown, sarif, text

    match output_format:
        case OutputFormat.TEXT:
            return text.render(report, color=color)
        case OutputFormat.JSON:
            return json_report.render(report)
        case OutputFormat.MARKDOWN:
            return markdown.render(report)
        case OutputFormat.CSV:
            return csv_report.render_findings(report, bom=bom)
        case OutputFormat.DOCUMENTS_CSV:
            return csv_report.render_documents(report, bom=bom)
        case OutputFormat.JUNIT:
            return junit.render(report)
        case OutputFormat.SARIF:
            return sarif.render(report)
        case OutputFormat.HTML:
            return html.render(report, options=html_options)
        case _:
            assert_never(output_format)
