"""Placement: level, country and site of a document from its path, the study, then its text."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pytest

from etmf.model import EvidenceSource, Level
from etmf.placement import Placement, PlacementContext, place, placement_context
from etmf.profiles import ProfileCatalog
from etmf.study import Study, parse_study

STUDY_YAML = """\
study:
  id: ABC-101
  as_of: 2026-01-01
countries:
  - code: TW
  - code: KR
sites:
  - id: TW-001
    country: TW
    name: National Taiwan University Hospital
    aliases: [NTUH, 台大醫院]
  - id: TW-002
    country: TW
    name: Chang Gung Memorial Hospital
  - id: KR-001
    country: KR
    name: Samsung Medical Center
    aliases: [삼성서울병원]
"""

PATTERNS = """\
placement:
  - pattern: "ISF/**"
    site: KR-001
  - pattern: "ISF/**/*.docx"
    site: TW-002
  - pattern: "TW/Shared/**"
    level: trial
"""


def study(text: str = STUDY_YAML) -> Study:
    return parse_study(text, known_countries={"TW", "KR", "AU"}, source="etmf.yaml")


@cache
def country_names() -> tuple[tuple[str, Sequence[str]], ...]:
    """(code, names) of every country with a profile, as a scan builds them."""
    catalog = ProfileCatalog.load()
    names = []
    for code in sorted(catalog.country_codes):
        profile = catalog.for_country(code)
        assert profile is not None
        # a member of a region (EU: NL) is known by its code only
        own = profile.country is not None and profile.country.code == code
        names.append((code, profile.country.names if own and profile.country else ()))
    return tuple(names)


@cache
def with_study() -> PlacementContext:
    return placement_context(study(), country_names())


@cache
def with_patterns() -> PlacementContext:
    return placement_context(study(STUDY_YAML + PATTERNS), country_names())


@cache
def without_study() -> PlacementContext:
    return placement_context(None, country_names())


def where(placement: Placement) -> tuple[Level, str | None, str | None]:
    return placement.level, placement.country, placement.site


def test_profiles_give_country_names() -> None:
    names = dict(country_names())
    assert {"AU", "KR", "TW", "JP", "US", "GB", "CA", "NL", "DE"} <= set(names)
    assert names["NL"] == ()  # an EU member known by its code through the EU profile
    assert "Australia" in names["AU"]
    assert "대한민국" in names["KR"]
    assert "台灣" in names["TW"]


# ---- sites from the path -------------------------------------------------------------------------


def test_site_id_in_a_folder() -> None:
    placement = place("TW/TW-001 NTUH/x.pdf", "", with_study())
    assert where(placement) == (Level.SITE, "TW", "TW-001")
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.FOLDER
    assert evidence.text == "TW-001 NTUH"
    assert "TW-001" in (evidence.detail or "")


def test_site_id_in_a_deeper_folder_without_a_country_folder() -> None:
    placement = place("Sites/KR-001 삼성/Contracts/CTA.pdf", "", with_study())
    assert where(placement) == (Level.SITE, "KR", "KR-001")


def test_site_id_in_the_file_name_at_root() -> None:
    placement = place("TW-001_PI_CV.pdf", "", with_study())
    assert where(placement) == (Level.SITE, "TW", "TW-001")
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.FILENAME


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("TW/TW-0010/x.pdf", (Level.COUNTRY, "TW", None)),
        ("TW/XTW-001/x.pdf", (Level.COUNTRY, "TW", None)),
        ("TW-0010 report.pdf", (Level.TRIAL, None, None)),
        ("TW-001a.pdf", (Level.TRIAL, None, None)),
        ("tw-001 ntuh/x.pdf", (Level.SITE, "TW", "TW-001")),
        ("TW/TW-001_ISF/x.pdf", (Level.SITE, "TW", "TW-001")),
    ],
)
def test_site_id_matching_is_token_bounded(
    relpath: str, expected: tuple[Level, str | None, str | None]
) -> None:
    assert where(place(relpath, "", with_study())) == expected


def test_the_innermost_site_folder_wins() -> None:
    assert where(place("TW/TW-001/TW-002 transfer/x.pdf", "", with_study())) == (
        Level.SITE,
        "TW",
        "TW-002",
    )


# ---- countries from the path ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "country"),
    [
        ("KR/x.pdf", "KR"),
        ("TW/Regulatory/x.pdf", "TW"),
        ("Australia/x.pdf", "AU"),
        ("대한민국/x.pdf", "KR"),
        ("台灣/x.pdf", "TW"),
        ("Korea/x.pdf", "KR"),
        ("KR - Korea/x.pdf", "KR"),
        ("03 Regulatory/Taiwan submissions 2025/x.pdf", "TW"),
    ],
)
def test_country_from_a_folder_code_or_name(relpath: str, country: str) -> None:
    placement = place(relpath, "", with_study())
    assert where(placement) == (Level.COUNTRY, country, None)
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.FOLDER
    assert country in (evidence.detail or "")


def test_countries_are_found_without_a_study() -> None:
    assert where(place("Australia/x.pdf", "", without_study())) == (Level.COUNTRY, "AU", None)


@pytest.mark.parametrize(
    "relpath",
    [
        "CA submissions for review 2025/x.pdf",  # a known code in a long folder name
        "ZZ/x.pdf",  # a code etmf has no profile for
        "KR submissions for review 2025/x.pdf",  # a known code lost in a long name
        "Austria/x.pdf",  # not Australia
        "Taiwanese partners/x.pdf",  # a name inside a longer word
        "tw/x.pdf",  # codes are upper case
    ],
)
def test_look_alike_folders_are_not_countries(relpath: str) -> None:
    assert where(place(relpath, "", with_study())) == (Level.TRIAL, None, None)


def test_file_at_root_is_trial_level() -> None:
    placement = place("Protocol.pdf", "", with_study())
    assert where(placement) == (Level.TRIAL, None, None)
    assert placement.evidence == ()


# ---- placement patterns of etmf.yaml -------------------------------------------------------------


def test_pattern_places_and_takes_the_country_of_its_site() -> None:
    placement = place("ISF/x.pdf", "", with_patterns())
    assert where(placement) == (Level.SITE, "KR", "KR-001")
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.CONFIG
    assert evidence.text == "ISF/**"


def test_pattern_takes_precedence_over_folders_and_text() -> None:
    placement = place("ISF/TW/TW-001 NTUH/x.pdf", "Chang Gung Memorial Hospital", with_patterns())
    assert where(placement) == (Level.SITE, "KR", "KR-001")


def test_first_matching_pattern_wins() -> None:
    assert place("ISF/a/b.docx", "", with_patterns()).site == "KR-001"


def test_pattern_level_overrides_a_country_folder() -> None:
    assert where(place("TW/Shared/x.pdf", "", with_patterns())) == (Level.TRIAL, None, None)


def test_paths_outside_the_patterns_are_placed_as_usual() -> None:
    assert where(place("TW/TW-001/x.pdf", "", with_patterns())) == (Level.SITE, "TW", "TW-001")


# ---- the document text, last ---------------------------------------------------------------------


def test_text_naming_one_site_places_it_at_that_site() -> None:
    placement = place("x.pdf", "Signed at Chang Gung Memorial Hospital, Linkou", with_study())
    assert where(placement) == (Level.SITE, "TW", "TW-002")
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.TEXT
    assert evidence.text == "Chang Gung Memorial Hospital"


@pytest.mark.parametrize(
    "text",
    [
        "Site TW-001 monitoring visit",
        "NTUH",
        "台大醫院 簽署",
        "visit to national taiwan university hospital",
    ],
)
def test_text_naming_a_site_by_id_or_alias(text: str) -> None:
    assert where(place("x.pdf", text, with_study())) == (Level.SITE, "TW", "TW-001")


def test_text_naming_two_sites_is_trial_level() -> None:
    text = "Sites: Chang Gung Memorial Hospital and Samsung Medical Center"
    assert where(place("x.pdf", text, with_study())) == (Level.TRIAL, None, None)


def test_text_naming_sites_in_two_countries_is_trial_level() -> None:
    text = "Sites: National Taiwan University Hospital and Samsung Medical Center"
    assert where(place("x.pdf", text, with_study())) == (Level.TRIAL, None, None)


@pytest.mark.parametrize("text", ["本文件由台大醫院簽署", "삼성서울병원에서 서명함"])
def test_text_naming_a_site_in_running_cjk_text(text: str) -> None:
    assert place("x.pdf", text, with_study()).site is not None


def test_text_naming_one_declared_country() -> None:
    placement = place("x.pdf", "Submission to the authority of Korea", with_study())
    assert where(placement) == (Level.COUNTRY, "KR", None)
    (evidence,) = placement.evidence
    assert evidence.source is EvidenceSource.TEXT


@pytest.mark.parametrize(
    "text",
    [
        "Submitted in Taiwan and Korea",  # two declared countries
        "Submitted in Australia",  # AU has a profile but is not in the study
        "General guidance for all sites",
        "",
    ],
)
def test_other_texts_leave_the_document_at_trial_level(text: str) -> None:
    assert where(place("x.pdf", text, with_study())) == (Level.TRIAL, None, None)


def test_text_is_not_read_without_a_study() -> None:
    assert where(place("x.pdf", "Submitted in Taiwan", without_study())) == (
        Level.TRIAL,
        None,
        None,
    )


def test_folders_win_over_the_text() -> None:
    placement = place("KR/x.pdf", "Signed at Chang Gung Memorial Hospital", with_study())
    assert where(placement) == (Level.COUNTRY, "KR", None)


# ---- without a study -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("Site 003/x.pdf", (Level.SITE, None, "003")),
        ("TW/Site 003/x.pdf", (Level.SITE, "TW", "003")),
        ("Centre No. 12/x.pdf", (Level.SITE, None, "12")),
        ("site_A7/sub/x.pdf", (Level.SITE, None, "A7")),
    ],
)
def test_generic_site_folders_without_a_study(
    relpath: str, expected: tuple[Level, str | None, str | None]
) -> None:
    placement = place(relpath, "", without_study())
    assert where(placement) == expected
    assert placement.evidence[0].source is EvidenceSource.FOLDER


def test_generic_site_folders_are_ignored_when_the_study_declares_sites() -> None:
    assert where(place("Site 003/x.pdf", "", with_study())) == (Level.TRIAL, None, None)
