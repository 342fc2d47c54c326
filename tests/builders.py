"""Small builders for engine tests: studies from YAML text, documents in memory; a snapshot of
a folder, to check that a scan left it untouched; the command line run in this process."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from etmf.cli import main
from etmf.engine import Evaluation, evaluate
from etmf.model import Document, FileFormat, Level
from etmf.profiles import ProfileCatalog
from etmf.study import Study, parse_study
from etmf.tmf.refmodel import load_reference_model

AS_OF = date(2026, 11, 1)


@cache
def catalog() -> ProfileCatalog:
    return ProfileCatalog.load()


def study(text: str) -> Study:
    return parse_study(text, known_countries=catalog().country_codes, source="etmf.yaml")


def document(
    path: str,
    artifact: str | None,
    *,
    level: Level = Level.TRIAL,
    country: str | None = None,
    site: str | None = None,
    subartifact: str | None = None,
    readable: bool = True,
    sha256: str | None = None,
) -> Document:
    model = load_reference_model()
    return Document(
        path=path,
        sha256=sha256 or f"{abs(hash(path)):064x}"[:64],
        size=1000,
        format=FileFormat.PDF,
        readable=readable,
        problem=None if readable else "damaged PDF",
        artifact=artifact,
        artifact_name=model.artifacts[artifact].name if artifact else None,
        subartifact=subartifact,
        confidence=0.9 if artifact else 0.0,
        level=level,
        country=country,
        site=site,
    )


def run(documents: list[Document], the_study: Study | None, as_of: date = AS_OF) -> Evaluation:
    return evaluate(
        documents,
        catalog=catalog(),
        study=the_study,
        as_of=as_of,
        model=load_reference_model(),
    )


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every entry under ``root``, hidden ones included: kind, mtime and content."""
    entries: dict[str, tuple[str, int, bytes]] = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        if path.is_dir():
            entries[str(path.relative_to(root))] = ("dir", stat.st_mtime_ns, b"")
        else:
            entries[str(path.relative_to(root))] = ("file", stat.st_mtime_ns, path.read_bytes())
    return entries


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``etmf *argv`` in this process: the exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
