"""Verify the XML digital signatures of a DOCX (OOXML) package with lxml and cryptography.

No maintained Python library verifies these packages (signxml checks SignedInfo but not the
package manifest, and refuses expired certificates), so this module does the work described in
ECMA-376 Part 2 (Open Packaging Conventions, digital signatures) and XML-DSig 1.0:

* ``_rels/.rels`` points to the signature origin, whose relationships list ``sig1.xml``...;
* each signature part is an XML-DSig ``Signature``; its ``SignedInfo`` covers the Office
  objects, one of which holds a ``Manifest`` with one digest per signed package part (``.rels``
  parts through the OPC RelationshipTransform, then C14N);
* signing time (``mdssi:SignatureTime``) and purpose (``SignatureComments``) are read only from
  objects the signature covers, so text added around a signature cannot pose as signed.

The package side lives here; canonicalization, digests, the signature value and the trust
path are generic XML-DSig and live in :mod:`etmf.extract.xmldsig`. Measured trap handled here:
``docProps/core.xml`` is not covered by Office signatures and is never required.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from lxml import etree

from etmf.extract.xmldsig import (
    C14N,
    DSIG,
    DSIG_NS,
    BrokenSignature,
    check_references,
    check_trust,
    common_name,
    digest_matches,
    elements_by_id,
    key_info_certificates,
    load_trust_roots,
    parse_xml,
    signature_method,
    single,
    value_signer,
)
from etmf.model import SignatureFact, SignatureMethod, SignatureStatus

_NS = {
    **DSIG_NS,
    "mdssi": "http://schemas.openxmlformats.org/package/2006/digital-signature",
    "o": "http://schemas.microsoft.com/office/2006/digsig",
    "xd": "http://uri.etsi.org/01903/v1.3.2#",
    "r": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ORIGIN = _PACKAGE_RELS + "/digital-signature/origin"
_SIGNATURE = _PACKAGE_RELS + "/digital-signature/signature"
_MAIN_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
_RELATIONSHIP_TRANSFORM = "http://schemas.openxmlformats.org/package/2006/RelationshipTransform"
_MAX_XML = 16 * 1024 * 1024
_MAX_PART = 512 * 1024 * 1024
_SHOWN_PROBLEMS = 3
# What reading a damaged or unusual ZIP entry raises.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
)


def read_docx_signatures(data: bytes, *, trust_roots: Sequence[bytes] = ()) -> list[SignatureFact]:
    """One fact per XML signature in a DOCX package; [] when it holds none.

    A damaged signature gives an INVALID fact with the reason. A file that is not a ZIP
    package at all gives [] (the extractor reports it unreadable). ``trust_roots`` are DER or
    PEM certificates; a trust root that cannot be read is a configuration error (ValueError).
    """
    roots = load_trust_roots(trust_roots)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_ZIP_ERRORS, ValueError):
        return []
    with archive:
        package = _Package(archive)
        return [_fact(package, part, problem, roots) for part, problem in _signature_parts(package)]


@dataclass
class _Reading:
    """What was read from one signature so far, reported even when it turns out invalid."""

    part: str
    signer: str | None = None
    signed_at: datetime | None = None
    reason: str | None = None
    problems: list[str] = field(default_factory=list)


def _fact(
    package: _Package, part: str, problem: str | None, roots: list[x509.Certificate]
) -> SignatureFact:
    reading = _Reading(part)
    summary, trust, trusted = "", "", False
    if problem is not None:
        reading.problems.append(problem)
    try:
        if package.find(part) is not None:
            summary, trust, trusted = _verify(package, reading, roots)
    except BrokenSignature as broken:
        reading.problems.append(str(broken))
    except Exception as error:  # the contract: a damaged package never raises
        detail = str(error).strip()[:160] or type(error).__name__
        reading.problems.append(f"cannot be checked ({detail})")
    if reading.problems:
        more = len(reading.problems) - _SHOWN_PROBLEMS
        shown = "; ".join(reading.problems[:_SHOWN_PROBLEMS] + [summary] * bool(summary))
        status = SignatureStatus.INVALID
        evidence = shown + (f" (and {more} more problems)" if more > 0 else "")
    else:
        status = SignatureStatus.VALID if trusted else SignatureStatus.INTACT
        evidence = f"{summary}; {trust}"
    return SignatureFact(
        method=SignatureMethod.DIGITAL,
        status=status,
        signer=reading.signer,
        signed_at=reading.signed_at,
        reason=reading.reason,
        evidence=f"XML signature {posixpath.basename(part)}: {evidence}",
        field=part,
    )


def _verify(
    package: _Package, reading: _Reading, roots: list[x509.Certificate]
) -> tuple[str, str, bool]:
    """Check one signature; returns (what was checked, trust sentence, trusted)."""
    root = parse_xml(package.read(reading.part), reading.part)
    if root.tag != f"{{{DSIG}}}Signature":
        raise BrokenSignature("the part is not an XML-DSig Signature")
    ids = elements_by_id(root)
    signed_info = single(root, "ds:SignedInfo")
    method_uri = signature_method(signed_info)
    certificates = key_info_certificates(root)
    reading.signer = common_name(certificates[0])
    signer = value_signer(root, method_uri, certificates)
    if signer is None:
        reading.problems.append("the signature value does not verify")
    else:
        reading.signer = common_name(signer)
    covered = check_references(signed_info, ids, reading.problems)
    total, unchanged, signed_parts = _check_manifests(package, covered, reading)
    for main in package.main_documents():
        if main.lower() not in signed_parts:
            reading.problems.append(f"the main document part {main} is not signed")
    reading.signed_at = _signing_time(covered)
    comments = _first_text(covered, "o:SignatureInfoV1/o:SignatureComments")
    reading.reason = comments or None
    summary = f"{unchanged} of {total} package parts unchanged"
    if signer is None:
        return summary, "", False
    summary += f", signature value verified ({method_uri.rsplit('#', 1)[-1]})"
    trust, trusted = check_trust(signer, certificates, roots, reading.signed_at)
    return summary, trust, trusted


def _check_manifests(
    package: _Package, covered: list[Any], reading: _Reading
) -> tuple[int, int, set[str]]:
    """Digest every package part the covered manifests list; return (total, unchanged, names)."""
    references = [
        reference
        for element in covered
        for manifest in element.iter(f"{{{DSIG}}}Manifest")
        for reference in manifest.findall("ds:Reference", _NS)
    ]
    if not references:
        raise BrokenSignature("the signature covers no package parts (no signed Manifest)")
    unchanged, signed = 0, set()
    for reference in references:
        path, _, query = reference.get("URI", "").partition("?")
        name = package.find(path)
        if name is None:
            reading.problems.append(f"signed part {unquote(path.lstrip('/'))} is missing")
            continue
        signed.add(name.lower())
        claimed = query.partition("ContentType=")[2]
        if claimed and (package.content_type(name) or "").lower() != claimed.lower():
            reading.problems.append(f"the content type of {name} changed after signing")
            continue
        try:
            matches = digest_matches(reference, _part_octets(package, name, reference))
        except _ZIP_ERRORS as error:
            reading.problems.append(f"part {name} is damaged ({error})")
            continue
        except BrokenSignature as broken:
            reading.problems.append(str(broken))
            continue
        if matches:
            unchanged += 1
        else:
            reading.problems.append(f"{name} changed after signing (digest mismatch)")
    return len(references), unchanged, signed


def _part_octets(package: _Package, name: str, reference: Any) -> Iterable[bytes]:
    """What a manifest reference digests: the raw part, or a .rels part transformed."""
    transforms = reference.findall("ds:Transforms/ds:Transform", _NS)
    if not transforms:
        return package.chunks(name)
    first, rest = transforms[0], transforms[1:]
    if first.get("Algorithm") != _RELATIONSHIP_TRANSFORM or len(rest) > 1:
        raise BrokenSignature(f"unsupported transforms on the reference to {name}")
    if rest and rest[0].get("Algorithm") not in C14N:
        raise BrokenSignature(f"unsupported transform {rest[0].get('Algorithm')!r} on {name}")
    ids = {node.get("SourceId") for node in first.findall("mdssi:RelationshipReference", _NS)}
    groups = first.findall("mdssi:RelationshipsGroupReference", _NS)
    types = {node.get("SourceType") for node in groups}
    relationships = parse_xml(package.read(name), name)
    return [etree.tostring(_select_relationships(relationships, ids, types), method="c14n")]


def _select_relationships(relationships: Any, ids: set[Any], types: set[Any]) -> Any:
    """The OPC RelationshipTransform (ECMA-376 Part 2, 13.2.4.24).

    Keeps the Relationship elements selected by Id or Type, sorted by Id, with their
    unprefixed attributes and TargetMode defaulted to Internal; drops text, comments, foreign
    markup and namespace declarations other than the Relationships namespace. Building a new
    tree (rather than editing a copy) leaves no inherited context for C14N to render.
    """
    output = etree.Element(f"{{{_PACKAGE_RELS}}}Relationships", nsmap={None: _PACKAGE_RELS})
    selected = [
        node
        for node in relationships.findall("r:Relationship", _NS)
        if node.get("Id") is not None and (node.get("Id") in ids or node.get("Type") in types)
    ]
    for node in sorted(selected, key=lambda item: str(item.get("Id"))):
        kept = etree.SubElement(output, f"{{{_PACKAGE_RELS}}}Relationship")
        for key, value in node.attrib.items():
            if not key.startswith("{"):
                kept.set(key, value)
        if kept.get("TargetMode") is None:
            kept.set("TargetMode", "Internal")
    return output


class _Package:
    """A ZIP package read the OPC way: part names compared case-insensitively, sizes bounded."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = {info.filename.lower(): info.filename for info in archive.infolist()}
        self._types: tuple[dict[str, str], dict[str, str]] | None = None

    def find(self, name: str) -> str | None:
        """The ZIP entry of a part name or URI path (leading slash and %-escapes allowed)."""
        name = name.lstrip("/")
        return self.names.get(name.lower()) or self.names.get(unquote(name).lower())

    def read(self, name: str) -> bytes:
        info = self.archive.getinfo(name)
        if info.file_size > _MAX_XML:
            raise BrokenSignature(f"part {name} is too large to check ({info.file_size} bytes)")
        try:
            return self.archive.read(info)
        except _ZIP_ERRORS as error:
            raise BrokenSignature(f"part {name} is damaged ({error})") from None

    def chunks(self, name: str) -> Iterable[bytes]:
        info = self.archive.getinfo(name)
        if info.file_size > _MAX_PART:
            raise BrokenSignature(f"part {name} is too large to check ({info.file_size} bytes)")
        with self.archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                yield chunk

    def content_type(self, name: str) -> str | None:
        if self._types is None:
            overrides: dict[str, str] = {}
            defaults: dict[str, str] = {}
            entry = self.find("[Content_Types].xml")
            if entry is None:
                raise BrokenSignature("the package has no [Content_Types].xml")
            types = parse_xml(self.read(entry), entry)
            for node in types.findall("ct:Override", _NS):
                part = node.get("PartName", "").lstrip("/").lower()
                overrides[part] = node.get("ContentType", "")
            for node in types.findall("ct:Default", _NS):
                defaults[node.get("Extension", "").lower()] = node.get("ContentType", "")
            self._types = overrides, defaults
        overrides, defaults = self._types
        lowered = name.lower()
        if lowered in overrides:
            return overrides[lowered]
        return defaults.get(lowered.rsplit(".", 1)[-1])

    def targets(self, source: str, kind: str) -> list[str]:
        """Internal targets of a part's relationships of one type, as part names."""
        folder, base = posixpath.split(source)
        entry = self.find(posixpath.join(folder, "_rels", base + ".rels"))
        if entry is None:
            return []
        found = []
        for node in parse_xml(self.read(entry), entry).findall("r:Relationship", _NS):
            if node.get("Type") != kind or node.get("TargetMode") == "External":
                continue
            target = unquote(node.get("Target", ""))
            joined = target if target.startswith("/") else posixpath.join("/", folder, target)
            found.append(posixpath.normpath(joined).lstrip("/"))
        return found

    def main_documents(self) -> list[str]:
        """Every main-document target: one added after signing must not hide behind another."""
        return [self.find(t) or t for kind in _MAIN_DOCUMENT for t in self.targets("", kind)]


