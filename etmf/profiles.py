"""Profiles: layered sets of rules, read from YAML shipped in the package.

``rules/base.yaml`` holds the ICH GCP essentials; each file in ``country_profiles/`` extends it
(directly or through a region). A layer adds rules, or changes an inherited rule by id: its
parameters, severity, citations, or ``enabled: false``. The study configuration is the last
layer. Every resolved rule remembers the profile that defined it and those that changed it, so
``etmf profiles show`` can say where each value came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from etmf.checks import CHECKS
from etmf.errors import ConfigError, UsageError
from etmf.model import Citation, Severity, SourceQuality
from etmf.tmf.refmodel import ReferenceModel, load_reference_model
from etmf.yamlschema import config_error, load_yaml, validate

BASE_PROFILE = "base"
_NEW_RULE_KEYS = ("check", "title", "severity", "citations")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    check: str
    title: str
    severity: Severity
    params: Mapping[str, Any]
    citations: tuple[Citation, ...]
    rationale: str | None
    enabled: bool
    origin: str
    changed_by: tuple[str, ...] = ()
    when: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Study attributes the rule depends on: it applies only when each has this value (or one
    of a list of values)."""

    def applies_to(self, attributes: Mapping[str, Any]) -> bool:
        for name, wanted in self.when.items():
            allowed = wanted if isinstance(wanted, list) else [wanted]
            if name not in attributes or attributes[name] not in allowed:
                return False
        return True


@dataclass(frozen=True, slots=True)
class CountryInfo:
    code: str
    alpha3: str
    names: tuple[str, ...]
    authority: str | None
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    name: str
    source: str
    chain: tuple[str, ...]
    rules: tuple[Rule, ...]
    country: CountryInfo | None = None
    members: tuple[str, ...] = ()
    version: str | None = None

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    @property
    def enabled_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)


@dataclass(frozen=True, slots=True)
class _RawProfile:
    data: Mapping[str, Any]
    source: str
    text: str


class ProfileCatalog:
    """Every profile available: the packaged ones and any from extra folders."""

    def __init__(self, raw: Mapping[str, _RawProfile], model: ReferenceModel) -> None:
        self._raw = dict(raw)
        self._model = model
        self._resolved: dict[str, Profile] = {}

    @classmethod
    def load(
        cls, extra: Sequence[Path] = (), *, model: ReferenceModel | None = None
    ) -> ProfileCatalog:
        """The packaged profiles, then YAML files or folders in ``extra`` (later ones win)."""
        sources: list[tuple[str, Traversable | Path]] = [
            (f"rules/{BASE_PROFILE}.yaml", files("etmf.rules").joinpath(f"{BASE_PROFILE}.yaml"))
        ]
        sources += sorted(
            (f"country_profiles/{entry.name}", entry)
            for entry in files("etmf.country_profiles").iterdir()
            if entry.name.endswith(".yaml")
        )
        for path in extra:
            if path.is_dir():
                sources += sorted((str(p), p) for p in path.glob("*.yaml"))
            else:
                sources.append((str(path), path))
        raw: dict[str, _RawProfile] = {}
        for name, entry in sources:
            profile = read_profile_file(entry, source=name)
            raw[profile.data["id"]] = profile
        return cls(raw, model or load_reference_model())

    @property
    def model(self) -> ReferenceModel:
        return self._model

    @property
    def ids(self) -> list[str]:
        return sorted(self._raw)

    def source(self, profile_id: str) -> str:
        return self._raw[profile_id].source

    @cached_property
    def country_codes(self) -> frozenset[str]:
        """Countries etmf has rules for: country profiles and members of regional ones."""
        codes: set[str] = set()
        for raw in self._raw.values():
            if "country" in raw.data:
                codes.add(raw.data["country"]["code"])
            codes.update(raw.data.get("members", ()))
        return frozenset(codes)

    def for_country(self, code: str) -> Profile | None:
        """The profile of a country: its own, else the regional profile it is a member of."""
        for profile_id, raw in sorted(self._raw.items()):
            if raw.data.get("country", {}).get("code") == code:
                return self.resolve(profile_id)
        for profile_id, raw in sorted(self._raw.items()):
            if code in raw.data.get("members", ()):
                return self.resolve(profile_id)
        return None

    def resolve(self, profile_id: str) -> Profile:
        if profile_id not in self._raw:
            raise UsageError(f"no profile {profile_id!r} (known: {', '.join(self.ids)})")
        if profile_id not in self._resolved:
            self._resolved[profile_id] = self._resolve(profile_id, ())
        return self._resolved[profile_id]

    def resolve_all(self) -> list[Profile]:
        return [self.resolve(profile_id) for profile_id in self.ids]

    def _resolve(self, profile_id: str, seen: tuple[str, ...]) -> Profile:
        raw = self._raw[profile_id]
        parent_id = raw.data.get("extends")
        parent: Profile | None = None
        if parent_id is not None:
            if parent_id in (*seen, profile_id):
                cycle = " -> ".join((*seen, profile_id, parent_id))
                raise config_error(
                    raw.source, ["extends"], f"extends cycle: {cycle}", text=raw.text
                )
            if parent_id not in self._raw:
                raise config_error(
                    raw.source,
                    ["extends"],
                    f"{parent_id!r} is not a known profile (known: {', '.join(self.ids)})",
                    text=raw.text,
                )
            parent = self._resolved.get(parent_id) or self._resolve(parent_id, (*seen, profile_id))
        rules = layer_rules(
            parent.rules if parent else (),
            raw.data.get("rules", ()),
            layer=profile_id,
            source=raw.source,
            text=raw.text,
            model=self._model,
        )
        country = raw.data.get("country")
        return Profile(
            id=profile_id,
            name=raw.data["name"],
            source=raw.source,
            chain=(profile_id, *(parent.chain if parent else ())),
            rules=rules,
            country=_country(country) if country else None,
            members=tuple(raw.data.get("members", ())),
            version=raw.data.get("version"),
        )


