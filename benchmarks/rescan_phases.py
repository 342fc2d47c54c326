"""Where a warm rescan's time goes: configuration, gathering the documents (walk, cache,
decoding), evaluation and the report, and writing the JSON report, timed one by one.

Run after a scan has filled the cache: ``python -m benchmarks.rescan_phases TREE --cache DIR``
(the benchmark runner's cache of a corpus is ``WORK/cache-N/etmf``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from etmf.atomic import write_atomic
from etmf.formats import json_report
from etmf.scan import ScanOptions, build_report, gather, prepare


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 1))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    options = ScanOptions(cache_dir=args.cache, jobs=args.jobs)
    phases: list[tuple[str, float]] = []
    start = time.perf_counter()
    setup = prepare(args.tree, options)
    phases.append(("configuration and profiles", time.perf_counter() - start))
    start = time.perf_counter()
    collected = gather(args.tree, setup, as_of=args.as_of, options=options)
    phases.append(("walk, cache and decoding", time.perf_counter() - start))
    start = time.perf_counter()
    report = build_report(collected.documents, setup, as_of=args.as_of)
    phases.append(("evaluation and report", time.perf_counter() - start))
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        write_atomic(Path(folder) / "report.json", json_report.chunks(report))
        phases.append(("JSON report written", time.perf_counter() - start))
    cached = sum(collected.stats.outcomes.values())
    print(f"{len(collected.documents):,} documents, {cached:,} counted by the cache")
    for name, seconds in phases:
        print(f"| {name} | {seconds:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
