"""Checks that records exist where and when they are expected."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from etmf.context import Context, Group
from etmf.model import (
    Evidence,
    EvidenceSource,
    Expectation,
    ExpectationStatus,
    Finding,
    Kind,
    Level,
)

if TYPE_CHECKING:
    from etmf.profiles import Rule


def required(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding | Expectation]:
    """``params: {artifact, level, milestone, subartifact?}``: missing once the milestone passed."""
    params = rule.params
    artifact = ctx.model.artifacts[params["artifact"]]
    level = Level(params["level"])
    milestone = params["milestone"]
    subartifact = params.get("subartifact")
    what = subartifact or artifact.name
    milestone_name = ctx.model.milestone(milestone).name
    for scope in group.scopes(level):
        present = ctx.index.at(artifact.number, scope, subartifact=subartifact)
        reached = ctx.milestone_reached(scope, milestone)
        if present:
            status = ExpectationStatus.PRESENT
        elif reached is None or reached > ctx.as_of:
            status = ExpectationStatus.NOT_YET_DUE
        else:
            status = ExpectationStatus.MISSING
        yield Expectation(
            rule=rule.id,
            artifact=artifact.number,
            artifact_name=artifact.name,
            subartifact=subartifact,
            level=level,
            country=scope.country,
            site=scope.site,
            milestone=milestone,
            due=reached,
            status=status,
            documents=tuple(sorted(d.path for d in present)),
            profile=group.profile.id,
            note=params.get("description"),
        )
        if status is ExpectationStatus.MISSING:
            assert reached is not None
            description = params.get("description")
            yield ctx.finding(
                rule,
                group.profile,
                kind=Kind.MISSING,
                scope=scope,
                artifact=artifact.number,
                message=(
                    f"{artifact.number} {what}"
                    + (f" ({description})" if description else "")
                    + f" is missing at {scope.label()}: expected since milestone {milestone} "
                    f"({milestone_name}) was reached on {reached.isoformat()}"
                ),
                evidence=(
                    Evidence(
                        source=EvidenceSource.CONFIG,
                        text=f"milestone {milestone} reached {reached.isoformat()}",
                        detail=f"{scope.label()} in the study configuration",
                    ),
                    Evidence(
                        source=EvidenceSource.RULE,
                        text=f"no document classified as {artifact.number}"
                        + (f" / {subartifact}" if subartifact else "")
                        + f" is filed at {scope.label()}",
                    ),
                ),
            )
