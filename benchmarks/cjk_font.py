"""An embedded CJK font for the benchmark PDFs: a TrueType subset whose glyphs are all boxes.

Chinese, Korean and Japanese PDFs that Word or Acrobat write embed a subset of the font they use
(a Type0 font, Identity-H encoding, a CIDFontType2 with the TrueType program and a ToUnicode
map for text extraction). A PDF that names a non-embedded CJK font instead (MSung-Light,
HYSMyeongJo-Medium) makes PDFium look up and parse a system font for every document: 20-35 ms
a page here against 2-4 ms, which would make the corpus unlike real files. Drawing real glyph
outlines would need a font library; the benchmark needs the structure and the text, so every
glyph is the same hollow box ("tofu"), and the font program is built per document for the
characters it uses, as a real subset is.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import cache

UNITS = 1000
_BOX = ((100, -100), (900, -100), (900, 800), (100, 800))
_HOLE = ((160, -40), (160, 740), (840, 740), (840, -40))  # inner contour, opposite direction


def _glyph() -> bytes:
    """One simple glyph: a box with a hole, eight on-curve points, coordinates as int16 deltas."""
    points = [*_BOX, *_HOLE]
    header = struct.pack(">hhhhh", 2, 100, -100, 900, 800)
    body = struct.pack(">HHH", 3, 7, 0) + bytes([0x01] * len(points))
    xs, ys, x, y = b"", b"", 0, 0
    for px, py in points:
        xs += struct.pack(">h", px - x)
        ys += struct.pack(">h", py - y)
        x, y = px, py
    data = header + body + xs + ys
    return data + b"\0" * (-len(data) % 4)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


@cache
def truetype_boxes(glyphs: int) -> bytes:
    """A TrueType font with ``glyphs`` glyphs (glyph 0 is .notdef), all the same box."""
    glyph = _glyph()
    glyf = glyph * glyphs
    loca = struct.pack(f">{glyphs + 1}L", *(i * len(glyph) for i in range(glyphs + 1)))
    head = struct.pack(
        ">LLLLHHqqhhhhHHhhh",
        *(0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B, UNITS, 0, 0),  # checksum set below
        *(100, -100, 900, 800, 0, 8, 2, 1, 0),  # bounding box, ..., long loca offsets
    )
    hhea = struct.pack(
        ">LhhhHhhhhhhhhhhhH",
        *(0x00010000, 880, -120, 0, UNITS, 100, 100, 900, 1, 0, 0),  # metrics, caret
        *(0, 0, 0, 0, 0, 1),  # reserved, metric format, one advance shared by every glyph
    )
    maxp = struct.pack(">LHHHHHHHHHHHHHH", 0x00010000, glyphs, 8, 2, 0, 0, 2, *[0] * 8)
    tables = {
        b"head": head,
        b"hhea": hhea,
        b"maxp": maxp,
        b"hmtx": struct.pack(">Hh", UNITS, 100)
        + struct.pack(f">{glyphs - 1}h", *[100] * (glyphs - 1)),
        b"loca": loca,
        b"glyf": glyf,
        b"post": struct.pack(">LLhhLLLLL", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0),
    }
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    search = (power * 16, power.bit_length() - 1, count * 16 - power * 16)
    header = struct.pack(">LHHHH", 0x00010000, count, *search)
    offset = len(header) + 16 * count
    directory, body, head_offset = b"", b"", 0
    for tag in sorted(tables):
        data = tables[tag]
        if tag == b"head":
            head_offset = offset + len(body)
        directory += struct.pack(">4sLLL", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_offset + 8 : head_offset + 12] = struct.pack(">L", adjustment)
    return bytes(font)


def to_unicode_cmap(characters: Sequence[str]) -> bytes:
    """The ToUnicode CMap: glyph n + 1 is ``characters[n]``."""
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(characters), 100):
        block = characters[start : start + 100]
        lines.append(b"%d beginbfchar" % len(block))
        lines += [
            b"<%04X> <%s>" % (start + i + 1, c.encode("utf-16-be").hex().upper().encode())
            for i, c in enumerate(block)
        ]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)
