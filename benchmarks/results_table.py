"""The runner's figures per corpus size, and the Markdown it prints: sizes side by side.

Targets (issue 5, for the 2-core machine) are checked on the largest size measured: cold scan
at least 1.6 times the floor's rate; warm rescan within 3 times the bare walk; watch p95 under
1.5 s; peak memory under 500 MB; time per document not growing with the number of documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from benchmarks.measure import CommandResult
from benchmarks.watch_latency import WatchResult

NOT_AVAILABLE = "not available"
COLD_RATIO_TARGET = 1.6
WARM_RATIO_TARGET = 3.0
WATCH_P95_TARGET = 1.5
MEMORY_TARGET_MB = 500.0
LINEAR_TOLERANCE = 1.25
OCR_SECONDS_PER_PAGE = (2.0, 3.0)  # Tesseract on a 300-dpi page, one core (libraries.md)


@dataclass(slots=True)
class SizeResult:
    documents: int
    counts: dict[str, int] = field(default_factory=dict)
    floor_rate: float | None = None
    floor_files: int = 0
    floor_error: str | None = None
    cold: CommandResult | None = None
    cold_error: str | None = None
    cold_without_cache: CommandResult | None = None
    report_documents: int | None = None
    warm: CommandResult | None = None
    warm_error: str | None = None
    warm_identical: bool | None = None
    walk_seconds: float | None = None
    watch: WatchResult | None = None

    @property
    def cold_run(self) -> CommandResult | None:
        """The cold scan measured: with --cache, else the fallback without it."""
        if self.cold is not None and self.cold_error is None:
            return self.cold
        return self.cold_without_cache

    @property
    def cold_rate(self) -> float | None:
        run = self.cold_run
        return self.documents / run.seconds if run else None


def _seconds(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.2f}"


def _verdict(met: bool | None) -> str:
    """Targets are judged at the largest size only (None elsewhere)."""
    return "" if met is None else " (met)" if met else " (**missed**)"


def _memory(run: CommandResult | WatchResult | None) -> str:
    if run is None:
        return NOT_AVAILABLE
    return f"{run.peak_pss_mb:,.0f} ({run.peak_rss_mb:,.0f})"


def growth(results: Sequence[SizeResult]) -> str:
    """Linear when the time per document at the largest size is within 25% of the one at the
    next size down (less is start-up cost being spread over more documents)."""
    timed = [(r.documents, r.cold_run.seconds) for r in results if r.cold_run is not None]
    if len(timed) < 2:
        return NOT_AVAILABLE
    (small, small_s), (large, large_s) = timed[-2], timed[-1]
    ratio = (large_s / large) / (small_s / small)
    if ratio <= LINEAR_TOLERANCE:
        return f"linear: x{ratio:.2f} per document from {small:,} to {large:,}"
    return f"**superlinear**: x{ratio:.2f} per document from {small:,} to {large:,}"


def _row(name: str, results: Sequence[SizeResult], cell: Callable[[SizeResult], str]) -> str:
    cells = [" ".join(cell(r).replace("|", "/").split()) for r in results]
    return "| " + " | ".join([name, *cells]) + " |"


def table(results: Sequence[SizeResult], jobs: int) -> list[str]:
    last = results[-1].documents

    def at_last(r: SizeResult, met: bool) -> bool | None:
        return met if r.documents == last else None

    def cold_ratio(r: SizeResult) -> str:
        if r.cold_rate is None or not r.floor_rate:
            return NOT_AVAILABLE
        value = r.cold_rate / r.floor_rate
        return f"{value:.2f}x" + _verdict(at_last(r, value >= COLD_RATIO_TARGET))

    def warm_ratio(r: SizeResult) -> str:
        if r.warm is None or r.warm_error or not r.walk_seconds:
            return NOT_AVAILABLE
        value = r.warm.seconds / r.walk_seconds
        return f"{value:.2f}x" + _verdict(at_last(r, value <= WARM_RATIO_TARGET))

    def cold_seconds(r: SizeResult) -> str:
        if r.cold_run is None:
            return f"{NOT_AVAILABLE} ({r.cold_error})" if r.cold_error else NOT_AVAILABLE
        suffix = (
            " (run without --cache: not available)" if r.cold_run is r.cold_without_cache else ""
        )
        return f"{r.cold_run.seconds:.1f}{suffix}"

    def watch_p95(r: SizeResult) -> str:
        if r.watch is None or r.watch.error or r.watch.p95 is None:
            return NOT_AVAILABLE
        value = r.watch.p95
        met = at_last(r, value < WATCH_P95_TARGET)
        shown = "timed out" if value == float("inf") else f"{value:.2f}"
        return shown + _verdict(met)

    def peak(r: SizeResult) -> str:
        runs = [r.cold_run, r.warm if not r.warm_error else None]
        values = [x.peak_pss_mb for x in runs if x is not None]
        if r.watch is not None and not r.watch.error:
            values.append(r.watch.peak_pss_mb)
        if not values:
            return NOT_AVAILABLE
        met = at_last(r, max(values) < MEMORY_TARGET_MB)
        return f"{max(values):,.0f}" + _verdict(met)

    def counts(r: SizeResult) -> str:
        c = r.counts
        return (
            f"{c.get('pdf', 0):,} / {c.get('docx', 0):,} / {c.get('signed', 0):,} / "
            f"{c.get('scan', 0):,} / {c.get('pages', 0):,}"
        )

    def ocr(r: SizeResult) -> str:
        scans = r.counts.get("scan", 0)
        low, high = (scans * s / jobs for s in OCR_SECONDS_PER_PAGE)
        return f"{scans} page{'s' * (scans != 1)}, about {low:.0f}-{high:.0f} s"

    return [
        "| measure | " + " | ".join(f"{r.documents:,}" for r in results) + " |",
        "|---" * (len(results) + 1) + "|",
        _row("documents: text PDF / DOCX / signed PDF / scan / pages", results, counts),
        _row(
            "floor: pypdfium2 first page, 1 process, PDFs/s",
            results,
            lambda r: f"{r.floor_rate:,.0f}" if r.floor_rate else r.floor_error or NOT_AVAILABLE,
        ),
        _row(f"cold scan, {jobs} jobs, empty --cache, s", results, cold_seconds),
        _row(
            "cold scan, documents/s",
            results,
            lambda r: f"{r.cold_rate:,.0f}" if r.cold_rate else NOT_AVAILABLE,
        ),
        _row("cold rate / floor rate (target >= 1.6)", results, cold_ratio),
        _row("  of which OCR of image-only scans (estimate)", results, ocr),
        _row(
            "documents in the cold report",
            results,
            lambda r: f"{r.report_documents:,}" if r.report_documents is not None else "-",
        ),
        _row(
            "warm rescan, nothing changed, s",
            results,
            lambda r: (
                _seconds(r.warm.seconds if r.warm and not r.warm_error else None)
                + (f" ({r.warm_error})" if r.warm_error else "")
            ),
        ),
        _row(
            "warm report identical to the cold one",
            results,
            lambda r: {None: "-", True: "yes", False: "**no**"}[r.warm_identical],
        ),
        _row(
            "bare os.scandir + stat walk, s",
            results,
            lambda r: NOT_AVAILABLE if r.walk_seconds is None else f"{r.walk_seconds:.3f}",
        ),
        _row("warm / walk (target <= 3)", results, warm_ratio),
        _row(
            "watch: first report after start, s",
            results,
            lambda r: _seconds(r.watch.startup_seconds if r.watch else None),
        ),
        _row(
            "watch latency median, s",
            results,
            lambda r: (
                _seconds(r.watch.median if r.watch and not r.watch.error else None)
                + (f" ({r.watch.error[:160]})" if r.watch and r.watch.error else "")
            ),
        ),
        _row("watch latency p95, s (target < 1.5)", results, watch_p95),
        _row(
            "watch samples (timed out)",
            results,
            lambda r: f"{len(r.watch.latencies)} ({r.watch.timeouts})" if r.watch else "-",
        ),
        _row("peak memory, MB PSS, any etmf run (target < 500)", results, peak),
        _row("  cold scan, MB PSS (RSS)", results, lambda r: _memory(r.cold_run)),
        _row(
            "  warm rescan, MB PSS (RSS)",
            results,
            lambda r: _memory(r.warm if not r.warm_error else None),
        ),
        _row(
            "  watch, MB PSS (RSS)",
            results,
            lambda r: _memory(r.watch if r.watch and not r.watch.error else None),
        ),
        _row(
            "cold scan, ms per document",
            results,
            lambda r: f"{r.cold_run.seconds / r.documents * 1000:.2f}" if r.cold_run else "-",
        ),
    ]


def render_markdown(
    results: Sequence[SizeResult],
    *,
    machine: Mapping[str, str],
    load_after: str,
    command: str,
    jobs: int,
    when: str,
) -> str:
    sizes = ", ".join(f"{r.documents:,}" for r in results)
    out = [
        f"## {when}: scan benchmarks at {sizes} documents",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items() if k != "load average"),
        f"Load average before: {machine.get('load average', '?')}; after: {load_after}.",
        "",
        "```",
        command,
        "```",
        "",
        *table(results, jobs),
        "",
        f"Growth of the cold scan: {growth(results)}.",
        "",
    ]
    return "\n".join(out)
