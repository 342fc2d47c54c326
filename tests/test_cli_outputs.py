"""Several outputs in one run, the format chosen by extension, and ``etmf report`` on a saved
JSON report giving the same bytes and exit codes as the scan itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from etmf.cli import main
from etmf.cli.output import OutputTarget, format_for_path, plan_outputs
from etmf.errors import UsageError
from etmf.formats import OutputFormat, json_report, render
from tests.builders import run_cli
from tests.report_samples import build_tree

OUTPUTS = {
    "report.json": OutputFormat.JSON,
    "findings.sarif": OutputFormat.SARIF,
    "checks.junit.xml": OutputFormat.JUNIT,
    "summary.md": OutputFormat.MARKDOWN,
    "findings.csv": OutputFormat.CSV,
    "inventory.documents.csv": OutputFormat.DOCUMENTS_CSV,
    "report.txt": OutputFormat.TEXT,
    "readiness.html": OutputFormat.HTML,
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tree(tmp_path_factory.mktemp("cli-outputs") / "tmf")


@pytest.fixture(scope="module")
def written(tree: Path) -> Path:
    """One scan writing every format at once."""
    out = tree.parent / "out"
    argv = ["scan", str(tree), "--jobs", "0"]
    for name in OUTPUTS:
        argv += ["--output", str(out / name)]
    assert main(argv) == 1
    return out


def test_one_scan_writes_every_output(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(OUTPUTS)
    report = json_report.parse((written / "report.json").read_text("utf-8"))
    for name, output_format in OUTPUTS.items():
        text = (written / name).read_bytes().decode("utf-8")  # CSV line ends are CRLF
        assert text == render(report, output_format), name


def test_nothing_on_stdout_when_every_report_goes_to_files(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "scan", str(tree), "--jobs", "0", "--output", str(tmp_path / "a.md"),
        "--output", str(tmp_path / "b.sarif.json"),
    )  # fmt: skip
    assert code == 1
    assert out == ""
    assert (tmp_path / "b.sarif.json").read_text("utf-8").startswith('{\n  "$schema"')
    assert (tmp_path / "a.md").read_text("utf-8").startswith("## etmf: S-1")


@pytest.mark.parametrize("output_format", list(OutputFormat))
def test_report_gives_the_same_bytes_as_the_scan(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: OutputFormat
) -> None:
    name = next(n for n, f in OUTPUTS.items() if f is output_format)
    target = tmp_path / name
    code, out, err = run_cli(
        capsys, "report", str(written / "report.json"), "--output", str(target)
    )
    assert (code, out, err) == (1, "", "")
    assert target.read_bytes() == (written / name).read_bytes()
    code, out, _ = run_cli(
        capsys, "report", str(written / "report.json"), "--format", output_format.value
    )
    assert code == 1
    assert out == (written / name).read_bytes().decode("utf-8")


def test_report_exit_codes_follow_fail_on(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json_report.parse((written / "report.json").read_text("utf-8"))
    clean = report.model_copy(update={"findings": ()})
    saved = tmp_path / "clean.json"
    saved.write_text(json_report.render(clean), "utf-8")
    assert run_cli(capsys, "report", str(saved))[0] == 0
    assert run_cli(capsys, "report", str(written / "report.json"), "--fail-on", "critical")[0] == 1
    only_minor = report.model_copy(
        update={"findings": tuple(f for f in report.findings if f.severity.value == "minor")}
    )
    saved.write_text(json_report.render(only_minor), "utf-8")
    assert run_cli(capsys, "report", str(saved))[0] == 0
    assert run_cli(capsys, "report", str(saved), "--fail-on", "minor")[0] == 1


def test_report_errors_name_the_file(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.json"
    code, out, err = run_cli(capsys, "report", str(missing))
    assert (code, out) == (2, "")
    assert str(missing) in err
    assert "cannot read" in err
    code, _, err = run_cli(capsys, "report", str(written / "findings.sarif"))
    assert code == 2
    assert f"{written / 'findings.sarif'}: not an etmf JSON report" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    code, _, err = run_cli(capsys, "report", str(broken))
    assert code == 2
    assert "Invalid JSON" in err


def test_report_refuses_to_overwrite_its_input(
    written: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = written / "report.json"
    before = source.read_bytes()
    code, _, err = run_cli(
        capsys, "report", str(source), "--format", "sarif", "--output", str(source)
    )
    assert code == 2
    assert "refusing to overwrite" in err
    assert source.read_bytes() == before


def test_any_output_inside_the_scanned_folder_is_refused_before_scanning(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*"))
    outside = tmp_path / "fine.json"
    code, out, err = run_cli(
        capsys, "scan", str(tree), "--output", str(outside), "--output", str(tree / "x.sarif")
    )
    assert (code, out) == (2, "")
    assert "scanned folder" in err
    assert not outside.exists()
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*")) == before


def test_standard_output_among_files(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "scan", str(tree), "--jobs", "0", "--format", "markdown",
        "--output", "-", "--output", str(tmp_path / "r.json"),
    )  # fmt: skip
    assert code == 1
    report = json_report.parse((tmp_path / "r.json").read_text("utf-8"))
    assert out == render(report, OutputFormat.MARKDOWN)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.json", "json"),
        ("REPORT.JSON", "json"),
        ("scan.sarif", "sarif"),
        ("scan.sarif.json", "sarif"),
        ("checks.xml", "junit"),
        ("checks.junit.xml", "junit"),
        ("summary.md", "markdown"),
        ("summary.markdown", "markdown"),
        ("report.txt", "text"),
        ("findings.csv", "csv"),
        ("tmf.documents.csv", "documents-csv"),
        ("report.html", "html"),
        ("report.htm", "html"),
        ("report.pdf", None),
        ("report", None),
        (".json", None),
    ],
)
def test_format_by_extension(name: str, expected: str | None) -> None:
    assert format_for_path(Path("out") / name) == expected


def test_plan_outputs() -> None:
    assert plan_outputs([], None) == [OutputTarget(None, OutputFormat.TEXT)]
    assert plan_outputs([], "sarif") == [OutputTarget(None, OutputFormat.SARIF)]
    one = Path("r.json")
    assert plan_outputs([one], None) == [OutputTarget(one, OutputFormat.JSON)]
    assert plan_outputs([one], "text") == [OutputTarget(one, OutputFormat.TEXT)]
    odd = Path("r.out")
    assert plan_outputs([odd], None) == [OutputTarget(odd, OutputFormat.TEXT)]
    both = plan_outputs([one, odd], "junit")
    assert both == [OutputTarget(one, OutputFormat.JSON), OutputTarget(odd, OutputFormat.JUNIT)]
    with pytest.raises(UsageError, match="given twice"):
        plan_outputs([one, Path("./r.json")], None)
    with pytest.raises(UsageError, match="standard output"):
        plan_outputs([Path("-"), Path("-")], None)


def test_html_by_extension() -> None:
    """``.html`` selects the HTML report where this build has it, and says so where not."""
    target = Path("report.html")
    if "html" in {f.value for f in OutputFormat}:
        assert plan_outputs([target], None)[0].format.value == "html"
    else:
        with pytest.raises(UsageError, match=r"report\.html: the html format is not available"):
            plan_outputs([target], None)


def test_scan_without_output_prints_text(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "scan", str(tree), "--jobs", "0")
    assert code == 1
    assert out.startswith("etmf ")
    assert "study S-1" in out.splitlines()[0]


def test_the_expiry_horizon_of_the_html_report_is_an_option(
    written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = str(written / "report.json")
    near, far = tmp_path / "near.html", tmp_path / "far.html"
    assert run_cli(capsys, "report", saved, "--output", str(near), "--expiring-within", "1")[0] == 1
    assert (
        run_cli(capsys, "report", saved, "--output", str(far), "--expiring-within", "3650")[0] == 1
    )
    assert "Expiring in the next 1 days" in near.read_text("utf-8")
    assert "Expiring in the next 3650 days" in far.read_text("utf-8")
    assert run_cli(capsys, "report", saved, "--format", "html", "--expiring-within", "0")[0] == 2
