"""How long a warm rescan takes (nothing changed, every document in the cache), against the
floor: a bare ``os.scandir`` walk with ``stat`` of the same tree.

Builds (once, in ``--tree``) a folder of small one-page PDFs in trial, country and site folders,
scans it once to fill a cache in ``--cache``, then times ``etmf.scan.gather`` (walk, one bulk
lookup, decoding every document) and the bare walk, alternately. Run from the repository root:
``.venv/bin/python -m benchmarks.bench_warm_cache --documents 20000 --tree /tmp/tmf-20k``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

from etmf.scan import ScanOptions, gather, prepare

TITLES = (
    "Curriculum Vitae",
    "GCP Training Certificate",
    "Protocol Signature Page",
    "Financial Disclosure Form",
    "Site Delegation Log",
    "IRB Approval Letter",
    "Monitoring Visit Report",
    "Laboratory Normal Ranges",
)
AS_OF = date(2026, 11, 25)


def tiny_pdf(title: str, number: int) -> bytes:
    """A valid one-page PDF with a title line and a date, written without a PDF library."""
    text = f"BT /F1 14 Tf 72 720 Td ({title}) Tj 0 -24 Td (Document {number}) Tj "
    text += f"0 -24 Td (Date: 2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode()),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (index, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def build(tree: Path, documents: int) -> None:
    if tree.exists():
        shutil.rmtree(tree)
    for number in range(documents):
        site = number % 200
        country = ("TW", "KR", "AU")[site % 3]
        folder = tree / country / f"{country}-{site:03d}" / f"zone {number % 11 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        title = TITLES[number % len(TITLES)]
        (folder / f"{title} {number:06d}.pdf").write_bytes(tiny_pdf(title, number))


def bare_walk(root: Path) -> int:
    count = 0
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--tree", type=Path, default=Path("build/bench-warm-tree"))
    parser.add_argument("--cache", type=Path, default=Path("build/bench-warm-cache"))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the cold scan")
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    marker = arguments.tree / ".documents"
    if not marker.exists() or marker.read_text() != str(arguments.documents):
        started = time.perf_counter()
        build(arguments.tree, arguments.documents)
        marker.write_text(str(arguments.documents))
        print(f"built {arguments.documents:,} PDFs in {time.perf_counter() - started:.1f} s")
    options = ScanOptions(cache_dir=arguments.cache, jobs=arguments.jobs)
    setup = prepare(arguments.tree, options)
    started = time.perf_counter()
    first = gather(arguments.tree, setup, as_of=AS_OF, options=options)
    elapsed = time.perf_counter() - started
    print(f"first scan: {len(first.documents):,} documents in {elapsed:.1f} s")
    del first
    warm, walk = [], []
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        count = bare_walk(arguments.tree)
        walk.append(time.perf_counter() - started)
        started = time.perf_counter()
        again = gather(arguments.tree, setup, as_of=AS_OF, options=options)
        warm.append(time.perf_counter() - started)
        read = again.stats.analysed
        del again
    print(f"bare walk: {count:,} files, median {statistics.median(walk):.3f} s")
    print(f"warm rescan: median {statistics.median(warm):.3f} s, {read} files read")
    print(f"ratio: {statistics.median(warm) / statistics.median(walk):.2f}x")


if __name__ == "__main__":
    main()
