"""Expiry, signature, language and legibility checks of the profiles, on documents whose
evidence is given (the readers are tested on real files in test_dates, test_pdf_signatures,
test_docx_signatures, test_signature_text, test_language and test_ocr; the demo and
test_scan_evidence scan real files end to end)."""

from __future__ import annotations

from datetime import date

import pytest

from etmf.model import (
    DateFact,
    DateRole,
    Document,
    DocumentStatus,
    EvidenceSource,
    ExpiryBasis,
    Finding,
    Kind,
    LanguageFact,
    Level,
    Severity,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
    VersionFact,
)
from tests.builders import document, run, study


def _study(country: str, extra: str = "") -> str:
    return f"""
study:
  id: T-1
  milestones: {{"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}}
countries:
  - code: {country}
    milestones: {{"01": 2025-01-10, "03": 2025-01-10}}
sites:
  - id: S-1
    country: {country}
    milestones: {{"03": 2025-01-10}}
{extra}"""


def _doc(
    path: str,
    artifact: str,
    country: str = "TW",
    *,
    subartifact: str | None = None,
    dated: tuple[date, DateRole] | None = None,
    expiry: date | None = None,
    signatures: tuple[SignatureFact, ...] = (),
    language: str | None = None,
    version: str | None = None,
    level: Level = Level.SITE,
) -> Document:
    base = document(
        path,
        artifact,
        level=level,
        country=country,
        site="S-1" if level is Level.SITE else None,
        subartifact=subartifact,
    )
    dates = []
    identifying = None
    if dated is not None:
        identifying = DateFact(value=dated[0], role=dated[1], text=f"Date: {dated[0]}", page=1)
        dates.append(identifying)
    if expiry is not None:
        dates.append(
            DateFact(value=expiry, role=DateRole.EXPIRY, text=f"Valid until {expiry}", page=1)
        )
    return base.model_copy(
        update={
            "dates": tuple(dates),
            "identifying_date": identifying,
            "signatures": signatures,
            "language": LanguageFact(code=language, confidence=0.99, evidence="test")
            if language
            else None,
            "version": VersionFact(value=version, text=f"v{version}") if version else None,
        }
    )


def _findings(docs: list[Document], country: str = "TW", extra: str = "") -> list[Finding]:
    return list(run(docs, study(_study(country, extra))).findings)


def _of(findings: list[Finding], kind: Kind) -> list[Finding]:
    return [f for f in findings if f.kind is kind]


SIGNED = (
    SignatureFact(
        method=SignatureMethod.MANIFESTATION,
        status=SignatureStatus.INTACT,
        signer="Chen",
        evidence="signature manifestation in the text: '/s/ Chen'",
    ),
)
GCP = "ICH-GCP Evidence of Training"


def test_a_stated_expiry_wins_over_the_validity_period() -> None:
    permit = _doc(
        "TW/permit.pdf",
        "03.02.02",
        level=Level.COUNTRY,
        dated=(date(2025, 2, 25), DateRole.ISSUE),
        expiry=date(2026, 10, 1),
    )
    evaluation = run([permit], study(_study("TW")))
    (expired,) = _of(list(evaluation.findings), Kind.EXPIRED)
    assert expired.rule == "BASE-EXP-003"
    assert "expired on 2026-10-01" in expired.message
    assert expired.evidence[0].text == "the document states 'Valid until 2026-10-01' (page 1)"
    (noted,) = [d for d in evaluation.documents if d.path == permit.path]
    assert noted.expires is not None
    assert (noted.expires.date, noted.expires.basis) == (date(2026, 10, 1), ExpiryBasis.STATED)


@pytest.mark.parametrize(
    ("country", "completed", "kind"),
    [
        ("TW", date(2023, 10, 1), Kind.EXPIRED),  # + 36 months = 2026-10-01, before as_of
        ("TW", date(2023, 11, 15), Kind.EXPIRING),  # 2026-11-15: 14 days after as_of
        ("TW", date(2023, 12, 31), Kind.EXPIRING),  # 2026-12-31: the 60th day
        ("TW", date(2024, 1, 1), None),  # 2027-01-01: 61 days after as_of
        ("KR", date(2025, 6, 15), Kind.EXPIRED),  # KR: + 12 months = 2026-06-15
        ("KR", date(2025, 12, 1), Kind.EXPIRING),  # 2026-12-01: 30 days after as_of
        ("KR", date(2026, 3, 15), None),  # 2027-03-15
    ],
)
def test_gcp_training_validity_by_country(country: str, completed: date, kind: Kind | None) -> None:
    gcp = _doc(
        f"{country}/S-1/gcp.pdf",
        "05.02.07",
        country,
        subartifact=GCP,
        dated=(completed, DateRole.COMPLETION),
    )
    found = [f for f in _findings([gcp], country) if f.rule == "BASE-EXP-002"]
    assert [f.kind for f in found] == ([kind] if kind else [])
    if kind is Kind.EXPIRING:
        assert found[0].severity is Severity.MINOR


