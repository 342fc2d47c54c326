"""Scan history: each scan recorded in a SQLite file, and what changed between two scans.

A nightly job records every scan (``etmf scan PATH --history DB``): when it ran, the etmf and
profile versions, ``as_of``, the folder, the study, the report's counts and every finding.
``scans`` lists them, ``diff`` compares two, ``trend`` gives the points of a completeness
chart. Finding ids are stable across scans (a hash of rule, kind, scope, artifact and path,
see :mod:`etmf.context`), so a finding is the same finding in two scans when its id is.

Scans form *series*: the scans of one folder for one study. ``previous`` means the scan before
another in its series, so a database may hold many studies. The time of a scan is passed in by
the caller; nothing here reads the clock. The file never lives inside the scanned folder.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from etmf.atomic import is_inside
from etmf.errors import UsageError
from etmf.history_store import HISTORY_SCHEMA, HistoryError, connect, transaction, verify
from etmf.model import (
    Finding,
    FindingStatus,
    Frozen,
    Kind,
    Level,
    Report,
    Severity,
    TrendPoint,
)

__all__ = [
    "HISTORY_SCHEMA",
    "HistoryError",
    "ProfileVersion",
    "RecordedFinding",
    "ScanDiff",
    "ScanRecord",
    "TrendPoint",
    "check",
    "compare",
    "diff",
    "load_findings",
    "pick",
    "previous",
    "record",
    "scan_record",
    "scans",
    "trend",
]

LATEST, PREVIOUS = "latest", "previous"


class ProfileVersion(Frozen):
    id: str
    version: str | None


class ScanRecord(Frozen):
    """One recorded scan and its report's counts. ``number`` is its place in the database."""

    number: int
    scanned_at: datetime
    tool_version: str
    as_of: date
    folder: str
    study: str | None
    profiles: tuple[ProfileVersion, ...]
    documents: int
    readable: int
    classified: int
    expected: int
    present: int
    missing: int
    not_yet_due: int
    completeness: float | None
    open_findings: int
    waived_findings: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


class RecordedFinding(Frozen):
    """A finding as the history keeps it: what it is and where, without its evidence."""

    id: str
    rule: str
    kind: Kind
    severity: Severity
    status: FindingStatus
    artifact: str | None = None
    level: Level | None = None
    country: str | None = None
    site: str | None = None
    path: str | None = None
    message: str


class ScanDiff(Frozen):
    """What changed from ``before`` to ``after`` (``before`` is None for a first scan).

    ``new``: open after, not open before (a finding whose waiver lapsed is new again);
    ``resolved``: open before, absent after, as it read before; ``waived``: open before,
    waived after; ``still_open``: open in both, as it reads after.
    """

    before: ScanRecord | None
    after: ScanRecord
    new: tuple[RecordedFinding, ...]
    resolved: tuple[RecordedFinding, ...]
    waived: tuple[RecordedFinding, ...]
    still_open: tuple[RecordedFinding, ...]


_SCAN_COLUMNS = (
    "id, scanned_at, tool_version, as_of, folder, study, documents, readable, classified, "
    "expected, present, missing, not_yet_due, completeness, open_findings, waived_findings, "
    "by_kind, by_severity"
)
_FINDING_COLUMNS = "id, rule, kind, severity, status, artifact, level, country, site, path, message"


