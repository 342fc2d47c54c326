"""JUnit XML, for the CI servers that already chart test results (Jenkins, GitLab, Azure).

The Apache Ant schema that Jenkins reads (tests/data/JUnit.xsd validates it in the tests):
``<testsuites>`` holding one ``<testsuite>`` per scope, the trial first, then each country and
each site. Each suite holds one test case per expected record (present passes, missing fails,
not yet due is skipped, waived is skipped with the reason) and one per document (it fails with
every open finding about that document, and passes when there is none). A finding that is
neither about a document nor an expected record (a study-level check) gets its own test case,
so every open finding is a failure somewhere. Failures carry the message, the rule and its
citation. ``timestamp`` is the report's ``as_of`` so that the output stays deterministic.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from etmf.model import (
    Expectation,
    ExpectationStatus,
    Finding,
    FindingStatus,
    Kind,
    Level,
    Report,
)

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EXPECTATION_KINDS = (Kind.MISSING, Kind.OVERDUE)
_JUDGED_BY_FINDINGS = (ExpectationStatus.MISSING, ExpectationStatus.WAIVED)


def xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: they become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


@dataclass
class _Case:
    name: str
    classname: str
    failure: tuple[str, str, str] | None = None  # message, type, text
    skipped: str | None = None


@dataclass
class _Suite:
    name: str
    cases: list[_Case] = field(default_factory=list)


Scope = tuple[int, str, str]


def _scope(level: Level | None, country: str | None, site: str | None) -> Scope:
    if site:
        return (2, country or "", site)
    if country and level is not Level.TRIAL:
        return (1, country, "")
    return (0, "", "")


def _scope_name(scope: Scope) -> str:
    rank, country, site = scope
    return ("trial", f"country {country}", f"site {site}")[rank]


def _scope_class(study: str, scope: Scope) -> str:
    """``ABC-101.trial``, ``ABC-101.KR``, ``ABC-101.KR.KR-001``: CI servers show the dotted
    prefix as a package tree, so sites sit under their country."""
    rank, country, site = scope
    parts = (study, "trial") if rank == 0 else (study, country, site)
    return ".".join(part for part in parts if part)


def _details(findings: Iterable[Finding]) -> str:
    blocks = []
    for finding in findings:
        lines = [f"{finding.severity.value.upper()} {finding.kind.value}: {finding.message}"]
        lines.append(f"rule: {finding.rule}" + (f" ({finding.profile})" if finding.profile else ""))
        for citation in finding.citation:
            url = f" <{citation.url}>" if citation.url else ""
            lines.append(f"citation: {citation.source}{url} [{citation.quality.value}]")
        for item in finding.evidence:
            where = item.source.value + (f" p.{item.page}" if item.page else "")
            detail = f" ({item.detail})" if item.detail else ""
            lines.append(f"read: [{where}] {item.text}{detail}")
        if finding.waiver:
            lines.append(f"waived: {finding.waiver.reason}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _failure(findings: Sequence[Finding]) -> tuple[str, str, str]:
    first = findings[0]
    message = (
        first.message if len(findings) == 1 else (f"{len(findings)} findings: {first.message}")
    )
    kinds = ",".join(dict.fromkeys(f.kind.value for f in findings))
    return message, kinds, _details(findings)


def _judge(case: _Case, findings: Sequence[Finding]) -> _Case:
    open_findings = [f for f in findings if f.status is FindingStatus.OPEN]
    if open_findings:
        waived = [f for f in findings if f.status is FindingStatus.WAIVED]
        message, kinds, text = _failure(open_findings)
        if waived:
            text += "\n\n" + _details(waived)
        case.failure = (message, kinds, text)
    elif findings:
        reasons = "; ".join(dict.fromkeys(f.waiver.reason for f in findings if f.waiver))
        case.skipped = f"waived: {reasons}"
    return case


def _expectation_name(expectation: Expectation) -> str:
    name = f"{expectation.rule} {expectation.artifact} {expectation.artifact_name}"
    if expectation.subartifact:
        name += f" / {expectation.subartifact}"
    if expectation.milestone is None and expectation.due is not None:
        name += f" due {expectation.due.isoformat()}"
    return name


def _expectation_case(
    expectation: Expectation, classname: str, matches: list[Finding], *, shared: bool
) -> _Case:
    """``matches``: the findings of the record's rule at its scope and artifact, handed out
    one to each record, or, ``shared``, all to every record (one finding of a recurring rule
    lists every report overdue)."""
    case = _Case(name=_expectation_name(expectation), classname=classname)
    status = expectation.status
    if status is ExpectationStatus.MISSING:
        if matches:
            return _judge(case, matches if shared else [matches.pop(0)])
        where = _scope_name(_scope(expectation.level, expectation.country, expectation.site))
        message = f"{expectation.artifact} {expectation.artifact_name} is missing at {where}"
        case.failure = (message, Kind.MISSING.value, f"{message}\nrule: {expectation.rule}")
    elif status is ExpectationStatus.NOT_YET_DUE:
        reached = f"milestone {expectation.milestone} not reached" if expectation.milestone else ""
        why = reached or expectation.note
        case.skipped = f"not yet due: {why}" if why else "not yet due"
    elif status is ExpectationStatus.WAIVED:
        if matches:
            return _judge(case, matches if shared else [matches.pop(0)])
        case.skipped = f"waived: {expectation.note}" if expectation.note else "waived"
    return case


def _suites(report: Report) -> list[_Suite]:
    study = report.study.id if report.study else "etmf"
    suites: dict[Scope, _Suite] = {}

    def suite(scope: Scope) -> _Suite:
        if scope not in suites:
            suites[scope] = _Suite(name=f"{study} {_scope_name(scope)}")
        return suites[scope]

    by_path: dict[str, list[Finding]] = defaultdict(list)
    by_expectation: dict[tuple[str, str | None, str | None, str | None], list[Finding]] = (
        defaultdict(list)
    )
    loose: list[Finding] = []
    paths = {d.path for d in report.documents}
    for finding in report.findings:
        if finding.path in paths:
            by_path[finding.path or ""].append(finding)
        elif finding.path is None and finding.kind in _EXPECTATION_KINDS:
            key = (finding.rule, finding.country, finding.site, finding.artifact)
            by_expectation[key].append(finding)
        else:
            loose.append(finding)

    def key_of(e: Expectation) -> tuple[str, str | None, str | None, str | None]:
        return (e.rule, e.country, e.site, e.artifact)

    judged = Counter(key_of(e) for e in report.expected if e.status in _JUDGED_BY_FINDINGS)
    shared = {key for key, findings in by_expectation.items() if len(findings) < judged[key]}
    for expectation in report.expected:
        scope = _scope(expectation.level, expectation.country, expectation.site)
        key = key_of(expectation)
        classname = f"{_scope_class(study, scope)}.expected"
        matches = by_expectation.get(key, [])
        suite(scope).cases.append(
            _expectation_case(expectation, classname, matches, shared=key in shared)
        )
    for key, findings in by_expectation.items():
        if key not in shared:
            loose.extend(findings)  # more findings than expected records: still reported

    for document in report.documents:
        scope = _scope(document.level, document.country, document.site)
        case = _Case(name=document.path, classname=f"{_scope_class(study, scope)}.documents")
        suite(scope).cases.append(_judge(case, by_path.get(document.path, [])))
    for finding in sorted(loose, key=lambda f: f.id):
        scope = _scope(finding.level, finding.country, finding.site)
        name = f"{finding.rule} {finding.kind.value}" + (f" {finding.path}" if finding.path else "")
        case = _Case(name=name, classname=f"{_scope_class(study, scope)}.checks")
        suite(scope).cases.append(_judge(case, [finding]))
    if not suites:
        suite((0, "", ""))
    return [suites[scope] for scope in sorted(suites)]


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})


def render(report: Report) -> str:
    root = ET.Element("testsuites")
    timestamp = f"{report.as_of.isoformat()}T00:00:00"
    profiles = ", ".join(p.id for p in report.profiles)
    for position, suite in enumerate(_suites(report)):
        failures = sum(1 for case in suite.cases if case.failure)
        skipped = sum(1 for case in suite.cases if case.skipped is not None)
        element = _element(
            root,
            "testsuite",
            name=suite.name,
            timestamp=timestamp,
            hostname="localhost",
            tests=str(len(suite.cases)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
            time="0",
            package=f"etmf.{report.study.id}" if report.study else "etmf",
            id=str(position),
        )
        properties = _element(element, "properties")
        _element(properties, "property", name="as_of", value=report.as_of.isoformat())
        _element(properties, "property", name="profiles", value=profiles)
        _element(properties, "property", name="tool", value=f"etmf {report.tool.version}")
        for case in suite.cases:
            testcase = _element(element, "testcase", name=case.name, classname=case.classname)
            testcase.set("time", "0")
            if case.failure is not None:
                message, kinds, text = case.failure
                failure = _element(testcase, "failure", message=message, type=kinds)
                failure.text = xml_text(text)
            elif case.skipped is not None:
                _element(testcase, "skipped", message=case.skipped)
        _element(element, "system-out")
        _element(element, "system-err")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
