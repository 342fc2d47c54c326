"""The EMS exchange file's schema, a safe XML parser, and the standard's dd-MMM-yyyy dates.

exchange.xml comes from another organisation, so it is parsed without entity expansion, DTD
loading or network access, and without libxml2's huge-tree allowance; a DOCTYPE is refused
before parsing (an EMS file never needs one, and entity declarations are how XML bombs and
external-entity reads start).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from lxml import etree

NAMESPACE = "https://tmfrefmodel.com/ems"
EXCHANGE_FILE = "exchange.xml"
SCHEMA_FILE = "TmfReferenceModelExchange.xsd"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DATE = re.compile(r"^(\d{2})-([A-Za-z]{3})-(\d{4})$")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def tag(name: str) -> str:
    """The qualified name of an EMS element."""
    return f"{{{NAMESPACE}}}{name}"


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


@cache
def exchange_schema() -> etree.XMLSchema:
    """The packaged schema (an unchanged copy of the published one; see its first comment)."""
    data = files("etmf.ems").joinpath(SCHEMA_FILE).read_bytes()
    return etree.XMLSchema(etree.fromstring(data, safe_parser()))


@cache
def language_codes() -> frozenset[str]:
    """The ISO 639-1 codes the schema allows in OBJECTLANGUAGE."""
    schema = etree.fromstring(files("etmf.ems").joinpath(SCHEMA_FILE).read_bytes(), safe_parser())
    xs = "{http://www.w3.org/2001/XMLSchema}"
    for element in schema.iter(f"{xs}element"):
        if element.get("name") == "OBJECTLANGUAGE":
            pattern = next(element.iter(f"{xs}pattern"))
            return frozenset(pattern.get("value", "").split("|"))
    raise AssertionError("the EMS schema has no OBJECTLANGUAGE pattern")


@dataclass(frozen=True, slots=True)
class SchemaError:
    line: int
    message: str
    path: str | None


def schema_errors(root: etree._Element) -> list[SchemaError]:
    """Where ``root`` breaks the schema, with line numbers and without namespace noise."""
    schema = exchange_schema()
    if schema.validate(root):
        return []
    return [
        SchemaError(line=entry.line, message=plain(entry.message), path=entry.path)
        for entry in schema.error_log
    ]


def plain(message: str) -> str:
    return message.replace(f"{{{NAMESPACE}}}", "")


def doctype_line(data: bytes) -> int | None:
    """The line of a DOCTYPE declaration in ``data``, if it has one."""
    position = data.find(b"<!DOCTYPE")
    if position < 0:
        return None
    return data.count(b"\n", 0, position) + 1


def format_date(value: date) -> str:
    """dd-MMM-yyyy with English month abbreviations, as the standard writes dates."""
    return f"{value.day:02d}-{MONTHS[value.month - 1]}-{value.year:04d}"


def parse_date(text: str) -> date | None:
    """A dd-MMM-yyyy date (month in any case), or None when it is not one."""
    match = _DATE.match(text.strip())
    if match is None or match.group(2).upper() not in MONTHS:
        return None
    try:
        return date(int(match.group(3)), MONTHS.index(match.group(2).upper()) + 1, int(match[1]))
    except ValueError:
        return None


def xml_text(value: str) -> str:
    """``value`` without the control characters XML 1.0 cannot carry."""
    return _XML_UNSAFE.sub("", value)
