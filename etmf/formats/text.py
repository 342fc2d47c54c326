"""The text report, for people: findings grouped by scope (trial, countries, sites), worst first.

Generic over finding kinds: every finding prints its severity, kind, message, what was read
(evidence) and the rule with its first citation. No code per kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from etmf.model import Finding, FindingStatus, Report, Severity

_COLORS = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.MAJOR: "\033[31m",
    Severity.MINOR: "\033[33m",
    Severity.INFO: "\033[36m",
}
_RESET = "\033[0m"


def scope_title(finding: Finding, report: Report) -> str:
    if finding.site:
        return f"Site {finding.site}" + (f" ({finding.country})" if finding.country else "")
    if finding.country:
        return f"Country {finding.country}"
    if finding.level is None and finding.path is None:
        return "Study"
    return "Trial"


def render(report: Report, *, color: bool = False) -> str:
    lines = [_header(report), ""]
    open_findings = [f for f in report.findings if f.status is FindingStatus.OPEN]
    waived = [f for f in report.findings if f.status is FindingStatus.WAIVED]
    if not open_findings:
        lines += ["No open findings.", ""]
    for title, group in groupby(open_findings, key=lambda f: scope_title(f, report)):
        lines.append(title)
        for finding in group:
            lines += _finding(finding, color=color)
        lines.append("")
    if waived:
        lines.append(f"Waived ({len(waived)})")
        for finding in waived:
            note = finding.waiver
            by = f", approved by {note.approved_by}" if note and note.approved_by else ""
            until = f", until {note.until.isoformat()}" if note and note.until else ""
            lines.append(f"  {finding.rule}  {finding.message}")
            lines.append(f"      waived: {note.reason if note else ''}{by}{until}")
        lines.append("")
    if report.retention:
        lines.append("Retention")
        for item in report.retention:
            where = item.country or item.profile
            source = item.citation[0].source if item.citation else ""
            lines.append(
                f"  {where}: keep the TMF {item.years} years from {item.start} "
                f"({item.rule}; {source})"
            )
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _header(report: Report) -> str:
    study = f"study {report.study.id}" if report.study else "no study configuration"
    profiles = ", ".join(p.id for p in report.profiles)
    return (
        f"etmf {report.tool.version}: {study}, as of {report.as_of.isoformat()}; "
        f"profiles: {profiles}"
    )


def _finding(finding: Finding, *, color: bool) -> list[str]:
    severity = finding.severity.value.upper()
    if color:
        severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
    lines = [f"  {severity:<8} {finding.kind.value:<14} {finding.message}"]
    lines += [f"      read: {line}" for line in _evidence(finding)]
    citation = finding.citation[0].source if finding.citation else ""
    lines.append(f"      rule: {finding.rule}" + (f"; {citation}" if citation else ""))
    return lines


def _evidence(finding: Finding) -> Iterable[str]:
    for item in finding.evidence[:4]:
        where = item.source.value + (f" p.{item.page}" if item.page else "")
        detail = f" ({item.detail})" if item.detail else ""
        yield f"[{where}] {item.text}{detail}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def summary_line(report: Report) -> str:
    summary = report.summary
    severities = ", ".join(
        f"{count} {name}" for name, count in summary.by_severity.items() if count
    )
    completeness = (
        f"{summary.present}/{summary.present + summary.missing} expected documents present "
        f"({summary.completeness:.0%})"
        if summary.completeness is not None
        else "no documents expected yet"
    )
    return (
        f"{_count(summary.documents, 'document')} ({summary.readable} readable, "
        f"{summary.classified} classified); {_count(summary.open_findings, 'open finding')}"
        + (f" ({severities})" if severities else "")
        + (f", {summary.waived_findings} waived" if summary.waived_findings else "")
        + f"; {completeness}"
    )
