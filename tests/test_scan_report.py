"""``etmf scan`` end to end: real files in, JSON and text reports and exit codes out."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from etmf.formats import OutputFormat, json_report, render
from etmf.model import ExpectationStatus, FindingStatus, Kind, Level, Severity
from etmf.scan import scan
from fixtures.documents import docx_bytes, pdf_bytes, write
from tests.builders import run_cli, snapshot

AS_OF = date(2026, 1, 1)

STUDY_YAML = """\
study:
  id: S-1
  as_of: 2026-01-01
  milestones: {"01": 2025-01-05, "02": 2025-02-01}
countries:
  - code: TW
    milestones: {"01": 2025-01-20}
sites:
  - id: TW-001
    country: TW
    name: National Taiwan University Hospital
    milestones: {"03": 2025-06-01}
rules:
  waive:
    - rule: BASE-REQ-018
      scope: {site: TW-001}
      reason: Trial-specific training is filed at trial level
      approved_by: QA Lead
"""


@cache
def tree_files() -> dict[str, bytes]:
    """A small TMF: a trial protocol, a TW approval, a TW-001 log and a damaged file."""
    return {
        "Protocol v1.pdf": pdf_bytes("Clinical Study Protocol", "Protocol number S-1"),
        "TW/TFDA approval letter.pdf": pdf_bytes("TFDA Approval Letter", "S-1"),
        "TW/TW-001 NTUH/Delegation log.docx": docx_bytes(
            "Site Signature and Delegation Log", table=[["Name", "Role"], ["Chen", "PI"]]
        ),
        "TW/TW-001 NTUH/IRB scan.pdf": b"%PDF-1.4 damaged beyond repair",
    }


def build_tree(root: Path, *, study: str | None = STUDY_YAML) -> Path:
    for relpath, data in tree_files().items():
        write(root / relpath, data)
    if study is not None:
        (root / "etmf.yaml").write_text(study, "utf-8")
    return root


def minor_tree(root: Path) -> Path:
    """No study: only a duplicate (info) and an unclassified note (minor)."""
    protocol = pdf_bytes("Clinical Study Protocol", "Version 1.0")
    write(root / "Protocol.pdf", protocol)
    write(root / "Archive/Protocol copy.pdf", protocol)
    write(root / "notes.txt", b"Lunch order for Friday: noodles and tea")
    return root


def scan_json(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "scan", str(root), "--format", "json", *extra)
    assert code in (0, 1), err
    payload: dict[str, Any] = json.loads(out)
    return payload


def shipped_schema_text() -> str:
    return files("etmf.schemas").joinpath("report.schema.json").read_text("utf-8")


# ---- the JSON report -----------------------------------------------------------------------------


def test_json_report_validates_against_the_shipped_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = json.loads(shipped_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = jsonschema.Draft202012Validator(schema)
    root = build_tree(tmp_path / "tmf")
    payload = scan_json(capsys, root)
    validator.validate(payload)
    assert payload["schema_version"] == "1.1"
    assert payload["findings"]
    assert payload["expected"]
    validator.validate(
        json.loads(json_report.render(scan(minor_tree(tmp_path / "bare"), as_of=AS_OF)))
    )


def test_shipped_schema_is_generated_from_the_models() -> None:
    assert shipped_schema_text() == json_report.schema_text()


def test_json_report_reads_back_as_the_same_report(tmp_path: Path) -> None:
    report = scan(build_tree(tmp_path), as_of=AS_OF)
    assert json_report.parse(json_report.render(report)) == report


def test_json_written_in_pieces_is_the_whole_report_one_item_per_line(tmp_path: Path) -> None:
    report = scan(build_tree(tmp_path), as_of=AS_OF)
    assert report.documents
    assert report.findings
    assert report.expected
    text = json_report.render(report)
    assert json.loads(text) == report.model_dump(mode="json")
    lines = text.splitlines()
    for document in report.documents:
        (line,) = [line for line in lines if line.startswith(f'    {{"path":"{document.path}"')]
        assert json.loads(line.rstrip(",")) == document.model_dump(mode="json")
    assert len(list(json_report.chunks(report))) > len(report.documents)
    empty = report.model_copy(update={"documents": (), "findings": (), "expected": ()})
    assert json.loads(json_report.render(empty)) == empty.model_dump(mode="json")
    assert '"documents": [],' in json_report.render(empty)


def test_two_scans_give_byte_identical_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    first = run_cli(capsys, "scan", str(root), "--format", "json")
    second = run_cli(capsys, "scan", str(root), "--format", "json")
    assert first == second
    assert first[1].endswith("}\n")


def test_a_copy_of_the_tree_elsewhere_gives_the_same_json(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tmf")
    copy = tmp_path / "elsewhere" / "copy of tmf"
    shutil.copytree(root, copy)
    assert render(scan(root, as_of=AS_OF), OutputFormat.JSON) == render(
        scan(copy, as_of=AS_OF), OutputFormat.JSON
    )


def test_document_paths_are_relative_posix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    payload = scan_json(capsys, root)
    paths = [d["path"] for d in payload["documents"]]
    assert paths == sorted(paths)
    assert paths == [
        "Protocol v1.pdf",
        "TW/TFDA approval letter.pdf",
        "TW/TW-001 NTUH/Delegation log.docx",
        "TW/TW-001 NTUH/IRB scan.pdf",
    ]
    finding_paths = [f["path"] for f in payload["findings"] if f["path"] is not None]
    for path in paths + finding_paths:
        assert "\\" not in path
        assert not path.startswith("/")
        assert str(tmp_path) not in path


def test_documents_are_placed_and_classified(tmp_path: Path) -> None:
    report = scan(build_tree(tmp_path), as_of=AS_OF)
    placed = {d.path: (d.level, d.country, d.site, d.artifact) for d in report.documents}
    assert placed == {
        "Protocol v1.pdf": (Level.TRIAL, None, None, "02.01.02"),
        "TW/TFDA approval letter.pdf": (Level.COUNTRY, "TW", None, "03.01.02"),
        "TW/TW-001 NTUH/Delegation log.docx": (Level.SITE, "TW", "TW-001", "05.02.18"),
        "TW/TW-001 NTUH/IRB scan.pdf": (Level.SITE, "TW", "TW-001", None),
    }
    unreadable = [f for f in report.findings if f.kind is Kind.UNREADABLE]
    assert [(f.path, f.site) for f in unreadable] == [("TW/TW-001 NTUH/IRB scan.pdf", "TW-001")]


# ---- exit codes ----------------------------------------------------------------------------------


def test_missing_critical_document_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    report = scan(root, as_of=AS_OF)
    assert any(f.kind is Kind.MISSING and f.severity is Severity.CRITICAL for f in report.findings)
    assert run_cli(capsys, "scan", str(root))[0] == 1
    assert run_cli(capsys, "scan", str(root), "--fail-on", "critical")[0] == 1


@pytest.mark.parametrize(("fail_on", "expected"), [("critical", 0), ("major", 0), ("minor", 1)])
def test_fail_on_with_only_minor_and_info_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    root = minor_tree(tmp_path / "tmf")
    severities = {f.severity for f in scan(root, as_of=AS_OF).findings}
    assert severities == {Severity.MINOR, Severity.INFO}
    assert run_cli(capsys, "scan", str(root), "--fail-on", fail_on)[0] == expected


def test_default_fail_on_is_major(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = minor_tree(tmp_path / "tmf")
    write(root / "broken.pdf", b"")  # unreadable: a major finding
    assert run_cli(capsys, "scan", str(root), "--fail-on", "critical")[0] == 0
    assert run_cli(capsys, "scan", str(root))[0] == 1


def test_unknown_key_in_etmf_yaml_exits_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf", study="study:\n  id: S-1\n  colour: blue\n")
    code, out, err = run_cli(capsys, "scan", str(root))
    assert code == 2
    assert out == ""
    assert "etmf.yaml" in err
    assert "study.colour" in err


def test_unknown_country_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = "study:\n  id: S-1\ncountries:\n  - code: TW\n  - code: XX\n"
    root = build_tree(tmp_path / "tmf", study=study)
    code, _, err = run_cli(capsys, "scan", str(root))
    assert code == 2
    assert "etmf.yaml" in err
    assert "countries[1].code" in err
    assert "'XX'" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["scan"],
        ["scan", "{root}/nowhere"],
        ["scan", "{root}", "--as-of", "yesterday"],
        ["scan", "{root}", "--format", "xml"],
        ["scan", "{root}", "--fail-on", "info"],
        ["scan", "{root}", "--study", "{root}/missing.yaml"],
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    root = minor_tree(tmp_path / "tmf")
    assert run_cli(capsys, *[a.format(root=root) for a in argv])[0] == 2


# ---- options -------------------------------------------------------------------------------------


def test_study_file_outside_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_tree(tmp_path / "tmf", study="this: [is not, valid\n")
    study = tmp_path / "config" / "study.yaml"
    study.parent.mkdir()
    study.write_text(STUDY_YAML, "utf-8")
    payload = scan_json(capsys, root, "--study", str(study))
    assert payload["study"]["id"] == "S-1"
    assert payload["study"]["sites"] == ["TW-001"]
    assert payload["expected"]
    assert "etmf.yaml" not in [d["path"] for d in payload["documents"]]
    assert any(f["status"] == "waived" for f in payload["findings"])


def test_as_of_overrides_the_study_as_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TW-001 went live on 2025-06-01: before that nothing is due there yet."""
    root = build_tree(tmp_path / "tmf")
    default = scan_json(capsys, root)
    assert default["as_of"] == "2026-01-01"
    site_missing = [
        e for e in default["expected"] if e["site"] == "TW-001" and e["status"] == "missing"
    ]
    assert site_missing

    early = scan_json(capsys, root, "--as-of", "2025-05-01")
    assert early["as_of"] == "2025-05-01"
    site = [e for e in early["expected"] if e["site"] == "TW-001"]
    assert site
    assert {e["status"] for e in site} <= {"not_yet_due", "present"}
    assert {e["rule"] for e in site_missing} <= {
        e["rule"] for e in site if e["status"] == "not_yet_due"
    }
    assert not [f for f in early["findings"] if f["kind"] == "missing" and f["site"]]


