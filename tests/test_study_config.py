"""The study configuration (etmf.yaml): what parses, and how each mistake is reported."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etmf.errors import ConfigError
from etmf.model import Level
from etmf.study import Study, load_study, parse_study

KNOWN = frozenset({"TW", "KR", "AU"})
SOURCE = "etmf.yaml"

EXAMPLE = """\
study:
  id: ABC-101
  sponsor: Example Pharma
  title: "A Phase 3 Study of ..."
  as_of: 2026-11-01
  milestones: {"01": 2025-01-05, "02": 2025-02-01, "03": 2025-03-01}
countries:
  - code: TW
    milestones: {"01": 2025-01-20, "03": 2025-03-01}
sites:
  - id: TW-001
    country: TW
    name: "National Taiwan University Hospital"
    pi: "Chen Wei-Lin"
    milestones: {"03": 2025-03-01}
"""


def parse(text: str) -> Study:
    return parse_study(text, known_countries=KNOWN, source=SOURCE)


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return str(caught.value)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the one line of ``text`` that contains ``needle``."""
    numbers = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(numbers) == 1, f"{needle!r} must be on exactly one line"
    return numbers[0]


# ---- what parses -------------------------------------------------------------------------------


def test_example_parses() -> None:
    study = parse(EXAMPLE)
    assert study.id == "ABC-101"
    assert study.sponsor == "Example Pharma"
    assert study.title == "A Phase 3 Study of ..."
    assert study.as_of == date(2026, 11, 1)
    assert type(study.as_of) is date
    assert study.source == SOURCE
    assert dict(study.milestones) == {
        "01": date(2025, 1, 5),
        "02": date(2025, 2, 1),
        "03": date(2025, 3, 1),
    }
    assert [c.code for c in study.countries] == ["TW"]
    assert dict(study.countries[0].milestones) == {"01": date(2025, 1, 20), "03": date(2025, 3, 1)}
    (site,) = study.sites
    assert (site.id, site.country, site.name, site.pi) == (
        "TW-001",
        "TW",
        "National Taiwan University Hospital",
        "Chen Wei-Lin",
    )
    assert dict(site.milestones) == {"03": date(2025, 3, 1)}
    assert study.site("TW-001") is site
    assert study.country("TW") is study.countries[0]
    assert study.site("TW-002") is None
    assert study.country("KR") is None


def test_milestone_reached_at_each_level() -> None:
    study = parse(EXAMPLE)
    reached = study.milestone_reached
    assert reached(Level.TRIAL, "01", country=None, site=None) == date(2025, 1, 5)
    assert reached(Level.TRIAL, "04", country=None, site=None) is None
    assert reached(Level.COUNTRY, "01", country="TW", site=None) == date(2025, 1, 20)
    assert reached(Level.COUNTRY, "02", country="TW", site=None) is None
    assert reached(Level.COUNTRY, "01", country="KR", site=None) is None
    assert reached(Level.SITE, "03", country="TW", site="TW-001") == date(2025, 3, 1)
    assert reached(Level.SITE, "01", country="TW", site="TW-001") is None
    assert reached(Level.SITE, "03", country="TW", site="TW-999") is None


def test_site_with_empty_milestones_has_reached_none() -> None:
    text = edit(EXAMPLE, 'milestones: {"03": 2025-03-01}', "milestones: {}")
    study = parse(text)
    assert dict(study.sites[0].milestones) == {}
    for number in (f"{n:02d}" for n in range(1, 13)):
        assert study.milestone_reached(Level.SITE, number, country="TW", site="TW-001") is None


def test_unquoted_milestone_keys_are_read_as_numbers() -> None:
    text = edit(EXAMPLE, '{"03": 2025-03-01}\n', "\n      03: 2025-03-01\n      1: 2025-02-01\n")
    study = parse(text)
    assert dict(study.sites[0].milestones) == {"01": date(2025, 2, 1), "03": date(2025, 3, 1)}
    assert study.milestone_reached(Level.SITE, "03", country="TW", site="TW-001") == date(
        2025, 3, 1
    )


def test_minimal_study_has_no_countries_or_sites() -> None:
    study = parse("study:\n  id: X-1\n")
    assert (study.id, study.as_of, study.countries, study.sites) == ("X-1", None, (), ())
    assert dict(study.milestones) == {}


# ---- what is rejected, and how it reads -----------------------------------------------------


def test_unknown_top_level_key() -> None:
    text = EXAMPLE + "colour: red\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: colour (line {line_of(text, 'colour')}): ")
    assert "unknown key 'colour'" in message
    assert (
        "expected one of: countries, ocr, placement, rules, sites, study, trust_anchors" in message
    )


def test_unknown_nested_key() -> None:
    text = edit(EXAMPLE, '    pi: "Chen Wei-Lin"\n', '    pi: "Chen Wei-Lin"\n    colour: red\n')
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: sites[0].colour (line {line_of(text, 'colour')}): ")
    assert "unknown key 'colour'" in message
    assert "aliases, country, id, milestones, name, pi" in message


def test_impossible_date() -> None:
    text = edit(EXAMPLE, "as_of: 2026-11-01", "as_of: 2025-02-30")
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: study.as_of (line {line_of(text, 'as_of')}): ")
    assert "YYYY-MM-DD" in message
    assert "'2025-02-30'" in message


def test_impossible_milestone_date_names_the_milestone() -> None:
    text = edit(EXAMPLE, '{"03": 2025-03-01}\n', "\n      03: 2025-13-01\n")
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: sites[0].milestones.03 (line {line_of(text, '03:')})")
    assert "YYYY-MM-DD" in message


