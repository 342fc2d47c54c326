"""The classifier's vocabulary: every name of every artifact, normalised and indexed.

Names come from the reference model (artifact and sub-artifact names) and from
``rules/classification.yaml`` (synonyms, aliases in English, Chinese, Korean and Japanese,
shared names, cues). Latin-script names are matched as token sequences, longest first;
names with CJK characters as substrings of the text with spaces removed, because Chinese has
no spaces and Korean spacing varies ("업무 위임 로그" / "업무위임로그").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from etmf.tmf.refmodel import ReferenceModel, load_reference_model
from etmf.yamlschema import load_packaged_rules

VOCABULARY_FILE = "classification.yaml"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(
    r"[a-z0-9]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RUNS = re.compile(r"[a-z]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_MAX_VARIANTS = 64
_OCR_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "|": "l"})
_OCR_LETTERS = (
    ("rn", "m"),
    ("m", "rn"),
    ("vv", "w"),
    ("cl", "d"),
    ("l", "i"),
    ("i", "l"),
    ("q", "g"),
)


@dataclass(frozen=True, slots=True)
class Target:
    """One artifact (and maybe sub-artifact) a name points to, with how strongly."""

    artifact: str
    subartifact: str | None
    weight: float
    origin: str


@dataclass(frozen=True, slots=True)
class Cue:
    names: tuple[str, ...]
    family: frozenset[str]
    choose: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    latin: Mapping[tuple[str, ...], tuple[Target, ...]]
    cjk: Mapping[str, tuple[Target, ...]]
    by_first: Mapping[str, tuple[tuple[str, ...], ...]]
    words: frozenset[str]
    deletes: Mapping[str, str]
    spelling: Mapping[str, str]
    cues: tuple[tuple[Cue, frozenset[tuple[str, ...]], frozenset[str]], ...]
    pi_family: frozenset[str]
    pi_choice: str | None
    zone_names: Mapping[tuple[str, ...], str]
    # Repairs of words outside the vocabulary, by word: a TMF's texts repeat their words, and
    # trying every repair of every unknown word is most of a classification's time.
    repairs: dict[str, tuple[tuple[str, bool], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def fold(text: str) -> str:
    """NFKC, camelCase split, lower case."""
    return _CAMEL.sub(" ", unicodedata.normalize("NFKC", text)).lower()


def stem(token: str) -> str:
    """Fold plurals so that 'ranges' matches 'range' and 'approvals' 'approval'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def phrase_tokens(name: str, spelling: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(stem(spelling.get(t, t)) for t in _TOKEN.findall(fold(name)))


def squeeze(text: str) -> str:
    """Text without spaces or punctuation, for CJK substring matching."""
    return "".join(_TOKEN.findall(fold(text)))


@cache
def _converters() -> tuple[Any, Any]:
    from opencc import OpenCC

    return OpenCC("t2s"), OpenCC("s2t")


def chinese_variants(text: str) -> set[str]:
    """The same name in Simplified and in Traditional characters (Taiwan writes 計畫書,
    the mainland 计划书): an alias written once matches both."""
    if not _HAN.search(text):
        return set()
    to_simplified, to_traditional = _converters()
    return {to_simplified.convert(text), to_traditional.convert(text)} - {text}


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _expand(name: str, synonyms: Mapping[str, list[str]]) -> list[str]:
    """The name and its variants with each synonym substituted (bounded)."""
    lowered = fold(name)
    options: list[list[str]] = []
    rest = lowered
    for key in sorted(synonyms, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", rest):
            options.append([key, *synonyms[key]])
            rest = rest.replace(key, " ")
    variants = [lowered]
    for combination in itertools.islice(itertools.product(*options), _MAX_VARIANTS):
        variant = lowered
        for option, chosen in zip(options, combination, strict=True):
            variant = re.sub(rf"(?<![a-z]){re.escape(option[0])}(?![a-z])", chosen, variant)
        variants.append(variant)
    return list(dict.fromkeys(variants))


def build_vocabulary(raw: Mapping[str, Any], model: ReferenceModel) -> Vocabulary:
    spelling = {fold(k): fold(v) for k, v in raw.get("spelling", {}).items()}
    suffixes = tuple(fold(word) for word in raw.get("generic_suffixes", ()))
    synonyms = {fold(k): [fold(v) for v in vs] for k, vs in raw.get("synonyms", {}).items()}
    entries: dict[str, dict[tuple[str, str | None], Target]] = defaultdict(dict)

    def add(name: str, target: Target, *, expand: bool = True) -> None:
        short = _without_suffix(fold(name), suffixes)
        if short is not None and expand and short not in synonyms:
            add(
                short,
                Target(target.artifact, target.subartifact, target.weight * 0.8, target.origin),
                expand=True,
            )
        for variant in _expand(name, synonyms) if expand else [fold(name)]:
            key = (
                squeeze(variant) if has_cjk(variant) else " ".join(phrase_tokens(variant, spelling))
            )
            if not key:
                continue
            slot = (target.artifact, target.subartifact)
            current = entries[key].get(slot)
            if current is None or current.weight < target.weight:
                entries[key][slot] = target

    for artifact in model.artifacts.values():
        add(artifact.name, Target(artifact.number, None, 1.0, "reference model name"))
        for sub_name in artifact.subartifacts:
            add(sub_name, Target(artifact.number, sub_name, 1.0, "reference model sub-artifact"))
    for number, aliases in raw.get("aliases", {}).items():
        for alias in aliases:
            if isinstance(alias, dict):
                add(str(alias["name"]), Target(number, alias["subartifact"], 1.0, "alias"))
            else:
                add(str(alias), Target(number, None, 1.0, "alias"))
    for shared in raw.get("shared", []):
        for name in shared["names"]:
            for number, weight in shared["artifacts"].items():
                add(name, Target(number, None, float(weight), "shared name"), expand=False)

    for key in [k for k in entries if has_cjk(k)]:
        for variant in chinese_variants(key):
            for slot, target in entries[key].items():
                entries[variant].setdefault(slot, target)
    latin: dict[tuple[str, ...], tuple[Target, ...]] = {}
    cjk: dict[str, tuple[Target, ...]] = {}
    for key, targets in entries.items():
        merged = _prefer_subartifact(targets.values())
        if has_cjk(key):
            cjk[key] = merged
        else:
            latin[tuple(key.split(" "))] = merged
    words = frozenset(token for phrase in latin for token in phrase if len(token) > 1)
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for phrase in sorted(latin):
        if 2 <= len(phrase) <= 6:
            by_first[phrase[0]].append(phrase)
    deletes: dict[str, str] = {}
    for word in sorted(words):
        if len(word) >= 5:
            for variant in _deletes(word):
                deletes.setdefault(variant, word)
    cue_entries = []
    for cue in raw.get("cues", []):
        parsed = Cue(tuple(cue["names"]), frozenset(cue["family"]), cue["choose"])
        latin_names = frozenset(phrase_tokens(n, spelling) for n in parsed.names if not has_cjk(n))
        cjk_names = frozenset(
            variant
            for n in parsed.names
            if has_cjk(n)
            for variant in (squeeze(n), *chinese_variants(squeeze(n)))
        )
        cue_entries.append((parsed, latin_names, cjk_names))
    pi = raw.get("roles", {}).get("pi", {})
    zone_names = {
        phrase_tokens(name, spelling): zone
        for zone, names in raw.get("zones", {}).items()
        for name in names
    }
    return Vocabulary(
        latin=latin,
        cjk=cjk,
        by_first={first: tuple(phrases) for first, phrases in by_first.items()},
        words=words,
        deletes=deletes,
        spelling=spelling,
        cues=tuple(cue_entries),
        pi_family=frozenset(pi.get("family", ())),
        pi_choice=pi.get("choose"),
        zone_names=zone_names,
    )


def _without_suffix(name: str, suffixes: tuple[str, ...]) -> str | None:
    """'investigators meeting material' -> 'investigators meeting' (at least two words left)."""
    words = name.split()
    if len(words) >= 3 and words[-1] in suffixes:
        return " ".join(words[:-1])
    return None


def _prefer_subartifact(targets: Iterable[Target]) -> tuple[Target, ...]:
    """Where a name points to an artifact with and without a sub-artifact, keep the former."""
    by_artifact: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_artifact[target.artifact].append(target)
    kept: list[Target] = []
    for group in by_artifact.values():
        specific = [t for t in group if t.subartifact is not None]
        kept.extend(specific or group)
    return tuple(sorted(kept, key=lambda t: (t.artifact, t.subartifact or "")))


def correct_token(token: str, vocabulary: Vocabulary) -> str | None:
    """An OCR- or typo-damaged token mapped to a vocabulary word, when unambiguous."""
    if token in vocabulary.words:
        return token
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        fixed = token.translate(_OCR_DIGITS)
        if fixed in vocabulary.words:
            return fixed
        token = fixed
    for wrong, right in _OCR_LETTERS:
        if wrong in token:
            candidate = token.replace(wrong, right)
            if candidate in vocabulary.words:
                return candidate
    if len(token) >= 5 and token.isalpha():
        if token in vocabulary.deletes:
            return vocabulary.deletes[token]
        for variant in _deletes(token):
            if variant in vocabulary.words:
                return variant
            if variant in vocabulary.deletes:
                return vocabulary.deletes[variant]
    return None


def tokens(text: str, vocabulary: Vocabulary) -> list[tuple[str, bool]]:
    """Normalised tokens of a text, each with whether it was corrected.

    OCR damage is repaired where the repair is a vocabulary word: digits read for letters
    ("Pr0tocol"), letter confusions ("Curriculurn"), one letter too many or too few, and words
    split in two ("Rost er").
    """
    raw = [t for t in _TOKEN.findall(fold(text)) if t.isascii() or not has_cjk(t)]
    result: list[tuple[str, bool]] = []
    position = 0
    while position < len(raw):
        token = stem(vocabulary.spelling.get(raw[position], raw[position]))
        position += 1
        if token in vocabulary.words or token.isdigit():
            result.append((token, False))
            continue
        if position < len(raw) and token.isalpha() and raw[position].isalpha():
            joined = stem(token + raw[position])
            if joined in vocabulary.words and len(joined) >= 5:
                result.append((joined, True))
                position += 1
                continue
        result.extend(_repaired(token, vocabulary))
    return result


_REPAIRS_KEPT = 200_000


def _repaired(token: str, vocabulary: Vocabulary) -> tuple[tuple[str, bool], ...]:
    """A word outside the vocabulary: kept short ones, its repair, or its letter and digit runs."""
    known = vocabulary.repairs.get(token)
    if known is not None:
        return known
    if len(token) < 3 and not any(c.isdigit() for c in token):
        found: tuple[tuple[str, bool], ...] = ((token, False),)
    else:
        corrected = correct_token(token, vocabulary)
        if corrected is not None:
            found = ((corrected, True),)
        else:
            found = tuple((part, False) for part in _RUNS.findall(token))
    if len(vocabulary.repairs) >= _REPAIRS_KEPT:
        vocabulary.repairs.clear()
    vocabulary.repairs[token] = found
    return found


@cache
def load_vocabulary() -> Vocabulary:
    raw, _ = load_packaged_rules(VOCABULARY_FILE, "classification.schema.json")
    return build_vocabulary(raw, load_reference_model())
