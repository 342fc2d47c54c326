"""``scan``: a TMF folder in, a Report out. The imperative shell around the pure engine.

Reads the study configuration and profiles, walks the folder, analyses each file, evaluates
the rules and assembles the report. Progress goes to an observer the caller passes in; the
scan itself never prints, never reads the clock and never writes into the scanned folder.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol

from etmf.analysis import EvidenceSettings, OcrSettings
from etmf.atomic import is_inside
from etmf.cache import CacheError, CacheStats, DocumentCache, Job
from etmf.cache.codec import decode, forget_shared
from etmf.ems.countries import country_codes
from etmf.ems.reading import read_package
from etmf.ems.record import Package
from etmf.ems.schema import EXCHANGE_FILE
from etmf.engine import evaluate
from etmf.errors import ConfigError, UsageError
from etmf.executors import Executor, ExecutorOptions, run_jobs
from etmf.extract import Limits
from etmf.inventory import AnalysisContext, discover
from etmf.model import Document, Report, ToolInfo
from etmf.placement import PlacementContext, placement_context
from etmf.profiles import ProfileCatalog
from etmf.study import Study, find_study_file, load_study
from etmf.tmf.refmodel import load_reference_model


class ScanObserver(Protocol):
    """Told about progress; the CLI draws a progress bar with it."""

    def started(self, total: int) -> None: ...

    def advanced(self, document: Document) -> None: ...

    def finished(self) -> None: ...


class NullObserver:
    def started(self, total: int) -> None:
        pass

    def advanced(self, document: Document) -> None:
        pass

    def finished(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """``jobs``: worker processes (0 analyses in this process, without a per-file time limit);
    ``timeout_seconds``: how long one file may take before it is reported and skipped;
    ``cache_dir``: where the document and OCR caches live (default :func:`default_cache_dir`);
    ``cache``: use the document cache (read only new and changed files); ``executor`` and
    ``scheduler``: where files are analysed (:mod:`etmf.executors`)."""

    study_file: Path | None = None
    profile_paths: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0
    timeout_seconds: float = 120.0
    cache_dir: Path | None = None
    cache: bool = True
    executor: Executor = Executor.LOCAL
    scheduler: str | None = None


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything a scan needs besides the files: loaded and validated once."""

    catalog: ProfileCatalog
    study: Study | None
    placement: PlacementContext
    exclude: frozenset[str] = frozenset()
    trust_roots: tuple[bytes, ...] = ()
    exchange: Package | None = None


def tool_info() -> ToolInfo:
    try:
        current = version("etmf")
    except PackageNotFoundError:
        current = "0+unknown"
    return ToolInfo(name="etmf", version=current)


def prepare(root: Path, options: ScanOptions = ScanOptions()) -> Setup:
    """Load profiles and the study configuration (``--study`` or ``ROOT/etmf.yaml``)."""
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    catalog = ProfileCatalog.load(options.profile_paths)
    study_path = options.study_file or find_study_file(root)
    study = None
    if study_path is not None:
        source = str(study_path) if options.study_file else study_path.name
        study = load_study(study_path, known_countries=catalog.country_codes, source=source)
    names = []
    for code in sorted(catalog.country_codes):
        profile = catalog.for_country(code)
        info = profile.country if profile is not None else None
        names.append((code, info.names if info is not None and info.code == code else ()))
    exclude: frozenset[str] = frozenset()
    if study_path is not None and is_inside(study_path, root):
        exclude = frozenset({study_path.resolve().relative_to(root.resolve()).as_posix()})
    cache_dir = options.cache_dir or default_cache_dir()
    if is_inside(cache_dir, root):
        raise UsageError(
            f"{cache_dir}: the cache cannot live inside the scanned folder; "
            "choose another with --cache DIR"
        )
    exchange = _exchange(root, catalog, options)
    return Setup(
        catalog=catalog,
        study=study,
        placement=placement_context(study, names),
        exclude=exclude | {EXCHANGE_FILE} if exchange is not None else exclude,
        trust_roots=_trust_roots(study, study_path),
        exchange=exchange,
    )


def _exchange(root: Path, catalog: ProfileCatalog, options: ScanOptions) -> Package | None:
    """An EMS package's exchange.xml at the root: its metadata is evidence, not a document."""
    if not (root / EXCHANGE_FILE).is_file():
        return None
    return read_package(
        root,
        countries=country_codes(catalog),
        max_bytes=options.limits.max_bytes,
        model=catalog.model,
    )


def _trust_roots(study: Study | None, study_path: Path | None) -> tuple[bytes, ...]:
    """The certificates ``trust_anchors`` names, relative to the study file."""
    if study is None or study_path is None:
        return ()
    roots = []
    for position, name in enumerate(study.trust_anchors):
        path = name if name.is_absolute() else study_path.parent / name
        try:
            roots.append(path.read_bytes())
        except OSError as error:
            raise ConfigError(
                study.source, f"trust_anchors[{position}]", f"cannot read {path}: {error.strerror}"
            ) from None
    return tuple(roots)