def test_the_korean_period_is_the_countrys_override_of_the_base_rule() -> None:
    gcp = _doc(
        "KR/S-1/gcp.pdf",
        "05.02.07",
        "KR",
        subartifact=GCP,
        dated=(date(2025, 6, 15), DateRole.COMPLETION),
    )
    (expired,) = [f for f in _findings([gcp], "KR") if f.kind is Kind.EXPIRED]
    assert expired.evidence[0].text == "completion date 2025-06-15 ('Date: 2025-06-15') + 12 months"
    (citation,) = expired.citation
    assert citation.source.startswith("MFDS rules on education of clinical trial staff")
    assert citation.quality.value == "secondary"
    assert "annual education" in (citation.note or "")


def test_a_superseded_cv_is_not_reported_expired() -> None:
    old = _doc(
        "TW/S-1/CV Chen v1.0.pdf",
        "05.02.04",
        dated=(date(2022, 1, 5), DateRole.SIGNATURE),
        signatures=SIGNED,
        version="1.0",
    )
    new = _doc(
        "TW/S-1/CV Chen v2.0.pdf",
        "05.02.04",
        dated=(date(2025, 6, 2), DateRole.SIGNATURE),
        signatures=SIGNED,
        version="2.0",
    )
    evaluation = run([old, new], study(_study("TW")))
    status = {d.path: d.status for d in evaluation.documents}
    assert status == {old.path: DocumentStatus.SUPERSEDED, new.path: DocumentStatus.CURRENT}
    assert not _of(list(evaluation.findings), Kind.EXPIRED)
    alone = _findings([old])
    assert [f.rule for f in _of(alone, Kind.EXPIRED)] == ["BASE-EXP-001"]


def test_the_cv_period_is_configurable_per_study() -> None:
    cv = _doc(
        "TW/S-1/CV.pdf", "05.02.04", dated=(date(2024, 6, 2), DateRole.SIGNATURE), signatures=SIGNED
    )
    assert [f.rule for f in _of(_findings([cv]), Kind.EXPIRED)] == ["BASE-EXP-001"]
    override = """rules:
  override:
    - id: BASE-EXP-001
      params: {months: 36}
      reason: Our SOP CT-004 asks for a CV every three years
"""
    assert not _of(_findings([cv], extra=override), Kind.EXPIRED)


def test_a_later_continuing_review_renews_the_taiwan_ethics_approval() -> None:
    first = _doc(
        "TW/S-1/IRB approval 2025.pdf", "04.01.02", dated=(date(2025, 2, 20), DateRole.APPROVAL)
    )
    renewal = _doc(
        "TW/S-1/IRB continuing review 2026.pdf",
        "04.01.02",
        dated=(date(2026, 2, 10), DateRole.APPROVAL),
    )
    (expired,) = [f for f in _findings([first]) if f.rule == "TW-EXP-001"]
    assert (expired.kind, expired.severity) == (Kind.EXPIRED, Severity.CRITICAL)
    assert "2026-02-20" in expired.message
    assert not [f for f in _findings([first, renewal]) if f.rule == "TW-EXP-001"]
    # Korea has no such yearly rule
    korean = _doc(
        "KR/S-1/IRB approval 2025.pdf",
        "04.01.02",
        "KR",
        dated=(date(2025, 2, 20), DateRole.APPROVAL),
    )
    assert not _of(_findings([korean], "KR"), Kind.EXPIRED)


@pytest.mark.parametrize(
    ("artifact", "country", "rule"),
    [
        ("05.02.02", "KR", "BASE-SIG-001"),  # TW asks for three parties (TW-SIG-001)
        ("05.02.04", "TW", "BASE-SIG-001"),
        ("05.02.05", "KR", "BASE-SIG-001"),
        ("05.02.12", "KR", "BASE-SIG-001"),
        ("05.02.18", "AU", "BASE-SIG-001"),
        ("05.02.13", "AU", "AU-SIG-001"),
    ],
)
def test_artifacts_that_need_a_signature(artifact: str, country: str, rule: str) -> None:
    unsigned = _doc(f"{country}/S-1/doc.pdf", artifact, country)
    (finding,) = [f for f in _findings([unsigned], country) if f.kind is Kind.UNSIGNED]
    assert finding.rule == rule
    assert finding.evidence[0].text == (
        "no digital signature, signature manifestation or signature line found"
    )
    signed = _doc(f"{country}/S-1/doc.pdf", artifact, country, signatures=SIGNED)
    assert not _of(_findings([signed], country), Kind.UNSIGNED)


