"""Signatures written in text: manifestations count as signed, blank lines as unsigned."""

from __future__ import annotations

from datetime import datetime

import pytest

from etmf.extract import Limits
from etmf.extract.office import extract_docx
from etmf.extract.pdf import extract_pdf
from etmf.extract.signature_text import build_signature_text_rules, find_text_signatures
from etmf.model import SignatureMethod, SignatureStatus
from fixtures.documents import docx_bytes, pdf_bytes

M, LINE = SignatureMethod.MANIFESTATION, SignatureMethod.SIGNATURE_LINE


def _one(text: str):  # type: ignore[no-untyped-def]
    found = find_text_signatures(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "signer", "signed_at", "reason"),
    [
        (
            "Electronically signed by Chen Wei-Lin on 20 Jan 2025 10:32 UTC\n"
            "Meaning: Approval of the document",
            "Chen Wei-Lin",
            datetime(2025, 1, 20),
            "Approval of the document",
        ),
        ("/s/ Kim Min-jun\nDate: 2025. 2. 3.", "Kim Min-jun", datetime(2025, 2, 3), None),
        (
            "Signature: /s/ Sarah Thompson   Date: 2025-03-08",
            "Sarah Thompson",
            datetime(2025, 3, 8),
            None,
        ),
        (
            "Digitally signed by Dr Jane Smith\nDate: 2025.01.20 10:32:00 +08'00'",
            "Dr Jane Smith",
            datetime(2025, 1, 20),
            None,
        ),
        ("電子簽章人：陳威霖 日期：中華民國114年1月20日", "陳威霖", datetime(2025, 1, 20), None),
        (
            "전자서명자: 김민준 (Kim Min-jun), 2025년 3월 25일",
            "김민준",
            datetime(2025, 3, 25),
            None,
        ),
        (
            "Electronically signed by: Kim Min-jun, 2025년 2월 3일 (Reason: Author)",
            "Kim Min-jun",
            datetime(2025, 2, 3),
            "Author",
        ),
    ],
)
def test_manifestations_count_as_signed_with_signer_date_and_meaning(
    text: str, signer: str, signed_at: datetime, reason: str | None
) -> None:
    fact = _one(text)
    assert (fact.method, fact.status) == (M, SignatureStatus.INTACT)
    assert (fact.signer, fact.signed_at, fact.reason) == (signer, signed_at, reason)
    assert fact.evidence.startswith("signature manifestation in the text: '")
    assert "(no date given)" not in fact.evidence


def test_a_manifestation_without_a_date_says_so() -> None:
    fact = _one("/s/ Park Ji-woo")
    assert fact.signer == "Park Ji-woo"
    assert fact.signed_at is None
    assert fact.evidence.endswith("(no date given)")


@pytest.mark.parametrize(
    "text",
    [
        "Signature: ______________   Date: __________",
        "Investigator signature ..........",
        "主持人簽名：＿＿＿＿＿＿ 日期：＿＿＿",
        "서명: __________",
        "署名　＿＿＿＿＿",
    ],
)
def test_blank_signature_lines_are_unsigned(text: str) -> None:
    fact = _one(text)
    assert (fact.method, fact.status) == (LINE, SignatureStatus.UNSIGNED)
    assert fact.evidence == f"blank signature line: '{' '.join(text.split())}'"


@pytest.mark.parametrize(
    "text",
    [
        "The signed consent form must be kept; see the signature page.",
        "https://example.org/s/abc and a/s/b",
        "Signatures of the investigators are on page 4",
        "Version 3.0 ______ Date: 2025-01-01",
    ],
)
def test_prose_about_signatures_is_not_a_signature(text: str) -> None:
    assert find_text_signatures(text) == []


def test_signatures_are_in_text_order_with_pages() -> None:
    text = "Protocol signature page\nSignature: ________\n\f/s/ Chen Wei-Lin 2025-01-20"
    blank, signed = find_text_signatures(text)
    assert (blank.status, blank.page) == (SignatureStatus.UNSIGNED, 1)
    assert (signed.status, signed.page, signed.signer) == (
        SignatureStatus.INTACT,
        2,
        "Chen Wei-Lin",
    )


def test_read_from_a_real_cjk_pdf_and_docx() -> None:
    pdf = pdf_bytes("計畫主持人履歷", "姓名：陳威霖\n簽名：/s/ 陳威霖  日期：2025年6月2日")
    fact = _one(extract_pdf(pdf, Limits()).text)
    assert (fact.signer, fact.signed_at) == ("陳威霖", datetime(2025, 6, 2))
    docx = docx_bytes("Delegation Log", "Site TW-002\nPI signature: ____________ Date: ______")
    blank = _one(extract_docx(docx, Limits()).text)
    assert blank.status is SignatureStatus.UNSIGNED
    assert "PI signature: ____________" in blank.evidence


def test_conformed_signatures_can_be_turned_off() -> None:
    raw = {
        "version": 1,
        "manifestation_phrases": ["Electronically signed by"],
        "conformed_signature": False,
        "meaning_labels": ["Meaning"],
        "signature_labels": ["Signature"],
        "blank_run": 3,
        "reach_lines": 1,
    }
    rules = build_signature_text_rules(raw)
    assert rules.manifestation.search("/s/ Chen Wei-Lin") is None
    assert rules.manifestation.search("Electronically signed by Chen") is not None
