"""The JSON report, rendered again and again as a watched folder changes.

Byte for byte what ``json_report.render`` writes (it renders through
:func:`etmf.formats.json_report.chunks`), but each document, finding and expectation is
rendered once and its text reused while it stays equal: between two batches of a watch almost
all of them do. Indented ``json.dumps`` runs in pure Python (about 0.9 s for 10,000
documents); comparing 10,000 unchanged documents takes about 15 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from pydantic import BaseModel

from etmf.formats import json_report
from etmf.model import Report

_KEYS: dict[str, Callable[[Any], Hashable]] = {
    "documents": lambda d: d.path,
    "findings": lambda f: f.id,
    "expected": lambda e: (e.rule, e.level, e.country, e.site, e.artifact, e.subartifact),
}


class IncrementalJson:
    def __init__(self) -> None:
        self._cache: dict[str, dict[Hashable, tuple[BaseModel, bytes]]] = {n: {} for n in _KEYS}

    def render(self, report: Report) -> str:
        return self.render_bytes(report).decode("utf-8")

    def render_bytes(self, report: Report) -> bytes:
        """The report as UTF-8."""
        return b"".join(self.chunks(report))

    def chunks(self, report: Report) -> Iterator[bytes]:
        """The report as UTF-8 in pieces, to be written as they come (never held whole); the
        items rendered are remembered once every piece has been taken."""
        fresh: dict[str, dict[Hashable, tuple[BaseModel, bytes]]] = {n: {} for n in _KEYS}

        def json_of(name: str, item: BaseModel) -> bytes:
            key = _KEYS[name](item)
            cached = self._cache[name].get(key)
            if cached is not None and (cached[0] is item or cached[0] == item):
                text = cached[1]
            else:
                text = json_report.item_json(name, item)
            fresh[name][key] = (item, text)
            return text

        yield from json_report.chunks(report, json_of=json_of)
        self._cache = fresh