def test_indemnity_needs_no_signature_outside_australia() -> None:
    indemnity = _doc("TW/S-1/indemnity.pdf", "05.02.13")
    assert not _of(_findings([indemnity]), Kind.UNSIGNED)


def _signature(method: SignatureMethod, status: SignatureStatus, evidence: str) -> SignatureFact:
    return SignatureFact(method=method, status=status, evidence=evidence)


def test_signature_states() -> None:
    digital = SignatureMethod.DIGITAL
    broken = _signature(digital, SignatureStatus.INVALID, "digest does not match")
    intact = _signature(digital, SignatureStatus.INTACT, "signer not trusted")
    blank = _signature(SignatureMethod.SIGNATURE_LINE, SignatureStatus.UNSIGNED, "blank line")
    field = _signature(SignatureMethod.FIELD, SignatureStatus.UNSIGNED, "empty field 'PI'")
    scan = _signature(SignatureMethod.SCAN, SignatureStatus.UNVERIFIABLE, "scan, no evidence")
    stamp = _signature(SignatureMethod.TIMESTAMP, SignatureStatus.VALID, "document timestamp")

    def kinds(*facts: SignatureFact) -> list[Kind]:
        cv = _doc("TW/S-1/PI CV.pdf", "05.02.04", signatures=facts)
        return [f.kind for f in _findings([cv]) if f.rule == "BASE-SIG-001"]

    assert kinds(broken, intact) == [Kind.INVALID_SIGNATURE]
    assert kinds(intact) == []
    assert kinds(intact, field) == []  # a digital signature signs the document
    assert kinds(SIGNED[0], blank) == [Kind.UNSIGNED]  # one of two lines left blank
    assert kinds(field) == [Kind.UNSIGNED]
    assert kinds(scan) == [Kind.NEEDS_REVIEW]
    assert kinds(stamp) == [Kind.UNSIGNED]  # a timestamp says when, not who


@pytest.mark.parametrize(
    ("country", "good", "bad"),
    [("TW", "zh-Hant", "zh-Hans"), ("KR", "ko", "en"), ("AU", "en", "zh-Hant")],
)
def test_consent_forms_in_the_countrys_language(country: str, good: str, bad: str) -> None:
    right = _doc(f"{country}/S-1/icf.pdf", "02.02.03", country, language=good)
    assert not _of(_findings([right], country), Kind.WRONG_LANGUAGE)
    wrong = _doc(f"{country}/S-1/icf.pdf", "02.02.03", country, language=bad)
    (finding,) = _of(_findings([wrong], country), Kind.WRONG_LANGUAGE)
    assert f"is in {bad}" in finding.message
    at_country = _doc(f"{country}/icf.pdf", "02.02.03", country, language=bad, level=Level.COUNTRY)
    assert _of(_findings([at_country], country), Kind.WRONG_LANGUAGE)
    at_trial = _doc("icf master.pdf", "02.02.03", country, language=bad, level=Level.TRIAL)
    assert not _of(
        _findings([at_trial.model_copy(update={"country": None})], country), Kind.WRONG_LANGUAGE
    )


def test_a_scan_nobody_could_read_needs_review() -> None:
    scan = _doc("TW/S-1/scan0001.pdf", "05.03.01").model_copy(
        update={"scanned": True, "read_by_ocr": False, "ocr": "Tesseract is not installed"}
    )
    (finding,) = [f for f in _findings([scan]) if f.rule == "BASE-DOC-005"]
    assert (finding.kind, finding.severity) == (Kind.NEEDS_REVIEW, Severity.MINOR)
    assert "Tesseract is not installed" in finding.message
    read = scan.model_copy(update={"read_by_ocr": True, "ocr": "read by OCR"})
    assert not [f for f in _findings([read]) if f.rule == "BASE-DOC-005"]


def test_as_of_decides_not_today() -> None:
    gcp = _doc(
        "TW/S-1/gcp.pdf",
        "05.02.07",
        subartifact=GCP,
        dated=(date(2023, 10, 1), DateRole.COMPLETION),
    )
    early = run([gcp], study(_study("TW")), as_of=date(2026, 1, 1))
    assert not _of(list(early.findings), Kind.EXPIRED)
    assert _of(list(run([gcp], study(_study("TW"))).findings), Kind.EXPIRED)


def test_a_validity_period_runs_only_from_a_date_the_document_states() -> None:
    created = DateFact(
        value=date(2020, 1, 1),
        role=DateRole.DOCUMENT,
        text="creationdate: D:20200101000000Z",
        source=EvidenceSource.METADATA,
    )
    cv = _doc("TW/S-1/CV.pdf", "05.02.04", signatures=SIGNED).model_copy(
        update={"dates": (created,), "identifying_date": created}
    )
    assert not _of(_findings([cv]), Kind.EXPIRED)
