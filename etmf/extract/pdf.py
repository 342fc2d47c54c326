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
        raise ExtractionError(_unopened(str(error).lower(), data)) from None
    try:
        count = len(document)
        texts = []
        for index in range(min(count, limits.max_pages)):
            try:
                texts.append(_page_text(document, index))
            except pdfium.PdfiumError:  # a looping page tree, or a /Count over the real pages
                raise ExtractionError(
                    f"damaged PDF: page {index + 1} of {count} cannot be loaded "
                    "(the page tree is broken)"
                ) from None
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
        needs_ocr=count > 0 and len("".join(text.split())) < 10,
    )


def _unopened(reason: str, data: bytes) -> str:
    """Why PDFium could not open ``data``.

    PDFium's last-error code is per thread and some failures leave it as it was: in a worker,
    a damaged file read after an encrypted one came back as "password" (and as "success" in a
    fresh process). So encryption is named only when the file has an encryption dictionary, and
    damage is described without the code, so the words do not depend on the files read before.
    """
    if b"/Encrypt" in data:
        if "password" in reason:
            return "encrypted PDF: a password is needed to open it"
        if "security scheme" in reason:  # /Adobe.PubSec or a proprietary security handler
            return (
                "encrypted PDF: only a recipient certificate's private key (or another "
                "non-password security handler) opens it; file an unencrypted copy"
            )
    return (
        "damaged PDF: its structure cannot be read (cross-reference data, trailer or "
        "catalogue); re-export it or save a repaired copy"
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
    # PDFium reports a hyphen drawn from some CJK fonts as U+FFFE ("ABC\ufffe301").
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")