def default_cache_dir() -> Path:
    """The user's cache directory (XDG), never the scanned folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "etmf"


def evidence_settings(setup: Setup, options: ScanOptions, as_of: date) -> EvidenceSettings:
    """Signatures are validated as of the end of ``as_of``, so a scan does not depend on the
    day it runs; OCR follows the study's settings."""
    study = setup.study
    defaults = OcrSettings()
    return EvidenceSettings(
        trust_roots=setup.trust_roots,
        validation_time=datetime.combine(as_of, time(23, 59, 59), tzinfo=UTC),
        ocr=OcrSettings(
            enabled=study.ocr_enabled if study else True,
            languages=(
                study.ocr_languages if study and study.ocr_languages else defaults.languages
            ),
            max_pages=(
                study.ocr_max_pages if study and study.ocr_max_pages else defaults.max_pages
            ),
            cache_dir=(options.cache_dir or default_cache_dir()) / "ocr",
        ),
    )


def analysis_context(setup: Setup, options: ScanOptions, as_of: date) -> AnalysisContext:
    """What reading one file depends on: placement, limits, evidence settings and the records
    of an EMS package's exchange.xml."""
    return AnalysisContext(
        placement=setup.placement,
        limits=options.limits,
        evidence=evidence_settings(setup, options, as_of),
        exchange=setup.exchange.records if setup.exchange else {},
    )


def resolve_as_of(explicit: date | None, study: Study | None) -> date | None:
    """``--as-of`` wins, then ``study.as_of``; None means the caller must supply today."""
    return explicit or (study.as_of if study else None)


@dataclass(frozen=True, slots=True)
class Collected:
    documents: list[Document]
    stats: CacheStats


def collect(
    root: Path,
    setup: Setup,
    *,
    as_of: date,
    options: ScanOptions = ScanOptions(),
    observer: ScanObserver | None = None,
) -> list[Document]:
    """Every document of ``root``: from the cache when unchanged, else read."""
    return gather(root, setup, as_of=as_of, options=options, observer=observer).documents


def gather(
    root: Path,
    setup: Setup,
    *,
    as_of: date,
    options: ScanOptions = ScanOptions(),
    observer: ScanObserver | None = None,
) -> Collected:
    """:func:`collect`, and how each file was dealt with. Documents stream from the workers
    into the cache as they arrive; nothing holds the files' texts.

    The cyclic garbage collector is paused meanwhile when files are read in worker processes:
    the walk, the cache and the results make objects that all live on, so each full collection
    (one per quarter more objects) walks every document read so far and finds nothing, 1.4 s of
    a warm rescan of 100,000 documents. Files read in this process (``jobs=0``) may leave
    cycles behind (pyHanko's event loops), so then it runs as usual.
    """
    paused = options.jobs > 0 and gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _gather(root, setup, as_of=as_of, options=options, observer=observer)
    finally:
        if paused:
            gc.enable()


def _gather(
    root: Path,
    setup: Setup,
    *,
    as_of: date,
    options: ScanOptions,
    observer: ScanObserver | None,
) -> Collected:
    observer = observer or NullObserver()
    paused = gc.isenabled()
    gc.disable()  # the walk makes an object per file, all kept: a collection would find none
    try:
        entries = list(discover(root, exclude=setup.exclude))
    finally:
        if paused:
            gc.enable()
    observer.started(len(entries))
    context = analysis_context(setup, options, as_of)
    stats = CacheStats()
    cache = None
    jobs = [Job(entry) for entry in entries]
    documents: list[Document] = []
    if options.cache:
        try:
            cache = DocumentCache(options.cache_dir or default_cache_dir(), root, context, stats)
        except CacheError as error:
            stats.problem = f"the document cache could not be used: {error}"
    try:
        if cache is not None:
            plan = cache.plan(entries)
            documents, jobs = plan.documents, plan.jobs
            for document in documents:
                observer.advanced(document)
        executor = ExecutorOptions(
            executor=options.executor,
            jobs=options.jobs,
            timeout_seconds=options.timeout_seconds,
            scheduler=options.scheduler,
        )
        by_path = {job.entry.relpath: job.entry for job in jobs}
        for result in run_jobs(jobs, context, executor):
            document = decode(result.payload)
            if cache is not None:
                cache.record(by_path[document.path], document, result)
            else:
                stats.count(result.outcome)
            documents.append(document)
            observer.advanced(document)
    finally:
        if cache is not None:
            cache.close()
        forget_shared()
    observer.finished()
    return Collected(documents, stats)


def build_report(documents: Sequence[Document], setup: Setup, *, as_of: date) -> Report:
    model = load_reference_model()
    ordered = sorted(documents, key=lambda d: d.path)
    evaluation = evaluate(
        ordered,
        catalog=setup.catalog,
        study=setup.study,
        as_of=as_of,
        model=model,
        exchange=setup.exchange.problems if setup.exchange else (),
    )
    return Report(
        tool=tool_info(),
        study=setup.study.info() if setup.study else None,
        as_of=as_of,
        profiles=evaluation.profiles,
        documents=evaluation.documents,
        findings=evaluation.findings,
        expected=evaluation.expected,
        retention=evaluation.retention,
        rules=evaluation.rules,
        summary=evaluation.summary,
    )


def scan(
    root: Path,
    *,
    as_of: date | None = None,
    options: ScanOptions = ScanOptions(),
    observer: ScanObserver | None = None,
) -> Report:
    """Scan ``root`` and evaluate every rule as of ``as_of`` (or the study's ``as_of``)."""
    setup = prepare(root, options)
    effective = resolve_as_of(as_of, setup.study)
    if effective is None:
        raise UsageError("as_of is required: pass it, or set study.as_of in etmf.yaml")
    documents = collect(root, setup, as_of=effective, options=options, observer=observer)
    return build_report(documents, setup, as_of=effective)
