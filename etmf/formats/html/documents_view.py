"""Per-document details, collapsible: what etmf read in each file and concluded about it.

At most ``document_limit`` documents are detailed, those with findings first, so that a report
of 100,000 documents stays a page a browser opens; a note counts the rest, which the JSON
report holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from etmf.formats.html.findings_view import evidence_list
from etmf.formats.html.markup import Markup, element
from etmf.model import Document, DocumentStatus, Finding, FindingStatus


def chosen_documents(
    documents: Sequence[Document], findings_by_path: Mapping[str, Sequence[Finding]], limit: int
) -> list[Document]:
    """Documents with open findings first, then the others; each group by path."""
    ordered = sorted(
        documents,
        key=lambda d: (
            not any(f.status is FindingStatus.OPEN for f in findings_by_path.get(d.path, ())),
            d.path,
        ),
    )
    return ordered[:limit]


def anchors(documents: Sequence[Document]) -> dict[str, str]:
    return {document.path: f"d-{position}" for position, document in enumerate(documents, 1)}


def _field(name: str, *value: object) -> Markup | None:
    if all(v is None or v == "" or v == () for v in value):
        return None
    return element(
        "div", {"class": "field"}, element("dt", None, name), element("dd", None, *value)
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Markup | None:
    if not rows:
        return None
    return element(
        "table",
        {"class": "facts"},
        element("thead", None, element("tr", None, [element("th", None, h) for h in headers])),
        element(
            "tbody",
            None,
            [element("tr", None, [element("td", None, cell) for cell in row]) for row in rows],
        ),
    )


def _details(
    document: Document,
    anchor: str,
    findings: Sequence[Finding],
    targets: Mapping[str, str],
    documents: Mapping[str, str],
) -> Markup:
    artifact = (
        f"{document.artifact} {document.artifact_name or ''}".strip()
        if document.artifact
        else "unclassified"
    )
    if document.subartifact and document.subartifact != document.artifact_name:
        artifact += f" ({document.subartifact})"
    open_findings = [f for f in findings if f.status is FindingStatus.OPEN]
    badge = (
        element("span", {"class": "badge count"}, f"{len(open_findings)} open")
        if open_findings
        else None
    )
    scope = " / ".join(
        part
        for part in (
            document.level.value if document.level else None,
            document.country,
            document.site,
        )
        if part
    )
    identifying = document.identifying_date
    expiry = document.expires
    language = document.language
    version = document.version
    superseded = document.superseded_by
    fields = [
        _field("Artifact", artifact, f" · confidence {document.confidence:.0%}"),
        _field("Classified by", evidence_list(document.evidence)),
        _field("Filed at", scope),
        _field("Placed by", evidence_list(document.placement)),
        _field("Title", document.title),
        _field(
            "File",
            f"{document.format.value}, {document.size:,} bytes",
            f", {document.pages} page{'' if document.pages == 1 else 's'}"
            if document.pages
            else "",
            element("code", {"class": "hash"}, f" sha256 {document.sha256}"),
        ),
        _field("Not readable", document.problem),
        _field(
            "Identifying date",
            f"{identifying.value.isoformat()} ({identifying.role.value}) from “{identifying.text}”"
            if identifying
            else None,
        ),
        _field(
            "Expires",
            f"{expiry.date.isoformat()} ({expiry.basis.value}"
            + (f", {expiry.months} months" if expiry.months else "")
            + (f", rule {expiry.rule}" if expiry.rule else "")
            + f"): {expiry.evidence}"
            if expiry
            else None,
        ),
        _field(
            "Language",
            f"{language.code} ({language.confidence:.0%}; {language.evidence})"
            + (f"; also {', '.join(language.others)}" if language.others else "")
            if language
            else None,
        ),
        _field("Version", f"{version.value} from “{version.text}”" if version else None),
        _field(
            "Status",
            document.status.value,
            element("a", {"href": f"#{documents[superseded]}"}, f" by {superseded}")
            if superseded and superseded in documents
            else (f" by {superseded}" if superseded else None),
        ),
        _field(
            "Scanned",
            "no text layer" if document.scanned else None,
            f"; {document.ocr}" if document.ocr else None,
        ),
        _field(
            "Dates read",
            _table(
                ("date", "role", "calendar", "page", "text"),
                [
                    (
                        d.value.isoformat() + (" (ambiguous)" if d.ambiguous else ""),
                        d.role.value,
                        d.calendar,
                        d.page or "",
                        d.text,
                    )
                    for d in document.dates
                ],
            ),
        ),
        _field(
            "Signatures",
            _table(
                ("method", "status", "signer", "signed", "field / page", "evidence"),
                [
                    (
                        s.method.value,
                        element("span", {"class": f"sig sig-{s.status.value}"}, s.status.value),
                        s.signer or "",
                        s.signed_at.isoformat() if s.signed_at else "",
                        " ".join(p for p in (s.field, f"p.{s.page}" if s.page else None) if p),
                        s.evidence + (f" ({s.reason})" if s.reason else ""),
                    )
                    for s in document.signatures
                ],
            ),
        ),
        _field(
            "Findings",
            element(
                "ul",
                {"class": "doc-findings"},
                [
                    element(
                        "li",
                        None,
                        element(
                            "a", {"href": f"#{targets[f.id]}"}, f"{f.severity.value} {f.kind.value}"
                        )
                        if f.id in targets
                        else f"{f.severity.value} {f.kind.value}",
                        f" ({f.status.value}): {f.message}",
                    )
                    for f in findings
                ],
            )
            if findings
            else None,
        ),
    ]
    css = "document" + (" superseded" if document.status is DocumentStatus.SUPERSEDED else "")
    return element(
        "details",
        {"id": anchor, "class": css},
        element(
            "summary",
            None,
            element("span", {"class": "path"}, document.path),
            " ",
            element("span", {"class": "artifact"}, artifact),
            " ",
            badge,
        ),
        element("dl", None, fields),
    )


def documents_section(
    chosen: Sequence[Document],
    *,
    findings_by_path: Mapping[str, Sequence[Finding]],
    finding_anchors: Mapping[str, str],
    document_anchors: Mapping[str, str],
    total: int,
) -> Markup:
    items = [
        _details(
            d,
            document_anchors[d.path],
            findings_by_path.get(d.path, ()),
            finding_anchors,
            document_anchors,
        )
        for d in chosen
    ]
    note = None
    if len(chosen) < total:
        note = element(
            "p",
            {"class": "note"},
            f"Showing {len(chosen)} of {total} documents: those with open findings first, then "
            "by path. The JSON report (--format json) lists every document.",
        )
    return element(
        "section",
        {"id": "documents"},
        element("h2", None, f"Documents ({total})"),
        note,
        element("div", {"class": "documents"}, items)
        if items
        else element("p", None, "No documents."),
    )
