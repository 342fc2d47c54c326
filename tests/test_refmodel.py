"""The packaged TMF Reference Model against the official v3.3 workbook and its text extraction.

The workbook and ``artifacts-v3.3.txt`` live outside the package (see
``/work/shared/reference/tmf-rm/README.md``); the package data must say what they say.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from etmf.errors import UsageError
from etmf.model import Level
from etmf.tmf.refmodel import DATA_FILE, ReferenceModel, load_reference_model

REFERENCE = Path("/work/shared/reference/tmf-rm")
WORKBOOK = REFERENCE / "TMF-Reference-Model-v3.3-31-Mar-2023.xlsx"
EXTRACTION = REFERENCE / "artifacts-v3.3.txt"
CONVERTER = Path(__file__).resolve().parents[1] / "scripts" / "convert_tmf_rm.py"

RETIRED = ("02.01.08", "02.01.09", "05.02.15", "05.02.16", "10.02.03")
LEVEL_LETTERS = {"T": Level.TRIAL, "C": Level.COUNTRY, "S": Level.SITE}


@dataclass(frozen=True)
class Extracted:
    """One artifact row of ``artifacts-v3.3.txt``, in its own terms."""

    number: str
    unique_id: int
    zone: str
    section: str
    name: str
    core: bool
    ich: tuple[str, ...]
    sponsor_document: bool
    investigator_document: bool
    investigator_initiated: str | None
    levels: tuple[Level, ...]
    milestones: dict[Level, str]
    dating: str | None


@cache
def extraction_lines() -> tuple[str, ...]:
    return tuple(EXTRACTION.read_text("utf-8").splitlines())


def section_lines(title_prefix: str) -> list[str]:
    """The non-blank lines of the ``## <title>`` section of the extraction."""
    lines = extraction_lines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"## {title_prefix}")]
    assert len(starts) == 1, f"one '## {title_prefix}' section expected in {EXTRACTION}"
    body = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("## "):
            break
        if line.strip():
            body.append(line)
    return body


@cache
def extracted_artifacts() -> dict[str, Extracted]:
    header, *rows = section_lines("ARTIFACTS")
    columns = header.split("|")
    result = {}
    for row in rows:
        values = row.split("|")
        assert len(values) == len(columns), row
        cell = dict(zip(columns, values, strict=True))
        sponsor, investigator = cell["spons/inv"].split("/")
        milestones = dict(zip(("T", "C", "S"), cell["milestone T/C/S"].split("/"), strict=True))
        result[cell["art_no"]] = Extracted(
            number=cell["art_no"],
            unique_id=int(cell["uid"]),
            zone=cell["zone"][:2],
            section=cell["section"][:5],
            name=cell["artifact_name"],
            core={"Core": True, "Recommended": False}[cell["core_rec"]],
            ich=tuple(cell["ich"].split()),
            sponsor_document=sponsor == "X",
            investigator_document=investigator == "X",
            investigator_initiated=cell["IIS"] or None,
            levels=tuple(LEVEL_LETTERS[letter] for letter in cell["levels"]),
            milestones={LEVEL_LETTERS[k]: v for k, v in milestones.items() if v},
            dating=cell["dating"] or None,
        )
    return result


def extracted_subartifacts() -> dict[str, list[str]]:
    result = {}
    for line in section_lines("RECOMMENDED SUB-ARTIFACTS"):
        head, _, names = line.partition(": ")
        result[head[:8]] = names.split("; ")
    return result


def given_milestones(milestones: Any) -> dict[Level, str]:
    """The levels that name a milestone (the package may keep a level with no milestone)."""
    return {level: number for level, number in milestones.items() if number is not None}


@pytest.fixture(scope="module")
def model() -> ReferenceModel:
    return load_reference_model()


@pytest.fixture(scope="module")
def workbook_path() -> Path:
    if not WORKBOOK.exists():
        pytest.skip(f"the official workbook is not available at {WORKBOOK}")
    return WORKBOOK


@pytest.fixture(scope="module")
def converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert_tmf_rm", CONVERTER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- shape ---------------------------------------------------------------------------------


