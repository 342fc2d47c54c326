"""Rule evaluation: a pure function of documents, profiles, the study and ``as_of``.

The trial is governed by the base profile; each country (and its sites) by the country's
profile; the study configuration is the last layer of each. Documents are checked under the
profile of the country they were placed in. Nothing here reads files, the clock or prints.
"""

from __future__ import annotations

import fnmatch
import gc
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from etmf.checks import CHECKS
from etmf.context import Context, DocumentNote, Group
from etmf.document_index import DocumentIndex, Members
from etmf.ems.record import PackageProblem
from etmf.model import (
    Document,
    Evidence,
    EvidenceSource,
    Expectation,
    ExpectationStatus,
    Finding,
    FindingStatus,
    ProfileInfo,
    Retention,
    RuleInfo,
    Severity,
    SourceQuality,
    Summary,
    WaiverNote,
)
from etmf.profiles import BASE_PROFILE, Profile, ProfileCatalog, Rule, layer_rules
from etmf.study import Study, Waiver
from etmf.supersession import mark_current
from etmf.tmf.refmodel import ReferenceModel


@dataclass(frozen=True, slots=True)
class Evaluation:
    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    expected: tuple[Expectation, ...]
    profiles: tuple[ProfileInfo, ...]
    summary: Summary
    retention: tuple[Retention, ...] = ()
    rules: tuple[RuleInfo, ...] = ()


def plan(
    catalog: ProfileCatalog,
    study: Study | None,
    documents: Sequence[Document],
    model: ReferenceModel,
) -> tuple[list[Group], DocumentIndex]:
    """Partition the trial, countries, sites and documents among their resolved profiles, and
    index the documents (one pass over them)."""
    base = _with_study(catalog.resolve(BASE_PROFILE), study, catalog)
    groups: dict[str, dict[str, Any]] = {
        base.id: {"profile": base, "trial": study is not None, "countries": [], "sites": []}
    }

    def group_for(country: str | None) -> str:
        profile = catalog.for_country(country) if country else None
        if profile is None:
            return base.id
        if profile.id not in groups:
            groups[profile.id] = {
                "profile": _with_study(profile, study, catalog),
                "trial": False,
                "countries": [],
                "sites": [],
            }
        return profile.id

    if study is not None:
        for country in study.countries:
            groups[group_for(country.code)]["countries"].append(country.code)
        for site in study.sites:
            groups[group_for(site.country)]["sites"].append(site)
    filed_at = {number: artifact.levels for number, artifact in model.artifacts.items()}
    index = DocumentIndex(documents, group_of=group_for, filed_at=filed_at)
    return [
        Group(
            profile=g["profile"],
            trial=g["trial"],
            countries=tuple(g["countries"]),
            sites=tuple(g["sites"]),
            index=index,
            members=index.groups.get(key, Members()),
        )
        for key, g in sorted(groups.items())
    ], index


def _with_study(profile: Profile, study: Study | None, catalog: ProfileCatalog) -> Profile:
    """The study layer: its added rules, then its overrides and disabled rules, each with the
    reason the report shows. Overrides of rules this profile does not have are skipped here
    (they belong to another country's profile); ``prepare`` checks each id exists somewhere."""
    if study is None or not (study.added_rules or study.changed_rules):
        return profile
    entries = [
        {
            **entry,
            "citations": entry.get("citations")
            or [
                {
                    "source": f"Study {study.id} configuration ({study.source})",
                    "quality": SourceQuality.SPONSOR.value,
                    "note": entry["reason"],
                }
            ],
        }
        for entry in study.added_rules
    ]
    rules = layer_rules(
        profile.rules,
        entries,
        layer=f"study {study.id}",
        source=study.source,
        text=None,
        model=catalog.model,
        path_prefix=("rules", "add"),
    )
    known = {rule.id for rule in rules}
    changes = [change for change in study.changed_rules if change["id"] in known]
    rules = layer_rules(
        rules,
        changes,
        layer=f"study {study.id}",
        source=study.source,
        text=None,
        model=catalog.model,
        path_prefix=("rules", "override"),
    )
    return replace(profile, rules=rules, chain=(f"study:{study.id}", *profile.chain))


