"""``etmf scan PATH``: scan a TMF folder and report findings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from etmf.cli.history_command import ScanHistory, add_scan_arguments
from etmf.cli.output import (
    OutputTarget,
    add_output_arguments,
    plan_outputs,
    refuse_outputs_inside,
    write_reports,
)
from etmf.cli.progress import ProgressBar
from etmf.errors import UsageError
from etmf.executors import Executor
from etmf.formats.html.options import HtmlOptions
from etmf.model import FindingStatus, Report, Severity, TrendPoint
from etmf.scan import ScanOptions, build_report, default_cache_dir, gather, prepare, resolve_as_of
from etmf.workers import default_jobs


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "scan",
        help="scan a TMF folder",
        description="Classify every document of a TMF folder and report what is missing, "
        "unreadable or misfiled, with the rule and regulation behind each finding.",
    )
    parser.add_argument("path", type=Path, help="the TMF folder")
    parser.add_argument("--study", type=Path, help="study configuration (default: PATH/etmf.yaml)")
    parser.add_argument("--as-of", type=parse_date, help="evaluate as of this date (YYYY-MM-DD)")
    add_output_arguments(parser)
    add_fail_on_argument(parser)
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="worker processes (default: the number of cores; 0 reads files in this process, "
        "without a per-file time limit)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="per-file time limit: a file that takes longer is reported unreadable (default 120)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="where the document and OCR caches live, outside PATH "
        f"(default: {default_cache_dir()})",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file again, and keep no document cache",
    )
    parser.add_argument(
        "--executor",
        choices=[e.value for e in Executor],
        default=Executor.LOCAL.value,
        help="local: worker processes on this machine (default); dask: Dask distributed workers",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --executor dask: the scheduler (tcp://host:8786); none starts a local cluster",
    )
    parser.add_argument(
        "--profiles",
        type=Path,
        action="append",
        default=[],
        help="a profile file or folder of your own, layered over the packaged ones",
    )
    add_scan_arguments(parser)
    parser.set_defaults(run=run)


def add_fail_on_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity if s is not Severity.INFO],
        default="major",
        help="exit 1 when an open finding is at least this severe (default: major)",
    )


def output_targets(options: argparse.Namespace, *, scanned: Path | None) -> list[OutputTarget]:
    """The outputs ``--output``/``--format`` ask for, checked before any work is done."""
    targets = plan_outputs(options.output, options.format)
    refuse_outputs_inside(targets, scanned)
    return targets


def finish(
    report: Report,
    targets: list[OutputTarget],
    options: argparse.Namespace,
    *,
    scanned: Path | None,
    trend: Sequence[TrendPoint] = (),
) -> int:
    """Write every requested output and return the exit code ``--fail-on`` gives; ``trend``:
    the scan history the HTML report draws."""
    html_options = HtmlOptions(horizon_days=options.expiring_within, trend=trend)
    write_reports(report, targets, scanned=scanned, bom=options.bom, html_options=html_options)
    return exit_code(report, Severity(options.fail_on))


def exit_code(report: Report, fail_on: Severity) -> int:
    failing = any(
        f.status is FindingStatus.OPEN and f.severity.rank >= fail_on.rank for f in report.findings
    )
    return 1 if failing else 0


def run(options: argparse.Namespace, argv: list[str]) -> int:
    root: Path = options.path
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    targets = output_targets(options, scanned=root)
    if options.jobs < 0 or options.timeout <= 0:
        raise UsageError("--jobs must be 0 or more and --timeout above 0")
    executor = Executor(options.executor)
    if options.scheduler and executor is not Executor.DASK:
        raise UsageError("--scheduler needs --executor dask")
    history = ScanHistory.begin(options, root)
    scan_options = ScanOptions(
        study_file=options.study,
        profile_paths=tuple(options.profiles),
        jobs=options.jobs,
        timeout_seconds=options.timeout,
        cache_dir=options.cache,
        cache=not options.no_cache,
        executor=executor,
        scheduler=options.scheduler,
    )
    setup = prepare(root, scan_options)
    as_of = resolve_as_of(options.as_of, setup.study) or date.today()
    progress = ProgressBar()
    collected = gather(root, setup, as_of=as_of, options=scan_options, observer=progress)
    if collected.stats.problem:
        print(f"etmf: warning: {collected.stats.problem}", file=sys.stderr)
    elif collected.stats.rebuilt:
        note = "etmf: the document cache was damaged or of another version: rebuilt"
        print(note, file=sys.stderr)
    progress.summary(collected.stats)
    report = build_report(collected.documents, setup, as_of=as_of)
    if history and history.replaces_report:
        code = exit_code(report, Severity(options.fail_on))
    else:
        trend = history.trend(report, root) if history else ()
        code = finish(report, targets, options, scanned=root, trend=trend)
    if history:
        history.finish(report, root)
    return code
