"""The document cache: what a scan read from each file, kept so a rescan reads only what
changed.

A SQLite file outside the scanned folder (by default ``$XDG_CACHE_HOME/etmf``) holds one row per
file of each scanned folder (keyed by the folder's resolved path and the file's relative
path): the stat data (size, ``mtime_ns``, inode) and SHA-256 it was read with, the
fingerprints of what the result depends on (:mod:`etmf.cache.keys`), and the Document in a
compact encoding (:mod:`etmf.cache.codec`). A rescan walks the folder, fetches the folder's
rows in one query and, for each file:

* same stat data and fingerprints: the cached Document, without opening the file;
* stat data changed: the file is re-hashed; the same content keeps the cached analysis, other
  content is analysed again (so is a new file; a renamed file is a new path, and rows of paths
  that are gone are deleted);
* another context fingerprint (a new etmf release or ``EXTRACTOR_VERSION``, a changed
  ``etmf.yaml`` placement, limits or trust anchors): analysed again; documents that needed OCR
  also when the OCR settings or the installed Tesseract changed.

**The validation time.** Signatures are validated as of the end of ``as_of``, and a nightly
scan's ``as_of`` is "today", so a key on the whole analysis context would invalidate every row
every night. But only one part of one kind of result depends on that time: the verdicts pyHanko
gives PDF signatures (a certificate is checked for being valid at that moment); text, dates,
classification, placement, language, DOCX signatures (checked at their own signing time) and
everything else do not. So the validation time is not in the context fingerprint. A row
records the time its PDF signatures were validated at, and only when the document has such
signatures; when a scan validates at another time, those files alone are read again and only
their PDF signatures validated again (``revalidated``), the rest of the cached analysis is
kept. Recording a window in which a verdict holds (from the certificates' validity periods)
would avoid even that, but pyHanko's result at a moment also depends on revocation data and
timestamp tokens; re-validating is exact, and it costs tens of milliseconds per signed PDF
only on the night the date moves.

Results are written as they arrive, in transactions of a few hundred rows, so an interrupted
scan keeps what it read. Failures that depend on the moment (a file over the time limit, a
worker that died, OCR that failed while Tesseract is installed) are not cached. A damaged cache
is rebuilt and never gives a result (:mod:`etmf.cache.store`); a cache that cannot be used
(locked, read-only, a full disk) leaves the scan to read every file, and says so.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from etmf.cache.codec import CodecError, decode
from etmf.cache.keys import context_key, ocr_key, validation_key
from etmf.cache.store import CacheDamaged, CacheError, DocumentStore, Row
from etmf.cache.work import Job, JobResult, Outcome, depends_on_validation_time
from etmf.inventory import AnalysisContext, FileEntry
from etmf.model import Document

__all__ = ["CacheError", "CacheStats", "DocumentCache", "Job", "JobResult", "Outcome"]

_FLUSH_ROWS = 500


@dataclass(slots=True)
class CacheStats:
    """How each file of a scan was dealt with (``Outcome``), what the cache did, and why it
    could not be used, if so."""

    outcomes: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    removed: int = 0
    rebuilt: bool = False
    problem: str | None = None

    def count(self, outcome: Outcome, number: int = 1) -> None:
        self.outcomes[outcome] += number

    @property
    def analysed(self) -> int:
        """Files read and parsed (new, changed, or not in the cache)."""
        return self.outcomes[Outcome.ANALYSED] + self.outcomes[Outcome.FAILED]


@dataclass(frozen=True, slots=True)
class Plan:
    documents: list[Document]  # from the cache, files not opened
    jobs: list[Job]  # to read: analyse, or confirm a cached result


class DocumentCache:
    """One scan's use of the cache: ``folder``'s rows under one analysis context."""

    def __init__(
        self, directory: Path, folder: Path, context: AnalysisContext, stats: CacheStats
    ) -> None:
        self.folder = str(folder.resolve())
        self.stats = stats
        self._context = context_key(context)
        self._validated = validation_key(context.evidence)
        settings = context.evidence.ocr
        self._ocr_settings = settings
        self._ocr: str | None = None
        self._store: DocumentStore | None = DocumentStore(directory)
        self.stats.rebuilt = self._store.rebuilt
        self._pending: list[Row] = []
        self._keep_unread_scans = False  # set with the OCR key (_ocr_key), before it is read

    def _ocr_key(self) -> str:
        if self._ocr is None:
            from etmf.extract.ocr import tesseract_available

            self._ocr = ocr_key(self._ocr_settings)
            self._keep_unread_scans = not self._ocr_settings.enabled or not tesseract_available()
        return self._ocr

    def plan(self, entries: Sequence[FileEntry]) -> Plan:
        """Cached documents for unchanged files, jobs for the others; rows of files that are
        gone are deleted."""
        if self._store is None:
            return Plan([], [Job(e) for e in entries])
        wanted = {e.relpath: e for e in entries if e.error is None}
        documents: list[Document] = []
        jobs: list[Job] = []
        planned: set[str] = set()
        gone: list[str] = []
        paused = gc.isenabled()
        gc.disable()  # decoding makes many objects that live on: collecting finds nothing
        try:
            for row in self._store.rows(self.folder):
                entry = wanted.get(row.path)
                if entry is None:
                    gone.append(row.path)
                    continue
                planned.add(row.path)
                verdict = self._judge(row, entry)
                if isinstance(verdict, Job):
                    jobs.append(verdict)
                else:
                    documents.append(verdict)
        except (CacheDamaged, CodecError) as error:
            self._rebuild(str(error))
            return Plan([], [Job(e) for e in entries])
        except CacheError as error:  # locked for too long, an I/O error: read the files
            self._give_up(str(error))
            return Plan([], [Job(e) for e in entries])
        finally:
            if paused:
                gc.enable()
        jobs.extend(Job(e) for e in entries if e.relpath not in planned)
        self.stats.count(Outcome.CACHED, len(documents))
        self._remove(gone)
        return Plan(documents, jobs)

    def _judge(self, row: Row, entry: FileEntry) -> Job | Document:
        if row.context != self._context or (row.ocr and row.ocr != self._ocr_key()):
            return Job(entry)
        stale = bool(row.validated) and (
            self._validated is None or row.validated != self._validated
        )
        if (row.size, row.mtime_ns, row.inode) != (entry.size, entry.mtime_ns, entry.inode):
            return Job(entry, cached=row.payload, revalidate=stale)
        if stale:
            return Job(entry, cached=row.payload, revalidate=True)
        document = decode(row.payload)
        if document.path != row.path or document.sha256 != row.sha256:
            raise CacheDamaged(f"row {row.path!r} holds another document")
        return document

    def record(self, entry: FileEntry, document: Document, result: JobResult) -> None:
        """Keep what a job found (written in batches)."""
        self.stats.count(result.outcome)
        if self._store is None or result.outcome is Outcome.FAILED or entry.error is not None:
            return
        if not document.sha256:
            return  # the file could not be opened: try again next time
        ocr = ""
        if document.scanned:
            ocr = self._ocr_key()
            if not document.read_by_ocr and not self._keep_unread_scans:
                return  # OCR failed although it could run: perhaps only this time
        validated = (self._validated or "now") if depends_on_validation_time(document) else ""
        self._pending.append(
            Row(
                path=entry.relpath,
                size=entry.size,
                mtime_ns=entry.mtime_ns,
                inode=entry.inode,
                sha256=document.sha256,
                context=self._context,
                ocr=ocr,
                validated=validated,
                payload=result.payload,
            )
        )
        if len(self._pending) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        rows, self._pending = self._pending, []
        if rows:
            self._guard(lambda store: store.put(self.folder, rows))

    def _remove(self, paths: list[str]) -> None:
        if paths:
            self._guard(lambda store: store.remove(self.folder, paths))
            self.stats.removed += len(paths)

    def _guard(self, action: Callable[[DocumentStore], None]) -> None:
        """Run a write; a cache that fails stops being used (or is rebuilt when damaged)."""
        if self._store is None:
            return
        try:
            action(self._store)
        except CacheDamaged as error:
            self._rebuild(str(error))
        except CacheError as error:
            self._give_up(str(error))

    def _rebuild(self, reason: str) -> None:
        assert self._store is not None
        self.stats.rebuilt = True
        try:
            self._store.rebuild()
        except CacheError as error:
            self._give_up(f"{reason}; {error}")

    def _give_up(self, reason: str) -> None:
        self.stats.problem = f"the document cache could not be used: {reason}"
        if self._store is not None:
            self._store.close()
        self._store = None

    def close(self) -> None:
        self.flush()  # may give the store up
        if self._store is not None:
            self._store.close()
            self._store = None
