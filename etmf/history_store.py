"""The SQLite file behind :mod:`etmf.history`: its schema, and opening it safely.

The file is a record of past scans. It is marked as an etmf history (SQLite's
``application_id``) and carries its schema version (``user_version``); a file that is not one,
a newer schema, or damaged pages give a :class:`HistoryError` naming the file, and the file is
left as it was: never rebuilt, never overwritten. Writes are one transaction per scan, taken
with ``BEGIN IMMEDIATE`` so that two scans recording at once wait for each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etmf.errors import EtmfError

HISTORY_SCHEMA = 1
"""The version of the tables below; a later etmf migrates older files forward."""

APPLICATION_ID = 0x45544D46  # "ETMF"
_BUSY_SECONDS = 30.0
_DAMAGED = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FORMAT"})

_TABLES = """
CREATE TABLE scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scanned_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    folder TEXT NOT NULL,
    study TEXT,
    documents INTEGER NOT NULL,
    readable INTEGER NOT NULL,
    classified INTEGER NOT NULL,
    expected INTEGER NOT NULL,
    present INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    not_yet_due INTEGER NOT NULL,
    completeness REAL,
    open_findings INTEGER NOT NULL,
    waived_findings INTEGER NOT NULL,
    by_kind TEXT NOT NULL,
    by_severity TEXT NOT NULL
);
CREATE INDEX scans_by_series ON scans (study, folder, id);
CREATE TABLE scan_profiles (
    scan INTEGER NOT NULL REFERENCES scans (id),
    profile TEXT NOT NULL,
    version TEXT,
    PRIMARY KEY (scan, profile)
);
CREATE TABLE findings (
    scan INTEGER NOT NULL REFERENCES scans (id),
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    rule TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    artifact TEXT,
    level TEXT,
    country TEXT,
    site TEXT,
    path TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (scan, position)
);
"""


class HistoryError(EtmfError):
    """The history database cannot be used: missing, not an etmf history, newer, damaged."""


@contextmanager
def connect(database: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    """An open, checked history database; created (empty, marked, versioned) when ``create``.

    Every SQLite error inside the block becomes a :class:`HistoryError` naming the file.
    """
    if database.is_dir():
        raise HistoryError(f"{database}: is a folder; --history takes a database file")
    if not database.exists():
        if not create:
            raise HistoryError(
                f"{database}: no history recorded yet (etmf scan PATH --history {database})"
            )
        database.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = sqlite3.connect(database, timeout=_BUSY_SECONDS, isolation_level=None)
    except sqlite3.Error as error:
        raise _history_error(database, error) from None
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        _check(connection, database, create=create)
        yield connection
    except sqlite3.Error as error:
        if connection.in_transaction:
            connection.rollback()
        raise _history_error(database, error) from None
    except ValueError as error:  # a row that does not read back as the record it should be
        raise HistoryError(
            f"{database}: the history database holds a record etmf cannot read ({error}); "
            "it is a record of past scans and etmf never rewrites it"
        ) from None
    finally:
        connection.close()


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: a reader sees the scan with every finding, or no scan."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.rollback()
        raise
    connection.commit()


def verify(connection: sqlite3.Connection, database: Path) -> None:
    """Read every page (SQLite's ``quick_check``): before a scan is added to a damaged file."""
    problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        raise HistoryError(
            f"{database}: the history database is damaged ({'; '.join(problems)}); it is a "
            "record of past scans and etmf never rebuilds it: restore it from a backup, or "
            "move it aside to start a new history"
        )


def _check(connection: sqlite3.Connection, database: Path, *, create: bool) -> None:
    application_id, version = _header(connection)
    if application_id == 0 and version == 0 and _is_empty(connection):
        if not create:
            raise HistoryError(f"{database}: an empty database, with no scans recorded")
        with transaction(connection):
            # Checked again under the write lock: another scan may have created it meanwhile.
            if _is_empty(connection):
                _create(connection)
        application_id, version = _header(connection)
    if application_id != APPLICATION_ID:
        raise HistoryError(
            f"{database}: a SQLite database, but not an etmf history; choose another --history file"
        )
    if version > HISTORY_SCHEMA:
        raise HistoryError(
            f"{database}: history schema {version} was written by a newer etmf; "
            f"this one reads schema {HISTORY_SCHEMA} (upgrade etmf)"
        )
    if version < 1:
        raise HistoryError(f"{database}: an etmf history without a schema version (damaged?)")


def _create(connection: sqlite3.Connection) -> None:
    # executescript would commit the open transaction; run the statements one by one inside it.
    for statement in _TABLES.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {HISTORY_SCHEMA}")


def _header(connection: sqlite3.Connection) -> tuple[int, int]:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    return int(application_id), int(version)


def _is_empty(connection: sqlite3.Connection) -> bool:
    count: int = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return count == 0


def _history_error(database: Path, error: sqlite3.Error) -> HistoryError:
    damaged = getattr(error, "sqlite_errorname", "") in _DAMAGED or str(error).startswith(
        ("no such table", "no such column")
    )
    if damaged:
        return HistoryError(
            f"{database}: the history database is damaged or not an etmf history ({error}); "
            "it is a record of past scans and etmf never rebuilds it: restore it from a "
            "backup, or move it aside to start a new history"
        )
    return HistoryError(f"{database}: cannot use the history database: {error}")
