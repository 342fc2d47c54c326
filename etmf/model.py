"""The typed results etmf returns: documents, findings, expectations and the report.

Every model is frozen and rejects unknown fields, so a report read back from JSON is the
report that was written. Enums, not strings, carry kinds, severities and levels; formatters
group findings generically and need no code per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(StrEnum):
    """The TMF Reference Model's three levels at which a record is filed."""

    TRIAL = "trial"
    COUNTRY = "country"
    SITE = "site"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 3, major 2, minor 1, info 0."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.CRITICAL: 3, Severity.MAJOR: 2, Severity.MINOR: 1, Severity.INFO: 0}


class Kind(StrEnum):
    """What a finding says is wrong. Documented in README; later work adds members."""

    MISSING = "missing"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    UNSIGNED = "unsigned"
    INVALID_SIGNATURE = "invalid_signature"
    WRONG_LANGUAGE = "wrong_language"
    UNREADABLE = "unreadable"
    NEEDS_REVIEW = "needs_review"
    UNCLASSIFIED = "unclassified"
    MISFILED = "misfiled"
    DUPLICATE = "duplicate"
    OVERDUE = "overdue"
    OUT_OF_ORDER = "out_of_order"
    INTEGRITY = "integrity"
    METADATA_MISMATCH = "metadata_mismatch"


class FileFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"
    XLSX = "xlsx"
    IMAGE = "image"
    EMAIL = "email"
    TEXT = "text"
    OTHER = "other"


class EvidenceSource(StrEnum):
    """Where a piece of evidence was read."""

    FILENAME = "filename"
    FOLDER = "folder"
    METADATA = "metadata"
    TEXT = "text"
    CONFIG = "config"
    RULE = "rule"
    SIGNATURE = "signature"
    EXCHANGE = "exchange"


class Evidence(Frozen):
    """One thing etmf read that supports a conclusion, quoted as it was found."""

    source: EvidenceSource
    text: str
    page: int | None = None
    detail: str | None = None


class SourceQuality(StrEnum):
    """How strong a citation is.

    ``law``: statute or regulation text; ``regulator``: a regulator's own page or guideline
    (ICH guidelines count here); ``secondary``: a CRO, hospital, law firm or trade source, to be
    verified before it is enforced; ``sponsor``: the sponsor's own SOP or study decision.
    """

    LAW = "law"
    REGULATOR = "regulator"
    SECONDARY = "secondary"
    SPONSOR = "sponsor"


class Citation(Frozen):
    source: str
    url: str | None = None
    quality: SourceQuality
    note: str | None = None


class DateRole(StrEnum):
    """What a date in a document means, read from the words around it."""

    DOCUMENT = "document"
    VERSION = "version"
    SIGNATURE = "signature"
    APPROVAL = "approval"
    EFFECTIVE = "effective"
    ISSUE = "issue"
    COMPLETION = "completion"
    REGISTRATION = "registration"
    SUBMISSION = "submission"
    VISIT = "visit"
    MEETING = "meeting"
    EXPIRY = "expiry"
    PERIOD_START = "period_start"
    PERIOD_END = "period_end"
    OTHER = "other"


class DateFact(Frozen):
    """A date read in a document, with its role and the text it came from."""

    value: date
    role: DateRole
    text: str = Field(description="The matched text, label included, as written.")
    source: EvidenceSource = EvidenceSource.TEXT
    page: int | None = None
    calendar: str = Field(default="gregorian", description="gregorian, roc (Minguo) or japanese")
    ambiguous: bool = Field(
        default=False, description="Day and month order could not be told apart."
    )


class SignatureMethod(StrEnum):
    """``timestamp`` is a document timestamp (PAdES-LTA): it proves when, not who, so it never
    counts as somebody's signature."""

    DIGITAL = "digital"
    TIMESTAMP = "timestamp"
    FIELD = "field"
    MANIFESTATION = "manifestation"
    SIGNATURE_LINE = "signature_line"
    SCAN = "scan"


class SignatureStatus(StrEnum):
    """``valid``: intact and chains to a trust anchor the study names; ``intact``: the signed
    bytes are unchanged but the signer is not trusted; ``invalid``: changed after signing or
    cryptographically broken; ``unsigned``: a place for a signature that is empty;
    ``unverifiable``: nothing can be read (a scanned page without OCR evidence)."""

    VALID = "valid"
    INTACT = "intact"
    INVALID = "invalid"
    UNSIGNED = "unsigned"
    UNVERIFIABLE = "unverifiable"


class SignatureFact(Frozen):
    method: SignatureMethod
    status: SignatureStatus
    signer: str | None = None
    signed_at: datetime | None = None
    reason: str | None = None
    evidence: str
    page: int | None = None
    field: str | None = None


class LanguageFact(Frozen):
    code: str = Field(description="en, zh-Hant, zh-Hans, ko, ja, ... or und (undetermined)")
    confidence: float
    evidence: str
    others: tuple[str, ...] = Field(default=(), description="Other languages present.")


class VersionFact(Frozen):
    value: str
    text: str
    source: EvidenceSource = EvidenceSource.TEXT
    page: int | None = None


class DocumentStatus(StrEnum):
    """``superseded``: a newer version of the same record is filed at the same scope."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class ExpiryBasis(StrEnum):
    STATED = "stated"
    VALIDITY = "validity"


class Expiry(Frozen):
    """When a document stops being valid: stated in it, or a validity period from its date."""

    date: date
    basis: ExpiryBasis
    rule: str | None = None
    months: int | None = None
    evidence: str


class Disagreement(Frozen):
    """Where an EMS package's exchange.xml and etmf's own reading of the file differ."""

    field: str = Field(description="artifact, level, country, site or expiry")
    package: str | None = Field(description="What exchange.xml says (none: it says nothing).")
    read: str = Field(description="What etmf read in the file's name and text.")
    evidence: str


class ExchangeNote(Frozen):
    """What an EMS package's exchange.xml declares about this file, and whether it holds."""

    object_id: str
    line: int = Field(description="Line of the OBJECT in exchange.xml.")
    integrity: str = Field(description="The INTEGRITY value as written, e.g. SHA256-<hex>.")
    verified: bool | None = Field(
        description="The file's SHA-256 matches; none when the file could not be read."
    )
    disagreements: tuple[Disagreement, ...] = ()


