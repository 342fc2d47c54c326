"""A progress bar on standard error, drawn only when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from etmf.model import Document

_WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, *, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.total = 0
        self.done = 0
        self.start = 0.0
        self.last = 0.0
        self.min_interval = min_interval

    def started(self, total: int) -> None:
        self.total = total
        self.start = self.last = time.monotonic()

    def advanced(self, document: Document) -> None:
        self.done += 1
        now = time.monotonic()
        if self.enabled and (now - self.last >= self.min_interval or self.done == self.total):
            self.last = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        filled = int(_WIDTH * self.done / self.total) if self.total else _WIDTH
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {self.done}/{self.total} documents, "
            f"{rate:,.0f}/s, {int(left) // 60}:{int(left) % 60:02d} left "
        )

    def finished(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
