"""Document evidence end to end: real files in a site folder, scanned, with the findings and
the evidence each document carries in the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etmf.model import Finding, Kind, Report, SignatureStatus
from etmf.scan import ScanOptions, scan
from fixtures.documents import docx_bytes, pdf_bytes, write
from fixtures.scans import scanned_pdf_bytes
from fixtures.signing import signed_pdf, tamper, test_pki

STUDY = """\
study:
  id: T-1
  as_of: 2026-11-01
  milestones: {"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}
trust_anchors: [.trust/root.pem]
countries:
  - code: TW
    milestones: {"01": 2025-01-10, "03": 2025-01-10}
sites:
  - id: TW-001
    country: TW
    pi: Chen Wei-Lin
    milestones: {"03": 2025-01-10}
"""
SITE = "TW/TW-001"


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "tmf"
    write(root / "etmf.yaml", STUDY.encode("utf-8"))
    # relative to the study file; a hidden folder is not listed as a document
    write(root / ".trust" / "root.pem", test_pki().root_pem)
    for name, data in files.items():
        write(root / SITE / name, data)
    return root


def _scan(root: Path, tmp_path: Path) -> Report:
    return scan(root, options=ScanOptions(cache_dir=tmp_path / "cache"))


def _about(report: Report, name: str) -> list[Finding]:
    return [f for f in report.findings if f.path == f"{SITE}/{name}"]


def test_signatures_read_from_real_files_decide_the_findings(tmp_path: Path) -> None:
    cta = pdf_bytes("Clinical Trial Agreement", "Between Example Pharma and NTUH")
    files = {
        "CTA signed.pdf": signed_pdf(cta, signer="Chen Wei-Lin"),
        "CTA tampered.pdf": tamper(signed_pdf(cta, signer="Chen Wei-Lin")),
        "Protocol signature page.pdf": pdf_bytes(
            "Protocol Signature Page", "Investigator: Chen Wei-Lin\nSignature: ________"
        ),
        "Delegation log.docx": docx_bytes(
            "Delegation of Authority Log", "Chen Wei-Lin | PI | All\n/s/ Chen Wei-Lin 2025-02-20"
        ),
    }
    report = _scan(_folder(tmp_path, files), tmp_path)
    documents = {d.path.rsplit("/", 1)[1]: d for d in report.documents}
    assert [s.status for s in documents["CTA signed.pdf"].signatures] == [SignatureStatus.VALID]
    assert _about(report, "CTA signed.pdf") == []
    (broken,) = _about(report, "CTA tampered.pdf")
    assert (broken.kind, broken.rule) == (Kind.INVALID_SIGNATURE, "BASE-SIG-001")
    assert "digest does not match" in broken.evidence[0].text
    (blank,) = _about(report, "Protocol signature page.pdf")
    assert blank.kind is Kind.UNSIGNED
    assert blank.evidence[0].text == "1 left blank: blank signature line: 'Signature: ________'"
    assert _about(report, "Delegation log.docx") == []
    assert documents["Delegation log.docx"].signatures[0].signer == "Chen Wei-Lin"


def test_a_roc_expiry_in_chinese_text_expires_the_import_permit(tmp_path: Path) -> None:
    permit = pdf_bytes(
        "試驗用藥品進口同意書", "核發日期：中華民國113年2月25日\n有效期限：中華民國115年2月24日"
    )
    root = tmp_path / "tmf"
    write(root / "etmf.yaml", STUDY.replace("trust_anchors: [.trust/root.pem]\n", "").encode())
    write(root / "TW" / "import permit.pdf", permit)
    report = _scan(root, tmp_path)
    (expired,) = [f for f in report.findings if f.kind is Kind.EXPIRED]
    assert expired.path == "TW/import permit.pdf"
    assert "expired on 2026-02-24" in expired.message
    assert "有效期限：中華民國115年2月24日" in expired.evidence[0].text
    (document,) = report.documents
    assert document.expires is not None
    assert document.expires.date == date(2026, 2, 24)
    assert [d.calendar for d in document.dates if d.source.value == "text"] == ["roc", "roc"]


def test_a_scanned_cv_is_read_by_ocr(tmp_path: Path) -> None:
    scan_bytes = scanned_pdf_bytes(
        [
            "Curriculum Vitae",
            "Chen Wei-Lin, MD",
            "Electronically signed by Chen Wei-Lin on 2 June 2025",
        ]
    )
    report = _scan(_folder(tmp_path, {"scan0001.pdf": scan_bytes}), tmp_path)
    (document,) = report.documents
    assert (document.scanned, document.read_by_ocr, document.artifact) == (True, True, "05.02.04")
    assert document.identifying_date is not None
    assert document.identifying_date.value == date(2025, 6, 2)
    assert [s.method.value for s in document.signatures] == ["manifestation"]
    assert not [f for f in report.findings if f.path == document.path]


def test_without_tesseract_a_scan_is_flagged_for_review_not_read_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_probes: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    scan_bytes = scanned_pdf_bytes(["Curriculum Vitae", "Chen Wei-Lin, MD"])
    report = _scan(_folder(tmp_path, {"PI CV Chen.pdf": scan_bytes}), tmp_path)
    (document,) = report.documents
    assert (document.scanned, document.read_by_ocr) == (True, False)
    assert document.ocr is not None
    assert "Tesseract is not installed" in document.ocr
    kinds = {f.rule: f.kind for f in _about(report, "PI CV Chen.pdf")}
    assert kinds == {"BASE-DOC-005": Kind.NEEDS_REVIEW, "BASE-SIG-001": Kind.NEEDS_REVIEW}
    (signature,) = document.signatures
    assert signature.status is SignatureStatus.UNVERIFIABLE
