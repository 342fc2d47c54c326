"""``etmf watch PATH``: keep a report current while the folder changes, and say what changed.

Prints each batch: the documents read again or removed, the findings that appeared (``+``)
and those that were resolved (``-``). With ``--format json`` each batch is one JSON line on
standard output (the report file, when given, is JSON too). Ctrl-C stops with exit code 130,
SIGTERM (``systemctl stop``) with 0; the observer is stopped and joined either way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from etmf.atomic import write_atomic
from etmf.cli.output import refuse_output_inside
from etmf.cli.scan_command import parse_date
from etmf.errors import UsageError
from etmf.formats import OutputFormat, render
from etmf.formats.json_incremental import IncrementalJson
from etmf.formats.text import summary_line
from etmf.model import Finding, FindingStatus
from etmf.observe import make_observer
from etmf.scan import ScanOptions
from etmf.watch import Change, ChangeKind, Watcher, WatchOptions
from etmf.workers import default_jobs


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {value!r}")
    return number


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "watch",
        help="watch a TMF folder and keep its report current",
        description="Scan a TMF folder, then watch it: each change re-reads the documents it "
        "touched, evaluates every rule again, rewrites the report and prints the findings that "
        "appeared and those that were resolved. Ctrl-C stops.",
    )
    parser.add_argument("path", type=Path, help="the TMF folder")
    parser.add_argument("--study", type=Path, help="study configuration (default: PATH/etmf.yaml)")
    parser.add_argument(
        "--as-of",
        type=parse_date,
        help="evaluate as of this date (default: study.as_of, else the day the watch starts; "
        "it stays fixed while the watch runs)",
    )
    parser.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        default="text",
        help="report file format, and json prints each change as one JSON line",
    )
    parser.add_argument("--output", type=Path, help="rewrite the report FILE after each change")
    parser.add_argument(
        "--poll",
        action="store_true",
        help="poll the folder instead of inotify (network shares, where inotify sees nothing)",
    )
    parser.add_argument(
        "--poll-interval",
        type=_seconds,
        default=2.0,
        metavar="SECONDS",
        help="with --poll: seconds between two looks at the folder (default 2)",
    )
    parser.add_argument(
        "--debounce",
        type=_seconds,
        default=0.3,
        metavar="SECONDS",
        help="a file is read once it stayed unchanged this long (default 0.3)",
    )
    parser.add_argument(
        "--reconcile",
        type=_seconds,
        default=300.0,
        metavar="SECONDS",
        help="compare the whole folder with what was seen this often, in case an event was "
        "missed (default 300)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=default_jobs(),
        help="worker processes (default: the number of cores; 0 reads files in this process)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="per-file time limit with --jobs 1 or more (default 120)",
    )
    parser.add_argument(
        "--profiles",
        type=Path,
        action="append",
        default=[],
        help="a profile file or folder of your own, layered over the packaged ones",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace, argv: list[str]) -> int:
    root: Path = options.path
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    refuse_output_inside(options.output, root)
    if options.jobs < 0 or options.timeout <= 0:
        raise UsageError("--jobs must be 0 or more and --timeout above 0")
    scan_options = ScanOptions(
        study_file=options.study,
        profile_paths=tuple(options.profiles),
        jobs=options.jobs,
        timeout_seconds=options.timeout,
    )
    watch_options = WatchOptions(
        quiet_seconds=options.debounce,
        tick_seconds=min(0.1, max(0.02, options.debounce / 3)),
        reconcile_seconds=options.reconcile,
    )
    printer = ChangePrinter(OutputFormat(options.format), options.output, sys.stdout, sys.stderr)
    watcher = Watcher(
        root,
        source=make_observer(poll=options.poll, interval=options.poll_interval),
        default_as_of=date.today(),
        as_of=options.as_of,
        scan_options=scan_options,
        options=watch_options,
    )
    stop = threading.Event()
    with _stop_on_terminate(stop), watcher:
        assert watcher.initial is not None
        printer(watcher.initial)
        how = f"polling every {options.poll_interval:g} s" if options.poll else "inotify"
        printer.note(f"watching {root} ({how}); Ctrl-C stops")
        watcher.run(printer, stop=stop)
    printer.note("stopped")
    return 0


@contextlib.contextmanager
def _stop_on_terminate(stop: threading.Event) -> Iterator[None]:
    """SIGTERM ends the watch as a normal stop (exit 0)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class ChangePrinter:
    """Writes the report file (atomically), then prints what changed."""

    def __init__(
        self, output_format: OutputFormat, output: Path | None, out: TextIO, err: TextIO
    ) -> None:
        self.format = output_format
        self.output = output
        self.out = out
        self.err = err
        self.json = IncrementalJson()

    def note(self, text: str) -> None:
        stream = self.err if self.format is OutputFormat.JSON else self.out
        stream.write(f"etmf watch: {text}\n")
        stream.flush()

    def __call__(self, change: Change) -> None:
        if self.output is not None:
            self._write(change)
        completed_at = time.time()
        if change.error is not None:
            self.err.write(
                f"etmf: configuration error: {change.error}; keeping the last good configuration\n"
            )
            self.err.flush()
        if self.format is OutputFormat.JSON:
            self.out.write(json.dumps(_event(change, completed_at), ensure_ascii=False) + "\n")
        elif change.kind is ChangeKind.SCAN and change.batch == 1 and self.output is None:
            self.out.write(render(change.report, OutputFormat.TEXT))
        else:
            self.out.write("\n".join(_lines(change, completed_at)) + "\n")
        self.out.flush()

    def _write(self, change: Change) -> None:
        """A report that cannot be written (a full disk, a folder gone) is said and the watch
        goes on: the last report stays whole, and the next change tries again."""
        assert self.output is not None
        data = (
            self.json.chunks(change.report)
            if self.format is OutputFormat.JSON
            else render(change.report, self.format)
        )
        try:
            write_atomic(self.output, data)
        except OSError as error:
            self.err.write(
                f"etmf watch: {self.output}: cannot write the report "
                f"({error.strerror or error}); the next change tries again\n"
            )
            self.err.flush()


