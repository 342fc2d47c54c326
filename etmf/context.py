"""What a check sees while it runs: documents indexed by artifact and scope, the study, ``as_of``.

Checks are pure functions of this context; they never touch the disk or the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from etmf.document_index import DocumentIndex, Members
from etmf.ems.record import PackageProblem
from etmf.model import Document, Evidence, Expiry, Finding, Kind, Level, Severity
from etmf.study import SiteConfig, Study
from etmf.tmf.refmodel import ReferenceModel

if TYPE_CHECKING:
    from etmf.profiles import Profile, Rule


@dataclass(frozen=True, slots=True)
class DocumentNote:
    """What a check concluded about one document, shown with the document in the report."""

    path: str
    expires: Expiry


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a record is expected: the trial, one country, or one site."""

    level: Level
    country: str | None = None
    site: str | None = None

    def label(self) -> str:
        if self.level is Level.SITE:
            return f"site {self.site}"
        if self.level is Level.COUNTRY:
            return f"country {self.country}"
        return "trial"


@dataclass(frozen=True, slots=True)
class Group:
    """One resolved profile and the scopes and documents it governs.

    Its documents are positions in the evaluation's :class:`DocumentIndex`, which noted in one
    pass what the per-document checks report, so no check walks every document to find the
    few it reports.
    """

    profile: Profile
    trial: bool
    countries: tuple[str, ...]
    sites: tuple[SiteConfig, ...]
    index: DocumentIndex = field(repr=False)
    members: Members = field(default_factory=Members, repr=False)

    @property
    def documents(self) -> list[Document]:
        return self.index.at_positions(self.members.all)

    def at(self, positions: Iterable[int]) -> list[Document]:
        return self.index.at_positions(positions)

    def documents_of(self, artifacts: Collection[str]) -> list[Document]:
        """The group's documents of these artifacts, in the index's order."""
        by_artifact = self.members.by_artifact
        found = sorted(p for artifact in artifacts for p in by_artifact.get(artifact, ()))
        return self.at(found)

    def stating_expiry(self) -> list[Document]:
        """The group's readable documents that state an expiry or the end of a period."""
        return self.at(self.members.stated)

    def scopes(self, level: Level) -> list[Scope]:
        if level is Level.TRIAL:
            return [Scope(Level.TRIAL)] if self.trial else []
        if level is Level.COUNTRY:
            return [Scope(Level.COUNTRY, country=code) for code in self.countries]
        return [Scope(Level.SITE, country=site.country, site=site.id) for site in self.sites]


def scope_of(document: Document) -> Scope | None:
    if document.level is None:
        return None
    return Scope(document.level, document.country, document.site)


@dataclass(frozen=True, slots=True)
class Context:
    as_of: date
    study: Study | None
    model: ReferenceModel
    index: DocumentIndex
    exchange: tuple[PackageProblem, ...] = ()
    """What is wrong with the EMS package scanned, beyond its files (none: not a package)."""
    # The study's sites by id: every site scope asks for its milestones, and a study has
    # hundreds of sites.
    _sites: Mapping[str, SiteConfig] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sites: dict[str, SiteConfig] = {}
        for site in self.study.sites if self.study else ():
            sites.setdefault(site.id, site)
        object.__setattr__(self, "_sites", sites)

    def milestone_reached(self, scope: Scope, milestone: str) -> date | None:
        if self.study is None:
            return None
        if scope.level is Level.SITE and scope.site:
            site = self._sites.get(scope.site)
            return site.milestones.get(milestone) if site else None
        return self.study.milestone_reached(
            scope.level, milestone, country=scope.country, site=scope.site
        )

    def finding(
        self,
        rule: Rule,
        profile: Profile,
        *,
        kind: Kind,
        message: str,
        scope: Scope | None = None,
        document: Document | None = None,
        artifact: str | None = None,
        evidence: Sequence[Evidence] = (),
        severity: Severity | None = None,
        path: str | None = None,
    ) -> Finding:
        if scope is None and document is not None:
            scope = scope_of(document)
        artifact = artifact or (document.artifact if document else None)
        path = document.path if document else path
        key = "|".join(
            str(part)
            for part in (
                rule.id,
                kind,
                scope and scope.level,
                scope and scope.country,
                scope and scope.site,
                artifact,
                path,
            )
        )
        return Finding(
            id="F-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12],
            rule=rule.id,
            kind=kind,
            severity=severity or rule.severity,
            artifact=artifact,
            level=scope.level if scope else None,
            country=scope.country if scope else None,
            site=scope.site if scope else None,
            path=path,
            message=message,
            evidence=tuple(evidence),
            citation=rule.citations,
            profile=profile.id,
        )
