"""Version numbers: every written form, file name before text, what is not a version, ordering."""

from __future__ import annotations

import pytest

from etmf.extract import extract
from etmf.extract.versions import find_version, version_key
from etmf.model import EvidenceSource
from fixtures.documents import docx_bytes, pdf_bytes


@pytest.mark.parametrize(
    ("text", "value", "quoted"),
    [
        ("Protocol ABC-301 Version 3.0", "3.0", "Version 3.0"),
        ("Ver. 3", "3", "Ver. 3"),
        ("SAP v2.1 final", "2.1", "v2.1"),
        ("Informed Consent Form V 4.0", "4.0", "V 4.0"),
        ("Investigator's Brochure Ed. 7", "7", "Ed. 7"),
        ("Investigator's Brochure Edition 7", "7", "Edition 7"),
        ("Investigator's Brochure, 7th edition", "7", "7th edition"),
        ("Version No.: 2.0", "2.0", "Version No.: 2.0"),
        ("version: V3.1", "3.1", "version: V3.1"),
        ("Revision 2", "2", "Revision 2"),
        ("受試者同意書 版本 2.0", "2.0", "版本 2.0"),
        ("版本：3.0", "3.0", "版本：3.0"),
        ("版本號：V2.1", "2.1", "版本號：V2.1"),
        ("第3.0版", "3.0", "第3.0版"),
        ("第2版", "2", "第2版"),
        ("改訂第3版", "3", "改訂第3版"),
        ("피험자 동의서 버전 2.0", "2.0", "버전 2.0"),
        ("판 12", "12", "판 12"),
        ("12판", "12", "12판"),
        ("제3판", "3", "제3판"),
        ("Ｖｅｒｓｉｏｎ　３．０", "3.0", "Ｖｅｒｓｉｏｎ　３．０"),
        ("Version 03.1", "3.1", "Version 03.1"),
    ],
)
def test_forms(text: str, value: str, quoted: str) -> None:
    fact = find_version(text)
    assert fact is not None
    assert (fact.value, fact.text, fact.source, fact.page) == (
        value,
        quoted,
        EvidenceSource.TEXT,
        1,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Protocol Amendment 3",
        "Version Date: 15 August 2022",
        "Version: 15 Aug 2022",
        "Version 15.08.2022",
        "Version 2025",
        "ICH E6(R2) 8.2.10 and 8.3.13",
        "in accordance with ICH E6 Revision 2",
        "graded with CTCAE v5.0 and coded with MedDRA version 26.0",
        "Call +886-2-2312-3456 or 02-2312-3456",
        "출판 3, 12판매",
        "Vitamin D3 2.0 mg, IV 2.5 mL",
        "",
    ],
)
def test_not_versions(text: str) -> None:
    assert find_version(text) is None


def test_first_version_in_text_wins_and_cited_standards_are_skipped() -> None:
    fact = find_version("Graded per ICH E6 Revision 2. Protocol Version 4.0 supersedes Version 3.0")
    assert fact is not None
    assert fact.value == "4.0"
    dated = find_version("Version Date: 15 Aug 2022\nVersion: 3.0")
    assert dated is not None
    assert dated.text == "Version: 3.0"


def test_filename_is_preferred_to_text() -> None:
    fact = find_version("Informed Consent Form Version 2.0", "sites/TW-01/ICF_v3.0_TW.pdf")
    assert fact is not None
    assert (fact.value, fact.text, fact.source, fact.page) == (
        "3.0",
        "v3.0",
        EvidenceSource.FILENAME,
        None,
    )
    named = find_version("", "Protocol_Version_3.1.docx")
    assert named is not None
    assert (named.value, named.text) == ("3.1", "Version_3.1")
    dated_name = find_version("", "ICF_v3.0-2025-01-01.pdf")
    assert dated_name is not None
    assert dated_name.value == "3.0"
    fallback = find_version("Informed Consent Form Version 2.0", "CV_Dr_Lee_2024.pdf")
    assert fallback is not None
    assert (fallback.value, fallback.source) == (
        "2.0",
        EvidenceSource.TEXT,
    )


def test_version_in_a_real_pdf_with_its_page() -> None:
    data = pdf_bytes(
        "Clinical Study Protocol ABC-301",
        "Sponsor: Example Pharma",
        more_pages=["Protocol Version 3.0 dated 15 August 2022\nAmendment 2"],
    )
    fact = find_version(extract("protocol.pdf", data).text)
    assert fact is not None
    assert (fact.value, fact.text, fact.page) == ("3.0", "Version 3.0", 2)


def test_version_in_a_real_docx_in_korean() -> None:
    data = docx_bytes("피험자 설명문 및 동의서", "버전 2.0\n작성일: 2025년 2월 3일")
    fact = find_version(extract("icf.docx", data).text)
    assert fact is not None
    assert (fact.value, fact.text) == ("2.0", "버전 2.0")


def test_version_key_orders_versions() -> None:
    values = ["10.0", "3.1", "v2", "3.0", "3.0.1", "1.10", "1.9"]
    assert sorted(values, key=version_key) == ["1.9", "1.10", "v2", "3.0", "3.0.1", "3.1", "10.0"]
    assert version_key("7") == version_key("7.0") == version_key("7.0.0")
    assert version_key("3.0") < version_key("3.1") < version_key("10.0")
    assert max(["2.0", "10.0", "9.5"], key=version_key) == "10.0"
    assert version_key("draft") == ()
