"""Walk a TMF folder and turn each file into a Document: hash, extract, place, classify.

Discovery is a generator that prunes hidden folders in place and skips the files an office
leaves behind (``~$`` lock files, ``Thumbs.db``, ``.DS_Store``). Analysis of one file is a pure
function of its bytes and the placement context, so it can run in worker processes; a file
that cannot be read becomes a Document with ``readable=False`` and the reason.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etmf.analysis import EvidenceSettings, read_facts, read_text
from etmf.ems.record import ExchangeRecord, apply_record
from etmf.extract import DEFAULT_LIMITS, Extraction, Limits, detect_format, extract
from etmf.model import Document
from etmf.placement import PlacementContext, place
from etmf.study import STUDY_FILE
from etmf.tmf.classify import ClassificationInput, Classifier

SKIPPED_NAMES = frozenset({"thumbs.db", ".ds_store", "desktop.ini"})
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")
_TEMPORARY_PREFIXES = ("~$", ".~lock")
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileEntry:
    relpath: str
    path: str
    size: int
    mtime_ns: int
    inode: int
    error: str | None = None


def is_temporary(name: str) -> bool:
    """Office lock files (``~$report.docx``, ``.~lock.report.docx#``), editors' and office
    programs' temporary files (``~WRL0001.tmp``, ``*.tmp``) and partial downloads (``*.part``,
    ``*.crdownload``): files on their way to becoming a document, or leftovers of one."""
    folded = name.casefold()
    return folded.startswith(_TEMPORARY_PREFIXES) or folded.endswith(_TEMPORARY_SUFFIXES)


def is_skipped(name: str) -> bool:
    """Hidden files and folders, what an office or a desktop leaves behind, and temporary
    files: never documents, in a scan as in a watch."""
    return name.startswith(".") or name.casefold() in SKIPPED_NAMES or is_temporary(name)


def discover(root: Path, *, exclude: frozenset[str] = frozenset()) -> Iterator[FileEntry]:
    """Every document under ``root`` in a stable order (each folder's files in name order, then
    its subfolders); never follows folder links. ``exclude``: relative paths that are not
    documents (the study configuration given with ``--study``)."""
    stack = [""]
    while stack:
        relative = stack.pop()
        folder = root / relative if relative else root
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError as error:
            yield FileEntry(
                relative or ".", str(folder), 0, 0, 0, f"cannot list folder: {error.strerror}"
            )
            continue
        subfolders = []
        for entry in entries:
            if is_skipped(entry.name):
                continue
            relpath = f"{relative}/{entry.name}" if relative else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(relpath)
                    continue
                if entry.is_symlink() and not os.path.exists(entry.path):
                    yield FileEntry(relpath, entry.path, 0, 0, 0, "broken link: its target is gone")
                    continue
                if not entry.is_file():
                    continue
                if relpath == STUDY_FILE or relpath in exclude:
                    continue
                stat = entry.stat()
            except OSError as error:
                yield FileEntry(relpath, entry.path, 0, 0, 0, f"cannot read: {error.strerror}")
                continue
            yield FileEntry(relpath, entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
        stack.extend(reversed(subfolders))


@cache
def classifier() -> Classifier:
    """One classifier per process: building the vocabulary index takes about half a second."""
    return Classifier()


def read_and_extract(entry: FileEntry, limits: Limits) -> tuple[str, bytes, Extraction]:
    """The file's SHA-256, its bytes (empty when it could not be read) and what was read."""
    name = entry.relpath.rsplit("/", 1)[-1]
    if entry.error is not None:
        return "", b"", _unread(name, entry.error)
    try:
        if entry.size > limits.max_bytes:
            problem = (
                f"too large to read: {human_size(entry.size)} is over the "
                f"{human_size(limits.max_bytes)} limit"
            )
            return hash_file(entry.path), b"", _unread(name, problem)
        with open(entry.path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return "", b"", _unread(name, f"cannot read: {error.strerror}")
    return hashlib.sha256(data).hexdigest(), data, extract(name, data, limits)


def _unread(name: str, problem: str) -> Extraction:
    return Extraction(format=detect_format(name, b""), readable=False, problem=problem)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def hash_file(path: str) -> str:
    """The file's SHA-256, read in chunks (a file too large to analyse is still hashed)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """Everything analysing one file needs; sent once to each worker process. ``exchange``:
    the records of an EMS package's exchange.xml, by path."""

    placement: PlacementContext
    limits: Limits = DEFAULT_LIMITS
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)
    exchange: dict[str, ExchangeRecord] = field(default_factory=dict)


def warm_up(context: AnalysisContext) -> None:
    """Build the per-process state (the classifier's index) before any file's clock starts."""
    classifier()


def analyse_task(entry: FileEntry, context: AnalysisContext) -> Document:
    """The unit of work of a scan, as the worker pool runs it."""
    sha256, data, extraction = read_and_extract(entry, context.limits)
    return describe(entry, sha256, data, extraction, context)


def describe(
    entry: FileEntry,
    sha256: str,
    data: bytes,
    extraction: Extraction,
    context: AnalysisContext,
) -> Document:
    """A Document from what was read: placed, classified with its level known, then the
    evidence its artifact calls for (the identifying date follows the dating convention).

    A file an EMS package lists is read from its name and text only (the package's folders
    follow its metadata), then its record is laid over that reading (``apply_record``)."""
    record = context.exchange.get(entry.relpath)
    reading = read_text(data, extraction, context.evidence.ocr)
    parts = entry.relpath.split("/")
    placement = place(parts[-1] if record else entry.relpath, reading.text, context.placement)
    level, site = (record.level, record.site) if record else (placement.level, placement.site)
    result = classifier().classify(
        ClassificationInput(
            filename=parts[-1],
            folders=() if record else tuple(parts[:-1]),
            title=extraction.title,
            text=reading.text,
            level=level,
            pi_names=context.placement.pi_names(site),
        )
    )
    facts = (
        read_facts(
            data,
            extraction,
            reading,
            filename=parts[-1],
            artifact=record.artifact if record else result.artifact,
            country=record.country if record else placement.country,
            settings=context.evidence,
        )
        if extraction.readable
        else None
    )
    document = Document(
        path=entry.relpath,
        sha256=sha256,
        size=entry.size,
        format=extraction.format,
        readable=extraction.readable,
        problem=extraction.problem,
        pages=extraction.pages,
        title=extraction.title,
        artifact=result.artifact,
        artifact_name=result.artifact_name,
        subartifact=result.subartifact,
        confidence=result.confidence,
        evidence=result.evidence,
        level=placement.level,
        country=placement.country,
        site=placement.site,
        placement=placement.evidence,
        dates=facts.dates if facts else (),
        dates_omitted=facts.dates_omitted if facts else 0,
        identifying_date=facts.identifying_date if facts else None,
        signatures=facts.signatures if facts else (),
        language=facts.language if facts else None,
        version=facts.version if facts else None,
        scanned=reading.scanned,
        read_by_ocr=reading.read_by_ocr,
        ocr=reading.ocr,
    )
    return apply_record(document, record) if record else document
