"""``etmf model list [--zone 05]`` and ``etmf model show 05.02.04``: the TMF Reference Model."""

from __future__ import annotations

import argparse
import json
from typing import Any

from etmf.cli.output import emit
from etmf.tmf.refmodel import Artifact, ReferenceModel, load_reference_model


def register(commands: Any) -> None:
    parser = commands.add_parser("model", help="show the CDISC TMF Reference Model")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list artifacts")
    listing.add_argument("--zone", help="only this zone, e.g. 05")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="show one artifact")
    show.add_argument("artifact", help="artifact number, e.g. 05.02.04")
    show.add_argument("--format", choices=["text", "json"], default="text")
    show.set_defaults(run=run_show)


def as_dict(artifact: Artifact) -> dict[str, Any]:
    return {
        "number": artifact.number,
        "unique_id": artifact.unique_id,
        "zone": artifact.zone,
        "section": artifact.section,
        "name": artifact.name,
        "definition": artifact.definition,
        "subartifacts": list(artifact.subartifacts),
        "core": artifact.core,
        "levels": [level.value for level in artifact.levels],
        "milestones": {level.value: m for level, m in artifact.milestones.items()},
        "dating_convention": artifact.dating_convention,
        "ich_e6_r2": list(artifact.ich_e6_r2),
    }


def _levels(artifact: Artifact) -> str:
    letters = {"trial": "T", "country": "C", "site": "S"}
    return "".join(letters[level.value] for level in artifact.levels)


def run_list(options: argparse.Namespace, argv: list[str]) -> int:
    model = load_reference_model()
    if options.zone:
        zone = options.zone.zfill(2)
        model.zone(zone)
        artifacts = model.in_zone(zone)
    else:
        artifacts = list(model.artifacts.values())
    if options.format == "json":
        emit(json.dumps([as_dict(a) for a in artifacts], ensure_ascii=False, indent=2) + "\n", None)
        return 0
    lines = [f"CDISC TMF Reference Model v{model.version} ({model.released})"]
    section = ""
    for artifact in artifacts:
        if artifact.section != section:
            section = artifact.section
            lines.append(f"\n{section} {model.section(section).name}")
        milestones = "/".join(artifact.milestones.get(level) or "-" for level in artifact.levels)
        kind = "core" if artifact.core else "rec."
        name = f"{artifact.name:<58}"
        lines.append(f"  {artifact.number}  {name} {_levels(artifact):<3} {milestones:<8} {kind}")
    emit("\n".join(lines) + "\n", None)
    return 0


def run_show(options: argparse.Namespace, argv: list[str]) -> int:
    model = load_reference_model()
    artifact = model.artifact(options.artifact)
    if options.format == "json":
        emit(json.dumps(as_dict(artifact), ensure_ascii=False, indent=2) + "\n", None)
        return 0
    emit(describe(artifact, model), None)
    return 0


def describe(artifact: Artifact, model: ReferenceModel) -> str:
    lines = [
        f"{artifact.number}  {artifact.name}",
        f"  zone:        {artifact.zone} {model.zone(artifact.zone).name}",
        f"  section:     {artifact.section} {model.section(artifact.section).name}",
        f"  unique id:   {artifact.unique_id}",
        f"  core:        {'core' if artifact.core else 'recommended'}",
        f"  definition:  {artifact.definition}",
        "  levels:",
    ]
    for level in artifact.levels:
        number = artifact.milestones.get(level)
        when = (
            f"from milestone {number} {model.milestone(number).name}"
            if number
            else "no milestone given in the model"
        )
        lines.append(f"    {level.value:<8} {when}")
    lines.append(f"  dating:      {artifact.dating_convention or '-'}")
    lines.append(f"  ICH E6(R2):  {', '.join(artifact.ich_e6_r2) or '-'}")
    lines.append("  sub-artifacts:")
    lines += [f"    - {sub}" for sub in artifact.subartifacts]
    return "\n".join(lines) + "\n"
