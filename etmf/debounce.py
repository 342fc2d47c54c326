"""Wait until a file has settled before it is read: per-path debouncing for ``etmf watch``.

A copy over a network share, a browser download or an office program saving a document
writes a file in several steps. A path is ready once nothing happened to it for a quiet
period *and* its ``(size, mtime_ns)`` was the same at two consecutive ticks; every event and
every change seen at a tick starts the quiet period again. A path that disappeared and stays
gone is ready too (a deletion). Temporary and lock files never enter: they are not documents.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from etmf.inventory import is_skipped

Stat = tuple[int, int] | None
"""``(size, mtime_ns)`` of a path, or None when it does not exist."""


def is_ignored(relpath: str) -> bool:
    """Whether a path below the watched folder is never a document: the scan skips it (hidden
    files and folders, ``Thumbs.db``) or it is temporary."""
    parts = relpath.split("/")
    return any(is_skipped(part) for part in parts)


def stat_of(path: str) -> Stat:
    try:
        result = os.stat(path)
    except OSError:
        return None
    return (result.st_size, result.st_mtime_ns)


_UNSEEN: Stat | str = "unseen"


@dataclass(slots=True)
class _Pending:
    first_event: float
    last_change: float
    seen: Stat | str = _UNSEEN


@dataclass(frozen=True, slots=True)
class Settled:
    """Paths that settled at one tick, and when the earliest of them first changed."""

    paths: tuple[str, ...]
    first_event: float


class Debouncer:
    """Thread-safe: the observer's thread calls ``touch``, the watcher's thread ``settled``.

    ``clock`` is the caller's monotonic clock; the debouncer never reads one itself, so tests
    and the watcher agree on what "now" is.
    """

    def __init__(self, quiet_seconds: float, *, stat: Callable[[str], Stat] = stat_of) -> None:
        self.quiet_seconds = quiet_seconds
        self._stat = stat
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def touch(self, path: str, now: float) -> None:
        with self._lock:
            pending = self._pending.get(path)
            if pending is None:
                self._pending[path] = _Pending(first_event=now, last_change=now)
            else:
                pending.last_change = now

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def settled(self, now: float) -> Settled | None:
        """One tick: look at every pending path and hand back those that settled."""
        with self._lock:
            ready: list[str] = []
            first = now
            for path, pending in self._pending.items():
                current = self._stat(path)
                if pending.seen is _UNSEEN:
                    pending.seen = current
                    continue
                if current != pending.seen:
                    pending.seen = current
                    pending.last_change = now
                    continue
                if now - pending.last_change >= self.quiet_seconds:
                    ready.append(path)
                    first = min(first, pending.first_event)
            for path in ready:
                del self._pending[path]
        return Settled(tuple(sorted(ready)), first) if ready else None
