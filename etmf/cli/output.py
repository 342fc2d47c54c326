"""Where command output goes: standard output, or a file written atomically."""

from __future__ import annotations

import sys
from pathlib import Path

from etmf.atomic import is_inside, write_atomic
from etmf.errors import UsageError


def emit(text: str, output: Path | None, *, scanned: Path | None = None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    refuse_output_inside(output, scanned)
    write_atomic(output, text)


def refuse_output_inside(output: Path | None, scanned: Path | None) -> None:
    """etmf never writes into a scanned folder: say so before any work is done."""
    if output is not None and scanned is not None and is_inside(output, scanned):
        raise UsageError(
            f"{output}: refusing to write into the scanned folder {scanned}; "
            "choose an output path outside it"
        )
