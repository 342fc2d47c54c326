"""The HTML report page: header, summary, matrix, expiry timeline, trend, findings and
documents in one self-contained file. Its stylesheet and script are package files, inlined
and allowed by hash in a strict Content-Security-Policy, so the page loads nothing and runs
nothing else."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files

from etmf.formats.html.completeness import sites
from etmf.formats.html.documents_view import anchors as document_anchors
from etmf.formats.html.documents_view import chosen_documents, documents_section
from etmf.formats.html.findings_view import anchors as finding_anchors
from etmf.formats.html.findings_view import findings_section, ordered_findings
from etmf.formats.html.markup import Markup, element, script_json
from etmf.formats.html.matrix import build_matrix
from etmf.formats.html.matrix_view import matrix_section
from etmf.formats.html.options import HtmlOptions
from etmf.formats.html.summary_view import summary_section
from etmf.formats.html.timeline_view import expiring_section, trend_section
from etmf.model import Finding, Level, Report


@cache
def asset(name: str) -> str:
    return files("etmf.formats.html").joinpath(name).read_text("utf-8")


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(style: str, script: str) -> str:
    """Nothing from anywhere: only the inline stylesheet and script, by their hashes."""
    return (
        f"default-src 'none'; style-src {csp_hash(style)}; script-src {csp_hash(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render_page(report: Report, options: HtmlOptions) -> str:
    style, script = asset("report.css"), asset("report.js")
    findings = ordered_findings(report)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.path is not None:
            by_path.setdefault(finding.path, []).append(finding)
    chosen = chosen_documents(report.documents, by_path, options.document_limit)
    documents = document_anchors(chosen)
    targets = finding_anchors(findings)
    site_list = sites(report)
    title = "TMF inspection readiness: " + (report.study.id if report.study else "no study")
    data = {"siteCountry": {site: country or "" for site, country in site_list}}
    body = [
        _header(report, title),
        element(
            "main",
            None,
            summary_section(report),
            matrix_section(
                [build_matrix(report, level) for level in (Level.SITE, Level.COUNTRY, Level.TRIAL)],
                findings=targets,
                documents=documents,
            ),
            expiring_section(report, options, documents),
            trend_section(options),
            findings_section(
                report, findings, documents=documents, site_order=[s for s, _ in site_list]
            ),
            documents_section(
                chosen,
                findings_by_path=by_path,
                finding_anchors=targets,
                document_anchors=documents,
                total=len(report.documents),
            ),
        ),
        element(
            "footer",
            None,
            f"{report.tool.name} {report.tool.version} · report schema "
            f"{report.schema_version} · evaluated as of {report.as_of.isoformat()}",
        ),
        element("script", {"type": "application/json", "id": "etmf-data"}, script_json(data)),
        element("script", None, Markup(script)),
    ]
    head = element(
        "head",
        None,
        element("meta", {"charset": "utf-8"}),
        element(
            "meta",
            {
                "http-equiv": "Content-Security-Policy",
                "content": content_security_policy(style, script),
            },
        ),
        element("meta", {"name": "referrer", "content": "no-referrer"}),
        element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
        element("meta", {"name": "generator", "content": f"etmf {report.tool.version}"}),
        element("title", None, f"{title}, as of {report.as_of.isoformat()}"),
        element("style", None, Markup(style)),
    )
    page = element("html", {"lang": "en"}, head, element("body", None, body))
    return "<!DOCTYPE html>\n" + page + "\n"


def _header(report: Report, title: str) -> Markup:
    study = report.study
    lines = []
    if study is not None:
        lines.append(element("p", {"class": "study-title"}, study.title or ""))
        lines.append(element("p", None, f"Sponsor: {study.sponsor}" if study.sponsor else ""))
    profiles = ", ".join(p.id for p in report.profiles)
    lines.append(
        element(
            "p",
            {"class": "meta"},
            element("strong", None, f"As of {report.as_of.isoformat()}"),
            f" · {report.summary.documents} documents · profiles applied: {profiles or 'none'}",
        )
    )
    nav = element(
        "nav",
        None,
        [
            element("a", {"href": f"#{anchor}"}, text)
            for anchor, text in (
                ("summary", "Summary"),
                ("matrix", "Matrix"),
                ("expiring", "Expiring"),
                ("trend", "Trend"),
                ("findings", "Findings"),
                ("documents", "Documents"),
            )
        ],
    )
    return element("header", None, element("h1", None, title), lines, nav)
