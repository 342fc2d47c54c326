"""The document cache on real files: a rescan reads only new and changed files, gives the
report a scan without the cache gives, and is invalidated by exactly what results depend on."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from etmf.cache import Outcome
from etmf.cache.store import FILE_NAME
from etmf.cli import main
from etmf.errors import UsageError
from etmf.scan import ScanOptions, prepare
from fixtures.documents import pdf_bytes, write
from fixtures.scans import scanned_pdf_bytes
from tests.builders import snapshot
from tests.cache_support import (
    STUDY,
    ParserSpy,
    build_tmf,
    cold_json,
    files,
    scan_json,
    shared_profiles,  # noqa: F401 (an autouse fixture)
)

DOCUMENTS = len(files())
PARSED = DOCUMENTS  # every file is a PDF or DOCX the parsers open


def test_a_rescan_reads_no_unchanged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    spy = ParserSpy(monkeypatch)
    first = scan_json(root, cache)
    assert (first.count(Outcome.ANALYSED), spy.calls) == (DOCUMENTS, PARSED)
    opened: list[str] = []
    real_open = open

    def watching_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file).startswith(str(root)):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", watching_open)
    again = scan_json(root, cache)
    monkeypatch.undo()
    assert again.count(Outcome.CACHED) == DOCUMENTS
    assert again.stats.analysed == 0
    assert spy.calls == PARSED  # not one more
    assert [p for p in opened if not p.endswith("etmf.yaml") and "/.trust/" not in p] == []
    assert again.json == first.json == cold_json(root, tmp_path)


def test_modified_added_deleted_renamed_and_touched_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    site = root / "TW" / "TW-001"
    write(site / "GCP certificate.pdf", pdf_bytes("GCP Training Certificate", "Completed 2025-06"))
    write(site / "Site signature log.pdf", pdf_bytes("Site Signature Log", "Chen Wei-Lin"))
    (root / "Protocol v2.pdf").unlink()
    (site / "CV Chen Wei-Lin.pdf").rename(site / "CV of the PI.pdf")
    touched = site / "Delegation log.docx"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    spy = ParserSpy(monkeypatch)
    again = scan_json(root, cache)
    assert again.count(Outcome.ANALYSED) == 3  # modified, added, renamed
    assert spy.calls == 3
    assert again.count(Outcome.UNCHANGED) == 1  # touched: re-hashed, not parsed
    assert again.count(Outcome.CACHED) == DOCUMENTS - 4
    assert again.stats.removed == 2  # the deleted path and the renamed one's old path
    paths = [d["path"] for d in json.loads(again.json)["documents"]]
    assert "Protocol v2.pdf" not in paths
    assert "TW/TW-001/CV of the PI.pdf" in paths
    assert again.json == cold_json(root, tmp_path)
    third = scan_json(root, cache)
    assert third.count(Outcome.CACHED) == DOCUMENTS
    assert third.json == again.json


def test_a_new_as_of_keeps_the_cache_and_validates_only_signatures_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly case: as_of moves, so signatures are validated at another time. The test
    certificates expire at the end of 2049, so the verdict really changes."""
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    before = scan_json(root, cache)
    later = date(2050, 1, 2)
    spy = ParserSpy(monkeypatch)
    after = scan_json(root, cache, as_of=later)
    assert after.count(Outcome.REVALIDATED) == 1  # the signed CTA, and only it
    assert after.count(Outcome.CACHED) == DOCUMENTS - 1
    assert spy.calls == 0
    assert after.json == cold_json(root, tmp_path, as_of=later)
    cta = "TW/TW-001/CTA signed.pdf"
    for report, verdict in ((before, "valid"), (after, "intact")):
        (document,) = [d for d in json.loads(report.json)["documents"] if d["path"] == cta]
        assert [s["status"] for s in document["signatures"]] == [verdict]
    nightly = scan_json(root, cache, as_of=later)
    assert nightly.count(Outcome.CACHED) == DOCUMENTS
    assert nightly.json == after.json


