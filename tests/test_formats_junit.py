"""JUnit XML: valid against the Ant/Jenkins schema; one case per expected record and per
document, grouped by scope; failures carry the message, the rule and the citation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from etmf.formats import OutputFormat, junit, render
from etmf.model import ExpectationStatus, Finding, FindingStatus, Kind, Report, Severity
from tests.report_samples import CJK_NAME, NEWLINE_NAME, SCRIPT_NAME, scanned_report, with_finding

SCHEMA = Path(__file__).parent / "data" / "JUnit.xsd"


@pytest.fixture(scope="module")
def schema() -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return scanned_report(tmp_path_factory)


def parse(text: str, schema: Any) -> Any:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(root), schema.error_log
    return root


def cases(root: Any) -> dict[tuple[str, str], Any]:
    return {
        (suite.get("name"), case.get("name")): case
        for suite in root.iter("testsuite")
        for case in suite.iter("testcase")
    }


def test_validates_against_the_junit_schema(report: Report, schema: Any) -> None:
    parse(render(report, OutputFormat.JUNIT), schema)


def test_the_schema_rejects_what_it_should(schema: Any) -> None:
    """The schema is strict enough to catch a broken writer: a case without classname fails."""
    broken = etree.fromstring(
        b'<testsuites><testsuite name="x" timestamp="2026-01-01T00:00:00" hostname="h" '
        b'tests="1" failures="0" errors="0" time="0" package="p" id="0"><properties/>'
        b'<testcase name="a" time="0"/><system-out/><system-err/></testsuite></testsuites>'
    )
    assert not schema.validate(broken)


def test_suites_by_scope_trial_first(report: Report, schema: Any) -> None:
    root = parse(junit.render(report), schema)
    names = [suite.get("name") for suite in root.iter("testsuite")]
    assert names == ["S-1 trial", "S-1 country TW", "S-1 site TW-001", "S-1 site TW-002"]
    for position, suite in enumerate(root.iter("testsuite")):
        tests = suite.findall("testcase")
        assert suite.get("id") == str(position)
        assert suite.get("tests") == str(len(tests))
        assert suite.get("failures") == str(sum(1 for t in tests if t.find("failure") is not None))
        assert suite.get("skipped") == str(sum(1 for t in tests if t.find("skipped") is not None))
        assert suite.get("timestamp") == "2026-01-01T00:00:00"


def test_one_case_per_expected_record(report: Report, schema: Any) -> None:
    found = cases(parse(junit.render(report), schema))
    expected_cases = {
        key: case for key, case in found.items() if case.get("classname").endswith(".expected")
    }
    assert len(expected_cases) == len(report.expected)
    outcomes = {}
    for (suite, name), case in expected_cases.items():
        rule = name.split()[0]
        if case.find("failure") is not None:
            outcomes[(suite, rule)] = "failure"
        elif case.find("skipped") is not None:
            outcomes[(suite, rule)] = "skipped"
        else:
            outcomes[(suite, rule)] = "pass"
    want = {
        ExpectationStatus.PRESENT: "pass",
        ExpectationStatus.MISSING: "failure",
        ExpectationStatus.NOT_YET_DUE: "skipped",
        ExpectationStatus.WAIVED: "skipped",
    }
    for expectation in report.expected:
        scope = (
            f"site {expectation.site}"
            if expectation.site
            else f"country {expectation.country}"
            if expectation.country
            else "trial"
        )
        assert outcomes[(f"S-1 {scope}", expectation.rule)] == want[expectation.status]


def test_missing_record_fails_with_message_rule_and_citation(report: Report, schema: Any) -> None:
    found = cases(parse(junit.render(report), schema))
    finding = next(f for f in report.findings if f.rule == "BASE-REQ-013")
    case = found[
        ("S-1 site TW-001", "BASE-REQ-013 05.02.04 Principal Investigator Curriculum Vitae")
    ]
    failure = case.find("failure")
    assert failure.get("message") == finding.message
    assert failure.get("type") == "missing"
    assert f"rule: {finding.rule}" in failure.text
    assert finding.citation
    assert f"citation: {finding.citation[0].source}" in failure.text


def test_waived_and_not_yet_due_are_skipped_with_the_reason(report: Report, schema: Any) -> None:
    found = cases(parse(junit.render(report), schema))
    waived = found[("S-1 site TW-001", "BASE-REQ-018 05.03.03 Site Evidence of Training")]
    assert waived.find("skipped").get("message") == (
        'waived: Trial-specific training is filed at trial level, "once"'
    )
    later = found[("S-1 site TW-002", "BASE-REQ-018 05.03.03 Site Evidence of Training")]
    assert later.find("skipped").get("message") == "not yet due: milestone 03 not reached"


def test_document_checks(report: Report, schema: Any) -> None:
    found = cases(parse(junit.render(report), schema))
    documents = {
        name: case
        for (_, name), case in found.items()
        if case.get("classname").endswith(".documents")
    }
    assert set(documents) == {d.path for d in report.documents}
    assert documents["Protocol v1.pdf"].find("failure") is None
    assert documents["Protocol v1.pdf"].find("skipped") is None
    damaged = documents[CJK_NAME].find("failure")
    assert damaged.get("type") == "unreadable"
    assert damaged.get("message").startswith(f"{CJK_NAME} cannot be read")
    assert found[("S-1 site TW-001", CJK_NAME)] is documents[CJK_NAME]
    assert documents[SCRIPT_NAME].find("failure") is not None
    assert documents[NEWLINE_NAME].find("failure").get("type") == "unclassified"


def test_every_open_finding_is_a_failure(report: Report, schema: Any) -> None:
    extra = Finding(
        id="F-study",
        rule="BASE-REQ-001",
        kind=Kind.DUPLICATE,
        severity=Severity.INFO,
        message="a study-level note\x00 with a control character",
    )
    root = parse(junit.render(with_finding(report, extra)), schema)
    messages = " ".join((f.get("message") or "") + (f.text or "") for f in root.iter("failure"))
    for finding in report.findings:
        if finding.status is FindingStatus.OPEN:
            assert finding.message in messages, finding.message
    assert "a study-level note\ufffd with a control character" in messages


def test_several_findings_on_one_document_share_its_case(report: Report, schema: Any) -> None:
    log = "TW/TW-001 NTUH/Delegation log.docx"
    second = Finding(
        id="F-extra",
        rule="BASE-DOC-002",
        kind=Kind.DUPLICATE,
        severity=Severity.MINOR,
        level=None,
        site="TW-001",
        country="TW",
        path=log,
        message=f"{log}: filed twice",
    )
    waived = second.model_copy(update={"id": "F-w", "status": FindingStatus.WAIVED})
    root = parse(junit.render(with_finding(with_finding(report, second), waived)), schema)
    failure = cases(root)[("S-1 site TW-001", log)].find("failure")
    assert failure.get("message").startswith("2 findings: ")
    assert failure.get("type") == "unsigned,duplicate"
    assert f"{log}: filed twice" in failure.text


def test_empty_report_is_still_valid(report: Report, schema: Any) -> None:
    empty = report.model_copy(update={"findings": (), "expected": (), "documents": ()})
    root = parse(junit.render(empty), schema)
    assert [s.get("name") for s in root.iter("testsuite")] == ["S-1 trial"]


def test_a_recurring_rule_s_one_finding_judges_each_overdue_record(
    report: Report, schema: Any
) -> None:
    """KR-REC-002 (a DSUR each approval anniversary): three reports overdue are three expected
    records and one finding listing them; each record fails with that finding, none is made up."""
    from tests.builders import run, study
    from tests.rule_cases import load_cases

    [case] = [c for c in load_cases() if c.label.startswith("KR-REC-002: no DSUR")]
    evaluation = run(list(case.documents), study(case.study_text), as_of=date(2028, 4, 1))
    sample = report.model_copy(
        update={"documents": [], "findings": evaluation.findings, "expected": evaluation.expected}
    )
    dsur = [e.status for e in evaluation.expected if e.rule == "KR-REC-002"]
    assert dsur == [ExpectationStatus.MISSING] * 3 + [ExpectationStatus.NOT_YET_DUE]
    [finding] = [f for f in evaluation.findings if f.rule == "KR-REC-002"]
    failed = [
        case
        for (suite, name), case in cases(parse(junit.render(sample), schema)).items()
        if name.startswith("KR-REC-002 ") and case.find("skipped") is None
    ]
    assert len(failed) == 3
    for element in failed:
        failure = element.find("failure")
        assert failure is not None
        assert (failure.get("type"), failure.get("message")) == ("overdue", finding.message)
        assert "citation: " in failure.text
    assert not [name for _, name in cases(parse(junit.render(sample), schema)) if "overdue" in name]
