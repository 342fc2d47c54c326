"""``etmf profiles list|show|validate`` and ``etmf rules explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etmf.cli import EXIT_ERROR, EXIT_OK
from tests.builders import run_cli


def test_list_names_each_profile_with_its_layers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "profiles", "list", "--format", "json")
    assert code == EXIT_OK
    listed = {p["id"]: p for p in json.loads(out)}
    assert {"base", "TW", "KR", "AU"} <= set(listed)
    assert listed["TW"]["extends"] == ["base"]
    assert listed["TW"]["source"] == "country_profiles/TW.yaml"
    code, text, _ = run_cli(capsys, "profiles", "list")
    assert code == EXIT_OK
    assert text.splitlines()[0].split() == ["id", "rules", "extends", "name", "(source)"]


def test_show_says_where_each_rule_was_defined_and_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "profiles", "show", "kr", "--format", "json")
    assert code == EXIT_OK
    rules = {r["id"]: r for r in json.loads(out)["rules"]}
    gcp = rules["BASE-EXP-002"]
    assert (gcp["defined_in"], gcp["changed_by"], gcp["params"]["months"]) == ("base", ["KR"], 12)
    assert rules["KR-LNG-001"]["defined_in"] == "KR"
    code, text, _ = run_cli(capsys, "profiles", "show", "KR")
    assert "  layers: base > KR" in text
    assert "  defined in: base; changed by KR" in text


def test_explain_gives_the_check_the_reason_and_the_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "rules", "explain", "TW-EXP-001")
    assert code == EXIT_OK
    assert out.startswith("TW-EXP-001  CRITICAL  Ethics approval renewed at least yearly\n")
    assert "  source [law]: Taiwan Regulations for Good Clinical Practice, Art. 87" in out
    assert "  applies in: TW\n" in out
    code, out, _ = run_cli(capsys, "rules", "explain", "BASE-EXP-002", "--format", "json")
    explained = json.loads(out)
    assert explained["in_profiles"]["KR"]["params"]["months"] == 12
    assert explained["in_profiles"]["TW"]["params"]["months"] == 36


def test_explain_an_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "rules", "explain", "XX-NOPE-001")
    assert code == EXIT_ERROR
    assert "no profile has a rule 'XX-NOPE-001'" in err


def test_show_an_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "profiles", "show", "ZZ")
    assert code == EXIT_ERROR
    assert "unknown profile 'ZZ'" in err


def test_validate_a_good_and_a_bad_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "XT.yaml"
    good.write_text(
        """id: XT
name: Example territory
extends: base
country: {code: XT, alpha3: XTT, names: [Example territory], languages: [en]}
rules:
  - id: BASE-EXP-001
    params: {months: 12}
""",
        "utf-8",
    )
    code, out, _ = run_cli(capsys, "profiles", "validate", str(good))
    assert code == EXIT_OK, out
    assert out.startswith(f"{good}: ok (profile XT, ")
    bad = tmp_path / "XB.yaml"
    bad.write_text("id: XB\nname: Bad\nextends: nowhere\nrules: []\n", "utf-8")
    code, _, err = run_cli(capsys, "profiles", "validate", str(bad))
    assert code == EXIT_ERROR
    assert str(bad) in err
    assert "nowhere" in err
