"""Scan benchmarks, side by side on the same files: ``python -m benchmarks.run --work DIR``.

For each size: generate (or reuse) ``WORK/corpus-N``, then measure, in this order:
the floor (one process, pypdfium2 first page of every PDF); a cold ``etmf scan`` with an empty
``--cache``; the same command again (warm, nothing changed) against a bare ``os.scandir`` walk;
``etmf watch`` latency from a file written to the report including it; peak memory of each
etmf process tree. Prints the machine and a Markdown table; ``--results FILE`` appends both.
A command that fails (an option not there yet) is reported as "not available" and the run goes
on. etmf runs as ``python -m etmf`` with this interpreter (``--etmf-source DIR`` measures the etmf
in DIR instead), with ``XDG_CACHE_HOME`` pointing into WORK so that nothing is cached in the home
folder.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.corpus_plan import AS_OF
from benchmarks.floor import walk
from benchmarks.generate import DEFAULT_SEED, generate, is_current, read_manifest
from benchmarks.measure import CommandResult, machine_description, run_command
from benchmarks.results_table import SizeResult, render_markdown
from benchmarks.watch_latency import measure_watch

ETMF = (sys.executable, "-m", "etmf")
STEPS = ("cold", "warm", "watch")


@dataclass(frozen=True, slots=True)
class Settings:
    work: Path
    jobs: int
    seed: int
    as_of: str
    watch_samples: int
    skip: frozenset[str]
    etmf_source: Path | None

    def etmf_env(self, size: int) -> dict[str, str]:
        """etmf's environment: its cache under WORK, and PYTHONPATH for ``--etmf-source``."""
        env = dict(os.environ, XDG_CACHE_HOME=str(self.work / f"cache-{size}"))
        if self.etmf_source is not None:
            env["PYTHONPATH"] = str(self.etmf_source)
        return env

    @property
    def etmf_cwd(self) -> Path:
        """``python -m`` puts the working folder first on sys.path: run where it finds no etmf
        other than the one meant."""
        return self.etmf_source or self.work


def corpus(size: int, settings: Settings) -> Path:
    root = settings.work / f"corpus-{size}"
    if is_current(root, size, settings.seed):
        return root
    if root.exists():
        shutil.rmtree(root)
    _say(f"generating {size:,} documents in {root}")
    made = generate(
        root, size, seed=settings.seed, jobs=settings.jobs, progress=sys.stderr.isatty()
    )
    _say(f"  generated in {made.seconds:.0f} s")
    return root


def _say(text: str) -> None:
    print(f"benchmarks.run: {text}", file=sys.stderr, flush=True)


def _floor(root: Path, settings: Settings, size: int) -> tuple[float | None, int, str | None]:
    """PDFs per second of the single-process floor, and how many PDFs."""
    import json

    log = settings.work / "logs" / f"floor-{size}.log"
    script = Path(__file__).with_name("floor.py")  # a script: PYTHONPATH may hold another etmf
    command = (sys.executable, str(script), "first-pages", str(root))
    result = run_command(command, env=os.environ, timeout=600 + size * 0.05, log=log)
    if result.returncode != 0:
        return None, 0, f"floor failed: {result.stderr_tail[-300:]}"
    figures = json.loads(log.read_text().strip().splitlines()[-1])
    return figures["files"] / figures["seconds"], int(figures["files"]), None


def _scan(
    root: Path, settings: Settings, size: int, name: str, cache: Path | None
) -> tuple[CommandResult, Path]:
    output = settings.work / "reports" / f"{name}-{size}.json"
    output.unlink(missing_ok=True)
    command = [
        *ETMF,
        "scan",
        str(root),
        "--jobs",
        str(settings.jobs),
        "--as-of",
        settings.as_of,
    ]
    if cache is not None:
        command += ["--cache", str(cache)]
    command += ["--format", "json", "--output", str(output)]
    log = settings.work / "logs" / f"{name}-{size}.log"
    result = run_command(
        command,
        env=settings.etmf_env(size),
        timeout=600 + size * 0.05,
        log=log,
        cwd=settings.etmf_cwd,
    )
    return result, output


def _failure(result: CommandResult, output: Path) -> str | None:
    if result.succeeded and output.exists():
        return None
    last = [line for line in result.stderr_tail.splitlines() if line.strip()][-1:] or ["?"]
    return f"exit {result.returncode}: {last[0][:160]}"


