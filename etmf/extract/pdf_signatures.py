"""Digital signatures in a PDF, validated with pyHanko: integrity, signer, time and trust.

An inspector asks of every signed record: was it changed after signing, who signed, when, and is
the certificate trusted? pyHanko answers all four offline. Trust comes only from the anchors the
study configuration names: the validation context never fetches and never falls back to the
operating system's trust store (pyHanko 0.37+ does when no context is given).

Every signature field pyHanko can see becomes one :class:`SignatureFact`, in the order of the
form's field list: approval and certification signatures, document timestamps (PAdES-LTA,
reported with method ``timestamp``: they prove when, not who) and empty fields.
``reader.embedded_signatures`` is not used: it drops signatures with an unknown ``/SubFilter``
without a word and fails for the whole file when one container is damaged.
When pyHanko cannot parse a file at all, its signatures are still counted by their byte
ranges, so a truncated signed file is reported as a broken signature, not as an unsigned one.

How each pyHanko status is judged and worded is :mod:`etmf.extract.pdf_signature_evidence`.

pyHanko logs path-building failures at ERROR; those loggers are silenced while a file is read,
so a scan's terminal shows etmf's findings and not pyHanko's stack traces.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import threading
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from etmf.errors import UsageError
from etmf.extract.pdf_signature_evidence import (
    common_name,
    make_fact,
    signature_fact,
    timestamp_fact,
)
from etmf.model import SignatureFact, SignatureMethod, SignatureStatus

_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
_BYTE_RANGE = re.compile(
    rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]"
)
_SUBFILTERS = {  # the formats pyHanko verifies, and the object type each belongs to
    "/adbe.pkcs7.detached": "/Sig",
    "/ETSI.CAdES.detached": "/Sig",
    "/PBAD.PAdES": "/Sig",
    "/ETSI.RFC3161": "/DocTimeStamp",
}


def read_pdf_signatures(
    data: bytes,
    *,
    trust_roots: Sequence[bytes] = (),
    validation_time: datetime | None = None,
) -> list[SignatureFact]:
    """One fact per signature field of ``data``, in the order of the form's field list.

    ``trust_roots``: certificates (PEM, PEM bundles or DER) the study names as trust anchors;
    a signature is ``valid`` only when its certificate chains to one of them.
    ``validation_time``: when certificates must be valid (timezone-aware); None means now.
    A file that cannot be parsed at all gives ``[]``, or a fact per signature whose byte range
    is still visible (the caller reports unreadable files); a damaged signature gives an
    ``invalid`` fact and the other signatures are still read.
    """
    anchors = _parsed_roots(tuple(trust_roots))
    if validation_time is not None and validation_time.tzinfo is None:
        raise UsageError("validation_time must be timezone-aware")
    if b"%PDF" not in data[:1024] or not _may_hold_signatures(data):
        return []
    with quiet_pyhanko():
        try:
            opened = _open(data)
        except _LockedError:
            return []  # needs a password: the caller reports it as unreadable
        if opened is None:
            return _unparsed_signatures(data)
        reader, lenient = opened
        found = _signature_fields(reader)
        if not found:
            return []
        facts = _run(_read_fields(reader, found, anchors, validation_time))
    if lenient:
        note = "; the file's cross-reference data is irregular, so it was read leniently"
        facts = [f.model_copy(update={"evidence": f.evidence + note}) for f in facts]
    return facts


def _run(work: Coroutine[Any, Any, list[SignatureFact]]) -> list[SignatureFact]:
    """``asyncio.run``, also from code that already runs an event loop (in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _may_hold_signatures(data: bytes) -> bool:
    """Whether parsing the file could find a signature field. A field's dictionary says
    ``/FT /Sig`` and a signature's ``/Type /Sig`` or ``/ByteRange``; names are never encrypted,
    so outside object streams (compressed, where only parsing sees them) a file without these
    bytes has no signature field, and most files are spared a full parse."""
    return b"/Sig" in data or b"/ByteRange" in data or b"/ObjStm" in data


@lru_cache(maxsize=8)
def _parsed_roots(blobs: tuple[bytes, ...]) -> tuple[Any, ...]:
    """The study's trust roots, parsed once per process rather than once per document."""
    return parse_trust_roots(blobs)


def parse_trust_roots(blobs: Sequence[bytes]) -> tuple[Any, ...]:
    """asn1crypto certificates from PEM (one or several per blob) or DER bytes.

    Naming something that is not a certificate is a configuration mistake, not a property of a
    scanned file, so it raises :class:`UsageError` instead of quietly trusting nothing.
    """
    try:
        import pyhanko  # noqa: F401
        from asn1crypto import pem
        from asn1crypto import x509 as asn1_x509
    except ImportError:
        raise UsageError(
            "validating PDF signatures needs pyHanko: pip install 'etmf[signatures]'"
        ) from None
    certificates = []
    for number, blob in enumerate(blobs, start=1):
        try:
            ders = (
                [d for _, _, d in pem.unarmor(blob, multiple=True)] if pem.detect(blob) else [blob]
            )
            for der in ders:
                certificate = asn1_x509.Certificate.load(der)
                certificate.native  # noqa: B018 - parse everything now, not during a scan
                certificates.append(certificate)
        except (ValueError, TypeError) as error:
            raise UsageError(
                f"trust root #{number} is not an X.509 certificate in PEM or DER form ({error})"
            ) from None
    return tuple(certificates)


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved: dict[str, tuple[bool, logging.Handler]] = {}


@contextmanager
def quiet_pyhanko() -> Iterator[None]:
    """Keep pyHanko's log records from reaching the root logger and the terminal.

    Only those loggers change, and only while the outermost block runs: a counter makes nested
    and concurrent blocks set them once and restore them once.
    """
    global _quiet_depth
    with _quiet_lock:
        if _quiet_depth == 0:
            for name in _LOGGERS:
                logger, handler = logging.getLogger(name), logging.NullHandler()
                _quiet_saved[name] = (logger.propagate, handler)
                logger.addHandler(handler)
                logger.propagate = False
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                for name in _LOGGERS:
                    logger = logging.getLogger(name)
                    propagate, added = _quiet_saved.pop(name)
                    logger.removeHandler(added)
                    logger.propagate = propagate


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    value: Any  # the /V signature dictionary; anything else means an empty field
    ref: Any  # the field's indirect object
    page: int | None  # 1-based page of a visible widget


class _LockedError(Exception):
    """The PDF is encrypted with a user password other than the empty one, or for the holders
    of certain certificates."""


def _open(data: bytes) -> tuple[Any, bool] | None:
    """A pyHanko reader (strict if possible) and whether it is lenient; None if unparseable.

    Raises :class:`_LockedError` when the file needs a password.
    """
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.crypt.api import AuthStatus
    from pyhanko.pdf_utils.reader import PdfFileReader

    for strict in (True, False):
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=strict)
            if strict and reader.xrefs.hybrid_xrefs_present:
                continue  # strict pyHanko refuses to validate these; Office writes them
            if reader.encrypted and not isinstance(
                reader.security_handler, StandardSecurityHandler
            ):
                # certificate (public-key) encryption: no password opens it, and the /ByteRange
                # of its ISO 32004 MAC must not be taken for a signature by _unparsed_signatures
                raise _LockedError
            if reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED:
                raise _LockedError
            reader.root  # noqa: B018 - a broken catalogue fails here, not halfway through
        except _LockedError:
            raise
        except Exception:  # any parser failure: try leniently, then give up
            continue
        return reader, not strict
    return None


