"""Every expected document of the base profile and of the TW, KR and AU profiles:
present, missing and not yet due, evaluated in memory."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from etmf.model import ExpectationStatus, FindingStatus, Kind, Level, SourceQuality
from tests.builders import catalog, document, run, study


@dataclass(frozen=True)
class Row:
    rule: str
    country: str
    artifact: str
    level: Level
    milestone: str
    subartifact: str | None = None


# The table of the issue "etmf scan, end to end", item 7, as the profiles must encode it.
TABLE = [
    Row("BASE-REQ-001", "TW", "02.01.01", Level.TRIAL, "01"),
    Row("BASE-REQ-002", "TW", "02.01.02", Level.TRIAL, "01"),
    Row("BASE-REQ-003", "TW", "02.01.07", Level.TRIAL, "02"),
    Row("BASE-REQ-004", "TW", "02.02.03", Level.TRIAL, "01"),
    Row("BASE-REQ-005", "TW", "08.01.01", Level.TRIAL, "02"),
    Row("BASE-REQ-006", "TW", "08.01.04", Level.TRIAL, "02"),
    Row("BASE-REQ-007", "TW", "02.02.03", Level.COUNTRY, "03"),
    Row("BASE-REQ-008", "TW", "03.01.02", Level.COUNTRY, "01"),
    Row("BASE-REQ-008", "KR", "03.01.02", Level.COUNTRY, "01"),
    Row("BASE-REQ-008", "AU", "03.01.02", Level.COUNTRY, "01"),
    Row("BASE-REQ-009", "TW", "02.02.03", Level.SITE, "03"),
    Row("BASE-REQ-010", "TW", "04.01.02", Level.SITE, "03"),
    Row("BASE-REQ-011", "TW", "04.01.03", Level.SITE, "03"),
    Row("BASE-REQ-012", "TW", "05.02.02", Level.SITE, "03"),
    Row("BASE-REQ-013", "TW", "05.02.04", Level.SITE, "03"),
    Row("BASE-REQ-014", "TW", "05.02.07", Level.SITE, "03", "ICH-GCP Evidence of Training"),
    Row("BASE-REQ-015", "TW", "05.02.12", Level.SITE, "03"),
    Row("BASE-REQ-016", "TW", "05.02.18", Level.SITE, "03"),
    Row("BASE-REQ-017", "TW", "05.03.01", Level.SITE, "03"),
    Row("BASE-REQ-018", "TW", "05.03.03", Level.SITE, "03"),
    Row("TW-REQ-001", "TW", "03.02.02", Level.COUNTRY, "03"),
    Row("TW-REQ-002", "TW", "03.01.04", Level.COUNTRY, "01"),
    Row("KR-REQ-001", "KR", "03.02.02", Level.COUNTRY, "03"),
    Row("KR-REQ-002", "KR", "03.01.04", Level.COUNTRY, "01"),
    Row("AU-REQ-001", "AU", "03.01.04", Level.COUNTRY, "01"),
    Row("AU-REQ-002", "AU", "02.01.06", Level.COUNTRY, "03", "Insurance Certificate"),
    Row("AU-REQ-003", "AU", "04.02.02", Level.SITE, "03"),
    Row("AU-REQ-004", "AU", "05.02.13", Level.SITE, "03"),
]

SITE = "S-001"


def _study(country: str, reached: bool) -> str:
    when = "2025-01-10" if reached else "2027-06-01"
    milestones = f'{{"01": {when}, "02": {when}, "03": {when}}}'
    return f"""
study:
  id: T-1
  milestones: {milestones}
countries:
  - code: {country}
    milestones: {milestones}
sites:
  - id: {SITE}
    country: {country}
    milestones: {milestones}
