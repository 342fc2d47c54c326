"""The findings table: every finding with its rule, citation and evidence, filtered in the page
by country, site, kind, severity and status (the script shows and hides rows; without it the
table is complete)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from etmf.formats.html.completeness import severities
from etmf.formats.html.markup import Markup, element, join, safe_url
from etmf.model import Citation, Evidence, Finding, FindingStatus, Kind, Report


def ordered_findings(report: Report) -> list[Finding]:
    """Open before waived, worst first, otherwise in the report's order."""
    return sorted(
        report.findings, key=lambda f: (f.status is not FindingStatus.OPEN, -f.severity.rank)
    )


def anchors(findings: Sequence[Finding]) -> dict[str, str]:
    """Finding id -> the id of its table row."""
    result: dict[str, str] = {}
    for position, finding in enumerate(findings, start=1):
        result.setdefault(finding.id, f"f-{position}")
    return result


def evidence_list(items: Sequence[Evidence]) -> Markup | None:
    if not items:
        return None
    entries = []
    for item in items:
        where = item.source.value + (f" p.{item.page}" if item.page else "")
        entries.append(
            element(
                "li",
                None,
                element("span", {"class": "src"}, where),
                " ",
                item.text,
                element("span", {"class": "detail"}, f" ({item.detail})") if item.detail else None,
            )
        )
    return element("ul", {"class": "evidence"}, entries)


def citation_list(items: Sequence[Citation]) -> Markup | None:
    if not items:
        return None
    entries = []
    for item in items:
        url = safe_url(item.url)
        source: Markup = (
            element(
                "a",
                {"href": url, "class": "cite", "rel": "noopener noreferrer", "target": "_blank"},
                item.source,
            )
            if url
            else element("span", None, item.source)
        )
        entries.append(
            element(
                "li",
                None,
                source,
                " ",
                element("span", {"class": f"quality q-{item.quality.value}"}, item.quality.value),
                element("span", {"class": "detail"}, f" {item.note}") if item.note else None,
            )
        )
    return element("ul", {"class": "citations"}, entries)


def _select(name: str, label: str, values: Sequence[tuple[str, str]]) -> Markup:
    options = [element("option", {"value": ""}, "All")]
    options += [element("option", {"value": value}, text) for value, text in values]
    return element(
        "label",
        None,
        label,
        " ",
        element("select", {"name": name, "id": f"filter-{name}"}, options),
    )


def filters(report: Report, findings: Sequence[Finding], site_order: Sequence[str]) -> Markup:
    countries = sorted({f.country for f in findings if f.country})
    named = {f.site for f in findings if f.site}
    sites = [s for s in site_order if s in named] + sorted(named - set(site_order))
    kinds = [k for k in Kind if any(f.kind is k for f in findings)]
    return element(
        "form",
        {"id": "finding-filters", "class": "filters", "hidden": True},
        _select("country", "Country", [(c, c) for c in countries]),
        _select("site", "Site", [(s, s) for s in sites]),
        _select("kind", "Kind", [(k.value, k.value.replace("_", " ")) for k in kinds]),
        _select("severity", "Severity", [(s.value, s.value) for s in severities()]),
        _select("status", "Status", [(s.value, s.value) for s in FindingStatus]),
        element("button", {"type": "reset"}, "Show all"),
    )


def _scope(finding: Finding) -> str:
    if finding.site:
        return f"{finding.country} / {finding.site}" if finding.country else finding.site
    if finding.country:
        return finding.country
    return finding.level.value if finding.level else "study"


def _row(finding: Finding, anchor: str, documents: Mapping[str, str]) -> Markup:
    path: Markup | None = None
    if finding.path is not None:
        target = documents.get(finding.path)
        path = (
            element("a", {"href": f"#{target}", "class": "path"}, finding.path)
            if target
            else element("span", {"class": "path"}, finding.path)
        )
    waiver = finding.waiver
    status: list[object] = [finding.status.value]
    if waiver is not None:
        by = f"; approved by {waiver.approved_by}" if waiver.approved_by else ""
        until = f"; until {waiver.until.isoformat()}" if waiver.until else ""
        status.append(element("div", {"class": "detail"}, f"{waiver.reason}{by}{until}"))
    return element(
        "tr",
        {
            "id": anchor,
            "class": f"sev-{finding.severity.value} st-{finding.status.value}",
            "data-country": finding.country or "",
            "data-site": finding.site or "",
            "data-kind": finding.kind.value,
            "data-severity": finding.severity.value,
            "data-status": finding.status.value,
        },
        element(
            "td", {"class": "sev"}, element("span", {"class": "badge"}, finding.severity.value)
        ),
        element("td", None, finding.kind.value.replace("_", " ")),
        element("td", None, _scope(finding)),
        element("td", None, finding.artifact or ""),
        element("td", None, element("p", None, finding.message), path),
        element("td", None, evidence_list(finding.evidence)),
        element(
            "td",
            None,
            element("code", None, finding.rule),
            element("span", {"class": "detail"}, f" {finding.profile}")
            if finding.profile
            else None,
            citation_list(finding.citation),
        ),
        element("td", None, status),
    )


def findings_section(
    report: Report,
    findings: Sequence[Finding],
    *,
    documents: Mapping[str, str],
    site_order: Sequence[str],
) -> Markup:
    if not findings:
        return element(
            "section",
            {"id": "findings"},
            element("h2", None, "Findings"),
            element("p", None, "No findings."),
        )
    header = element(
        "tr",
        None,
        [
            element("th", {"scope": "col"}, name)
            for name in (
                "Severity",
                "Kind",
                "Scope",
                "Artifact",
                "Finding",
                "Evidence read",
                "Rule and citation",
                "Status",
            )
        ],
    )
    rows = [_row(f, f"f-{n}", documents) for n, f in enumerate(findings, start=1)]
    return element(
        "section",
        {"id": "findings"},
        element("h2", None, "Findings"),
        filters(report, findings, site_order),
        element(
            "p",
            {"class": "count"},
            element(
                "output",
                {"id": "finding-count", "for": "finding-filters"},
                f"{len(findings)} of {len(findings)} findings",
            ),
        ),
        element(
            "table",
            {"id": "findings-table", "class": "findings"},
            element("thead", None, header),
            element("tbody", None, join(rows)),
        ),
    )