def test_a_new_extractor_version_reads_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    monkeypatch.setattr("etmf.cache.keys.EXTRACTOR_VERSION", "next")
    again = scan_json(root, cache)
    assert again.count(Outcome.ANALYSED) == DOCUMENTS
    assert scan_json(root, cache).count(Outcome.CACHED) == DOCUMENTS


def test_a_new_etmf_release_reads_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etmf.cache import keys

    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    released = (("etmf", "99.0"), *keys._installed()[1:])
    monkeypatch.setattr(keys, "_installed", lambda: released)
    assert scan_json(root, cache).count(Outcome.ANALYSED) == DOCUMENTS


def test_a_placement_change_in_etmf_yaml_reads_everything_again(tmp_path: Path) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    placed = STUDY + 'placement:\n  - {pattern: "*.pdf", site: TW-001}\n'
    write(root / "etmf.yaml", placed.encode())
    again = scan_json(root, cache)
    assert again.count(Outcome.ANALYSED) == DOCUMENTS
    assert again.json == cold_json(root, tmp_path)


def test_ocr_settings_read_again_only_the_documents_that_needed_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_probes: None
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no Tesseract: no real OCR run
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    write(root / "TW/TW-001/scan.pdf", scanned_pdf_bytes(["Delegation Log"]))
    write(root / "etmf.yaml", (STUDY + "ocr: {enabled: false}\n").encode())
    first = scan_json(root, cache)
    assert "OCR is turned off" in first.json
    assert scan_json(root, cache).count(Outcome.CACHED) == DOCUMENTS + 1
    write(root / "etmf.yaml", STUDY.encode())
    again = scan_json(root, cache)
    assert again.count(Outcome.ANALYSED) == 1  # the scan alone
    assert again.count(Outcome.CACHED) == DOCUMENTS
    assert "Tesseract is not installed" in again.json
    assert again.json == cold_json(root, tmp_path)


def test_one_cache_serves_several_folders(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = build_tmf(tmp_path / "one")
    second = build_tmf(tmp_path / "two")
    write(second / "Protocol v2.pdf", pdf_bytes("Investigator's Brochure", "Edition 4"))
    reports = [scan_json(root, cache).json for root in (first, second)]
    again = [scan_json(root, cache) for root in (first, second)]
    assert [a.count(Outcome.CACHED) for a in again] == [DOCUMENTS, DOCUMENTS]
    assert [a.json for a in again] == reports
    assert reports[1] == cold_json(second, tmp_path)


def test_the_local_pool_with_the_cache_gives_the_same_report(tmp_path: Path) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    pooled = scan_json(root, cache, jobs=1)
    assert pooled.count(Outcome.ANALYSED) == DOCUMENTS
    write(root / "TW/TW-001/GCP certificate.pdf", pdf_bytes("GCP Training Certificate", "2026"))
    warm = scan_json(root, cache, jobs=1)
    assert (warm.count(Outcome.CACHED), warm.count(Outcome.ANALYSED)) == (DOCUMENTS - 1, 1)
    assert pooled.json != warm.json == cold_json(root, tmp_path)


def test_the_cache_is_never_written_inside_the_scanned_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_tmf(tmp_path / "tmf")
    before = snapshot(root)
    with pytest.raises(UsageError, match="cannot live inside the scanned folder"):
        prepare(root, ScanOptions(cache_dir=root / "cache"))
    assert main(["scan", str(root), "--cache", str(root / ".cache")]) == 2
    assert "--cache DIR" in capsys.readouterr().err
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".cache"))  # the default, scanning $HOME
    with pytest.raises(UsageError, match="inside the scanned folder"):
        prepare(root, ScanOptions())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["scan", str(root), "--jobs", "0", "--format", "json"]) == 1
    assert (tmp_path / "xdg" / "etmf" / FILE_NAME).is_file()
    assert snapshot(root) == before


