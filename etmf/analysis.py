"""What one document says: its dates, version, signatures and language, read from its bytes.

Runs in the worker process after extraction, placement and classification, because the
document's country decides day/month order and its artifact's dating convention decides which
date identifies the record. A scanned PDF or an image is read by OCR when Tesseract is
available; otherwise the document says so and a rule flags it for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from etmf.extract import Extraction
from etmf.extract.dates import find_dates, identifying_date, metadata_dates
from etmf.extract.language import detect_language
from etmf.extract.versions import find_version
from etmf.model import (
    DateFact,
    DateRole,
    FileFormat,
    LanguageFact,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
    VersionFact,
)
from etmf.tmf.refmodel import load_reference_model


@dataclass(frozen=True, slots=True)
class OcrSettings:
    enabled: bool = True
    languages: tuple[str, ...] = ("eng", "chi_tra", "kor")
    max_pages: int = 2
    cache_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class EvidenceSettings:
    """Per scan: trust anchors from the study, the time signatures are validated at, OCR."""

    trust_roots: tuple[bytes, ...] = ()
    validation_time: datetime | None = None
    ocr: OcrSettings = field(default_factory=OcrSettings)
    # Dates without a role (a log's entries in running text) listed per document; the rest are
    # counted. A training log or a monitoring report states hundreds: listing them all made a
    # report of 10,000 documents 130 MB and its scan hold 1.2 GB.
    unlabelled_dates: int = 10


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    scanned: bool
    read_by_ocr: bool
    ocr: str | None


@dataclass(frozen=True, slots=True)
class Facts:
    dates: tuple[DateFact, ...]
    identifying_date: DateFact | None
    signatures: tuple[SignatureFact, ...]
    language: LanguageFact | None
    version: VersionFact | None
    dates_omitted: int = 0


def read_text(data: bytes, extraction: Extraction, settings: OcrSettings) -> Reading:
    """The extracted text, or what OCR reads from a page without a text layer."""
    if not extraction.readable or not extraction.needs_ocr:
        return Reading(extraction.text, False, False, None)
    if not settings.enabled:
        return Reading(extraction.text, True, False, "OCR is turned off in etmf.yaml")
    from etmf.extract.ocr import OcrOptions, ocr_image, ocr_pdf

    options = OcrOptions(languages=settings.languages, max_pages=settings.max_pages)
    if extraction.format is FileFormat.PDF:
        pages = list(range(1, min(extraction.pages or 1, settings.max_pages) + 1))
        result = ocr_pdf(data, pages=pages, options=options, cache_dir=settings.cache_dir)
    else:
        result = ocr_image(data, options=options, cache_dir=settings.cache_dir)
    if result.problem is not None or not result.text.strip():
        return Reading(extraction.text, True, False, result.problem or "OCR found no text")
    read = ", ".join(str(p) for p in result.pages)
    note = f"read by OCR ({result.engine}, {'+'.join(result.languages)}; page {read})"
    return Reading(result.text, True, True, note)


def read_facts(
    data: bytes,
    extraction: Extraction,
    reading: Reading,
    *,
    filename: str,
    artifact: str | None,
    country: str | None,
    settings: EvidenceSettings,
) -> Facts:
    text = reading.text
    dates = tuple(find_dates(text, country=country)) + tuple(metadata_dates(extraction.metadata))
    convention = load_reference_model().artifacts[artifact].dating_convention if artifact else None
    identifying = identifying_date(dates, convention)
    listed = _listed(dates, identifying, settings.unlabelled_dates)
    return Facts(
        dates=listed,
        dates_omitted=len(dates) - len(listed),
        identifying_date=identifying,
        signatures=tuple(_signatures(data, extraction, reading, settings)),
        language=detect_language(text) if text.strip() else None,
        version=find_version(text, filename),
    )


def _listed(
    dates: tuple[DateFact, ...], identifying: DateFact | None, keep: int
) -> tuple[DateFact, ...]:
    """Every date with a role; of those without one, the first ``keep`` in text order, the
    first and the latest unambiguous one, the latest one and the identifying date: whatever
    a dating convention or a check could pick stays listed."""
    other = [i for i, fact in enumerate(dates) if fact.role is DateRole.OTHER]
    if len(other) <= keep:
        return dates
    kept = set(other[:keep])
    clear = [i for i in other if not dates[i].ambiguous]
    for pool in (clear, other):
        if pool:
            kept.add(pool[0])
            kept.add(max(pool, key=lambda i: dates[i].value))
    kept.update(i for i in other if dates[i] is identifying)
    return tuple(f for i, f in enumerate(dates) if f.role is not DateRole.OTHER or i in kept)


def _signatures(
    data: bytes, extraction: Extraction, reading: Reading, settings: EvidenceSettings
) -> list[SignatureFact]:
    from etmf.extract.signature_text import find_text_signatures

    facts: list[SignatureFact] = []
    if extraction.format is FileFormat.PDF:
        from etmf.extract.pdf_signatures import read_pdf_signatures

        facts += read_pdf_signatures(
            data, trust_roots=settings.trust_roots, validation_time=settings.validation_time
        )
    elif extraction.format is FileFormat.DOCX:
        from etmf.extract.docx_signatures import read_docx_signatures

        facts += read_docx_signatures(data, trust_roots=settings.trust_roots)
    in_text = find_text_signatures(reading.text)
    facts += in_text
    signed_in_text = any(s.status is not SignatureStatus.UNSIGNED for s in in_text)
    if reading.scanned and not signed_in_text:
        where = "the scanned page" if not reading.read_by_ocr else "the OCR text of the scan"
        facts.append(
            SignatureFact(
                method=SignatureMethod.SCAN,
                status=SignatureStatus.UNVERIFIABLE,
                evidence=f"{where} shows no readable signature evidence; a wet-ink signature "
                "on a scan can only be checked by a person",
                page=1,
            )
        )
    return facts
