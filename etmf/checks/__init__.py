"""The closed vocabulary of check kinds that profiles combine.

Each kind is a small function with declared parameters (a JSON Schema). Profiles say *which*
artifact, level, period or language; Python only knows *how* to check. The registry below is
built explicitly; nothing registers itself at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema

from etmf.checks import documents, evidence, order, package, presence, recurring
from etmf.context import Context, DocumentNote, Group
from etmf.errors import UsageError
from etmf.model import Expectation, Finding, Retention
from etmf.tmf.refmodel import ReferenceModel
from etmf.yamlschema import describe_error, key_path

if TYPE_CHECKING:
    from etmf.profiles import Rule

Outcome = Finding | Expectation | DocumentNote | Retention
CheckFunction = Callable[["Rule", Group, Context], Iterator[Outcome]]


@dataclass(frozen=True, slots=True)
class CheckKind:
    name: str
    summary: str
    params: Mapping[str, Any]
    run: CheckFunction


class CheckRegistry:
    def __init__(self, kinds: list[CheckKind]) -> None:
        self._kinds: dict[str, CheckKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"check kind {kind.name!r} registered twice")
            self._kinds[kind.name] = kind

    @property
    def names(self) -> list[str]:
        return sorted(self._kinds)

    def __getitem__(self, name: str) -> CheckKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UsageError(
                f"unknown check kind {name!r} (known: {', '.join(self.names)})"
            ) from None

    def check_params(
        self, name: str, params: Mapping[str, Any], model: ReferenceModel
    ) -> tuple[list[str | int], str] | None:
        """The first problem with a rule's parameters, as (key path, message), or None."""
        kind = self[name]
        validator = jsonschema.Draft202012Validator(kind.params)
        for error in sorted(validator.iter_errors(dict(params)), key=lambda e: list(e.path)):
            message, where = describe_error(error, key_path(error.path))
            parts: list[str | int] = [p for p in where.replace("[", ".").split(".") if p]
            return parts, message
        events = [params.get(key) for key in ("first", "then")]
        for key, event in zip(("first", "then"), events, strict=True):
            number = event.get("artifact") if isinstance(event, Mapping) else None
            if isinstance(number, str) and number not in model.artifacts:
                return [key, "artifact"], (
                    f"{number!r} is not an artifact number of the TMF RM v{model.version}"
                )
        for key in ("artifact", "anchor_artifact"):
            number = params.get(key)
            if isinstance(number, str) and number not in model.artifacts:
                return [key], f"{number!r} is not an artifact number of the TMF RM v{model.version}"
        for position, number in enumerate(params.get("artifacts", ())):
            if number not in model.artifacts:
                return (
                    ["artifacts", position],
                    f"{number!r} is not an artifact number of the TMF RM v{model.version}",
                )
        artifact = params.get("artifact")
        level = params.get("level")
        if isinstance(artifact, str) and isinstance(level, str):
            levels = [lv.value for lv in model.artifacts[artifact].levels]
            if level not in levels:
                return ["level"], (
                    f"the TMF RM files {artifact} at {', '.join(levels)} level, not {level}"
                )
        sub = params.get("subartifact")
        if isinstance(artifact, str) and isinstance(sub, str):
            subs = model.artifacts[artifact].subartifacts
            if sub not in subs:
                return [
                    "subartifact"
                ], f"{sub!r} is not a sub-artifact of {artifact} ({'; '.join(subs)})"
        return None


ARTIFACT = {"type": "string", "pattern": r"^\d{2}\.\d{2}\.\d{2}$"}
ARTIFACTS = {"type": "array", "minItems": 1, "uniqueItems": True, "items": ARTIFACT}
LEVEL = {"enum": ["trial", "country", "site"]}
LEVELS = {"type": "array", "minItems": 1, "uniqueItems": True, "items": LEVEL}
MILESTONE = {"type": "string", "pattern": "^(0[1-9]|1[0-2])$"}
NO_PARAMS: Mapping[str, Any] = {"type": "object", "additionalProperties": False}
EVENT = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["artifact"],
            "properties": {"artifact": ARTIFACT},
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["milestone"],
            "properties": {"milestone": MILESTONE},
        },
    ]
}