def record(database: Path, report: Report, *, folder: Path, scanned_at: datetime) -> ScanRecord:
    """Add the scan of ``folder`` that produced ``report``, in one transaction."""
    if is_inside(database, folder):
        raise UsageError(
            f"{database}: refusing to keep the history inside the scanned folder {folder}; "
            "choose a path outside it"
        )
    if scanned_at.tzinfo is None:
        raise UsageError("scanned_at must carry a time zone")
    summary = report.summary
    row = (
        scanned_at.astimezone(UTC).isoformat(),
        report.tool.version,
        report.as_of.isoformat(),
        str(folder.resolve()),
        report.study.id if report.study else None,
        summary.documents,
        summary.readable,
        summary.classified,
        summary.expected,
        summary.present,
        summary.missing,
        summary.not_yet_due,
        summary.completeness,
        summary.open_findings,
        summary.waived_findings,
        json.dumps(summary.by_kind, sort_keys=True),
        json.dumps(summary.by_severity),
    )
    with connect(database, create=True) as connection, transaction(connection):
        cursor = connection.execute(
            f"INSERT INTO scans ({_SCAN_COLUMNS.removeprefix('id, ')}) "
            f"VALUES ({', '.join('?' * len(row))})",
            row,
        )
        number = cursor.lastrowid
        connection.executemany(
            "INSERT INTO scan_profiles (scan, profile, version) VALUES (?, ?, ?)",
            sorted((number, id_, version) for id_, version in _versions(report).items()),
        )
        connection.executemany(
            f"INSERT INTO findings (scan, position, {_FINDING_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(number, position, *_finding_row(f)) for position, f in enumerate(report.findings)],
        )
        return _scans(connection, "WHERE id = ?", (number,))[0]


def check(database: Path, *, create: bool = False) -> None:
    """Read the whole file once: fail if it is not an etmf history, has a newer schema, or a
    damaged page anywhere (before a long scan is added to it, or before it is listed). With
    ``create``, a file that does not exist yet passes."""
    if create and not database.exists():
        return
    with connect(database, create=create) as connection:
        verify(connection, database)


def _finding_row(f: Finding) -> tuple[str | None, ...]:
    return (
        f.id,
        f.rule,
        f.kind.value,
        f.severity.value,
        f.status.value,
        f.artifact,
        f.level.value if f.level else None,
        f.country,
        f.site,
        f.path,
        f.message,
    )


def _versions(report: Report) -> dict[str, str | None]:
    return {profile.id: profile.version for profile in report.profiles}


def scans(
    database: Path, *, study: str | None = None, folder: Path | None = None
) -> tuple[ScanRecord, ...]:
    """Every recorded scan, oldest first; only one study's or one folder's when asked."""
    where, parameters = _filter(study, folder)
    with connect(database) as connection:
        return _scans(connection, where, parameters)


def scan_record(database: Path, number: int) -> ScanRecord:
    with connect(database) as connection:
        found = _scans(connection, "WHERE id = ?", (number,))
    if not found:
        raise HistoryError(f"{database}: no scan #{number}")
    return found[0]


def previous(database: Path, of: ScanRecord) -> ScanRecord | None:
    """The scan before ``of`` in its series (same folder, same study), if any."""
    with connect(database) as connection:
        found = _scans(
            connection,
            "WHERE folder = ? AND study IS ? AND id < ? ORDER BY id DESC LIMIT 1",
            (of.folder, of.study, of.number),
        )
    return found[0] if found else None


def pick(
    database: Path,
    reference: str,
    *,
    study: str | None = None,
    relative_to: ScanRecord | None = None,
) -> ScanRecord:
    """A scan named by its number, ``latest`` (of ``study`` when given), or ``previous``: the
    scan before ``relative_to`` (default: the latest) in the same series."""
    if reference.lstrip("#").isdigit():
        return scan_record(database, int(reference.lstrip("#")))
    if reference not in (LATEST, PREVIOUS):
        raise UsageError(f"{reference!r}: name a scan by its number, or latest or previous")
    recorded = scans(database, study=study)
    if not recorded:
        which = f" of study {study}" if study else ""
        raise HistoryError(f"{database}: no scans{which} recorded")
    if reference == LATEST:
        return recorded[-1]
    after = relative_to or recorded[-1]
    before = previous(database, after)
    if before is None:
        raise HistoryError(
            f"{database}: scan #{after.number} is the first of its folder and study; "
            "there is no previous scan to compare it with"
        )
    return before


def load_findings(database: Path, number: int) -> tuple[RecordedFinding, ...]:
    """The findings of scan ``number``, in the report's order."""
    with connect(database) as connection:
        if not _scans(connection, "WHERE id = ?", (number,)):
            raise HistoryError(f"{database}: no scan #{number}")
        rows = connection.execute(
            f"SELECT {_FINDING_COLUMNS} FROM findings WHERE scan = ? ORDER BY position", (number,)
        ).fetchall()
        fields = _FINDING_COLUMNS.split(", ")
        return tuple(
            RecordedFinding.model_validate(dict(zip(fields, row, strict=True))) for row in rows
        )


