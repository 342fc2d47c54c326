"""``etmf profiles list|show|validate`` and ``etmf rules explain``: the rules, readable.

A regulatory specialist reads here what a profile requires, where each rule was defined and
changed (base, region, country, study), and the source behind it with its strength.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from etmf.checks import CHECKS
from etmf.cli.output import emit
from etmf.errors import UsageError
from etmf.profiles import Profile, ProfileCatalog, Rule


def register(commands: Any) -> None:
    profiles = commands.add_parser("profiles", help="list, show and validate rule profiles")
    actions = profiles.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the available profiles")
    listing.add_argument("--profiles", type=Path, action="append", default=[], metavar="PATH")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="one profile, resolved, with each rule's origin")
    show.add_argument("profile", help="a profile id such as TW or base")
    show.add_argument("--profiles", type=Path, action="append", default=[], metavar="PATH")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(run=run_show)
    check = actions.add_parser("validate", help="check profile files against the schema")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.set_defaults(run=run_validate)

    rules = commands.add_parser("rules", help="explain a rule")
    rule_actions = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    explain = rule_actions.add_parser("explain", help="what a rule checks and why")
    explain.add_argument("rule", help="a rule id such as TW-EXP-001")
    explain.add_argument("--profiles", type=Path, action="append", default=[], metavar="PATH")
    explain.add_argument("--format", choices=["text", "json"], default="text")
    explain.set_defaults(run=run_explain)


def rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "check": rule.check,
        "title": rule.title,
        "severity": rule.severity.value,
        "enabled": rule.enabled,
        "params": dict(rule.params),
        "rationale": rule.rationale,
        "citations": [c.model_dump(mode="json", exclude_none=True) for c in rule.citations],
        "when": dict(rule.when),
        "defined_in": rule.origin,
        "changed_by": list(rule.changed_by),
    }


def profile_dict(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "name": profile.name,
        "source": profile.source,
        "extends": list(profile.chain[1:]),
        "rules": [rule_dict(rule) for rule in profile.rules],
    }


def run_list(options: argparse.Namespace, argv: list[str]) -> int:
    catalog = ProfileCatalog.load(options.profiles)
    profiles = catalog.resolve_all()
    if options.format == "json":
        listed = [{k: v for k, v in profile_dict(p).items() if k != "rules"} for p in profiles]
        emit(json.dumps(listed, ensure_ascii=False, indent=2) + "\n", None)
        return 0
    lines = [f"{'id':<6} {'rules':>5}  {'extends':<12} name (source)"]
    for profile in profiles:
        chain = " > ".join(profile.chain[1:]) or "-"
        count = len(profile.enabled_rules)
        lines.append(f"{profile.id:<6} {count:>5}  {chain:<12} {profile.name} ({profile.source})")
    emit("\n".join(lines) + "\n", None)
    return 0


def run_show(options: argparse.Namespace, argv: list[str]) -> int:
    catalog = ProfileCatalog.load(options.profiles)
    profile = _resolve(catalog, options.profile)
    if options.format == "json":
        emit(json.dumps(profile_dict(profile), ensure_ascii=False, indent=2) + "\n", None)
        return 0
    chain = " > ".join(reversed(profile.chain))
    lines = [f"{profile.id}: {profile.name}", f"  layers: {chain}", f"  source: {profile.source}"]
    for rule in profile.rules:
        lines.append("")
        lines += _rule_lines(rule)
    emit("\n".join(lines) + "\n", None)
    return 0


def run_validate(options: argparse.Namespace, argv: list[str]) -> int:
    """Each file must parse, match the schema, and resolve against the packaged profiles."""
    catalog = ProfileCatalog.load(options.files)
    lines = []
    for path in options.files:
        for profile_id in catalog.ids:
            if catalog.source(profile_id) == str(path):
                profile = catalog.resolve(profile_id)
                count = len(profile.rules)
                lines.append(f"{path}: ok (profile {profile_id}, {count} rules after layering)")
    emit("\n".join(lines) + "\n", None)
    return 0


def run_explain(options: argparse.Namespace, argv: list[str]) -> int:
    catalog = ProfileCatalog.load(options.profiles)
    found = [
        (profile, rule)
        for profile in catalog.resolve_all()
        if (rule := profile.rule(options.rule)) is not None
    ]
    if not found:
        raise UsageError(f"no profile has a rule {options.rule!r} (see etmf profiles show)")
    if options.format == "json":
        explained = {
            "rule": options.rule,
            "check_summary": CHECKS[found[0][1].check].summary,
            "in_profiles": {p.id: rule_dict(r) for p, r in found},
        }
        emit(json.dumps(explained, ensure_ascii=False, indent=2) + "\n", None)
        return 0
    first = found[0][1]
    lines = _rule_lines(first)
    lines.insert(2, f"  what the check does: {CHECKS[first.check].summary}")
    lines.append(f"  applies in: {', '.join(p.id for p, _ in found)}")
    for profile, rule in found:
        if rule != first:
            lines.append(f"  in {profile.id}: {_params(rule)}; severity {rule.severity.value}")
    emit("\n".join(lines) + "\n", None)
    return 0


def _resolve(catalog: ProfileCatalog, profile_id: str) -> Profile:
    wanted = profile_id.upper() if profile_id.lower() != "base" else "base"
    if wanted not in catalog.ids:
        raise UsageError(f"unknown profile {profile_id!r} (known: {', '.join(catalog.ids)})")
    return catalog.resolve(wanted)


def _params(rule: Rule) -> str:
    return json.dumps(dict(rule.params), ensure_ascii=False, sort_keys=True)


def _rule_lines(rule: Rule) -> list[str]:
    state = "" if rule.enabled else " (disabled)"
    changed = f"; changed by {', '.join(rule.changed_by)}" if rule.changed_by else ""
    lines = [
        f"{rule.id}  {rule.severity.value.upper()}  {rule.title}{state}",
        f"  check: {rule.check} {_params(rule)}",
        *(
            [f"  only when the study's attributes are {json.dumps(dict(rule.when))}"]
            if rule.when
            else []
        ),
        f"  defined in: {rule.origin}{changed}",
    ]
    if rule.rationale:
        lines.append(f"  why: {' '.join(rule.rationale.split())}")
    for citation in rule.citations:
        note = f" ({citation.note})" if citation.note else ""
        lines.append(f"  source [{citation.quality.value}]: {citation.source}{note}")
        if citation.url:
            lines.append(f"    {citation.url}")
    return lines
