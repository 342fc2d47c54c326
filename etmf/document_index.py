"""Documents indexed once per evaluation, in one pass: by artifact and scope, by content, and
by the profile group that governs them.

A large TMF holds 100,000 documents and each pass over them costs about a tenth of a second,
so everything the checks look up is noted in the same pass: where each record is filed, which
content is filed twice, and for each group the few documents a per-document check reports
(unreadable, unclassified, unread scans, misfiled, stating an expiry, from an EMS package).
The index holds positions into its own list, so a document replaced later (marked
superseded, given its expiry) is replaced once and every lookup sees the new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from etmf.model import DateRole, Document, Level

_STATED_EXPIRY = (DateRole.EXPIRY, DateRole.PERIOD_END)

ScopeKey = tuple[str, Level | None, str | None, str | None]


class ScopeLike(Protocol):
    """A trial, country or site scope (``etmf.context.Scope``)."""

    @property
    def level(self) -> Level: ...

    @property
    def country(self) -> str | None: ...

    @property
    def site(self) -> str | None: ...


@dataclass(slots=True)
class Members:
    """Positions (into the index) of one group's documents, in the index's order."""

    all: list[int] = field(default_factory=list)
    by_artifact: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    stated: list[int] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    unclassified: list[int] = field(default_factory=list)
    unread_scans: list[int] = field(default_factory=list)
    misfiled: list[int] = field(default_factory=list)
    copied: list[int] = field(default_factory=list)
    exchanged: list[int] = field(default_factory=list)  # listed in an EMS package's exchange.xml


class DocumentIndex:
    """``group_of`` names the group that governs a document placed in a country (None: not
    placed in one); ``filed_at`` gives the levels at which the reference model files each
    artifact, so misfiled documents are found in the same pass."""

    def __init__(
        self,
        documents: Iterable[Document],
        *,
        group_of: Callable[[str | None], str] = lambda country: "",
        filed_at: Mapping[str, Collection[Level]] | None = None,
    ) -> None:
        self._documents = list(documents)
        # Keyed by plain tuples (artifact, level, country, site): cheaper than building and
        # hashing a Scope for each document.
        self._by_scope: dict[ScopeKey, list[int]] = defaultdict(list)
        self._position: dict[str, int] = {}
        self._copies: dict[str, list[int]] = {}
        self.groups: dict[str, Members] = {}
        self.readable = 0
        self.classified = 0
        self._build(group_of, filed_at or {})

    def _build(
        self, group_of: Callable[[str | None], str], filed_at: Mapping[str, Collection[Level]]
    ) -> None:
        by_scope, positions, groups = self._by_scope, self._position, self.groups
        first: dict[str, int] = {}
        group_of_position: list[Members] = []
        by_country: dict[str | None, Members] = {}
        for position, document in enumerate(self._documents):
            positions[document.path] = position
            country = document.country
            members = by_country.get(country)
            if members is None:
                members = groups.setdefault(group_of(country), Members())
                by_country[country] = members
            group_of_position.append(members)
            members.all.append(position)
            artifact = document.artifact
            if artifact is not None:
                self.classified += 1
                level = document.level
                by_scope[(artifact, level, country, document.site)].append(position)
                members.by_artifact[artifact].append(position)
                if level is not None and artifact in filed_at and level not in filed_at[artifact]:
                    members.misfiled.append(position)
            if document.exchange is not None:
                members.exchanged.append(position)
            if not document.readable:
                members.unreadable.append(position)
                continue
            self.readable += 1
            if artifact is None:
                members.unclassified.append(position)
            if document.scanned and not document.read_by_ocr:
                members.unread_scans.append(position)
            for fact in document.dates:
                if fact.role in _STATED_EXPIRY:
                    members.stated.append(position)
                    break
            held = first.setdefault(document.sha256, position)
            if held != position:
                self._copies.setdefault(document.sha256, [held]).append(position)
        for copies in self._copies.values():
            for position in copies:
                group_of_position[position].copied.append(position)
        for members in groups.values():
            members.copied.sort()

    @property
    def documents(self) -> list[Document]:
        """Every document, in the order given, with replacements applied."""
        return self._documents

    def at_positions(self, positions: Iterable[int]) -> list[Document]:
        documents = self._documents
        return [documents[p] for p in positions]

    def document(self, path: str) -> Document:
        return self._documents[self._position[path]]

    def replace(self, document: Document) -> None:
        """Put ``document`` in the place of the document with its path."""
        self._documents[self._position[document.path]] = document

    def records(self) -> Iterator[list[Document]]:
        """The documents of each artifact at each scope (placed or not) held more than once."""
        documents = self._documents
        for positions in self._by_scope.values():
            if len(positions) > 1:
                yield [documents[p] for p in positions]

    def at(
        self, artifact: str, scope: ScopeLike, *, subartifact: str | None = None
    ) -> list[Document]:
        """The documents of ``artifact`` filed at ``scope``."""
        key = (artifact, scope.level, scope.country, scope.site)
        documents = self._documents
        found = [documents[p] for p in self._by_scope.get(key, ())]
        if subartifact is None:
            return found
        return [d for d in found if d.subartifact == subartifact]

    def copies(self, sha256: str) -> list[Document]:
        """The readable documents with this content, in the order they were given, when it is
        filed more than once; otherwise none."""
        return self.at_positions(self._copies.get(sha256, ()))
