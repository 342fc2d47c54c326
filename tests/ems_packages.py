"""A small TMF and its EMS package, for the export and import tests; helpers to edit a
package's exchange.xml the way a careless sender or an attacker would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from lxml import etree

from etmf.ems.schema import tag
from fixtures.documents import pdf_bytes, write

AS_OF = date(2026, 6, 1)

STUDY_YAML = """\
study:
  id: ABC-1
  sponsor: Example Pharma
  as_of: 2026-06-01
  milestones: {"01": 2025-01-05, "02": 2025-02-01}
countries:
  - code: KR
    milestones: {"01": 2025-02-10}
sites:
  - id: KR-001
    country: KR
    name: Seoul National University Hospital
    pi: Kim Min-jun
    milestones: {"03": 2025-04-01}
  - id: KR-002
    country: KR
    name: Samsung Medical Center
    pi: Park Ji-woo
    milestones: {}
"""

GCP = "KR/KR-001 SNUH/GCP certificate Kim.pdf"
CV_1 = "KR/KR-001 SNUH/CV.pdf"
CV_2 = "KR/KR-002 SMC/CV.pdf"
PROTOCOL = "Protocol ABC-1 v1.0.pdf"

FILES = {
    PROTOCOL: pdf_bytes("Clinical Study Protocol", "Protocol number ABC-1\nVersion 1.0"),
    GCP: pdf_bytes(
        "GCP Training Certificate",
        "ICH-GCP training\nKim Min-jun, Seoul National University Hospital\n"
        "Issued 2025-03-01\nValid until 2027-03-01",
    ),
    CV_1: pdf_bytes(
        "Curriculum Vitae",
        "Kim Min-jun\nPrincipal Investigator\nSeoul National University Hospital\n"
        "Electronically signed by Kim Min-jun on 2025-03-01",
    ),
    CV_2: pdf_bytes(
        "Curriculum Vitae",
        "Park Ji-woo\nPrincipal Investigator\nSamsung Medical Center\n"
        "Electronically signed by Park Ji-woo on 2025-05-01",
    ),
}


def build_tree(root: Path, *, study: bool = True) -> Path:
    for relpath, data in FILES.items():
        write(root / relpath, data)
    if study:
        (root / "etmf.yaml").write_text(STUDY_YAML, encoding="utf-8")
    return root


def exchange(package: Path) -> etree._Element:
    return etree.fromstring((package / "exchange.xml").read_bytes())


def object_of(root: etree._Element, source: str) -> etree._Element:
    """The OBJECT exported from the document at ``source`` in the scanned folder."""
    for element in root.iter(tag("OBJECT")):
        if element.findtext(tag("METADATA")) == source:
            return element
    raise AssertionError(f"no OBJECT for {source}")


def content_url(package: Path, source: str) -> str:
    return str(object_of(exchange(package), source).findtext(f"{tag('FILE')}/{tag('CONTENTURL')}"))


def edit(package: Path, change: Callable[[etree._Element], None]) -> None:
    root = exchange(package)
    change(root)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    (package / "exchange.xml").write_bytes(data)


def set_value(element: etree._Element, name: str, value: str) -> None:
    child = element.find(tag(name))
    assert child is not None, name
    child.text = value
