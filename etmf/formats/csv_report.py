"""CSV reports for spreadsheets: one row per finding, or one row per document.

RFC 4180: comma-separated, fields quoted when they hold a comma, a quote or a line break,
quotes doubled, CRLF line ends, a header row. UTF-8, by default with a byte order mark: Excel
on Windows reads a CSV without one in the local code page and garbles Chinese, Korean and
Japanese file names; with it, Excel, LibreOffice, pandas (``utf-8-sig``) and Python's csv
module all read the text correctly. ``bom=False`` leaves it out for tools that mind.

Cells are safe to open in a spreadsheet: text that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be taken for a formula (OWASP "CSV injection"), so it gets a leading
``'``, which spreadsheets show as text and do not evaluate. File names and document text are
untrusted input here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from etmf.model import Citation, Document, Evidence, Finding, Report

BOM = "\ufeff"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_JOIN = " | "

FINDING_COLUMNS = (
    "id",
    "rule",
    "kind",
    "severity",
    "status",
    "artifact",
    "level",
    "country",
    "site",
    "path",
    "message",
    "evidence",
    "citation",
    "citation_url",
    "profile",
    "waiver_reason",
    "waiver_approved_by",
    "waiver_until",
)

DOCUMENT_COLUMNS = (
    "path",
    "sha256",
    "size",
    "format",
    "readable",
    "problem",
    "artifact",
    "artifact_name",
    "subartifact",
    "confidence",
    "level",
    "country",
    "site",
    "identifying_date",
    "identifying_date_text",
    "expires",
    "expiry_basis",
    "signature_status",
    "signatures",
    "language",
    "version",
    "status",
    "superseded_by",
)


def safe_cell(value: object) -> str:
    """The cell's text, never read as a formula by a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return (BOM if bom else "") + buffer.getvalue()


def evidence_text(items: Iterable[Evidence]) -> str:
    parts = []
    for item in items:
        where = item.source.value + (f" p.{item.page}" if item.page else "")
        detail = f" ({item.detail})" if item.detail else ""
        parts.append(f"[{where}] {item.text}{detail}")
    return _JOIN.join(parts)


def citation_text(items: Iterable[Citation]) -> str:
    parts = []
    for item in items:
        note = f"; {item.note}" if item.note else ""
        parts.append(f"{item.source} [{item.quality.value}]{note}")
    return _JOIN.join(parts)


def _finding_row(finding: Finding) -> list[object]:
    waiver = finding.waiver
    return [
        finding.id,
        finding.rule,
        finding.kind.value,
        finding.severity.value,
        finding.status.value,
        finding.artifact,
        finding.level.value if finding.level else None,
        finding.country,
        finding.site,
        finding.path,
        finding.message,
        evidence_text(finding.evidence),
        citation_text(finding.citation),
        _JOIN.join(c.url for c in finding.citation if c.url),
        finding.profile,
        waiver.reason if waiver else None,
        waiver.approved_by if waiver else None,
        waiver.until.isoformat() if waiver and waiver.until else None,
    ]


def signature_summary(document: Document) -> str:
    """The statuses of the signatures found, worst first: ``invalid``, ``unsigned``, ...;
    ``none`` when nothing resembling a signature was found."""
    order = ("invalid", "unsigned", "unverifiable", "intact", "valid")
    statuses = {s.status.value for s in document.signatures}
    if not statuses:
        return "none"
    return ", ".join(status for status in order if status in statuses)


def _signatures(document: Document) -> str:
    parts = []
    for signature in document.signatures:
        who = f" {signature.signer}" if signature.signer else ""
        when = f" {signature.signed_at.date().isoformat()}" if signature.signed_at else ""
        parts.append(f"{signature.method.value} {signature.status.value}{who}{when}")
    return _JOIN.join(parts)


def _document_row(document: Document) -> list[object]:
    identifying = document.identifying_date
    expires = document.expires
    return [
        document.path,
        document.sha256,
        document.size,
        document.format.value,
        document.readable,
        document.problem,
        document.artifact,
        document.artifact_name,
        document.subartifact,
        f"{document.confidence:.2f}",
        document.level.value if document.level else None,
        document.country,
        document.site,
        identifying.value.isoformat() if identifying else None,
        identifying.text if identifying else None,
        expires.date.isoformat() if expires else None,
        expires.basis.value if expires else None,
        signature_summary(document),
        _signatures(document),
        document.language.code if document.language else None,
        document.version.value if document.version else None,
        document.status.value,
        document.superseded_by,
    ]


def render_findings(report: Report, *, bom: bool = True) -> str:
    """One row per finding, open and waived, in the report's order."""
    return _table(FINDING_COLUMNS, (_finding_row(f) for f in report.findings), bom=bom)


def render_documents(report: Report, *, bom: bool = True) -> str:
    """One row per document of the scanned folder, sorted by path."""
    return _table(DOCUMENT_COLUMNS, (_document_row(d) for d in report.documents), bom=bom)
