"""Checks on each document by itself: readable, classified, filed once, filed at the right level."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from etmf.context import Context, Group
from etmf.model import Evidence, EvidenceSource, Finding, Kind

if TYPE_CHECKING:
    from etmf.profiles import Rule


def readable(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    for document in group.at(group.members.unreadable):
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.UNREADABLE,
            document=document,
            message=f"{document.path} cannot be read: {document.problem}",
            evidence=(Evidence(source=EvidenceSource.TEXT, text=document.problem or ""),),
        )


def classified(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    for document in group.at(group.members.unclassified):
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.UNCLASSIFIED,
            document=document,
            message=f"{document.path} could not be matched to a TMF RM artifact; file it "
            "under a folder or name that says what it is",
            evidence=document.evidence,
        )


def unique(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    for document in group.at(group.members.copied):
        copies = ctx.index.copies(document.sha256)
        if copies[0].path != document.path:  # the first copy is the original
            yield ctx.finding(
                rule,
                group.profile,
                kind=Kind.DUPLICATE,
                document=document,
                message=f"{document.path} has the same content as {copies[0].path}",
                evidence=(
                    Evidence(
                        source=EvidenceSource.METADATA,
                        text=f"sha256 {document.sha256}",
                        detail=f"also {copies[0].path}",
                    ),
                ),
            )


def filed(rule: Rule, group: Group, ctx: Context) -> Iterator[Finding]:
    """Placed documents at a level where the reference model does not file their artifact
    (noted by the document index)."""
    for document in group.at(group.members.misfiled):
        assert document.artifact is not None
        assert document.level is not None
        artifact = ctx.model.artifacts[document.artifact]
        levels = ", ".join(level.value for level in artifact.levels)
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.MISFILED,
            document=document,
            message=f"{document.path} is filed at {document.level.value} level, but the "
            f"TMF RM files {artifact.number} {artifact.name} at {levels} level",
            evidence=document.placement,
        )
