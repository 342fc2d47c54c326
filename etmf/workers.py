"""Run document analysis in worker processes, with a time limit per file.

PDFium is not thread-safe, and one pathological file (a circular page tree, a decompression
bomb) must not stall a scan of 100,000 documents. So every file is analysed in a worker
process; a worker that exceeds the per-file limit is killed and replaced, and the file becomes
an ``unreadable`` document that says so. Results stream back as they finish: nothing holds all
texts at once. ``jobs`` workers run side by side.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from etmf.errors import EtmfError
from etmf.extract import detect_format
from etmf.inventory import FileEntry
from etmf.model import Document

Task = Callable[[Any, Any], Any]  # (item, context) -> result; by default FileEntry -> Document
Failure = Callable[[Any, str], Any]  # (item, problem) -> the result that reports it
Warm = Callable[[Any], None]
_STOP = None
_READY = "ready"
_START_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class PoolOptions:
    jobs: int = 1
    timeout_seconds: float = 120.0


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _worker(connection: Connection, task: Task, warm: Warm | None, context: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers (see _start)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if warm is not None:
        warm(context)
    connection.send(_READY)
    while True:
        message = connection.recv()
        if message is _STOP:
            return
        index, entry = message
        try:
            result: Any = task(entry, context)
        except Exception as error:  # the task turns file problems into documents; this is a bug
            result = error
        connection.send((index, result))


@dataclass(slots=True)
class _Worker:
    process: Any
    connection: Connection
    task: tuple[int, Any] | None = None
    started: float = 0.0


class WorkerPool:
    """``jobs`` processes that analyse files; a file over the time limit kills its worker.

    ``on_failure`` makes the result for an item whose task did not finish (by default an
    unreadable Document for a FileEntry)."""

    def __init__(
        self,
        task: Task,
        context: Any,
        options: PoolOptions,
        *,
        warm: Warm | None = None,
        on_failure: Failure | None = None,
    ) -> None:
        self._task = task
        self._warm = warm
        self._on_failure: Failure = on_failure or failed
        self._context = context
        self._options = options
        self._mp = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        self._workers = [self._start() for _ in range(max(1, self._options.jobs))]
        for worker in self._workers:
            self._await_ready(worker)
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            with contextlib.suppress(BrokenPipeError, OSError):
                worker.connection.send(_STOP)
        for worker in self._workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()

    def _start(self) -> _Worker:
        parent, child = self._mp.Pipe()
        process = self._mp.Process(
            target=_worker, args=(child, self._task, self._warm, self._context), daemon=True
        )
        # Ctrl-C at a terminal reaches every process of the group; the parent stops its
        # workers, and each would print a KeyboardInterrupt traceback. An ignored signal stays
        # ignored across exec, and Python then installs no handler for it: the worker ignores
        # Ctrl-C from its first instruction (the parent's own is ignored for the fork only).
        with _sigint_ignored():
            process.start()
        child.close()
        return _Worker(process=process, connection=parent)

    def _await_ready(self, worker: _Worker) -> None:
        """A worker that cannot start is an error of the installation, not of a document."""
        if not worker.connection.poll(_START_SECONDS):
            worker.process.kill()
            raise EtmfError("a worker process did not start within two minutes")
        try:
            worker.connection.recv()
        except (EOFError, OSError):
            worker.process.join()
            raise EtmfError(
                f"a worker process failed to start (exit code {worker.process.exitcode}); "
                "run with --jobs 0 to see the error in this process"
            ) from None

    def map(self, entries: Iterable[Any]) -> Iterator[Any]:
        """Results in completion order (not input order)."""
        pending = deque(enumerate(entries))
        busy: dict[int, _Worker] = {}
        while pending or busy:
            for worker in self._workers:
                if worker.task is None and pending:
                    worker.task = pending.popleft()
                    worker.started = time.monotonic()
                    worker.connection.send(worker.task)
                    busy[id(worker)] = worker
            ready = wait([w.connection for w in busy.values()], timeout=self._next_deadline(busy))
            for worker in list(busy.values()):
                if worker.connection in ready:
                    yield self._receive(worker)
                    del busy[id(worker)]
                elif time.monotonic() - worker.started > self._options.timeout_seconds:
                    yield self._timed_out(worker)
                    del busy[id(worker)]

    def _next_deadline(self, busy: dict[int, _Worker]) -> float:
        if not busy:
            return 0.0
        now = time.monotonic()
        soonest = min(w.started for w in busy.values()) + self._options.timeout_seconds
        return max(0.01, soonest - now)

    def _receive(self, worker: _Worker) -> Any:
        assert worker.task is not None
        entry = worker.task[1]
        try:
            _, result = worker.connection.recv()
        except (EOFError, OSError):
            result = RuntimeError("the worker process died (out of memory or a crash)")
            self._replace(worker)
        worker.task = None
        if isinstance(result, Exception):
            return self._on_failure(entry, f"could not be analysed: {result}")
        return result

    def _timed_out(self, worker: _Worker) -> Any:
        assert worker.task is not None
        entry = worker.task[1]
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        self._replace(worker)
        worker.task = None
        limit = self._options.timeout_seconds
        return self._on_failure(
            entry, f"took longer than the {limit:g} s time limit to read; skipped"
        )

    def _replace(self, worker: _Worker) -> None:
        fresh = self._start()
        self._await_ready(fresh)
        worker.process, worker.connection = fresh.process, fresh.connection


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal dispositions can only be changed from the main thread
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def failed(entry: FileEntry, problem: str) -> Document:
    """An unreadable document for a file whose analysis did not finish."""
    name = entry.relpath.rsplit("/", 1)[-1]
    return Document(
        path=entry.relpath,
        sha256="",
        size=entry.size,
        format=detect_format(name, b""),
        readable=False,
        problem=problem,
    )
