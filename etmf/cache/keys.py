"""Fingerprints of everything a cached result depends on besides the file itself.

Three, because documents depend on different things:

* the **context**, for every document: etmf's version, ``EXTRACTOR_VERSION``, the encoding of
  cached documents, Python's version (marshal's format), the versions of the libraries that
  read files, the packaged rule data that classification and dates read (vocabulary, date forms,
  signature phrases, the reference model; not the base profile's rules, which evaluation
  reads) and the analysis context: the placement context
  from ``etmf.yaml``, the extraction limits, the trust anchors, and whatever else it holds;
* **OCR**, only for documents that needed it: the OCR settings and the installed Tesseract
  (version and languages), so installing Tesseract or a language re-reads exactly the scans;
* the **validation time**, only for PDFs whose signature verdict pyHanko computed at that time
  (see :mod:`etmf.cache`).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import sys
from datetime import date, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import PurePath
from typing import Any

from etmf.analysis import EvidenceSettings, OcrSettings
from etmf.cache.codec import CODEC_VERSION
from etmf.extract import EXTRACTOR_VERSION
from etmf.inventory import AnalysisContext
from etmf.profiles import BASE_PROFILE

_LIBRARIES = (
    "etmf",
    "pypdf",
    "pypdfium2",
    "python-docx",
    "lxml",
    "cryptography",
    "pyHanko",
    "pyhanko-certvalidator",
    "charset-normalizer",
    "opencc-python-reimplemented",
    "hanzidentifier",
    "pydantic",
    "Pillow",
)
_DATA_PACKAGES = ("etmf.rules", "etmf.tmf")


def canonical(value: Any) -> Any:
    """A JSON-ready form of configuration values that is the same in every process (sets
    sorted, bytes hashed), so a fingerprint does not depend on hash randomisation."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (frozenset, set)):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (tuple, list)):
        return [canonical(v) for v in value]
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (PurePath, date, datetime)):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(value: Any) -> str:
    text = json.dumps(canonical(value), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def _installed() -> tuple[tuple[str, str], ...]:
    found = []
    for name in _LIBRARIES:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "-"))
    return tuple(found)


def _data_files() -> list[str]:
    """The packaged data files analysis may read: all of ``etmf.rules`` and ``etmf.tmf`` but
    the base profile, whose rules only evaluation reads (editing a rule must not make the
    next scan a cold one)."""
    evaluation_only = {f"{BASE_PROFILE}.yaml"}
    return [
        f"{package}/{entry.name}"
        for package in _DATA_PACKAGES
        for entry in sorted(files(package).iterdir(), key=lambda e: e.name)
        if entry.is_file()
        and entry.name.endswith((".yaml", ".json"))
        and entry.name not in evaluation_only
    ]


def _data() -> str:
    """A digest of :func:`_data_files` (read on each scan: a few ms)."""
    hasher = hashlib.sha256()
    for name in _data_files():
        package, filename = name.split("/")
        hasher.update(filename.encode() + b"\0" + files(package).joinpath(filename).read_bytes())
        hasher.update(b"\0")
    return hasher.hexdigest()


def context_key(context: AnalysisContext) -> str:
    """What every document's analysis depends on: the whole analysis context (a field added to
    it is part of the key without a change here) except the validation time, deliberately, and
    the OCR settings, which have their own key."""
    evidence = dataclasses.replace(context.evidence, validation_time=None, ocr=OcrSettings())
    return digest(
        {
            "extractor": EXTRACTOR_VERSION,
            "codec": CODEC_VERSION,
            "python": list(sys.version_info[:2]),
            "libraries": _installed(),
            "data": _data(),
            "context": dataclasses.replace(context, evidence=evidence),
        }
    )


def ocr_key(settings: OcrSettings) -> str:
    """What a document that needed OCR depends on besides the context (not where the OCR
    cache lives)."""
    from etmf.extract.ocr import tesseract_available, tesseract_languages, tesseract_version

    available = tesseract_available()
    return digest(
        {
            "enabled": settings.enabled,
            "languages": settings.languages,
            "max_pages": settings.max_pages,
            "tesseract": tesseract_version() if available else None,
            "installed": sorted(tesseract_languages()) if available else [],
        }
    )


def validation_key(settings: EvidenceSettings) -> str | None:
    """The time PDF signatures are validated at; None (validated "now") matches no other."""
    moment = settings.validation_time
    return moment.isoformat() if moment is not None else None
