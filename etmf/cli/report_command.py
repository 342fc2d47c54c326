"""``etmf report SCAN.json``: render a saved JSON report again, in any format.

The JSON report holds everything the other formats show, so ``etmf report`` gives the same
bytes as the scan would have written directly, and the same exit code for ``--fail-on``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from etmf import history
from etmf.cli.output import add_output_arguments
from etmf.cli.scan_command import add_fail_on_argument, finish, output_targets
from etmf.errors import UsageError
from etmf.formats import json_report
from etmf.model import Report, TrendPoint


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="render a saved JSON report in another format",
        description="Read a report written by 'etmf scan --format json' and write it as text, "
        "Markdown, CSV, JUnit XML, SARIF or JSON, to standard output or to files.",
    )
    parser.add_argument("report", type=Path, metavar="SCAN.json", help="a saved JSON report")
    add_output_arguments(parser)
    add_fail_on_argument(parser)
    parser.add_argument(
        "--history",
        type=Path,
        metavar="DB",
        help="the scan history (etmf scan --history) whose trend the HTML report draws",
    )
    parser.set_defaults(run=run)


def load_report(path: Path) -> Report:
    """The report saved at ``path``; a clear message naming the file when it is not one."""
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the report: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not an etmf JSON report (not UTF-8 text)") from None
    try:
        return json_report.parse(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        raise UsageError(
            f"{path}: not an etmf JSON report: {where}: {first['msg']} "
            f"({error.error_count()} problem{'s' if error.error_count() > 1 else ''})"
        ) from None


def run(options: argparse.Namespace, argv: list[str]) -> int:
    source: Path = options.report
    targets = output_targets(options, scanned=None)
    for target in targets:
        if target.path is not None and target.path.resolve() == source.resolve():
            raise UsageError(f"{target.path}: refusing to overwrite the report being read")
    report = load_report(source)
    trend: tuple[TrendPoint, ...] = ()
    if options.history is not None:
        history.check(options.history, create=False)
        trend = history.trend(options.history, study=report.study.id if report.study else None)
    return finish(report, targets, options, scanned=None, trend=trend)
