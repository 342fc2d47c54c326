"""The summary: completeness per level, country and site, open findings by kind and severity,
the profiles applied and the retention periods they state."""

from __future__ import annotations

from collections.abc import Sequence

from etmf.formats.html import charts
from etmf.formats.html.completeness import (
    ScopeCompleteness,
    by_country,
    by_level,
    by_site,
    kind_severity_counts,
    overall,
    severities,
)
from etmf.formats.html.markup import Markup, element
from etmf.model import Report


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _completeness_table(caption: str, scopes: Sequence[ScopeCompleteness]) -> Markup | None:
    if not scopes:
        return None
    header = element(
        "tr",
        None,
        [
            element("th", {"scope": "col"}, name)
            for name in (caption, "Present", "Missing", "Waived", "Not due", "%", "")
        ],
    )
    rows = [
        element(
            "tr",
            {"data-scope": scope.label},
            element("th", {"scope": "row"}, scope.label),
            element("td", {"class": "num"}, scope.present),
            element("td", {"class": "num missing" if scope.missing else "num"}, scope.missing),
            element("td", {"class": "num"}, scope.waived),
            element("td", {"class": "num"}, scope.not_yet_due),
            element("td", {"class": "num"}, percent(scope.ratio)),
            element("td", None, charts.completeness_bar(scope, width=90)),
        )
        for scope in scopes
    ]
    return element(
        "table",
        {"class": "completeness"},
        element("thead", None, header),
        element("tbody", None, rows),
    )


def summary_section(report: Report) -> Markup:
    summary = report.summary
    total = overall(report)
    counts = kind_severity_counts(report.findings)
    cards = element(
        "div",
        {"class": "cards"},
        element(
            "div",
            {"class": "card"},
            element("span", {"class": "figure"}, percent(total.ratio)),
            element(
                "span",
                None,
                f"complete: {total.present} of {total.present + total.missing} due records present",
            ),
            charts.completeness_bar(total, width=220),
        ),
        element(
            "div",
            {"class": "card"},
            element("span", {"class": "figure"}, summary.open_findings),
            element(
                "span",
                None,
                "open findings: "
                + ", ".join(
                    f"{summary.by_severity.get(s.value, 0)} {s.value}" for s in severities()
                ),
            ),
            element("span", None, f"{summary.waived_findings} waived"),
        ),
        element(
            "div",
            {"class": "card"},
            element("span", {"class": "figure"}, summary.documents),
            element(
                "span",
                None,
                f"documents: {summary.readable} readable, {summary.classified} classified",
            ),
            element(
                "span", None, f"{summary.not_yet_due} records not yet due, {summary.waived} waived"
            ),
        ),
    )
    crosstab = element(
        "table",
        {"class": "crosstab"},
        element(
            "thead",
            None,
            element(
                "tr",
                None,
                element("th", {"scope": "col"}, "Kind"),
                [element("th", {"scope": "col"}, s.value) for s in severities()],
                element("th", {"scope": "col"}, "Total"),
            ),
        ),
        element(
            "tbody",
            None,
            [
                element(
                    "tr",
                    {"data-kind": kind.value},
                    element("th", {"scope": "row"}, kind.value.replace("_", " ")),
                    [element("td", {"class": "num"}, by.get(s, 0) or "") for s in severities()],
                    element("td", {"class": "num"}, sum(by.values())),
                )
                for kind, by in counts.items()
            ],
        ),
    )
    profiles = element(
        "ul",
        {"class": "profiles"},
        [
            element("li", None, element("code", None, p.id), f" {p.name}: ", " → ".join(p.chain))
            for p in report.profiles
        ],
    )
    retention = [
        element(
            "li",
            None,
            f"{item.country or item.profile}: keep the TMF {item.years} years from {item.start} "
            f"({item.rule}" + (f"; {item.citation[0].source}" if item.citation else "") + ")",
        )
        for item in report.retention
    ]
    return element(
        "section",
        {"id": "summary"},
        element("h2", None, "Summary"),
        cards,
        element("h3", None, "Completeness: present of due records, per level, country and site"),
        element(
            "div",
            {"class": "columns"},
            _completeness_table("Level", by_level(report)),
            _completeness_table("Country", by_country(report)),
            _completeness_table("Site", by_site(report)),
        ),
        element("h3", None, "Open findings by kind and severity"),
        element("div", {"class": "columns"}, charts.findings_chart(counts), crosstab)
        if counts
        else element("p", None, "No open findings."),
        element(
            "div",
            {"class": "columns"},
            element("div", None, element("h3", None, "Profiles applied"), profiles),
            element("div", None, element("h3", None, "Retention"), element("ul", None, retention))
            if retention
            else None,
        ),
    )
