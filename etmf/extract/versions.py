"""A document's version number, from its file name or its text, and an order for versions.

Checks that keep only the current version of a record (the newest protocol, ICF or IB per
artifact and scope) need the version a document states. The file name is read first, because
it is what the sponsor controls ("ICF_v3.0_TW.pdf"); then the text, first occurrence wins (the
title page). The forms ("Version 3.0", "版本：3.0", "第3.0版", "버전 2.0", "12판") and the names
of standards whose versions documents cite ("ICH E6 Revision 2", "CTCAE v5.0") are data in
``rules/versions.yaml``. Dates, phone numbers and amendment numbers are not versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from etmf.extract.date_rules import words_pattern
from etmf.extract.dates import find_dates
from etmf.model import EvidenceSource, VersionFact
from etmf.yamlschema import load_packaged_rules

RULES_FILE = "versions.yaml"
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# One to four dotted parts of up to three digits, not running on into more digits or parts
# (a year, a phone number or "15.08.2022" is not a version).
_NUMBER = r"\d{1,3}(?:\.\d{1,3}){0,3}"
_END = r"(?![0-9]|[./][0-9])"
_SPACE = r"[^\S\n]*"
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
_SENTENCE_END = re.compile(r"[.;。；](?:\s|$)")
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True, slots=True)
class VersionRules:
    pattern: re.Pattern[str]
    ignore: re.Pattern[str]
    ignore_reach: int


def find_version(text: str, filename: str = "") -> VersionFact | None:
    """The document's version: from ``filename`` when it states one, else the first in ``text``
    (page numbered by form feeds). ``value`` is normalised ("V 04.0" -> "4.0")."""
    rules = load_version_rules()
    if filename:
        name = _EXTENSION.sub("", filename.replace("\\", "/").rsplit("/", 1)[-1])
        found = _first(name.translate(_WIDTH).replace("_", " "), rules)
        if found is not None:
            value, start, end = found
            return VersionFact(value=value, text=name[start:end], source=EvidenceSource.FILENAME)
    found = _first(text.translate(_WIDTH), rules)
    if found is None:
        return None
    value, start, end = found
    return VersionFact(
        value=value,
        text=text[start:end],
        source=EvidenceSource.TEXT,
        page=text.count("\f", 0, start) + 1,
    )


def version_key(value: str) -> tuple[int, ...]:
    """A sort key: "3.0" < "3.1" < "10.0", and "7" == "7.0" (trailing zero parts dropped).

    Non-numeric text is ignored; a value with no digits sorts first.
    """
    parts = [int(part) for part in re.findall(r"\d+", value)]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _first(norm: str, rules: VersionRules) -> tuple[str, int, int] | None:
    for match in rules.pattern.finditer(norm):
        name, number = next((k, v) for k, v in match.groupdict().items() if v is not None)
        if _cited(norm, match.start(), rules) or _is_date(norm, match.start(name)):
            continue
        head, *rest = number.split(".")
        return ".".join([str(int(head)), *rest]), match.start(), match.end()
    return None


def _cited(norm: str, start: int, rules: VersionRules) -> bool:
    """A version just after a cited standard's name, in the same sentence ("ICH E6 Revision 2",
    "CTCAE v5.0"), is the standard's."""
    line_start = max(norm.rfind("\n", 0, start), norm.rfind("\f", 0, start)) + 1
    window = max(line_start, start - rules.ignore_reach)
    cited = [match.end() for match in rules.ignore.finditer(norm, window, start)]
    return bool(cited) and not _SENTENCE_END.search(norm, cited[-1], start)


def _is_date(norm: str, start: int) -> bool:
    """Whether a date starts here: "Version: 15 Aug 2022" names a date, not version 15."""
    snippet = norm[start : start + 40]
    dates = find_dates(snippet)
    return bool(dates) and snippet.startswith(dates[0].text)


def _hangul_bounded(pattern: str, word: str, *, before: bool) -> str:
    """Hangul has no spaces inside words: "판" is not the end of "출판" nor "판" of "판매"."""
    if not _HANGUL.search(word):
        return pattern
    return rf"(?<![\uac00-\ud7af]){pattern}" if before else rf"{pattern}(?![\uac00-\ud7af])"


def build_version_rules(raw: Mapping[str, Any]) -> VersionRules:
    alternatives = []
    count = 0

    def number() -> str:
        nonlocal count
        count += 1
        return rf"(?P<n{count}>{_NUMBER}){_END}"

    labels = [label for label in raw["labels"] if not _HANGUL.search(label)]
    hangul = [label for label in raw["labels"] if _HANGUL.search(label)]
    lead = rf"{_SPACE}[:：#]?{_SPACE}(?:v\.?)?"
    alternatives.append(rf"(?:{words_pattern(labels)}){lead}{number()}")
    if hangul:
        alternatives.append(rf"(?<![\uac00-\ud7af])(?:{words_pattern(hangul)}){lead}{number()}")
    letters = "".join(raw["letter_prefixes"])
    alternatives.append(rf"(?<![A-Za-z0-9])[{letters}](?:\.|[ ](?=\d{{1,3}}\.\d))?{number()}")
    for wrap in raw["wrapped"]:
        prefix, suffix = wrap["prefix"], wrap["suffix"]
        head = (
            _hangul_bounded(re.escape(prefix), prefix, before=True) + _SPACE
            if prefix
            else r"(?<![0-9.])"
        )
        if _LATIN.search(suffix):
            tail = rf"(?:st|nd|rd|th)?\s+{re.escape(suffix)}(?![A-Za-z])"
        else:
            tail = _SPACE + _hangul_bounded(re.escape(suffix), suffix, before=False)
        alternatives.append(f"{head}{number()}{tail}")
    # One set test on the first character rejects most positions before any alternative runs.
    starts = [*raw["labels"], *raw["letter_prefixes"], *(w["prefix"] for w in raw["wrapped"])]
    firsts = {case for word in starts if word for case in (word[0].lower(), word[0].upper())}
    gate = "(?=[0-9" + "".join(sorted(re.escape(char) for char in firsts)) + "])"
    return VersionRules(
        pattern=re.compile(gate + "(?:" + "|".join(alternatives) + ")", re.IGNORECASE),
        ignore=re.compile(words_pattern(raw["ignore_after"]), re.IGNORECASE),
        ignore_reach=raw["ignore_reach"],
    )


@cache
def load_version_rules() -> VersionRules:
    raw, _ = load_packaged_rules(RULES_FILE, "versions.schema.json")
    return build_version_rules(raw)