def test_wrong_type() -> None:
    text = "study:\n  id: X-1\nsites: {}\n"
    message = error_of(text)
    assert message == f"{SOURCE}: sites (line 3): expected a list, got mapping {{}}"


def test_country_without_a_profile() -> None:
    text = edit(EXAMPLE, "code: TW", "code: XX")
    message = error_of(text)
    assert message == (
        f"{SOURCE}: countries[0].code (line {line_of(text, 'code: XX')}): "
        "'XX' is not a country with a profile (known: AU, KR, TW)"
    )


def test_site_in_an_undeclared_country() -> None:
    text = edit(EXAMPLE, "country: TW", "country: KR")
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: sites[0].country (line {line_of(text, 'country: KR')}): ")
    assert "'KR'" in message
    assert "(declared: TW)" in message


def test_duplicate_site_id() -> None:
    text = EXAMPLE + "  - id: TW-001\n    country: TW\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: sites[1].id (line 16): ")
    assert "site 'TW-001' is declared twice" in message


def test_duplicate_country() -> None:
    text = edit(EXAMPLE, "countries:\n", "countries:\n  - code: TW\n")
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: countries[1].code (line 9): ")
    assert "country 'TW' is declared twice" in message


def test_milestone_key_out_of_range() -> None:
    text = edit(EXAMPLE, '{"01": 2025-01-20, "03"', '{"01": 2025-01-20, "13"')
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: countries[0].milestones (line 9): ")
    assert "'13'" in message
    assert '"01" to "12"' in message


def test_missing_study_id() -> None:
    text = edit(EXAMPLE, "  id: ABC-101\n", "")
    message = error_of(text)
    assert message == f"{SOURCE}: study (line 1): missing required key 'id'"


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    message = error_of(text)
    assert message == f"{SOURCE}: the file is empty; it needs at least study.id"


def test_yaml_syntax_error_names_the_line() -> None:
    text = "study:\n  id: X-1\n   sponsor: Example\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: invalid YAML at line 3, ")


def test_duplicate_yaml_key_names_its_line() -> None:
    text = "study:\n  id: X-1\n  sponsor: A\n  sponsor: B\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: invalid YAML at line 4, ")
    assert "duplicate key 'sponsor'" in message


def test_placement_naming_an_unknown_site() -> None:
    text = EXAMPLE + "placement:\n  - pattern: 'ISF/TW-999/**'\n    site: TW-999\n"
    message = error_of(text)
    assert message == (
        f"{SOURCE}: placement[0].site (line {line_of(text, 'site: TW-999')}): "
        "'TW-999' is not a declared site"
    )


def test_placement_in_an_undeclared_country() -> None:
    text = EXAMPLE + "placement:\n  - pattern: 'KR/**'\n    country: KR\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: placement[0].country (line {line_of(text, 'KR/**') + 1})")
    assert "'KR' is not declared" in message


def test_waiver_without_reason() -> None:
    text = EXAMPLE + "rules:\n  waive:\n    - rule: BASE-REQ-013\n"
    message = error_of(text)
    assert message == (
        f"{SOURCE}: rules.waive[0] (line {line_of(text, 'BASE-REQ-013')}): "
        "missing required key 'reason'"
    )


def test_waiver_for_an_unknown_site() -> None:
    text = EXAMPLE + (
        "rules:\n  waive:\n    - rule: BASE-REQ-013\n      reason: not applicable here\n"
        "      scope: {site: TW-999}\n"
    )
    message = error_of(text)
    assert message.startswith(
        f"{SOURCE}: rules.waive[0].scope.site (line {line_of(text, 'scope')})"
    )
    assert "'TW-999'" in message


def test_several_problems_report_the_first_and_count_the_rest() -> None:
    message = error_of("study:\n  sponsor: 3\ncolour: red\n")
    assert message.startswith(f"{SOURCE}: study (line 1): missing required key 'id'")
    assert message.endswith("(and 2 more problems)")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_study(tmp_path / "etmf.yaml", known_countries=KNOWN)
    assert str(caught.value) == "etmf.yaml: file not found"


def test_load_study_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "etmf.yaml"
    path.write_text(EXAMPLE, "utf-8")
    study = load_study(path, known_countries=KNOWN)
    assert study == parse(EXAMPLE)


# ---- bugs --------------------------------------------------------------------------------------


def test_same_milestone_written_twice_is_an_error() -> None:
    text = 'study:\n  id: X-1\n  milestones: {"03": 2025-03-01, 03: 2025-04-01}\n'
    message = error_of(text)
    assert "03" in message


@pytest.mark.parametrize(
    "milestones",
    [
        '{"03": 2025-03-01, yes: 2025-01-01}',
        '{"03": 2025-03-01, 1.5: 2025-01-01}',
        '{"03": 2025-03-01, ~: 2025-01-01}',
        "{yes: 2025-01-01}",
    ],
)
def test_non_numeric_milestone_key_is_a_config_error(milestones: str) -> None:
    text = f"study:\n  id: X-1\n  milestones: {milestones}\n"
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: study.milestones (line 3): ")


def test_waiver_for_an_undeclared_country() -> None:
    text = EXAMPLE + (
        "rules:\n  waive:\n    - rule: BASE-REQ-013\n      reason: not applicable here\n"
        "      scope: {country: KR}\n"
    )
    message = error_of(text)
    assert message.startswith(f"{SOURCE}: rules.waive[0].scope.country")
