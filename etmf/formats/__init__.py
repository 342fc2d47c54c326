"""Output formats: one module per format, each a pure ``render(report) -> str``."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from etmf.model import Report


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"


def render(report: Report, output_format: OutputFormat, *, color: bool = False) -> str:
    from etmf.formats import html, json_report, text

    match output_format:
        case OutputFormat.TEXT:
            return text.render(report, color=color)
        case OutputFormat.JSON:
            return json_report.render(report)
        case OutputFormat.HTML:
            return html.render(report)
        case _:
            assert_never(output_format)
