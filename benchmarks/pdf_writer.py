"""A minimal PDF writer for text pages: fast enough to write 100,000 benchmark documents.

reportlab takes several milliseconds per page; the benchmark corpus needs hundreds of thousands
of pages, so pages are written here directly: one Flate-compressed content stream per page, the
standard Helvetica font for Latin lines, and for lines with Chinese, Korean or Japanese an
embedded subset font as Word writes it (Type0, Identity-H, a TrueType program and a ToUnicode
map; see benchmarks/cjk_font.py). The file has a classic cross-reference table, so pypdf,
pyHanko and PDFium all read it.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.cjk_font import to_unicode_cmap, truetype_boxes

PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4 in points
_MARGIN_LEFT, _TOP, _BOTTOM = 60, 770, 60
_WIDE = re.compile(r"[^\x00-\xff]")


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    size: float = 10.0


def is_wide(text: str) -> bool:
    """Whether ``text`` needs the CJK font (it has characters outside Latin-1)."""
    return _WIDE.search(text) is not None


def _literal(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Latin-1 is close enough for the characters we use)."""
    raw = text.encode("latin-1", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _info_string(text: str) -> bytes:
    if not _WIDE.search(text):
        return _literal(text)
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def page_stream(lines: Sequence[Line], glyphs: dict[str, int]) -> bytes:
    """The content stream drawing ``lines`` top-down: Helvetica (F1) for Latin lines, the CJK
    subset (F2, two-byte glyph ids from ``glyphs``) for the others. Lines below the bottom
    margin are not drawn: the caller splits text into pages."""
    out = [b"BT"]
    y = float(_TOP)
    for line in lines:
        if is_wide(line.text):
            name = b"F2"
            encoded = b"<" + b"".join(b"%04X" % glyphs[c] for c in line.text) + b">"
        else:
            name, encoded = b"F1", _literal(line.text)
        out.append(
            b"/%s %g Tf 1 0 0 1 %d %.1f Tm %s Tj" % (name, line.size, _MARGIN_LEFT, y, encoded)
        )
        y -= line.size + 6
        if y < _BOTTOM:
            break
    out.append(b"ET")
    return b"\n".join(out)


def lines_per_page(size: float = 10.0) -> int:
    return int((_TOP - _BOTTOM) // (size + 6)) + 1


_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data, 6)
    return b"<< /Filter /FlateDecode /Length %d%s >>\nstream\n%s\nendstream" % (
        len(packed),
        extra,
        packed,
    )


def _subset_tag(characters: Sequence[str]) -> bytes:
    """Six capital letters that name the subset, from its characters (deterministic)."""
    value = zlib.crc32("".join(characters).encode("utf-8"))
    letters = []
    for _ in range(6):
        value, rest = divmod(value, 26)
        letters.append(65 + rest)
    return bytes(letters)


def _cjk_font(add: Callable[[bytes], int], characters: Sequence[str]) -> int:
    """The objects of the embedded subset font; returns the Type0 font's object number."""
    program = truetype_boxes(len(characters) + 1)
    name = _subset_tag(characters) + b"+EtmfBenchCJK"
    font_file = add(_stream(program, b" /Length1 %d" % len(program)))
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [0 -120 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 /FontFile2 %d 0 R >>"
        % (name, font_file)
    )
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry "
        b"(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 "
        b"/CIDToGIDMap /Identity >>" % (name, descriptor)
    )
    to_unicode = add(_stream(to_unicode_cmap(characters)))
    return add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, descendant, to_unicode)
    )


def pdf_document(
    pages: Sequence[Sequence[Line]],
    *,
    title: str | None = None,
    author: str | None = None,
    producer: str = "etmf benchmark writer",
    created: str = "D:20250101000000Z",
) -> bytes:
    """A PDF with one page per item of ``pages``. Deterministic: no clock, no random id."""
    wide = sorted({c for page in pages for line in page if is_wide(line.text) for c in line.text})
    glyphs = {c: n for n, c in enumerate(wide, start=1)}
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    pages_ref = add(b"")
    font_dict = b"/F1 %d 0 R" % add(_HELVETICA)
    if wide:
        font_dict += b" /F2 %d 0 R" % _cjk_font(add, wide)
    kids = [
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /Font << "
            b"%s >> /ProcSet [/PDF /Text] >> /Contents %d 0 R >>"
            % (
                pages_ref,
                PAGE_WIDTH,
                PAGE_HEIGHT,
                font_dict,
                add(_stream(page_stream(lines, glyphs))),
            )
        )
        for lines in pages
    ]
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref
    objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info_items = [b"/Producer " + _literal(producer), b"/CreationDate " + _literal(created)]
    if title:
        info_items.append(b"/Title " + _info_string(title))
    if author:
        info_items.append(b"/Author " + _info_string(author))
    info = add(b"<< " + b" ".join(info_items) + b" >>")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    identifier = hashlib.md5(out, usedforsecurity=False).hexdigest().encode()  # from content
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        catalog,
        info,
        identifier,
        identifier,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
