"""The floors a scan is measured against: what no scan of the tree can beat by much.

- ``first_pages``: one process, a plain loop that reads each PDF and extracts its first page's
  text with pypdfium2, the library etmf reads PDF text with. A cold scan does this and more
  (hash, DOCX, classification, dates, signatures, OCR), in several processes.
- ``walk``: a bare ``os.scandir`` walk with ``stat`` of every entry, the physical floor of a
  rescan that finds nothing changed.

``python -m benchmarks.floor first-pages DIR`` prints ``{"files": N, "seconds": S, ...}``: the
runner starts it as a process of its own, so its memory and imports are its own.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path


def walk(root: Path) -> int:
    """Entries under ``root`` (files and folders), each stat-ed; hidden ones too."""
    count = 0
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                entry.stat(follow_symlinks=False)
                count += 1
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    return count


def pdf_paths(root: Path) -> list[str]:
    """Every PDF under ``root``, in a stable order (not timed)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [os.path.join(folder, f) for f in sorted(files) if f.lower().endswith(".pdf")]
    return found


def first_pages(paths: Sequence[str]) -> tuple[float, int, int]:
    """Seconds to read every file and extract its first page's text; files; failures."""
    import pypdfium2 as pdfium

    failures = 0
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            document = pdfium.PdfDocument(data)
            page = document[0]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            document.close()
        except pdfium.PdfiumError:
            failures += 1
    return time.perf_counter() - start, len(paths), failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("floor", choices=["first-pages", "walk"])
    parser.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.floor == "walk":
        start = time.perf_counter()
        entries = walk(args.dir)
        print(json.dumps({"entries": entries, "seconds": time.perf_counter() - start}))
        return 0
    seconds, files, failures = first_pages(pdf_paths(args.dir))
    print(json.dumps({"files": files, "seconds": seconds, "failures": failures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
