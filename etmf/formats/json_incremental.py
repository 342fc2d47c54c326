"""The JSON report, rendered again and again as a watched folder changes.

Byte for byte what ``json_report.render`` writes, but each document, finding and expectation
is rendered once and its text reused while it stays equal: between two batches of a watch
almost all of them do. Indented ``json.dumps`` runs in pure Python (about 0.9 s for 10,000
documents); comparing 10,000 unchanged documents takes about 15 ms.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from pydantic import BaseModel

from etmf.model import Document, Expectation, Finding, Report

_INDENT = b"    "  # an item of a top-level list sits two levels deep
_LISTS: dict[str, Callable[[Any], Hashable]] = {
    "documents": lambda d: d.path,
    "findings": lambda f: f.id,
    "expected": lambda e: (e.rule, e.level, e.country, e.site, e.artifact, e.subartifact),
}


class IncrementalJson:
    def __init__(self) -> None:
        self._cache: dict[str, dict[Hashable, tuple[BaseModel, bytes]]] = {n: {} for n in _LISTS}

    def render(self, report: Report) -> str:
        return self.render_bytes(report).decode("utf-8")

    def render_bytes(self, report: Report) -> bytes:
        """The report as UTF-8, ready to be written."""
        data = report.model_dump(mode="json", exclude=set(_LISTS))
        ordered = {
            name: _placeholder(name) if name in _LISTS else data[name]
            for name in Report.model_fields
        }
        skeleton = json.dumps(ordered, ensure_ascii=False, indent=2) + "\n"
        anchors = {name: f'"{name}": {json.dumps(_placeholder(name))}' for name in _LISTS}
        pieces = []
        position = 0
        for name in sorted(_LISTS, key=lambda n: skeleton.index(anchors[n])):
            index = skeleton.index(anchors[name], position)
            items: Sequence[Document | Finding | Expectation] = getattr(report, name)
            head = skeleton[position:index] + f'"{name}": '
            pieces += [head.encode("utf-8"), self._list(name, items)]
            position = index + len(anchors[name])
        pieces.append(skeleton[position:].encode("utf-8"))
        return b"".join(pieces)

    def _list(self, name: str, items: Sequence[BaseModel]) -> bytes:
        if not items:
            return b"[]"
        key = _LISTS[name]
        cache = self._cache[name]
        fresh: dict[Hashable, tuple[BaseModel, bytes]] = {}
        parts = []
        for item in items:
            item_key = key(item)
            cached = cache.get(item_key)
            if cached is not None and (cached[0] is item or cached[0] == item):
                part = cached[1]
            else:
                rendered = json.dumps(item.model_dump(mode="json"), ensure_ascii=False, indent=2)
                part = rendered.replace("\n", "\n" + _INDENT.decode()).encode("utf-8")
            fresh[item_key] = (item, part)
            parts.append(part)
        self._cache[name] = fresh
        return b"[\n" + _INDENT + (b",\n" + _INDENT).join(parts) + b"\n  ]"


def _placeholder(name: str) -> str:
    return f"\x00etmf:{name}\x00"