def test_as_of_argument_of_scan_overrides_the_study(tmp_path: Path) -> None:
    report = scan(build_tree(tmp_path), as_of=date(2025, 5, 1))
    assert report.as_of == date(2025, 5, 1)
    site = [e for e in report.expected if e.site == "TW-001"]
    assert ExpectationStatus.MISSING not in {e.status for e in site}


def test_output_inside_the_scanned_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    before = snapshot(root)
    for target in (root / "report.json", root / "TW" / "new" / "report.json"):
        code, out, err = run_cli(
            capsys, "scan", str(root), "--format", "json", "--output", str(target)
        )
        assert code == 2
        assert out == ""
        assert "scanned folder" in err
        assert not target.exists()
    assert snapshot(root) == before


def test_output_through_a_relative_detour_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "tmf")
    before = snapshot(root)
    monkeypatch.chdir(tmp_path)
    assert run_cli(capsys, "scan", "tmf", "--output", "other/../tmf/report.txt")[0] == 2
    assert snapshot(root) == before


def test_output_elsewhere_is_written_without_temporary_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    out_dir = tmp_path / "reports"
    target = out_dir / "scan.json"
    code, out, _ = run_cli(capsys, "scan", str(root), "--format", "json", "--output", str(target))
    assert code == 1
    assert out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["scan.json"]
    stdout = run_cli(capsys, "scan", str(root), "--format", "json")[1]
    assert target.read_text("utf-8") == stdout

    target.write_text("old report", "utf-8")
    run_cli(capsys, "scan", str(root), "--format", "json", "--output", str(target))
    assert target.read_text("utf-8") == stdout
    assert sorted(p.name for p in out_dir.iterdir()) == ["scan.json"]


