"""What ``etmf watch`` knows of the watched folder: one Document per file, and the stat data
and content hash it was read with.

Changed stat data means a file may have changed; the same size and the same hash means it was
only touched and need not be read again. ``entry_at`` looks at one path the way ``discover``
looks at a folder's entries, so a watch and a scan see the same documents.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from etmf.inventory import FileEntry, discover, hash_file
from etmf.model import Document
from etmf.scan import ScanOptions, Setup, collect


@dataclass(frozen=True, slots=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str

    def same_stat(self, entry: FileEntry) -> bool:
        return (self.size, self.mtime_ns) == (entry.size, entry.mtime_ns)


@dataclass(slots=True)
class Sorted:
    """A batch of settled paths, sorted: files to read, paths gone, and the paths inside
    folders that changed (each to be debounced on its own)."""

    read: list[FileEntry] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    inside_folders: list[str] = field(default_factory=list)


class LiveInventory:
    """``excluded(relpath)``: paths that are not documents (temporary files, the study file)."""

    def __init__(self, root: Path, excluded: Callable[[str], bool]) -> None:
        self.root = root
        self.excluded = excluded
        self.documents: dict[str, Document] = {}
        self.states: dict[str, FileState] = {}

    def rescan(self, setup: Setup, *, as_of: date, options: ScanOptions) -> None:
        """Every document, read by ``collect``. Stat data is taken before, so a file that
        changes while it is read has changed stat data and is read again."""
        entries = list(discover(self.root, exclude=setup.exclude))
        skipped = frozenset(e.relpath for e in entries if self.excluded(e.relpath))
        setup = replace(setup, exclude=setup.exclude | skipped)
        documents = collect(self.root, setup, as_of=as_of, options=options)
        stats = {e.relpath: (e.size, e.mtime_ns) for e in entries}
        self.documents = {d.path: d for d in documents}
        self.states = {d.path: FileState(*stats.get(d.path, (-1, -1)), d.sha256) for d in documents}

    def walk(self, relfolder: str = "") -> Iterator[FileEntry]:
        """Entries under ``relfolder`` (relative to the root), as ``discover`` yields them."""
        prefix = relfolder + "/" if relfolder else ""
        for entry in discover(self.root / relfolder if relfolder else self.root):
            relpath = prefix + entry.relpath if entry.relpath != "." else relfolder
            if relpath and not self.excluded(relpath):
                yield replace(entry, relpath=relpath)

    def stale(self) -> list[str]:
        """Paths whose stat data differs from what was read, new paths and paths gone."""
        seen = set()
        differ = []
        for entry in self.walk():
            seen.add(entry.relpath)
            state = self.states.get(entry.relpath)
            if state is None or not state.same_stat(entry):
                differ.append(entry.relpath)
        return differ + sorted(self.states.keys() - seen)

    def sort(self, relpaths: Iterable[str]) -> Sorted:
        result = Sorted()
        for relpath in relpaths:
            found = entry_at(self.root, relpath)
            if found is None and relpath in self.states:
                result.removed.append(relpath)
            elif found is None:  # a folder, perhaps: everything that was in it is gone
                result.removed += [r for r in self.states if r.startswith(relpath + "/")]
            elif isinstance(found, Folder):
                inside = {e.relpath for e in self.walk(relpath)}
                known = {r for r in self.states if r.startswith(relpath + "/")}
                result.inside_folders += sorted(inside | known)
            elif self._is_new(found):
                result.read.append(found)
        return result

    def _is_new(self, entry: FileEntry) -> bool:
        state = self.states.get(entry.relpath)
        if state is None or entry.error is not None:
            return True
        if state.same_stat(entry):
            return False
        if state.size == entry.size and state.sha256 and content_sha256(entry.path) == state.sha256:
            self.states[entry.relpath] = replace(state, mtime_ns=entry.mtime_ns)
            return False
        return True

    def store(self, documents: Iterable[Document], entries: Iterable[FileEntry]) -> None:
        by_path = {e.relpath: e for e in entries}
        for document in documents:
            entry = by_path[document.path]
            self.documents[document.path] = document
            self.states[document.path] = FileState(entry.size, entry.mtime_ns, document.sha256)

    def remove(self, relpaths: Iterable[str]) -> None:
        for relpath in relpaths:
            self.documents.pop(relpath, None)
            self.states.pop(relpath, None)


class Folder:
    """A path that is a folder: its files are looked at one by one."""


FOLDER = Folder()


def entry_at(root: Path, relpath: str) -> FileEntry | Folder | None:
    """A file entry as ``discover`` makes it, a folder, or None: gone, or not a regular file
    (a link to a folder, a socket). Links are not followed into folders, as in a scan."""
    path = os.path.join(root, relpath.replace("/", os.sep))
    try:
        status = os.lstat(path)
        if stat.S_ISDIR(status.st_mode):
            return FOLDER
        if stat.S_ISLNK(status.st_mode):
            if not os.path.exists(path):
                return FileEntry(relpath, path, 0, 0, 0, "broken link: its target is gone")
            status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return None
    except FileNotFoundError:
        return None
    except OSError as error:
        return FileEntry(relpath, path, 0, 0, 0, f"cannot read: {error.strerror}")
    return FileEntry(relpath, path, status.st_size, status.st_mtime_ns, status.st_ino)


def content_sha256(path: str) -> str:
    """The file's SHA-256, or "" when it cannot be read (so it never matches)."""
    try:
        return hash_file(path)
    except OSError:
        return ""
