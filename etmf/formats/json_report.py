"""The JSON report: the Report model as JSON, byte-identical for identical input.

Its shape is described by ``etmf/schemas/report.schema.json``, generated from the models
(``python -m etmf.formats.json_report > etmf/schemas/report.schema.json``); a test fails when
the shipped schema and the models disagree.

A report of 100,000 documents is hundreds of megabytes of JSON, and dumping the whole model at
once builds a tree of Python objects several times that size. So the report is written in
pieces (:func:`chunks`): the top-level fields, indented, around the three long lists, whose
items (each document, finding and expectation) are written one per line, compactly, by
pydantic's serializer: indented ``json.dumps`` runs in pure Python, about 9 s for 100,000
documents, where this takes about one. One item per line also suits ``grep`` and ``jq``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from etmf.model import SCHEMA_VERSION, Report

LISTS = ("documents", "findings", "expected")
"""The long lists of a report, rendered item by item."""

ItemJson = Callable[[str, BaseModel], bytes]
_INDENT = b"    "  # an item of a top-level list sits two levels deep


def render(report: Report) -> str:
    return b"".join(chunks(report)).decode("utf-8")


def item_json(name: str, item: BaseModel) -> bytes:
    """One item of the list ``name``, on one line, as UTF-8."""
    return item.__pydantic_serializer__.to_json(item)


def chunks(report: Report, *, json_of: ItemJson = item_json) -> Iterator[bytes]:
    """The report's JSON in pieces of UTF-8; ``json_of`` renders one list item (a cache may
    reuse what it rendered before)."""
    data = report.model_dump(mode="json", exclude=set(LISTS))
    ordered = {
        name: _placeholder(name) if name in LISTS else data[name] for name in Report.model_fields
    }
    skeleton = (json.dumps(ordered, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    position = 0
    anchors = {name: f'"{name}": {json.dumps(_placeholder(name))}'.encode() for name in LISTS}
    separator = b",\n" + _INDENT
    for name in sorted(LISTS, key=lambda n: skeleton.index(anchors[n])):
        index = skeleton.index(anchors[name], position)
        yield skeleton[position:index] + f'"{name}": '.encode()
        items: tuple[BaseModel, ...] = getattr(report, name)
        if not items:
            yield b"[]"
        else:
            yield b"[\n" + _INDENT
            for number, item in enumerate(items):
                yield separator + json_of(name, item) if number else json_of(name, item)
            yield b"\n  ]"
        position = index + len(anchors[name])
    yield skeleton[position:]


def _placeholder(name: str) -> str:
    return f"\x00etmf:{name}\x00"


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