def test_scan_never_touches_the_scanned_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    write(root / ".hidden/cache.bin", b"keep")
    write(root / "TW/~$Delegation log.docx", b"lock")
    before = snapshot(root)
    run_cli(capsys, "scan", str(root))
    run_cli(capsys, "scan", str(root), "--format", "json", "--output", str(tmp_path / "r.json"))
    scan(root, as_of=AS_OF)
    assert snapshot(root) == before


# ---- the text report -----------------------------------------------------------------------------


def text_groups(text: str) -> list[tuple[str, list[str]]]:
    """(heading, severities of its findings) for each group of the text report."""
    groups: list[tuple[str, list[str]]] = []
    for line in text.splitlines()[1:]:
        if line and not line.startswith(" "):
            groups.append((line, []))
        elif line.startswith("  ") and not line.startswith("   ") and groups:
            groups[-1][1].append(line.split()[0])
    return groups


def test_text_report_groups_by_scope_worst_first_and_ends_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    code, text, _ = run_cli(capsys, "scan", str(root))
    assert code == 1
    lines = text.rstrip("\n").splitlines()
    assert lines[0].startswith("etmf ")
    assert "study S-1" in lines[0]
    assert "as of 2026-01-01" in lines[0]
    groups = text_groups(text)
    headings = [heading for heading, _ in groups]
    assert headings[:3] == ["Trial", "Country TW", "Site TW-001 (TW)"]
    rank = {s.value.upper(): s.rank for s in Severity}
    for heading, severities in groups[:3]:
        assert severities, heading
        ranks = [rank[s] for s in severities]
        assert ranks == sorted(ranks, reverse=True), heading
    site_severities = set(groups[2][1])
    assert {"CRITICAL", "MAJOR"} <= site_severities
    assert "TW/TW-001 NTUH/IRB scan.pdf cannot be read" in text
    summary = lines[-1]
    assert summary == headings[-1]
    assert summary.startswith("4 documents (3 readable, 3 classified); ")
    assert "open findings" in summary
    assert "1 waived" in summary
    assert text.endswith(summary + "\n")