def test_counts_of_zones_sections_and_artifacts(model: ReferenceModel) -> None:
    assert [zone.number for zone in model.zones] == [f"{n:02d}" for n in range(1, 12)]
    assert len(model.sections) == 48
    assert len(model.artifacts) == 250
    assert model.version == "3.3"


def test_retired_numbers_are_absent(model: ReferenceModel) -> None:
    for number in RETIRED:
        assert number not in model.artifacts


def test_zones_and_sections_match_the_extraction(model: ReferenceModel) -> None:
    zones = dict(line.split(" ", 1) for line in section_lines("ZONES"))
    sections = dict(line.split(" ", 1) for line in section_lines("SECTIONS"))
    assert {zone.number: zone.name for zone in model.zones} == zones
    assert {section.number: section.name for section in model.sections} == sections
    for section in model.sections:
        assert section.zone == section.number[:2]


# ---- single artifacts ------------------------------------------------------------------------


def test_principal_investigator_cv(model: ReferenceModel) -> None:
    cv = model.artifact("05.02.04")
    assert cv.name == "Principal Investigator Curriculum Vitae"
    assert cv.levels == (Level.SITE,)
    assert dict(cv.milestones) == {Level.SITE: "03"}
    assert cv.milestone_at(Level.SITE) == "03"
    assert cv.milestone_at(Level.TRIAL) is None
    assert cv.dating_convention == "Signature Date"
    assert cv.ich_e6_r2 == ("8.2.10", "8.3.5")
    assert cv.subartifacts == (
        "Principal Investigator Affiliation Form",
        "Principal Investigator Biographical Sketch",
        "Principal Investigator Curriculum Vitae",
    )
    assert cv.core is True
    assert (cv.zone, cv.section, cv.unique_id) == ("05", "05.02", 87)


def test_irb_decision_is_filed_at_country_and_site(model: ReferenceModel) -> None:
    decision = model.artifact("04.01.02")
    assert decision.levels == (Level.COUNTRY, Level.SITE)
    assert dict(decision.milestones) == {Level.COUNTRY: "03", Level.SITE: "03"}
    assert decision.dating_convention == "Approval Date"


def test_struck_through_site_level_of_unblinding_plan_is_dropped(model: ReferenceModel) -> None:
    plan = model.artifact("06.03.02")
    assert plan.levels == (Level.TRIAL,)
    assert dict(plan.milestones) == {Level.TRIAL: "02"}


def test_hash_written_milestone_is_read_as_its_number(model: ReferenceModel) -> None:
    debarment = model.artifact("01.01.11")
    assert debarment.levels == (Level.TRIAL, Level.SITE)
    assert debarment.milestone_at(Level.TRIAL) == "02"
    assert debarment.milestone_at(Level.SITE) == "03"


def test_workbook_cells_behind_the_special_cases(workbook_path: Path) -> None:
    """What the two special cases above rest on, read from the workbook without the converter."""
    import openpyxl

    sheet = openpyxl.load_workbook(workbook_path, rich_text=True)["Ver 3.3 Markup"]
    rows = {row[4].value: row for row in sheet.iter_rows(min_row=4) if row[4].value}
    trial_milestone, site_doc = 21, 24
    assert str(rows["01.01.11"][trial_milestone].value).startswith("#2 ")
    assert rows["06.03.02"][site_doc].value == "X"
    assert rows["06.03.02"][site_doc].font.strike is True
    struck = [
        (number, column)
        for number, row in rows.items()
        for column in range(20, 27)
        if row[column].value is not None and row[column].font.strike
    ]
    assert struck == [("06.03.02", site_doc)]


# ---- against the extraction ------------------------------------------------------------------


def test_extraction_lists_the_same_artifact_numbers(model: ReferenceModel) -> None:
    assert sorted(extracted_artifacts()) == sorted(model.artifacts)


