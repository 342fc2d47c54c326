"""Dates in a document's text and metadata, each with its role and the words it was read from.

Expiry and ordering checks need to know *which* date a document states (approved on, valid
until, signed on), not merely that it holds dates. A date takes its role from the nearest label
before it on its line ("Valid until", "有效期限", "유효기간"), or from the period it belongs to
("1 July 2026 to 30 June 2027"). Calendars (ROC Minguo, Japanese eras), month names, labels,
each country's day/month order and the TMF Reference Model's dating conventions are data in
``rules/dates.yaml``, compiled by :mod:`etmf.extract.date_rules`; this module only applies
them.

Matching runs on a normalised copy of the text of the same length (full-width forms folded,
OCR letters-for-digits repaired inside digit runs), so every offset, quoted ``text`` and page
number refers to the text as written.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from etmf.errors import UsageError
from etmf.extract.date_rules import (
    RULES_FILE,
    DateRules,
    build_date_rules,
    fold_label,
    known_conventions,
    load_date_rules,
    words_pattern,
)
from etmf.model import DateFact, DateRole, EvidenceSource

# Compiling the rules lives in date_rules; these names stay importable from here.
__all__ = [
    "DateRules",
    "build_date_rules",
    "find_dates",
    "identifying_date",
    "known_conventions",
    "load_date_rules",
    "metadata_dates",
    "stated_expiry",
    "words_pattern",
]

GREGORIAN, ROC, JAPANESE = "gregorian", "roc", "japanese"
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE = re.compile("[\uff01-\uff5e\u3000]+")
_LABEL_REACH = 80
_PAGE_BREAK = re.compile("\f")
_META = EvidenceSource.METADATA
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})(\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    value: date
    calendar: str
    ambiguous: bool
    text_start: int
    role: DateRole
    label_role: DateRole | None = None
    in_range: bool = False
    undecided: tuple[int, int, int] | None = None  # (first, second, year) of 03/04/2025
    shows: str | None = None  # the order a numeric date proves: 25/12/2025 is "dmy"


def find_dates(
    text: str, *, country: str | None = None, source: EvidenceSource = EvidenceSource.TEXT
) -> list[DateFact]:
    """Every date in ``text``, in text order, with its role, calendar and quoted evidence.

    ``country`` (ISO alpha-2) settles the order of an all-numeric date such as 03/04/2025; with
    none, such a date is read day first and flagged ``ambiguous``. Impossible dates
    (2025-02-30) and years outside the plausible range are not dates.
    """
    rules = load_date_rules()
    norm = _normalise(text, rules)
    hits: list[_Hit] = []
    for match in rules.pattern.finditer(norm):
        hit = _parse(match, rules, country)
        if hit is not None:
            hits.append(hit)
    _settle_order(hits)
    floor = 0
    for hit in hits:
        _assign_role(norm, hit, floor, rules)
        floor = hit.end
    _join_ranges(norm, hits, rules)
    breaks = [match.start() for match in _PAGE_BREAK.finditer(text)]
    return [
        DateFact(
            value=hit.value,
            role=hit.role,
            text=text[hit.text_start : hit.end],
            source=source,
            page=bisect_right(breaks, hit.start) + 1,
            calendar=hit.calendar,
            ambiguous=hit.ambiguous,
        )
        for hit in hits
    ]


def metadata_dates(metadata: Mapping[str, str]) -> list[DateFact]:
    """Creation and modification dates from PDF ("D:20250203101500+08'00'") or OOXML (ISO)
    metadata, as written (the local date of the time stamp, not converted to UTC)."""
    rules = load_date_rules()
    by_key = {key.lower(): key for key in metadata}
    facts = []
    for wanted in rules.metadata_keys:
        key = by_key.get(wanted)
        if key is None:
            continue
        raw = str(metadata[key]).strip()
        match = _ISO_DATE.match(raw) or _PDF_DATE.match(raw)
        numbers = [int(part) for part in match.groups()] if match else []
        value = _valid_date(*numbers, rules=rules) if numbers else None
        if value is not None:
            text = f"{key}: {raw}"
            facts.append(DateFact(value=value, role=DateRole.DOCUMENT, text=text, source=_META))
    return facts


def identifying_date(dates: Sequence[DateFact], dating_convention: str | None) -> DateFact | None:
    """The date that identifies the record under the reference model's dating convention.

    In order: dates written under the convention's own labels; the convention's roles in order;
    the fallback roles (document, version, issue date) in the text; the last-resort roles; the
    metadata dates (when a file was made says least about the record: scans and conversions
    reset it). Within a role, unambiguous dates first, then the first in text order, or
    the latest where the convention says so (a signature page is complete at its last
    signature). ``dates`` is taken to be in text order, as :func:`find_dates` returns them.
    """
    rules = load_date_rules()
    in_text = [fact for fact in dates if fact.source is not EvidenceSource.METADATA]
    if dating_convention is not None:
        convention = rules.conventions.get(dating_convention)
        if convention is None:
            known = ", ".join(sorted(rules.conventions))
            raise UsageError(
                f"rules/{RULES_FILE}: no mapping for dating convention {dating_convention!r} "
                f"(known: {known})"
            )
        if convention.labels:
            labelled = [
                f for f in in_text if any(k in fold_label(f.text) for k in convention.labels)
            ]
            if chosen := _pick(labelled, latest=convention.latest):
                return chosen
        if chosen := _first_role(in_text, convention.roles, latest=convention.latest):
            return chosen
    if chosen := _first_role(in_text, rules.fallback, latest=False):
        return chosen
    if chosen := _first_role(in_text, rules.last_resort, latest=False):
        return chosen
    metadata = [fact for fact in dates if fact.source is EvidenceSource.METADATA]
    return metadata[0] if metadata else None


def stated_expiry(dates: Sequence[DateFact]) -> DateFact | None:
    """An explicit expiry or valid-until date, else the end of a stated period, else None.

    Only what the document states: an expiry computed from a validity period in a profile is
    the checks' business, not the document's.
    """
    return _first_role(dates, (DateRole.EXPIRY, DateRole.PERIOD_END), latest=False)


def _first_role(
    dates: Sequence[DateFact], roles: Iterable[DateRole], *, latest: bool
) -> DateFact | None:
    for role in roles:
        chosen = _pick([fact for fact in dates if fact.role is role], latest=latest)
        if chosen is not None:
            return chosen
    return None


def _pick(candidates: list[DateFact], *, latest: bool) -> DateFact | None:
    pool = [fact for fact in candidates if not fact.ambiguous] or candidates
    if not pool:
        return None
    return max(pool, key=lambda fact: fact.value) if latest else pool[0]


def _normalise(text: str, rules: DateRules) -> str:
    """Same length as ``text``: full-width forms folded, OCR digit confusions repaired."""
    norm = _WIDE.sub(lambda match: match.group().translate(_WIDTH), text)
    return rules.ocr_run.sub(lambda match: match.group().translate(rules.ocr_table), norm)


def _parse(match: re.Match[str], rules: DateRules, country: str | None) -> _Hit | None:
    group, kind = match.group, match.lastgroup
    calendar, ambiguous, undecided, shows = GREGORIAN, False, None, None
    if kind in ("ymd", "kdot", "ko", "rocn"):
        year, month, day = (int(group(f"{kind}_{part}")) for part in "ymd")
        if kind == "rocn":
            # "100.2.3" is more often a section number than a date: dotted ROC needs 2 digits.
            if group("rocn_s") == "." and len(group("rocn_m") + group("rocn_d")) != 4:
                return None
            year, calendar = year + rules.roc_offset, ROC
    elif kind == "num":
        year, first, second = int(group("n_y")), int(group("n_a")), int(group("n_b"))
        day, month, ambiguous = _day_month(first, second, rules, country)
        if first <= 12 and second <= 12 and first != second:
            undecided = (first, second, year)
        elif first != second:
            shows = "dmy" if first > 12 else "mdy"
    elif kind == "dmy":
        year, month, day = int(group("t_y")), rules.months[group("t_m").lower()], int(group("t_d"))
    elif kind == "mdy":
        year, month, day = int(group("u_y")), rules.months[group("u_m").lower()], int(group("u_d"))
    else:
        era, written = group("c_era"), group("c_y")
        number = 1 if written in rules.first_year else int(written)
        month, day = int(group("c_m")), int(group("c_d"))
        if era in rules.eras:
            year, calendar = rules.eras[era] + number - 1, JAPANESE
        elif era is not None or len(written) <= 3:
            if written in rules.first_year and era is None:
                return None
            year, calendar = number + rules.roc_offset, ROC
        else:
            year = number
    value = _valid_date(year, month, day, rules=rules)
    if value is None:
        return None
    start, end = match.span()
    hit = _Hit(start, end, value, calendar, ambiguous, start, rules.unlabelled_role)
    hit.undecided, hit.shows = undecided, shows
    return hit


def _valid_date(year: int, month: int, day: int, *, rules: DateRules) -> date | None:
    if not rules.years[0] <= year <= rules.years[1]:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(
    first: int, second: int, rules: DateRules, country: str | None
) -> tuple[int, int, bool]:
    """(day, month, ambiguous) of a year-last numeric date: the text decides when one part
    exceeds 12 or both are equal; otherwise the country's order, else day first, flagged."""
    if first > 12 or first == second:
        return first, second, False
    if second > 12:
        return second, first, False
    order = rules.orders.get(country.upper(), rules.default_order) if country else None
    if order in ("dmy", "mdy"):
        return (second, first, False) if order == "mdy" else (first, second, False)
    return (second, first, True) if rules.default_order == "mdy" else (first, second, True)


