"""``etmf watch``: keep a report current while people work in a TMF folder.

A ``Watcher`` scans the folder once (``prepare``, ``collect``, ``build_report``), then takes
file events from an observer (watchdog's inotify ``Observer``, or its ``PollingObserver`` for
network shares, where inotify sees nothing). Events are debounced per path (etmf.debounce);
only the documents that changed are read again, and every rule is evaluated again over all
documents, because one new document can resolve a finding elsewhere (a ``missing`` record).
Each batch yields a typed ``Change``: the findings that appeared and those that were
resolved, compared by their stable ids. A changed ``etmf.yaml`` (or an EMS package's
``exchange.xml``, whose records the documents are read with) reloads the setup; a broken
one is reported and the last good setup stays. A reconciliation walk compares stat data every
``reconcile_seconds`` (and at once after an inotify queue overflow), so a missed event delays
a change but never loses it.

The watcher never prints and never reads the date: ``as_of`` is ``--as-of``, the study's
``as_of`` or the day the caller passes in. It holds one ``Document`` per file in memory.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from etmf.debounce import Debouncer, Settled, is_ignored, stat_of
from etmf.ems.schema import EXCHANGE_FILE
from etmf.errors import EtmfError, UsageError
from etmf.inventory import AnalysisContext, FileEntry, analyse_task, warm_up
from etmf.live_inventory import LiveInventory
from etmf.model import Document, Finding, Report
from etmf.observe import EventSource, OverflowAlarm, PathEvents, event_filter
from etmf.scan import ScanOptions, Setup, analysis_context, build_report, prepare, resolve_as_of
from etmf.study import STUDY_FILE
from etmf.workers import PoolOptions, WorkerPool


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """``quiet_seconds``: how long a path must stay unchanged before it is read;
    ``tick_seconds``: how often pending paths are looked at; ``reconcile_seconds``: how often
    the whole folder is compared with what the watcher knows."""

    quiet_seconds: float = 0.3
    tick_seconds: float = 0.1
    reconcile_seconds: float = 300.0


class ChangeKind(StrEnum):
    SCAN = "scan"
    """The first scan, or every document read again after a configuration change."""
    FILES = "files"
    """Documents were read again or removed."""
    CONFIGURATION = "configuration"
    """The study configuration or exchange.xml changed; the rules were evaluated again."""
    CONFIG_ERROR = "config_error"
    """The study configuration is broken; the last good one stays in force."""


@dataclass(frozen=True, slots=True)
class Change:
    """What one batch did. ``waited_seconds``: from the first event of the batch until the
    report was ready; ``took_seconds``: reading and evaluating; ``completed``: the watcher's
    clock when the batch was done."""

    kind: ChangeKind
    batch: int
    report: Report
    reread: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    appeared: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()
    error: str | None = None
    reconciled: bool = False
    waited_seconds: float = 0.0
    took_seconds: float = 0.0
    completed: float = 0.0


class Watcher:
    def __init__(
        self,
        root: Path,
        *,
        source: EventSource,
        default_as_of: date,
        as_of: date | None = None,
        scan_options: ScanOptions | None = None,
        options: WatchOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self._prefix = str(self.root) + os.sep
        self._source = source
        self._default_as_of = default_as_of
        self._as_of_override = as_of
        self._scan_options = scan_options = scan_options or ScanOptions()
        self.options = options = options or WatchOptions()
        self._clock = clock
        self._debouncer = Debouncer(options.quiet_seconds)
        study = scan_options.study_file
        study_key = os.path.abspath(study) if study else str(self.root / STUDY_FILE)
        # the files the setup is read from: a change reloads it (prepare)
        self._setup_stats = {
            key: stat_of(key) for key in (study_key, str(self.root / EXCHANGE_FILE))
        }
        self._inventory = LiveInventory(self.root, self._excluded)
        self._reconciled: set[str] = set()
        self._overflow = threading.Event()
        self._alarm = OverflowAlarm(self._overflow)
        self._pool: WorkerPool | None = None
        self._started = False
        self._batch = 0
        self._next_reconcile = 0.0
        self._setup: Setup | None = None
        self._context: AnalysisContext | None = None
        self._as_of = default_as_of
        self._report: Report | None = None
        self.initial: Change | None = None

    # ---- life cycle -----------------------------------------------------------------------

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Change:
        """Observe first, then scan: a change made during the scan is an event, not lost."""
        try:
            setup = prepare(self.root, self._scan_options)
            self._alarm.install()
            self._source.schedule(
                PathEvents(self.touch), str(self.root), recursive=True, event_filter=event_filter()
            )
            try:
                self._source.start()
            except OSError as error:
                raise UsageError(
                    f"{self.root}: cannot watch the folder ({error.strerror or error}); "
                    "on a network share or past the inotify watch limit, use --poll"
                ) from None
            self._started = True
            self._install(setup)
            started = self._clock()
            self._rescan()
            self._next_reconcile = self._clock() + self.options.reconcile_seconds
            self.initial = self._finish(
                ChangeKind.SCAN, started, reread=tuple(self._inventory.documents)
            )
            self._open_pool()
        except BaseException:
            self.close()
            raise
        return self.initial

    def close(self) -> None:
        self._alarm.remove()
        if self._started:
            self._started = False
            self._source.stop()
            self._source.join()
        self._close_pool()

    def run(self, on_change: Callable[[Change], None], *, stop: threading.Event) -> None:
        """Look at pending paths every tick until ``stop`` is set."""
        while not stop.is_set():
            change = self.poll()
            if change is not None:
                on_change(change)
            stop.wait(self.options.tick_seconds)

    @property
    def report(self) -> Report:
        assert self._report is not None, "start() first"
        return self._report

    # ---- one tick --------------------------------------------------------------------------

    def touch(self, path: str) -> None:
        """Something happened at ``path`` (absolute); the observer's thread calls this."""
        relpath = self._relative(path)
        if path in self._setup_stats or (relpath and not self._excluded(relpath)):
            self._debouncer.touch(path, self._clock())

    def poll(self) -> Change | None:
        now = self._clock()
        for key, known in self._setup_stats.items():
            current = stat_of(key)
            if current != known:
                self._setup_stats[key] = current
                self._debouncer.touch(key, now)
        if now >= self._next_reconcile or self._overflow.is_set():
            self._overflow.clear()
            self.reconcile()
            self._next_reconcile = now + self.options.reconcile_seconds
        settled = self._debouncer.settled(self._clock())
        return self._apply(settled) if settled is not None else None

    def reconcile(self) -> None:
        """Compare the folder's stat data with what the watcher knows; differences are
        debounced like events."""
        stale = self._inventory.stale()
        self._reconciled.update(stale)
        self._touch_all(stale)

    def _touch_all(self, relpaths: list[str]) -> None:
        now = self._clock()
        for relpath in relpaths:
            self._debouncer.touch(self._prefix + relpath.replace("/", os.sep), now)

    # ---- applying a batch ------------------------------------------------------------------

    def _apply(self, settled: Settled) -> Change | None:
        started = self._clock()
        kind = ChangeKind.FILES
        error = None
        if not self._setup_stats.keys().isdisjoint(settled.paths):
            kind, error = self._reload()
            if kind is ChangeKind.SCAN:
                everything = tuple(self._inventory.documents)
                return self._finish(kind, settled.first_event, reread=everything, took_from=started)
        relpaths = [
            r for r in map(self._relative, settled.paths) if r is not None and not self._excluded(r)
        ]
        reconciled = bool(self._reconciled.intersection(relpaths))
        self._reconciled.difference_update(relpaths)
        batch = self._inventory.sort(relpaths)
        self._touch_all(batch.inside_folders)
        self._inventory.store(self._analyse(batch.read), batch.read)
        self._inventory.remove(batch.removed)
        if kind is ChangeKind.FILES and not batch.read and not batch.removed:
            return None
        return self._finish(
            kind,
            settled.first_event,
            reread=tuple(sorted(e.relpath for e in batch.read)),
            removed=tuple(sorted(batch.removed)),
            error=error,
            reconciled=reconciled,
            took_from=started,
        )

    def _analyse(self, entries: list[FileEntry]) -> list[Document]:
        if not entries:
            return []
        assert self._context is not None
        if self._pool is None:
            return [analyse_task(entry, self._context) for entry in entries]
        return list(self._pool.map(entries))

    def _reload(self) -> tuple[ChangeKind, str | None]:
        """A changed placement, OCR or trust setup changes what each document says: all are
        read again. A change of rules only is evaluated again."""
        try:
            setup = prepare(self.root, self._scan_options)
        except EtmfError as error:
            return ChangeKind.CONFIG_ERROR, str(error)
        if self._install(setup):
            self._close_pool()
            self._rescan()
            self._open_pool()
            return ChangeKind.SCAN, None
        return ChangeKind.CONFIGURATION, None

    def _install(self, setup: Setup) -> bool:
        """Use ``setup``; True when documents must be read again under it."""
        as_of = resolve_as_of(self._as_of_override, setup.study) or self._default_as_of
        context = analysis_context(setup, self._scan_options, as_of)
        changed = context != self._context
        self._setup, self._as_of, self._context = setup, as_of, context
        return changed

    def _rescan(self) -> None:
        assert self._setup is not None
        self._inventory.rescan(self._setup, as_of=self._as_of, options=self._scan_options)

    def _finish(
        self,
        kind: ChangeKind,
        first_event: float,
        *,
        reread: tuple[str, ...] = (),
        removed: tuple[str, ...] = (),
        error: str | None = None,
        reconciled: bool = False,
        took_from: float | None = None,
    ) -> Change:
        assert self._setup is not None
        previous = self._report
        if kind is not ChangeKind.CONFIG_ERROR or reread or removed or previous is None:
            self._report = build_report(
                list(self._inventory.documents.values()), self._setup, as_of=self._as_of
            )
        report = self.report
        before = {f.id for f in previous.findings} if previous else set()
        after = {f.id for f in report.findings}
        self._batch += 1
        done = self._clock()
        return Change(
            kind=kind,
            batch=self._batch,
            report=report,
            reread=reread,
            removed=removed,
            appeared=tuple(f for f in report.findings if f.id not in before),
            resolved=tuple(f for f in previous.findings if f.id not in after) if previous else (),
            error=error,
            reconciled=reconciled,
            waited_seconds=done - first_event,
            took_seconds=done - (first_event if took_from is None else took_from),
            completed=done,
        )

    # ---- the worker pool -------------------------------------------------------------------

    def _open_pool(self) -> None:
        if self._scan_options.jobs > 0 and self._context is not None:
            options = PoolOptions(
                jobs=self._scan_options.jobs, timeout_seconds=self._scan_options.timeout_seconds
            )
            pool = WorkerPool(analyse_task, self._context, options, warm=warm_up)
            self._pool = pool.__enter__()

    def _close_pool(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.__exit__(None, None, None)

    # ---- paths -----------------------------------------------------------------------------

    def _relative(self, path: str) -> str | None:
        if not path.startswith(self._prefix):
            return None
        return path[len(self._prefix) :].replace(os.sep, "/")

    def _excluded(self, relpath: str) -> bool:
        exclude = self._setup.exclude if self._setup is not None else frozenset()
        setup_file = relpath in (STUDY_FILE, EXCHANGE_FILE)
        return setup_file or relpath in exclude or is_ignored(relpath)
