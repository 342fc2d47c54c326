"""Generate a synthetic TMF for the benchmarks: ``python -m benchmarks.generate DIR --documents N``.

The study (``DIR/etmf.yaml``) has three to five countries among TW, KR, AU, JP and US and one
site per 200 documents; the documents are text PDFs of 1 to 30 pages (most 1 to 5), DOCX files,
Traditional Chinese, Korean and Japanese documents, about 1% digitally signed PDFs (pyHanko, the
test PKI of fixtures/signing.py, trusted through ``trust_anchors``) and about 0.1% image-only
scans that only OCR can read. Files are named the way sites name them and dated by their
modification time. The same ``--documents`` and ``--seed`` give the same tree, byte for byte,
whatever ``--jobs``. ``DIR/.bench-corpus.json`` (hidden, so scans do not list it) records what
was generated; it is written last, so a tree without it is incomplete.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from benchmarks.corpus_plan import (
    AS_OF,
    FIRST_DATE,
    GENERATOR_VERSION,
    TRUST_ANCHOR,
    CorpusPlan,
    DocPlan,
    plan_corpus,
)
from benchmarks.corpus_render import write_document

MANIFEST = ".bench-corpus.json"
DEFAULT_SEED = 20261201
_CHUNK = 250


@dataclass(frozen=True, slots=True)
class Generated:
    root: Path
    plan: CorpusPlan
    bytes: int
    seconds: float

    def manifest(self) -> dict[str, Any]:
        return {
            "generator": GENERATOR_VERSION,
            "documents": self.plan.documents,
            "seed": self.plan.seed,
            "as_of": AS_OF.isoformat(),
            "countries": list(self.plan.countries),
            "sites": len(self.plan.sites),
            "counts": self.plan.counts(),
            "bytes": self.bytes,
            "seconds": round(self.seconds, 1),
        }


def read_manifest(root: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads((root / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def is_current(root: Path, documents: int, seed: int) -> bool:
    """Whether ``root`` holds a complete corpus of this size and seed from this generator."""
    manifest = read_manifest(root)
    return manifest is not None and (
        manifest.get("generator"),
        manifest.get("documents"),
        manifest.get("seed"),
    ) == (GENERATOR_VERSION, documents, seed)


def _render_chunk(task: tuple[str, int, Sequence[DocPlan]]) -> int:
    root, seed, plans = task
    return sum(write_document(plan, Path(root), seed) for plan in plans)


def _chunks(plans: Sequence[DocPlan], size: int) -> Iterator[Sequence[DocPlan]]:
    for start in range(0, len(plans), size):
        yield plans[start : start + size]


def generate(
    root: Path,
    documents: int,
    *,
    seed: int = DEFAULT_SEED,
    jobs: int = 0,
    progress: bool = False,
) -> Generated:
    """Write the corpus into ``root``, which must not exist or be empty. ``jobs`` 0 renders in
    this process; more uses that many worker processes."""
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty (pass --force to replace it)")
    start = time.perf_counter()
    plan = plan_corpus(documents, seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "etmf.yaml").write_text(plan.study_yaml(), "utf-8")
    anchor = root / TRUST_ANCHOR
    anchor.parent.mkdir(parents=True, exist_ok=True)
    from fixtures.signing import test_pki

    anchor.write_bytes(test_pki().root_pem)
    fixed = int(datetime.combine(FIRST_DATE, time_of_day(), tzinfo=UTC).timestamp()) * 10**9
    for path in (root / "etmf.yaml", anchor):
        os.utime(path, ns=(fixed, fixed))
    for folder in sorted({p.relpath.rsplit("/", 1)[0] for p in plan.plans}):
        (root / folder).mkdir(parents=True, exist_ok=True)
    tasks = [(str(root), seed, chunk) for chunk in _chunks(plan.plans, _CHUNK)]
    written = 0
    if jobs == 0:
        results: Iterator[int] = map(_render_chunk, tasks)
        written = _collect(results, len(tasks), progress)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            written = _collect(pool.map(_render_chunk, tasks), len(tasks), progress)
    generated = Generated(root, plan, written, time.perf_counter() - start)
    (root / MANIFEST).write_text(json.dumps(generated.manifest(), indent=2) + "\n", "utf-8")
    return generated


def _collect(results: Iterator[int], total: int, progress: bool) -> int:
    written = 0
    for done, size in enumerate(results, start=1):
        written += size
        if progress and (done % 20 == 0 or done == total):
            print(f"\r  {done * _CHUNK:,} documents written", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dir", type=Path, help="where to create the TMF (must not exist)")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists")
    args = parser.parse_args(argv)
    if args.documents < 1 or args.jobs < 0:
        parser.error("--documents must be at least 1 and --jobs 0 or more")
    if args.force and args.dir.exists():
        shutil.rmtree(args.dir)
    try:
        generated = generate(
            args.dir, args.documents, seed=args.seed, jobs=args.jobs, progress=sys.stderr.isatty()
        )
    except FileExistsError as error:
        print(f"benchmarks.generate: {error}", file=sys.stderr)
        return 2
    summary = generated.manifest()
    counts = summary["counts"]
    print(
        f"{args.dir}: {summary['documents']:,} documents ({counts['pdf']:,} PDF, "
        f"{counts['docx']:,} DOCX, {counts['signed']:,} signed, {counts['scan']:,} scans, "
        f"{counts['cjk']:,} in CJK; {counts['pages']:,} pages), {summary['sites']} sites in "
        f"{', '.join(summary['countries'])}; {generated.bytes / 1e6:,.1f} MB "
        f"in {generated.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