def _settle_order(hits: list[_Hit]) -> None:
    """The text outranks the country: when the document's other numeric dates show one order
    (25/12/2025 is day first), its undecided ones (03/04/2025) follow it."""
    shown = {hit.shows for hit in hits if hit.shows is not None}
    if len(shown) != 1:
        return
    order = shown.pop()
    for hit in hits:
        if hit.undecided is not None:
            first, second, year = hit.undecided
            day, month = (second, first) if order == "mdy" else (first, second)
            hit.value, hit.ambiguous = date(year, month, day), False


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    last = deque(matches, maxlen=1)
    return last[0] if last else None


def _line_start(norm: str, position: int) -> int:
    return max(norm.rfind("\n", 0, position), norm.rfind("\f", 0, position)) + 1


def _assign_role(norm: str, hit: _Hit, floor: int, rules: DateRules) -> None:
    line_start = _line_start(norm, hit.start)
    reach = max(floor, line_start, hit.start - _LABEL_REACH)
    label = _last(rules.labels.finditer(norm, reach, hit.start))
    if label is not None and hit.start - label.end() <= rules.label_gap:
        hit.text_start = label.start()
        hit.role = hit.label_role = rules.label_roles[fold_label(label.group())]
        if hit.role in rules.upgrades:
            hit.role = _context_role(norm, line_start, label.start(), rules) or hit.role
        return
    line_end = min(
        p for p in (norm.find("\n", hit.end), norm.find("\f", hit.end), len(norm)) if p >= 0
    )
    rest = norm[line_start : hit.start] + norm[hit.end : line_end]
    alone = not rest.strip(" \t,.;:()[]")
    hit.role = rules.alone_role if alone else rules.unlabelled_role


