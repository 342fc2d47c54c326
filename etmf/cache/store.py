"""The SQLite file behind the document cache: one row per file of each scanned folder.

Safe for several scans at once: WAL mode (readers never block the one writer), a busy timeout,
and short transactions of a few hundred rows. A crash leaves the last committed transaction,
never half of one.

Never a wrong result from a damaged file: every row carries a CRC-32 of its stat data, keys and
payload, checked when it is read (and the decoded document must name the row's path and hash,
see :mod:`etmf.cache`). Any SQLite error while the
cache is read (``file is not a database``, ``database disk image is malformed``), a row that
fails these checks or a ``meta`` table that does not name this schema version means the file
is thrown away and built again; the scan then reads the files themselves. ``PRAGMA
quick_check`` is not run on each scan: it reads the whole file (one cache may hold many
folders), while the row checks cover exactly what a scan uses.

Rebuilding takes an exclusive lock on a file beside the database, so two scans that find the
same damage do not both rebuild; the damaged file is unlinked together with its ``-wal`` and
``-shm`` files (a stale log must never be replayed into the new database).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

SCHEMA_VERSION = "2"
FILE_NAME = "documents.sqlite3"
_BUSY_MS = 60_000
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # head: the marshalled (size, mtime_ns, inode, sha256, context, ocr, validated); one column
    # rather than seven, because a warm rescan reads every row and each column costs
    "CREATE TABLE documents ("
    " folder BLOB NOT NULL, path BLOB NOT NULL, head BLOB NOT NULL, payload BLOB NOT NULL,"
    " crc INTEGER NOT NULL, PRIMARY KEY (folder, path)) WITHOUT ROWID",
)


class CacheError(Exception):
    """The cache cannot be used for this scan (locked for too long, read-only, disk full):
    the scan reads the files themselves and says why."""


class CacheDamaged(CacheError):
    """The cache file cannot be trusted; it is rebuilt and the files are read again."""


_CORRUPT, _NOT_A_DATABASE, _SHORT_READ = 11, 26, 522


def _failure(error: sqlite3.Error) -> CacheError:
    """A damaged file (rebuilt) or a cache that is merely unavailable now (left alone)."""
    code = getattr(error, "sqlite_errorcode", None)
    damaged = code is None or code & 0xFF in (_CORRUPT, _NOT_A_DATABASE) or code == _SHORT_READ
    return (CacheDamaged if damaged else CacheError)(f"{error}")


class Row(NamedTuple):
    """What the cache holds for one file: the stat data and hash it was read with, the
    fingerprints of what its result depends on, and the encoded Document.

    ``ocr``: the OCR fingerprint when the document needed OCR, else empty; ``validated``: the
    time its PDF signatures were validated at when their verdict depends on it, else empty.
    """

    path: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    context: str
    ocr: str
    validated: str
    payload: bytes


def _key(text: str) -> bytes:
    """Paths as bytes: a file name that is not valid UTF-8 still has a key."""
    return text.encode("utf-8", "surrogateescape")


def _text(key: bytes) -> str:
    return key.decode("utf-8", "surrogateescape")


class DocumentStore:
    """The cache file in ``directory``; created, checked, and rebuilt when damaged."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME
        self.rebuilt = False
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CacheError(f"cannot create {directory}: {error.strerror}") from None
        try:
            try:
                self._connection = self._open()
            except sqlite3.Error as error:
                raise _failure(error) from None
        except CacheDamaged:
            self._connection = self.rebuild()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=_BUSY_MS / 1000, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        return connection

    def _open(self, *, locked: bool = False) -> sqlite3.Connection:
        """A connection to a checked cache file, created when there is none (under the lock
        unless the caller holds it: switching to WAL needs the file to itself)."""
        connection = self._connect()
        try:
            tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master")}
            if not tables:
                connection.close()
                if locked:
                    self._create()
                else:
                    with self._lock():
                        self._create()
                connection = self._connect()
                tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master")}
            if not {"meta", "documents"} <= tables:
                raise CacheDamaged("unknown tables")
            found = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None or found[0] != SCHEMA_VERSION:
                raise CacheDamaged(f"schema version {found[0] if found else None}")
            connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            connection.close()
            raise
        return connection

    def _create(self) -> None:
        """The tables of an empty file, in WAL mode (kept in the file: later connections
        need not switch, which would wait for every other scan)."""
        connection = self._connect()
        try:
            if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return  # another scan created it while this one waited for the lock
            connection.execute("PRAGMA page_size = 32768")  # rows of about 1 KB, by path
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            connection.execute("COMMIT")
        finally:
            connection.close()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Only one scan creates or rebuilds the file at a time."""
        if sys.platform == "win32":  # no flock; SQLite's own locking still applies
            yield
            return
        import fcntl

        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def rebuild(self) -> sqlite3.Connection:
        """A fresh, empty cache file in place of a damaged one."""
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self._connection.close()
        self.rebuilt = True
        try:
            with self._lock():
                with contextlib.suppress(sqlite3.DatabaseError, CacheDamaged):
                    connection = self._open(locked=True)  # rebuilt by another scan meanwhile?
                    if connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 0:
                        self._connection = connection
                        return connection
                    connection.close()
                for suffix in ("", "-wal", "-shm", "-journal"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(f"{self.path}{suffix}")
                self._connection = self._open(locked=True)
                return self._connection
        except (OSError, sqlite3.Error) as error:
            raise CacheError(f"cannot rebuild {self.path}: {error}") from None

    def rows(self, folder: str) -> Iterator[Row]:
        """Every row of ``folder``; :class:`CacheDamaged` when the file or a row is damaged."""
        query = "SELECT path, head, payload, crc FROM documents WHERE folder = ?"
        crc32, loads = zlib.crc32, marshal.loads
        try:
            for path, head, payload, crc in self._connection.execute(query, (_key(folder),)):
                if crc32(payload, crc32(head)) != crc:
                    raise CacheDamaged(f"the row of {_text(path)!r} fails its checksum")
                size, mtime, inode, sha, context, ocr, validated = loads(head)
                yield Row(_text(path), size, mtime, inode, sha, context, ocr, validated, payload)
        except sqlite3.Error as error:
            raise _failure(error) from None
        except (TypeError, AttributeError, UnicodeError, ValueError, EOFError) as error:
            raise CacheDamaged(f"a row of unexpected form ({error})") from None

    def put(self, folder: str, rows: Iterable[Row]) -> None:
        """Store ``rows`` (replacing those of the same paths) in one transaction."""
        key = _key(folder)
        values = []
        for row in rows:
            head = marshal.dumps(row[1:-1], 4)
            values.append(
                (key, _key(row.path), head, row.payload, zlib.crc32(row.payload, zlib.crc32(head)))
            )
        self._write("INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?)", values)

    def remove(self, folder: str, paths: Iterable[str]) -> None:
        key = _key(folder)
        values = [(key, _key(p)) for p in paths]
        self._write("DELETE FROM documents WHERE folder = ? AND path = ?", values)

    def _write(self, statement: str, values: Sequence[tuple[object, ...]]) -> None:
        if not values:
            return
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany(statement, values)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise _failure(error) from None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()
