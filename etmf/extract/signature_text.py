"""Signatures written in a document's text: manifestations of e-signatures and blank lines.

A manifestation is what an electronic-signature system prints on the record: the signer's
name, the date and the meaning ("Electronically signed by Chen Wei-Lin on 20 Jan 2025,
Meaning: Approval", "/s/ Chen Wei-Lin  Date: 2025-01-20"); it counts as signed. A signature
label followed by an empty line ("Signature: ________", "簽名：＿＿＿＿") is a place for a
signature nobody filled in: unsigned. The phrases and labels are data in
``rules/signatures.yaml``; dates are read with :func:`etmf.extract.dates.find_dates`, so every
format the date reader knows works here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from etmf.extract.date_rules import words_pattern
from etmf.extract.dates import find_dates
from etmf.model import SignatureFact, SignatureMethod, SignatureStatus
from etmf.yamlschema import load_packaged_rules

RULES_FILE = "signatures.yaml"
_BLANKS = "_＿.…\\-－—"
# A name: letters (any script), spaces, dots, hyphens and apostrophes, up to 60 characters.
_NAME = r"(?P<name>[^\W\d_](?:[^\S\n]?[\w.'’\-]){0,59})"
# Words after which a name stops: "… by Chen Wei-Lin on 20 Jan 2025", "… by Kim, Date: …".
_NAME_END = re.compile(
    r"[^\S\n]+(?:on|at|date[ds]?|time|reason|meaning|for|with|as)\b|[,;:(|]|[^\S\n]{2,}"
    r"|\d|日期|일자|날짜",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SignatureTextRules:
    manifestation: re.Pattern[str]
    meaning: re.Pattern[str]
    blank_line: re.Pattern[str]
    reach_lines: int


def find_text_signatures(text: str) -> list[SignatureFact]:
    """Manifestations (signed) and blank signature lines (unsigned) in ``text``, in text order,
    each with the line it was read from and its page (pages are separated by form feeds)."""
    rules = load_signature_text_rules()
    found: list[tuple[int, SignatureFact]] = []
    for match in rules.manifestation.finditer(text):
        found.append((match.start(), _manifestation(text, match, rules)))
    taken = [start for start, _ in found]
    for match in rules.blank_line.finditer(text):
        if any(abs(match.start() - start) < 3 for start in taken):
            continue
        found.append(
            (
                match.start(),
                SignatureFact(
                    method=SignatureMethod.SIGNATURE_LINE,
                    status=SignatureStatus.UNSIGNED,
                    evidence=f"blank signature line: '{_line_at(text, match.start())}'",
                    page=_page(text, match.start()),
                ),
            )
        )
    return [fact for _, fact in sorted(found, key=lambda item: item[0])]


def _manifestation(text: str, match: re.Match[str], rules: SignatureTextRules) -> SignatureFact:
    raw = match.group("name") or ""
    cut = _NAME_END.search(raw)
    name = (raw[: cut.start()] if cut else raw).strip(" .-'’")
    rest = match.start("name") + cut.start() if raw and cut else match.end()
    window = _window(text, match.start(), rules.reach_lines)
    after = text[rest:window]
    dates = find_dates(after)
    signed_at = datetime.combine(dates[0].value, datetime.min.time()) if dates else None
    meaning = rules.meaning.search(after)
    reason = meaning.group("meaning").strip(" )]）】.") if meaning else None
    quoted = " ".join(text[match.start() : window].split())
    return SignatureFact(
        method=SignatureMethod.MANIFESTATION,
        status=SignatureStatus.INTACT,
        signer=name or None,
        signed_at=signed_at,
        reason=reason,
        evidence=f"signature manifestation in the text: '{quoted[:160]}'"
        + ("" if dates else " (no date given)"),
        page=_page(text, match.start()),
    )


def _window(text: str, start: int, lines: int) -> int:
    """The end of the line holding ``start`` and of the ``lines`` lines after it."""
    end = start
    for _ in range(lines + 1):
        newline = text.find("\n", end)
        page = text.find("\f", end)
        stops = [position for position in (newline, page) if position != -1]
        if not stops:
            return len(text)
        end = min(stops)
        if text[end] == "\f":
            return end
        end += 1
    return end - 1


def _line_at(text: str, start: int) -> str:
    begin = max(text.rfind("\n", 0, start), text.rfind("\f", 0, start)) + 1
    stops = [p for p in (text.find("\n", start), text.find("\f", start)) if p != -1]
    return " ".join(text[begin : min(stops) if stops else len(text)].split())[:160]


def _page(text: str, start: int) -> int:
    return text.count("\f", 0, start) + 1


def build_signature_text_rules(raw: Mapping[str, Any]) -> SignatureTextRules:
    colon = r"[^\S\n]*[:：]?[^\S\n]*"
    leads = [rf"(?:{words_pattern(raw['manifestation_phrases'])}){colon}"]
    if raw["conformed_signature"]:
        leads.append(r"(?<![\w/])/s/[^\S\n]*")
    blank = rf"[{_BLANKS}]{{{raw['blank_run']},}}"
    return SignatureTextRules(
        manifestation=re.compile(f"(?:{'|'.join(leads)}){_NAME}?", re.IGNORECASE),
        meaning=re.compile(
            rf"(?:{words_pattern(raw['meaning_labels'])}){colon}(?P<meaning>[^\n\f]{{2,80}})",
            re.IGNORECASE,
        ),
        blank_line=re.compile(
            rf"(?:{words_pattern(raw['signature_labels'])})[^\S\n]*[:：]?[^\S\n]*{blank}",
            re.IGNORECASE,
        ),
        reach_lines=raw["reach_lines"],
    )


@cache
def load_signature_text_rules() -> SignatureTextRules:
    raw, _ = load_packaged_rules(RULES_FILE, "signatures.schema.json")
    return build_signature_text_rules(raw)
