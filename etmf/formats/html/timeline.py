"""What expires within the horizon: current documents whose expiry falls between ``as_of`` and
``as_of + horizon_days``, and every document an open ``expiring`` finding names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from etmf.model import Document, DocumentStatus, Finding, FindingStatus, Kind, Report


@dataclass(frozen=True, slots=True)
class ExpiryItem:
    expires: date
    days_left: int
    document: Document
    findings: tuple[Finding, ...]
    """The open expiring findings raised on the document."""


def expiring_items(report: Report, *, horizon_days: int) -> list[ExpiryItem]:
    """Soonest first, then by path."""
    end = report.as_of + timedelta(days=horizon_days)
    warned: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if (
            finding.kind is Kind.EXPIRING
            and finding.status is FindingStatus.OPEN
            and finding.path is not None
        ):
            warned.setdefault(finding.path, []).append(finding)
    items = []
    for document in report.documents:
        expiry = document.expires
        if expiry is None or document.status is DocumentStatus.SUPERSEDED:
            continue
        in_window = report.as_of <= expiry.date <= end
        if in_window or document.path in warned:
            items.append(
                ExpiryItem(
                    expires=expiry.date,
                    days_left=(expiry.date - report.as_of).days,
                    document=document,
                    findings=tuple(warned.get(document.path, ())),
                )
            )
    return sorted(items, key=lambda item: (item.expires, item.document.path))
