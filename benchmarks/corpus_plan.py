"""The plan of a synthetic TMF: its study, its sites and what each document is and where it lies.

Planning is cheap and runs in one process, from one seeded ``random.Random``, so the same
``(documents, seed)`` always gives the same plan whatever the number of worker processes that
later render it (rendering draws from a generator seeded per document, see corpus_render).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from benchmarks.corpus_vocabulary import (
    COUNTRY_LANGUAGE,
    FAMILY,
    GENERIC_NAMES,
    GIVEN,
    HOSPITALS,
    KINDS,
    KINDS_BY_LEVEL,
    Kind,
)

GENERATOR_VERSION = "1"
STUDY_ID = "BM-301"
AS_OF = date(2026, 11, 1)
FIRST_DATE = date(2024, 1, 15)
COUNTRY_POOL = ("TW", "KR", "AU", "JP", "US")
DOCUMENTS_PER_SITE = 200
LEVEL_SHARES = {"trial": 0.03, "country": 0.07, "site": 0.90}
SIGNED_SHARE = 0.01
SCANNED_SHARE = 0.001
GENERIC_SHARE = 0.05
TRUST_ANCHOR = ".etmf/trust/sponsor-root.pem"
# Pages: most documents 1 to 5 pages, a tail up to 30.
PAGE_WEIGHTS = {1: 30, 2: 18, 3: 14, 4: 10, 5: 8} | dict.fromkeys(range(6, 11), 12 / 5)
PAGE_WEIGHTS |= dict.fromkeys(range(11, 21), 5 / 10) | dict.fromkeys(range(21, 31), 3 / 10)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}
_UNSAFE = re.compile(r'[/\\:*?"<>|]+')


@dataclass(frozen=True, slots=True)
class Person:
    native: str
    roman: str

    def named(self, language: str) -> str:
        """How a document in ``language`` writes the name (CJK text adds the romanised form)."""
        if language == "en" or self.native == self.roman:
            return self.roman
        return f"{self.native} ({self.roman})"


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    country: str
    hospital: str
    pi: Person
    live: date | None
    naming: str  # native, english or numbered (artifact number first)
    zoned: bool  # files in zone sub-folders rather than all in one folder
    weight: float

    @property
    def folder(self) -> str:
        return f"{self.country}/{self.id} {self.hospital}"


@dataclass(frozen=True, slots=True)
class DocPlan:
    """One document: everything rendering needs, nothing it must look up."""

    index: int
    relpath: str
    kind: str
    language: str
    form: str  # pdf, docx or scan (an image-only PDF)
    pages: int
    signed_by: str | None
    scope: str  # the site id, the country code or the study id
    hospital: str
    pi: str
    person: str
    day: date
    day2: date
    n: int
    version: str
    title: str | None  # the metadata title, when the file has one
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class CorpusPlan:
    documents: int
    seed: int
    countries: tuple[str, ...]
    sites: tuple[Site, ...]
    plans: tuple[DocPlan, ...]

    def study_yaml(self) -> str:
        reached = '{"01": 2024-01-15, "02": 2024-03-01, "03": 2024-04-01}'
        lines = [
            f"# Synthetic TMF for etmf's benchmarks: {self.documents} documents, seed {self.seed}.",
            "study:",
            f"  id: {STUDY_ID}",
            "  sponsor: Example Pharma Co., Ltd.",
            '  title: "A Phase 3 Study of Examplumab (benchmark corpus)"',
            f"  as_of: {AS_OF.isoformat()}",
            f"  milestones: {reached}",
            f"trust_anchors: [{TRUST_ANCHOR}]",
            "countries:",
        ]
        lines += [f"  - {{code: {code}, milestones: {reached}}}" for code in self.countries]
        lines.append("sites:")
        for site in self.sites:
            milestones = f'{{"03": {site.live.isoformat()}}}' if site.live else "{}"
            lines.append(
                f'  - {{id: {site.id}, country: {site.country}, name: "{site.hospital}", '
                f'pi: "{site.pi.roman}", milestones: {milestones}}}'
            )
        return "\n".join(lines) + "\n"

    def counts(self) -> dict[str, int]:
        forms = Counter(plan.form for plan in self.plans)
        return {
            "pdf": forms["pdf"],
            "docx": forms["docx"],
            "scan": forms["scan"],
            "signed": sum(plan.signed_by is not None for plan in self.plans),
            "cjk": sum(plan.language != "en" for plan in self.plans),
            "pages": sum(plan.pages for plan in self.plans),
        }


def plan_corpus(documents: int, seed: int) -> CorpusPlan:
    rng = random.Random(seed)
    countries = tuple(c for c in COUNTRY_POOL if c in rng.sample(COUNTRY_POOL, rng.randint(3, 5)))
    sites = _sites(max(1, documents // DOCUMENTS_PER_SITE), countries, rng)
    planner = _Planner(rng, countries, sites)
    drafts = [planner.draft(index) for index in range(documents)]
    _assign_special(drafts, documents, rng)
    return CorpusPlan(
        documents=documents,
        seed=seed,
        countries=countries,
        sites=sites,
        plans=tuple(planner.finish(draft) for draft in drafts),
    )


def _person(country: str, rng: random.Random) -> Person:
    family, given = rng.choice(FAMILY[country]), rng.choice(GIVEN[country])
    joiner = "" if country in ("TW", "JP") else " "
    if country in ("AU", "US"):
        return Person(f"{given[0]} {family[0]}", f"{given[1]} {family[1]}")
    return Person(f"{family[0]}{joiner}{given[0]}", f"{family[1]} {given[1]}")


def _sites(count: int, countries: tuple[str, ...], rng: random.Random) -> tuple[Site, ...]:
    numbers: Counter[str] = Counter()
    sites = []
    for position in range(count):
        country = countries[position % len(countries)]
        numbers[country] += 1
        number = numbers[country]
        naming = rng.choices(("native", "english", "numbered"), (5, 3, 2))[0]
        if country == "AU":
            naming = rng.choices(("english", "numbered"), (1, 2))[0]
        live = None
        if rng.random() < 0.9:
            live = FIRST_DATE + timedelta(days=90 + rng.randint(0, 800))
        sites.append(
            Site(
                id=f"{country}-{number:03d}",
                country=country,
                hospital=HOSPITALS[country][(number - 1) % len(HOSPITALS[country])],
                pi=_person(country, rng),
                live=live,
                naming=naming,
                zoned=rng.random() < 0.5,
                weight=rng.uniform(0.4, 1.6),
            )
        )
    return tuple(sites)


@dataclass(slots=True)
class _Draft:
    index: int
    kind: Kind
    level: str
    site: Site | None
    country: str | None
    language: str
    form: str
    pages: int
    signed_by: str | None = None


class _Planner:
    def __init__(self, rng: random.Random, countries: tuple[str, ...], sites: tuple[Site, ...]):
        self.rng = rng
        self.countries = countries
        self.sites = sites
        self.site_weights = [site.weight for site in sites]
        self.levels, self.level_weights = list(LEVEL_SHARES), list(LEVEL_SHARES.values())
        self.counters: Counter[tuple[str, str]] = Counter()
        self.paths: set[str] = set()
        self.generic = 0
        self.pages, self.page_weights = list(PAGE_WEIGHTS), list(PAGE_WEIGHTS.values())

    def draft(self, index: int) -> _Draft:
        rng = self.rng
        level = rng.choices(self.levels, self.level_weights)[0]
        kinds = KINDS_BY_LEVEL[level]
        kind = rng.choices(kinds, [k.weight for k in kinds])[0]
        site = rng.choices(self.sites, self.site_weights)[0] if level == "site" else None
        country = (
            site.country if site else rng.choice(self.countries) if level == "country" else None
        )
        language = "en"
        if country is not None and COUNTRY_LANGUAGE[country] != "en" and rng.random() < 0.6:
            language = COUNTRY_LANGUAGE[country]
        form = "docx" if rng.random() < (0.35 if kind.docx else 0.03) else "pdf"
        pages = rng.choices(self.pages, self.page_weights)[0]
        return _Draft(index, kind, level, site, country, language, form, pages)

    def finish(self, draft: _Draft) -> DocPlan:
        rng, kind, site = self.rng, draft.kind, draft.site
        scope = site.id if site else draft.country or STUDY_ID
        self.counters[(scope, kind.key)] += 1
        n = self.counters[(scope, kind.key)]
        pi = site.pi if site else _person(draft.country or "US", rng)
        person = _person(draft.country or "US", rng)
        start = site.live - timedelta(days=60) if site and site.live else FIRST_DATE
        span = max(1, (AS_OF - start).days)
        day = start + timedelta(days=rng.randint(0, span))
        day2 = day + timedelta(days=rng.choice((365, 730, 1095)) + rng.randint(-30, 30))
        version = f"{rng.randint(1, 5)}.{rng.randint(0, 3)}"
        values = {
            "study": STUDY_ID,
            "site": site.id if site else draft.country or "",
            "hospital": site.hospital if site else "",
            "pi": pi.native if draft.language != "en" else pi.roman,
            "person": person.native if draft.language != "en" else person.roman,
            "date": day.isoformat() if rng.random() < 0.5 else day.strftime("%Y%m%d"),
            "n": str(n),
            "version": version,
            "ref": f"{scope}-{n:04d}",
        }
        relpath = self._relpath(draft, values)
        title = None
        roll = rng.random()
        heading = kind.heading(draft.language)
        if draft.form != "scan" and roll < 0.4:
            title = heading
        elif draft.form == "pdf" and roll < 0.5:
            title = f"Microsoft Word - {relpath.rsplit('/', 1)[-1][:-4]}.docx"
        moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        return DocPlan(
            index=draft.index,
            relpath=relpath,
            kind=kind.key,
            language=draft.language,
            form=draft.form,
            pages=1 if draft.form == "scan" else draft.pages,
            signed_by=draft.signed_by,
            scope=scope,
            hospital=site.hospital if site else "",
            pi=pi.named(draft.language),
            person=person.named(draft.language),
            day=day,
            day2=day2,
            n=n,
            version=version,
            title=title,
            mtime_ns=int(moment.timestamp() + draft.index % 3600) * 1_000_000_000,
        )

    def _relpath(self, draft: _Draft, values: dict[str, str]) -> str:
        kind, site, rng = draft.kind, draft.site, self.rng
        if site is not None:
            folder = f"{site.folder}/{kind.zone}" if site.zoned else site.folder
            naming = site.naming
        elif draft.country is not None:
            folder = f"{draft.country}/{kind.zone}" if draft.index % 2 else draft.country
            naming = "native"
        else:
            folder, naming = kind.zone, "english"
        extension = ".docx" if draft.form == "docx" else ".pdf"
        if rng.random() < GENERIC_SHARE:
            self.generic += 1
            name = rng.choice(GENERIC_NAMES).format(n=self.generic)
        elif naming == "numbered":
            name = f"{kind.artifact} {kind.stem('en').format(**values)}"
        else:
            name = kind.stem(draft.language if naming == "native" else "en").format(**values)
        name = _UNSAFE.sub("-", name).strip()
        path = f"{folder}/{name}{extension}"
        copy = 1
        while path.casefold() in self.paths:
            copy += 1
            path = f"{folder}/{name} ({copy}){extension}"
        self.paths.add(path.casefold())
        return path


def _assign_special(drafts: list[_Draft], documents: int, rng: random.Random) -> None:
    """About 1% signed PDFs (of the kinds that carry signatures) and 0.1% image-only scans;
    at least one of each in any corpus of 50 documents or more."""
    floor = 1 if documents >= 50 else 0
    signable = [d for d in drafts if d.kind.signed and d.form == "pdf"]
    wanted = min(len(signable), max(floor, round(documents * SIGNED_SHARE)))
    for draft in rng.sample(signable, wanted):
        if draft.kind.key == "cta":
            draft.signed_by = "Example Pharma Co., Ltd."
        else:
            draft.signed_by = draft.site.pi.roman if draft.site else "Example Pharma Co., Ltd."
    plain = [d for d in drafts if d.form == "pdf" and d.signed_by is None]
    for draft in rng.sample(plain, min(len(plain), max(floor, round(documents * SCANNED_SHARE)))):
        draft.form = "scan"
