"""Every rule of every profile, on its cases (tests/rule_cases/*.yaml), and the catalogue:
unique ids, citations on every rule, every check kind used, a passing and a failing case for
every enabled rule."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from etmf.checks import CHECKS
from etmf.model import Finding
from tests.builders import catalog, run, study
from tests.rule_cases import Case, load_cases

CASES = load_cases()


def _findings(case: Case) -> list[Finding]:
    evaluation = run(list(case.documents), study(case.study_text), as_of=case.as_of)
    return [f for f in evaluation.findings if f.rule == case.rule and f.status.value == "open"]


def _matches(finding: Finding, expected: dict[str, object]) -> bool:
    actual = {
        "kind": finding.kind.value,
        "at": finding.level.value if finding.level else None,
        "path": finding.path,
    }
    return all(actual[key] == value for key, value in expected.items())


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_rule_case(case: Case) -> None:
    # a member of a region (EU: NL) without a profile of its own takes the region's
    profile = catalog().for_country(case.country) or catalog().resolve(case.country)
    assert profile.rule(case.rule) is not None, f"{case.source}: {case.rule} not in {profile.id}"
    found = _findings(case)
    assert len(found) == len(case.expect), (case.source, [f.message for f in found])
    for expected in case.expect:
        assert any(_matches(f, expected) for f in found), (case.source, expected, found)


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    outcomes: dict[str, set[bool]] = defaultdict(set)
    for case in CASES:
        outcomes[case.rule].add(bool(case.expect))
    missing = set()
    for profile in catalog().resolve_all():
        for rule in profile.enabled_rules:
            wanted = {False} if rule.check == "retention" else {True, False}  # never a finding
            if outcomes[rule.id] != wanted:
                have = sorted("failing" if o else "passing" for o in outcomes[rule.id])
                missing.add(f"{rule.id} (has: {', '.join(have) or 'none'})")
    assert not missing, "rules without a passing and a failing case:\n" + "\n".join(sorted(missing))


def test_rule_ids_are_unique_and_every_rule_is_cited() -> None:
    for profile in catalog().resolve_all():
        ids = [rule.id for rule in profile.rules]
        assert len(ids) == len(set(ids)), profile.id
        for rule in profile.rules:
            assert rule.citations, f"{profile.id}/{rule.id} has no citation"
            for citation in rule.citations:
                assert citation.source.strip()
    # one id means one rule: the same id in two profiles is the same rule, layered
    origins: dict[str, set[str]] = defaultdict(set)
    for profile in catalog().resolve_all():
        for rule in profile.rules:
            origins[rule.id].add(rule.origin)
    assert {rule: o for rule, o in origins.items() if len(o) > 1} == {}


def test_every_check_kind_is_used() -> None:
    used = {rule.check for p in catalog().resolve_all() for rule in p.enabled_rules}
    assert set(CHECKS.names) - used == set()


def test_a_period_in_a_title_is_the_one_its_params_set() -> None:
    # a layer or etmf.yaml that changes a period leaves the title behind: Korea's 12 months of
    # BASE-EXP-002 were titled "36 months"; base titles now name no period at all
    period = re.compile(r"\b(\d+)\s*(day|week|month|year)s?\b", re.IGNORECASE)
    in_months = {"month": 1, "year": 12}
    stale = []
    for profile in catalog().resolve_all():
        for rule in profile.rules:
            months = {int(rule.params[k]) for k in ("months", "every_months") if k in rule.params}
            months |= {12 * int(rule.params["years"])} if "years" in rule.params else set()
            days = {int(rule.params[k]) for k in ("days", "grace_days") if k in rule.params}
            for number, unit in period.findall(rule.title):
                unit = unit.lower()
                ok = (
                    int(number) * in_months[unit] in months
                    if unit in in_months
                    else int(number) * (7 if unit == "week" else 1) in days
                )
                if not ok:
                    stale.append(f"{profile.id}/{rule.id}: {rule.title} {rule.params}")
    assert stale == []