class Document(Frozen):
    """One file of the scanned folder, with what etmf read from it and concluded about it."""

    path: str = Field(description="Relative to the scanned folder, POSIX separators.")
    sha256: str
    size: int
    format: FileFormat
    readable: bool
    problem: str | None = Field(default=None, description="Why the file could not be read.")
    pages: int | None = None
    title: str | None = None
    artifact: str | None = None
    artifact_name: str | None = None
    subartifact: str | None = None
    confidence: float = 0.0
    evidence: tuple[Evidence, ...] = ()
    level: Level | None = None
    country: str | None = None
    site: str | None = None
    placement: tuple[Evidence, ...] = ()
    dates: tuple[DateFact, ...] = ()
    dates_omitted: int = Field(
        default=0,
        description="Dates read without a role (beyond the first ones) that are counted, "
        "not listed: every date with a role, and every date a dating convention could pick, "
        "is listed.",
    )
    identifying_date: DateFact | None = Field(
        default=None, description="The date the artifact's dating convention names."
    )
    expires: Expiry | None = None
    signatures: tuple[SignatureFact, ...] = ()
    language: LanguageFact | None = None
    version: VersionFact | None = None
    status: DocumentStatus = DocumentStatus.CURRENT
    superseded_by: str | None = None
    scanned: bool = Field(default=False, description="The first pages have no text layer.")
    read_by_ocr: bool = False
    ocr: str | None = Field(default=None, description="What OCR read, or why it could not.")
    exchange: ExchangeNote | None = Field(
        default=None, description="The file's record in the EMS package's exchange.xml."
    )


class FindingStatus(StrEnum):
    OPEN = "open"
    WAIVED = "waived"


class WaiverNote(Frozen):
    """Why a finding or an expectation is waived, as the study configuration recorded it."""

    reason: str
    approved_by: str | None = None
    until: date | None = None


class Finding(Frozen):
    id: str
    rule: str
    kind: Kind
    severity: Severity
    status: FindingStatus = FindingStatus.OPEN
    artifact: str | None = None
    level: Level | None = None
    country: str | None = None
    site: str | None = None
    path: str | None = None
    message: str
    evidence: tuple[Evidence, ...] = ()
    citation: tuple[Citation, ...] = ()
    profile: str | None = None
    waiver: WaiverNote | None = None


class ExpectationStatus(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    NOT_YET_DUE = "not_yet_due"
    WAIVED = "waived"


class Expectation(Frozen):
    """One record a rule expects at one scope, and whether the folder holds it."""

    rule: str
    artifact: str
    artifact_name: str
    subartifact: str | None = None
    level: Level
    country: str | None = None
    site: str | None = None
    milestone: str | None = Field(
        default=None, description="The milestone that makes it due; none for recurring records."
    )
    due: date | None = Field(
        default=None,
        description="Date the milestone was reached, or a recurring record's due date.",
    )
    status: ExpectationStatus
    documents: tuple[str, ...] = ()
    profile: str
    note: str | None = None


class ToolInfo(Frozen):
    name: str
    version: str


class StudyInfo(Frozen):
    id: str
    sponsor: str | None = None
    title: str | None = None
    countries: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()


class ProfileInfo(Frozen):
    id: str
    name: str
    chain: tuple[str, ...] = Field(description="The profile and the ones it extends, base last.")
    version: str | None = Field(default=None, description="The profile file's `version`.")


class Summary(Frozen):
    documents: int
    readable: int
    classified: int
    expected: int
    present: int
    missing: int
    waived: int
    not_yet_due: int
    completeness: float | None = Field(
        description="present / (present + missing); waived and not-yet-due items do not count."
    )
    open_findings: int
    waived_findings: int
    by_kind: dict[str, int]
    by_severity: dict[str, int]


class Retention(Frozen):
    """How long a country's rules say the TMF must be kept."""

    rule: str
    profile: str
    country: str | None = None
    years: int
    start: str = Field(description="What the period runs from, e.g. completion of the trial.")
    citation: tuple[Citation, ...] = ()
    note: str | None = None


class RuleInfo(Frozen):
    """A rule that raised a finding or an expectation in this report, as its profile resolved it,
    so that a saved report explains itself (SARIF rule descriptors, JUnit failures)."""

    id: str
    check: str = Field(description="The check kind: required, expires, signed, ...")
    title: str
    severity: Severity
    rationale: str | None = None
    citations: tuple[Citation, ...] = ()
    profile: str = Field(description="The profile whose resolved rule this is.")


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One scan in a study's history, as the history store records it and the HTML report
    draws it: when it ran, the date it was evaluated as of, its completeness (present /
    (present + missing), None when nothing was expected yet) and its open findings."""

    scanned_at: datetime
    as_of: date
    completeness: float | None
    open_findings: int


class Report(Frozen):
    schema_version: str = SCHEMA_VERSION
    tool: ToolInfo
    study: StudyInfo | None
    as_of: date
    profiles: tuple[ProfileInfo, ...]
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    expected: tuple[Expectation, ...]
    retention: tuple[Retention, ...] = ()
    rules: tuple[RuleInfo, ...] = Field(
        default=(), description="Every rule that raised a finding or an expectation, by id."
    )
    summary: Summary
