"""Where a document belongs: trial, country or site level, and which country and site.

In order: the path patterns of ``etmf.yaml``; a folder or file name containing a site id of the
study (or, without a study, a folder named like "Site 003"); a folder naming a country by code
("TW", "KR - Korea") or name ("Taiwan", "대한민국"); and last the document text, when it names
exactly one site or exactly one of the study's countries. Everything else is trial level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache

from etmf.model import Evidence, EvidenceSource, Level
from etmf.study import PlacementPattern, Study

_SEGMENT_TOKENS = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9_.\-()\[\]]+")
_GENERIC_SITE = re.compile(
    r"^(?:site|center|centre|機構|醫院|기관)[\s_#.-]*(?:no\.?\s*)?([A-Za-z0-9][A-Za-z0-9_-]*)$",
    re.IGNORECASE,
)
# Without a study: a folder that starts with a site-number-like code ("TW-001 NTUH", "KR_002").
_SITE_CODE = re.compile(r"^([A-Z]{2,3}[-_]?\d{2,4})(?![A-Za-z0-9])")


@dataclass(frozen=True, slots=True)
class Placement:
    level: Level
    country: str | None
    site: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class SiteKey:
    id: str
    country: str
    names: tuple[str, ...]
    pi: str | None


@dataclass(frozen=True, slots=True)
class PlacementContext:
    """What placement needs to know, built once per scan (and sent to worker processes)."""

    sites: tuple[SiteKey, ...]
    countries: tuple[tuple[str, tuple[str, ...]], ...]
    declared: frozenset[str]
    patterns: tuple[PlacementPattern, ...]

    def site(self, site_id: str) -> SiteKey | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def pi_names(self, site_id: str | None) -> tuple[str, ...]:
        site = self.site(site_id) if site_id else None
        return (site.pi,) if site is not None and site.pi else ()


def placement_context(
    study: Study | None, country_names: Iterable[tuple[str, Sequence[str]]]
) -> PlacementContext:
    """``country_names``: (code, names) of every country etmf has a profile for."""
    sites = tuple(
        SiteKey(
            id=s.id,
            country=s.country,
            names=tuple(n for n in (s.name, *s.aliases) if n),
            pi=s.pi,
        )
        for s in (study.sites if study else ())
    )
    return PlacementContext(
        sites=sites,
        countries=tuple((code, tuple(names)) for code, names in sorted(country_names)),
        declared=frozenset(c.code for c in study.countries) if study else frozenset(),
        patterns=study.placement if study else (),
    )


def place(relpath: str, text: str, ctx: PlacementContext) -> Placement:
    parts = relpath.split("/")
    for pattern in ctx.patterns:
        if _glob(relpath, pattern.pattern):
            return _from_pattern(pattern, ctx)
    for position in range(len(parts) - 1, -1, -1):
        site = _site_in(parts[position], ctx, generic=position < len(parts) - 1)
        if site is not None:
            site_id, country = site
            if country is None:
                country = _country_in_path(parts[:position], ctx)
            where = EvidenceSource.FILENAME if position == len(parts) - 1 else EvidenceSource.FOLDER
            return Placement(
                Level.SITE,
                country,
                site_id,
                (Evidence(source=where, text=parts[position], detail=f"names site {site_id}"),),
            )
    folders = parts[:-1]
    country = _country_in_path(folders, ctx)
    if country is not None:
        segment = next(p for p in reversed(folders) if _country_in(p, ctx) == country)
        return Placement(
            Level.COUNTRY,
            country,
            None,
            (
                Evidence(
                    source=EvidenceSource.FOLDER, text=segment, detail=f"names country {country}"
                ),
            ),
        )
    return _from_text(text, ctx)


def _glob(path: str, pattern: str) -> bool:
    """fnmatch where '**' also matches nothing: 'TW/**' matches 'TW/a.pdf'."""
    return fnmatchcase(path, pattern) or fnmatchcase(path, pattern.replace("**/", ""))


def _from_pattern(pattern: PlacementPattern, ctx: PlacementContext) -> Placement:
    site = pattern.site
    country = pattern.country
    if site is not None and country is None:
        key = ctx.site(site)
        country = key.country if key else None
    level = pattern.level or (Level.SITE if site else Level.COUNTRY if country else Level.TRIAL)
    evidence = Evidence(
        source=EvidenceSource.CONFIG, text=pattern.pattern, detail="placement pattern in etmf.yaml"
    )
    return Placement(level, country, site, (evidence,))


def _tokens(segment: str) -> list[str]:
    return _SEGMENT_TOKENS.findall(segment)


@cache
def _word(folded_name: str) -> re.Pattern[str]:
    """``folded_name`` as a whole word: only Latin letters and digits count as word characters
    around it, since CJK text has no spaces (台大醫院簽署)."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(folded_name)}(?![A-Za-z0-9])")