def test_no_cache_reads_every_file_and_keeps_nothing(tmp_path: Path) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    assert main(["scan", str(root), "--jobs", "0", "--cache", str(cache), "--no-cache"]) == 1
    assert not (cache / FILE_NAME).exists()
    scan_json(root, cache)
    uncached = scan_json(root, cache, cache=False)
    assert uncached.count(Outcome.ANALYSED) == DOCUMENTS


def test_a_deleted_cache_folder_is_made_again(tmp_path: Path) -> None:
    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    scan_json(root, cache)
    shutil.rmtree(cache)
    assert scan_json(root, cache).count(Outcome.ANALYSED) == DOCUMENTS
    assert scan_json(root, cache).count(Outcome.CACHED) == DOCUMENTS


class _StopAfter:
    """An observer that interrupts the scan (as Ctrl-C would) after some documents."""

    def __init__(self, documents: int) -> None:
        self.left = documents

    def started(self, total: int) -> None:
        pass

    def advanced(self, document: object) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt

    def finished(self) -> None:
        pass


def test_an_interrupted_scan_keeps_what_it_read(tmp_path: Path) -> None:
    from etmf.scan import gather
    from tests.cache_support import AS_OF

    root, cache = build_tmf(tmp_path / "tmf"), tmp_path / "cache"
    options = ScanOptions(cache_dir=cache, jobs=0)
    with pytest.raises(KeyboardInterrupt):
        gather(root, prepare(root, options), as_of=AS_OF, options=options, observer=_StopAfter(2))
    again = scan_json(root, cache)
    assert (again.count(Outcome.CACHED), again.count(Outcome.ANALYSED)) == (2, DOCUMENTS - 2)
    assert again.json == cold_json(root, tmp_path)


def test_the_context_key_follows_what_results_depend_on_and_not_the_date() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from etmf.analysis import EvidenceSettings, OcrSettings
    from etmf.cache.keys import context_key, ocr_key
    from etmf.extract import Limits
    from etmf.inventory import AnalysisContext
    from etmf.placement import placement_context

    base = AnalysisContext(placement=placement_context(None, [("TW", ("Taiwan",))]))
    key = context_key(base)
    nightly = replace(
        base,
        evidence=EvidenceSettings(
            validation_time=datetime(2026, 11, 2, 23, 59, 59, tzinfo=UTC),
            ocr=OcrSettings(enabled=False, cache_dir=Path("/elsewhere")),
        ),
    )
    assert context_key(nightly) == key
    assert context_key(replace(base, limits=Limits(max_pages=5))) != key
    assert context_key(replace(base, evidence=EvidenceSettings(trust_roots=(b"root",)))) != key
    other_names = replace(base, placement=placement_context(None, [("TW", ("Formosa",))]))
    assert context_key(other_names) != key
    assert ocr_key(OcrSettings()) != ocr_key(OcrSettings(languages=("eng",)))
    assert ocr_key(OcrSettings()) == ocr_key(OcrSettings(cache_dir=Path("/elsewhere")))


def test_editing_a_rule_keeps_the_cache_and_editing_what_analysis_reads_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.resources import files as packaged

    from etmf.cache import keys
    from etmf.extract import date_rules
    from etmf.inventory import AnalysisContext
    from etmf.placement import placement_context

    copies = {}
    for package in ("etmf.rules", "etmf.tmf"):
        copies[package] = tmp_path / package
        shutil.copytree(str(packaged(package)), copies[package])
    monkeypatch.setattr(keys, "files", lambda package: copies[package])
    context = AnalysisContext(placement=placement_context(None, []))
    key = keys.context_key(context)
    base = copies["etmf.rules"] / "base.yaml"
    base.write_text(base.read_text("utf-8").replace("title:", "title: edited", 1), "utf-8")
    assert keys.context_key(context) == key  # evaluation rules: no document is read again
    dates = copies["etmf.rules"] / date_rules.RULES_FILE
    dates.write_text(dates.read_text("utf-8") + "\n# edited\n", "utf-8")
    assert keys.context_key(context) != key