def test_waived_finding_in_json_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf")
    payload = scan_json(capsys, root)
    (waived,) = [f for f in payload["findings"] if f["status"] == "waived"]
    assert waived["rule"] == "BASE-REQ-018"
    assert waived["site"] == "TW-001"
    assert waived["waiver"] == {
        "reason": "Trial-specific training is filed at trial level",
        "approved_by": "QA Lead",
        "until": None,
    }
    assert payload["summary"]["waived_findings"] == 1
    assert not [f for f in payload["findings"] if f["rule"] == "BASE-REQ-018" and f is not waived]

    text = run_cli(capsys, "scan", str(root))[1]
    after_waived = text.split("\nWaived (1)\n", 1)
    assert len(after_waived) == 2
    waived_block = after_waived[1]
    assert "BASE-REQ-018" in waived_block
    assert "waived: Trial-specific training is filed at trial level, approved by QA Lead" in (
        waived_block
    )
    open_part = after_waived[0]
    assert "BASE-REQ-018" not in open_part


def test_waived_finding_does_not_fail_the_scan(tmp_path: Path) -> None:
    report = scan(build_tree(tmp_path), as_of=AS_OF)
    (waived,) = [f for f in report.findings if f.status is FindingStatus.WAIVED]
    assert waived.kind is Kind.MISSING
    assert report.summary.open_findings == len(report.findings) - 1


# ---- without etmf.yaml ---------------------------------------------------------------------------


def test_without_a_study_nothing_is_missing_but_documents_are_classified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tree(tmp_path / "tmf", study=None)
    payload = scan_json(capsys, root, "--as-of", "2026-01-01")
    assert payload["study"] is None
    assert payload["expected"] == []
    assert not [f for f in payload["findings"] if f["kind"] == "missing"]
    artifacts = {d["path"]: d["artifact"] for d in payload["documents"]}
    assert artifacts["Protocol v1.pdf"] == "02.01.02"
    assert artifacts["TW/TW-001 NTUH/Delegation log.docx"] == "05.02.18"
    assert "unreadable" in {f["kind"] for f in payload["findings"]}

    text = run_cli(capsys, "scan", str(root), "--as-of", "2026-01-01")[1]
    assert "no study configuration" in text.splitlines()[0]
    assert text.rstrip("\n").splitlines()[-1].endswith("no documents expected yet")


def test_without_a_study_or_as_of_the_api_asks_for_a_date(tmp_path: Path) -> None:
    from etmf.errors import UsageError

    with pytest.raises(UsageError, match="as_of"):
        scan(minor_tree(tmp_path))


def test_a_report_is_readable_by_others_as_the_umask_allows_and_keeps_its_mode(
    tmp_path: Path,
) -> None:
    """Written through a private temporary file, a report still gets the permissions a new
    file would get (a web server or a team reads nightly reports), or those it had."""
    from etmf.atomic import write_atomic

    previous = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        write_atomic(fresh, "{}")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.json"
        kept.write_text("old", "utf-8")
        kept.chmod(0o640)
        write_atomic(kept, ["{", "}"])
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
        assert kept.read_text("utf-8") == "{}"
    finally:
        os.umask(previous)
