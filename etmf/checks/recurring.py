"""Records due again and again: an annual progress report every 12 months after the approval.

The anchor is a date the folder itself holds (the identifying date of the earliest document of
``anchor_artifact`` at the scope, the site's first ethics approval), not a milestone: the
report is due ``every_months`` after it, and again every ``every_months`` after that. Each due
date is met by a report dated after the previous due date and no later than ``grace_days``
after its own; a report with no readable date meets the earliest due date still open, and the
evidence says so. Without the anchor document nothing is due: its absence is another rule's
finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

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
    """``params: {artifact, level, anchor_artifact, every_months, grace_days?}``."""
    params = rule.params
    artifact = ctx.model.artifacts[params["artifact"]]
    anchor_number = params["anchor_artifact"]
    every = int(params["every_months"])
    grace = timedelta(days=int(params.get("grace_days", 0)))
    for scope in group.scopes(Level(params["level"])):
        anchor = _anchor(ctx.index.at(anchor_number, scope))
        if anchor is None:
            continue
        anchor_date, anchor_document = anchor
        reports = ctx.index.at(artifact.number, scope)
        dues = _due_dates(anchor_date, every, ctx.as_of)
        met = _match(dues, reports, grace)
        overdue = []
        for due in [*dues, add_months(anchor_date, every * (len(dues) + 1))]:
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
                note=f"due {due.isoformat()}, every {every} months after {anchor_number} "
                f"dated {anchor_date.isoformat()}",
            )
        if overdue:
            yield _finding(rule, group, ctx, scope, artifact.number, overdue, anchor_document)


def _anchor(documents: list[Document]) -> tuple[date, Document] | None:
    dated = [(d.identifying_date.value, d) for d in documents if d.identifying_date is not None]
    return min(dated, key=lambda item: (item[0], item[1].path)) if dated else None


def _due_dates(anchor: date, every: int, as_of: date) -> list[date]:
    """Due dates up to ``as_of``: anchor + every, + 2 x every, ..."""
    dues: list[date] = []
    while (due := add_months(anchor, every * (len(dues) + 1))) <= as_of:
        dues.append(due)
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
    anchor: Document,
) -> Finding:
    artifact = ctx.model.artifacts[number]
    what = rule.params.get("description") or artifact.name
    assert anchor.identifying_date is not None
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
            Evidence(
                source=EvidenceSource.TEXT,
                text=f"{anchor.identifying_date.text} "
                f"({anchor.identifying_date.value.isoformat()})",
                detail=f"{anchor.path}: the date the reports are counted from",
            ),
            Evidence(
                source=EvidenceSource.RULE,
                text=f"due every {rule.params['every_months']} months; no {number} document "
                f"dated up to {rule.params.get('grace_days', 0)} days after {dates}",
            ),
        ),
    )
