"""Output formats: one module per format, each a pure ``render(report) -> str``.

``text`` for people at a terminal, ``json`` the full report (``etmf report`` reads it back),
``markdown`` a short summary for tickets, ``csv`` one row per finding, ``documents-csv`` one row
per document, ``junit`` JUnit XML and ``sarif`` SARIF 2.1.0 for CI servers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from etmf.model import Report


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"
    DOCUMENTS_CSV = "documents-csv"
    JUNIT = "junit"
    SARIF = "sarif"


def render(
    report: Report, output_format: OutputFormat, *, color: bool = False, bom: bool = True
) -> str:
    """``color``: ANSI colours in the text format; ``bom``: a UTF-8 byte order mark at the start
    of the CSV formats (see etmf/formats/csv_report.py for why it is the default)."""
    from etmf.formats import csv_report, json_report, junit, markdown, sarif, text

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
        case _:
            assert_never(output_format)
