"""``etmf watch`` on an EMS package: a file read again is read with its exchange.xml record,
and a changed exchange.xml reloads the records."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from etmf.ems.writing import export_package
from etmf.model import Document, Kind
from etmf.observe import make_observer
from etmf.scan import ScanOptions
from etmf.watch import ChangeKind, Watcher, WatchOptions
from tests.ems_packages import (
    AS_OF,
    FILES,
    GCP,
    build_tree,
    content_url,
    edit,
    object_of,
    set_value,
)
from tests.test_watch import QUIET, put, wait_for


@pytest.fixture
def package(tmp_path: Path) -> tuple[Path, Path]:
    tree = build_tree(tmp_path / "tmf")
    package = tmp_path / "package"
    export_package(tree, package, options=ScanOptions(jobs=0))
    return package, tree / "etmf.yaml"


def document(watcher: Watcher, path: str) -> Document:
    return next(d for d in watcher.report.documents if d.path == path)


def test_a_file_read_again_keeps_its_record_and_a_new_exchange_xml_is_used(
    package: tuple[Path, Path],
) -> None:
    root, study = package
    url = content_url(root, GCP)
    watcher = Watcher(
        root,
        source=make_observer(poll=False, interval=0.1),
        default_as_of=AS_OF,
        scan_options=ScanOptions(jobs=0, study_file=study),
        options=WatchOptions(quiet_seconds=QUIET, tick_seconds=0.05),
    )
    with watcher:
        first = document(watcher, url)
        assert first.exchange is not None
        assert first.confidence == 1.0

        # the file is changed after export: read again, with the package's record, which
        # its new SHA-256 no longer matches
        put(root / url, FILES[GCP] + b"\n% changed after export\n")
        changes = wait_for(watcher, lambda c: any(url in change.reread for change in c))
        again = document(watcher, url)
        assert again.exchange is not None
        assert again.exchange.verified is False
        assert (again.artifact, again.site, again.confidence) == ("05.02.07", "KR-001", 1.0)
        assert [f.kind for c in changes for f in c.appeared] == [Kind.INTEGRITY]

        # the sender files it elsewhere: exchange.xml is setup, not a document
        def move(exchange: etree._Element) -> None:
            set_value(object_of(exchange, GCP), "SITEID", "KR-002")

        edit(root, move)
        [reloaded] = wait_for(watcher, lambda c: bool(c))
        assert reloaded.kind is ChangeKind.SCAN
        assert "exchange.xml" not in {d.path for d in watcher.report.documents}
        assert document(watcher, url).site == "KR-002"  # the package decides
        # KR-001 lacks its GCP record now; the integrity finding moved with the file to KR-002
        appeared = {(f.kind, f.site) for f in reloaded.appeared}
        assert appeared == {
            (Kind.MISSING, "KR-001"),
            (Kind.INTEGRITY, "KR-002"),
            (Kind.METADATA_MISMATCH, "KR-002"),
        }