def _event(change: Change, completed_at: float) -> dict[str, Any]:
    return {
        "event": change.kind.value,
        "batch": change.batch,
        "completed_at": round(completed_at, 3),
        "waited_seconds": round(change.waited_seconds, 3),
        "took_seconds": round(change.took_seconds, 3),
        "reconciled": change.reconciled,
        "reread": list(change.reread) if change.batch > 1 else [],
        "removed": list(change.removed),
        "appeared": [f.model_dump(mode="json") for f in change.appeared],
        "resolved": [f.model_dump(mode="json") for f in change.resolved],
        "error": change.error,
        "summary": change.report.summary.model_dump(mode="json"),
    }


def _lines(change: Change, completed_at: float) -> list[str]:
    clock = datetime.fromtimestamp(completed_at).strftime("%H:%M:%S")
    if change.kind is ChangeKind.SCAN:
        what = f"read all {len(change.reread)} documents"
    elif change.kind is ChangeKind.CONFIGURATION:
        what = "configuration reloaded"
    elif change.kind is ChangeKind.CONFIG_ERROR and not (change.reread or change.removed):
        what = "configuration error, nothing changed"
    else:
        parts = [f"{path} read" for path in change.reread[:3]]
        parts += [f"{path} removed" for path in change.removed[:3]]
        more = len(change.reread) + len(change.removed) - len(parts)
        what = ", ".join(parts) + (f" and {more} more" if more > 0 else "")
    found = " (found by the reconciliation walk)" if change.reconciled else ""
    lines = [
        f"{clock} {what}{found}: {len(change.appeared)} appeared, "
        f"{len(change.resolved)} resolved ({change.waited_seconds:.2f} s)"
    ]
    if not (change.kind is ChangeKind.SCAN and change.batch == 1):  # the report has them all
        lines += [_finding("+", f) for f in change.appeared]
        lines += [_finding("-", f) for f in change.resolved]
    lines.append(f"  {summary_line(change.report)}")
    return lines


def _finding(sign: str, finding: Finding) -> str:
    waived = " (waived)" if finding.status is FindingStatus.WAIVED else ""
    return (
        f"  {sign} {finding.severity.value.upper():<8} {finding.kind.value:<14} "
        f"{finding.message}{waived}"
    )
