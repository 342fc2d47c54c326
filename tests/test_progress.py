"""The progress bar: documents per second and time left on a terminal, nothing otherwise."""

from __future__ import annotations

import io

from etmf.cache import CacheStats, Outcome
from etmf.cli.progress import ProgressBar
from tests.builders import document

DOCUMENT = document("a.pdf", None)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_and_time_left_on_a_terminal() -> None:
    stream, clock = Terminal(), Clock()
    bar = ProgressBar(stream, clock=clock)
    bar.started(100)
    for _ in range(10):
        clock.now += 0.5
        bar.advanced(DOCUMENT)
    last = stream.getvalue().split("\r")[-1]
    assert "10/100 documents" in last
    assert "2/s" in last
    assert "0:45 left" in last  # 90 documents at 2 per second
    bar.finished()
    assert stream.getvalue().endswith("\r")


def test_cached_documents_do_not_make_the_estimate_optimistic() -> None:
    """A rescan: 1,000 documents from the cache at once, then files read at one a second."""
    stream, clock = Terminal(), Clock()
    bar = ProgressBar(stream, clock=clock)
    bar.started(1_100)
    for _ in range(1_000):
        bar.advanced(DOCUMENT)
    for _ in range(20):
        clock.now += 1.0
        bar.advanced(DOCUMENT)
    last = stream.getvalue().split("\r")[-1]
    assert "1,020/1,100 documents, 1/s, 1:20 left" in last


def test_a_summary_of_the_cache_on_a_terminal() -> None:
    stream, clock = Terminal(), Clock()
    bar = ProgressBar(stream, clock=clock)
    bar.started(12)
    stats = CacheStats()
    stats.count(Outcome.CACHED, 9)
    stats.count(Outcome.UNCHANGED)
    stats.count(Outcome.ANALYSED, 2)
    clock.now = 1.5
    bar.summary(stats)
    assert stream.getvalue() == (
        "12 documents in 1.5 s: 9 from the cache, 1 re-hashed, unchanged, 2 read\n"
    )


def test_nothing_is_drawn_when_standard_error_is_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.started(3)
    for _ in range(3):
        bar.advanced(DOCUMENT)
    bar.finished()
    bar.summary(CacheStats())
    assert stream.getvalue() == ""
