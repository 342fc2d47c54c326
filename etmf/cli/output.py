"""Where command output goes: standard output, or files written atomically, in one or more
formats at once (``--output report.html --output findings.sarif``).

Each ``--output`` file's format comes from its extension; ``--format`` decides when only one
output is given, when the extension is unknown, and for standard output (``-`` or no
``--output``). etmf never writes into the folder it scanned.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from etmf.atomic import is_inside, write_atomic
from etmf.errors import UsageError
from etmf.formats import OutputFormat, json_report, render
from etmf.formats.html.options import HtmlOptions
from etmf.model import Report

STDOUT = Path("-")

EXTENSIONS: tuple[tuple[str, str], ...] = (
    (".documents.csv", "documents-csv"),
    (".sarif.json", "sarif"),
    (".junit.xml", "junit"),
    (".sarif", "sarif"),
    (".json", "json"),
    (".txt", "text"),
    (".md", "markdown"),
    (".markdown", "markdown"),
    (".csv", "csv"),
    (".xml", "junit"),
    (".html", "html"),
    (".htm", "html"),
)
"""File-name endings and the format each selects, longest first. Values are format names, so
a format that this build lacks (``html`` before the HTML report lands) gives a clear message."""


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """One report to write: ``path`` None is standard output."""

    path: Path | None
    format: OutputFormat


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=[f.value for f in OutputFormat],
        help="report format for standard output, for a single --output, and for an --output "
        "whose extension is unknown (default: text)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="write the report to FILE (atomically); repeat for several formats at once, each "
        "chosen by its extension: "
        + ", ".join(f"{suffix} {name}" for suffix, name in EXTENSIONS)
        + "; '-' is standard output",
    )
    parser.add_argument(
        "--expiring-within",
        type=_positive_days,
        default=90,
        metavar="DAYS",
        help="how far ahead of as_of the HTML report's expiry timeline looks (default 90)",
    )
    parser.add_argument(
        "--no-bom",
        dest="bom",
        action="store_false",
        help="write CSV without the UTF-8 byte order mark (kept by default so that Excel "
        "reads Chinese, Korean and Japanese text correctly)",
    )


def _positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"expected a number of days, 1 or more, got {value!r}")
    return days


def _named(name: str, path: Path | None) -> OutputFormat:
    try:
        return OutputFormat(name)
    except ValueError:
        where = f"{path}: " if path is not None else ""
        raise UsageError(
            f"{where}the {name} format is not available in this version of etmf "
            f"(available: {', '.join(f.value for f in OutputFormat)})"
        ) from None


def format_for_path(path: Path) -> str | None:
    """The format a file name asks for, or None when its extension is not one etmf knows."""
    name = path.name.lower()
    for suffix, format_name in EXTENSIONS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return format_name
    return None


def plan_outputs(outputs: Sequence[Path], explicit: str | None) -> list[OutputTarget]:
    """What to write where. Refuses the same file twice and standard output twice."""
    default = explicit or OutputFormat.TEXT.value
    if not outputs:
        return [OutputTarget(None, _named(default, None))]
    targets = []
    seen: set[Path] = set()
    for path in outputs:
        if path == STDOUT:
            targets.append(OutputTarget(None, _named(default, None)))
            continue
        resolved = path.resolve()
        if resolved in seen:
            raise UsageError(f"{path}: given twice as --output")
        seen.add(resolved)
        by_name = format_for_path(path)
        name = explicit if explicit and (len(outputs) == 1 or by_name is None) else by_name
        targets.append(OutputTarget(path, _named(name or default, path)))
    if sum(1 for t in targets if t.path is None) > 1:
        raise UsageError("standard output ('-') given twice as --output")
    return targets


def refuse_output_inside(output: Path | None, scanned: Path | None) -> None:
    """etmf never writes into a scanned folder: say so before any work is done."""
    if output is not None and scanned is not None and is_inside(output, scanned):
        raise UsageError(
            f"{output}: refusing to write into the scanned folder {scanned}; "
            "choose an output path outside it"
        )


def refuse_outputs_inside(targets: Sequence[OutputTarget], scanned: Path | None) -> None:
    for target in targets:
        refuse_output_inside(target.path, scanned)


def emit(text: str | Iterable[bytes], output: Path | None, *, scanned: Path | None = None) -> None:
    """Write ``text`` (whole, or in UTF-8 pieces as they are rendered) to standard output or,
    atomically, to ``output``."""
    if output is None:
        if isinstance(text, str):
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            binary = getattr(sys.stdout, "buffer", None)  # not on a StringIO a caller swapped in
            for piece in text:
                if binary is not None:
                    binary.write(piece)
                else:
                    sys.stdout.write(piece.decode("utf-8"))
        sys.stdout.flush()
        return
    refuse_output_inside(output, scanned)
    try:
        write_atomic(output, text)
    except OSError as error:
        raise UsageError(f"{output}: cannot write the report: {error.strerror}") from None


def write_reports(
    report: Report,
    targets: Sequence[OutputTarget],
    *,
    scanned: Path | None = None,
    bom: bool = True,
    html_options: HtmlOptions | None = None,
) -> None:
    """Render each format once and write every target; text to a terminal is coloured. JSON
    is written in pieces as it is rendered, never held whole: at 100,000 documents it is
    hundreds of megabytes."""
    rendered: dict[tuple[OutputFormat, bool], str] = {}
    for target in targets:
        if target.format is OutputFormat.JSON:
            emit(json_report.chunks(report), target.path, scanned=scanned)
            continue
        color = target.format is OutputFormat.TEXT and target.path is None and sys.stdout.isatty()
        key = (target.format, color)
        if key not in rendered:
            rendered[key] = render(
                report, target.format, color=color, bom=bom, html_options=html_options
            )
        emit(rendered[key], target.path, scanned=scanned)
