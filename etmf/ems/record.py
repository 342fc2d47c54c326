"""One file's record in an EMS package, and how it becomes evidence about the document.

etmf first reads a listed file as it reads any file, except that the package's own folders
(zone/section/artifact, chosen from the metadata) say nothing: its artifact comes from its
name and text, its site or country from its name and text. Then the record is laid over that
reading: the artifact, level, country, site and version state come from exchange.xml (the
sending system filed the record), its artifact date and expiry fill in what the file does not
state, and every point where the two readings disagree is kept for the ``consistent`` check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from etmf.model import (
    DateFact,
    DateRole,
    Disagreement,
    Document,
    DocumentStatus,
    Evidence,
    EvidenceSource,
    ExchangeNote,
    Level,
)
from etmf.tmf.refmodel import load_reference_model

# Roles a DATEDESCRIPTION may give the artifact date; an expiry or a period is never the date
# that identifies a record.
_DATE_ROLES = {
    role.value: role
    for role in DateRole
    if role not in (DateRole.EXPIRY, DateRole.PERIOD_START, DateRole.PERIOD_END)
}


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """What exchange.xml says about one file (one FILE of an OBJECT)."""

    object_id: str
    line: int
    path: str
    integrity: str
    sha256: str | None
    artifact: str
    level: Level
    country: str | None = None
    country_id: str | None = None
    site: str | None = None
    subartifact: str | None = None
    superseded: bool = False
    expiry: date | None = None
    expiry_text: str | None = None
    artifact_date: date | None = None
    artifact_date_text: str | None = None
    date_description: str | None = None

    @property
    def where(self) -> str:
        return f"OBJECT {self.object_id}, exchange.xml line {self.line}"


@dataclass(frozen=True, slots=True)
class PackageProblem:
    """Something wrong with the package itself: exchange.xml, or a file it lists."""

    path: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    artifact: str | None = None
    level: Level = Level.TRIAL
    country: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class BatchInfo:
    study_id: str | None = None
    transfer_source: str | None = None
    transfer_id: str | None = None
    tmf_version: str | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """An EMS package found at the root of a scanned folder. ``records`` by package path."""

    batch: BatchInfo = field(default_factory=BatchInfo)
    records: dict[str, ExchangeRecord] = field(default_factory=dict)
    problems: tuple[PackageProblem, ...] = ()


def stated_expiry(document: Document) -> DateFact | None:
    """The expiry the document states: the first expiry, else the first end of a period."""
    ending = None
    for fact in document.dates:
        if fact.role is DateRole.EXPIRY:
            return fact
        if fact.role is DateRole.PERIOD_END and ending is None:
            ending = fact
    return ending


def disagreements(document: Document, record: ExchangeRecord) -> tuple[Disagreement, ...]:
    """Where the record and etmf's own reading of the file (before the record is laid over
    it) differ. Saying nothing is no disagreement: a file that names no site leaves the
    record's site unchallenged, and a site inside the record's country is consistent."""
    found: list[Disagreement] = []
    if document.artifact is not None and document.artifact != record.artifact:
        why = "; ".join(f"{e.source.value} {e.text!r}" for e in document.evidence[:2])
        found.append(
            Disagreement(
                field="artifact",
                package=record.artifact,
                read=document.artifact,
                evidence=f"confidence {document.confidence:.2f}: {why or 'the classifier'}",
            )
        )
    placed = "; ".join(f"{e.source.value} {e.text!r}: {e.detail}" for e in document.placement)
    if record.level is Level.TRIAL and document.level not in (None, Level.TRIAL):
        where = document.site or document.country or ""
        found.append(
            Disagreement(
                field="level",
                package=Level.TRIAL.value,
                read=f"{document.level.value} {where}".strip(),
                evidence=placed,
            )
        )
    elif document.country and record.country and document.country != record.country:
        found.append(
            Disagreement(
                field="country",
                package=record.country,
                read=document.country,
                evidence=placed,
            )
        )
    elif document.site and record.site and document.site != record.site:
        found.append(
            Disagreement(field="site", package=record.site, read=document.site, evidence=placed)
        )
    stated = stated_expiry(document)
    if record.expiry is not None and stated is not None and stated.value != record.expiry:
        found.append(
            Disagreement(
                field="expiry",
                package=record.expiry.isoformat(),
                read=stated.value.isoformat(),
                evidence=f"the document states {stated.text!r}",
            )
        )
    return tuple(found)


def apply_record(document: Document, record: ExchangeRecord) -> Document:
    """``document`` as etmf read it, with the package's record laid over it."""
    model = load_reference_model()
    own_artifact = document.artifact
    declared = Evidence(
        source=EvidenceSource.EXCHANGE,
        text=record.artifact,
        detail=f"ARTIFACTNUMBER, {record.where}",
    )
    evidence = (declared, *(document.evidence if own_artifact == record.artifact else ()))
    subartifact = record.subartifact or (
        document.subartifact if own_artifact == record.artifact else None
    )
    placed = " ".join(p for p in (record.level.value, record.country_id, record.site) if p)
    placement = Evidence(
        source=EvidenceSource.EXCHANGE,
        text=placed,
        detail=f"OBJECTLEVEL, COUNTRYID and SITEID, {record.where}",
    )
    dates = document.dates
    if record.expiry is not None and stated_expiry(document) is None:
        dates = (
            *dates,
            DateFact(
                value=record.expiry,
                role=DateRole.EXPIRY,
                text=f"OBJECTEXPIRYDATE {record.expiry_text} in exchange.xml",
                source=EvidenceSource.EXCHANGE,
            ),
        )
    identifying = document.identifying_date
    if identifying is None and record.artifact_date is not None:
        role = _DATE_ROLES.get((record.date_description or "").strip().casefold())
        identifying = DateFact(
            value=record.artifact_date,
            role=role or DateRole.DOCUMENT,
            text=f"ARTIFACTDATE {record.artifact_date_text} in exchange.xml",
            source=EvidenceSource.EXCHANGE,
        )
        dates = (*dates, identifying)
    verified = record.sha256 == document.sha256 if record.sha256 and document.sha256 else None
    note = ExchangeNote(
        object_id=record.object_id,
        line=record.line,
        integrity=record.integrity,
        verified=verified,
        disagreements=disagreements(document, record),
    )
    return document.model_copy(
        update={
            "artifact": record.artifact,
            "artifact_name": model.artifacts[record.artifact].name,
            "subartifact": subartifact,
            "confidence": 1.0,
            "evidence": evidence,
            "level": record.level,
            "country": record.country,
            "site": record.site,
            "placement": (placement,),
            "dates": dates,
            "identifying_date": identifying,
            "status": DocumentStatus.SUPERSEDED if record.superseded else document.status,
            "exchange": note,
        }
    )
