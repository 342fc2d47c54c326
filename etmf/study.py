"""The study configuration, ``etmf.yaml``: the trial, its countries and sites, and their milestones.

Milestone keys are the TMF Reference Model's milestone numbers ("01" First country RA approval,
"03" Site live, ...) valued by the date the milestone was reached at that level. A document is
expected once the milestone its rule names has been reached at the document's level; a site
with no milestones is not live and nothing is expected there yet.

The file is validated once, at load, against ``schemas/study.schema.json`` and then for what a
schema cannot say (a site in an undeclared country, an unknown country profile).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from etmf.errors import ConfigError
from etmf.model import Level, StudyInfo
from etmf.yamlschema import config_error, load_yaml, parse_date, validate

STUDY_FILE = "etmf.yaml"

Milestones = Mapping[str, date]


@dataclass(frozen=True, slots=True)
class CountryConfig:
    code: str
    milestones: Milestones = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class SiteConfig:
    id: str
    country: str
    name: str | None = None
    pi: str | None = None
    aliases: tuple[str, ...] = ()
    milestones: Milestones = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class PlacementPattern:
    """A glob on the relative path that places the documents it matches."""

    pattern: str
    level: Level | None = None
    country: str | None = None
    site: str | None = None


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str
    reason: str
    country: str | None = None
    site: str | None = None
    path: str | None = None
    approved_by: str | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Study:
    id: str
    source: str
    sponsor: str | None = None
    title: str | None = None
    as_of: date | None = None
    milestones: Milestones = field(default_factory=lambda: MappingProxyType({}))
    countries: tuple[CountryConfig, ...] = ()
    sites: tuple[SiteConfig, ...] = ()
    placement: tuple[PlacementPattern, ...] = ()
    added_rules: tuple[Mapping[str, Any], ...] = ()
    changed_rules: tuple[Mapping[str, Any], ...] = ()
    waivers: tuple[Waiver, ...] = ()
    trust_anchors: tuple[Path, ...] = ()
    ocr_enabled: bool = True
    ocr_languages: tuple[str, ...] = ()
    ocr_max_pages: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def country(self, code: str) -> CountryConfig | None:
        return next((c for c in self.countries if c.code == code), None)

    def site(self, site_id: str) -> SiteConfig | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def milestone_reached(
        self, level: Level, milestone: str, *, country: str | None, site: str | None
    ) -> date | None:
        """The date ``milestone`` was reached at this scope, or None if it has not been."""
        if level is Level.TRIAL:
            return self.milestones.get(milestone)
        if level is Level.COUNTRY:
            config = self.country(country) if country else None
            return config.milestones.get(milestone) if config else None
        site_config = self.site(site) if site else None
        return site_config.milestones.get(milestone) if site_config else None

    def info(self) -> StudyInfo:
        return StudyInfo(
            id=self.id,
            sponsor=self.sponsor,
            title=self.title,
            countries=tuple(c.code for c in self.countries),
            sites=tuple(s.id for s in self.sites),
        )


def find_study_file(root: Path) -> Path | None:
    candidate = root / STUDY_FILE
    return candidate if candidate.is_file() else None


def load_study(path: Path, *, known_countries: Collection[str], source: str | None = None) -> Study:
    """Read and validate a study configuration file."""
    name = source or path.name
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(name, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(name, "", f"cannot read: {error}") from None
    return parse_study(text, known_countries=known_countries, source=name)


def parse_study(text: str, *, known_countries: Collection[str], source: str) -> Study:
    raw = load_yaml(text, source=source)
    if raw is None:
        raise ConfigError(source, "", "the file is empty; it needs at least study.id")
    _normalise_milestone_keys(raw, source=source)
    validate(raw, "study.schema.json", source=source, text=text)
    study = _build(raw, source=source)
    _check_references(study, raw, known_countries=known_countries, text=text)
    return study


def _normalise_milestone_keys(raw: Any, *, source: str) -> None:
    """YAML reads an unquoted ``03:`` as the integer 3; accept it as milestone "03"."""
    if not isinstance(raw, dict):
        return
    holders: list[Any] = [raw.get("study")]
    for key in ("countries", "sites"):
        if isinstance(raw.get(key), list):
            holders.extend(raw[key])
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("milestones"), dict):
            normalised: dict[str, Any] = {}
            for key, value in holder["milestones"].items():
                name = _milestone_key(key)
                if name in normalised:
                    raise ConfigError(
                        source, "milestones", f"milestone {name!r} is given twice ({key!r})"
                    )
                normalised[name] = value
            holder["milestones"] = normalised


def _milestone_key(key: object) -> str:
    """An unquoted ``03`` is the integer 3 to YAML; anything else not a string stays invalid."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{key:02d}"
    return key if isinstance(key, str) else repr(key)


