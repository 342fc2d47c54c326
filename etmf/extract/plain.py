"""Plain text, e-mail and images.

Text files are decoded as UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise as the
legacy encoding a Taiwanese, mainland Chinese, Korean or Japanese site may still produce,
detected by charset-normalizer, and last as Latin-1. E-mail
(.eml) gives its subject as title and its plain-text body. Images carry no text layer; OCR
reads them when it is available.
"""

from __future__ import annotations

import email
import email.policy
from types import MappingProxyType

from etmf.errors import ExtractionError
from etmf.extract import Extraction, Limits, is_ole2
from etmf.model import FileFormat

# Legacy encodings that sites in Asia-Pacific still produce: Big5 (Taiwan, Hong Kong),
# GB18030 (mainland China), CP949 (Korea), CP932 (Japan) and CP1252 (Windows, Latin).
# EUC-KR and GB2312 bytes are valid in each other, so decoding without error proves nothing;
# charset-normalizer tells them apart by character frequencies.
_LEGACY = ["utf_8", "big5", "gb18030", "cp949", "cp932", "cp1252"]


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_LEGACY).best()
    return str(best) if best is not None else data.decode("latin-1")


def extract_text(data: bytes, limits: Limits) -> Extraction:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("not a text file: it contains binary data")
    text = decode_text(data[: limits.max_chars * 4])[: limits.max_chars]
    return Extraction(format=FileFormat.TEXT, readable=True, text=text)


def extract_email(data: bytes, limits: Limits) -> Extraction:
    if is_ole2(data):
        # Outlook .msg: a compound file; its fields need a reader etmf does not depend on.
        return Extraction(format=FileFormat.EMAIL, readable=True, metadata=MappingProxyType({}))
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys():
        raise ExtractionError("not an e-mail message: no headers found")
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    headers = {
        key.lower(): str(message[key])
        for key in ("Subject", "From", "To", "Date")
        if message[key] is not None
    }
    return Extraction(
        format=FileFormat.EMAIL,
        readable=True,
        title=headers.get("subject"),
        text=str(text)[: limits.max_chars],
        metadata=MappingProxyType(headers),
    )


def extract_image(data: bytes, limits: Limits) -> Extraction:
    return Extraction(format=FileFormat.IMAGE, readable=True, pages=1, needs_ocr=True)
