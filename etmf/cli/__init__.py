"""The command line: ``etmf scan``, ``etmf report``, ``etmf watch``, ``etmf diff`` ...

The only place that prints or exits. ``main(argv)`` returns the exit code: 0 nothing at or
above ``--fail-on``, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from etmf.cli import (
    classify_command,
    ems_command,
    history_command,
    model_command,
    profiles_command,
    report_command,
    scan_command,
    watch_command,
)
from etmf.errors import ConfigError, EtmfError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from etmf.scan import tool_info

    parser = argparse.ArgumentParser(
        prog="etmf",
        description="Keep a Trial Master File inspection-ready: classify every document against "
        "the CDISC TMF Reference Model and report what is missing, expired or unsigned.",
    )
    parser.add_argument("--version", action="version", version=f"etmf {tool_info().version}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    scan_command.register(commands)
    report_command.register(commands)
    classify_command.register(commands)
    model_command.register(commands)
    profiles_command.register(commands)
    history_command.register(commands)
    watch_command.register(commands)
    ems_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        options, extra = parser.parse_known_args(arguments)
        if extra and not (
            options.command == "classify" and not any(a.startswith("-") for a in extra)
        ):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_:
        return EXIT_OK if exit_.code in (0, None) else EXIT_ERROR
    try:
        code: int = options.run(options, arguments)
        return code
    except ConfigError as error:
        print(f"etmf: configuration error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except EtmfError as error:
        print(f"etmf: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("etmf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
