"""Read the EMS package at the root of a scanned folder: exchange.xml, checked and mapped.

The file is refused whole when it is too large, declares a DOCTYPE or is not well-formed XML;
otherwise it is validated against the packaged schema and each OBJECT is used unless the
schema or etmf finds it wrong (an unknown artifact number, a country that is not ISO 3166
alpha-3, a date that is not dd-MMM-yyyy, a CONTENTURL outside the package). Everything that
is not used, and every listed file the package lacks, becomes a :class:`PackageProblem`
naming the element and its line; the scan goes on with what could be read.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from etmf.ems.countries import CountryCodes
from etmf.ems.record import BatchInfo, ExchangeRecord, Package, PackageProblem
from etmf.ems.schema import (
    EXCHANGE_FILE,
    NAMESPACE,
    SchemaError,
    doctype_line,
    parse_date,
    safe_parser,
    schema_errors,
    tag,
)
from etmf.inventory import human_size, is_skipped
from etmf.model import Evidence, EvidenceSource, Level
from etmf.study import STUDY_FILE
from etmf.tmf.refmodel import ReferenceModel, load_reference_model

_NOT_USED = "the package's metadata is not used"
_CHILD = re.compile(r"^/\*/\*(?:\[(\d+)\])?")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_SHA256 = re.compile(r"^sha256-(.+)$", re.IGNORECASE)
_STATES_NOT_CURRENT = frozenset({"superseded", "obsolete"})


def read_package(
    root: Path, *, countries: CountryCodes, max_bytes: int, model: ReferenceModel | None = None
) -> Package | None:
    """The package whose exchange.xml sits at ``root``; None when there is none."""
    path = root / EXCHANGE_FILE
    if not path.is_file():
        return None
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _refused(
                f"exchange.xml is {human_size(size)}, over the {human_size(max_bytes)} limit; "
                f"{_NOT_USED}"
            )
        data = path.read_bytes()
    except OSError as error:
        return _refused(f"exchange.xml cannot be read: {error.strerror}; {_NOT_USED}")
    line = doctype_line(data)
    try:
        element = None if line is not None else etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        return _refused(
            f"exchange.xml line {error.lineno}: not well-formed XML: {error.msg}; {_NOT_USED}"
        )
    if element is None or element.getroottree().docinfo.doctype:
        return _refused(
            f"exchange.xml line {line or 1}: a DOCTYPE is not allowed in an EMS exchange file "
            f"(DTDs and entity declarations are refused); {_NOT_USED}"
        )
    return _read_batch(element, root, countries, model or load_reference_model())


def _refused(message: str) -> Package:
    return Package(problems=(PackageProblem(path=EXCHANGE_FILE, message=message),))


@dataclass(frozen=True, slots=True)
class _Scope:
    artifact: str | None = None
    level: Level = Level.TRIAL
    country: str | None = None
    site: str | None = None


def _problem(
    message: str,
    text: str,
    line: int | None,
    *,
    path: str = EXCHANGE_FILE,
    scope: _Scope = _Scope(),
) -> PackageProblem:
    where = f"exchange.xml line {line}" if line else "exchange.xml"
    return PackageProblem(
        path=path,
        message=message,
        evidence=(Evidence(source=EvidenceSource.EXCHANGE, text=text, detail=where),),
        artifact=scope.artifact,
        level=scope.level,
        country=scope.country,
        site=scope.site,
    )


def _read_batch(
    element: etree._Element, root: Path, countries: CountryCodes, model: ReferenceModel
) -> Package:
    if element.tag != tag("BATCH"):
        return _refused(
            f"exchange.xml line {element.sourceline}: the root element is "
            f"{etree.QName(element).text}, not BATCH in the EMS namespace {NAMESPACE}; "
            f"{_NOT_USED}"
        )
    children = [child for child in element if isinstance(child.tag, str)]
    by_child: dict[int, list[SchemaError]] = defaultdict(list)
    problems: list[PackageProblem] = []
    for error in schema_errors(element):
        match = _CHILD.match(error.path or "")
        if match is None:
            problems.append(
                _problem(f"exchange.xml line {error.line}: {error.message}", "BATCH", error.line)
            )
        else:
            by_child[int(match.group(1) or 1) - 1].append(error)
    records: dict[str, ExchangeRecord] = {}
    for position, child in enumerate(children):
        errors = by_child.get(position)
        if errors:
            name = etree.QName(child).localname
            ident = _text(child, "OBJECTID")
            label = f"{name} {ident!r}" if ident else name
            detail = "; ".join(f"{e.message} (line {e.line})" for e in errors)
            problems.append(
                _problem(
                    f"exchange.xml line {child.sourceline}: {label} is not used: {detail}",
                    label,
                    child.sourceline,
                )
            )
            continue
        if child.tag == tag("OBJECT"):
            problems.extend(_ObjectReader(child, root, countries, model, records).read())
    batch = BatchInfo(
        study_id=element.get("STUDYID"),
        transfer_source=element.get("TRANSFERSOURCEID"),
        transfer_id=element.get("TRANSFERID"),
        tmf_version=element.get("TMFRMVERSION"),
    )
    return Package(batch=batch, records=records, problems=tuple(problems))


def _text(element: etree._Element, name: str) -> str | None:
    child = element.find(tag(name))
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def _line(element: etree._Element, name: str) -> int | None:
    child = element.find(tag(name))
    line: int | None = (child if child is not None else element).sourceline
    return line


def sha256_of(integrity: str) -> str | None:
    """The hex SHA-256 an INTEGRITY value states (``SHA256-<hex>`` as the standard's example
    writes it, or subresource-integrity ``sha256-<base64>``); None for anything else."""
    match = _SHA256.match(integrity.strip())
    if match is None:
        return None
    value = match.group(1)
    if _HEX.match(value):
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


class _ObjectReader:
    """One valid OBJECT: its metadata checked, then a record for each of its FILEs."""

    def __init__(
        self,
        element: etree._Element,
        root: Path,
        countries: CountryCodes,
        model: ReferenceModel,
        records: dict[str, ExchangeRecord],
    ) -> None:
        self.element = element
        self.root = root
        self.countries = countries
        self.model = model
        self.records = records
        self.issues: list[str] = []

    def value(self, name: str) -> str | None:
        return _text(self.element, name)

    def issue(self, name: str, message: str) -> None:
        line = _line(self.element, name)
        self.issues.append(f"{name} {self.value(name)!r} (line {line}) {message}")

    def read_date(self, name: str) -> tuple[date | None, str | None]:
        text = self.value(name)
        if text is None:
            return None, None
        parsed = parse_date(text)
        if parsed is None:
            self.issue(name, "is not a dd-MMM-yyyy date")
        return parsed, text

    def read(self) -> list[PackageProblem]:
        object_id = self.value("OBJECTID") or ""
        line = self.element.sourceline or 0
        level = Level((self.value("OBJECTLEVEL") or "trial").casefold())
        artifact = self.value("ARTIFACTNUMBER") or ""
        if artifact not in self.model.artifacts:
            self.issue("ARTIFACTNUMBER", f"is not an artifact of the TMF RM v{self.model.version}")
        country_id = self.value("COUNTRYID") if level is not Level.TRIAL else None
        country = self.countries.alpha2(country_id) if country_id else None
        if level is not Level.TRIAL and country_id is None:
            self.issues.append(f"a {level.value}-level OBJECT needs a COUNTRYID")
        elif country_id is not None and country is None:
            self.issue("COUNTRYID", "is not an ISO 3166 alpha-3 country code")
        site = self.value("SITEID") if level is Level.SITE else None
        if level is Level.SITE and site is None:
            self.issues.append("a site-level OBJECT needs a SITEID")
        expiry, expiry_text = self.read_date("OBJECTEXPIRYDATE")
        artifact_date, artifact_date_text = self.read_date("ARTIFACTDATE")
        if self.issues:
            label = f"OBJECT {object_id!r}"
            return [
                _problem(
                    f"exchange.xml line {line}: {label} is not used: {'; '.join(self.issues)}",
                    label,
                    line,
                )
            ]
        state = (self.value("OBJECTVERSIONSTATE") or "").casefold()
        scope = _Scope(artifact=artifact, level=level, country=country, site=site)
        problems = []
        for file in self.element.iterfind(tag("FILE")):
            integrity = _text(file, "INTEGRITY") or ""
            url = _text(file, "CONTENTURL") or ""
            where = f"OBJECT {object_id!r}, line {file.sourceline}"
            path, trouble = self.locate(url)
            if trouble is not None:
                problems.append(
                    _problem(
                        f"{path or EXCHANGE_FILE}: CONTENTURL {url!r} ({where}) {trouble}",
                        url,
                        _line(file, "CONTENTURL"),
                        path=path or EXCHANGE_FILE,
                        scope=scope,
                    )
                )
                continue
            assert path is not None
            sha256 = sha256_of(integrity)
            if sha256 is None:
                problems.append(
                    _problem(
                        f"{path}: INTEGRITY {integrity!r} ({where}) cannot be verified: etmf "
                        "checks SHA-256 digests, written SHA256-<64 hex digits> or "
                        "sha256-<base64>",
                        integrity,
                        _line(file, "INTEGRITY"),
                        path=path,
                        scope=scope,
                    )
                )
            self.records[path] = ExchangeRecord(
                object_id=object_id,
                line=line,
                path=path,
                integrity=integrity,
                sha256=sha256,
                country_id=country_id,
                subartifact=self.value("SUBARTIFACT"),
                superseded=state in _STATES_NOT_CURRENT,
                expiry=expiry,
                expiry_text=expiry_text,
                artifact_date=artifact_date,
                artifact_date_text=artifact_date_text,
                date_description=self.value("DATEDESCRIPTION"),
                artifact=artifact,
                level=level,
                country=country,
                site=site,
            )
        return problems

    def locate(self, url: str) -> tuple[str | None, str | None]:
        """The package path a CONTENTURL names, or why it names none."""
        if _SCHEME.match(url) or url.startswith("/") or "\\" in url:
            return None, "is not a relative path inside the package"
        candidates = [url] + ([unquote(url)] if unquote(url) != url else [])
        for candidate in candidates:
            parts = candidate.split("/")
            if any(part in ("", ".", "..") for part in parts):
                return None, "is not a relative path inside the package"
            if candidate in self.records:
                held = self.records[candidate]
                return None, f"is already listed by OBJECT {held.object_id!r}"
            if candidate in (EXCHANGE_FILE, STUDY_FILE) or any(is_skipped(p) for p in parts):
                return candidate, "names a file etmf does not scan as a document"
            if (self.root / candidate).is_file():
                return candidate, None
        return url, "is listed in exchange.xml, but the package has no such file"
