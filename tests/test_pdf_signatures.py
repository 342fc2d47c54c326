"""PDF digital signatures read from really signed files built by fixtures/signing.py."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from pyhanko.sign.fields import MDPPerm

from etmf.errors import UsageError
from etmf.extract.pdf_signatures import parse_trust_roots, quiet_pyhanko, read_pdf_signatures
from etmf.model import SignatureFact, SignatureMethod, SignatureStatus
from fixtures import signing
from fixtures.documents import pdf_bytes

CHEN = "Dr Chen Wei-Lin"
THOMPSON = "Dr Sarah Thompson"
ANCHORED = "signer certificate chains to trust anchor 'etmf Test Root CA'"
NO_ANCHORS = "signer certificate not in the trust store (the study names no trust anchors)"


@pytest.fixture(scope="module")
def roots() -> list[bytes]:
    return [signing.test_pki().root_pem]


@pytest.fixture(scope="module")
def signed() -> bytes:
    return signing.signed_pdf(reason="Protocol approved")


@pytest.fixture(scope="module")
def form() -> bytes:
    return signing.text_field_pdf()


@pytest.fixture(scope="module")
def lta() -> bytes:
    return signing.signed_pdf(lta=True)


def only(facts: list[SignatureFact]) -> SignatureFact:
    assert len(facts) == 1, facts
    return facts[0]


def test_signature_chaining_to_a_named_root_is_valid(signed: bytes, roots: list[bytes]) -> None:
    assert read_pdf_signatures(signed, trust_roots=roots) == [
        SignatureFact(
            method=SignatureMethod.DIGITAL,
            status=SignatureStatus.VALID,
            signer=CHEN,
            signed_at=signing.SIGNED_AT,
            reason="Protocol approved",
            field="Signature1",
            evidence=f"signature 'Signature1' covers the whole document; digest intact; {ANCHORED}",
        )
    ]


def test_without_trust_roots_an_intact_signature_is_only_intact(signed: bytes) -> None:
    fact = only(read_pdf_signatures(signed))
    assert (fact.status, fact.signer, fact.signed_at, fact.reason, fact.field) == (
        SignatureStatus.INTACT,
        CHEN,
        signing.SIGNED_AT,
        "Protocol approved",
        "Signature1",
    )
    assert fact.signed_at is not None
    assert fact.signed_at.tzinfo is not None
    assert (
        fact.evidence
        == f"signature 'Signature1' covers the whole document; digest intact; {NO_ANCHORS}"
    )


def test_trust_roots_may_be_der_or_a_pem_bundle(signed: bytes) -> None:
    pki = signing.test_pki()
    bundle = pki.self_signed("Someone Else").cert_pem + pki.root_pem
    assert only(read_pdf_signatures(signed, trust_roots=[pki.root_der])).status == "valid"
    assert only(read_pdf_signatures(signed, trust_roots=[bundle])).status == "valid"


def test_a_root_that_did_not_issue_the_certificate_gives_intact(signed: bytes) -> None:
    other_root = signing.test_pki().self_signed("Unrelated CA").cert_pem
    fact = only(read_pdf_signatures(signed, trust_roots=[other_root]))
    assert fact.status == SignatureStatus.INTACT
    assert fact.evidence.endswith(
        "signer certificate not trusted: no chain to a trust anchor the study names"
    )


def test_signer_name_in_chinese_is_kept(roots: list[bytes]) -> None:
    data = signing.signed_pdf(signer="陳偉霖", reason="核准")
    fact = only(read_pdf_signatures(data, trust_roots=roots))
    assert (fact.status, fact.signer, fact.reason) == (SignatureStatus.VALID, "陳偉霖", "核准")


def test_self_signed_certificate_is_intact_even_with_trust_roots(roots: list[bytes]) -> None:
    data = signing.signed_pdf(self_signed=True)
    for trust in (roots, []):
        fact = only(read_pdf_signatures(data, trust_roots=trust))
        assert (fact.status, fact.signer) == (SignatureStatus.INTACT, CHEN)
        assert "signer certificate is self-signed" in fact.evidence


def test_bytes_changed_inside_the_signed_range_are_invalid(
    signed: bytes, roots: list[bytes]
) -> None:
    fact = only(read_pdf_signatures(signing.tamper(signed), trust_roots=roots))
    assert (fact.status, fact.signer, fact.field) == (SignatureStatus.INVALID, CHEN, "Signature1")
    assert fact.evidence == (
        "signature 'Signature1' covers the whole document; "
        "digest does not match: the signed bytes were changed after signing"
    )


def test_two_signers_in_two_revisions_are_both_reported(roots: list[bytes]) -> None:
    author, approver = read_pdf_signatures(signing.countersigned_pdf(), trust_roots=roots)
    assert (author.status, author.signer, author.signed_at, author.reason, author.field) == (
        SignatureStatus.VALID,
        CHEN,
        signing.SIGNED_AT,
        "Author",
        "Author",
    )
    assert author.evidence == (
        "signature 'Author' covers revision 2 of 3; 1 incremental update was added; "
        "digest intact; later incremental updates only fill in form fields or add signatures "
        f"(allowed); {ANCHORED}"
    )
    assert (approver.status, approver.signer, approver.signed_at, approver.field) == (
        SignatureStatus.VALID,
        THOMPSON,
        signing.SIGNED_AT + timedelta(days=2),
        "Approver",
    )
    assert "covers the whole document" in approver.evidence


def test_form_filled_after_signing_is_an_allowed_update(form: bytes, roots: list[bytes]) -> None:
    fact = only(
        read_pdf_signatures(signing.filled_form(signing.signed_pdf(form)), trust_roots=roots)
    )
    assert fact.status == SignatureStatus.VALID
    assert "later incremental updates only fill in form fields or add signatures (allowed)" in (
        fact.evidence
    )


def test_page_changed_after_an_approval_signature_is_invalid(
    signed: bytes, roots: list[bytes]
) -> None:
    fact = only(read_pdf_signatures(signing.changed_page(signed), trust_roots=roots))
    assert fact.status == SignatureStatus.INVALID
    assert "covers revision 2 of 3" in fact.evidence
    assert "later incremental updates change the document in ways no signature allows" in (
        fact.evidence
    )


def test_certification_followed_by_a_disallowed_change_is_invalid(roots: list[bytes]) -> None:
    fact = only(read_pdf_signatures(signing.certified_then_changed(), trust_roots=roots))
    assert (fact.status, fact.signer, fact.reason, fact.field) == (
        SignatureStatus.INVALID,
        CHEN,
        "Certified copy",
        "Certification",
    )
    assert "certification signature (DocMDP: form filling allowed)" in fact.evidence
    assert "change the document in ways no signature allows" in fact.evidence


def test_certification_decides_whether_filling_a_form_is_allowed(
    form: bytes, roots: list[bytes]
) -> None:
    fill_allowed = signing.filled_form(signing.signed_pdf(form, certify=True))
    frozen = signing.filled_form(signing.signed_pdf(form, certify=True, docmdp=MDPPerm.NO_CHANGES))
    allowed = only(read_pdf_signatures(fill_allowed, trust_roots=roots))
    refused = only(read_pdf_signatures(frozen, trust_roots=roots))
    assert allowed.status == SignatureStatus.VALID
    assert refused.status == SignatureStatus.INVALID
    assert "certification signature (DocMDP: no changes allowed)" in refused.evidence
    assert "which the certification does not allow" in refused.evidence


def test_empty_signature_field_is_unsigned() -> None:
    assert read_pdf_signatures(signing.empty_signature_field_pdf()) == [
        SignatureFact(
            method=SignatureMethod.FIELD,
            status=SignatureStatus.UNSIGNED,
            field="Investigator",
            page=1,
            evidence="signature field 'Investigator' is empty: nobody has signed it",
        )
    ]


def test_fields_come_in_form_order_with_the_page_of_visible_ones(roots: list[bytes]) -> None:
    two_fields = signing.empty_signature_field_pdf(
        signing.empty_signature_field_pdf(field="Investigator"), field="Sponsor"
    )
    facts = read_pdf_signatures(signing.signed_pdf(two_fields, field="Sponsor"), trust_roots=roots)
    assert [(f.field, f.method, f.status, f.page) for f in facts] == [
        ("Investigator", SignatureMethod.FIELD, SignatureStatus.UNSIGNED, 1),
        ("Sponsor", SignatureMethod.DIGITAL, SignatureStatus.VALID, 1),
    ]


def test_timestamp_time_is_the_signing_time(roots: list[bytes]) -> None:
    data = signing.signed_pdf(timestamp=True)
    trusted = only(read_pdf_signatures(data, trust_roots=roots))
    assert (trusted.status, trusted.signed_at) == (SignatureStatus.VALID, signing.TIMESTAMPED_AT)
    assert trusted.evidence.endswith("timestamped by 'etmf Test TSA' at 2025-03-14T09:31:05+00:00")
    untrusted = only(read_pdf_signatures(data))
    assert (untrusted.status, untrusted.signed_at) == (
        SignatureStatus.INTACT,
        signing.TIMESTAMPED_AT,
    )
    assert untrusted.evidence.endswith("(timestamp authority not in the trust store)")


def test_pades_lta_reports_the_signature_and_the_document_timestamp(
    lta: bytes, roots: list[bytes]
) -> None:
    signature, timestamp = read_pdf_signatures(lta, trust_roots=roots)
    assert (signature.status, signature.signer, signature.signed_at, signature.field) == (
        SignatureStatus.VALID,
        CHEN,
        signing.TIMESTAMPED_AT,
        "Signature1",
    )
    assert "2 incremental updates were added" in signature.evidence
    assert "only add validation data and document timestamps (allowed)" in signature.evidence
    assert (timestamp.method, timestamp.status, timestamp.signer, timestamp.field) == (
        SignatureMethod.TIMESTAMP,
        SignatureStatus.VALID,
        signing.TSA_NAME,
        "DocumentTimestamp",
    )
    assert timestamp.signed_at == signing.TIMESTAMPED_AT
    assert timestamp.evidence.startswith(
        "document timestamp 'DocumentTimestamp' covers revision 3 of 4"
    )
    assert [f.status for f in read_pdf_signatures(lta)] == [SignatureStatus.INTACT] * 2


def test_signature_value_that_does_not_verify_is_invalid(signed: bytes, roots: list[bytes]) -> None:
    fact = only(read_pdf_signatures(signing.forged_signature_value(signed), trust_roots=roots))
    assert (fact.status, fact.signer) == (SignatureStatus.INVALID, CHEN)
    assert "digest intact but the signature value does not verify" in fact.evidence


def test_a_damaged_container_does_not_hide_the_other_signatures(roots: list[bytes]) -> None:
    data = signing.damaged_signature_container(signing.countersigned_pdf())
    author, approver = read_pdf_signatures(data, trust_roots=roots)
    assert (author.field, author.status) == ("Author", SignatureStatus.VALID)
    assert (approver.field, approver.status, approver.reason) == (
        "Approver",
        SignatureStatus.INVALID,
        "Approval",
    )
    assert approver.evidence.startswith(
        "signature 'Approver': the signature container cannot be read"
    )


def test_signature_in_a_format_pyhanko_cannot_verify_is_still_reported(signed: bytes) -> None:
    fact = only(read_pdf_signatures(signing.unsupported_subfilter(signed)))
    assert (fact.method, fact.status, fact.field, fact.reason) == (
        SignatureMethod.DIGITAL,
        SignatureStatus.UNVERIFIABLE,
        "Signature1",
        "Protocol approved",
    )
    assert "/adbe.x509.rsa_sha1" in fact.evidence


def test_encrypted_pdf_with_an_empty_user_password_is_read(roots: list[bytes]) -> None:
    data = signing.signed_pdf(signing.encrypted_pdf(), user_password="")
    assert data.count(b"/Encrypt") >= 1
    fact = only(read_pdf_signatures(data, trust_roots=roots))
    assert (fact.status, fact.signer, fact.field) == (SignatureStatus.VALID, CHEN, "Signature1")


def test_encrypted_pdf_that_needs_a_password_gives_nothing() -> None:
    locked = signing.signed_pdf(signing.encrypted_pdf(user_password="pw"), user_password="pw")
    assert read_pdf_signatures(locked) == []


def test_certificate_expired_at_validation_time_is_not_trusted(
    signed: bytes, roots: list[bytes]
) -> None:
    later = datetime(2050, 1, 1, tzinfo=UTC)
    fact = only(read_pdf_signatures(signed, trust_roots=roots, validation_time=later))
    assert fact.status == SignatureStatus.INTACT
    assert "expired" in fact.evidence


def test_unsigned_plain_pdf_has_no_signatures() -> None:
    assert read_pdf_signatures(pdf_bytes("Protocol", "Version 2.0")) == []


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf at all", b"%PDF-1.7\n1 0 obj << /Type /Catalog", b"%PDF-1.4\n" + bytes(500)],
)
def test_unparseable_files_give_nothing(data: bytes) -> None:
    assert read_pdf_signatures(data) == []


def test_truncated_signed_file_still_shows_a_broken_signature(signed: bytes) -> None:
    fact = only(read_pdf_signatures(signed[:-40]))
    assert (fact.method, fact.status) == (SignatureMethod.DIGITAL, SignatureStatus.INVALID)
    assert fact.evidence.endswith("the file ends before the signed bytes do")


def _validate_directly(signed: bytes) -> None:
    """pyHanko's own validation of an untrusted signature, which logs a path-building error."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(signed))
    context = ValidationContext(trust_roots=[], allow_fetching=False)
    validate_pdf_signature(reader.embedded_signatures[0], context)