CHECKS = CheckRegistry(
    [
        CheckKind(
            name="required",
            summary="An artifact (optionally a sub-artifact) must be filed at a level once a "
            "milestone has been reached there.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["artifact", "level", "milestone"],
                "properties": {
                    "artifact": ARTIFACT,
                    "subartifact": {"type": "string"},
                    "level": LEVEL,
                    "milestone": MILESTONE,
                    "description": {"type": "string"},
                },
            },
            run=presence.required,
        ),
        CheckKind(
            name="recurring",
            summary="An artifact is due every N months after the date of an anchor document "
            "at the same scope (an annual report after the ethics approval), or every year on a "
            "day (MM-DD) once a milestone is reached; missed ones are overdue.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["artifact", "level"],
                "oneOf": [
                    {"required": ["anchor_artifact", "every_months"]},
                    {"required": ["annual_on", "from_milestone"]},
                ],
                "properties": {
                    "artifact": ARTIFACT,
                    "level": LEVEL,
                    "anchor_artifact": ARTIFACT,
                    "every_months": {"type": "integer", "minimum": 1, "maximum": 120},
                    "annual_on": {
                        "type": "string",
                        "pattern": "^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                        "description": "MM-DD: due on this day every year",
                    },
                    "from_milestone": MILESTONE,
                    "grace_days": {"type": "integer", "minimum": 0, "maximum": 365},
                    "description": {"type": "string"},
                },
            },
            run=recurring.recurring,
        ),
        CheckKind(
            name="precedes",
            summary="One event (an artifact's earliest identifying date, or a milestone) comes "
            "on or before another at the same scope; otherwise the record is out of order.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["first", "then", "level"],
                "properties": {
                    "first": EVENT,
                    "then": EVENT,
                    "level": LEVEL,
                    "first_level": LEVEL,
                    "description": {"type": "string"},
                },
            },
            run=order.precedes,
        ),
        CheckKind(
            name="retention",
            summary="How long the TMF must be kept, listed per country in the report; raises no "
            "finding.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["years", "from"],
                "properties": {
                    "years": {"type": "integer", "minimum": 1, "maximum": 100},
                    "from": {"type": "string", "minLength": 3},
                    "description": {"type": "string"},
                },
            },
            run=order.retention,
        ),
        CheckKind(
            name="expires",
            summary="A document is valid until the date it states, or for a period from its "
            "identifying date; expired and soon-expiring documents are reported.",
            params={
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "artifacts": ARTIFACTS,
                    "subartifact": {"type": "string"},
                    "levels": LEVELS,
                    "months": {"type": "integer", "minimum": 1, "maximum": 600},
                    "renewal": {"enum": ["document", "scope"]},
                    "warn_days": {"type": "integer", "minimum": 0, "maximum": 3650},
                    "description": {"type": "string"},
                },
            },
            run=evidence.expires,
        ),
        CheckKind(
            name="signed",
            summary="Documents of these artifacts carry a valid or intact signature.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["artifacts"],
                "properties": {
                    "artifacts": ARTIFACTS,
                    "levels": LEVELS,
                    "by": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": ["investigator", "institution", "sponsor"]},
                    },
                    "description": {"type": "string"},
                },
            },
            run=evidence.signed,
        ),
        CheckKind(
            name="language",
            summary="Documents of these artifacts are written in one of these languages.",
            params={
                "type": "object",
                "additionalProperties": False,
                "required": ["artifacts", "levels", "languages"],
                "properties": {
                    "artifacts": ARTIFACTS,
                    "levels": LEVELS,
                    "languages": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string", "pattern": "^[a-z]{2}(-[A-Za-z]+)?$"},
                    },
                    "description": {"type": "string"},
                },
            },
            run=evidence.language,
        ),
        CheckKind(
            name="legible",
            summary="A scanned document whose text could not be read is flagged for review.",
            params=NO_PARAMS,
            run=evidence.legible,
        ),
        CheckKind(
            name="readable",
            summary="Every file can be opened and read (not corrupt, encrypted or empty).",
            params=NO_PARAMS,
            run=documents.readable,
        ),
        CheckKind(
            name="classified",
            summary="Every readable document maps to a TMF RM artifact.",
            params=NO_PARAMS,
            run=documents.classified,
        ),
        CheckKind(
            name="unique",
            summary="The same file content is filed once.",
            params=NO_PARAMS,
            run=documents.unique,
        ),
        CheckKind(
            name="filed",
            summary="A document sits at a level where the TMF RM files its artifact.",
            params=NO_PARAMS,
            run=documents.filed,
        ),
        CheckKind(
            name="intact",
            summary="An EMS package holds every file its exchange.xml lists, each with the "
            "SHA-256 it declares, and an exchange.xml that is safe, well-formed and valid.",
            params=NO_PARAMS,
            run=package.intact,
        ),
        CheckKind(
            name="consistent",
            summary="An EMS package's metadata (artifact, level, country, site, expiry) agrees "
            "with what etmf reads in each file.",
            params=NO_PARAMS,
            run=package.consistent,
        ),
    ]
)