def read_profile_file(entry: Traversable | Path, *, source: str) -> _RawProfile:
    try:
        text = entry.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(source, "", f"cannot read: {error}") from None
    data = load_yaml(text, source=source)
    validate(data, "profile.schema.json", source=source, text=text)
    return _RawProfile(data=data, source=source, text=text)


def layer_rules(
    inherited: Iterable[Rule],
    entries: Iterable[Mapping[str, Any]],
    *,
    layer: str,
    source: str,
    text: str | None,
    model: ReferenceModel,
    path_prefix: Sequence[str | int] = ("rules",),
) -> tuple[Rule, ...]:
    """Apply one layer's rule entries on top of the inherited rules, by id."""
    rules = {rule.id: rule for rule in inherited}
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        at = [*path_prefix, position]
        rule_id = entry["id"]
        if rule_id in seen:
            raise config_error(
                source, [*at, "id"], f"rule {rule_id!r} is listed twice in this layer", text=text
            )
        seen.add(rule_id)
        base = rules.get(rule_id)
        if base is None:
            missing = [key for key in _NEW_RULE_KEYS if key not in entry]
            if missing:
                raise config_error(
                    source,
                    at,
                    f"rule {rule_id!r} is new here (no parent profile defines it), so it needs "
                    f"{', '.join(missing)}",
                    text=text,
                )
            rule = Rule(
                id=rule_id,
                check=entry["check"],
                title=entry["title"],
                severity=Severity(entry["severity"]),
                params=MappingProxyType(dict(entry.get("params", {}))),
                citations=tuple(_citation(c) for c in entry["citations"]),
                rationale=entry.get("rationale") or entry.get("reason"),
                enabled=entry.get("enabled", True),
                origin=layer,
                when=MappingProxyType(dict(entry.get("when", {}))),
            )
        else:
            if "check" in entry and entry["check"] != base.check:
                raise config_error(
                    source,
                    [*at, "check"],
                    f"rule {rule_id!r} is a {base.check!r} check in {base.origin}; a layer "
                    f"cannot change its kind (give the new rule its own id)",
                    text=text,
                )
            rule = replace(
                base,
                title=entry.get("title", base.title),
                severity=Severity(entry.get("severity", base.severity)),
                params=MappingProxyType({**base.params, **entry.get("params", {})}),
                citations=(
                    tuple(_citation(c) for c in entry["citations"])
                    if "citations" in entry
                    else base.citations
                ),
                rationale=entry.get("rationale") or entry.get("reason") or base.rationale,
                enabled=entry.get("enabled", base.enabled),
                changed_by=(*base.changed_by, layer),
                when=MappingProxyType(dict(entry["when"])) if "when" in entry else base.when,
            )
        problem = CHECKS.check_params(rule.check, rule.params, model)
        if problem is not None:
            key, message = problem
            raise config_error(source, [*at, "params", *key], message, text=text)
        rules[rule_id] = rule
    return tuple(rules.values())


def _citation(raw: Mapping[str, Any]) -> Citation:
    return Citation(
        source=raw["source"],
        url=raw.get("url"),
        quality=SourceQuality(raw["quality"]),
        note=raw.get("note"),
    )


def _country(raw: Mapping[str, Any]) -> CountryInfo:
    return CountryInfo(
        code=raw["code"],
        alpha3=raw["alpha3"],
        names=tuple(raw["names"]),
        authority=raw.get("authority"),
        languages=tuple(raw.get("languages", ())),
    )
