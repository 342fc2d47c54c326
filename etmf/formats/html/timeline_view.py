"""Time on the page: what expires within the horizon, and the trend over earlier scans."""

from __future__ import annotations

from etmf.formats.html import charts
from etmf.formats.html.markup import Markup, element
from etmf.formats.html.options import HtmlOptions
from etmf.formats.html.summary_view import percent
from etmf.formats.html.timeline import ExpiryItem, expiring_items
from etmf.model import Report

_CHART_ROWS = 40
"""Bars in the timeline chart; the table below it lists more."""


def expiring_section(report: Report, options: HtmlOptions, documents: dict[str, str]) -> Markup:
    horizon = options.horizon_days
    items = expiring_items(report, horizon_days=horizon)
    heading = element("h2", None, f"Expiring in the next {horizon} days")
    if not items:
        return element(
            "section",
            {"id": "expiring"},
            heading,
            element(
                "p",
                None,
                f"Nothing expires between {report.as_of.isoformat()} and {horizon} days later.",
            ),
        )
    listed = items[: options.document_limit]
    rows = [_expiry_row(item, documents) for item in listed]
    limit = _CHART_ROWS
    shown = (
        f"The table lists all {len(items)}."
        if len(listed) == len(items)
        else f"The table lists the first {len(listed)} of {len(items)}; the JSON report has all."
    )
    note = (
        element("p", {"class": "note"}, f"The chart shows the soonest {limit}. {shown}")
        if len(items) > limit
        else None
    )
    return element(
        "section",
        {"id": "expiring"},
        heading,
        charts.timeline_chart(items, as_of=report.as_of, horizon_days=horizon, limit=limit),
        note,
        element(
            "table",
            {"class": "expiring"},
            element(
                "thead",
                None,
                element(
                    "tr",
                    None,
                    [
                        element("th", {"scope": "col"}, name)
                        for name in (
                            "Expires",
                            "Days left",
                            "Document",
                            "Artifact",
                            "Scope",
                            "Read",
                            "Finding",
                        )
                    ],
                ),
            ),
            element("tbody", None, rows),
        ),
    )


def _expiry_row(item: ExpiryItem, documents: dict[str, str]) -> Markup:
    document = item.document
    target = documents.get(document.path)
    path = element("a", {"href": f"#{target}"}, document.path) if target else document.path
    expiry = document.expires
    scope = " / ".join(p for p in (document.country, document.site) if p) or "trial"
    return element(
        "tr",
        None,
        element("td", None, item.expires.isoformat()),
        element("td", {"class": "num"}, item.days_left),
        element("td", {"class": "path"}, path),
        element("td", None, document.artifact or ""),
        element("td", None, scope),
        element("td", None, expiry.evidence if expiry else ""),
        element("td", None, ", ".join(f.rule for f in item.findings)),
    )


def trend_section(options: HtmlOptions) -> Markup:
    heading = element("h2", None, "Trend")
    if not options.trend:
        return element(
            "section",
            {"id": "trend"},
            heading,
            element(
                "p",
                {"class": "empty"},
                "No scan history is recorded: the trend of completeness "
                "and open findings appears once earlier scans are kept.",
            ),
        )
    points = sorted(options.trend, key=lambda p: p.scanned_at)
    rows = [
        element(
            "tr",
            None,
            element("td", None, p.scanned_at.isoformat()),
            element("td", None, p.as_of.isoformat()),
            element("td", {"class": "num"}, percent(p.completeness)),
            element("td", {"class": "num"}, p.open_findings),
        )
        for p in points
    ]
    return element(
        "section",
        {"id": "trend"},
        heading,
        charts.trend_chart(points),
        element(
            "details",
            None,
            element("summary", None, f"The {len(points)} scans"),
            element(
                "table",
                {"class": "trend"},
                element(
                    "thead",
                    None,
                    element(
                        "tr",
                        None,
                        [
                            element("th", {"scope": "col"}, n)
                            for n in ("Scanned", "As of", "Complete", "Open findings")
                        ],
                    ),
                ),
                element("tbody", None, rows),
            ),
        ),
    )