def _context_role(
    norm: str, line_start: int, label_start: int, rules: DateRules
) -> DateRole | None:
    """The role the nearest context word before a generic label gives, on its line; on the line
    before only for the roles that allow it (a signature line above its "Date:" line)."""
    word = _last(rules.context.finditer(norm, line_start, label_start))
    if word is not None:
        return rules.context_roles[fold_label(word.group())]
    if line_start == 0 or norm[line_start - 1] == "\f":
        return None
    word = _last(rules.context.finditer(norm, _line_start(norm, line_start - 1), line_start))
    role = rules.context_roles[fold_label(word.group())] if word is not None else None
    return role if role in rules.previous_line_roles else None


def _join_ranges(norm: str, hits: list[_Hit], rules: DateRules) -> None:
    """Two dates joined by a connector are a period; a label before the first names the period
    (weak labels), its start (most roles) or its end (expiry)."""
    for first, second in pairwise(hits):
        if first.in_range or not rules.connector.fullmatch(norm, first.end, second.start):
            continue
        label = first.label_role
        if label in rules.end_roles:
            first.role, second.role = DateRole.PERIOD_START, label
        elif label is None or label in rules.weak_roles:
            first.role, second.role = DateRole.PERIOD_START, DateRole.PERIOD_END
        else:
            first.role, second.role = label, DateRole.PERIOD_END
        second.text_start, second.in_range = first.text_start, True
