"""``etmf history`` and ``etmf diff``, and the ``--history``/``--since-last`` part of ``scan``.

``etmf diff`` exits 1 when a finding that is new in the later scan is at or above
``--fail-on`` (default major), so a scheduler can alert on change rather than on state; 0
otherwise; 2 when the history cannot be read or a scan named does not exist.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etmf import history
from etmf.atomic import is_inside
from etmf.cli.output import emit
from etmf.errors import UsageError
from etmf.formats import history as history_format
from etmf.model import Report, Severity, TrendPoint

_FORMATS = ("text", "json")


def register(commands: Any) -> None:
    listing = commands.add_parser(
        "history",
        help="list the scans recorded in a history database",
        description="List the scans recorded with `etmf scan PATH --history DB`, oldest first, "
        "with their completeness and open findings.",
    )
    _database_argument(listing)
    listing.add_argument("--study", help="only the scans of this study id")
    listing.add_argument("--format", choices=_FORMATS, default="text", help="output format")
    listing.set_defaults(run=run_history)

    compare = commands.add_parser(
        "diff",
        help="compare two recorded scans",
        description="Show the findings that are new, resolved, waived since and still open "
        "between two recorded scans. A scan is named by its number (see `etmf history`), "
        "`latest`, or `previous`: the scan before the other one, of the same folder and study.",
    )
    compare.add_argument(
        "scan_a", nargs="?", metavar="SCAN_A", help="the earlier scan (default: previous)"
    )
    compare.add_argument(
        "scan_b", nargs="?", metavar="SCAN_B", help="the later scan (default: latest)"
    )
    _database_argument(compare)
    compare.add_argument("--study", help="`latest` means the latest scan of this study id")
    compare.add_argument("--format", choices=_FORMATS, default="text", help="output format")
    compare.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity if s is not Severity.INFO],
        default="major",
        help="exit 1 when a new finding is at least this severe (default: major)",
    )
    compare.set_defaults(run=run_diff)


def _database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history", type=Path, required=True, metavar="DB", help="the history database (SQLite)"
    )


def run_history(options: argparse.Namespace, argv: list[str]) -> int:
    history.check(options.history)
    records = history.scans(options.history, study=options.study)
    if options.format == "json":
        emit(history_format.scans_json(records), None)
    else:
        emit(history_format.scans_text(records), None)
    return 0


def run_diff(options: argparse.Namespace, argv: list[str]) -> int:
    database: Path = options.history
    history.check(database)
    after = history.pick(database, options.scan_b or history.LATEST, study=options.study)
    before = history.pick(
        database, options.scan_a or history.PREVIOUS, study=options.study, relative_to=after
    )
    result = history.diff(database, before.number, after.number)
    if options.format == "json":
        emit(history_format.diff_json(result), None)
    else:
        emit(history_format.diff_text(result), None)
    fail_on = Severity(options.fail_on)
    return 1 if any(f.severity.rank >= fail_on.rank for f in result.new) else 0


# ---- etmf scan --history DB [--since-last] -------------------------------------------------------


def add_scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DB",
        help="record this scan in the history database DB (SQLite, outside PATH)",
    )
    parser.add_argument(
        "--since-last",
        action="store_true",
        help="print only the findings new or resolved since the previous scan of this folder "
        "and study in --history, instead of the report (--output still gets the report; the "
        "changes are then printed as text)",
    )


@dataclass(frozen=True, slots=True)
class ScanHistory:
    """Where ``etmf scan`` records itself, when it started (the scan's recorded time), and,
    with ``--since-last``, how it prints the changes: in ``--format`` instead of the report on
    standard output, or as text beside an ``--output`` file."""

    database: Path
    started: datetime
    since_last: bool = False
    replaces_report: bool = False
    changes_format: str = "text"

    @classmethod
    def begin(cls, options: argparse.Namespace, root: Path) -> ScanHistory | None:
        """Check ``--history`` before the scan runs, so a wrong path fails at once."""
        database: Path | None = options.history
        if database is None:
            if options.since_last:
                raise UsageError("--since-last needs --history DB, where earlier scans are kept")
            return None
        if is_inside(database, root):
            raise UsageError(
                f"{database}: refusing to keep the history inside the scanned folder {root}; "
                "choose a path outside it"
            )
        history.check(database, create=True)
        return cls(
            database=database,
            started=datetime.now(UTC).replace(microsecond=0),
            since_last=options.since_last,
            replaces_report=options.since_last and not options.output,
            changes_format="text" if options.output else options.format,
        )

    def trend(self, report: Report, root: Path) -> tuple[TrendPoint, ...]:
        """The earlier scans of this folder and study, and this one (not recorded yet)."""
        earlier = (
            history.trend(
                self.database, study=report.study.id if report.study else None, folder=root
            )
            if self.database.exists()
            else ()
        )
        summary = report.summary
        now = TrendPoint(self.started, report.as_of, summary.completeness, summary.open_findings)
        return (*earlier, now)

    def finish(self, report: Report, root: Path) -> None:
        """Record the scan; with ``--since-last``, print what changed since the previous scan
        of the same folder and study."""
        recorded = history.record(self.database, report, folder=root, scanned_at=self.started)
        if not self.since_last:
            return
        before = history.previous(self.database, recorded)
        result = history.diff(self.database, before.number if before else None, recorded.number)
        if self.changes_format == "json":
            text = history_format.diff_json(result)
        else:
            text = history_format.diff_text(result, list_still_open=False)
        sys.stdout.write(text)
        sys.stdout.flush()
