"""Completeness per level, per country and per site, and findings counted by kind and severity,
computed from the report's expectations and findings (no code per kind)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class ScopeCompleteness:
    """Expected records at one scope, by status. ``ratio`` is present / (present + missing),
    as in the report's summary: waived and not-yet-due records do not count."""

    label: str
    country: str | None
    site: str | None
    present: int
    missing: int
    waived: int
    not_yet_due: int

    @property
    def expected(self) -> int:
        return self.present + self.missing + self.waived + self.not_yet_due

    @property
    def ratio(self) -> float | None:
        due = self.present + self.missing
        return self.present / due if due else None


def _tally(
    label: str, items: Iterable[Expectation], *, country: str | None = None, site: str | None = None
) -> ScopeCompleteness:
    counts = Counter(item.status for item in items)
    return ScopeCompleteness(
        label=label,
        country=country,
        site=site,
        present=counts[ExpectationStatus.PRESENT],
        missing=counts[ExpectationStatus.MISSING],
        waived=counts[ExpectationStatus.WAIVED],
        not_yet_due=counts[ExpectationStatus.NOT_YET_DUE],
    )


def by_level(report: Report) -> list[ScopeCompleteness]:
    return [
        _tally(level.value.capitalize(), (e for e in report.expected if e.level is level))
        for level in Level
    ]


def countries(report: Report) -> list[str]:
    """The study's countries in its order, then any other country the report names, sorted."""
    declared = list(report.study.countries) if report.study else []
    named = {e.country for e in report.expected} | {f.country for f in report.findings}
    return declared + sorted(c for c in named if c and c not in declared)


def sites(report: Report) -> list[tuple[str, str | None]]:
    """(site, country) for the study's sites in its order, then any other site named."""
    country_of: dict[str, str | None] = {}
    for site, country in [(e.site, e.country) for e in report.expected] + [
        (f.site, f.country) for f in report.findings
    ]:
        if site and country:
            country_of.setdefault(site, country)
    declared = list(report.study.sites) if report.study else []
    named = {e.site for e in report.expected} | {f.site for f in report.findings}
    ordered = declared + sorted(s for s in named if s and s not in declared)
    return [(site, country_of.get(site)) for site in ordered]


def by_country(report: Report) -> list[ScopeCompleteness]:
    """Everything expected in a country: its country-level records and its sites'."""
    grouped: dict[str | None, list[Expectation]] = {}
    for item in report.expected:
        grouped.setdefault(item.country, []).append(item)
    return [_tally(code, grouped.get(code, ()), country=code) for code in countries(report)]


def by_site(report: Report) -> list[ScopeCompleteness]:
    grouped: dict[str | None, list[Expectation]] = {}
    for item in report.expected:
        if item.level is Level.SITE:
            grouped.setdefault(item.site, []).append(item)
    return [
        _tally(site, grouped.get(site, ()), country=country, site=site)
        for site, country in sites(report)
    ]


def overall(report: Report) -> ScopeCompleteness:
    return _tally("All", report.expected)


def severities() -> list[Severity]:
    """Worst first."""
    return sorted(Severity, key=lambda s: -s.rank)


def kind_severity_counts(findings: Iterable[Finding]) -> dict[Kind, Counter[Severity]]:
    """Open findings counted by kind, then severity; kinds in the model's order."""
    counts: dict[Kind, Counter[Severity]] = {}
    for finding in findings:
        if finding.status is FindingStatus.OPEN:
            counts.setdefault(finding.kind, Counter())[finding.severity] += 1
    return {kind: counts[kind] for kind in Kind if kind in counts}
