"""pypdf against pypdfium2 for text extraction: ``python -m benchmarks.pdf_text [--corpus DIR]...``.

For every PDF of each corpus (or a deterministic ``--sample`` of it), in one process, both
libraries in turn (which goes first alternates from file to file): the time to open the file
from its bytes and extract the first page's text, then, in a second pass, to open it and
extract every page's text; failures (an exception, or no pages; counted on the first page);
and how far the two texts agree. Agreement compares the texts with all white space removed
(NFKC-normalised): the first page by ``difflib`` ratio, all pages by the Dice coefficient of
their character bigrams. etmf reads text with pypdfium2 today and keeps pypdf (with pyHanko)
for structure and signatures; these figures decide the text. Default corpus:
../shared/corpus/pypdf-sample-files (real files from the pypdf project).
"""

from __future__ import annotations

import argparse
import difflib
import io
import logging
import os
import random
import shlex
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from benchmarks.measure import machine_description

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
DEFAULT_CORPUS = DEFAULT_CORPUS / "pypdf-sample-files"
LIBRARIES = ("pypdfium2", "pypdf")


def _pdfium(data: bytes, all_pages: bool) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document) if all_pages else min(1, len(document))):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _pypdf(data: bytes, all_pages: bool) -> list[str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = reader.pages if all_pages else reader.pages[:1]
    return [page.extract_text() for page in pages]


EXTRACTORS: dict[str, Callable[[bytes, bool], list[str]]] = {
    "pypdfium2": _pdfium,
    "pypdf": _pypdf,
}


@dataclass(slots=True)
class LibraryFigures:
    first_ms: list[float] = field(default_factory=list)
    all_ms: list[float] = field(default_factory=list)
    pages: int = 0
    failures: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class CorpusFigures:
    name: str
    files: int = 0
    libraries: dict[str, LibraryFigures] = field(
        default_factory=lambda: {name: LibraryFigures() for name in LIBRARIES}
    )
    first_agreement: list[float] = field(default_factory=list)
    all_agreement: list[float] = field(default_factory=list)
    worst: list[tuple[float, str]] = field(default_factory=list)


def _normalised(texts: Sequence[str]) -> str:
    return "".join(unicodedata.normalize("NFKC", "".join(texts)).split())


def _bigram_dice(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    left = Counter(a[i : i + 2] for i in range(len(a) - 1))
    right = Counter(b[i : i + 2] for i in range(len(b) - 1))
    total = sum(left.values()) + sum(right.values())
    return 2 * sum((left & right).values()) / total if total else float(a == b)


def _timed(
    extract: Callable[[bytes, bool], list[str]], data: bytes, all_pages: bool
) -> tuple[float, list[str] | None, str | None]:
    start = time.perf_counter()
    try:
        texts = extract(data, all_pages)
    except Exception as error:  # a library's failure on a file is a figure here, not a bug
        return (time.perf_counter() - start) * 1000, None, type(error).__name__
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, texts, None if texts else "no pages"


def measure_file(path: Path, position: int, figures: CorpusFigures, *, all_pages: bool) -> None:
    """Both libraries on one file, in an order that alternates with ``position``."""
    data = path.read_bytes()
    order = LIBRARIES if position % 2 == 0 else LIBRARIES[::-1]
    texts: dict[str, list[str]] = {}
    for library in order:
        stats = figures.libraries[library]
        ms, extracted, problem = _timed(EXTRACTORS[library], data, all_pages)
        if problem is not None or extracted is None:
            if not all_pages:
                stats.failures[problem or "?"] += 1
            continue
        if all_pages:
            stats.all_ms.append(ms)
            stats.pages += len(extracted)
        else:
            stats.first_ms.append(ms)
        texts[library] = extracted
    if len(texts) < 2:
        return
    a, b = (_normalised(texts[name]) for name in LIBRARIES)
    if all_pages:
        figures.all_agreement.append(_bigram_dice(a, b))
        return
    a, b = a[:5000], b[:5000]
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a or b else 1.0
    figures.first_agreement.append(ratio)
    figures.worst.append((ratio, str(path)))


def pdf_files(root: Path, sample: int | None, seed: int) -> list[Path]:
    found = sorted(
        Path(folder) / name
        for folder, _, names in os.walk(root)
        for name in names
        if name.lower().endswith(".pdf")
    )
    if sample is not None and len(found) > sample:
        found = sorted(random.Random(seed).sample(found, sample))
    return found


def measure_corpus(root: Path, sample: int | None, seed: int) -> CorpusFigures:
    """First pages of every file, then all pages of every file: two passes, so that reading
    all pages does not follow the first page of the same file with warm caches."""
    figures = CorpusFigures(name=root.resolve().name)
    files = pdf_files(root, sample, seed)
    figures.files = len(files)
    for all_pages in (False, True):
        if files:  # imports and first-call set-up are not timed
            warm = CorpusFigures(name="warm-up")
            measure_file(files[0], 0, warm, all_pages=all_pages)
            measure_file(files[0], 1, warm, all_pages=all_pages)
        for position, path in enumerate(files):
            measure_file(path, position, figures, all_pages=all_pages)
    figures.worst.sort()
    return figures


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def _ms(values: Sequence[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return f"{statistics.median(values):.2f}", f"{_p95(values):.2f}"


def render(corpora: Sequence[CorpusFigures]) -> str:
    lines = [
        "| corpus | library | files | failures | first page median ms | p95 | all pages "
        "median ms | p95 | ms per page (all) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for corpus in corpora:
        for library in LIBRARIES:
            stats = corpus.libraries[library]
            failures = sum(stats.failures.values())
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(stats.failures.items()))
            per_page = f"{sum(stats.all_ms) / stats.pages:.2f}" if stats.pages else "-"
            lines.append(
                f"| {corpus.name} | {library} | {corpus.files:,} | {failures}"
                f"{f' ({reasons})' if reasons else ''} | {' | '.join(_ms(stats.first_ms))} | "
                f"{' | '.join(_ms(stats.all_ms))} | {per_page} |"
            )
    lines += ["", "| corpus | first page agreement median | >= 0.99 | all pages median | >= 0.99 |"]
    lines.append("|---|---|---|---|---|")
    for corpus in corpora:
        cells = []
        for values in (corpus.first_agreement, corpus.all_agreement):
            if values:
                share = sum(v >= 0.99 for v in values) / len(values)
                cells += [f"{statistics.median(values):.4f}", f"{share:.0%} of {len(values)}"]
            else:
                cells += ["-", "-"]
        lines.append(f"| {corpus.name} | " + " | ".join(cells) + " |")
    lines.append("")
    for corpus in corpora:
        fast, slow = (corpus.libraries[name] for name in LIBRARIES)
        if fast.first_ms and slow.first_ms and fast.all_ms and slow.all_ms:
            first = statistics.median(slow.first_ms) / statistics.median(fast.first_ms)
            every = statistics.median(slow.all_ms) / statistics.median(fast.all_ms)
            lines.append(
                f"{corpus.name}: pypdf takes {first:.1f}x pypdfium2's median time for the first "
                f"page and {every:.1f}x for all pages."
            )
        worst = ", ".join(f"{Path(p).name} {r:.3f}" for r, p in corpus.worst[:3] if r < 0.99)
        if worst:
            lines.append(f"{corpus.name}: least agreement on the first page: {worst}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help=f"a folder of PDFs (repeatable; default {DEFAULT_CORPUS.resolve()})",
    )
    parser.add_argument("--sample", type=int, help="at most this many PDFs per corpus")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--results", type=Path, help="append the tables to this Markdown file")
    args = parser.parse_args(argv)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on odd files, per page
    machine = machine_description()
    corpora = [measure_corpus(c, args.sample, args.seed) for c in args.corpus or [DEFAULT_CORPUS]]
    keys = ("nproc", "cpu", "python", "pypdfium2", "pypdf", "load average")
    command = "python -m benchmarks.pdf_text " + shlex.join(
        argv if argv is not None else sys.argv[1:]
    )
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    text = (
        f"## {when}: pypdf against pypdfium2, text extraction\n\n"
        + "Machine: "
        + "; ".join(f"{k} {machine[k]}" for k in keys)
        + "\n\n"
        + f"```\n{command}\n```\n\n"
        + render(corpora)
    )
    print(text, end="")
    if args.results is not None:
        with open(args.results, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
