"""Scan history and diffs, as text for people and JSON for programs. Pure functions.

JSON carries ``history_schema`` (the version of the history database's records) and every
field of the records; text shows one line per scan and one block per changed finding, generic
over finding kinds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from etmf.history import HISTORY_SCHEMA, RecordedFinding, ScanDiff, ScanRecord


def scans_json(records: Sequence[ScanRecord]) -> str:
    return _dump({"history_schema": HISTORY_SCHEMA, "scans": [_plain(r) for r in records]})


def diff_json(result: ScanDiff) -> str:
    return _dump({"history_schema": HISTORY_SCHEMA, **result.model_dump(mode="json")})


def scans_text(records: Sequence[ScanRecord]) -> str:
    if not records:
        return "No scans recorded.\n"
    header = ["scan", "scanned at (UTC)", "as of", "study", "documents", "present", "complete"]
    header += ["open", "waived", "etmf", "folder"]
    rows = [header]
    for r in records:
        rows.append(
            [
                f"#{r.number}",
                _when(r),
                r.as_of.isoformat(),
                r.study or "-",
                str(r.documents),
                f"{r.present}/{r.present + r.missing}",
                _percent(r.completeness),
                str(r.open_findings),
                str(r.waived_findings),
                r.tool_version,
                r.folder,
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {0, 4, 5, 6, 7, 8}
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def diff_text(result: ScanDiff, *, list_still_open: bool = True) -> str:
    """``list_still_open=False`` counts the findings still open instead of listing them (what
    ``etmf scan --since-last`` prints: only what changed)."""
    after = result.after
    study = f"study {after.study}" if after.study else "no study configuration"
    if result.before is None:
        lines = [
            f"Scan #{after.number} ({_when(after)} UTC, as of {after.as_of.isoformat()}; {study}) "
            "is the first of its folder and study: every open finding is new.",
            f"Completeness {_percent(after.completeness)}; {after.open_findings} open findings",
        ]
    else:
        before = result.before
        lines = [
            f"Scan #{before.number} ({_when(before)} UTC, as of {before.as_of.isoformat()}) -> "
            f"#{after.number} ({_when(after)} UTC, as of {after.as_of.isoformat()}); {study}",
            f"Completeness {_percent(before.completeness)} -> {_percent(after.completeness)}"
            f"{_points(before.completeness, after.completeness)}; open findings "
            f"{before.open_findings} -> {after.open_findings}",
        ]
        changed = _versions_changed(before, after)
        if changed:
            lines.append("Changed: " + "; ".join(changed))
    lines.append("")
    if not (result.new or result.resolved or result.waived):
        lines += ["No new or resolved findings.", ""]
    for title, findings in (
        ("New", result.new),
        ("Resolved", result.resolved),
        ("Waived since", result.waived),
    ):
        if findings:
            lines.append(f"{title} ({len(findings)})")
            for finding in findings:
                lines += _finding(finding)
            lines.append("")
    if list_still_open and result.still_open:
        lines.append(f"Still open ({len(result.still_open)})")
        for finding in result.still_open:
            lines += _finding(finding)
        lines.append("")
    lines.append(
        f"{len(result.new)} new, {len(result.resolved)} resolved, {len(result.waived)} waived, "
        f"{len(result.still_open)} still open"
    )
    return "\n".join(lines) + "\n"


def _finding(finding: RecordedFinding) -> list[str]:
    return [
        f"  {finding.severity.value.upper():<8} {finding.kind.value:<17} {finding.message}",
        f"      rule: {finding.rule}; id: {finding.id}",
    ]


def _versions_changed(before: ScanRecord, after: ScanRecord) -> list[str]:
    changed = []
    if before.tool_version != after.tool_version:
        changed.append(f"etmf {before.tool_version} -> {after.tool_version}")
    old = {p.id: p.version for p in before.profiles}
    for profile in after.profiles:
        if profile.id in old and old[profile.id] != profile.version:
            changed.append(f"profile {profile.id} {old[profile.id]} -> {profile.version}")
    added = sorted(p.id for p in after.profiles if p.id not in old)
    if added:
        changed.append("profiles added: " + ", ".join(added))
    return changed


def _when(record: ScanRecord) -> str:
    return record.scanned_at.strftime("%Y-%m-%d %H:%M:%S")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _points(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return ""
    return f" ({(after - before) * 100:+.1f} points)"


def _plain(record: ScanRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
