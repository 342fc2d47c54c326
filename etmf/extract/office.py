"""Office documents: DOCX text and core properties with python-docx; XLSX strings with lxml.

Encrypted Office files are OLE2 containers holding an ``EncryptedPackage`` stream, not ZIP
files; they are reported as needing a password. Legacy binary .doc/.xls files are listed with
their name only: reading them needs tools etmf does not depend on.
"""

from __future__ import annotations

import io
import zipfile
from types import MappingProxyType
from typing import Any

from lxml import etree

from etmf.errors import ExtractionError
from etmf.extract import Extraction, Limits, is_ole2
from etmf.model import FileFormat

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _check_container(data: bytes, kind: str) -> zipfile.ZipFile:
    if is_ole2(data):
        if _ENCRYPTED in data:
            raise ExtractionError(f"encrypted {kind}: a password is needed to open it")
        raise ExtractionError(
            f"not a {kind}: this is a legacy binary Office file; save it as {kind}"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExtractionError(f"damaged {kind}: not a valid ZIP package") from None
    bad = archive.testzip()
    if bad is not None:
        raise ExtractionError(f"damaged {kind}: corrupt part {bad}")
    return archive


def _xml(archive: zipfile.ZipFile, name: str, limit: int = 20_000_000) -> Any:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise ExtractionError(f"part {name} is too large to read ({info.file_size} bytes)")
    return etree.fromstring(archive.read(name), _SAFE_XML)


def _core_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    root = _xml(archive, "docProps/core.xml")
    if root is None:
        return {}
    found = {
        "title": root.findtext("dc:title", namespaces=_NS),
        "author": root.findtext("dc:creator", namespaces=_NS),
        "subject": root.findtext("dc:subject", namespaces=_NS),
        "keywords": root.findtext("cp:keywords", namespaces=_NS),
        "creationdate": root.findtext("dcterms:created", namespaces=_NS),
        "moddate": root.findtext("dcterms:modified", namespaces=_NS),
        "lastmodifiedby": root.findtext("cp:lastModifiedBy", namespaces=_NS),
    }
    return {key: value.strip() for key, value in found.items() if value and value.strip()}


def _page_count(archive: zipfile.ZipFile) -> int | None:
    root = _xml(archive, "docProps/app.xml")
    pages = root.findtext("ep:Pages", namespaces=_NS) if root is not None else None
    return int(pages) if pages and pages.isdigit() else None


def extract_docx(data: bytes, limits: Limits) -> Extraction:
    import docx

    archive = _check_container(data, "DOCX")
    if "word/document.xml" not in archive.namelist():
        raise ExtractionError("damaged DOCX: the package has no word/document.xml")
    metadata = _core_properties(archive)
    pages = _page_count(archive)
    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []
    size = 0
    for block in document.element.body.iterchildren():
        tag = etree.QName(block).localname
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter(_w("t")))
        elif tag == "tbl":
            text = "\n".join(
                " | ".join(
                    "".join(t.text or "" for t in cell.iter(_w("t"))) for cell in row.iter(_w("tc"))
                )
                for row in block.iter(_w("tr"))
            )
        else:
            continue
        parts.append(text)
        size += len(text)
        if size > limits.max_chars:
            break
    for section in document.sections[:1]:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs if p.text.strip())
    return Extraction(
        format=FileFormat.DOCX,
        readable=True,
        pages=pages,
        title=metadata.get("title"),
        text="\n".join(parts)[: limits.max_chars],
        metadata=MappingProxyType(metadata),
    )


def _w(name: str) -> str:
    return f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{name}"


def extract_xlsx(data: bytes, limits: Limits) -> Extraction:
    archive = _check_container(data, "XLSX")
    metadata = _core_properties(archive)
    strings: list[str] = []
    shared = _xml(archive, "xl/sharedStrings.xml")
    if shared is not None:
        for item in shared.iterfind("s:si", _NS):
            strings.append("".join(item.itertext()))
            if sum(map(len, strings)) > limits.max_chars:
                break
    sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    for sheet in sheets[:3]:
        if sum(map(len, strings)) > limits.max_chars:
            break
        root = _xml(archive, sheet)
        for cell in root.iterfind(".//s:c", _NS) if root is not None else ():
            if cell.get("t") == "inlineStr":
                strings.append("".join(cell.itertext()))
            elif cell.get("t") == "str":
                strings.append(cell.findtext("s:v", default="", namespaces=_NS))
    return Extraction(
        format=FileFormat.XLSX,
        readable=True,
        pages=len(sheets) or None,
        title=metadata.get("title"),
        text="\n".join(strings)[: limits.max_chars],
        metadata=MappingProxyType(metadata),
    )


def extract_legacy_office(data: bytes, limits: Limits) -> Extraction:
    if is_ole2(data) and _ENCRYPTED in data:
        raise ExtractionError("encrypted Office document: a password is needed to open it")
    if not is_ole2(data):
        raise ExtractionError("damaged Office document: not an OLE2 compound file")
    return Extraction(format=FileFormat.DOC, readable=True, problem=None)
