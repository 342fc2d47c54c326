"""Plan an EMS package from a scan report: one OBJECT per document, and its exchange.xml.

Pure: a Report in, the exchange.xml bytes and the list of files to copy out. Every classified
document becomes an OBJECT with one FILE, in ``ZZ/ZZ.SS/ZZ.SS.AA.Artifact name/`` as the
standard's example lays them out, under its own file name (a second file of the same name in
one artifact folder gets `` (2)``). A document without an artifact cannot be an OBJECT (the
standard requires ARTIFACTNUMBER), and a file that could not be read cannot be hashed: both
are left out, each with the reason. The exchange.xml is validated against the packaged
schema before anything is written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC

from lxml import etree

from etmf.ems.countries import CountryCodes
from etmf.ems.schema import (
    NAMESPACE,
    format_date,
    language_codes,
    safe_parser,
    schema_errors,
    tag,
    xml_text,
)
from etmf.errors import EtmfError, UsageError
from etmf.model import (
    DateRole,
    Document,
    DocumentStatus,
    EvidenceSource,
    Level,
    Report,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
)
from etmf.tmf.refmodel import ReferenceModel, load_reference_model

SPECIFICATION = "eTMF-EMS 1.0"
SOURCE_PATH = "SOURCEPATH"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_LEVELS = {Level.TRIAL: "Trial", Level.COUNTRY: "Country", Level.SITE: "Site"}
# Signatures a person made: a verified digital signature, or one written into the text.
_SIGNED_STATUS = frozenset({SignatureStatus.VALID, SignatureStatus.INTACT})
_METHODOLOGY = {SignatureMethod.DIGITAL: "Digital", SignatureMethod.MANIFESTATION: "Electronic"}


@dataclass(frozen=True, slots=True)
class PlannedFile:
    source: str
    content_url: str
    sha256: str
    object_id: str


@dataclass(frozen=True, slots=True)
class LeftOut:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class PackagePlan:
    exchange: bytes
    files: tuple[PlannedFile, ...]
    left_out: tuple[LeftOut, ...]
    transfer_id: str


def plan_package(
    report: Report,
    *,
    countries: CountryCodes,
    model: ReferenceModel | None = None,
    source_id: str | None = None,
) -> PackagePlan:
    """The package of ``report``'s documents; ``source_id`` is TRANSFERSOURCEID (default:
    the study's sponsor)."""
    model = model or load_reference_model()
    if report.study is None:
        raise UsageError(
            "an EMS package names its study (STUDYID): give --study FILE or put etmf.yaml "
            "in the folder"
        )
    study = report.study.id
    files: list[PlannedFile] = []
    left_out: list[LeftOut] = []
    objects: list[etree._Element] = []
    taken: set[str] = set()
    seen: set[str] = set()
    for document in sorted(report.documents, key=lambda d: d.path):
        reason = _unexportable(document, countries)
        if reason is not None:
            left_out.append(LeftOut(document.path, reason))
            continue
        assert document.artifact is not None
        artifact = model.artifacts[document.artifact]
        folder = f"{artifact.zone}/{artifact.section}/{artifact.number}.{_safe(artifact.name)}"
        url = _free_name(folder, document.path.rsplit("/", 1)[-1], taken)
        object_id = f"{study}-{hashlib.sha256(document.path.encode('utf-8')).hexdigest()[:12]}"
        copy = document.sha256 in seen
        seen.add(document.sha256)
        objects.append(_object(document, object_id, url, artifact.unique_id, copy, countries))
        files.append(PlannedFile(document.path, url, document.sha256, object_id))
    if not objects:
        raise UsageError("no document can be exported: an EMS package needs at least one OBJECT")
    listing = "\n".join(f"{f.object_id} {f.sha256}" for f in files)
    transfer_id = (
        f"{report.as_of:%Y%m%d}-{hashlib.sha256(listing.encode('utf-8')).hexdigest()[:12]}"
    )
    batch = etree.Element(
        tag("BATCH"),
        nsmap={None: NAMESPACE},
        attrib={
            "STUDYID": xml_text(study),
            "TRANSFERSOURCEID": xml_text(source_id or report.study.sponsor or "etmf"),
            "TRANSFERID": transfer_id,
            "SPECIFICATIONID": SPECIFICATION,
            "TMFRMVERSION": model.version,
        },
    )
    batch.extend(objects)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        batch, encoding="UTF-8", pretty_print=True
    )
    _validate(data)
    return PackagePlan(data, tuple(files), tuple(left_out), transfer_id)