def measure_size(size: int, settings: Settings) -> SizeResult:
    root = corpus(size, settings)
    manifest = read_manifest(root) or {}
    result = SizeResult(documents=size, counts=dict(manifest.get("counts", {})))
    _say(f"{size:,}: floor (pypdfium2 first pages, one process)")
    result.floor_rate, result.floor_files, result.floor_error = _floor(root, settings, size)
    cache_root = settings.work / f"cache-{size}"
    shutil.rmtree(cache_root, ignore_errors=True)
    if "cold" not in settings.skip:
        _scans(root, settings, size, cache_root, result)
    result.walk_seconds = min(_timed_walk(root) for _ in range(3))
    if "watch" not in settings.skip:
        _say(f"{size:,}: watch latency ({settings.watch_samples} samples)")
        result.watch = _watch(root, settings, size)
    return result


def _scans(root: Path, settings: Settings, size: int, cache_root: Path, result: SizeResult) -> None:
    """The cold scan with an empty cache, then (unless skipped) the warm rescan."""
    cache = cache_root / "etmf"  # the default cache of XDG_CACHE_HOME=cache_root
    _say(f"{size:,}: cold scan")
    cold, cold_output = _scan(root, settings, size, "cold", cache)
    result.cold, result.cold_error = cold, _failure(cold, cold_output)
    if result.cold_error and "--cache" in cold.stderr_tail:
        _say(f"{size:,}: --cache is not available; cold scan without it")
        shutil.rmtree(cache_root, ignore_errors=True)
        bare, bare_output = _scan(root, settings, size, "cold-without-cache", None)
        if _failure(bare, bare_output) is None:
            result.cold_without_cache = bare
            result.report_documents = bare_output.read_bytes().count(b'"sha256":')
        return
    if result.cold_error is not None:
        return
    result.report_documents = cold_output.read_bytes().count(b'"sha256":')
    if "warm" in settings.skip:
        return
    _say(f"{size:,}: warm rescan")
    warm, warm_output = _scan(root, settings, size, "warm", cache)
    result.warm, result.warm_error = warm, _failure(warm, warm_output)
    if result.warm_error is None:
        result.warm_identical = warm_output.read_bytes() == cold_output.read_bytes()


def _timed_walk(root: Path) -> float:
    import time

    start = time.perf_counter()
    walk(root)
    return time.perf_counter() - start


def _watch(root: Path, settings: Settings, size: int) -> Any:
    site_folder = sorted(p for p in root.glob("*/*-001 *") if p.is_dir())[0]
    report = settings.work / "reports" / f"watch-{size}.json"
    command = [
        *ETMF,
        "watch",
        str(root),
        "--output",
        str(report),
        "--as-of",
        settings.as_of,
    ]
    command += ["--format", "json"]
    return measure_watch(
        command,
        folder=site_folder,
        site=site_folder.name.split(" ", 1)[0],
        report=report,
        samples=settings.watch_samples,
        env=settings.etmf_env(size),
        cwd=settings.etmf_cwd,
        start_timeout=600 + size * 0.05,
        log=settings.work / "logs" / f"watch-{size}.log",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--jobs", type=int, default=2, help="etmf scan --jobs (default 2)")
    parser.add_argument("--work", type=Path, required=True, help="corpora, caches, reports, logs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--as-of", default=AS_OF.isoformat())
    parser.add_argument("--watch-samples", type=int, default=20)
    parser.add_argument(
        "--skip",
        choices=STEPS,
        nargs="*",
        default=[],
        help="steps to leave out (skipping cold skips warm too)",
    )
    parser.add_argument("--results", type=Path, help="append the figures to this Markdown file")
    parser.add_argument(
        "--etmf-source",
        type=Path,
        help="measure the etmf in this folder (a checkout or a git archive export), run with "
        "PYTHONPATH=DIR; default: the etmf this Python imports",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.watch_samples < 1 or any(size < 1 for size in args.sizes):
        parser.error("--jobs, --watch-samples and --sizes must be positive")
    settings = Settings(
        work=args.work.resolve(),
        jobs=args.jobs,
        seed=args.seed,
        as_of=args.as_of,
        watch_samples=args.watch_samples,
        skip=frozenset(args.skip),
        etmf_source=args.etmf_source.resolve() if args.etmf_source else None,
    )
    settings.work.mkdir(parents=True, exist_ok=True)
    before = machine_description()
    if settings.etmf_source is not None:
        before["etmf"] = f"from {settings.etmf_source} (--etmf-source)"
    results = [measure_size(size, settings) for size in sorted(args.sizes)]
    after = machine_description()["load average"]
    command = "python -m benchmarks.run " + shlex.join(argv if argv is not None else sys.argv[1:])
    text = render_markdown(
        results,
        machine=before,
        load_after=after,
        command=command,
        jobs=settings.jobs,
        when=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    )
    print(text)
    if args.results is not None:
        with open(args.results, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
