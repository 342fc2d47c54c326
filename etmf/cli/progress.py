"""A progress bar on standard error, drawn only when it is a terminal.

It shows documents done, documents per second and the time left. The rate is measured over the
last few seconds, not since the start: on a rescan the cached documents all arrive at once,
and a rate that counted them would promise the files still to be read far too soon.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

from etmf.cache import CacheStats, Outcome
from etmf.model import Document

_WIDTH = 30
_WINDOW_SECONDS = 5.0


class ProgressBar:
    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.total = 0
        self.done = 0
        self.start = 0.0
        self.last = 0.0
        self.min_interval = min_interval
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()
        self.drawn = 0

    def started(self, total: int) -> None:
        self.total = total
        self.start = self.last = self.clock()
        self.samples = deque([(self.start, 0)])

    def advanced(self, document: Document) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = self.clock()
        if now - self.last >= self.min_interval or self.done == self.total:
            self.last = now
            line = self.line(now)
            self.drawn = max(self.drawn, len(line))
            self.stream.write("\r" + line)
            self.stream.flush()

    def rate(self, now: float) -> float:
        """Documents per second over the last few seconds (since the start, at first)."""
        self.samples.append((now, self.done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= _WINDOW_SECONDS:
            self.samples.popleft()
        since, done = self.samples[0]
        return (self.done - done) / max(now - since, 1e-9)

    def line(self, now: float) -> str:
        rate = self.rate(now)
        filled = int(_WIDTH * self.done / self.total) if self.total else _WIDTH
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        minutes, seconds = divmod(int(left), 60)
        return (
            f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done:,}/{self.total:,} documents, "
            f"{rate:,.0f}/s, {minutes}:{seconds:02d} left "
        )

    def finished(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()

    def summary(self, stats: CacheStats) -> None:
        """One line on what was read and what came from the cache (on a terminal only)."""
        if not self.enabled or not self.total:
            return
        counts = stats.outcomes
        parts = [f"{counts[Outcome.CACHED]:,} from the cache"]
        checked = counts[Outcome.UNCHANGED] + counts[Outcome.REVALIDATED]
        if checked:
            parts.append(f"{checked:,} re-hashed, unchanged")
        if counts[Outcome.REVALIDATED]:
            parts.append(f"{counts[Outcome.REVALIDATED]:,} with signatures validated again")
        parts.append(f"{stats.analysed:,} read")
        elapsed = self.clock() - self.start
        self.stream.write(f"{self.total:,} documents in {elapsed:.1f} s: {', '.join(parts)}\n")
        self.stream.flush()
