"""Profiles: the packaged catalog, layering with ``extends:``, and every validation message."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from etmf.errors import ConfigError
from etmf.profiles import ProfileCatalog
from etmf.tmf.refmodel import load_reference_model

NEW_RULE = """\
  - id: XT-REQ-001
    check: required
    title: Principal investigator CV, again
    severity: major
    params: {artifact: "05.02.04", level: site, milestone: "03"}
    citations:
      - source: A regulation
        quality: regulator
"""


@pytest.fixture(scope="module")
def catalog() -> ProfileCatalog:
    return ProfileCatalog.load()


def packaged_yaml(package: str, name: str) -> Any:
    return yaml.safe_load(files(package).joinpath(name).read_text("utf-8"))


def write_profile(
    folder: Path, body: str, *, profile_id: str = "XT", extends: str | None = "base"
) -> Path:
    head = f"id: {profile_id}\nname: Test profile\n"
    if extends is not None:
        head += f"extends: {extends}\n"
    path = folder / f"{profile_id}.yaml"
    path.write_text(head + body, "utf-8")
    return path


def error_of(paths: list[Path], profile_id: str = "XT") -> str:
    """Load the catalog with ``paths`` layered on the packaged profiles and resolve one."""
    with pytest.raises(ConfigError) as caught:
        ProfileCatalog.load(paths).resolve(profile_id)
    return str(caught.value)


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    numbers = [n for n, line in enumerate(lines, start=1) if needle in line]
    assert len(numbers) == 1, f"{needle!r} must be on exactly one line of {path}"
    return numbers[0]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


# ---- the packaged catalog ----------------------------------------------------------------------


def test_packaged_catalog_loads(catalog: ProfileCatalog) -> None:
    assert {"base", "TW", "KR", "AU"} <= set(catalog.ids)
    assert {"TW", "KR", "AU"} <= catalog.country_codes
    assert "base" not in catalog.country_codes


def test_taiwan_extends_base(catalog: ProfileCatalog) -> None:
    assert catalog.resolve("TW").chain == ("TW", "base")
    assert catalog.resolve("base").chain == ("base",)


def test_every_packaged_profile_resolves(catalog: ProfileCatalog) -> None:
    profiles = catalog.resolve_all()
    assert [profile.id for profile in profiles] == catalog.ids
    for profile in profiles:
        assert profile.chain[0] == profile.id
        assert profile.chain[-1] == "base"
        assert profile.rules
        assert len({rule.id for rule in profile.rules}) == len(profile.rules)


@pytest.mark.parametrize(
    ("code", "alpha3", "name"),
    [("TW", "TWN", "Taiwan"), ("KR", "KOR", "South Korea"), ("AU", "AUS", "Australia")],
)
def test_country_information(catalog: ProfileCatalog, code: str, alpha3: str, name: str) -> None:
    profile = catalog.for_country(code)
    assert profile is not None
    assert profile.id == code
    assert profile.country is not None
    assert (profile.country.code, profile.country.alpha3) == (code, alpha3)
    assert name in profile.country.names
    assert profile.country.languages


def test_no_profile_for_an_unlisted_country(catalog: ProfileCatalog) -> None:
    assert catalog.for_country("ZZ") is None


def test_taiwan_changes_an_inherited_rule(catalog: ProfileCatalog) -> None:
    base_rule = catalog.resolve("base").rule("BASE-REQ-008")
    rule = catalog.resolve("TW").rule("BASE-REQ-008")
    assert base_rule is not None
    assert rule is not None
    assert rule.origin == "base"
    assert "TW" in rule.changed_by
    assert base_rule.changed_by == ()
    (tw_entry,) = [
        entry
        for entry in packaged_yaml("etmf.country_profiles", "TW.yaml")["rules"]
        if entry["id"] == "BASE-REQ-008"
    ]
    description = tw_entry["params"]["description"]
    assert rule.params["description"] == description
    assert base_rule.params["description"] != description
    # What TW does not say is inherited.
    for key in ("artifact", "level", "milestone"):
        assert rule.params[key] == base_rule.params[key]
    assert (rule.check, rule.severity, rule.title) == (
        base_rule.check,
        base_rule.severity,
        base_rule.title,
    )
    assert len(rule.citations) == len(tw_entry["citations"])


def test_taiwan_adds_its_own_rules(catalog: ProfileCatalog) -> None:
    base = catalog.resolve("base")
    taiwan = catalog.resolve("TW")
    rule = taiwan.rule("TW-REQ-001")
    assert rule is not None
    assert rule.origin == "TW"
    assert rule.changed_by == ()
    assert base.rule("TW-REQ-001") is None
    assert not [r.id for r in base.rules if r.id.startswith("TW-")]
    assert {r.id for r in base.rules} < {r.id for r in taiwan.rules}


# ---- validation: each mistake in a profile of our own --------------------------------------------


@pytest.mark.parametrize(
    ("body", "key_path", "needle", "fragments"),
    [
        pytest.param(
            "colour: red\n",
            "colour",
            "colour",
            ["unknown key 'colour'", "expected one of:", "extends", "rules"],
            id="unknown-top-level-key",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, "severity: major", "severity: 3"),
            "rules[0].severity",
            "severity",
            ["critical, major, minor, info", "got 3"],
            id="severity-of-wrong-type",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, "severity: major", "severity: urgent"),
            "rules[0].severity",
            "severity",
            ["critical, major, minor, info", "'urgent'"],
            id="unknown-severity",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, "check: required", "check: sometimes"),
            "rules[0].check",
            "check",
            [
                "'sometimes'",
                "required, recurring, precedes, retention, expires, signed, language, "
                "readable, legible, "
                "classified, unique, filed",
            ],
            id="unknown-check-kind",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, '"05.02.04"', '"05.02.99"'),
            "rules[0].params.artifact",
            "params",
            ["'05.02.99' is not an artifact number of the TMF RM v3.3"],
            id="unknown-artifact",
        ),
        pytest.param(
            "rules:\n"
            + edit(NEW_RULE, 'artifact: "05.02.04",', 'artifact: "05.02.04", subartifact: CV,'),
            "rules[0].params.subartifact",
            "params",
            ["'CV' is not a sub-artifact of 05.02.04", "Principal Investigator Curriculum Vitae"],
            id="unknown-subartifact",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, " level: site,", ""),
            "rules[0].params",
            "params",
            ["'level'", "required"],
            id="missing-required-param",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, 'milestone: "03"', 'milestone: "03", months: 12'),
            "rules[0].params.months",
            "params",
            ["unknown key 'months'", "expected one of: artifact, description, level, milestone"],
            id="unknown-param",
        ),
        pytest.param(
            "rules:\n" + NEW_RULE.split("    citations:")[0],
            "rules[0]",
            "XT-REQ-001",
            ["'XT-REQ-001' is new here", "needs citations"],
            id="new-rule-without-citations",
        ),
        pytest.param(
            "rules:\n  - id: XT-REQ-002\n",
            "rules[0]",
            "XT-REQ-002",
            ["'XT-REQ-002' is new here", "needs check, title, severity, citations"],
            id="new-rule-with-only-an-id",
        ),
        pytest.param(
            "rules:\n  - id: BASE-REQ-013\n    check: readable\n",
            "rules[0].check",
            "check",
            ["'BASE-REQ-013' is a 'required' check in base", "cannot change its kind"],
            id="patch-changes-check-kind",
        ),
        pytest.param(
            "rules:\n  - id: BASE-REQ-013\n    params: {level: galaxy}\n",
            "rules[0].params.level",
            "params",
            ["'galaxy'"],
            id="patch-with-bad-param",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, "        quality: regulator\n", ""),
            "rules[0].citations[0]",
            "source: A regulation",
            ["missing required key 'quality'"],
            id="citation-without-quality",
        ),
        pytest.param(
            "rules:\n" + edit(NEW_RULE, "id: XT-REQ-001", "id: lower-case"),
            "rules[0].id",
            "lower-case",
            ["expected a rule id such as KR-TRN-001", "'lower-case'"],
            id="bad-rule-id",
        ),
    ],
)
def test_profile_mistake(
    tmp_path: Path, body: str, key_path: str, needle: str, fragments: list[str]
) -> None:
    path = write_profile(tmp_path, body)
    message = error_of([path])
    assert message.startswith(f"{path}: {key_path} (line {line_of(path, needle)}): ")
    for fragment in fragments:
        assert fragment in message


def test_extends_an_unknown_profile(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "", extends="ZZ")
    message = error_of([path])
    assert message.startswith(f"{path}: extends (line 3): 'ZZ' is not a known profile (known: ")
    known = message.split("(known: ")[1].rstrip(")").split(", ")
    assert {"AU", "KR", "TW", "XT", "base"} <= set(known)
    assert known == sorted(known)


def test_extends_cycle(tmp_path: Path) -> None:
    first = write_profile(tmp_path, "", profile_id="CA", extends="CB")
    second = write_profile(tmp_path, "", profile_id="CB", extends="CA")
    message = error_of([first, second], profile_id="CA")
    # Reported at the profile whose ``extends`` closes the cycle.
    assert message.startswith(f"{second}: extends (line {line_of(second, 'extends:')}): ")
    assert "cycle" in message
    assert "CA -> CB -> CA" in message


def test_profile_extending_itself(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "", profile_id="SELF", extends="SELF")
    assert "cycle" in error_of([path], profile_id="SELF")


def test_a_broken_extra_profile_fails_at_load(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "colour: red\n")
    with pytest.raises(ConfigError) as caught:
        ProfileCatalog.load([path])
    assert caught.value.source == str(path)
    assert caught.value.key_path.startswith("colour ")


def test_missing_extra_profile(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError) as caught:
        ProfileCatalog.load([path])
    assert str(caught.value) == f"{path}: file not found"


# ---- layering our own profile ------------------------------------------------------------------


def test_disabling_an_inherited_rule(tmp_path: Path, catalog: ProfileCatalog) -> None:
    path = write_profile(tmp_path, "rules:\n  - id: BASE-REQ-013\n    enabled: false\n")
    profile = ProfileCatalog.load([path]).resolve("XT")
    enabled = {rule.id for rule in profile.enabled_rules}
    assert "BASE-REQ-013" not in enabled
    rule = profile.rule("BASE-REQ-013")
    assert rule is not None
    assert rule.enabled is False
    assert rule.changed_by == ("XT",)
    base_enabled = {rule.id for rule in catalog.resolve("base").enabled_rules}
    assert enabled == base_enabled - {"BASE-REQ-013"}


def test_a_new_rule_in_our_profile(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "rules:\n" + NEW_RULE)
    catalog = ProfileCatalog.load([path])
    rule = catalog.resolve("XT").rule("XT-REQ-001")
    assert rule is not None
    assert rule.origin == "XT"
    assert dict(rule.params) == {"artifact": "05.02.04", "level": "site", "milestone": "03"}
    assert catalog.resolve("XT").chain == ("XT", "base")
    assert catalog.resolve("base").rule("XT-REQ-001") is None


def test_a_profile_over_taiwan_sees_both_layers(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path, "rules:\n  - id: BASE-REQ-008\n    severity: info\n", extends="TW"
    )
    profile = ProfileCatalog.load([path]).resolve("XT")
    assert profile.chain == ("XT", "TW", "base")
    rule = profile.rule("BASE-REQ-008")
    assert rule is not None
    assert rule.changed_by == ("TW", "XT")
    assert rule.severity.value == "info"
    assert "TFDA" in rule.params["description"]
    assert profile.rule("TW-REQ-001") is not None


def test_packaged_rules_name_artifacts_of_the_model(catalog: ProfileCatalog) -> None:
    model = load_reference_model()
    for profile in catalog.resolve_all():
        for rule in profile.rules:
            if rule.check == "required":
                artifact = model.artifact(rule.params["artifact"])
                assert rule.params["level"] in artifact.levels, (profile.id, rule.id)


# ---- bugs --------------------------------------------------------------------------------------


def test_same_rule_id_twice_in_one_layer(tmp_path: Path) -> None:
    second = edit(NEW_RULE, '"05.02.04"', '"05.02.18"')
    path = write_profile(tmp_path, "rules:\n" + NEW_RULE + second)
    message = error_of([path])
    assert "rules[1].id" in message
    assert "XT-REQ-001" in message
