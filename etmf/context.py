"""What a check sees while it runs: documents indexed by artifact and scope, the study, ``as_of``.

Checks are pure functions of this context; they never touch the disk or the clock.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from etmf.model import DateRole, Document, Evidence, Expiry, Finding, Kind, Level, Severity
from etmf.study import SiteConfig, Study
from etmf.tmf.refmodel import ReferenceModel

if TYPE_CHECKING:
    from etmf.profiles import Profile, Rule


_STATED_EXPIRY = (DateRole.EXPIRY, DateRole.PERIOD_END)


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
    # Positions in ``documents`` by artifact, so a rule naming a few artifacts does not scan all.
    _positions: Mapping[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    _stated: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stated = frozenset(
            position
            for position, document in enumerate(self.documents)
            if any(fact.role in _STATED_EXPIRY for fact in document.dates)
        )
        object.__setattr__(self, "_stated", stated)
        positions: dict[str, list[int]] = defaultdict(list)
        for position, document in enumerate(self.documents):
            if document.artifact is not None:
                positions[document.artifact].append(position)
        object.__setattr__(self, "_positions", {a: tuple(p) for a, p in positions.items()})

    def documents_of(self, artifacts: Collection[str]) -> list[Document]:
        """The group's documents of these artifacts, in the group's order."""
        found = sorted(p for artifact in artifacts for p in self._positions.get(artifact, ()))
        return [self.documents[p] for p in found]

    def stating_expiry(self) -> list[Document]:
        """The group's documents that state an expiry or the end of a period, in order."""
        return [self.documents[p] for p in sorted(self._stated)]

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
        # Keyed by plain tuples (artifact, level, country, site): cheaper than building and
        # hashing a Scope for each of 100,000 documents.
        self._by_scope: dict[tuple[str, Level, str | None, str | None], list[Document]] = (
            defaultdict(list)
        )
        # Nearly every hash is held once: the first copy, and lists only for duplicated ones.
        self._first: dict[str, Document] = {}
        self._copies: dict[str, list[Document]] = {}
        for document in documents:
            if document.artifact is not None and document.level is not None:
                key = (document.artifact, document.level, document.country, document.site)
                self._by_scope[key].append(document)
            if document.readable:
                first = self._first.setdefault(document.sha256, document)
                if first is not document:
                    self._copies.setdefault(document.sha256, [first]).append(document)

    def at(self, artifact: str, scope: Scope, *, subartifact: str | None = None) -> list[Document]:
        key = (artifact, scope.level, scope.country, scope.site)
        documents = self._by_scope.get(key, [])
        if subartifact is None:
            return documents
        return [d for d in documents if d.subartifact == subartifact]

    def copies(self, sha256: str) -> list[Document]:
        """The readable documents with this content, in the order they were given."""
        if sha256 in self._copies:
            return self._copies[sha256]
        first = self._first.get(sha256)
        return [first] if first is not None else []

    @property
    def duplicated(self) -> Collection[str]:
        """The hashes of content filed more than once (readable copies only)."""
        return self._copies.keys()


@dataclass(frozen=True, slots=True)
class Context:
    as_of: date
    study: Study | None
    model: ReferenceModel
    index: DocumentIndex
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
