"""The benchmark corpus generator: a small tree whose files open and that etmf scans.

The benchmarks themselves are not part of the suite; this is their one check in CI: a
60-document corpus holds every kind of file the large ones do (text PDFs, DOCX, CJK documents, a
signed PDF, an image-only scan), every file opens with pypdfium2, pypdf and python-docx, no two
files have the same content, the same seed gives the same bytes with or without worker
processes, and ``etmf.scan.scan`` reads, places, classifies and verifies what was planned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus_check import check_readers
from benchmarks.corpus_plan import KIND_BY_KEY, plan_corpus
from benchmarks.generate import MANIFEST, generate, is_current, read_manifest
from etmf.model import SignatureMethod, SignatureStatus
from etmf.scan import ScanOptions, scan

DOCUMENTS = 60
SEED = 7


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "tmf"
    generate(root, DOCUMENTS, seed=SEED, jobs=0)
    return root


def test_corpus_holds_every_kind_of_file(corpus: Path) -> None:
    manifest = read_manifest(corpus)
    assert manifest is not None
    assert is_current(corpus, DOCUMENTS, SEED)
    assert not is_current(corpus, DOCUMENTS, SEED + 1)
    counts = manifest["counts"]
    assert counts["pdf"] + counts["docx"] + counts["scan"] == DOCUMENTS
    assert min(counts["docx"], counts["signed"], counts["scan"]) >= 1
    assert counts["cjk"] >= 5
    assert 3 <= len(manifest["countries"]) <= 5
    assert (corpus / "etmf.yaml").is_file()
    files = [p for p in corpus.rglob("*") if p.is_file() and ".etmf" not in p.parts]
    assert len(files) == DOCUMENTS + 2  # the documents, etmf.yaml and the manifest
    assert {p.suffix for p in files} == {".pdf", ".docx", ".yaml", ".json"}


def test_every_file_opens_and_contents_are_distinct(corpus: Path) -> None:
    plan = plan_corpus(DOCUMENTS, SEED)
    readers = check_readers(corpus, plan.plans)
    assert readers.files == DOCUMENTS
    assert readers.pdfium_failures == ()
    assert readers.pypdf_failures == ()
    assert readers.docx_failures == ()
    assert readers.duplicates == ()


def test_same_seed_same_bytes_with_worker_processes(corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, DOCUMENTS, seed=SEED, jobs=2)
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.name != MANIFEST:  # the manifest records the time taken
            twin = again / path.relative_to(corpus)
            assert twin.read_bytes() == path.read_bytes(), path
            assert twin.stat().st_mtime_ns == path.stat().st_mtime_ns, path


def test_generate_refuses_a_folder_that_is_not_empty(corpus: Path) -> None:
    with pytest.raises(FileExistsError):
        generate(corpus, DOCUMENTS, seed=SEED)


def test_etmf_scans_the_corpus_as_planned(corpus: Path) -> None:
    report = scan(corpus, options=ScanOptions(jobs=0))
    plans = {plan.relpath: plan for plan in plan_corpus(DOCUMENTS, SEED).plans}
    documents = {document.path: document for document in report.documents}
    assert set(documents) == set(plans)
    assert all(document.readable for document in documents.values())
    as_planned = sum(
        documents[path].artifact == KIND_BY_KEY[plan.kind].artifact for path, plan in plans.items()
    )
    assert as_planned >= 0.8 * DOCUMENTS
    placed = sum(
        plan.scope in (documents[path].site, documents[path].country) or plan.scope == "BM-301"
        for path, plan in plans.items()
    )
    assert placed == DOCUMENTS
    cjk = [path for path, plan in plans.items() if plan.language != "en"]
    languages = {p: d.language.code for p, d in documents.items() if d.language is not None}
    detected = sum(languages.get(path) == plans[path].language for path in cjk)
    assert detected >= 0.8 * len(cjk)
    for path, plan in plans.items():
        document = documents[path]
        if plan.signed_by is not None:
            assert any(
                s.method is SignatureMethod.DIGITAL and s.status is SignatureStatus.VALID
                for s in document.signatures
            ), path
        assert document.scanned is (plan.form == "scan"), path
