"""The demo TMF: a scan reports exactly the gaps it was built with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etmf.cli import main
from fixtures.demo import PLANTED, Planted, build
from fixtures.demo_documents import ALL


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "tmf"
    build(root)
    return root


def test_scan_reports_exactly_the_planted_gaps(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(demo), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {
        Planted(f["rule"], f["kind"], f["country"], f["site"], f["path"], status=f["status"])
        for f in report["findings"]
    }
    assert found == set(PLANTED)


def test_every_demo_document_is_classified_and_placed(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(demo), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    unreadable = {p.path for p in PLANTED if p.kind == "unreadable"}
    for document in report["documents"]:
        if document["path"] in unreadable:
            continue
        assert document["artifact"], document["path"]
        top = document["path"].split("/")[0]
        if top in ("TW", "KR", "AU"):
            assert document["country"] == top, document["path"]


def test_demo_is_deterministic(tmp_path: Path) -> None:
    """Byte for byte, except DOCX files signed with Office XML signatures: their RSA keys
    cannot be derived from a seed, so their signature values differ from run to run."""
    first = build(tmp_path / "a")
    second = build(tmp_path / "b")
    random_keys = {s.path for s in ALL if s.signed_by and s.format == "docx"}
    assert random_keys
    for a, b in zip(first, second, strict=True):
        if a.relative_to(tmp_path / "a").as_posix() not in random_keys:
            assert a.read_bytes() == b.read_bytes(), a


@pytest.fixture(scope="module")
def documents(demo: Path) -> dict[str, dict[str, Any]]:
    with pytest.MonkeyPatch.context():
        output = demo.parent / "report.json"
        main(["scan", str(demo), "--format", "json", "--output", str(output)])
        report = json.loads(output.read_text("utf-8"))
    return {d["path"]: d for d in report["documents"]}


def test_the_scanned_delegation_log_is_read_by_ocr_with_its_printed_signature(
    documents: dict[str, dict[str, Any]],
) -> None:
    scan = documents["TW/TW-001 台大醫院/scan0001.pdf"]
    assert (scan["scanned"], scan["read_by_ocr"], scan["artifact"]) == (True, True, "05.02.18")
    assert scan["ocr"].startswith("read by OCR (tesseract")
    (signature,) = scan["signatures"]
    assert (signature["method"], signature["status"], signature["signer"]) == (
        "manifestation",
        "intact",
        "Chen Wei-Lin",
    )
    assert signature["signed_at"].startswith("2025-02-20")


def test_digital_signatures_chain_to_the_sponsor_root_the_study_names(
    documents: dict[str, dict[str, Any]],
) -> None:
    cta = documents["TW/TW-001 台大醫院/臨床試驗合約_ABC-101.pdf"]
    assert [(s["method"], s["status"], s["signer"]) for s in cta["signatures"]] == [
        ("digital", "valid", "Example Pharma Co., Ltd."),
        ("digital", "valid", "Chen Wei-Lin"),
    ]
    log = documents["AU/AU-001 RMH/05.02.18 Delegation log RMH.docx"]
    assert [(s["method"], s["status"]) for s in log["signatures"]] == [("digital", "valid")]
    tampered = documents["AU/AU-001 RMH/05.02.12 CTRA RMH executed.pdf"]
    assert [s["status"] for s in tampered["signatures"]] == ["invalid"]


def test_evidence_of_each_document_is_in_the_report(documents: dict[str, dict[str, Any]]) -> None:
    old = documents["TW/TW-002 Chang Gung/ICF TW-002 v2.0 (Chinese).pdf"]
    new = documents["TW/TW-002 Chang Gung/ICF TW-002 v3.0 (Chinese).pdf"]
    assert (old["version"]["value"], old["status"]) == ("2.0", "superseded")
    assert (new["version"]["value"], new["status"]) == ("3.0", "current")
    assert old["superseded_by"] == new["path"]
    gcp = documents["KR/KR-001 서울대학교병원/GCP 이수증_김민준_2025.pdf"]
    assert gcp["identifying_date"]["text"] == "이수일: 2025년 6월 15일"
    assert gcp["expires"]["date"] == "2026-06-15"
    assert gcp["language"]["code"] == "ko"
    permit = documents["TW/TFDA進口同意書_import permit.pdf"]
    assert permit["expires"]["date"] == "2027-02-24"
    assert "有效期限：中華民國116年2月24日" in permit["expires"]["evidence"]


def test_text_report_names_each_gap(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(demo)])
    text = capsys.readouterr().out
    for planted in PLANTED:
        assert planted.rule in text
    assert "Waived (1)" in text
