"""etmf: keep a Trial Master File inspection-ready.

The public API: scan a folder (:func:`scan`) or evaluate documents you already hold
(:func:`evaluate`), and read the typed results. Everything else is internal and may change.
"""

from __future__ import annotations

from etmf.engine import Evaluation, evaluate
from etmf.errors import ConfigError, EtmfError, ExtractionError, UsageError
from etmf.model import (
    Document,
    Expectation,
    Finding,
    FindingStatus,
    Kind,
    Level,
    Report,
    Severity,
)
from etmf.profiles import ProfileCatalog
from etmf.scan import ScanOptions, scan
from etmf.study import Study, load_study

__all__ = [
    "ConfigError",
    "Document",
    "EtmfError",
    "Evaluation",
    "Expectation",
    "ExtractionError",
    "Finding",
    "FindingStatus",
    "Kind",
    "Level",
    "ProfileCatalog",
    "Report",
    "ScanOptions",
    "Severity",
    "Study",
    "UsageError",
    "evaluate",
    "load_study",
    "scan",
]
