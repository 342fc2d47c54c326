"""SARIF 2.1.0: valid against the OASIS JSON Schema; rules, levels, locations, fingerprints and
suppressions as code-scanning dashboards read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from etmf.formats import OutputFormat, render, sarif
from etmf.model import FindingStatus, Report, Severity
from tests.report_samples import CJK_NAME, NEWLINE_NAME, SCRIPT_NAME, scanned_report

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers)  # rfc3986-validator is installed
    return jsonschema.Draft4Validator(schema, format_checker=checker)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return scanned_report(tmp_path_factory)


@pytest.fixture(scope="module")
def log(report: Report, validator: jsonschema.Draft4Validator) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(render(report, OutputFormat.SARIF))
    validator.validate(payload)
    return payload


def test_validates_against_the_sarif_schema(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0"
    assert log["$schema"] == sarif.SCHEMA_URI
    assert len(log["runs"]) == 1


def test_the_schema_rejects_what_it_should(
    log: dict[str, Any], validator: jsonschema.Draft4Validator
) -> None:
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "critical"
    assert list(validator.iter_errors(broken))
    del broken["runs"][0]["results"][0]["message"]
    assert len(list(validator.iter_errors(broken))) == 2
    broken["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri"
    assert len(list(validator.iter_errors(broken))) == 3


def test_driver_rules_describe_each_rule(report: Report, log: dict[str, Any]) -> None:
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "etmf"
    assert driver["version"] == report.tool.version
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {f.rule for f in report.findings}
    info = {r.id: r for r in report.rules}
    for rule_id, descriptor in rules.items():
        assert descriptor["name"] == info[rule_id].title
        assert descriptor["shortDescription"]["text"] == info[rule_id].title
        assert descriptor["fullDescription"]["text"]
        assert descriptor["properties"]["check"] == info[rule_id].check
        assert descriptor["properties"]["citations"]
        urls = [c["url"] for c in descriptor["properties"]["citations"] if "url" in c]
        if urls:
            assert descriptor["helpUri"] == urls[0]
    assert rules["BASE-REQ-013"]["properties"]["check"] == "required"
    assert rules["BASE-REQ-013"]["properties"]["kind"] == ["missing"]
    assert rules["BASE-DOC-001"]["properties"]["kind"] == ["unreadable"]


def test_results_levels_messages_and_rule_index(report: Report, log: dict[str, Any]) -> None:
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == len(report.findings)
    levels = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}
    levels[Severity.INFO] = "note"
    for result, finding in zip(results, report.findings, strict=True):
        assert result["ruleId"] == finding.rule
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == levels[finding.severity]
        assert result["message"]["text"] == finding.message
        assert result["partialFingerprints"] == {sarif.FINGERPRINT: finding.id}
        assert result["properties"]["kind"] == finding.kind.value
    assert {r["level"] for r in results} == {"error", "warning"}


def test_locations_are_relative_to_the_scanned_folder(report: Report, log: dict[str, Any]) -> None:
    run = log["runs"][0]
    assert sarif.URI_BASE in run["originalUriBaseIds"]
    uris = []
    for result, finding in zip(run["results"], report.findings, strict=True):
        location = result["locations"][0]
        if finding.path is None:
            assert "physicalLocation" not in location
            logical = location["logicalLocations"][0]
            assert logical["fullyQualifiedName"].startswith("S-1")
            if finding.site:
                assert logical["name"] == finding.site
            continue
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == sarif.URI_BASE
        assert not artifact["uri"].startswith("/")
        assert unquote(artifact["uri"]) == finding.path
        uris.append(artifact["uri"])
    assert (
        "TW/TW-001%20NTUH/%E5%8F%B0%E5%A4%A7%E9%86%AB%E9%99%A2%20%E6%9C%83%E8%AD%B0%E7%B4%80%E9%8C%84.pdf"
        in uris
    )
    assert unquote(next(u for u in uris if "script" in u)) == SCRIPT_NAME
    assert "%0A" in next(u for u in uris if u.startswith("notes"))
    assert CJK_NAME in [unquote(u) for u in uris]
    assert NEWLINE_NAME in [unquote(u) for u in uris]


def test_waived_findings_are_suppressed_with_the_reason(
    report: Report, log: dict[str, Any]
) -> None:
    results = log["runs"][0]["results"]
    for result, finding in zip(results, report.findings, strict=True):
        if finding.status is FindingStatus.WAIVED:
            assert result["suppressions"] == [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": 'Trial-specific training is filed at trial level, "once"',
                    "properties": {"approved_by": "QA Lead", "until": "2027-01-31"},
                }
            ]
        else:
            assert "suppressions" not in result
    assert any("suppressions" in r for r in results)


def test_no_absolute_path_and_deterministic(report: Report, tmp_path: Path) -> None:
    text = render(report, OutputFormat.SARIF)
    assert text == render(report, OutputFormat.SARIF)
    assert str(tmp_path.parent.parent) not in text
    assert text.endswith("}\n")


def test_report_without_rule_metadata_still_validates(
    report: Report, validator: jsonschema.Draft4Validator
) -> None:
    """A JSON report saved before reports carried their rules."""
    bare = report.model_copy(update={"rules": ()})
    payload = json.loads(sarif.render(bare))
    validator.validate(payload)
    rules = payload["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {f.rule for f in report.findings}
