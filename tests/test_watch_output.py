"""``etmf watch``'s report file: a report that cannot be written is said, and the watch goes
on with the last report whole."""

from __future__ import annotations

import io
import json
from pathlib import Path

from etmf.cli.watch_command import ChangePrinter
from etmf.formats import OutputFormat
from etmf.scan import ScanOptions, scan
from etmf.watch import Change, ChangeKind
from tests.test_scan_report import build_tree


def test_a_report_that_cannot_be_written_is_said_and_the_next_change_writes_it(
    tmp_path: Path,
) -> None:
    report = scan(build_tree(tmp_path / "tmf"), options=ScanOptions(jobs=0))
    folder = tmp_path / "reports"
    folder.write_text("a file where the report's folder should be", "utf-8")
    output = folder / "report.json"
    out, err = io.StringIO(), io.StringIO()
    printer = ChangePrinter(OutputFormat.JSON, output, out, err)

    printer(Change(kind=ChangeKind.SCAN, batch=1, report=report))
    assert err.getvalue().startswith(f"etmf watch: {output}: cannot write the report (")
    assert err.getvalue().endswith("); the next change tries again\n")
    assert json.loads(out.getvalue())["batch"] == 1  # the change is still printed

    folder.unlink()
    printer(Change(kind=ChangeKind.FILES, batch=2, report=report))
    assert json.loads(output.read_text("utf-8"))["summary"] == report.summary.model_dump(
        mode="json"
    )
    assert not list(folder.glob(".report.json.*.tmp"))
