"""A small real TMF and scan helpers for the document cache tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from etmf.cache import CacheStats, Outcome
from etmf.formats.json_report import render
from etmf.profiles import ProfileCatalog
from etmf.scan import ScanOptions, build_report, gather, prepare
from fixtures.documents import docx_bytes, pdf_bytes, write
from fixtures.signing import signed_pdf, test_pki
from tests.builders import catalog

AS_OF = date(2026, 11, 1)
STUDY = """\
study:
  id: T-1
  milestones: {"01": 2025-01-10, "02": 2025-01-10, "03": 2025-01-10}
trust_anchors: [.trust/root.pem]
countries:
  - code: TW
    milestones: {"01": 2025-01-10, "03": 2025-01-10}
sites:
  - id: TW-001
    country: TW
    pi: Chen Wei-Lin
    milestones: {"03": 2025-01-10}
"""


@cache
def files() -> dict[str, bytes]:
    cta = pdf_bytes("Clinical Trial Agreement", "Between Example Pharma and NTUH")
    return {
        "Protocol v2.pdf": pdf_bytes("Clinical Study Protocol", "Version 2.0\nDate: 2025-01-05"),
        "TW/TW-001/CTA signed.pdf": signed_pdf(cta, signer="Chen Wei-Lin"),
        "TW/TW-001/CV Chen Wei-Lin.pdf": pdf_bytes(
            "Curriculum Vitae", "Chen Wei-Lin\nSignature: Chen Wei-Lin  Date: 2025-01-02"
        ),
        "TW/TW-001/GCP certificate.pdf": pdf_bytes(
            "GCP Training Certificate", "Chen Wei-Lin\nCompleted 2024-05-01"
        ),
        "TW/TW-001/Delegation log.docx": docx_bytes(
            "Delegation of Authority Log", "Chen Wei-Lin | PI | All\n/s/ Chen Wei-Lin 2025-02-20"
        ),
        "TW/TW-001/broken.pdf": b"%PDF-1.7\nthis is not really a PDF\n",
    }


_LOAD_PROFILES = ProfileCatalog.load


def share_packaged_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scans of these tests share the packaged profiles of ``tests.builders.catalog()``
    instead of loading them again each time (0.14-0.16 s a load, measured); the profiles are
    not what the cache tests are about."""
    packaged = catalog()  # loaded before ``load`` is replaced, by the real one

    def load(extra: Sequence[Path] = (), **options: Any) -> ProfileCatalog:
        return packaged if not extra and not options else _LOAD_PROFILES(extra, **options)

    monkeypatch.setattr(ProfileCatalog, "load", load)


@pytest.fixture(autouse=True)
def shared_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test of a module that imports this fixture scans with the shared profiles."""
    share_packaged_profiles(monkeypatch)


def build_tmf(root: Path, study: str = STUDY) -> Path:
    write(root / "etmf.yaml", study.encode("utf-8"))
    write(root / ".trust" / "root.pem", test_pki().root_pem)
    for name, data in files().items():
        write(root / name, data)
    return root


@dataclass
class Scanned:
    json: str
    stats: CacheStats

    def count(self, outcome: Outcome) -> int:
        return self.stats.outcomes[outcome]


class ParserSpy:
    """Counts the files the real PDF and DOCX parsers are given (scans run in this process)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from etmf.extract import office, pdf

        self.calls = 0
        for module, name in ((pdf, "extract_pdf"), (office, "extract_docx")):
            original = getattr(module, name)
            monkeypatch.setattr(module, name, self._counting(original))

    def _counting(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def counted(data: bytes, limits: Any) -> Any:
            self.calls += 1
            return original(data, limits)

        return counted


def scan_json(
    root: Path,
    cache_dir: Path,
    *,
    as_of: date = AS_OF,
    cache: bool = True,
    jobs: int = 0,
    **options: Any,
) -> Scanned:
    scan_options = ScanOptions(cache_dir=cache_dir, cache=cache, jobs=jobs, **options)
    setup = prepare(root, scan_options)
    collected = gather(root, setup, as_of=as_of, options=scan_options)
    return Scanned(render(build_report(collected.documents, setup, as_of=as_of)), collected.stats)


def cold_json(root: Path, tmp_path: Path, *, as_of: date = AS_OF) -> str:
    """The report of a scan without the document cache."""
    return scan_json(root, tmp_path / "no-cache", as_of=as_of, cache=False).json
