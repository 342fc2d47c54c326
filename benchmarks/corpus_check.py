"""Check a generated corpus: ``python -m benchmarks.corpus_check DIR [--sample N]``.

Opens every PDF with pypdfium2 (first page text) and with pypdf (first page text), every DOCX
with python-docx, and checks that no two files have the same content; then runs etmf's own
per-file analysis (``etmf.inventory.analyse_task``, what a scan runs in its workers) on a
deterministic sample and compares it with the plan: placed at the planned site or country,
classified (and as the planned artifact), language, signatures verified, scans read by OCR.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks.corpus_plan import KIND_BY_KEY, DocPlan, plan_corpus
from benchmarks.generate import read_manifest


@dataclass(frozen=True, slots=True)
class ReaderCheck:
    files: int
    pdfs: int
    docx: int
    pdfium_failures: tuple[str, ...]
    pypdf_failures: tuple[str, ...]
    docx_failures: tuple[str, ...]
    duplicates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EtmfCheck:
    sampled: int
    readable: int
    classified: int
    as_planned: int
    placed: int
    languages: Counter[str] = field(default_factory=Counter)
    signed: int = 0
    signatures_valid: int = 0
    scans: int = 0
    scans_flagged: int = 0

    @property
    def classified_share(self) -> float:
        return self.classified / self.sampled if self.sampled else 0.0


def check_readers(root: Path, plans: Sequence[DocPlan]) -> ReaderCheck:
    import docx
    import pypdf
    import pypdfium2 as pdfium

    pdfium_failures: list[str] = []
    pypdf_failures: list[str] = []
    docx_failures: list[str] = []
    seen: dict[str, str] = {}
    duplicates: list[str] = []
    for plan in plans:
        data = (root / plan.relpath).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            duplicates.append(f"{plan.relpath} = {seen[digest]}")
        seen.setdefault(digest, plan.relpath)
        if plan.form == "docx":
            try:
                docx.Document(io.BytesIO(data))
            except Exception as error:
                docx_failures.append(f"{plan.relpath}: {error}")
            continue
        try:
            document = pdfium.PdfDocument(data)
            text = document[0].get_textpage().get_text_range()
            if len(document) != plan.pages or (plan.form == "pdf" and not text.strip()):
                pdfium_failures.append(f"{plan.relpath}: {len(document)} pages, text {text!r:.40}")
            document.close()
        except Exception as error:
            pdfium_failures.append(f"{plan.relpath}: {error}")
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            text = reader.pages[0].extract_text()
            if len(reader.pages) != plan.pages or (plan.form == "pdf" and not text.strip()):
                pypdf_failures.append(f"{plan.relpath}: {len(reader.pages)} pages")
        except Exception as error:
            pypdf_failures.append(f"{plan.relpath}: {error}")
    return ReaderCheck(
        files=len(plans),
        pdfs=sum(p.form != "docx" for p in plans),
        docx=sum(p.form == "docx" for p in plans),
        pdfium_failures=tuple(pdfium_failures),
        pypdf_failures=tuple(pypdf_failures),
        docx_failures=tuple(docx_failures),
        duplicates=tuple(duplicates),
    )


def check_etmf(root: Path, plans: Sequence[DocPlan], *, as_of: date) -> EtmfCheck:
    from etmf.inventory import AnalysisContext, FileEntry, analyse_task, warm_up
    from etmf.model import SignatureMethod, SignatureStatus
    from etmf.scan import ScanOptions, evidence_settings, prepare

    setup = prepare(root, ScanOptions())
    context = AnalysisContext(
        placement=setup.placement, evidence=evidence_settings(setup, ScanOptions(), as_of)
    )
    warm_up(context)
    counts: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    for plan in plans:
        path = root / plan.relpath
        stat = path.stat()
        entry = FileEntry(plan.relpath, str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        document = analyse_task(entry, context)
        counts["readable"] += document.readable
        counts["classified"] += document.artifact is not None
        counts["as_planned"] += document.artifact == KIND_BY_KEY[plan.kind].artifact
        counts["placed"] += plan.scope in (document.site, document.country) or (
            document.site is None and document.country is None and plan.scope.startswith("BM-")
        )
        if document.language is not None:
            languages[document.language.code or "und"] += 1
        if plan.signed_by is not None:
            counts["signed"] += 1
            counts["valid"] += any(
                s.method is SignatureMethod.DIGITAL and s.status is SignatureStatus.VALID
                for s in document.signatures
            )
        if plan.form == "scan":
            counts["scans"] += 1
            counts["flagged"] += document.scanned
    return EtmfCheck(
        sampled=len(plans),
        readable=counts["readable"],
        classified=counts["classified"],
        as_planned=counts["as_planned"],
        placed=counts["placed"],
        languages=languages,
        signed=counts["signed"],
        signatures_valid=counts["valid"],
        scans=counts["scans"],
        scans_flagged=counts["flagged"],
    )


def sample_plans(plans: Sequence[DocPlan], size: int, seed: int) -> list[DocPlan]:
    """A deterministic sample that always holds the signed documents and scans it can."""
    special = [p for p in plans if p.signed_by or p.form == "scan"][: max(1, size // 10)]
    rest = [p for p in plans if not (p.signed_by or p.form == "scan")]
    chosen = random.Random(seed).sample(rest, min(len(rest), max(0, size - len(special))))
    return sorted([*special, *chosen], key=lambda p: p.index)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--sample", type=int, default=300, help="documents etmf analyses")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.dir)
    if manifest is None:
        print(f"{args.dir}: no complete corpus (no .bench-corpus.json)", file=sys.stderr)
        return 2
    plan = plan_corpus(int(manifest["documents"]), int(manifest["seed"]))
    readers = check_readers(args.dir, plan.plans)
    print(
        f"{readers.files:,} files ({readers.pdfs:,} PDF, {readers.docx:,} DOCX): "
        f"pypdfium2 failures {len(readers.pdfium_failures)}, pypdf failures "
        f"{len(readers.pypdf_failures)}, python-docx failures {len(readers.docx_failures)}, "
        f"identical contents {len(readers.duplicates)}"
    )
    for problem in [*readers.pdfium_failures, *readers.pypdf_failures, *readers.docx_failures][:10]:
        print(f"  {problem}")
    sample = sample_plans(plan.plans, args.sample, int(manifest["seed"]))
    result = check_etmf(args.dir, sample, as_of=date.fromisoformat(str(manifest["as_of"])))
    print(
        f"etmf on {result.sampled} documents: readable {result.readable}, classified "
        f"{result.classified} ({result.classified_share:.0%}), as planned {result.as_planned}, "
        f"placed as planned {result.placed}; signed {result.signed} of which valid "
        f"{result.signatures_valid}; scans {result.scans} flagged {result.scans_flagged}; "
        f"languages {dict(result.languages.most_common())}"
    )
    failed = readers.pdfium_failures or readers.pypdf_failures or readers.duplicates
    return 1 if failed or readers.docx_failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
