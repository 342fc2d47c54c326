"""The CDISC TMF Reference Model v3.3, read from the package data converted from its workbook.

``scripts/convert_tmf_rm.py`` produced ``reference_model_v3.3.json`` from the official workbook;
see NOTICE. Artifact names are not unique across zones (every zone has "Relevant
Communications"), so everything is keyed on the artifact number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from etmf.errors import UsageError
from etmf.model import Level

DATA_FILE = "reference_model_v3.3.json"


@dataclass(frozen=True, slots=True)
class Milestone:
    number: str
    name: str
    descriptions: MappingProxyType[Level, str]


@dataclass(frozen=True, slots=True)
class Zone:
    number: str
    name: str


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    zone: str
    name: str


@dataclass(frozen=True, slots=True)
class Artifact:
    number: str
    unique_id: int
    zone: str
    section: str
    name: str
    definition: str
    subartifacts: tuple[str, ...]
    core: bool
    ich_e6_r2: tuple[str, ...]
    sponsor_document: bool
    investigator_document: bool
    investigator_initiated: str | None
    levels: tuple[Level, ...]
    milestones: MappingProxyType[Level, str]
    dating_convention: str | None

    def milestone_at(self, level: Level) -> str | None:
        return self.milestones.get(level)


@dataclass(frozen=True, slots=True)
class ReferenceModel:
    version: str
    released: str
    zones: tuple[Zone, ...]
    sections: tuple[Section, ...]
    milestones: tuple[Milestone, ...]
    artifacts: MappingProxyType[str, Artifact]

    def artifact(self, number: str) -> Artifact:
        """The artifact with this number; a UsageError names the closest valid ones."""
        try:
            return self.artifacts[number]
        except KeyError:
            section = [a for a in self.artifacts if a.startswith(number[:5])]
            hint = f" (section {number[:5]} has {', '.join(section)})" if section else ""
            raise UsageError(
                f"{number!r} is not an artifact of the TMF RM v{self.version}{hint}"
            ) from None

    def in_zone(self, zone: str) -> list[Artifact]:
        return [a for a in self.artifacts.values() if a.zone == zone]

    def zone(self, number: str) -> Zone:
        for zone in self.zones:
            if zone.number == number:
                return zone
        raise UsageError(f"{number!r} is not a zone of the TMF RM (zones are 01 to 11)")

    def section(self, number: str) -> Section:
        for section in self.sections:
            if section.number == number:
                return section
        raise UsageError(f"{number!r} is not a section of the TMF RM")

    def milestone(self, number: str) -> Milestone:
        for milestone in self.milestones:
            if milestone.number == number:
                return milestone
        raise UsageError(f"{number!r} is not a TMF RM milestone (01 to 12)")


def _artifact(raw: dict[str, Any]) -> Artifact:
    return Artifact(
        number=raw["number"],
        unique_id=raw["unique_id"],
        zone=raw["zone"],
        section=raw["section"],
        name=raw["name"],
        definition=raw["definition"],
        subartifacts=tuple(raw["subartifacts"]),
        core=raw["core"],
        ich_e6_r2=tuple(raw["ich_e6_r2"]),
        sponsor_document=raw["sponsor_document"],
        investigator_document=raw["investigator_document"],
        investigator_initiated=raw["investigator_initiated"],
        levels=tuple(Level(level) for level in raw["levels"]),
        milestones=MappingProxyType({Level(k): v for k, v in raw["milestones"].items()}),
        dating_convention=raw["dating_convention"],
    )


@cache
def load_reference_model() -> ReferenceModel:
    """The packaged reference model; read once per process."""
    raw = json.loads(files("etmf.tmf").joinpath(DATA_FILE).read_text("utf-8"))
    return ReferenceModel(
        version=raw["version"],
        released=raw["released"],
        zones=tuple(Zone(z["number"], z["name"]) for z in raw["zones"]),
        sections=tuple(Section(s["number"], s["zone"], s["name"]) for s in raw["sections"]),
        milestones=tuple(
            Milestone(
                m["number"],
                m["name"],
                MappingProxyType({Level(k): v for k, v in m["descriptions"].items()}),
            )
            for m in raw["milestones"]
        ),
        artifacts=MappingProxyType({a["number"]: _artifact(a) for a in raw["artifacts"]}),
    )
