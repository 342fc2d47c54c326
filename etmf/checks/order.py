"""Checks on the order of events and on how long records are kept.

``precedes``: one event must come on or before another at the same scope: the site's ethics
approval before the site went live, the regulatory approval (filed at country level) before a
site of that country went live. An event is the earliest identifying date of an artifact's
documents, or the date a milestone was reached. When either is unknown there is nothing to
compare: a missing approval is another rule's finding.

``retention``: how long the country's rules say the TMF must be kept; it raises no finding and
is listed per country in the report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from etmf.context import Context, Group, Scope
from etmf.model import Evidence, EvidenceSource, Finding, Kind, Level, Retention

if TYPE_CHECKING:
    from etmf.profiles import Rule


def precedes(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    """``params: {first, then, level, first_level?}``; ``first`` and ``then`` are
    ``{artifact}`` or ``{milestone}``."""
    params = rule.params
    level = Level(params["level"])
    first_level = Level(params.get("first_level", level))
    for scope in group.scopes(level):
        first = _event(params["first"], _widen(scope, first_level), ctx)
        then = _event(params["then"], scope, ctx)
        if first is None or then is None or first[0] <= then[0]:
            continue
        days = (first[0] - then[0]).days
        description = params.get("description")
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.OUT_OF_ORDER,
            scope=scope,
            artifact=params["first"].get("artifact") or params["then"].get("artifact"),
            message=f"{first[1]} ({first[0].isoformat()}) came {days} day"
            f"{'s' if days != 1 else ''} after {then[1]} ({then[0].isoformat()}) at "
            f"{scope.label()}" + (f": {description}" if description else ""),
            evidence=(first[2], then[2]),
        )


def _widen(scope: Scope, level: Level) -> Scope:
    """The scope at ``level`` that holds ``scope``: a site's country, or the trial."""
    if level is scope.level:
        return scope
    if level is Level.TRIAL:
        return Scope(Level.TRIAL, None, None)
    return Scope(Level.COUNTRY, scope.country, None)


def _event(
    spec: Mapping[str, Any], scope: Scope, ctx: Context
) -> tuple[date, str, Evidence] | None:
    if "milestone" in spec:
        number = spec["milestone"]
        reached = ctx.milestone_reached(scope, number)
        if reached is None:
            return None
        name = f"milestone {number} {ctx.model.milestone(number).name}"
        evidence = Evidence(
            source=EvidenceSource.CONFIG,
            text=f"milestone {number} reached {reached.isoformat()}",
            detail=f"{scope.label()} in the study configuration",
        )
        return reached, name, evidence
    artifact = ctx.model.artifacts[spec["artifact"]]
    dated = [
        (d.identifying_date, d)
        for d in ctx.index.at(artifact.number, scope)
        if d.identifying_date is not None
    ]
    if not dated:
        return None
    fact, document = min(dated, key=lambda item: (item[0].value, item[1].path))
    evidence = Evidence(
        source=fact.source, text=fact.text, page=fact.page, detail=f"{document.path}"
    )
    return fact.value, f"{artifact.number} {artifact.name}", evidence


def retention(rule: Rule, group: Group, ctx: Context) -> Iterator[Retention]:
    """``params: {years, from, description?}``: listed in the report, never a finding."""
    yield Retention(
        rule=rule.id,
        profile=group.profile.id,
        country=group.profile.country.code if group.profile.country else None,
        years=int(rule.params["years"]),
        start=rule.params["from"],
        citation=rule.citations,
        note=rule.params.get("description"),
    )