"""


def _scope(row: Row) -> dict[str, str | None]:
    if row.level is Level.TRIAL:
        return {"country": None, "site": None}
    if row.level is Level.COUNTRY:
        return {"country": row.country, "site": None}
    return {"country": row.country, "site": SITE}


def _label(row: Row) -> str:
    return f"{row.rule}-{row.country}-{row.level.value}"


@pytest.mark.parametrize("row", TABLE, ids=_label)
def test_profile_encodes_the_row(row: Row) -> None:
    rule = catalog().resolve(row.country).rule(row.rule)
    assert rule is not None
    assert rule.check == "required"
    assert rule.enabled
    assert rule.params["artifact"] == row.artifact
    assert rule.params["level"] == row.level.value
    assert rule.params["milestone"] == row.milestone
    assert rule.params.get("subartifact") == row.subartifact
    assert rule.citations, "every requirement carries a citation"


@pytest.mark.parametrize("row", TABLE, ids=_label)
@pytest.mark.parametrize(
    ("reached", "present", "expected"),
    [
        (True, True, ExpectationStatus.PRESENT),
        (True, False, ExpectationStatus.MISSING),
        (False, False, ExpectationStatus.NOT_YET_DUE),
    ],
    ids=["present", "missing", "not-yet-due"],
)
def test_requirement(row: Row, reached: bool, present: bool, expected: ExpectationStatus) -> None:
    documents = []
    if present:
        documents.append(
            document(
                "doc.pdf", row.artifact, level=row.level, subartifact=row.subartifact, **_scope(row)
            )
        )
    evaluation = run(documents, study(_study(row.country, reached)))
    scope = _scope(row)
    matches = [
        e
        for e in evaluation.expected
        if e.rule == row.rule
        and e.level is row.level
        and e.country == scope["country"]
        and e.site == scope["site"]
    ]
    assert len(matches) == 1
    assert matches[0].status is expected
    missing = [f for f in evaluation.findings if f.rule == row.rule and f.kind is Kind.MISSING]
    if expected is ExpectationStatus.MISSING:
        assert len(missing) == 1
        finding = missing[0]
        assert finding.artifact == row.artifact
        assert (finding.level, finding.country, finding.site) == (
            row.level,
            scope["country"],
            scope["site"],
        )
        assert finding.citation
        assert "2025-01-10" in finding.message
    else:
        assert missing == []


def test_a_document_at_another_site_does_not_satisfy() -> None:
    text = _study("TW", True) + "  - id: S-002\n    country: TW\n    milestones: {}\n"
    documents = [document("cv.pdf", "05.02.04", level=Level.SITE, country="TW", site="S-002")]
    evaluation = run(documents, study(text))
    statuses = {(e.site, e.status) for e in evaluation.expected if e.rule == "BASE-REQ-013"}
    assert statuses == {(SITE, ExpectationStatus.MISSING), ("S-002", ExpectationStatus.PRESENT)}


def test_another_subartifact_does_not_satisfy() -> None:
    licence = document(
        "licence.pdf",
        "05.02.07",
        level=Level.SITE,
        country="TW",
        site=SITE,
        subartifact="Medical License",
    )
    evaluation = run([licence], study(_study("TW", True)))
    (gcp,) = [e for e in evaluation.expected if e.rule == "BASE-REQ-014"]
    assert gcp.status is ExpectationStatus.MISSING


def test_a_site_with_no_milestones_expects_nothing() -> None:
    text = _study("TW", True).replace(
        f"  - id: {SITE}\n    country: TW\n    milestones: "
        + '{"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}',
        f"  - id: {SITE}\n    country: TW\n    milestones: {{}}",
    )
    evaluation = run([], study(text))
    site_items = [e for e in evaluation.expected if e.site == SITE]
    assert site_items
    assert {e.status for e in site_items} == {ExpectationStatus.NOT_YET_DUE}
    assert not [f for f in evaluation.findings if f.site == SITE]


def test_without_a_study_nothing_is_missing() -> None:
    documents = [document("TW/cv.pdf", "05.02.04", level=Level.COUNTRY, country="TW")]
    evaluation = run(documents, None)
    assert evaluation.expected == ()
    assert not [f for f in evaluation.findings if f.kind is Kind.MISSING]
    # but documents are still checked on their own: a site-only artifact at country level
    # and, read from the document itself, that the CV carries no signature
    assert sorted(f.kind for f in evaluation.findings) == [Kind.MISFILED, Kind.UNSIGNED]


STUDY_ADDS_AND_WAIVES = """
study:
  id: T-1
  milestones: {"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}
countries:
  - code: TW
    milestones: {"01": 2025-01-10, "03": 2025-01-10}
sites:
  - id: S-001
    country: TW
    milestones: {"03": 2025-01-10}
rules:
  add:
    - id: ABC-REQ-001
      check: required
      title: Pharmacy agreement at each site
      severity: minor
      params: {artifact: "05.02.14", subartifact: Pharmacy Agreement, level: site, milestone: "03"}
      reason: Our SOP CT-012 requires the pharmacy agreement in the ISF
  waive:
    - rule: BASE-REQ-011
      scope: {site: S-001}
      reason: Central IRB; composition filed once at country level
      approved_by: QA lead
      until: 2027-01-31
    - rule: BASE-REQ-017
      scope: {site: S-001}
      reason: Remote initiation, report pending
      until: 2026-06-30
"""


def test_study_adds_a_requirement_with_its_reason() -> None:
    evaluation = run([], study(STUDY_ADDS_AND_WAIVES))
    (added,) = [f for f in evaluation.findings if f.rule == "ABC-REQ-001"]
    assert added.kind is Kind.MISSING
    assert added.site == "S-001"
    (citation,) = added.citation
    assert citation.quality is SourceQuality.SPONSOR
    assert citation.note == "Our SOP CT-012 requires the pharmacy agreement in the ISF"


def test_waiver_applies_until_its_date_and_then_says_it_lapsed() -> None:
    evaluation = run([], study(STUDY_ADDS_AND_WAIVES))
    (composition,) = [f for f in evaluation.findings if f.rule == "BASE-REQ-011"]
    assert composition.status is FindingStatus.WAIVED
    assert composition.waiver is not None
    assert composition.waiver.reason == "Central IRB; composition filed once at country level"
    assert composition.waiver.approved_by == "QA lead"
    (expectation,) = [e for e in evaluation.expected if e.rule == "BASE-REQ-011"]
    assert expectation.status is ExpectationStatus.WAIVED
    (initiation,) = [f for f in evaluation.findings if f.rule == "BASE-REQ-017"]
    assert initiation.status is FindingStatus.OPEN
    assert any("waiver expired on 2026-06-30" in e.text for e in initiation.evidence)
    assert evaluation.summary.waived_findings == 1