def test_every_artifact_matches_the_extraction(model: ReferenceModel) -> None:
    # The extraction keeps the site milestone of 06.03.02's struck-through site level.
    dropped = {"06.03.02": {"milestones": {Level.TRIAL: "02"}}}
    mismatches = []
    for number, extracted in extracted_artifacts().items():
        expected = replace(extracted, **dropped.get(number, {}))
        artifact = model.artifact(number)
        actual = Extracted(
            number=artifact.number,
            unique_id=artifact.unique_id,
            zone=artifact.zone,
            section=artifact.section,
            name=artifact.name,
            core=artifact.core,
            ich=artifact.ich_e6_r2,
            sponsor_document=artifact.sponsor_document,
            investigator_document=artifact.investigator_document,
            investigator_initiated=artifact.investigator_initiated,
            levels=artifact.levels,
            milestones=given_milestones(artifact.milestones),
            dating=artifact.dating_convention,
        )
        if actual != expected:
            mismatches.append((expected, actual))
    assert mismatches == []


def test_milestones_match_the_extraction_but_for_the_struck_level(model: ReferenceModel) -> None:
    differing = {}
    for number, expected in extracted_artifacts().items():
        actual = given_milestones(model.artifact(number).milestones)
        if actual != expected.milestones:
            differing[number] = (expected.milestones, actual)
    assert differing == {
        "06.03.02": ({Level.TRIAL: "02", Level.SITE: "03"}, {Level.TRIAL: "02"}),
    }


def test_levels_match_the_extraction(model: ReferenceModel) -> None:
    """The extraction removed the struck-through X too: 06.03.02 is trial-only in both."""
    differing = {
        number: (expected.levels, model.artifact(number).levels)
        for number, expected in extracted_artifacts().items()
        if model.artifact(number).levels != expected.levels
    }
    assert differing == {}
    assert extracted_artifacts()["06.03.02"].levels == (Level.TRIAL,)


def test_subartifacts_match_the_extraction_without_repeats(model: ReferenceModel) -> None:
    """The workbook lists "ICF Summary of Changes" twice under 02.02.03; the package once."""
    expected = extracted_subartifacts()
    assert sorted(expected) == sorted(model.artifacts)
    for number, names in expected.items():
        assert model.artifact(number).subartifacts == tuple(dict.fromkeys(names)), number


def test_every_milestone_value_is_a_milestone_number(model: ReferenceModel) -> None:
    numbers = {milestone.number for milestone in model.milestones}
    without = sorted(
        number
        for number, artifact in model.artifacts.items()
        if not set(artifact.milestones.values()) <= numbers
    )
    assert without == []


# ---- the converter reproduces the committed data ---------------------------------------------


def test_converter_reproduces_the_committed_json(
    workbook_path: Path, converter: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    committed_text = files("etmf.tmf").joinpath(DATA_FILE).read_text("utf-8")
    assert converter.convert(workbook_path) == json.loads(committed_text)
    output = tmp_path / DATA_FILE
    assert converter.main([str(workbook_path), str(output)]) == 0
    assert output.read_text("utf-8") == committed_text
    assert "250 artifacts, 48 sections, 11 zones" in capsys.readouterr().out


# ---- milestones and look-ups -----------------------------------------------------------------


def test_milestones_are_numbered_01_to_12_with_names(model: ReferenceModel) -> None:
    assert [m.number for m in model.milestones] == [f"{n:02d}" for n in range(1, 13)]
    assert all(m.name for m in model.milestones)
    assert model.milestone("01").name == "First Country RA approval"
    assert model.milestone("03").name.startswith("Site Live")
    assert Level.SITE in model.milestone("03").descriptions


def test_unknown_artifact_lists_the_section_numbers(model: ReferenceModel) -> None:
    with pytest.raises(UsageError) as caught:
        model.artifact("05.02.99")
    message = str(caught.value)
    assert "'05.02.99'" in message
    listed = re.findall(r"\d{2}\.\d{2}\.\d{2}", message.split("has", 1)[1])
    assert listed == sorted(n for n in model.artifacts if n.startswith("05.02."))
    assert "05.02.18" in listed
    assert "05.02.15" not in listed


def test_unknown_zone_section_and_milestone_are_usage_errors(model: ReferenceModel) -> None:
    with pytest.raises(UsageError, match="'12' is not a zone"):
        model.zone("12")
    with pytest.raises(UsageError, match=r"'05\.09' is not a section"):
        model.section("05.09")
    with pytest.raises(UsageError, match="'13' is not a TMF RM milestone"):
        model.milestone("13")
