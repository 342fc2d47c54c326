"""A short Markdown summary for a ticket or an e-mail: where the TMF stands and what to fix first.

The study, ``as_of`` and profiles; completeness; open findings by severity; the worst open
findings (at most ``limit``), grouped by scope, each with its rule; and one line on what is
waived. Text read from documents and file names is escaped, so a file named ``*[x](y)*`` or
``<img src=x>`` is shown as written and never becomes a link, emphasis or HTML.
"""

from __future__ import annotations

import re
from itertools import groupby

from etmf.formats.text import scope_title
from etmf.model import Finding, FindingStatus, Report, Severity

TOP_FINDINGS = 10
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def escape(text: str) -> str:
    """Literal text inside a CommonMark/GFM line: the characters that start emphasis, code,
    links, HTML, tables, strikethrough or entities are backslash-escaped; line breaks become
    spaces. Nothing etmf writes starts a line with document text, so block syntax cannot arise."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _completeness(report: Report) -> str:
    summary = report.summary
    if summary.completeness is None:
        return "no documents expected yet"
    due = summary.present + summary.missing
    extra = []
    if summary.not_yet_due:
        extra.append(f"{summary.not_yet_due} not yet due")
    if summary.waived:
        extra.append(f"{summary.waived} waived")
    tail = f" ({', '.join(extra)})" if extra else ""
    share = f"{summary.completeness:.0%}"
    return f"{summary.present} of {due} expected documents present, {share}{tail}"


def _rank(finding: Finding) -> tuple[int, str, str, str]:
    return (-finding.severity.rank, finding.site or "", finding.country or "", finding.id)


def render(report: Report, *, limit: int = TOP_FINDINGS) -> str:
    study = report.study.id if report.study else "no study configuration"
    summary = report.summary
    lines = [
        f"## etmf: {escape(study)}, as of {report.as_of.isoformat()}",
        "",
        f"- **Completeness:** {_completeness(report)}",
        f"- **Documents:** {summary.documents} ({summary.readable} readable, "
        f"{summary.classified} classified)",
        f"- **Profiles:** {escape(', '.join(p.id for p in report.profiles))}",
        "",
        "| severity | open findings |",
        "|---|---:|",
    ]
    lines += [f"| {s.value} | {summary.by_severity.get(s.value, 0)} |" for s in Severity]
    lines.append("")
    open_findings = [f for f in report.findings if f.status is FindingStatus.OPEN]
    if not open_findings:
        lines += ["No open findings.", ""]
    else:
        top = sorted(open_findings, key=_rank)[:limit]
        shown = "all" if len(top) == len(open_findings) else f"the {len(top)} worst"
        lines += [f"### Open findings ({shown} of {len(open_findings)})", ""]
        ordered = [f for f in report.findings if f in top]
        for title, group in groupby(ordered, key=lambda f: scope_title(f, report)):
            lines.append(f"**{escape(title)}**")
            lines.append("")
            for finding in sorted(group, key=_rank):
                lines.append(
                    f"- {finding.severity.value.upper()} `{finding.rule}` "
                    f"{finding.kind.value}: {escape(finding.message)}"
                )
            lines.append("")
    waived = [f for f in report.findings if f.status is FindingStatus.WAIVED]
    if waived:
        items = "; ".join(
            f"`{f.rule}` at {escape(scope_title(f, report))}"
            + (f": {escape(f.waiver.reason)}" if f.waiver else "")
            for f in waived
        )
        noun = "finding" if len(waived) == 1 else "findings"
        lines += [f"**Waived** ({len(waived)} {noun}): {items}", ""]
    return "\n".join(lines)
