"""``rules/dates.yaml`` compiled into the patterns and lookups that date reading applies.

Kept apart from reading so that the costly part, the one regex for every date form and the
label and context tries, is built once per process and shared: :mod:`etmf.extract.dates` reads
dates with it, and :mod:`etmf.extract.versions` uses the same word tries and must not mistake a
date for a version. Mistakes the JSON Schema cannot see (a label given two roles) are reported
here, at load, with their key path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from etmf.model import DateRole
from etmf.yamlschema import config_error, load_packaged_rules

RULES_FILE = "dates.yaml"
_LATIN = re.compile(r"[A-Za-z]")
_HEAD = r"(?<![0-9A-Za-z.\-/])"  # not inside a longer number, code or word
_TAIL = r"(?!(?!T\d)[0-9A-Za-z]|[.\-/][0-9])"  # ... nor followed by more of it ("T10:15" is fine)
_ORDINAL = r"(?:st|nd|rd|th)?"


@dataclass(frozen=True, slots=True)
class Convention:
    roles: tuple[DateRole, ...]
    labels: tuple[str, ...]
    latest: bool


@dataclass(frozen=True, slots=True)
class DateRules:
    """``rules/dates.yaml`` compiled: patterns built once, lookups keyed by folded label."""

    pattern: re.Pattern[str]
    months: Mapping[str, int]
    eras: Mapping[str, int]
    roc_offset: int
    first_year: frozenset[str]
    years: tuple[int, int]
    default_order: str
    orders: Mapping[str, str]
    ocr_run: re.Pattern[str]
    ocr_table: Mapping[int, int]
    labels: re.Pattern[str]
    label_roles: Mapping[str, DateRole]
    label_gap: int
    context: re.Pattern[str]
    context_roles: Mapping[str, DateRole]
    upgrades: frozenset[DateRole]
    previous_line_roles: frozenset[DateRole]
    alone_role: DateRole
    unlabelled_role: DateRole
    connector: re.Pattern[str]
    weak_roles: frozenset[DateRole]
    end_roles: frozenset[DateRole]
    metadata_keys: tuple[str, ...]
    conventions: Mapping[str, Convention]
    fallback: tuple[DateRole, ...]
    last_resort: tuple[DateRole, ...]


@cache
def load_date_rules() -> DateRules:
    raw, source = load_packaged_rules(RULES_FILE, "dates.schema.json")
    return build_date_rules(raw, source=source)


def known_conventions() -> frozenset[str]:
    """The dating conventions ``rules/dates.yaml`` maps to roles."""
    return frozenset(load_date_rules().conventions)


def build_date_rules(raw: Mapping[str, Any], *, source: str) -> DateRules:
    """Compile validated YAML; a label given two roles, or a convention label that no role
    lists (so it could never appear in a date's text), is a configuration error."""
    label_roles: dict[str, DateRole] = {}
    for role, labels in raw["roles"].items():
        for label in labels:
            if label_roles.setdefault(fold_label(label), DateRole(role)) is not DateRole(role):
                raise config_error(source, ["roles", role], f"label {label!r} has two roles")
    conventions = {}
    for name, spec in raw["conventions"].items():
        labels = tuple(fold_label(label) for label in spec.get("labels", ()))
        for label in spec.get("labels", ()):
            if fold_label(label) not in label_roles:
                message = f"label {label!r} is not listed under any role"
                raise config_error(source, ["conventions", name, "labels"], message)
        roles = tuple(DateRole(role) for role in spec["roles"])
        conventions[name] = Convention(roles, labels, spec.get("pick") == "latest")
    calendars, context = raw["calendars"], raw["context"]
    eras = dict(calendars["japanese_eras"])
    roc_prefixes = list(calendars["roc"]["prefixes"])
    months = {name.lower(): index for index, names in enumerate(raw["months"], 1) for name in names}
    ocr = raw["ocr_digits"]
    letters = "".join(sorted(ocr))
    digit, either = f"[0-9{letters}]", f"[{letters}]"
    run = rf"(?<![A-Za-z0-9])(?={digit}*[0-9])(?=[0-9]*{either}){digit}{{2,}}(?![A-Za-z0-9])"
    context_roles = {
        fold_label(w): DateRole(role) for role, words in context["words"].items() for w in words
    }
    ranges = raw["ranges"]
    return DateRules(
        pattern=re.compile(
            _date_pattern(months, [*eras, *roc_prefixes], calendars["first_year_words"])
        ),
        months=months,
        eras=eras,
        roc_offset=calendars["roc"]["offset"],
        first_year=frozenset(calendars["first_year_words"]),
        years=(raw["years"]["min"], raw["years"]["max"]),
        default_order=raw["numeric_order"]["default"],
        orders=dict(raw["numeric_order"]["countries"]),
        ocr_run=re.compile(run),
        ocr_table=str.maketrans(ocr),
        labels=re.compile(
            words_pattern(label for ls in raw["roles"].values() for label in ls), re.I
        ),
        label_roles=label_roles,
        label_gap=raw["label_gap"],
        context=re.compile(words_pattern(w for ws in context["words"].values() for w in ws), re.I),
        context_roles=context_roles,
        upgrades=frozenset(DateRole(role) for role in context["upgrades"]),
        previous_line_roles=frozenset(DateRole(role) for role in context["previous_line"]),
        alone_role=DateRole(raw["unlabelled"]["alone_on_line"]),
        unlabelled_role=DateRole(raw["unlabelled"]["otherwise"]),
        connector=re.compile(rf"\s*(?:{words_pattern(ranges['connectors'])})\s*", re.I),
        weak_roles=frozenset(DateRole(role) for role in ranges["weak_roles"]),
        end_roles=frozenset(DateRole(role) for role in ranges["end_roles"]),
        metadata_keys=tuple(raw["metadata_keys"]),
        conventions=conventions,
        fallback=tuple(DateRole(role) for role in raw["fallback"]),
        last_resort=tuple(DateRole(role) for role in raw["last_resort"]),
    )


def fold_label(text: str) -> str:
    """A label's lookup key: lower case without spaces ("Date  Signed" -> "datesigned")."""
    return "".join(text.lower().split())


def words_pattern(words: Iterable[str]) -> str:
    """One regex for many words, as a trie (fast: one branch per first letter, not one per word).

    Latin words match whole (no letter may touch them), case-insensitively when compiled with
    re.I, any run of spaces between words; CJK words with an optional space between characters,
    since PDF text often has them. Greedy optional tails make the longest word win ("Signature
    date" over "Signature").
    """
    latin: dict[str, Any] = {}
    cjk: dict[str, Any] = {}
    for word in words:
        if _LATIN.search(word):
            atoms = [
                r"\s+" if c.isspace() else re.escape(c.lower()) for c in " ".join(word.split())
            ]
            _insert(latin, atoms)
        else:
            chars = [re.escape(c) for c in word if not c.isspace()]
            _insert(cjk, [atom for c in chars for atom in (c, r"\s?")][:-1])
    parts = []
    if latin:
        parts.append(rf"{_gate(latin)}(?<![A-Za-z]){_emit(latin)}(?![A-Za-z])")
    if cjk:
        parts.append(_gate(cjk) + _emit(cjk))
    return "|".join(parts)


def _gate(trie: dict[str, Any]) -> str:
    """A lookahead on the possible first characters: one set test rejects most positions."""
    firsts = sorted({atom.removeprefix("\\")[:1] for atom in trie if atom})
    return "(?=[" + "".join(re.escape(char) for char in firsts) + "])"


def _insert(trie: dict[str, Any], atoms: list[str]) -> None:
    node = trie
    for atom in atoms:
        node = node.setdefault(atom, {})
    node[""] = {}


def _emit(node: dict[str, Any]) -> str:
    branches = [atom + _emit(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _date_pattern(months: Iterable[str], eras: Iterable[str], first_year: Iterable[str]) -> str:
    """The date forms, gated by their first character so that most positions fail at once."""
    month = rf"(?i:{words_pattern(months)})"
    era = words_pattern(eras)
    one = "|".join(re.escape(word) for word in first_year)
    numeric = "|".join(
        [
            rf"(?P<ymd>{_HEAD}(?P<ymd_y>\d{{4}})(?P<ymd_s>[-/.])(?P<ymd_m>\d{{1,2}})(?P=ymd_s)"
            rf"(?P<ymd_d>\d{{1,2}}){_TAIL})",
            rf"(?P<kdot>{_HEAD}(?P<kdot_y>\d{{4}})\.\s+(?P<kdot_m>\d{{1,2}})\.\s*"
            r"(?P<kdot_d>\d{1,2})\.?(?![0-9]))",
            rf"(?P<rocn>{_HEAD}(?P<rocn_y>1\d\d)(?P<rocn_s>[-/.])(?P<rocn_m>\d{{1,2}})(?P=rocn_s)"
            rf"(?P<rocn_d>\d{{1,2}}){_TAIL})",
            rf"(?P<num>{_HEAD}(?P<n_a>\d{{1,2}})(?P<n_s>[-/.])(?P<n_b>\d{{1,2}})(?P=n_s)"
            rf"(?P<n_y>\d{{4}}){_TAIL})",
            rf"(?P<dmy>{_HEAD}(?P<t_d>\d{{1,2}}){_ORDINAL}[\s\-./]{{0,3}}(?P<t_m>{month})\.?"
            r"[\s\-.,/]{0,3}(?P<t_y>\d{4})(?![0-9]))",
            r"(?P<ko>(?<![0-9])(?P<ko_y>\d{4})\s*년\s*(?P<ko_m>\d{1,2})\s*월\s*(?P<ko_d>\d{1,2})"
            r"\s*일)",
        ]
    )
    named = (
        rf"(?P<mdy>(?P<u_m>{month})\.?\s{{1,3}}(?P<u_d>\d{{1,2}}){_ORDINAL},?\s{{1,3}}"
        r"(?P<u_y>\d{4})(?![0-9]))"
    )
    cjk = (
        rf"(?P<cjk>(?:(?P<c_era>{era})\s*|(?<![0-9]))(?P<c_y>\d{{1,4}}|{one})\s*年\s*"
        r"(?P<c_m>\d{1,2})\s*月\s*(?P<c_d>\d{1,2})\s*[日号號])"
    )
    return rf"(?=[0-9])(?:{numeric})|(?=[A-Za-z]){named}|{cjk}"
