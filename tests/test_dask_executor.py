"""``--executor dask``: the same per-file work on Dask distributed workers gives the JSON the
local worker pool gives."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from etmf.cache import Outcome
from etmf.cli import main
from etmf.executors import Executor
from tests.cache_support import (
    build_tmf,
    files,
    scan_json,
    shared_profiles,  # noqa: F401 (an autouse fixture)
)

DOCUMENTS = len(files())


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A small LocalCluster: one single-threaded worker in this process (fast to start)."""
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_dask_and_the_local_pool_give_identical_json(tmp_path: Path, scheduler: str) -> None:
    root = build_tmf(tmp_path / "tmf")
    pooled = scan_json(root, tmp_path / "pool-cache", cache=False, jobs=1)
    on_dask = scan_json(
        root, tmp_path / "dask-cache", executor=Executor.DASK, scheduler=scheduler, jobs=1
    )
    assert on_dask.count(Outcome.ANALYSED) == DOCUMENTS
    assert on_dask.json == pooled.json
    again = scan_json(
        root, tmp_path / "dask-cache", executor=Executor.DASK, scheduler=scheduler, jobs=1
    )
    assert again.count(Outcome.CACHED) == DOCUMENTS
    assert again.json == pooled.json


def test_without_a_scheduler_a_local_cluster_runs_the_scan(tmp_path: Path) -> None:
    root = tmp_path / "tmf"
    (root / "TW").mkdir(parents=True)
    (root / "TW" / "notes.txt").write_text("Site TW-001 monitoring notes, 2025-03-04\n")
    output = tmp_path / "report.json"
    arguments = ["scan", str(root), "--as-of", "2026-11-01", "--format", "json", "--no-cache"]
    dask = ["--executor", "dask", "--jobs", "0"]  # a LocalCluster of one worker in this process
    assert main([*arguments, *dask, "--output", str(output)]) == 0
    local = tmp_path / "local.json"
    assert main([*arguments, "--jobs", "0", "--output", str(local)]) == 0
    assert output.read_bytes() == local.read_bytes()


def test_without_dask_installed_the_message_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tmf(tmp_path / "tmf")
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    assert main(["scan", str(root), "--executor", "dask", "--no-cache"]) == 2
    assert "pip install 'etmf[dask]'" in capsys.readouterr().err


def test_a_scheduler_needs_the_dask_executor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tmf(tmp_path / "tmf")
    assert main(["scan", str(root), "--scheduler", "tcp://127.0.0.1:8786"]) == 2
    assert "--executor dask" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("etmf.dask_executor._CONNECT_SECONDS", 1)
    root = build_tmf(tmp_path / "tmf")
    arguments = ["scan", str(root), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    assert main([*arguments, "--no-cache"]) == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
