"""The unit of work of a scan with a cache: analyse a file, or confirm a cached result.

:func:`run_job` runs in worker processes (the local pool, Dask workers), so it lives in an
importable module and exchanges compact values: a job carries the cached document's encoding,
the result carries the new one, which the scan stores as it is.

A job with a cached document is for a file whose stat data changed (or whose signature verdict
must be computed at another time): the file is read and hashed; the same content means the
cached analysis stands (``unchanged``), and only the PDF signatures are validated again when
the validation time differs (``revalidated``); other content is analysed afresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from etmf.analysis import EvidenceSettings
from etmf.cache.codec import decode, encode
from etmf.extract import extract
from etmf.inventory import AnalysisContext, FileEntry, analyse_task, describe
from etmf.model import Document, FileFormat, SignatureFact, SignatureMethod

_VALIDATED_METHODS = frozenset({SignatureMethod.DIGITAL, SignatureMethod.TIMESTAMP})
_PDF_METHODS = _VALIDATED_METHODS | {SignatureMethod.FIELD}


class Outcome(StrEnum):
    """What became of one file in a scan."""

    CACHED = "cached"  # stat data unchanged: the cached result, the file not opened
    UNCHANGED = "unchanged"  # stat data changed, same content: re-hashed, not parsed
    REVALIDATED = "revalidated"  # same content, PDF signatures validated at the new time
    ANALYSED = "analysed"  # read and parsed
    FAILED = "failed"  # over the time limit or the worker died: reported, not cached


@dataclass(frozen=True, slots=True)
class Job:
    entry: FileEntry
    cached: bytes | None = None  # the encoded cached Document
    revalidate: bool = False


@dataclass(frozen=True, slots=True)
class JobResult:
    outcome: Outcome
    payload: bytes  # the encoded Document


def depends_on_validation_time(document: Document) -> bool:
    """A PDF whose signatures pyHanko validated: certificates are checked at that time."""
    return document.format is FileFormat.PDF and any(
        s.method in _VALIDATED_METHODS for s in document.signatures
    )


def run_job(job: Job, context: AnalysisContext) -> JobResult:
    entry = job.entry
    if job.cached is None or entry.error is not None or entry.size > context.limits.max_bytes:
        return JobResult(Outcome.ANALYSED, encode(analyse_task(entry, context)))
    try:
        with open(entry.path, "rb") as handle:
            data = handle.read()
    except OSError:
        return JobResult(Outcome.ANALYSED, encode(analyse_task(entry, context)))
    sha256 = hashlib.sha256(data).hexdigest()
    cached = decode(job.cached)
    if sha256 == cached.sha256:
        if not job.revalidate:
            return JobResult(Outcome.UNCHANGED, job.cached)
        revalidated = with_pdf_signatures(cached, data, context.evidence)
        return JobResult(Outcome.REVALIDATED, encode(revalidated))
    name = entry.relpath.rsplit("/", 1)[-1]
    document = describe(entry, sha256, data, extract(name, data, context.limits), context)
    return JobResult(Outcome.ANALYSED, encode(document))


def with_pdf_signatures(document: Document, data: bytes, settings: EvidenceSettings) -> Document:
    """``document`` with its PDF signatures validated again at ``settings.validation_time``.

    They come first among its signatures, as :func:`etmf.analysis.read_facts` lists them; the
    signatures read in the text and the scan note after them do not depend on the time.
    """
    from etmf.extract.pdf_signatures import read_pdf_signatures

    count = 0
    while count < len(document.signatures) and document.signatures[count].method in _PDF_METHODS:
        count += 1
    fresh: list[SignatureFact] = read_pdf_signatures(
        data, trust_roots=settings.trust_roots, validation_time=settings.validation_time
    )
    signatures = (*fresh, *document.signatures[count:])
    return document.model_copy(update={"signatures": signatures})


def run_batch(jobs: list[Job], context: AnalysisContext) -> list[JobResult]:
    """Several jobs in one task (Dask: one task per file costs more than small files do)."""
    return [run_job(job, context) for job in jobs]
