"""Checks on an EMS package scanned: its files are the ones exchange.xml lists, and its
metadata agrees with what etmf reads in them.

A receiver verifies every checksum before filing (eTMF-EMS v1.0); what cannot be verified, or
fails, is an ``integrity`` finding, and so is an exchange.xml that could not be used. Where
the package's metadata and etmf's own reading disagree, the package's metadata was used and a
person decides which is right (``metadata_mismatch``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from etmf.context import Context, Group, Scope
from etmf.ems.record import PackageProblem
from etmf.model import Evidence, EvidenceSource, Finding, Kind

if TYPE_CHECKING:
    from etmf.profiles import Rule


def intact(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    for document in group.at(group.members.exchanged):
        note = document.exchange
        if note is None or note.verified is not False:
            continue
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.INTEGRITY,
            document=document,
            message=f"{document.path}: the file's SHA-256 is {document.sha256}, but exchange.xml "
            f"declares {note.integrity} (OBJECT {note.object_id!r}, line {note.line}); the file "
            "changed after the package was made",
            evidence=(
                Evidence(
                    source=EvidenceSource.EXCHANGE,
                    text=note.integrity,
                    detail=f"INTEGRITY of OBJECT {note.object_id!r}, exchange.xml line {note.line}",
                ),
            ),
        )
    merged: dict[tuple[object, ...], list[PackageProblem]] = {}
    for problem in ctx.exchange:
        if _governs(group, problem.country, ctx):
            key = (problem.level, problem.country, problem.site, problem.artifact, problem.path)
            merged.setdefault(key, []).append(problem)
    for problems in merged.values():
        first = problems[0]
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.INTEGRITY,
            scope=Scope(first.level, first.country, first.site),
            artifact=first.artifact,
            path=first.path,
            message="; ".join(p.message for p in problems),
            evidence=tuple(e for p in problems for e in p.evidence),
        )


def _governs(group: Group, country: str | None, ctx: Context) -> bool:
    """Each package problem is reported once: by the group of its country when the study
    declares the country, else by the base group (the one profile that is last in its own
    chain)."""
    if country is not None and country in group.countries:
        return True
    declared = {c.code for c in ctx.study.countries} if ctx.study else set()
    is_base = group.profile.chain[-1] == group.profile.id
    return is_base and (country is None or country not in declared)


def consistent(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    for document in group.at(group.members.exchanged):
        note = document.exchange
        if note is None or not note.disagreements:
            continue
        said = "; ".join(
            f"{d.field} {d.package or 'none'} in exchange.xml, {d.read} read"
            for d in note.disagreements
        )
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.METADATA_MISMATCH,
            document=document,
            message=f"{document.path}: exchange.xml (OBJECT {note.object_id!r}, line "
            f"{note.line}) and etmf's reading of the file disagree: {said}",
            evidence=tuple(
                Evidence(
                    source=EvidenceSource.EXCHANGE,
                    text=f"{d.field}: {d.package or 'none'}",
                    detail=f"etmf read {d.read}: {d.evidence}",
                )
                for d in note.disagreements
            ),
        )
