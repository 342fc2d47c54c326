"""Suite-wide settings: the OCR cache of scans run by tests lives in a temporary folder, and
tests that hide Tesseract get it probed afresh."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etmf.extract.ocr import tesseract_available, tesseract_languages, tesseract_version


@pytest.fixture(autouse=True, scope="session")
def _cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Scans default to the user's cache (XDG_CACHE_HOME); tests must not write to $HOME."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(Path(cache)))
        yield


def forget_tesseract() -> None:
    for probe in (tesseract_available, tesseract_version, tesseract_languages):
        probe.cache_clear()


@pytest.fixture
def fresh_probes() -> Iterator[None]:
    """Tesseract probed again, before the test and after it (the test may hide it)."""
    forget_tesseract()
    yield
    forget_tesseract()