def _signature_parts(package: _Package) -> list[tuple[str, str | None]]:
    """Signature parts with the reason each cannot be checked (None when it can).

    Signatures are found the OPC way, through the origin part's relationships; an XML part
    under ``_xmlsignatures/`` that nothing links is reported too, as an invalid signature,
    rather than letting a stripped relationship hide it.
    """
    linked: list[str] = []
    orphan_reason = "not linked from the package's signature origin"
    try:
        for origin in package.targets("", _ORIGIN):
            linked += [t for t in package.targets(origin, _SIGNATURE) if t not in linked]
    except BrokenSignature as broken:
        orphan_reason = f"the package's signature relationships are damaged ({broken})"
    found: list[tuple[str, str | None]] = []
    for target in linked:
        entry = package.find(target)
        found.append((entry or target, None if entry else f"signature part {target} is missing"))
    known = {name.lower() for name, _ in found}
    for lowered, entry in package.names.items():
        signature_like = lowered.startswith("_xmlsignatures/") and lowered.endswith(".xml")
        if signature_like and lowered not in known and "/_rels/" not in lowered:
            found.append((entry, orphan_reason))
    return sorted(found, key=lambda item: _natural(item[0]))


def _natural(name: str) -> list[Any]:
    return [int(piece) if piece.isdigit() else piece for piece in re.split(r"(\d+)", name)]


def _signing_time(covered: list[Any]) -> datetime | None:
    """mdssi:SignatureTime (Office), else XAdES SigningTime; Office writes UTC."""
    text = _first_text(covered, "mdssi:SignatureTime/mdssi:Value") or _first_text(
        covered, "xd:SignedSignatureProperties/xd:SigningTime"
    )
    try:
        value = datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _first_text(covered: list[Any], path: str) -> str:
    for element in covered:
        for found in element.iterfind(".//" + path, _NS):
            return str(found.text or "").strip()
    return ""
