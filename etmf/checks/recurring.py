"""Records due again and again: an annual progress report every 12 months after the approval.

The anchor is a date the folder itself holds (the identifying date of the earliest document of
``anchor_artifact`` at the scope, the site's first ethics approval), not a milestone: the
report is due ``every_months`` after it, and again every ``every_months`` after that. Each due
date is met by a report dated after the previous due date and no later than ``grace_days``
after its own; a report with no readable date meets the earliest due date still open, and the
evidence says so. Without the anchor document nothing is due: its absence is another rule's
finding. A calendar schedule (``annual_on: "03-31"`` with ``from_milestone``) is due on that day
of every year after the milestone's year instead: Korea's annual status report on the past year.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from etmf.checks.evidence import add_months
from etmf.context import Context, Group, Scope
from etmf.model import (
    Document,
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


def recurring(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding | Expectation]:
    """``params: {artifact, level, grace_days?}`` and either ``{anchor_artifact,
    every_months}`` or ``{annual_on: "MM-DD", from_milestone}``."""
    params = rule.params
    artifact = ctx.model.artifacts[params["artifact"]]
    grace = timedelta(days=int(params.get("grace_days", 0)))
    for scope in group.scopes(Level(params["level"])):
        start = _start(params, scope, ctx)
        if start is None:
            continue
        reports = ctx.index.at(artifact.number, scope)
        dues = _schedule(params, start.value, ctx.as_of)
        met = _match(dues[:-1], reports, grace)
        overdue = []
        for due in dues:
            report = met.get(due)
            if report is not None:
                status = ExpectationStatus.PRESENT
            elif due + grace < ctx.as_of:
                status = ExpectationStatus.MISSING
                overdue.append(due)
            else:
                status = ExpectationStatus.NOT_YET_DUE
            yield Expectation(
                rule=rule.id,
                artifact=artifact.number,
                artifact_name=artifact.name,
                level=scope.level,
                country=scope.country,
                site=scope.site,
                due=due,
                status=status,
                documents=(report.path,) if report else (),
                profile=group.profile.id,
                note=f"due {due.isoformat()}, {start.basis}",
            )
        if overdue:
            yield _finding(rule, group, ctx, scope, artifact.number, overdue, start.evidence)


@dataclass(frozen=True, slots=True)
class _Start:
    value: date
    basis: str
    evidence: Evidence


def _start(params: Mapping[str, Any], scope: Scope, ctx: Context) -> _Start | None:
    """What the schedule runs from: the anchor document's date, or the milestone's."""
    if "from_milestone" in params:
        number = params["from_milestone"]
        reached = ctx.milestone_reached(scope, number)
        if reached is None:
            return None
        evidence = Evidence(
            source=EvidenceSource.CONFIG,
            text=f"milestone {number} reached {reached.isoformat()}",
            detail=f"{scope.label()} in the study configuration: the reports are due from then",
        )
        basis = f"every year on {params['annual_on']} after milestone {number}"
        return _Start(reached, basis, evidence)
    anchor = _anchor(ctx.index.at(params["anchor_artifact"], scope))
    if anchor is None:
        return None
    value, document = anchor
    assert document.identifying_date is not None
    evidence = Evidence(
        source=EvidenceSource.TEXT,
        text=f"{document.identifying_date.text} ({value.isoformat()})",
        detail=f"{document.path}: the date the reports are counted from",
    )
    basis = (
        f"every {params['every_months']} months after {params['anchor_artifact']} "
        f"dated {value.isoformat()}"
    )
    return _Start(value, basis, evidence)


def _anchor(documents: list[Document]) -> tuple[date, Document] | None:
    dated = [(d.identifying_date.value, d) for d in documents if d.identifying_date is not None]
    return min(dated, key=lambda item: (item[0], item[1].path)) if dated else None


def _schedule(params: Mapping[str, Any], start: date, as_of: date) -> list[date]:
    """Due dates up to ``as_of``, then the next one. ``annual_on``: that day of every year
    after the year the milestone was reached (a report on year Y is due in year Y + 1)."""
    if "annual_on" in params:
        month, day = (int(part) for part in params["annual_on"].split("-"))
        dues = [date(start.year + 1, month, day)]
        while dues[-1] <= as_of:
            dues.append(date(dues[-1].year + 1, month, day))
        return dues
    every = int(params["every_months"])
    dues = [add_months(start, every)]
    while dues[-1] <= as_of:
        dues.append(add_months(start, every * (len(dues) + 1)))
    return dues


def _match(dues: list[date], reports: list[Document], grace: timedelta) -> dict[date, Document]:
    """Each due date's report: dated after the previous due date, up to ``grace`` after its own;
    undated reports fill the earliest open due dates."""
    met: dict[date, Document] = {}
    used: set[str] = set()
    ordered = sorted(reports, key=lambda d: d.path)
    for position, due in enumerate(dues):
        after = dues[position - 1] + grace if position else date.min
        for report in ordered:
            when = report.identifying_date.value if report.identifying_date else None
            if report.path not in used and when is not None and after < when <= due + grace:
                met[due] = report
                used.add(report.path)
                break
    for report in ordered:
        if report.path in used or report.identifying_date is not None:
            continue
        open_dues = [due for due in dues if due not in met]
        if open_dues:
            met[open_dues[0]] = report
            used.add(report.path)
    return met


def _finding(
    rule: Rule,
    group: Group,
    ctx: Context,
    scope: Scope,
    number: str,
    overdue: list[date],
    start: Evidence,
) -> Finding:
    artifact = ctx.model.artifacts[number]
    what = rule.params.get("description") or artifact.name
    dates = ", ".join(due.isoformat() for due in overdue)
    count = f"{len(overdue)} reports" if len(overdue) > 1 else "the report"
    return ctx.finding(
        rule,
        group.profile,
        kind=Kind.OVERDUE,
        scope=scope,
        artifact=number,
        message=f"{number} {what} is overdue at {scope.label()}: {count} due {dates} "
        f"{'are' if len(overdue) > 1 else 'is'} not filed",
        evidence=(
            start,
            Evidence(
                source=EvidenceSource.RULE,
                text=f"no {number} document dated up to {rule.params.get('grace_days', 0)} "
                f"days after {dates}",
            ),
        ),
    )