def _unexportable(document: Document, countries: CountryCodes) -> str | None:
    if document.artifact is None:
        why = f"; it cannot be read: {document.problem}" if not document.readable else ""
        return f"no TMF RM artifact, and an OBJECT needs an ARTIFACTNUMBER{why}"
    if not document.sha256:
        return f"it could not be read, so its SHA-256 is unknown: {document.problem}"
    level = document.level or Level.TRIAL
    if level is not Level.TRIAL:
        if document.country is None:
            return f"{level.value}-level, but placed in no country"
        if countries.alpha3(document.country) is None:
            return f"{level.value}-level, but country {document.country} has no ISO 3166 code"
        if level is Level.SITE and not document.site:
            return "site-level, but no site id"
    return None


def _safe(name: str) -> str:
    return " ".join(_UNSAFE_NAME.sub("-", name).split()).rstrip(". ")


def _free_name(folder: str, name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = f"{folder}/{name}", 2
    while candidate.casefold() in taken:
        suffix = f".{extension}" if dot else ""
        candidate, number = f"{folder}/{stem} ({number}){suffix}", number + 1
    taken.add(candidate.casefold())
    return candidate


def _add(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, tag(name)).text = xml_text(value)


def _object(
    document: Document,
    object_id: str,
    url: str,
    unique_id: int,
    copy: bool,
    countries: CountryCodes,
) -> etree._Element:
    level = document.level or Level.TRIAL
    element = etree.Element(tag("OBJECT"))
    _add(element, "OBJECTID", object_id)
    _add(element, "OBJECTLEVEL", _LEVELS[level])
    if level is not Level.TRIAL and document.country:
        _add(element, "COUNTRYID", countries.alpha3(document.country))
    if level is Level.SITE:
        _add(element, "SITEID", document.site)
    _add(element, "UNIQUEID", str(unique_id))
    _add(element, "ARTIFACTNUMBER", document.artifact)
    language = document.language.code.split("-")[0] if document.language else None
    _add(element, "OBJECTLANGUAGE", language if language in language_codes() else None)
    _add(element, "OBJECTVERSION", document.version.value if document.version else "1.0")
    superseded = document.status is DocumentStatus.SUPERSEDED
    _add(element, "OBJECTVERSIONSTATE", "Superseded" if superseded else "Current")
    _add(element, "OBJECTTITLE", document.title or document.path.rsplit("/", 1)[-1])
    _add(element, "SUBARTIFACT", document.subartifact)
    _add(element, "OBJECTCOPY", "Yes" if copy else "No")
    if document.expires is not None:
        _add(element, "OBJECTEXPIRYDATE", format_date(document.expires.date))
    dated = document.identifying_date
    if dated is not None and dated.source is not EvidenceSource.METADATA:
        _add(element, "ARTIFACTDATE", format_date(dated.value))
        if dated.role is not DateRole.OTHER:
            _add(element, "DATEDESCRIPTION", dated.role.value.replace("_", " ").capitalize())
    file = etree.SubElement(element, tag("FILE"))
    _add(file, "INTEGRITY", f"SHA256-{document.sha256}")
    _add(file, "FILENAME", document.path.rsplit("/", 1)[-1])
    _add(file, "CONTENTURL", url)
    for signature in document.signatures:
        _signature(file, signature)
    metadata = etree.SubElement(element, tag("METADATA"), NAME=SOURCE_PATH)
    metadata.text = xml_text(document.path)
    return element


def _signature(file: etree._Element, signature: SignatureFact) -> None:
    """A SIGNATURE for a signature a person made, with its signer and time (both required)."""
    methodology = _METHODOLOGY.get(signature.method)
    if methodology is None or signature.status not in _SIGNED_STATUS:
        return
    if not signature.signer or signature.signed_at is None:
        return
    when = signature.signed_at.replace(microsecond=0)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    element = etree.SubElement(file, tag("SIGNATURE"))
    _add(element, "SIGNATUREMETHODOLOGY", methodology)
    _add(element, "USEROID", signature.signer)
    _add(element, "SIGNATURENAME", signature.signer)
    _add(element, "SIGNATUREDATETIME", when.isoformat())
    _add(element, "SIGNATUREREASON", signature.reason or "not stated")


def _validate(data: bytes) -> None:
    errors = schema_errors(etree.fromstring(data, safe_parser()))
    if errors:
        listed = "; ".join(f"line {e.line}: {e.message}" for e in errors[:5])
        raise EtmfError(f"etmf wrote an exchange.xml that breaks the EMS schema (a bug): {listed}")
