"""``etmf ems export PATH --output DIR``: a TMF folder as a TMF Reference Model Exchange
Mechanism (EMS) package. Reading a package needs no command: ``etmf scan`` of a folder with an
exchange.xml at its root uses it."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from etmf.cli.progress import ProgressBar
from etmf.cli.scan_command import parse_date
from etmf.ems.writing import export_package
from etmf.errors import UsageError
from etmf.scan import ScanOptions
from etmf.workers import default_jobs


def register(commands: Any) -> None:
    ems = commands.add_parser("ems", help="TMF Reference Model Exchange Mechanism packages")
    actions = ems.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write a TMF folder as an EMS package",
        description="Scan PATH and write an EMS package into DIR: each classified document "
        "copied into its zone/section/artifact folder and listed in exchange.xml with its "
        "metadata and SHA-256. PATH is only read.",
    )
    export.add_argument("path", type=Path, help="the TMF folder")
    export.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="DIR",
        help="the package folder to create: new or empty, and outside PATH",
    )
    export.add_argument("--study", type=Path, help="study configuration (default: PATH/etmf.yaml)")
    export.add_argument("--as-of", type=parse_date, help="evaluate as of this date (YYYY-MM-DD)")
    export.add_argument(
        "--source",
        metavar="ID",
        help="TRANSFERSOURCEID: who sends the package (default: the study's sponsor)",
    )
    export.add_argument("--profiles", type=Path, action="append", default=[], metavar="PATH")
    export.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes")
    export.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS")
    export.set_defaults(run=run_export)


def run_export(options: argparse.Namespace, argv: list[str]) -> int:
    """Exit 0 when every document is in the package, 1 when some were left out."""
    root: Path = options.path
    output: Path = options.output
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    if options.jobs < 0 or options.timeout <= 0:
        raise UsageError("--jobs must be 0 or more and --timeout above 0")
    scan_options = ScanOptions(
        study_file=options.study,
        profile_paths=tuple(options.profiles),
        jobs=options.jobs,
        timeout_seconds=options.timeout,
    )
    plan = export_package(
        root,
        output,
        as_of=options.as_of,
        default_as_of=date.today(),
        options=scan_options,
        observer=ProgressBar(),
        source_id=options.source,
    )
    out = sys.stdout
    out.write(
        f"wrote {output}: {len(plan.files)} documents listed in exchange.xml (transfer "
        f"{plan.transfer_id}), validated against the EMS schema\n"
    )
    for item in plan.left_out:
        out.write(f"not exported: {item.path}: {item.reason}\n")
    out.flush()
    return 1 if plan.left_out else 0
