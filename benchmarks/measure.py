"""Measuring commands: wall time and peak memory of a process tree, and the machine it ran on.

Peak memory is sampled from /proc every 100 ms over a process and all its descendants (the
workers of a pool, Tesseract): the largest sum of their proportional set sizes (PSS: shared
library pages divided among the processes that map them, the memory the tree really uses), the
largest sum of their resident set sizes (RSS: counts shared pages once per process, an upper
bound) and the largest single process. ``resource.getrusage(RUSAGE_CHILDREN)`` would give only
the largest process ever waited for, not the sum of a pool's workers.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True, slots=True)
class CommandResult:
    command: tuple[str, ...]
    returncode: int
    seconds: float
    peak_pss_mb: float
    peak_rss_mb: float
    peak_process_mb: float
    stderr_tail: str

    @property
    def succeeded(self) -> bool:
        """etmf scan exits 1 when it reports findings: that is a successful run."""
        return self.returncode in (0, 1)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(name))
    return tree


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; PSS is the RSS where smaps_rollup is missing."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            rss = int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0, 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return rss, int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss, rss


def tree_memory(pid: int) -> tuple[int, int, int]:
    """(PSS sum, RSS sum, largest RSS) in bytes of ``pid`` and its descendants, now."""
    tree = _children()
    pss_total = rss_total = largest = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        rss, pss = _memory(current)
        rss_total += rss
        pss_total += pss
        largest = max(largest, rss)
        stack.extend(tree.get(current, ()))
    return pss_total, rss_total, largest


class MemoryPoller:
    """Samples the process tree of ``pid`` in a thread until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_pss = 0
        self.peak_rss = 0
        self.peak_process = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pss, rss, largest = tree_memory(self.pid)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_process = max(self.peak_process, largest)
            self._stop.wait(self.interval)


def run_command(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout: float,
    log: Path,
    cwd: Path | None = None,
) -> CommandResult:
    """Run ``command`` in ``cwd`` with its output in ``log``; time it and sample its memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd
        )
        with MemoryPoller(process.pid) as memory:
            try:
                returncode = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                returncode = process.wait()
        seconds = time.perf_counter() - start
    tail = log.read_bytes()[-2000:].decode("utf-8", "replace")
    return CommandResult(
        command=tuple(command),
        returncode=returncode,
        seconds=seconds,
        peak_pss_mb=memory.peak_pss / 1e6,
        peak_rss_mb=memory.peak_rss / 1e6,
        peak_process_mb=memory.peak_process / 1e6,
        stderr_tail=tail,
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1e6:.1f} GB"
    except OSError:
        pass
    return "unknown"


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _git_commit(cwd: Path) -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown"
    commit = result.stdout.strip() or "unknown"
    return f"{commit} (uncommitted changes)" if dirty.stdout.strip() else commit


def machine_description() -> dict[str, str]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return {
        "nproc": str(affinity or os.cpu_count()),
        "cpu": _cpu_model(),
        "ram": _memory_gb(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load average": load,
        "etmf": f"{_package('etmf')}, commit {_git_commit(Path(__file__).resolve().parent)}",
        "pypdfium2": _package("pypdfium2"),
        "pypdf": _package("pypdf"),
        "executable": sys.executable,
    }
