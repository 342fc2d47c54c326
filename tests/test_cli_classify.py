"""``etmf classify``: files and titles in, one classification each, in the order given."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from fixtures.documents import docx_bytes, pdf_bytes, write
from tests.builders import run_cli

KEYS = {"input", "artifact", "artifact_name", "subartifact", "confidence", "evidence"}


@cache
def protocol_pdf() -> bytes:
    return pdf_bytes("Clinical Study Protocol", "Protocol number ABC-101\nVersion 3.0")


@cache
def cv_docx() -> bytes:
    return docx_bytes("Curriculum Vitae", "Chen Wei-Lin, MD\nPrincipal Investigator")


def classify_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    code, out, err = run_cli(capsys, "classify", *argv, "--format", "json")
    assert code == 0, err
    payload: list[dict[str, Any]] = json.loads(out)
    return payload


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    a = write(tmp_path / "a.pdf", protocol_pdf())
    b = write(tmp_path / "b.docx", cv_docx())
    return str(a), str(b)


def test_titles_in_json_keep_their_order_and_keys(capsys: pytest.CaptureFixture[str]) -> None:
    results = classify_json(capsys, "--title", "DOA log", "--title", "受試者同意書")
    assert isinstance(results, list)
    assert [r["input"] for r in results] == ["DOA log", "受試者同意書"]
    for result in results:
        assert set(result) == KEYS
        assert isinstance(result["confidence"], float)
        assert 0.0 <= result["confidence"] <= 1.0
        for evidence in result["evidence"]:
            assert {"source", "text"} <= set(evidence)
    doa, icf = results
    assert (doa["artifact"], doa["artifact_name"]) == ("05.02.18", "Site Signature Sheet")
    assert doa["subartifact"] == "Delegation of Authority Log"
    assert (icf["artifact"], icf["artifact_name"]) == ("02.02.03", "Informed Consent Form")


def test_json_is_unicode_not_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "classify", "--title", "受試者同意書", "--format", "json")[1]
    assert "受試者同意書" in out


def test_files_are_read(capsys: pytest.CaptureFixture[str], files: tuple[str, str]) -> None:
    a, b = files
    results = classify_json(capsys, a, b)
    assert [r["input"] for r in results] == [a, b]
    assert [r["artifact"] for r in results] == ["02.01.02", "05.02.04"]


@pytest.mark.parametrize(
    "order",
    [
        ("file:a", "file:b", "title:IRB approval letter"),
        ("title:IRB approval letter", "file:a", "file:b"),
    ],
)
def test_files_and_titles_keep_their_order(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str], order: tuple[str, ...]
) -> None:
    paths = {"a": files[0], "b": files[1]}
    argv: list[str] = []
    expected: list[str] = []
    for item in order:
        kind, value = item.split(":", 1)
        if kind == "file":
            argv.append(paths[value])
            expected.append(paths[value])
        else:
            argv += ["--title", value]
            expected.append(value)
    assert [r["input"] for r in classify_json(capsys, *argv)] == expected


def test_interleaved_files_and_titles_keep_their_order(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str]
) -> None:
    a, b = files
    results = classify_json(capsys, a, "--title", "IRB approval letter", b)
    assert [r["input"] for r in results] == [a, "IRB approval letter", b]


def test_title_given_with_equals_sign(capsys: pytest.CaptureFixture[str]) -> None:
    results = classify_json(capsys, "--title=DOA log")
    assert [r["input"] for r in results] == ["DOA log"]


def test_nonexistent_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.pdf")
    code, out, err = run_cli(capsys, "classify", "--title", "DOA log", missing)
    assert code == 2
    assert out == ""
    assert "nowhere.pdf" in err


def test_folder_is_not_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli(capsys, "classify", str(tmp_path))[0] == 2


@pytest.mark.parametrize("argv", [["classify"], ["classify", "--format", "json"]])
def test_no_inputs_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "--title" in err


def test_text_output_names_artifact_number_and_name(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str]
) -> None:
    a, _ = files
    code, out, _ = run_cli(capsys, "classify", a, "--title", "DOA log")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == a
    assert "02.01.02 Protocol" in lines[1]
    assert "confidence" in lines[1]
    doa = lines.index("DOA log")
    assert "05.02.18 Site Signature Sheet / Delegation of Authority Log" in lines[doa + 1]
    assert doa > 1


def test_text_output_says_when_nothing_matches(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "classify", "--title", "zzqq blah")
    assert code == 0
    assert out.splitlines() == ["zzqq blah", "  unclassified (candidates: none)"]


def test_unreadable_file_is_classified_by_its_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = write(tmp_path / "Delegation log.pdf", b"%PDF-1.4 damaged")
    (result,) = classify_json(capsys, str(broken))
    assert result["artifact"] == "05.02.18"
