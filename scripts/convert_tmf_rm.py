"""Convert the CDISC TMF Reference Model v3.3 workbook into etmf's package data.

Usage::

    python scripts/convert_tmf_rm.py \
        ../shared/reference/tmf-rm/TMF-Reference-Model-v3.3-31-Mar-2023.xlsx \
        etmf/tmf/reference_model_v3.3.json

Reads the model's own tabs only ("Ver 3.3 Markup" for the artifacts, "Milestones_Events &
Description" for the milestones); the other tabs of that copy were added by a third party.
Struck-through runs are what the release removed and are dropped. The output is sorted,
indented JSON so that a re-run on the same workbook gives the same bytes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock

MARKUP = "Ver 3.3 Markup"
MILESTONES = "Milestones_Events & Description"

# Columns of the "Ver 3.3 Markup" tab (0-based), from its header row.
ZONE_NO, ZONE_NAME, SECTION_NO, SECTION_NAME = 0, 1, 2, 3
ARTIFACT_NO, ARTIFACT_NAME, DEFINITION, SUBARTIFACTS, CORE, ICH = 4, 5, 6, 7, 8, 9
UNIQUE_ID, SPONSOR_DOC, INVESTIGATOR_DOC, IIS = 12, 13, 14, 17
TRIAL_DOC, TRIAL_MS, COUNTRY_DOC, COUNTRY_MS, SITE_DOC, SITE_MS, DATING = 20, 21, 22, 23, 24, 25, 26


def cell_text(cell: Any) -> str:
    """The cell's text without struck-through runs, stripped."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, CellRichText):
        parts = []
        for block in value:
            if isinstance(block, TextBlock):
                if block.font is not None and block.font.strike:
                    continue
                parts.append(block.text)
            else:
                parts.append(str(block))
        return "".join(parts).strip()
    if cell.font is not None and cell.font.strike:
        return ""
    return str(value).strip()


def flag(cell: Any) -> bool:
    return cell_text(cell).upper() == "X"


def milestone(cell: Any) -> str | None:
    """The milestone number of a cell such as '03 Site Live' or '#2 Clinical ...'."""
    match = re.match(r"\s*#?(\d{1,2})\b", cell_text(cell))
    return f"{int(match.group(1)):02d}" if match else None


def clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def subartifacts(text: str) -> list[str]:
    names = [clean_name(line) for line in text.splitlines()]
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen


def ich_refs(text: str) -> list[str]:
    """ICH E6(R2) section numbers as written; numeric cells may have lost a trailing zero."""
    return [ref for ref in re.split(r"[\s,;]+", text) if ref]


def convert(workbook_path: Path) -> dict[str, Any]:
    workbook = openpyxl.load_workbook(workbook_path, rich_text=True)
    sheet = workbook[MARKUP]
    zones: dict[str, str] = {}
    sections: dict[str, dict[str, str]] = {}
    artifacts: list[dict[str, Any]] = []
    for row in sheet.iter_rows(min_row=4):
        number = cell_text(row[ARTIFACT_NO])
        if not re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", number):
            continue
        zone = number[:2]
        section = number[:5]
        zones.setdefault(zone, clean_name(cell_text(row[ZONE_NAME])))
        sections.setdefault(
            section, {"zone": zone, "name": clean_name(cell_text(row[SECTION_NAME]))}
        )
        levels = {
            "trial": flag(row[TRIAL_DOC]),
            "country": flag(row[COUNTRY_DOC]),
            "site": flag(row[SITE_DOC]),
        }
        milestones = {
            level: reached
            for level, column in (("trial", TRIAL_MS), ("country", COUNTRY_MS), ("site", SITE_MS))
            if levels[level] and (reached := milestone(row[column])) is not None
        }
        artifacts.append(
            {
                "number": number,
                "unique_id": int(cell_text(row[UNIQUE_ID])),
                "zone": zone,
                "section": section,
                "name": clean_name(cell_text(row[ARTIFACT_NAME])),
                "definition": clean_name(cell_text(row[DEFINITION])),
                "subartifacts": subartifacts(cell_text(row[SUBARTIFACTS])),
                "core": cell_text(row[CORE]).lower().startswith("core"),
                "ich_e6_r2": ich_refs(cell_text(row[ICH])),
                "sponsor_document": flag(row[SPONSOR_DOC]),
                "investigator_document": flag(row[INVESTIGATOR_DOC]),
                "investigator_initiated": cell_text(row[IIS]) or None,
                "levels": [level for level, present in levels.items() if present],
                "milestones": milestones,
                "dating_convention": clean_name(cell_text(row[DATING])) or None,
            }
        )
    return {
        "model": "CDISC TMF Reference Model",
        "version": "3.3",
        "released": "2023-03-31",
        "source": f"{workbook_path.name}, tabs '{MARKUP}' and '{MILESTONES}'",
        "licence": (
            "The TMF Reference Model initiative is governed by the rules and procedures of "
            "CDISC but the work products are a Public Domain work."
        ),
        "milestones": read_milestones(workbook[MILESTONES]),
        "zones": [{"number": number, "name": name} for number, name in sorted(zones.items())],
        "sections": [
            {"number": number, "zone": info["zone"], "name": info["name"]}
            for number, info in sorted(sections.items())
        ],
        "artifacts": sorted(artifacts, key=lambda artifact: artifact["number"]),
    }


def read_milestones(sheet: Any) -> list[dict[str, Any]]:
    """Milestone number, name and what it means at each level (columns C, D, E)."""
    result = []
    for row in sheet.iter_rows():
        label = cell_text(row[0])
        if not re.fullmatch(r"#\d+", label):
            continue
        descriptions = {
            level: clean_name(cell_text(row[column]))
            for level, column in (("trial", 2), ("country", 3), ("site", 4))
            if cell_text(row[column])
        }
        result.append(
            {
                "number": f"{int(label[1:]):02d}",
                "name": clean_name(cell_text(row[1])),
                "descriptions": descriptions,
            }
        )
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    data = convert(Path(argv[0]))
    Path(argv[1]).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(
        f"{len(data['artifacts'])} artifacts, {len(data['sections'])} sections, "
        f"{len(data['zones'])} zones -> {argv[1]}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
