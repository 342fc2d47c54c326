"""SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps, SonarQube).

One run. ``tool.driver.rules`` describes each rule that raised a finding (title, rationale,
first citation URL as ``helpUri``, its check kind and every citation as properties); each
finding is a result with its rule, a level (critical and major are ``error``, minor
``warning``, info ``note``), the message, the document's path relative to the scanned folder
under the ``TMFROOT`` base (findings about a missing record name their scope as a logical
location instead), the finding id as partial fingerprint, and for a waived finding an external,
accepted suppression whose justification is the waiver's reason. Absolute paths never appear,
so the same folder scanned from anywhere, or the saved JSON report rendered again, gives the
same bytes. The tests validate the output against the OASIS schema.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from etmf.model import Citation, Finding, FindingStatus, Report, RuleInfo, Severity

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
URI_BASE = "TMFROOT"
FINGERPRINT = "etmfFindingId/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.INFO: "note",
}


def _citations(items: tuple[Citation, ...]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in items]


def _rule(info: RuleInfo, findings: list[Finding]) -> dict[str, Any]:
    citations = info.citations or findings[0].citation
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.title,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": (info.rationale or info.title).strip()},
    }
    url = next((c.url for c in citations if c.url), None)
    if url:
        descriptor["helpUri"] = url
    if citations:
        descriptor["help"] = {"text": "\n".join(_citation_line(c) for c in citations)}
    descriptor["defaultConfiguration"] = {"level": LEVELS[info.severity]}
    descriptor["properties"] = {
        "check": info.check,
        "kind": sorted({f.kind.value for f in findings}),
        "severity": info.severity.value,
        "profile": info.profile,
        "citations": _citations(citations),
    }
    return descriptor


def _fallback_rule(rule_id: str, findings: list[Finding]) -> RuleInfo:
    """A report saved before rules were recorded: describe the rule from its findings."""
    first = findings[0]
    return RuleInfo(
        id=rule_id,
        check="unknown",
        title=f"{rule_id}: {first.kind.value}",
        severity=first.severity,
        citations=first.citation,
        profile=first.profile or "",
    )


def _citation_line(citation: Citation) -> str:
    url = f" {citation.url}" if citation.url else ""
    note = f" ({citation.note})" if citation.note else ""
    return f"{citation.source}{url} [{citation.quality.value}]{note}"


def _scope(finding: Finding, report: Report) -> str:
    study = report.study.id if report.study else "study"
    parts = [study, finding.country or "", finding.site or ""]
    return "/".join(part for part in parts if part)


def _location(finding: Finding, report: Report) -> dict[str, Any]:
    if finding.path is not None:
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": URI_BASE}
            }
        }
    where = _scope(finding, report)
    return {
        "logicalLocations": [
            {
                "name": finding.site or finding.country or where,
                "fullyQualifiedName": where,
                "kind": (finding.level.value if finding.level else "study"),
            }
        ],
        "message": {"text": f"{finding.artifact or 'record'} expected at {where}"},
    }


def _result(finding: Finding, index: int, report: Report) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding, report)],
        "partialFingerprints": {FINGERPRINT: finding.id},
    }
    if finding.status is FindingStatus.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": waiver.reason,
        }
        extra = {
            "approved_by": waiver.approved_by,
            "until": waiver.until.isoformat() if waiver.until else None,
        }
        if any(extra.values()):
            suppression["properties"] = {k: v for k, v in extra.items() if v is not None}
        result["suppressions"] = [suppression]
    result["properties"] = {
        "kind": finding.kind.value,
        "severity": finding.severity.value,
        "status": finding.status.value,
        **{
            key: value
            for key, value in (
                ("artifact", finding.artifact),
                ("level", finding.level.value if finding.level else None),
                ("country", finding.country),
                ("site", finding.site),
                ("profile", finding.profile),
            )
            if value is not None
        },
        "evidence": [item.model_dump(mode="json", exclude_none=True) for item in finding.evidence],
    }
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    known = {info.id: info for info in report.rules}
    rule_ids = sorted(by_rule)
    rules = [
        _rule(known.get(rule_id) or _fallback_rule(rule_id, by_rule[rule_id]), by_rule[rule_id])
        for rule_id in rule_ids
    ]
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    properties: dict[str, Any] = {
        "as_of": report.as_of.isoformat(),
        "profiles": [p.id for p in report.profiles],
        "summary": report.summary.model_dump(mode="json"),
    }
    if report.study is not None:
        properties["study"] = report.study.model_dump(mode="json", exclude_none=True)
    run = {
        "tool": {
            "driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            URI_BASE: {"description": {"text": "The scanned TMF folder"}},
        },
        "results": [_result(f, index[f.rule], report) for f in report.findings],
        "columnKind": "unicodeCodePoints",
        "properties": properties,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
