"""A document full of dates (a training log, a monitoring visit log) lists every date with a
role and only the first few dates without one, with a count of the rest; what a dating
convention picks is the same as when every date was listed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from etmf.analysis import EvidenceSettings, _listed
from etmf.extract.dates import find_dates, identifying_date
from etmf.model import DateRole, Document
from etmf.scan import ScanOptions, scan
from fixtures.documents import pdf_bytes, write

START = date(2025, 1, 6)


def log_lines(count: int) -> str:
    lines = [
        f"{START + timedelta(days=7 * n):%d %B %Y}  weekly drug accountability check, initials CW"
        for n in range(count)
    ]
    lines.insert(3, "Approval Date: 2 January 2025")
    return "\n".join(lines)


def scanned(tmp_path: Path, name: str, body: str) -> Document:
    write(tmp_path / "tmf" / name, pdf_bytes("Drug Accountability Log", body))
    report = scan(tmp_path / "tmf", as_of=date(2026, 1, 1), options=ScanOptions(jobs=0))
    (document,) = report.documents
    return document


def test_a_long_log_lists_the_first_unlabelled_dates_and_counts_the_rest(tmp_path: Path) -> None:
    document = scanned(tmp_path, "accountability log.pdf", log_lines(40))
    unlabelled = [d for d in document.dates if d.role is DateRole.OTHER]
    keep = EvidenceSettings().unlabelled_dates
    # the first ones in text order, and the latest (a "Last Entry Date" convention picks it)
    assert [d.value for d in unlabelled[:keep]] == [
        START + timedelta(days=7 * n) for n in range(keep)
    ]
    assert unlabelled[-1].value == START + timedelta(days=7 * 39)
    assert len(unlabelled) == keep + 1
    assert document.dates_omitted == 40 - len(unlabelled)
    approval = [d for d in document.dates if d.role is DateRole.APPROVAL]
    assert [d.value for d in approval] == [date(2025, 1, 2)]


def test_a_short_document_lists_every_date(tmp_path: Path) -> None:
    document = scanned(tmp_path, "log.pdf", log_lines(5))
    assert document.dates_omitted == 0
    assert len([d for d in document.dates if d.role is DateRole.OTHER]) == 5


def test_every_convention_picks_the_same_date_from_the_listed_dates() -> None:
    text = log_lines(60).replace("CW\n", "CW 03/04/2025\n", 5)
    dates = tuple(find_dates(text, country=None))
    assert sum(d.role is DateRole.OTHER for d in dates) > 60
    for convention in (None, "Last Entry Date", "Approval Date", "Signature Date"):
        chosen = identifying_date(dates, convention)
        listed = _listed(dates, chosen, 10)
        assert len(listed) < len(dates)
        assert identifying_date(listed, convention) == chosen, convention
