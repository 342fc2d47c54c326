"""The JSON report: the Report model as JSON, byte-identical for identical input.

Its shape is described by ``etmf/schemas/report.schema.json``, generated from the models
(``python -m etmf.formats.json_report > etmf/schemas/report.schema.json``); a test fails when
the shipped schema and the models disagree.
"""

from __future__ import annotations

import json
from typing import Any

from etmf.model import SCHEMA_VERSION, Report


def render(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def parse(text: str) -> Report:
    """A report read back from its JSON (``etmf report``, history, diffs)."""
    return Report.model_validate_json(text)


def report_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "report.schema.json"
    schema["title"] = f"etmf scan report, schema version {SCHEMA_VERSION}"
    return schema


def schema_text() -> str:
    return json.dumps(report_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
