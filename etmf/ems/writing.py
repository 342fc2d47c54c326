"""Write an EMS package folder atomically: a hidden temporary folder beside the destination,
each file copied and checked against the SHA-256 the scan read, exchange.xml last, then one
rename. A reader never sees half a package, and the scanned folder is only read.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from datetime import date
from pathlib import Path

from etmf.atomic import is_inside
from etmf.ems.countries import country_codes
from etmf.ems.export import PackagePlan, plan_package
from etmf.ems.schema import EXCHANGE_FILE
from etmf.errors import EtmfError, UsageError
from etmf.scan import ScanObserver, ScanOptions, build_report, collect, prepare, resolve_as_of

_CHUNK = 1024 * 1024


def check_destination(source: Path, output: Path) -> None:
    """Refuse, before any work, a destination that would write into the scanned folder, hold
    it, or replace something."""
    if is_inside(output, source):
        raise UsageError(
            f"{output}: refusing to write into the scanned folder {source}; "
            "choose an output folder outside it"
        )
    if is_inside(source, output):
        raise UsageError(f"{output}: the package folder cannot contain the scanned folder")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise UsageError(f"{output}: exists and is not an empty folder; choose a new one")


def write_package(plan: PackagePlan, *, source: Path, output: Path) -> None:
    check_destination(source, output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.parent / f".{output.name}.{secrets.token_hex(4)}.tmp"
    temporary.mkdir()
    try:
        for item in plan.files:
            _copy(source / item.source, temporary / item.content_url, item.sha256, item.source)
        _write(temporary / EXCHANGE_FILE, plan.exchange)
        if output.exists():
            output.rmdir()
        os.rename(temporary, output)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _copy(source: Path, target: Path, sha256: str, name: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as reader, open(target, "xb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
    except OSError as error:
        raise EtmfError(f"{name}: cannot be copied into the package: {error.strerror}") from None
    if digest.hexdigest() != sha256:
        raise EtmfError(
            f"{name}: changed while it was exported (SHA-256 {digest.hexdigest()}, "
            f"{sha256} when scanned); export again"
        )


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def export_package(
    root: Path,
    output: Path,
    *,
    as_of: date | None = None,
    default_as_of: date | None = None,
    options: ScanOptions | None = None,
    observer: ScanObserver | None = None,
    source_id: str | None = None,
) -> PackagePlan:
    """Scan ``root`` as of ``as_of`` (or the study's ``as_of``, or ``default_as_of``: the
    caller's today) and write its package to ``output``; the plan says what was written and
    what was left out."""
    options = options or ScanOptions()
    check_destination(root, output)
    setup = prepare(root, options)
    effective = resolve_as_of(as_of, setup.study) or default_as_of
    if effective is None:
        raise UsageError("as_of is required: pass it, or set study.as_of in etmf.yaml")
    documents = collect(root, setup, as_of=effective, options=options, observer=observer)
    report = build_report(documents, setup, as_of=effective)
    plan = plan_package(report, countries=country_codes(setup.catalog), source_id=source_id)
    write_package(plan, source=root, output=output)
    return plan