@cache
def _latin_word(folded_name: str) -> re.Pattern[str]:
    """A country name as a whole word, where digits may touch it ("Taiwan2024")."""
    return re.compile(rf"(?<![a-z]){re.escape(folded_name)}(?![a-z])")


def _site_in(
    segment: str, ctx: PlacementContext, *, generic: bool
) -> tuple[str, str | None] | None:
    folded = segment.casefold()
    for site in ctx.sites:
        # A substring test first: a study has hundreds of sites, and few appear in a segment.
        key = site.id.casefold()
        if key in folded and _word(key).search(folded):
            return site.id, site.country
    if not ctx.sites and generic:
        match = _GENERIC_SITE.match(segment.strip()) or _SITE_CODE.match(segment.strip())
        if match:
            return match.group(1), None
    return None


def _country_in(segment: str, ctx: PlacementContext) -> str | None:
    tokens = _tokens(segment)
    folded = segment.casefold()
    for code, names in _ordered(ctx):
        if code in tokens and (len(tokens) <= 3 or any(n.casefold() in folded for n in names)):
            return code
        for name in names:
            key = name.casefold()
            if key in folded and _latin_word(key).search(folded):
                return code
    return None


def _ordered(ctx: PlacementContext) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Declared countries first, so a study's own countries win over look-alikes."""
    return _declared_first(ctx.countries, ctx.declared)


@cache
def _declared_first(
    countries: tuple[tuple[str, tuple[str, ...]], ...], declared: frozenset[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted(countries, key=lambda item: (item[0] not in declared, item[0])))


def _country_in_path(folders: Sequence[str], ctx: PlacementContext) -> str | None:
    for segment in reversed(folders):
        country = _country_in(segment, ctx)
        if country is not None:
            return country
    return None


def _named(name: str, folded_text: str) -> bool:
    """``name`` occurs as a whole word (see :func:`_word`)."""
    key = name.casefold()
    return key in folded_text and _word(key).search(folded_text) is not None


def _from_text(text: str, ctx: PlacementContext) -> Placement:
    """A document whose path says nothing: the text names one site (site level), sites of one
    country or one declared country (country level); anything broader is trial level."""
    folded = text[:4000].casefold()
    if not folded:
        return Placement(Level.TRIAL, None, None, ())
    hits = []
    for site in ctx.sites:
        name = next((n for n in (site.id, *site.names) if _named(n, folded)), None)
        if name is not None:
            hits.append((site, name))
    if len(hits) == 1:
        site, name = hits[0]
        evidence = Evidence(source=EvidenceSource.TEXT, text=name, detail=f"names site {site.id}")
        return Placement(Level.SITE, site.country, site.id, (evidence,))
    if hits:
        countries = {site.country for site, _ in hits}
        if len(countries) == 1:
            (code,) = countries
            listed = ", ".join(name for _, name in hits)
            evidence = Evidence(
                source=EvidenceSource.TEXT, text=listed, detail=f"names only sites in {code}"
            )
            return Placement(Level.COUNTRY, code, None, (evidence,))
        return Placement(Level.TRIAL, None, None, ())
    found: dict[str, str] = {}
    for code, names in ctx.countries:
        if code in ctx.declared:
            name = next((n for n in names if _named(n, folded)), None)
            if name is not None:
                found[code] = name
    if len(found) == 1:
        ((code, name),) = found.items()
        evidence = Evidence(source=EvidenceSource.TEXT, text=name, detail=f"names only {code}")
        return Placement(Level.COUNTRY, code, None, (evidence,))
    return Placement(Level.TRIAL, None, None, ())
