"""Classify a document to a TMF Reference Model artifact, offline, with the evidence used.

Each source of text (file name, folders, metadata title, the first lines of the first page,
the rest of the first pages) is matched against the vocabulary, longest name first. A match
adds to the score of the artifacts it names, weighted by where it was found and by how many
artifacts share the name. The folder's zone or section, the level the document is filed at,
cues that separate near neighbours (sub-investigator, composition, signature page) and the
study's PI name settle the rest. An artifact number in the file or folder name wins outright.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from etmf.model import Evidence, EvidenceSource, Level
from etmf.tmf.refmodel import ReferenceModel, load_reference_model
from etmf.tmf.vocabulary import Target, Vocabulary, fold, has_cjk, load_vocabulary, squeeze, tokens

# How much a name found in each place counts. Tuning of the matcher, not regulatory knowledge.
# The first lines of a page carry its title; later lines often list *other* documents
# ("approved: protocol v4.0, ICF v2.1"), so their weight falls off quickly.
FILENAME, FOLDER, TITLE = 1.0, 0.4, 0.9
LINE_WEIGHTS = (1.0, 0.9, 0.5, 0.4, 0.3, 0.3)
BODY, BODY_CAP = 0.15, 0.45
LOOSE = 0.7
HEAD_FINAL = 1.1
NUMBER_SCORE = 6.0
THRESHOLD = 0.4
BODY_CHARS = 4000

_ARTIFACT_NUMBER = re.compile(r"(?<![\d.])(\d{2})([._-])(\d{2})\2(\d{2})(?![\d.])")
_SECTION_OR_ZONE = re.compile(r"^\s*(\d{2})(?:[._-](\d{2}))?(?![\d.])")
_TITLE_NOISE = re.compile(r"^(microsoft (word|excel|powerpoint) - )|(\.(docx?|pdf|xlsx?))$", re.I)


@dataclass(frozen=True, slots=True)
class ClassificationInput:
    filename: str
    folders: tuple[str, ...] = ()
    title: str | None = None
    text: str = ""
    level: Level | None = None
    pi_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Classification:
    artifact: str | None
    artifact_name: str | None
    subartifact: str | None
    confidence: float
    evidence: tuple[Evidence, ...]
    candidates: tuple[tuple[str, float], ...] = ()


@dataclass(slots=True)
class _Tally:
    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    subs: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    evidence: dict[str, list[tuple[float, Evidence]]] = field(
        default_factory=lambda: defaultdict(list)
    )


class Classifier:
    def __init__(
        self, model: ReferenceModel | None = None, vocabulary: Vocabulary | None = None
    ) -> None:
        self.model = model or load_reference_model()
        self.vocabulary = vocabulary or load_vocabulary()
        # For each word that starts a name, the lengths of the names it starts, longest first:
        # a text is matched by trying only those, not every length up to the longest name.
        lengths: dict[str, set[int]] = defaultdict(set)
        for key in self.vocabulary.latin:
            lengths[key[0]].add(len(key))
        self._starts = {word: sorted(found, reverse=True) for word, found in lengths.items()}

    def classify_title(self, title: str) -> Classification:
        return self.classify(ClassificationInput(filename=title))

    def classify(self, item: ClassificationInput) -> Classification:
        stem = re.sub(r"\.[A-Za-z0-9]{2,4}$", "", item.filename)
        lines = [line.strip() for line in item.text[:BODY_CHARS].splitlines() if line.strip()]
        heading = "\n".join(lines[: len(LINE_WEIGHTS)])
        body = "\n".join(lines[len(LINE_WEIGHTS) :])
        title = _TITLE_NOISE.sub("", item.title or "").strip()
        number = self._explicit_number(stem, item.folders)
        zones, sections = self._folder_hints(item.folders)
        tally = _Tally()
        if number is not None:
            found, where = number
            tally.scores[found] += NUMBER_SCORE
            tally.evidence[found].append(
                (NUMBER_SCORE, Evidence(source=where, text=found, detail="artifact number"))
            )
        sources: list[tuple[EvidenceSource, str, float, float | None]] = [
            (EvidenceSource.FILENAME, stem, FILENAME, None)
        ]
        sources += [(EvidenceSource.FOLDER, folder, FOLDER, None) for folder in item.folders]
        if title and title.lower() != stem.lower():
            sources.append((EvidenceSource.METADATA, title, TITLE, None))
        for line, weight in zip(lines, LINE_WEIGHTS, strict=False):
            sources.append((EvidenceSource.TEXT, line, weight, None))
        if body:
            sources.append((EvidenceSource.TEXT, body, BODY, BODY_CAP))
        for source, text, weight, cap in sources:
            titular = source is not EvidenceSource.FOLDER and weight >= LINE_WEIGHTS[1]
            self._score(tally, source, text, weight, cap, item.level, zones, loose=titular)
        self._apply_hints(tally, zones, sections)
        cue_text = "\n".join([stem, title, *lines[:3]])
        self._apply_roles(tally, cue_text, "\n".join([stem, title, heading]), item.pi_names)
        return self._decide(tally)

    # -- scoring ---------------------------------------------------------------------------

    def _explicit_number(
        self, stem: str, folders: Sequence[str]
    ) -> tuple[str, EvidenceSource] | None:
        for text, source in [(stem, EvidenceSource.FILENAME)] + [
            (folder, EvidenceSource.FOLDER) for folder in reversed(folders)
        ]:
            for match in _ARTIFACT_NUMBER.finditer(text):
                number = f"{match.group(1)}.{match.group(3)}.{match.group(4)}"
                if number in self.model.artifacts:
                    return number, source
        return None

    def _folder_hints(self, folders: Sequence[str]) -> tuple[set[str], set[str]]:
        zones: set[str] = set()
        sections: set[str] = set()
        for folder in folders:
            match = _SECTION_OR_ZONE.match(folder)
            if match and 1 <= int(match.group(1)) <= len(self.model.zones):
                zones.add(match.group(1))
                if match.group(2):
                    sections.add(f"{match.group(1)}.{match.group(2)}")
            key = tuple(t for t, _ in tokens(folder, self.vocabulary))
            zone = self.vocabulary.zone_names.get(key)
            if zone is not None:
                zones.add(zone)
        return zones, sections

    def _matches(
        self, text: str, *, loose: bool = False
    ) -> list[tuple[str, tuple[Target, ...], float]]:
        """Longest-first, non-overlapping matches: (matched name, targets, factor).

        ``factor`` is below 1 for names read through OCR repair, and for ``loose`` matches:
        the words of a name in order with a few others between them ("DSMB meeting minutes"
        for "DSMB minutes"), tried on titles only.
        """
        vocab = self.vocabulary
        found: list[tuple[str, tuple[Target, ...], float]] = []
        toks = tokens(text, vocab)
        words = [t for t, _ in toks]
        starts, latin = self._starts, vocab.latin
        i, n = 0, len(words)
        while i < n:
            for length in starts.get(words[i], ()):
                if i + length > n:
                    continue
                key = tuple(words[i : i + length])
                targets = latin.get(key)
                if targets:
                    corrected = any(c for _, c in toks[i : i + length])
                    found.append((" ".join(key), targets, 0.85 if corrected else 1.0))
                    i += length
                    break
            else:
                i += 1
        if has_cjk(text):
            found += self._cjk_matches(squeeze(text))
        if loose:
            found += self._loose(toks, {name for name, _, _ in found})
        return found

    def _cjk_matches(self, squeezed: str) -> list[tuple[str, tuple[Target, ...], float]]:
        """Longest names first, never overlapping; the last one (the head of a CJK compound
        noun, as in 계획서 변경 서명페이지 "signature page of a protocol amendment") counts most."""
        cjk = self.vocabulary.cjk
        spans = []
        for key in cjk:
            start = squeezed.find(key)
            while start >= 0:
                spans.append((start, start + len(key), key))
                start = squeezed.find(key, start + 1)
        chosen: list[tuple[int, int, str]] = []
        for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            if all(span[1] <= other[0] or span[0] >= other[1] for other in chosen):
                chosen.append(span)
        chosen.sort()
        return [
            (key, cjk[key], HEAD_FINAL if index == len(chosen) - 1 and len(chosen) > 1 else 1.0)
            for index, (_, _, key) in enumerate(chosen)
        ]

    def _loose(
        self, toks: list[tuple[str, bool]], strict: set[str]
    ) -> list[tuple[str, tuple[Target, ...], float]]:
        words = [t for t, _ in toks]
        found = []
        for start, word in enumerate(words):
            for phrase in self.vocabulary.by_first.get(word, ()):
                name = " ".join(phrase)
                if name in strict or not _in_order(words, phrase, start):
                    continue
                strict.add(name)
                found.append((name, self.vocabulary.latin[phrase], LOOSE))
        return found

    def _score(
        self,
        tally: _Tally,
        source: EvidenceSource,
        text: str,
        weight: float,
        cap: float | None,
        level: Level | None,
        zones: set[str],
        *,
        loose: bool,
    ) -> None:
        contributions: dict[str, float] = defaultdict(float)
        for name, targets, factor in self._matches(text, loose=loose):
            chosen = self._narrow(targets, zones)
            named = {t.artifact for t in chosen if t.origin != "shared name"}
            specificity = _specificity(name)
            for target in chosen:
                share = 1.0 / len(named) if target.origin != "shared name" else 1.0
                points = weight * target.weight * share * specificity * factor
                if level is not None and level not in self.model.artifacts[target.artifact].levels:
                    points *= 0.5
                contributions[target.artifact] += points
                if target.subartifact:
                    subs = tally.subs[target.artifact]
                    subs[target.subartifact] = subs.get(target.subartifact, 0.0) + points
                detail = f"{target.origin}: {target.artifact}" + (
                    f" / {target.subartifact}" if target.subartifact else ""
                )
                tally.evidence[target.artifact].append(
                    (points, Evidence(source=source, text=name, detail=detail))
                )
        for artifact, points in contributions.items():
            tally.scores[artifact] += min(points, cap) if cap is not None else points

    def _narrow(self, targets: tuple[Target, ...], zones: set[str]) -> tuple[Target, ...]:
        """Of the artifacts a name is shared by, those in the folder's zone."""
        if zones and len({t.artifact for t in targets}) > 1:
            in_zone = tuple(t for t in targets if t.artifact[:2] in zones)
            if in_zone:
                return in_zone
        return targets

    def _apply_hints(self, tally: _Tally, zones: set[str], sections: set[str]) -> None:
        for artifact in list(tally.scores):
            if artifact[:5] in sections:
                tally.scores[artifact] *= 1.3
            elif artifact[:2] in zones:
                tally.scores[artifact] *= 1.15

    def _apply_roles(
        self, tally: _Tally, cue_text: str, person_text: str, pi_names: Sequence[str]
    ) -> None:
        if not tally.scores:
            return
        vocab = self.vocabulary
        best = _ranked(tally)[0][0]
        folded = fold(person_text)
        if (
            vocab.pi_choice
            and best in vocab.pi_family
            and any(_mentions(folded, name) for name in pi_names)
        ):
            self._choose(tally, vocab.pi_family, vocab.pi_choice, "the site's PI is named")
            best = vocab.pi_choice
        cue_tokens = [t for t, _ in tokens(cue_text, vocab)]
        cue_squeezed = squeeze(cue_text)
        for cue, latin, cjk in vocab.cues:
            if best not in cue.family or best == cue.choose:
                continue
            if any(_contains(cue_tokens, phrase) for phrase in latin) or any(
                name in cue_squeezed for name in cjk
            ):
                self._choose(tally, cue.family, cue.choose, f"cue {'/'.join(cue.names[:2])}")
                best = cue.choose

    def _choose(self, tally: _Tally, family: frozenset[str], choose: str, why: str) -> None:
        top = max(tally.scores.get(a, 0.0) for a in family)
        tally.scores[choose] = top + 0.3
        tally.evidence[choose].append((0.3, Evidence(source=EvidenceSource.RULE, text=why)))

    def _decide(self, tally: _Tally) -> Classification:
        ranked = _ranked(tally)
        candidates = tuple((a, round(s, 3)) for a, s in ranked[:3])
        if not ranked or ranked[0][1] < THRESHOLD:
            return Classification(None, None, None, 0.0, (), candidates)
        best, score = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        strength = 1.0 - math.exp(-1.5 * score)
        margin = (score - second) / score
        confidence = round(min(0.99, strength * (0.4 + 0.6 * margin)), 2)
        artifact = self.model.artifacts[best]
        evidence = sorted(tally.evidence[best], key=lambda item: -item[0])
        unique: dict[tuple[str, str], Evidence] = {}
        for _, item in evidence:
            unique.setdefault((item.source, item.text), item)
        return Classification(
            artifact=best,
            artifact_name=artifact.name,
            subartifact=self._subartifact(best, tally),
            confidence=confidence,
            evidence=tuple(list(unique.values())[:4]),
            candidates=candidates,
        )

    def _subartifact(self, artifact_number: str, tally: _Tally) -> str | None:
        """The best-supported sub-artifact; a specific one beats the generic one that only
        repeats the artifact's name; failing both, the generic one."""
        artifact = self.model.artifacts[artifact_number]
        generic = next(
            (sub for sub in artifact.subartifacts if _bare(sub) == _bare(artifact.name)), None
        )
        subs = tally.subs.get(artifact_number, {})
        specific = {sub: points for sub, points in subs.items() if sub != generic}
        pool = specific or subs
        if pool:
            return max(pool, key=lambda sub: (pool[sub], sub))
        if len(artifact.subartifacts) == 1:
            return artifact.subartifacts[0]
        return generic