def test_no_pyhanko_log_records_reach_the_root_logger(
    signed: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _validate_directly(signed)  # proves the scenario logs, so that this test can fail
    assert any(r.name.startswith("pyhanko") for r in caplog.records)
    caplog.clear()
    read_pdf_signatures(signed)
    read_pdf_signatures(signing.damaged_signature_container(signed))
    logging.getLogger("etmf.test").warning("still heard")
    assert not [r for r in caplog.records if r.name.startswith("pyhanko")]
    assert "etmf.test" in [r.name for r in caplog.records]
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        assert logger.propagate
        assert not any(isinstance(h, logging.NullHandler) for h in logger.handlers)


def test_no_pyhanko_output_on_a_terminal_without_logging_configured(
    signed: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As in a plain CLI run: no handlers, so Python's last-resort handler prints to stderr.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    _validate_directly(signed)
    assert "Failed to build path" in capsys.readouterr().err
    read_pdf_signatures(signed)
    read_pdf_signatures(signing.tamper(signed))
    assert capsys.readouterr().err == ""


def test_works_when_called_from_a_running_event_loop(signed: bytes) -> None:
    async def scan() -> list[SignatureFact]:
        return read_pdf_signatures(signed)

    assert [f.status for f in asyncio.run(scan())] == [SignatureStatus.INTACT]


def test_irregular_cross_references_are_read_leniently(signed: bytes) -> None:
    entry = re.search(rb"\n(\d{10}) 00000 n", signed)
    assert entry is not None
    orphaned = signing.tamper(signed, find=entry.group(0), replace=entry.group(0)[:-7] + b"00001 n")
    fact = only(read_pdf_signatures(orphaned))
    assert (fact.status, fact.signer) == (SignatureStatus.INVALID, CHEN)
    assert fact.evidence.endswith(
        "the file's cross-reference data is irregular, so it was read leniently"
    )


def test_quiet_blocks_nest_and_restore_once() -> None:
    logger = logging.getLogger("pyhanko")
    with quiet_pyhanko():
        with quiet_pyhanko():
            assert not logger.propagate
        assert not logger.propagate
    assert logger.propagate


def test_a_trust_root_that_is_not_a_certificate_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="trust root #2"):
        parse_trust_roots([signing.test_pki().root_pem, b"not a certificate"])


def test_signing_fixtures_are_deterministic() -> None:
    from pyhanko.pdf_utils.generic import parse_pdf_date
    from pyhanko.pdf_utils.reader import PdfFileReader

    first = signing.countersigned_pdf()
    assert signing.countersigned_pdf() == first
    # equal bytes are not luck within one second: the modification date is not the clock's
    info = PdfFileReader(io.BytesIO(first)).trailer["/Info"]
    assert parse_pdf_date(info["/ModDate"]) == signing.SIGNED_AT + timedelta(days=2)
