"""``etmf model`` and ``etmf --version`` through ``main([...])`` and its exit code."""

from __future__ import annotations

import json
import re
from importlib.metadata import version

import pytest

from etmf.cli import EXIT_ERROR, EXIT_OK
from etmf.tmf.refmodel import load_reference_model
from tests.builders import run_cli

ARTIFACT_LINE = re.compile(r"^  (\d{2}\.\d{2}\.\d{2})  ", re.MULTILINE)


def test_show_an_artifact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model", "show", "05.02.04")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("05.02.04  Principal Investigator Curriculum Vitae\n")
    assert re.search(r"^    site\s+from milestone 03 Site Live", out, re.MULTILINE)
    assert "trial" not in out.split("levels:")[1].split("dating:")[0]
    assert re.search(r"^  dating:\s+Signature Date$", out, re.MULTILINE)
    assert re.search(r"^  ICH E6\(R2\):\s+8\.2\.10, 8\.3\.5$", out, re.MULTILINE)
    assert "    - Principal Investigator Biographical Sketch\n" in out


def test_show_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "model", "show", "04.01.02", "--format", "json")
    assert code == EXIT_OK
    data = json.loads(out)
    assert data["number"] == "04.01.02"
    assert data["levels"] == ["country", "site"]
    assert data["milestones"] == {"country": "03", "site": "03"}
    assert data["dating_convention"] == "Approval Date"


def test_list_one_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model", "list", "--zone", "05")
    assert (code, err) == (EXIT_OK, "")
    numbers = ARTIFACT_LINE.findall(out)
    assert numbers
    assert all(number.startswith("05.") for number in numbers)
    assert "05.02.18" in numbers
    assert numbers == [a.number for a in load_reference_model().in_zone("05")]
    # No artifact number of another zone anywhere in the output.
    assert {n[:2] for n in re.findall(r"\b\d{2}\.\d{2}\.\d{2}\b", out)} == {"05"}


def test_zone_may_be_given_without_its_leading_zero(capsys: pytest.CaptureFixture[str]) -> None:
    _, padded, _ = run_cli(capsys, "model", "list", "--zone", "05")
    code, short, _ = run_cli(capsys, "model", "list", "--zone", "5")
    assert code == EXIT_OK
    assert short == padded


def test_list_everything_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model", "list", "--format", "json")
    assert (code, err) == (EXIT_OK, "")
    items = json.loads(out)
    assert len(items) == 250
    assert [item["number"] for item in items] == sorted(load_reference_model().artifacts)


def test_show_an_unknown_artifact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model", "show", "05.02.99")
    assert code == EXIT_ERROR == 2
    assert out == ""
    assert err.startswith("etmf: '05.02.99' is not an artifact of the TMF RM v3.3")
    assert "05.02.18" in err


def test_list_an_unknown_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model", "list", "--zone", "12")
    assert code == EXIT_ERROR
    assert out == ""
    assert "'12' is not a zone" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == EXIT_OK
    assert out == f"etmf {version('etmf')}\n"


def test_model_without_an_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "model")
    assert code == EXIT_ERROR
    assert out == ""
    assert "usage:" in err


def test_show_a_level_without_a_milestone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "model", "show", "01.01.08")
    assert code == EXIT_OK
    site_line = next(line for line in out.splitlines() if line.startswith("    site"))
    assert "from milestone no milestone" not in site_line
