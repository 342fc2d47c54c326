"""What a check sees while it runs: documents indexed by artifact and scope, the study, ``as_of``.

Checks are pure functions of this context; they never touch the disk or the clock.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

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
    """One resolved profile and the scopes and documents it governs."""

    profile: Profile
    trial: bool
    countries: tuple[str, ...]
    sites: tuple[SiteConfig, ...]
    documents: tuple[Document, ...]

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


class DocumentIndex:
    """Documents by (artifact, scope), built once per evaluation: lookups are O(1)."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._by_scope: dict[tuple[str, Scope], list[Document]] = defaultdict(list)
        self._by_hash: dict[str, list[Document]] = defaultdict(list)
        for document in documents:
            scope = scope_of(document)
            if document.artifact is not None and scope is not None:
                self._by_scope[(document.artifact, scope)].append(document)
            if document.readable:
                self._by_hash[document.sha256].append(document)

    def at(self, artifact: str, scope: Scope, *, subartifact: str | None = None) -> list[Document]:
        documents = self._by_scope.get((artifact, scope), [])
        if subartifact is None:
            return documents
        return [d for d in documents if d.subartifact == subartifact]

    def copies(self, sha256: str) -> list[Document]:
        return self._by_hash.get(sha256, [])


@dataclass(frozen=True, slots=True)
class Context:
    as_of: date
    study: Study | None
    model: ReferenceModel
    index: DocumentIndex

    def milestone_reached(self, scope: Scope, milestone: str) -> date | None:
        if self.study is None:
            return None
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
    ) -> Finding:
        if scope is None and document is not None:
            scope = scope_of(document)
        artifact = artifact or (document.artifact if document else None)
        path = document.path if document else None
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
