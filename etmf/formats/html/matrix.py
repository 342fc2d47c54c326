"""The completeness matrix: scopes (sites, countries or the trial) by expected artifacts.

Each cell is the worst state of the expectations of one artifact (and sub-artifact) at one
scope. A present record becomes ``expired`` or ``unsigned`` when an open finding of that kind
is raised on one of its documents (invalid signatures count as unsigned), and ``attention``
for any other open finding on it (wrong language, expiring soon, ...). Generic over rules:
states come from expectation statuses and finding kinds, never from rule ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from etmf.formats.html.completeness import countries, sites
from etmf.model import (
    Expectation,
    ExpectationStatus,
    Finding,
    FindingStatus,
    Kind,
    Level,
    Report,
    Severity,
)


class CellState(StrEnum):
    MISSING = "missing"
    EXPIRED = "expired"
    UNSIGNED = "unsigned"
    ATTENTION = "attention"
    PRESENT = "present"
    WAIVED = "waived"
    NOT_YET_DUE = "not_yet_due"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Higher is worse; a cell shows its worst expectation."""
        return _RANKS[self]


_RANKS = {state: len(CellState) - position for position, state in enumerate(CellState)}
_SYMBOLS = {
    CellState.MISSING: "✗",
    CellState.EXPIRED: "E",
    CellState.UNSIGNED: "✎",
    CellState.ATTENTION: "!",
    CellState.PRESENT: "✓",
    CellState.WAIVED: "W",
    CellState.NOT_YET_DUE: "○",
}
_LABELS = {
    CellState.MISSING: "missing",
    CellState.EXPIRED: "expired",
    CellState.UNSIGNED: "unsigned or signature invalid",
    CellState.ATTENTION: "present, with another open finding",
    CellState.PRESENT: "present",
    CellState.WAIVED: "waived",
    CellState.NOT_YET_DUE: "not yet due",
}
_BY_STATUS = {
    ExpectationStatus.MISSING: CellState.MISSING,
    ExpectationStatus.PRESENT: CellState.PRESENT,
    ExpectationStatus.WAIVED: CellState.WAIVED,
    ExpectationStatus.NOT_YET_DUE: CellState.NOT_YET_DUE,
}
_BY_KIND = {
    Kind.EXPIRED: CellState.EXPIRED,
    Kind.UNSIGNED: CellState.UNSIGNED,
    Kind.INVALID_SIGNATURE: CellState.UNSIGNED,
}
NOT_EXPECTED_SYMBOL = "·"


@dataclass(frozen=True, slots=True)
class Column:
    artifact: str
    subartifact: str | None
    name: str
    code: str
    """The short header: the artifact number, with a letter when sub-artifacts share it."""

    @property
    def title(self) -> str:
        shown = self.subartifact and self.subartifact != self.name
        suffix = f" ({self.subartifact})" if shown else ""
        return f"{self.artifact} {self.name}{suffix}"


@dataclass(frozen=True, slots=True)
class Cell:
    state: CellState
    expectations: tuple[Expectation, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    country: str | None
    site: str | None
    cells: tuple[Cell | None, ...]
    """One per column; None where nothing of that artifact is expected at this scope."""


@dataclass(frozen=True, slots=True)
class Matrix:
    level: Level
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


ScopeKey = tuple[str | None, str | None]
"""(country, site)"""


def build_matrix(report: Report, level: Level) -> Matrix:
    expected = [e for e in report.expected if e.level is level]
    columns = _columns(expected)
    index = {(c.artifact, c.subartifact): position for position, c in enumerate(columns)}
    grouped: dict[ScopeKey, dict[int, list[Expectation]]] = {}
    for item in expected:
        scope = grouped.setdefault(_scope(level, item.country, item.site), {})
        scope.setdefault(index[(item.artifact, item.subartifact)], []).append(item)
    by_path, by_rule = _index_findings(report.findings)
    rows = []
    for label, country, site in _scopes(report, level, grouped):
        cells_at = grouped.get(_scope(level, country, site), {})
        cells = tuple(
            _cell(cells_at[position], by_path, by_rule) if position in cells_at else None
            for position in range(len(columns))
        )
        rows.append(Row(label=label, country=country, site=site, cells=cells))
    return Matrix(level=level, columns=tuple(columns), rows=tuple(rows))


def _scope(level: Level, country: str | None, site: str | None) -> ScopeKey:
    if level is Level.TRIAL:
        return (None, None)
    if level is Level.COUNTRY:
        return (country, None)
    return (None, site)


def _scopes(
    report: Report, level: Level, grouped: dict[ScopeKey, dict[int, list[Expectation]]]
) -> list[tuple[str, str | None, str | None]]:
    if level is Level.TRIAL:
        return [("Trial", None, None)] if grouped else []
    if level is Level.COUNTRY:
        return [(code, code, None) for code in countries(report)]
    return [(site, country, site) for site, country in sites(report)]


def _columns(expected: Sequence[Expectation]) -> list[Column]:
    names: dict[tuple[str, str | None], str] = {}
    for item in expected:
        names.setdefault((item.artifact, item.subartifact), item.artifact_name)
    keys = sorted(names, key=lambda k: (k[0], k[1] is not None, k[1] or ""))
    shared: dict[str, int] = {}
    for artifact, _ in keys:
        shared[artifact] = shared.get(artifact, 0) + 1
    columns = []
    letters: dict[str, int] = {}
    for artifact, subartifact in keys:
        code = artifact
        if shared[artifact] > 1:
            number = letters.get(artifact, 0)
            letters[artifact] = number + 1
            code = f"{artifact}{chr(ord('a') + number % 26)}"
        columns.append(Column(artifact, subartifact, names[(artifact, subartifact)], code))
    return columns


RuleKey = tuple[str, str | None, str | None, str | None]
"""(rule, country, site, artifact)"""


def _index_findings(
    findings: Sequence[Finding],
) -> tuple[dict[str, list[Finding]], dict[RuleKey, list[Finding]]]:
    by_path: dict[str, list[Finding]] = {}
    by_rule: dict[RuleKey, list[Finding]] = {}
    for finding in findings:
        if finding.path is not None:
            by_path.setdefault(finding.path, []).append(finding)
        else:
            key = (finding.rule, finding.country, finding.site, finding.artifact)
            by_rule.setdefault(key, []).append(finding)
    return by_path, by_rule


def _cell(
    items: list[Expectation],
    by_path: dict[str, list[Finding]],
    by_rule: dict[RuleKey, list[Finding]],
) -> Cell:
    state = CellState.NOT_YET_DUE
    related: list[Finding] = []
    for item in items:
        current = _BY_STATUS[item.status]
        if item.status is ExpectationStatus.PRESENT:
            on_documents = [
                f
                for path in item.documents
                for f in by_path.get(path, ())
                if f.status is FindingStatus.OPEN and f.severity is not Severity.INFO
            ]
            related += on_documents
            for finding in on_documents:
                found = _BY_KIND.get(finding.kind, CellState.ATTENTION)
                current = found if found.rank > current.rank else current
        else:
            related += by_rule.get((item.rule, item.country, item.site, item.artifact), ())
        state = current if current.rank > state.rank else state
    unique = {f.id: f for f in related}
    return Cell(state=state, expectations=tuple(items), findings=tuple(unique.values()))
