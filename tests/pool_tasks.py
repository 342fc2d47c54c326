"""Task functions for worker-pool tests; they live in a module so spawned workers import them."""

from __future__ import annotations

import os
import time

from etmf.inventory import AnalysisContext, FileEntry, analyse_task
from etmf.model import Document


def slow_on_purpose(entry: FileEntry, context: AnalysisContext) -> Document:
    """Analyse normally; files named 'hang*' never finish and 'crash*' kill the worker."""
    name = entry.relpath.rsplit("/", 1)[-1]
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os._exit(3)
    return analyse_task(entry, context)