def _milestones(raw: Mapping[str, str] | None) -> Milestones:
    return MappingProxyType({k: parse_date(v) for k, v in sorted((raw or {}).items())})


def _build(raw: Mapping[str, Any], *, source: str) -> Study:
    study = raw["study"]
    rules = raw.get("rules", {})
    return Study(
        id=study["id"],
        source=source,
        sponsor=study.get("sponsor"),
        title=study.get("title"),
        as_of=parse_date(study["as_of"]) if "as_of" in study else None,
        milestones=_milestones(study.get("milestones")),
        countries=tuple(
            CountryConfig(code=c["code"], milestones=_milestones(c.get("milestones")))
            for c in raw.get("countries", [])
        ),
        sites=tuple(
            SiteConfig(
                id=s["id"],
                country=s["country"],
                name=s.get("name"),
                pi=s.get("pi"),
                aliases=tuple(s.get("aliases", ())),
                milestones=_milestones(s.get("milestones")),
            )
            for s in raw.get("sites", [])
        ),
        placement=tuple(
            PlacementPattern(
                pattern=p["pattern"],
                level=Level(p["level"]) if "level" in p else None,
                country=p.get("country"),
                site=p.get("site"),
            )
            for p in raw.get("placement", [])
        ),
        added_rules=tuple(rules.get("add", [])),
        changed_rules=(
            *rules.get("override", []),
            *({**d, "enabled": False} for d in rules.get("disable", [])),
        ),
        trust_anchors=tuple(Path(p) for p in raw.get("trust_anchors", [])),
        ocr_enabled=raw.get("ocr", {}).get("enabled", True),
        ocr_languages=tuple(raw.get("ocr", {}).get("languages", ())),
        ocr_max_pages=raw.get("ocr", {}).get("max_pages"),
        attributes=MappingProxyType(dict(raw["study"].get("attributes", {}))),
        waivers=tuple(
            Waiver(
                rule=w["rule"],
                reason=w["reason"],
                country=w.get("scope", {}).get("country"),
                site=w.get("scope", {}).get("site"),
                path=w.get("scope", {}).get("path"),
                approved_by=w.get("approved_by"),
                until=parse_date(w["until"]) if "until" in w else None,
            )
            for w in rules.get("waive", [])
        ),
    )


def _check_references(
    study: Study, raw: Mapping[str, Any], *, known_countries: Collection[str], text: str
) -> None:
    def fail(path: list[str | int], message: str) -> None:
        raise config_error(study.source, path, message, text=text)

    known = ", ".join(sorted(known_countries))
    declared: list[str] = []
    for position, country in enumerate(study.countries):
        if country.code not in known_countries:
            fail(
                ["countries", position, "code"],
                f"{country.code!r} is not a country with a profile (known: {known})",
            )
        if country.code in declared:
            fail(["countries", position, "code"], f"country {country.code!r} is declared twice")
        declared.append(country.code)
    seen: list[str] = []
    for position, site in enumerate(study.sites):
        if site.id in seen:
            fail(["sites", position, "id"], f"site {site.id!r} is declared twice")
        seen.append(site.id)
        if site.country not in declared:
            listed = ", ".join(declared) or "none"
            fail(
                ["sites", position, "country"],
                f"site {site.id!r} is in {site.country!r}, which is not declared under "
                f"countries (declared: {listed})",
            )
    for position, pattern in enumerate(study.placement):
        if pattern.site is not None and pattern.site not in seen:
            fail(["placement", position, "site"], f"{pattern.site!r} is not a declared site")
        if pattern.country is not None and pattern.country not in declared:
            fail(["placement", position, "country"], f"{pattern.country!r} is not declared")
    for position, waiver in enumerate(study.waivers):
        if waiver.site is not None and waiver.site not in seen:
            fail(["rules", "waive", position, "scope", "site"], f"{waiver.site!r} is not a site")
        if waiver.country is not None and waiver.country not in declared:
            fail(
                ["rules", "waive", position, "scope", "country"],
                f"{waiver.country!r} is not a declared country",
            )
