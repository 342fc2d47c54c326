"""How long rule evaluation takes over a large synthetic TMF: every profile, many sites.

The study and the documents are built in memory, deterministically from ``--seed``; only
``etmf.engine.evaluate`` is timed. Run: ``python -m benchmarks.bench_evaluate --help``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from etmf.engine import Evaluation, evaluate
from etmf.model import (
    DateFact,
    DateRole,
    Document,
    FileFormat,
    LanguageFact,
    Level,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
    VersionFact,
)
from etmf.profiles import ProfileCatalog
from etmf.study import Study, parse_study
from etmf.tmf.refmodel import Artifact

AS_OF = date(2026, 11, 25)
COUNTRIES = ("TW", "KR", "AU")
LANGUAGES = {None: "en", "TW": "zh-Hant", "KR": "ko", "AU": "en"}
# Letters distinguish records in a file name (digits are version noise), so a small pool of
# names makes some records come in several versions and be superseded.
NAMES = ("chen", "kim", "smith", "lin", "park", "jones", "wang", "lee", "brown", "wu", "choi")
LEVEL_WEIGHTS = {Level.TRIAL: 0.05, Level.COUNTRY: 0.10, Level.SITE: 0.85}
Scope = tuple[Level, str | None, str | None]


def build_study(sites: int, catalog: ProfileCatalog) -> Study:
    """Three countries and ``sites`` sites spread across them, every milestone reached."""
    reached = '{"01": 2023-03-01, "02": 2023-06-01, "03": 2023-09-01}'
    lines = ["study:", "  id: BENCH-001", f"  milestones: {reached}", "countries:"]
    lines += [f"  - {{code: {code}, milestones: {reached}}}" for code in COUNTRIES]
    lines.append("sites:")
    lines += [
        f"  - {{id: S-{n:04d}, country: {COUNTRIES[n % 3]}, milestones: {reached}}}"
        for n in range(1, sites + 1)
    ]
    text = "\n".join(lines) + "\n"
    return parse_study(text, known_countries=catalog.country_codes, source="bench/etmf.yaml")


def profile_artifacts(catalog: ProfileCatalog) -> dict[Level, list[tuple[str, str | None]]]:
    """(artifact, sub-artifact) pairs the profiles name, by the levels their rules name (else
    the levels where the TMF RM files the artifact)."""
    wanted: set[tuple[Level, str, str | None]] = set()
    model = catalog.model
    for profile in catalog.resolve_all():
        for rule in profile.enabled_rules:
            params = rule.params
            numbers = [params[k] for k in ("artifact", "anchor_artifact") if k in params]
            named = params.get("levels") or ([params["level"]] if "level" in params else [])
            for number in [*numbers, *params.get("artifacts", ())]:
                for level in [Level(v) for v in named] or model.artifacts[number].levels:
                    wanted.add((level, number, params.get("subartifact")))
    return {
        level: sorted(((a, s) for lv, a, s in wanted if lv is level), key=str) for level in Level
    }


def build_documents(
    count: int, study: Study, catalog: ProfileCatalog, rng: random.Random
) -> list[Document]:
    model = catalog.model
    named = profile_artifacts(catalog)
    anywhere = {
        level: [a for a in model.artifacts.values() if level in a.levels] for level in Level
    }
    scopes: dict[Level, list[Scope]] = {
        Level.TRIAL: [(Level.TRIAL, None, None)],
        Level.COUNTRY: [(Level.COUNTRY, c.code, None) for c in study.countries],
        Level.SITE: [(Level.SITE, s.country, s.id) for s in study.sites],
    }
    levels, weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())
    documents: list[Document] = []
    for n in range(count):
        scope = rng.choice(scopes[rng.choices(levels, weights)[0]])
        if rng.random() < 0.5:
            number, sub = rng.choice(named[scope[0]])
            artifact = model.artifacts[number]
        else:
            artifact, sub = rng.choice(anywhere[scope[0]]), None
            if artifact.subartifacts and rng.random() < 0.3:
                sub = rng.choice(artifact.subartifacts)
        if rng.random() < 0.005:  # filed at a level where the reference model does not file it
            scope = rng.choice(scopes[rng.choice(levels)])
        documents.append(make_document(n, artifact, sub, scope, rng, documents))
    return documents


def make_document(
    n: int,
    artifact: Artifact,
    sub: str | None,
    scope: Scope,
    rng: random.Random,
    earlier: Sequence[Document],
) -> Document:
    level, country, site = scope
    folder = "/".join(part for part in (level.value, country, site, artifact.number) if part)
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 9)}"
    path = f"{folder}/{rng.choice(NAMES)} {n} v{version}.pdf"
    sha256 = hashlib.sha256(path.encode()).hexdigest()
    if earlier and rng.random() < 0.005:
        sha256 = rng.choice(earlier).sha256  # the same file filed twice
    when = AS_OF - timedelta(days=rng.randint(0, 5 * 365))
    identifying = DateFact(value=when, role=DateRole.DOCUMENT, text=f"Date: {when.isoformat()}")
    dates = [identifying]
    if rng.random() < 0.05:
        ends = AS_OF + timedelta(days=rng.randint(-200, 400))
        dates.append(DateFact(value=ends, role=DateRole.EXPIRY, text=f"Valid until {ends}"))
    roll = rng.random()
    signatures: tuple[SignatureFact, ...] = ()
    if roll < 0.6:
        signatures = (
            SignatureFact(
                method=SignatureMethod.DIGITAL,
                status=SignatureStatus.VALID if roll < 0.55 else SignatureStatus.INTACT,
                signer=rng.choice(NAMES).title(),
                signed_at=datetime.combine(when, datetime.min.time()),
                evidence="PAdES signature field Sig1",
            ),
        )
    elif roll < 0.7:
        status = SignatureStatus.UNSIGNED if roll < 0.65 else SignatureStatus.UNVERIFIABLE
        signatures = (
            SignatureFact(
                method=SignatureMethod.SIGNATURE_LINE, status=status, evidence="Signature: ____"
            ),
        )
    language = LANGUAGES[country] if rng.random() < 0.95 else rng.choice(("en", "ja", "zh-Hans"))
    classified = rng.random() > 0.01
    readable = rng.random() > 0.005
    scanned = rng.random() < 0.01
    return Document(
        path=path,
        sha256=sha256,
        size=rng.randint(10_000, 5_000_000),
        format=FileFormat.PDF,
        readable=readable,
        problem=None if readable else "damaged PDF",
        pages=rng.randint(1, 40),
        artifact=artifact.number if classified else None,
        artifact_name=artifact.name if classified else None,
        subartifact=sub if classified else None,
        confidence=0.9 if classified else 0.0,
        level=level,
        country=country,
        site=site,
        dates=tuple(dates),
        identifying_date=identifying if rng.random() < 0.9 else None,
        signatures=signatures,
        language=LanguageFact(code=language, confidence=0.97, evidence="character statistics"),
        version=VersionFact(value=version, text=f"Version {version}")
        if rng.random() < 0.7
        else None,
        scanned=scanned,
        read_by_ocr=scanned and rng.random() < 0.5,
    )


def run(documents: int, sites: int, repeat: int, seed: int) -> tuple[list[float], Evaluation]:
    catalog = ProfileCatalog.load()
    study = build_study(sites, catalog)
    inventory = build_documents(documents, study, catalog, random.Random(seed))
    timings: list[float] = []
    for _ in range(repeat):
        gc.collect()  # each run starts from the same heap, not from the previous run's garbage
        start = time.perf_counter()
        result = evaluate(inventory, catalog=catalog, study=study, as_of=AS_OF, model=catalog.model)
        timings.append(time.perf_counter() - start)
    return timings, result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    timings, result = run(args.documents, args.sites, max(1, args.repeat), args.seed)
    header = ("documents", "sites", "repeat", "best s", "median s", "findings", "expectations")
    row = (
        f"{args.documents:,}",
        f"{args.sites:,}",
        str(len(timings)),
        f"{min(timings):.3f}",
        f"{statistics.median(timings):.3f}",
        f"{len(result.findings):,}",
        f"{len(result.expected):,}",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("-" * (len(h) + 2) for h in header) + "|")
    print("| " + " | ".join(v.rjust(len(h)) for v, h in zip(row, header, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