def diff(database: Path, before: int | None, after: int) -> ScanDiff:
    """Compare two recorded scans by number; ``before=None`` compares with nothing."""
    after_record = scan_record(database, after)
    before_record = scan_record(database, before) if before is not None else None
    old = load_findings(database, before) if before is not None else ()
    new, resolved, waived, still_open = compare(old, load_findings(database, after))
    return ScanDiff(
        before=before_record,
        after=after_record,
        new=new,
        resolved=resolved,
        waived=waived,
        still_open=still_open,
    )


Findings = tuple[RecordedFinding, ...]


def compare(
    before: Sequence[RecordedFinding], after: Sequence[RecordedFinding]
) -> tuple[Findings, Findings, Findings, Findings]:
    """``(new, resolved, waived, still_open)`` between two lists of findings, matched by id."""
    was_open = {f.id: f for f in reversed(before) if f.status is FindingStatus.OPEN}
    now = {f.id: f for f in reversed(after)}
    now_open = [f for f in _unique(after) if f.status is FindingStatus.OPEN]
    new = tuple(f for f in now_open if f.id not in was_open)
    still_open = tuple(f for f in now_open if f.id in was_open)
    gone = [f for f in _unique(before) if f.id in was_open and f.status is FindingStatus.OPEN]
    resolved = tuple(f for f in gone if f.id not in now)
    waived = tuple(
        now[f.id] for f in gone if f.id in now and now[f.id].status is FindingStatus.WAIVED
    )
    return new, resolved, waived, still_open


def trend(
    database: Path, *, study: str | None, folder: Path | None = None
) -> tuple[TrendPoint, ...]:
    """Completeness and open findings of one study's scans, oldest first."""
    with connect(database) as connection:
        rows = connection.execute(
            "SELECT scanned_at, as_of, completeness, open_findings FROM scans "
            "WHERE study IS ?" + (" AND folder = ?" if folder else "") + " ORDER BY id",
            (study, str(folder.resolve())) if folder else (study,),
        ).fetchall()
        return tuple(
            TrendPoint(
                scanned_at=datetime.fromisoformat(scanned_at),
                as_of=date.fromisoformat(as_of),
                completeness=completeness,
                open_findings=open_findings,
            )
            for scanned_at, as_of, completeness, open_findings in rows
        )


def _unique(findings: Sequence[RecordedFinding]) -> list[RecordedFinding]:
    seen: set[str] = set()
    kept = []
    for finding in findings:
        if finding.id not in seen:
            seen.add(finding.id)
            kept.append(finding)
    return kept


def _filter(study: str | None, folder: Path | None) -> tuple[str, tuple[str, ...]]:
    clauses, parameters = [], []
    if study is not None:
        clauses.append("study = ?")
        parameters.append(study)
    if folder is not None:
        clauses.append("folder = ?")
        parameters.append(str(folder.resolve()))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return where + " ORDER BY id", tuple(parameters)


def _scans(
    connection: sqlite3.Connection, where: str, parameters: tuple[object, ...]
) -> tuple[ScanRecord, ...]:
    rows = connection.execute(f"SELECT {_SCAN_COLUMNS} FROM scans {where}", parameters).fetchall()
    profiles: dict[int, list[ProfileVersion]] = {}
    numbers = [row[0] for row in rows]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        for number, profile, version in connection.execute(
            "SELECT scan, profile, version FROM scan_profiles "
            f"WHERE scan IN ({', '.join('?' * len(chunk))}) ORDER BY scan, profile",
            chunk,
        ):
            profiles.setdefault(number, []).append(ProfileVersion(id=profile, version=version))
    fields = _SCAN_COLUMNS.split(", ")
    records = []
    for row in rows:
        values = dict(zip(fields, row, strict=True))
        values["number"] = values.pop("id")
        values["by_kind"] = json.loads(values["by_kind"])
        values["by_severity"] = json.loads(values["by_severity"])
        values["profiles"] = tuple(profiles.get(values["number"], ()))
        records.append(ScanRecord.model_validate(values))
    return tuple(records)
