"""The watchdog side of ``etmf watch``: observers, the events that matter, lost events.

watchdog is an optional extra (``pip install 'etmf[watch]'``); it is imported only here and
only when an observer is made, so the rest of etmf, and worker processes, never need it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol

from etmf.errors import UsageError

_WATCHDOG_LOGGER = "watchdog.observers"


class EventSource(Protocol):
    """What the watcher needs of a watchdog observer."""

    def schedule(
        self, event_handler: Any, path: str, *, recursive: bool = ..., event_filter: Any = ...
    ) -> Any: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...


def make_observer(*, poll: bool, interval: float = 2.0) -> EventSource:
    """watchdog's inotify observer, or the polling one (every ``interval`` seconds), which
    also sees changes other machines make on a network share."""
    try:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        raise UsageError(
            "etmf watch needs the watchdog package: pip install 'etmf[watch]'"
        ) from None
    observer: EventSource = PollingObserver(timeout=interval) if poll else Observer()
    return observer


def event_filter() -> list[Any] | None:
    """Events that can change a document: not the opens and closes of etmf's own reads, nor a
    folder's modification (each change inside a folder also reports one)."""
    try:
        from watchdog import events
    except ImportError:
        return None
    names = (
        "FileCreatedEvent",
        "FileModifiedEvent",
        "FileAttribEvent",
        "FileDeletedEvent",
        "FileMovedEvent",
        "FileClosedEvent",
        "DirCreatedEvent",
        "DirDeletedEvent",
        "DirMovedEvent",
    )
    return [getattr(events, name) for name in names if hasattr(events, name)]


class PathEvents:
    """A watchdog event handler: every path an event names (both ends of a move) goes to
    ``touch``, on the observer's thread."""

    def __init__(self, touch: Callable[[str], None]) -> None:
        self._touch = touch

    def dispatch(self, event: Any) -> None:
        for raw in (event.src_path, event.dest_path):
            if raw:
                self._touch(os.fsdecode(raw))


class OverflowAlarm(logging.Handler):
    """watchdog only logs an inotify queue overflow, which means events were lost; this sets
    ``flag`` so that the watcher walks the folder at once rather than at the next period."""

    def __init__(self, flag: threading.Event) -> None:
        super().__init__(logging.WARNING)
        self.flag = flag

    def install(self) -> None:
        logging.getLogger(_WATCHDOG_LOGGER).addHandler(self)

    def remove(self) -> None:
        logging.getLogger(_WATCHDOG_LOGGER).removeHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().casefold():
            self.flag.set()
