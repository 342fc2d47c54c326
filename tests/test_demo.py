"""The demo TMF: a scan reports exactly the gaps it was built with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etmf.cli import main
from fixtures.demo import PLANTED, Planted, build


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "tmf"
    build(root)
    return root


def test_scan_reports_exactly_the_planted_gaps(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(demo), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {
        Planted(f["rule"], f["kind"], f["country"], f["site"], f["path"], status=f["status"])
        for f in report["findings"]
    }
    assert found == set(PLANTED)


def test_every_demo_document_is_classified_and_placed(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(demo), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    unreadable = {p.path for p in PLANTED if p.kind == "unreadable"}
    for document in report["documents"]:
        if document["path"] in unreadable:
            continue
        assert document["artifact"], document["path"]
        top = document["path"].split("/")[0]
        if top in ("TW", "KR", "AU"):
            assert document["country"] == top, document["path"]


def test_demo_is_deterministic(tmp_path: Path) -> None:
    first = build(tmp_path / "a")
    second = build(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_text_report_names_each_gap(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(demo)])
    text = capsys.readouterr().out
    for planted in PLANTED:
        assert planted.rule in text
    assert "Waived (1)" in text
