"""Reports built in memory for the HTML report's tests: expectations, findings and documents
written out, so each test states exactly what the page is given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from etmf.engine import summarise
from etmf.model import (
    Citation,
    Document,
    Evidence,
    EvidenceSource,
    Expectation,
    ExpectationStatus,
    Expiry,
    ExpiryBasis,
    FileFormat,
    Finding,
    FindingStatus,
    Kind,
    Level,
    ProfileInfo,
    Report,
    Severity,
    SourceQuality,
    StudyInfo,
    ToolInfo,
)

AS_OF = date(2026, 11, 1)


def doc(
    path: str,
    artifact: str | None = "05.02.04",
    *,
    country: str | None = None,
    site: str | None = None,
    expires: date | None = None,
    title: str | None = None,
    evidence: str = "file name",
) -> Document:
    level = Level.SITE if site else Level.COUNTRY if country else Level.TRIAL
    return Document(
        path=path,
        sha256="0" * 64,
        size=1000,
        format=FileFormat.PDF,
        readable=True,
        title=title,
        artifact=artifact,
        artifact_name="Curriculum Vitae" if artifact else None,
        confidence=0.9,
        evidence=(Evidence(source=EvidenceSource.FILENAME, text=evidence),),
        level=level,
        country=country,
        site=site,
        expires=(
            Expiry(date=expires, basis=ExpiryBasis.STATED, evidence=f"valid until {expires}")
            if expires
            else None
        ),
    )


def expect(
    artifact: str,
    status: ExpectationStatus,
    *,
    site: str | None = None,
    country: str | None = None,
    documents: Sequence[str] = (),
    rule: str = "BASE-REQ-001",
    subartifact: str | None = None,
) -> Expectation:
    level = Level.SITE if site else Level.COUNTRY if country else Level.TRIAL
    return Expectation(
        rule=rule,
        artifact=artifact,
        artifact_name=f"Artifact {artifact}",
        subartifact=subartifact,
        level=level,
        country=country,
        site=site,
        milestone="03",
        due=date(2025, 3, 1),
        status=status,
        documents=tuple(documents),
        profile="base",
    )


def finding(
    kind: Kind,
    *,
    rule: str = "BASE-REQ-001",
    severity: Severity = Severity.MAJOR,
    path: str | None = None,
    site: str | None = None,
    country: str | None = None,
    artifact: str | None = None,
    status: FindingStatus = FindingStatus.OPEN,
    message: str = "something is wrong",
    url: str | None = "https://example.org/gcp",
    number: int = 0,
) -> Finding:
    level = Level.SITE if site else Level.COUNTRY if country else Level.TRIAL
    return Finding(
        id=f"F-{kind.value}-{rule}-{path}-{site}-{number}",
        rule=rule,
        kind=kind,
        severity=severity,
        status=status,
        artifact=artifact,
        level=level,
        country=country,
        site=site,
        path=path,
        message=message,
        evidence=(Evidence(source=EvidenceSource.RULE, text="what was read"),),
        citation=(Citation(source="ICH E6(R2) 8.2", url=url, quality=SourceQuality.REGULATOR),),
        profile="base",
    )


def report(
    *,
    documents: Sequence[Document] = (),
    findings: Sequence[Finding] = (),
    expected: Sequence[Expectation] = (),
    countries: Sequence[str] = (),
    sites: Sequence[str] = (),
    study_id: str = "S-1",
    title: str | None = "A study",
    as_of: date = AS_OF,
) -> Report:
    return Report(
        tool=ToolInfo(name="etmf", version="0.1.0"),
        study=StudyInfo(id=study_id, title=title, countries=tuple(countries), sites=tuple(sites)),
        as_of=as_of,
        profiles=(ProfileInfo(id="base", name="ICH GCP", chain=("base",)),),
        documents=tuple(sorted(documents, key=lambda d: d.path)),
        findings=tuple(findings),
        expected=tuple(expected),
        summary=summarise(documents, findings, expected),
    )
