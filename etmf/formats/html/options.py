"""What the HTML report is told besides the report: the expiry horizon, the scan history and
how many documents it details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etmf.model import TrendPoint


@dataclass(frozen=True, slots=True)
class HtmlOptions:
    """``horizon_days``: how far ahead the expiry timeline looks from ``as_of``;
    ``trend``: the scan history, oldest or newest first (it is sorted), shown as given: the
    renderer does not add the current scan; ``document_limit``: how many documents get a
    details entry (documents with findings first) and how many rows the expiry table lists
    (soonest first); a note counts the rest, and the JSON report has them all. The findings
    table is never cut."""

    horizon_days: int = 90
    trend: Sequence[TrendPoint] = field(default=())
    document_limit: int = 2000

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ValueError(f"horizon_days must be at least 1, got {self.horizon_days}")
        if self.document_limit < 0:
            raise ValueError(f"document_limit must be 0 or more, got {self.document_limit}")
        object.__setattr__(self, "trend", tuple(self.trend))
