"""docs/rules.md is generated from the rule data and must not go stale."""

from __future__ import annotations

from pathlib import Path

from etmf.formats.rules_markdown import render
from etmf.profiles import ProfileCatalog

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOC.read_text("utf-8") == render(ProfileCatalog.load()), (
        "docs/rules.md is stale: run `make docs`"
    )


def test_every_rule_and_its_sources_are_in_the_document() -> None:
    text = render(ProfileCatalog.load())
    for profile in ProfileCatalog.load().resolve_all():
        assert f"## {profile.id}\n" in text
        for rule in profile.rules:
            assert f"| `{rule.id}` |" in text
            for citation in rule.citations:
                assert citation.source in text


def test_the_readme_example_profile_is_valid(tmp_path: Path) -> None:
    readme = (DOC.parents[1] / "README.md").read_text("utf-8")
    example = readme.split("A complete example profile:\n\n```yaml\n")[1].split("```")[0]
    path = tmp_path / "XL.yaml"
    path.write_text(example, "utf-8")
    profile = ProfileCatalog.load([path]).resolve("XL")
    kinds = {rule.check for rule in profile.rules if rule.origin == "XL"}
    assert kinds == {"required", "precedes", "recurring", "retention"}
    changed = profile.rule("BASE-EXP-001")
    assert changed is not None
    assert (changed.params["months"], changed.changed_by) == (12, ("XL",))