def _bare(name: str) -> str:
    """A name without parenthetical parts: 'Statistical Analysis Plan (SAP)' -> '... Plan'."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip().casefold()


def _specificity(name: str) -> float:
    """Longer names are more specific: one English word or two CJK characters count least."""
    if has_cjk(name):
        return 0.7 if len(name) <= 2 else 1.0 if len(name) <= 4 else 1.2
    words = name.count(" ") + 1
    return 0.7 if words == 1 else 1.0 if words == 2 else 1.2


def _ranked(tally: _Tally) -> list[tuple[str, float]]:
    """Artifacts by score, best first; ties go to the lower artifact number."""
    return sorted(tally.scores.items(), key=lambda item: (-item[1], item[0]))


def _in_order(words: Sequence[str], phrase: tuple[str, ...], start: int, slack: int = 3) -> bool:
    """The words of ``phrase`` appear in order from ``start``, at most ``slack`` others between."""
    position = start + 1
    end = start + len(phrase) + slack
    for word in phrase[1:]:
        try:
            position = words.index(word, position, min(end, len(words))) + 1
        except ValueError:
            return False
    return True


def _contains(haystack: Sequence[str], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return any(tuple(haystack[i : i + size]) == needle for i in range(len(haystack) - size + 1))


def _mentions(folded_text: str, name: str) -> bool:
    """The person's name appears, in any order of its parts (Chen Wei-Lin / Wei-Lin Chen)."""
    parts = [p for p in re.split(r"[\s,.-]+", fold(name)) if len(p) > 1]
    if not parts:
        return False
    if has_cjk(name):
        return squeeze(name) in squeeze(folded_text)
    return all(re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", folded_text) for p in parts)
