"""``docs/rules.md``: every profile and rule, generated from the YAML data.

    python -m etmf.formats.rules_markdown > docs/rules.md      (make docs)

A test regenerates it and fails when the committed file is stale, so the document a
regulatory specialist reads is always the rules etmf applies.
"""

from __future__ import annotations

import json
import sys

from etmf.checks import CHECKS
from etmf.profiles import Profile, ProfileCatalog, Rule


def render(catalog: ProfileCatalog) -> str:
    profiles = catalog.resolve_all()
    lines = [
        "# etmf rules",
        "",
        "Generated from `rules/` and `country_profiles/` by "
        "`python -m etmf.formats.rules_markdown` (`make docs`); do not edit by hand.",
        "",
        "Source quality: **law** (statute or regulation), **regulator** (an authority's or "
        "ICH guidance), **secondary** (a hospital, law firm or industry source quoting the "
        "rule: verify before relying on it).",
        "",
        "## Check kinds",
        "",
        "| kind | what it checks |",
        "|---|---|",
        *(f"| `{name}` | {CHECKS[name].summary} |" for name in CHECKS.names),
        "",
        "## Profiles",
        "",
        "| profile | name | extends | rules |",
        "|---|---|---|---|",
    ]
    for profile in profiles:
        extends = " > ".join(reversed(profile.chain[1:])) or "-"
        count = len(profile.enabled_rules)
        lines.append(
            f"| [{profile.id}](#{profile.id.lower()}) | {profile.name} | {extends} | {count} |"
        )
    for profile in profiles:
        lines += ["", *_profile(profile)]
    return "\n".join(lines) + "\n"


def _profile(profile: Profile) -> list[str]:
    lines = [f"## {profile.id}", "", f"**{profile.name}** (`{profile.source}`)"]
    if profile.country is not None:
        country = profile.country
        if country.authority:
            lines.append(f"; authority: {country.authority}")
        if country.languages:
            lines.append(f"; languages: {', '.join(country.languages)}")
    lines += [
        "",
        "| rule | kind | severity | title | parameters | defined in |",
        "|---|---|---|---|---|---|",
    ]
    for rule in profile.rules:
        lines.append(_row(rule))
    own = [r for r in profile.rules if profile.id in (r.origin, *r.changed_by)]
    if own:
        lines += ["", "Sources of the rules defined or changed here:", ""]
        for rule in own:
            for citation in rule.citations:
                url = f" <{citation.url}>" if citation.url else ""
                note = f" ({citation.note})" if citation.note else ""
                lines.append(
                    f"- `{rule.id}` [{citation.quality.value}] {citation.source}{note}{url}"
                )
    return lines


def _row(rule: Rule) -> str:
    params = json.dumps(dict(rule.params), ensure_ascii=False, sort_keys=True)
    if rule.when:
        params += " when " + json.dumps(dict(rule.when), ensure_ascii=False, sort_keys=True)
    state = "" if rule.enabled else " (disabled)"
    origin = rule.origin + (f", changed by {', '.join(rule.changed_by)}" if rule.changed_by else "")
    title = rule.title.replace("|", "\\|")
    return (
        f"| `{rule.id}` | {rule.check} | {rule.severity.value}{state} | {title} | "
        f"`{params.replace('|', '/')}` | {origin} |"
    )


def main() -> int:
    sys.stdout.write(render(ProfileCatalog.load()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
