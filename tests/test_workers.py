"""The worker pool: results from worker processes, a per-file time limit, crashes survived."""

from __future__ import annotations

import time
from pathlib import Path

from etmf.inventory import AnalysisContext, analyse_task, discover, warm_up
from etmf.scan import ScanOptions, prepare, scan
from etmf.workers import PoolOptions, WorkerPool
from fixtures.documents import pdf_bytes, write
from tests.builders import AS_OF
from tests.pool_tasks import slow_on_purpose


def _tree(root: Path) -> None:
    write(root / "TW/IRB approval.pdf", pdf_bytes("IRB Approval Letter", "Approved 2025-02-03"))
    write(root / "Protocol v1.pdf", pdf_bytes("Clinical Study Protocol", "Version 1.0"))
    write(root / "hang.pdf", pdf_bytes("Investigator's Brochure"))
    write(root / "crash.pdf", pdf_bytes("Delegation Log"))


def test_a_file_over_the_time_limit_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    _tree(tmp_path)
    setup = prepare(tmp_path)
    context = AnalysisContext(placement=setup.placement)
    started = time.monotonic()
    with WorkerPool(
        slow_on_purpose, context, PoolOptions(jobs=2, timeout_seconds=2), warm=warm_up
    ) as pool:
        documents = {d.path: d for d in pool.map(discover(tmp_path))}
    elapsed = time.monotonic() - started
    assert set(documents) == {"TW/IRB approval.pdf", "Protocol v1.pdf", "hang.pdf", "crash.pdf"}
    assert documents["hang.pdf"].readable is False
    assert documents["hang.pdf"].problem == "took longer than the 2 s time limit to read; skipped"
    assert documents["crash.pdf"].readable is False
    assert "worker process died" in (documents["crash.pdf"].problem or "")
    assert documents["TW/IRB approval.pdf"].artifact == "04.01.02"
    assert documents["Protocol v1.pdf"].artifact == "02.01.02"
    assert elapsed < 30


def test_workers_and_in_process_give_the_same_documents(tmp_path: Path) -> None:
    write(tmp_path / "TW/IRB approval.pdf", pdf_bytes("IRB Approval Letter", "Approved"))
    write(tmp_path / "KR/피험자 동의서.pdf", pdf_bytes("피험자 동의서", "버전 2.0"))
    write(tmp_path / "empty.pdf", b"")
    alone = scan(tmp_path, as_of=AS_OF, options=ScanOptions(jobs=0))
    pooled = scan(tmp_path, as_of=AS_OF, options=ScanOptions(jobs=2))
    assert alone == pooled


def test_in_process_task_is_the_same_function(tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", pdf_bytes("Protocol"))
    setup = prepare(tmp_path)
    (entry,) = discover(tmp_path)
    document = analyse_task(entry, AnalysisContext(placement=setup.placement))
    assert document.artifact == "02.01.02"