def evaluate(
    documents: Sequence[Document],
    *,
    catalog: ProfileCatalog,
    study: Study | None,
    as_of: date,
    model: ReferenceModel,
    exchange: Sequence[PackageProblem] = (),
) -> Evaluation:
    """Every rule of every profile the study uses, over ``documents``, as of ``as_of``;
    ``exchange``: what is wrong with the EMS package scanned, beyond its files.

    The cyclic garbage collector is paused meanwhile: evaluation allocates many short-lived
    objects and creates no reference cycles, and each full collection would otherwise walk
    every object of every document (a second for 100,000 documents). Reference counting
    still frees memory as usual.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(
            documents, catalog=catalog, study=study, as_of=as_of, model=model, exchange=exchange
        )
    finally:
        if paused:
            gc.enable()


def _evaluate(
    documents: Sequence[Document],
    *,
    catalog: ProfileCatalog,
    study: Study | None,
    as_of: date,
    model: ReferenceModel,
    exchange: Sequence[PackageProblem],
) -> Evaluation:
    groups, index = plan(catalog, study, documents, model)
    mark_current(index)
    ctx = Context(as_of=as_of, study=study, model=model, index=index, exchange=tuple(exchange))
    findings: list[Finding] = []
    expected: list[Expectation] = []
    notes: dict[str, DocumentNote] = {}
    retention: list[Retention] = []
    used: dict[str, RuleInfo] = {}
    for group in groups:
        attributes = study.attributes if study else {}
        for rule in group.profile.enabled_rules:
            if not rule.applies_to(attributes):
                continue
            for outcome in CHECKS[rule.check].run(rule, group, ctx):
                if isinstance(outcome, Finding):
                    findings.append(outcome)
                elif isinstance(outcome, Retention):
                    retention.append(outcome)
                elif isinstance(outcome, DocumentNote):
                    notes.setdefault(outcome.path, outcome)
                else:
                    expected.append(outcome)
                if not isinstance(outcome, DocumentNote) and rule.id not in used:
                    used[rule.id] = rule_info(rule, group.profile.id)
    for path, note in notes.items():
        index.replace(index.document(path).model_copy(update={"expires": note.expires}))
    documents = index.documents
    waivers = study.waivers if study else ()
    findings = [_waive_finding(f, waivers, as_of) for f in findings]
    expected = [_waive_expectation(e, waivers, as_of) for e in expected]
    findings.sort(key=finding_order)
    expected.sort(
        key=lambda e: (e.level != "trial", e.country or "", e.site or "", e.artifact, e.rule)
    )
    return Evaluation(
        documents=tuple(documents),
        findings=tuple(findings),
        expected=tuple(expected),
        retention=tuple(sorted(retention, key=lambda r: (r.country or "", r.rule))),
        profiles=tuple(
            ProfileInfo(
                id=g.profile.id,
                name=g.profile.name,
                chain=g.profile.chain,
                version=g.profile.version,
            )
            for g in groups
        ),
        summary=summarise(
            documents, findings, expected, counted=(index.readable, index.classified)
        ),
        rules=tuple(used[rule_id] for rule_id in sorted(used)),
    )


def rule_info(rule: Rule, profile: str) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        check=rule.check,
        title=rule.title,
        severity=rule.severity,
        rationale=rule.rationale,
        citations=rule.citations,
        profile=profile,
    )


def finding_order(finding: Finding) -> tuple[Any, ...]:
    """Trial first, then countries, then sites; worst severity first; then artifact and path."""
    level_rank = {"trial": 0, "country": 1, "site": 2}.get(finding.level or "", 3)
    return (
        finding.site or "",
        level_rank,
        finding.country or "",
        -finding.severity.rank,
        finding.artifact or "",
        finding.path or "",
        finding.rule,
        finding.id,
    )


def _matching_waiver(
    waivers: Iterable[Waiver],
    rule: str,
    *,
    country: str | None,
    site: str | None,
    path: str | None,
) -> Waiver | None:
    for waiver in waivers:
        if waiver.rule != rule:
            continue
        if waiver.country is not None and waiver.country != country:
            continue
        if waiver.site is not None and waiver.site != site:
            continue
        if waiver.path is not None and (path is None or not fnmatch.fnmatchcase(path, waiver.path)):
            continue
        return waiver
    return None


def _waive_finding(finding: Finding, waivers: Sequence[Waiver], as_of: date) -> Finding:
    waiver = _matching_waiver(
        waivers, finding.rule, country=finding.country, site=finding.site, path=finding.path
    )
    if waiver is None:
        return finding
    if waiver.until is not None and waiver.until < as_of:
        lapsed = Evidence(
            source=EvidenceSource.CONFIG,
            text=f"waiver expired on {waiver.until.isoformat()}: {waiver.reason}",
            detail="the waiver no longer applies; renew it or resolve the finding",
        )
        return finding.model_copy(update={"evidence": (*finding.evidence, lapsed)})
    note = WaiverNote(reason=waiver.reason, approved_by=waiver.approved_by, until=waiver.until)
    return finding.model_copy(update={"status": FindingStatus.WAIVED, "waiver": note})


def _waive_expectation(
    expectation: Expectation, waivers: Sequence[Waiver], as_of: date
) -> Expectation:
    if expectation.status is not ExpectationStatus.MISSING:
        return expectation
    waiver = _matching_waiver(
        waivers, expectation.rule, country=expectation.country, site=expectation.site, path=None
    )
    if waiver is None or (waiver.until is not None and waiver.until < as_of):
        return expectation
    return expectation.model_copy(
        update={"status": ExpectationStatus.WAIVED, "note": waiver.reason}
    )


def summarise(
    documents: Sequence[Document],
    findings: Sequence[Finding],
    expected: Sequence[Expectation],
    *,
    counted: tuple[int, int] | None = None,
) -> Summary:
    """``counted``: the readable and classified documents, when the caller counted them."""
    open_findings = [f for f in findings if f.status is FindingStatus.OPEN]
    statuses = Counter(e.status for e in expected)
    present = statuses[ExpectationStatus.PRESENT]
    due = present + statuses[ExpectationStatus.MISSING]
    if counted is None:
        counted = (
            sum(1 for d in documents if d.readable),
            sum(1 for d in documents if d.artifact is not None),
        )
    readable, classified = counted
    return Summary(
        documents=len(documents),
        readable=readable,
        classified=classified,
        expected=len(expected),
        present=present,
        missing=statuses[ExpectationStatus.MISSING],
        waived=statuses[ExpectationStatus.WAIVED],
        not_yet_due=statuses[ExpectationStatus.NOT_YET_DUE],
        completeness=round(present / due, 4) if due else None,
        open_findings=len(open_findings),
        waived_findings=len(findings) - len(open_findings),
        by_kind=dict(sorted(Counter(f.kind.value for f in open_findings).items())),
        by_severity={
            severity.value: sum(1 for f in open_findings if f.severity is severity)
            for severity in Severity
        },
    )
