"""Read what a file says: its format, text of the first pages, and metadata.

One function per format behind :func:`extract`. Every extractor takes the file's bytes (read
once, also hashed) and returns an :class:`Extraction`; a file that cannot be read gives an
Extraction with ``readable=False`` and a reason a user understands, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from etmf.errors import ExtractionError
from etmf.model import FileFormat

# Version of what extraction produces; a cache keyed on it re-reads files when it changes.
EXTRACTOR_VERSION = "2"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a document to read: enough to classify, bounded for huge files."""

    max_pages: int = 3
    max_chars: int = 20_000
    max_bytes: int = 512 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Extraction:
    format: FileFormat
    readable: bool
    problem: str | None = None
    pages: int | None = None
    title: str | None = None
    text: str = ""
    metadata: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    needs_ocr: bool = False


Extractor = Callable[[bytes, Limits], Extraction]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
_EXTENSIONS = {
    ".pdf": FileFormat.PDF,
    ".docx": FileFormat.DOCX,
    ".docm": FileFormat.DOCX,
    ".doc": FileFormat.DOC,
    ".xlsx": FileFormat.XLSX,
    ".xlsm": FileFormat.XLSX,
    ".xls": FileFormat.XLSX,
    ".png": FileFormat.IMAGE,
    ".jpg": FileFormat.IMAGE,
    ".jpeg": FileFormat.IMAGE,
    ".tif": FileFormat.IMAGE,
    ".tiff": FileFormat.IMAGE,
    ".gif": FileFormat.IMAGE,
    ".bmp": FileFormat.IMAGE,
    ".eml": FileFormat.EMAIL,
    ".msg": FileFormat.EMAIL,
    ".txt": FileFormat.TEXT,
    ".csv": FileFormat.TEXT,
    ".md": FileFormat.TEXT,
}


def detect_format(name: str, head: bytes) -> FileFormat:
    """The format of a file: its first bytes when they say PDF or an image, else its extension
    (a ``.pdf`` that is not a PDF is then reported as such by the PDF reader)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if head.startswith(b"%PDF"):
        return FileFormat.PDF
    if head.startswith(_IMAGE_MAGIC):
        return FileFormat.IMAGE
    return _EXTENSIONS.get(suffix, FileFormat.OTHER)


def extract(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Extraction:
    """Extract a file's text and metadata; problems come back as ``readable=False``."""
    fmt = detect_format(name, data[:16])
    if not data:
        return Extraction(format=fmt, readable=False, problem="empty file (0 bytes)")
    extractor = _extractors().get(fmt)
    if extractor is None:
        return Extraction(format=fmt, readable=True, problem=None)
    try:
        return extractor(data, limits)
    except ExtractionError as error:
        return Extraction(format=fmt, readable=False, problem=error.reason)
    except (MemoryError, RecursionError) as error:
        kind = "too large" if isinstance(error, MemoryError) else "too deeply nested"
        return Extraction(format=fmt, readable=False, problem=f"damaged {fmt.value}: {kind}")
    except Exception as error:
        detail = str(error).strip() or type(error).__name__
        return Extraction(
            format=fmt, readable=False, problem=f"damaged {fmt.value} file: {detail[:200]}"
        )


def is_ole2(data: bytes) -> bool:
    return data.startswith(_OLE2)


def _extractors() -> Mapping[FileFormat, Extractor]:
    from etmf.extract import office, pdf, plain

    return {
        FileFormat.PDF: pdf.extract_pdf,
        FileFormat.DOCX: office.extract_docx,
        FileFormat.XLSX: office.extract_xlsx,
        FileFormat.DOC: office.extract_legacy_office,
        FileFormat.EMAIL: plain.extract_email,
        FileFormat.TEXT: plain.extract_text,
        FileFormat.IMAGE: plain.extract_image,
    }
