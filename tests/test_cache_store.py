"""A damaged cache is rebuilt and never gives a result; scans at once share one cache; the
compact encoding gives back exactly the documents it was given."""

from __future__ import annotations

import marshal
import multiprocessing
import shutil
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import etmf.cache
from etmf.cache import Outcome
from etmf.cache.codec import CodecError, decode, encode
from etmf.cache.store import FILE_NAME, DocumentStore
from etmf.model import Document
from fixtures.documents import pdf_bytes, write
from tests.cache_support import (
    build_tmf,
    cold_json,
    files,
    scan_json,
    share_packaged_profiles,
    shared_profiles,  # noqa: F401 (an autouse fixture)
)

DOCUMENTS = len(files())


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def _damaged_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 32768  # the cache's page size: the second page onward holds the tables
    data[page : page + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))


def _sql(path: Path, statement: str, *values: object) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(statement, values)
    connection.close()


def _wrong_schema(path: Path) -> None:
    _sql(path, "UPDATE meta SET value = '0' WHERE key = 'schema'")


def _flipped_byte(path: Path) -> None:
    connection = sqlite3.connect(path)
    (key, payload) = connection.execute("SELECT path, payload FROM documents LIMIT 1").fetchone()
    connection.close()
    changed = bytearray(payload)
    changed[len(changed) // 2] ^= 0x01
    _sql(path, "UPDATE documents SET payload = ? WHERE path = ?", bytes(changed), key)


def _with_payloads(path: Path, payload_for: Callable[[int, list[bytes]], bytes]) -> None:
    """Replace each row's payload, with a checksum that holds."""
    connection = sqlite3.connect(path)
    rows = connection.execute("SELECT path, head, payload FROM documents").fetchall()
    payloads = [payload for _, _, payload in rows]
    with connection:
        for number, (key, head, _) in enumerate(rows):
            payload = payload_for(number, payloads)
            crc = zlib.crc32(payload, zlib.crc32(head))
            connection.execute(
                "UPDATE documents SET payload = ?, crc = ? WHERE path = ?", (payload, crc, key)
            )
    connection.close()


def _undecodable(path: Path) -> None:
    """Rows whose checksum holds but whose payload is no document."""
    _with_payloads(path, lambda number, payloads: marshal.dumps(("not", "a", "document")))


def _other_document(path: Path) -> None:
    """Rows whose payloads were swapped: each is a valid document, of another file."""
    _with_payloads(path, lambda number, payloads: payloads[(number + 1) % len(payloads)])


def _other_stat(path: Path) -> None:
    """A head that no longer matches its checksum (a changed size)."""
    connection = sqlite3.connect(path)
    key, head = connection.execute("SELECT path, head FROM documents LIMIT 1").fetchone()
    size, *rest = marshal.loads(head)
    connection.close()
    _sql(
        path, "UPDATE documents SET head = ? WHERE path = ?", marshal.dumps((size + 1, *rest)), key
    )


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A TMF, a cache filled by scanning it, and the report of a scan without a cache."""
    base = tmp_path_factory.mktemp("filled")
    with pytest.MonkeyPatch.context() as patch:
        share_packaged_profiles(patch)
        root = build_tmf(base / "tmf")
        scan_json(root, base / "cache")
        return root, base / "cache", cold_json(root, base)


@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _garbage,
        _damaged_page,
        _wrong_schema,
        _flipped_byte,
        _undecodable,
        _other_document,
        _other_stat,
    ],
)
def test_a_damaged_cache_is_rebuilt_and_gives_what_a_cold_scan_gives(
    tmp_path: Path, filled: tuple[Path, Path, str], damage: Callable[[Path], None]
) -> None:
    root, original, cold = filled
    cache = tmp_path / "cache"
    shutil.copytree(original, cache)
    damage(cache / FILE_NAME)
    again = scan_json(root, cache)
    assert again.stats.rebuilt
    assert again.count(Outcome.CACHED) == 0
    assert again.count(Outcome.ANALYSED) == DOCUMENTS
    assert again.json == cold
    healthy = scan_json(root, cache)
    assert not healthy.stats.rebuilt
    assert healthy.count(Outcome.CACHED) == DOCUMENTS
    assert healthy.json == cold


def test_a_stale_write_ahead_log_is_removed_with_the_damaged_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    DocumentStore(cache).close()
    _garbage(cache / FILE_NAME)
    (cache / f"{FILE_NAME}-wal").write_bytes(b"left over by a crashed scan")
    store = DocumentStore(cache)
    assert store.rebuilt
    assert not (cache / f"{FILE_NAME}-wal").exists() or (
        (cache / f"{FILE_NAME}-wal").read_bytes() != b"left over by a crashed scan"
    )
    assert list(store.rows("/anywhere")) == []
    store.close()


def _scan_in_child(root: str, cache: str, output: str, start: Any) -> None:
    """One of several scans run at once; every result is its own transaction, so the
    writers really contend for the cache."""
    etmf.cache._FLUSH_ROWS = 1
    start.wait(60)  # both processes have started up: now scan together
    scanned = scan_json(Path(root), Path(cache))
    assert scanned.stats.problem is None, scanned.stats.problem
    Path(output).write_text(scanned.json, encoding="utf-8")


def test_scans_at_once_on_one_cache_do_not_corrupt_it(tmp_path: Path) -> None:
    """Two processes scan the same folder into one new cache: both create it, both write the
    same rows, one transaction per document."""
    cache, root = tmp_path / "cache", build_tmf(tmp_path / "tmf")
    for number in range(40):
        write(root / f"notes/visit {number}.txt", f"Monitoring visit {number}, TW-001\n".encode())
    spawn = multiprocessing.get_context("spawn")
    outputs = [tmp_path / "a.json", tmp_path / "b.json"]
    start = spawn.Barrier(len(outputs))
    processes = [
        spawn.Process(target=_scan_in_child, args=(str(root), str(cache), str(output), start))
        for output in outputs
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]
    cold = cold_json(root, tmp_path)
    assert [output.read_text(encoding="utf-8") for output in outputs] == [cold, cold]
    again = scan_json(root, cache)
    assert not again.stats.rebuilt
    assert again.stats.analysed == 0
    assert again.json == cold
    connection = sqlite3.connect(cache / FILE_NAME)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_the_encoding_gives_back_every_field_of_rich_documents(tmp_path: Path) -> None:
    from etmf.scan import ScanOptions, collect, prepare
    from tests.cache_support import AS_OF

    root = build_tmf(tmp_path / "tmf")
    setup = prepare(root)
    documents = collect(root, setup, as_of=AS_OF, options=ScanOptions(cache=False))
    assert any(d.signatures and d.dates and d.language for d in documents)
    for document in documents:
        again = decode(encode(document))
        assert again == document
        assert again.model_dump_json() == document.model_dump_json()
        assert isinstance(again, Document)
    changed = documents[0].model_copy(update={"title": "another title"})
    assert decode(encode(changed)).title == "another title"


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00garbage", marshal.dumps(("too", "short")), marshal.dumps([1, 2, 3]), b"\xff" * 40],
)
def test_bytes_that_are_no_document_are_refused(payload: bytes) -> None:
    with pytest.raises(CodecError):
        decode(payload)


def test_a_cache_that_cannot_be_used_leaves_the_scan_to_read_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from etmf.cli import main

    root = build_tmf(tmp_path / "tmf")
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    scanned = scan_json(root, not_a_folder)
    assert scanned.stats.problem is not None
    assert "could not be used" in scanned.stats.problem
    assert scanned.count(Outcome.ANALYSED) == DOCUMENTS
    assert scanned.json == cold_json(root, tmp_path)
    assert main(["scan", str(root), "--jobs", "0", "--cache", str(not_a_folder)]) == 1
    assert "etmf: warning: the document cache could not be used" in capsys.readouterr().err


def test_a_cache_locked_by_another_program_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    write(root / "Protocol v2.pdf", pdf_bytes("Clinical Study Protocol", "Version 3.0"))
    monkeypatch.setattr("etmf.cache.store._BUSY_MS", 100)
    holder = sqlite3.connect(cache / FILE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writes and does not let go
    try:
        scanned = scan_json(root, cache)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert scanned.stats.problem is not None
    assert "locked" in scanned.stats.problem
    assert not scanned.stats.rebuilt
    assert scanned.json == cold_json(root, tmp_path)
    again = scan_json(root, cache)  # not rebuilt: only the changed file is read again
    assert (again.count(Outcome.CACHED), again.count(Outcome.ANALYSED)) == (DOCUMENTS - 1, 1)