def _signature_fields(reader: Any) -> list[_Field]:
    """Every signature field, as far as the form tree can be walked."""
    from pyhanko.sign.fields import enumerate_sig_fields

    found = []
    try:
        for name, value, ref in enumerate_sig_fields(reader):
            resolved = value.get_object() if hasattr(value, "get_object") else value
            found.append((str(name), resolved, ref))
    except Exception:  # a damaged form tree ends the walk; what was read is kept
        pass
    pages = _widget_pages(reader) if found else {}
    return [_Field(n, v, ref, pages.get(getattr(ref, "idnum", -1))) for n, v, ref in found]


async def _read_fields(
    reader: Any,
    found: list[_Field],
    anchors: tuple[Any, ...],
    validation_time: datetime | None,
) -> list[SignatureFact]:
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=list(anchors),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=validation_time,
    )
    facts = []
    for item in found:
        if not hasattr(item.value, "get"):
            facts.append(_empty(item.name, item.page))
            continue
        try:
            facts.append(await _read_signature(reader, item, context, bool(anchors)))
        except Exception as error:  # odd objects around a signature must not lose the others
            evidence = f"signature '{item.name}' could not be examined ({_short(error)})"
            facts.append(make_fact(SignatureStatus.UNVERIFIABLE, evidence, field=item.name))
    return facts


