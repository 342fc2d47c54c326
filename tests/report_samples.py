"""Reports for the output-format tests: a real scan of a small generated TMF whose file names
are hostile (commas, quotes, a line break, CJK, formula prefixes, markup), and the same report
with a few fields changed in memory for cases a scan cannot produce."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etmf.model import Finding, FindingStatus, Report
from etmf.scan import scan
from fixtures.documents import docx_bytes, pdf_bytes, write

AS_OF = date(2026, 1, 1)

STUDY_YAML = """\
study:
  id: S-1
  as_of: 2026-01-01
  milestones: {"01": 2025-01-05, "02": 2025-02-01}
countries:
  - code: TW
    milestones: {"01": 2025-01-20}
sites:
  - id: TW-001
    country: TW
    name: National Taiwan University Hospital
    milestones: {"03": 2025-06-01}
  - id: TW-002
    country: TW
    name: Chang Gung Memorial Hospital
    milestones: {}
rules:
  waive:
    - rule: BASE-REQ-018
      scope: {site: TW-001}
      reason: Trial-specific training is filed at trial level, "once"
      approved_by: QA Lead
      until: 2027-01-31
"""

FORMULA_NAME = '=HYPERLINK("x"), +1 @cmd -2.pdf'
SCRIPT_NAME = "<script>alert(1)</script> *bold* [link](x).pdf"
NEWLINE_NAME = 'notes\nsecond line, "quoted".txt'
CJK_NAME = "TW/TW-001 NTUH/台大醫院 會議紀錄.pdf"


def build_tree(root: Path) -> Path:
    """A trial protocol, a TW approval, a TW-001 delegation log, and four damaged or
    unclassifiable files with hostile names: each gives a finding that names its path."""
    write(root / "Protocol v1.pdf", pdf_bytes("Clinical Study Protocol", "Protocol number S-1"))
    write(root / "TW/TFDA approval letter.pdf", pdf_bytes("TFDA Approval Letter", "S-1"))
    write(
        root / "TW/TW-001 NTUH/Delegation log.docx",
        docx_bytes("Site Signature and Delegation Log", table=[["Name", "Role"], ["Chen", "PI"]]),
    )
    write(root / CJK_NAME, b"%PDF-1.4 damaged beyond repair")
    write(root / FORMULA_NAME, b"%PDF-1.4 damaged")
    write(root / SCRIPT_NAME, b"%PDF-1.4 damaged")
    write(root / NEWLINE_NAME, b"Lunch order for Friday: noodles and tea")
    (root / "etmf.yaml").write_text(STUDY_YAML, "utf-8")
    return root


_CACHE: dict[str, Report] = {}


def scanned_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The scan of ``build_tree``, once per test session (it takes about a second)."""
    if "report" not in _CACHE:
        root = build_tree(tmp_path_factory.mktemp("formats") / "tmf")
        _CACHE["report"] = scan(root, as_of=AS_OF)
    return _CACHE["report"]


def with_finding(report: Report, finding: Finding) -> Report:
    return report.model_copy(update={"findings": (*report.findings, finding)})


def open_findings(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.status is FindingStatus.OPEN]
