"""AU annual HREC progress report: due 12 months after the site's ethics approval and every
12 months after (issue "etmf scan, end to end", item 7)."""

from __future__ import annotations

from datetime import date

import pytest

from etmf.model import DateFact, DateRole, Document, Kind, Level
from tests.builders import catalog, document, run, study

SITE = "AU-001"
STUDY = f"""
study:
  id: T-1
  milestones: {{"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}}
countries:
  - code: AU
    milestones: {{"01": 2025-01-10, "03": 2025-01-10}}
sites:
  - id: {SITE}
    country: AU
    milestones: {{"03": 2025-03-15}}
"""


def _dated(path: str, artifact: str, when: date | None) -> Document:
    base = document(path, artifact, level=Level.SITE, country="AU", site=SITE)
    if when is None:
        return base
    fact = DateFact(value=when, role=DateRole.APPROVAL, text=f"Date: {when.isoformat()}")
    return base.model_copy(update={"identifying_date": fact})


APPROVAL = _dated("AU/AU-001/HREC approval.pdf", "04.01.02", date(2025, 3, 5))


def _reports(as_of: date, *reports: Document) -> tuple[list[tuple[date | None, str]], list[str]]:
    evaluation = run([APPROVAL, *reports], study(STUDY), as_of=as_of)
    expected = [(e.due, e.status.value) for e in evaluation.expected if e.rule == "AU-REC-001"]
    overdue = [f.message for f in evaluation.findings if f.rule == "AU-REC-001"]
    for finding in evaluation.findings:
        if finding.rule == "AU-REC-001":
            assert finding.kind is Kind.OVERDUE
            assert finding.site == SITE
            assert (
                finding.evidence[0].detail
                == f"{APPROVAL.path}: the date the reports are counted from"
            )
    return expected, overdue


def test_the_profile_encodes_the_annual_report() -> None:
    rule = catalog().resolve("AU").rule("AU-REC-001")
    assert rule is not None
    assert rule.check == "recurring"
    assert rule.params["artifact"] == "04.03.02"
    assert rule.params["anchor_artifact"] == "04.01.02"
    assert rule.params["every_months"] == 12
    assert rule.citations


def test_not_yet_due_in_the_first_year() -> None:
    expected, overdue = _reports(date(2026, 3, 1))
    assert expected == [(date(2026, 3, 5), "not_yet_due")]
    assert overdue == []


def test_overdue_after_the_anniversary_and_its_grace() -> None:
    assert _reports(date(2026, 3, 19))[1] == []  # within the 14 days' grace
    expected, overdue = _reports(date(2026, 11, 1))
    assert expected == [(date(2026, 3, 5), "missing"), (date(2027, 3, 5), "not_yet_due")]
    assert overdue == [
        "04.03.02 the annual progress report to the HREC is overdue at site AU-001: "
        "the report due 2026-03-05 is not filed"
    ]


def test_a_report_for_each_year_meets_each_due_date() -> None:
    first = _dated("AU/AU-001/progress 2026.pdf", "04.03.02", date(2026, 2, 20))
    second = _dated("AU/AU-001/progress 2027.pdf", "04.03.02", date(2027, 3, 10))
    expected, overdue = _reports(date(2027, 11, 1), first, second)
    assert expected == [
        (date(2026, 3, 5), "present"),
        (date(2027, 3, 5), "present"),
        (date(2028, 3, 5), "not_yet_due"),
    ]
    assert overdue == []


def test_one_report_does_not_cover_two_years() -> None:
    first = _dated("AU/AU-001/progress 2026.pdf", "04.03.02", date(2026, 2, 20))
    expected, overdue = _reports(date(2028, 4, 1), first)
    assert [status for _, status in expected] == ["present", "missing", "missing", "not_yet_due"]
    assert overdue == [
        "04.03.02 the annual progress report to the HREC is overdue at site AU-001: "
        "2 reports due 2027-03-05, 2028-03-05 are not filed"
    ]


def test_an_undated_report_meets_the_earliest_open_due_date() -> None:
    undated = _dated("AU/AU-001/progress.pdf", "04.03.02", None)
    expected, overdue = _reports(date(2026, 11, 1), undated)
    assert expected[0] == (date(2026, 3, 5), "present")
    assert overdue == []


@pytest.mark.parametrize("country", ["TW", "KR"])
def test_other_countries_do_not_have_it(country: str) -> None:
    assert catalog().resolve(country).rule("AU-REC-001") is None


def test_without_an_approval_nothing_is_due() -> None:
    evaluation = run([], study(STUDY), as_of=date(2027, 1, 1))
    assert not [e for e in evaluation.expected if e.rule == "AU-REC-001"]