async def _read_signature(
    reader: Any, item: _Field, context: Any, have_anchors: bool
) -> SignatureFact:
    from pyhanko.sign.validation import EmbeddedPdfSignature
    from pyhanko.sign.validation.pdf_embedded import (
        async_validate_pdf_signature,
        async_validate_pdf_timestamp,
    )
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    label = f"signature '{item.name}'"
    subfilter = str(item.value.get("/SubFilter", ""))
    kind = str(item.value.get("/Type", "/Sig"))
    # A document timestamp proves when, not who: even a broken one is no failed signature.
    stamp = kind == "/DocTimeStamp"
    reported: dict[str, Any] = {
        "method": SignatureMethod.TIMESTAMP if stamp else SignatureMethod.DIGITAL,
        "field": item.name,
        "page": item.page,
        "reason": _text(item.value.get("/Reason")),
        "signed_at": _pdf_date(item.value),
    }
    if _SUBFILTERS.get(subfilter) != kind:
        what = f"{subfilter or 'no'} /SubFilter for a {kind} object"
        return make_fact(
            SignatureStatus.UNVERIFIABLE,
            f"{label} uses {what}, a format pyHanko cannot verify",
            **reported,
        )
    try:
        embedded = EmbeddedPdfSignature(reader, item.ref, item.name)
        signer = common_name(embedded.signer_cert)
    except Exception as error:  # damaged /Contents, /ByteRange or CMS container
        return make_fact(
            SignatureStatus.INVALID,
            f"{label}: the signature container cannot be read ({_short(error)})",
            **reported,
        )
    try:
        if stamp:
            stamped = await async_validate_pdf_timestamp(embedded, validation_context=context)
            return timestamp_fact(embedded, stamped, have_anchors, **reported)
        # Adobe accepts either key usage for signing; pyHanko alone wants non-repudiation
        usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
        status = await async_validate_pdf_signature(
            embedded, signer_validation_context=context, key_usage_settings=usage
        )
    except Exception as error:  # pyHanko gives up on malformed signatures
        return make_fact(
            SignatureStatus.INVALID,
            f"{label}: the signature cannot be verified ({_short(error)})",
            signer=signer,
            **reported,
        )
    return signature_fact(embedded, status, have_anchors, signer=signer, **reported)


def _empty(name: str, page: int | None) -> SignatureFact:
    return SignatureFact(
        method=SignatureMethod.FIELD,
        status=SignatureStatus.UNSIGNED,
        field=name,
        page=page,
        evidence=f"signature field '{name}' is empty: nobody has signed it",
    )


def _unparsed_signatures(data: bytes) -> list[SignatureFact]:
    """Signatures in a file pyHanko cannot parse, found by their ``/ByteRange`` alone.

    PDFium opens many such files (a truncated download, a botched edit), and without this a
    damaged signed record would look merely unsigned.
    """
    facts = []
    for match in _BYTE_RANGE.finditer(data, 0, 64 * 1024 * 1024):
        *_, start, length = (int(n) for n in match.groups())
        short = start + length > len(data)
        why = "the file ends before the signed bytes do" if short else "its structure is damaged"
        status = SignatureStatus.INVALID if short else SignatureStatus.UNVERIFIABLE
        facts.append(make_fact(status, f"a signature is present but cannot be verified: {why}"))
    return facts[:100]


def _widget_pages(reader: Any) -> dict[int, int]:
    """Object number of each visible widget (and of its parent field) -> 1-based page."""
    pages: dict[int, int] = {}
    try:
        stack, number = [reader.root.raw_get("/Pages")], 0
        seen: set[int] = set()
        while stack and len(seen) < 100_000:
            ref = stack.pop()
            if getattr(ref, "idnum", None) in seen:
                continue
            seen.add(getattr(ref, "idnum", -1))
            node = ref.get_object()
            if "/Kids" in node:
                stack.extend(reversed(list(node.raw_get("/Kids"))))
                continue
            number += 1
            for annot in node.get("/Annots", None) or ():
                widget = annot.get_object()
                x1, y1, x2, y2 = (float(v) for v in widget.get("/Rect", (0, 0, 0, 0)))
                if x1 != x2 and y1 != y2:
                    parent = widget.raw_get("/Parent") if "/Parent" in widget else annot
                    for idnum in {getattr(annot, "idnum", -1), getattr(parent, "idnum", -1)}:
                        pages.setdefault(idnum, number)
    except Exception:  # page numbers are a convenience; a damaged page tree gives fewer
        return pages
    return pages


def _pdf_date(value: Any) -> datetime | None:
    from pyhanko.pdf_utils.generic import parse_pdf_date

    try:
        return parse_pdf_date(str(value["/M"]), strict=False)
    except Exception:  # /M is optional and often malformed
        return None


def _text(value: Any) -> str | None:
    return (str(value).strip() or None) if value is not None else None


def _short(error: BaseException) -> str:
    return (" ".join(str(error).split()) or type(error).__name__)[:160]
