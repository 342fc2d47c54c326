"""Watch latency: from a file written into the folder to the report that includes it.

``etmf watch DIR --output REPORT --format json --as-of DATE`` runs as a process of its own.
Once its first report is written, new documents (text PDFs from the benchmark writer, each with
its own content) are written one at a time into a site folder; a sample's latency runs from the
moment the file is closed to the modification time of the first report file that names it (the
report is written atomically, so its modification time is when it was complete; the time this
process takes to notice and search the report is not counted). The probes are removed at the
end, and the watch is stopped with SIGINT (Ctrl-C), then SIGTERM, then killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import MemoryPoller
from benchmarks.pdf_writer import Line, pdf_document

_POLL = 0.01


@dataclass(frozen=True, slots=True)
class WatchResult:
    latencies: tuple[float, ...] = ()
    timeouts: int = 0
    startup_seconds: float | None = None
    peak_pss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95(self) -> float | None:
        """Nearest-rank 95th percentile; a sample that timed out counts as infinitely slow."""
        values = sorted(self.latencies) + [float("inf")] * self.timeouts
        if not values:
            return None
        return values[max(0, -(-95 * len(values) // 100) - 1)]


def probe_pdf(number: int, site: str) -> bytes:
    lines = [
        Line("Interim Monitoring Visit Report", 16),
        Line(f"Site {site}, visit {900 + number}, 2026-10-{1 + number % 28:02d}"),
        Line(f"Watch probe {number}: written by benchmarks.watch_latency"),
    ]
    return pdf_document([lines], title="Interim Monitoring Visit Report")


def _report_names(report: Path, name: bytes, seen: list[int]) -> float | None:
    """The report's mtime if it changed since the last look and names ``name``."""
    try:
        stat = report.stat()
    except FileNotFoundError:
        return None
    if stat.st_mtime_ns == seen[0]:
        return None
    seen[0] = stat.st_mtime_ns
    try:
        data = report.read_bytes()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns / 1e9 if name in data else None


def measure_watch(
    command: Sequence[str],
    *,
    folder: Path,
    site: str,
    report: Path,
    samples: int,
    env: Mapping[str, str],
    start_timeout: float,
    sample_timeout: float = 30.0,
    log: Path,
    cwd: Path | None = None,
) -> WatchResult:
    """Start the watch, wait for its first report, then time ``samples`` probes in ``folder``."""
    with contextlib.suppress(FileNotFoundError):
        report.unlink()
    for leftover in folder.glob("watch-probe-*.pdf"):  # from a run that was killed
        leftover.unlink()
    log.parent.mkdir(parents=True, exist_ok=True)
    probes: list[Path] = []
    with open(log, "wb") as output:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd
        )
        with MemoryPoller(process.pid) as memory:
            try:
                result = _run_samples(
                    process, folder, site, report, samples, began, start_timeout, sample_timeout
                )
                probes = result[2]
            finally:
                for probe in probes or sorted(folder.glob("watch-probe-*.pdf")):
                    probe.unlink(missing_ok=True)
                _stop(process)
    latencies, startup, _, error = result
    tail = log.read_bytes()[-1500:].decode("utf-8", "replace")
    return WatchResult(
        latencies=tuple(latencies),
        timeouts=samples - len(latencies) if error is None else 0,
        startup_seconds=startup,
        peak_pss_mb=memory.peak_pss / 1e6,
        peak_rss_mb=memory.peak_rss / 1e6,
        error=f"{error}: {tail.strip()[-600:]}" if error else None,
    )


def _run_samples(
    process: subprocess.Popen[bytes],
    folder: Path,
    site: str,
    report: Path,
    samples: int,
    began: float,
    start_timeout: float,
    sample_timeout: float,
) -> tuple[list[float], float | None, list[Path], str | None]:
    while not report.exists():
        if process.poll() is not None:
            return [], None, [], f"etmf watch exited with code {process.returncode}"
        if time.perf_counter() - began > start_timeout:
            return [], None, [], f"no first report after {start_timeout:.0f} s"
        time.sleep(0.05)
    startup = time.perf_counter() - began
    time.sleep(1.0)  # let the watch settle into its event loop after the first report
    latencies: list[float] = []
    probes: list[Path] = []
    seen = [report.stat().st_mtime_ns]
    for number in range(samples):
        path = folder / f"watch-probe-{number:03d} IMV report.pdf"
        probes.append(path)
        data = probe_pdf(number, site)
        with open(path, "wb") as handle:
            handle.write(data)
        written = time.time()
        deadline = time.perf_counter() + sample_timeout
        while time.perf_counter() < deadline:
            updated = _report_names(report, path.name.encode(), seen)
            if updated is not None:
                latencies.append(max(0.0, updated - written))
                break
            if process.poll() is not None:
                return latencies, startup, probes, "etmf watch stopped while being measured"
            time.sleep(_POLL)
        time.sleep(0.2 + 0.05 * (number % 5))  # do not write in step with the watch's ticks
    return latencies, startup, probes, None


def _stop(process: subprocess.Popen[bytes]) -> None:
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, stop)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
