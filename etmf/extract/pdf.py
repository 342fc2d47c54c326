"""PDF: page count, metadata and the text of the first pages, read with PDFium.

PDFium (pypdfium2) is 4-10x faster than pypdf for text (reference/libraries.md) and tolerant of
damaged files; it is not thread-safe, so parallel extraction uses processes. Pages are joined
with a form feed so that evidence can say which page a date or a signature line was on.
"""

from __future__ import annotations

import re
from types import MappingProxyType

import pypdfium2 as pdfium

from etmf.errors import ExtractionError
from etmf.extract import Extraction, Limits
from etmf.model import FileFormat

PAGE_BREAK = "\f"
_PLACEHOLDER_TITLES = re.compile(r"^(untitled|document\d*|microsoft word - .*|title|\s*)$", re.I)
_METADATA_KEYS = (
    "Title",
    "Author",
    "Subject",
    "Keywords",
    "Creator",
    "Producer",
    "CreationDate",
    "ModDate",
)


def extract_pdf(data: bytes, limits: Limits) -> Extraction:
    if b"%PDF" not in data[:1024]:
        raise ExtractionError(
            "not a PDF: the file has no PDF header (it may be misnamed, truncated or damaged)"
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = str(error)
        if "password" in reason.lower():
            raise ExtractionError("encrypted PDF: a password is needed to open it") from None
        detail = reason.split("(PDFium: ")[-1].rstrip(").") if "PDFium" in reason else reason
        raise ExtractionError(f"damaged PDF: {detail.lower()}") from None
    try:
        count = len(document)
        texts = [_page_text(document, index) for index in range(min(count, limits.max_pages))]
        raw_metadata = document.get_metadata_dict()
    finally:
        document.close()
    text = PAGE_BREAK.join(texts)[: limits.max_chars]
    metadata = {
        key.lower(): str(value).strip()
        for key, value in raw_metadata.items()
        if key in _METADATA_KEYS and value and str(value).strip()
    }
    title = metadata.get("title")
    if title is not None and _PLACEHOLDER_TITLES.match(title):
        title = None
    return Extraction(
        format=FileFormat.PDF,
        readable=True,
        pages=count,
        title=title,
        text=text,
        metadata=MappingProxyType(metadata),
        needs_ocr=count > 0 and sum(not c.isspace() for c in text) < 10,
    )


def _page_text(document: pdfium.PdfDocument, index: int) -> str:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text: str = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")
