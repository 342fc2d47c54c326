"""DOCX (OOXML) XML signatures: real packages signed the Office way, then checked and tampered."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from etmf.extract.docx_signatures import read_docx_signatures
from etmf.model import SignatureMethod, SignatureStatus
from fixtures.documents import docx_bytes
from fixtures.docx_signing import (
    Identity,
    make_identity,
    modify_part,
    shared_root_signer,
    sign_docx,
)
from fixtures.signing import test_pki

WHEN = datetime(2025, 3, 4, 9, 30, 15, tzinfo=UTC)
REASON = "I approve this protocol & its <appendices>"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return docx_bytes("Clinical Study Protocol", "Version 2.0\nApproved for submission")


@pytest.fixture(scope="module")
def investigator() -> Identity:
    return make_identity("Dr. Jane Investigator")


@pytest.fixture(scope="module")
def root_ca() -> Identity:
    return make_identity("etmf Test Root CA", ca=True)


@pytest.fixture(scope="module")
def sponsor(root_ca: Identity) -> Identity:
    return make_identity("Dr. Sam Sponsor", issuer=root_ca)


def sign(docx: bytes, who: Identity, **options: object) -> bytes:
    settings: dict[str, object] = {"signer": "Jane", "reason": REASON, "when": WHEN}
    settings.update(options)
    return sign_docx(docx, key=who.key, certificate=who.certificate, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def signed(unsigned: bytes, investigator: Identity) -> bytes:
    return sign(unsigned, investigator)


def part(docx: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read(name)


def signable_parts(docx: bytes) -> int:
    """Parts an Office signature covers: all but [Content_Types].xml and docProps/core.xml."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return len(archive.namelist()) - 2


def test_self_signed_signature_is_intact_with_signer_time_and_reason(
    signed: bytes, unsigned: bytes
) -> None:
    [fact] = read_docx_signatures(signed)
    assert fact.method is SignatureMethod.DIGITAL
    assert fact.status is SignatureStatus.INTACT
    assert fact.signer == "Dr. Jane Investigator"
    assert fact.signed_at == WHEN
    assert fact.signed_at.tzinfo is not None
    assert fact.reason == REASON
    assert fact.field == "_xmlsignatures/sig1.xml"
    total = signable_parts(unsigned)
    assert fact.evidence == (
        f"XML signature sig1.xml: {total} of {total} package parts unchanged, signature value "
        "verified (rsa-sha256); self-signed signer certificate not in the trust store"
    )


def test_signature_chaining_to_a_study_trust_root_is_valid(
    unsigned: bytes, sponsor: Identity, root_ca: Identity, investigator: Identity
) -> None:
    docx = sign(unsigned, sponsor)
    [fact] = read_docx_signatures(docx, trust_roots=[root_ca.der])
    assert fact.status is SignatureStatus.VALID
    assert fact.signer == "Dr. Sam Sponsor"
    assert "chains to trust root 'etmf Test Root CA'" in fact.evidence
    pem = root_ca.certificate.public_bytes(serialization.Encoding.PEM)
    assert read_docx_signatures(docx, trust_roots=[pem])[0].status is SignatureStatus.VALID
    [untrusted] = read_docx_signatures(docx, trust_roots=[investigator.der])
    assert untrusted.status is SignatureStatus.INTACT
    assert "does not chain to a trust root (issuer 'O=etmf fixtures,CN=etmf Test Root CA')" in (
        untrusted.evidence
    )


def test_intermediate_certificate_from_key_info_completes_the_chain(
    unsigned: bytes, root_ca: Identity
) -> None:
    intermediate = make_identity("etmf Issuing CA", issuer=root_ca, ca=True)
    monitor = make_identity("Clinical Monitor", issuer=intermediate)
    with_chain = sign(unsigned, monitor, chain=[intermediate.certificate])
    without_chain = sign(unsigned, monitor)
    assert read_docx_signatures(with_chain, trust_roots=[root_ca.der])[0].status is (
        SignatureStatus.VALID
    )
    assert read_docx_signatures(without_chain, trust_roots=[root_ca.der])[0].status is (
        SignatureStatus.INTACT
    )


def test_certificate_expired_at_signing_time_is_not_trusted(
    unsigned: bytes, root_ca: Identity
) -> None:
    lapsed = make_identity(
        "Lapsed Signer", issuer=root_ca, valid_until=datetime(2024, 12, 31, tzinfo=UTC)
    )
    [fact] = read_docx_signatures(sign(unsigned, lapsed), trust_roots=[root_ca.der])
    assert fact.status is SignatureStatus.INTACT
    assert "was not valid at the signing time" in fact.evidence


def test_document_changed_after_signing_is_invalid_and_names_the_part(signed: bytes) -> None:
    body = part(signed, "word/document.xml").replace(b"Approved", b"Rejected")
    [fact] = read_docx_signatures(modify_part(signed, "word/document.xml", body))
    assert fact.status is SignatureStatus.INVALID
    assert "word/document.xml changed after signing (digest mismatch)" in fact.evidence
    total = signable_parts(signed) - 3  # less the three signature parts
    assert f"{total - 1} of {total} package parts unchanged" in fact.evidence
    assert fact.signer == "Dr. Jane Investigator"


def test_relationship_part_changed_after_signing_is_invalid(signed: bytes) -> None:
    rels = part(signed, "word/_rels/document.xml.rels")
    changed = rels.replace(b'Target="styles.xml"', b'Target="stylesWithEffects.xml"')
    assert changed != rels
    [fact] = read_docx_signatures(modify_part(signed, "word/_rels/document.xml.rels", changed))
    assert fact.status is SignatureStatus.INVALID
    assert "word/_rels/document.xml.rels changed after signing" in fact.evidence


def test_parts_office_leaves_unsigned_may_change(signed: bytes) -> None:
    """docProps/core.xml and its relationship are outside Office signatures by design."""
    core = part(signed, "docProps/core.xml").replace(b"etmf fixtures", b"someone else")
    rels = part(signed, "_rels/.rels").replace(b'Target="docProps/core.xml"', b'Target="x.xml"')
    changed = modify_part(modify_part(signed, "docProps/core.xml", core), "_rels/.rels", rels)
    assert read_docx_signatures(changed)[0].status is SignatureStatus.INTACT


def test_corrupted_signature_value_is_invalid(signed: bytes) -> None:
    xml = part(signed, "_xmlsignatures/sig1.xml")
    value = re.search(rb"<SignatureValue>([^<]+)</SignatureValue>", xml)
    assert value is not None
    raw = bytearray(base64.b64decode(value.group(1)))
    raw[40] ^= 0x01
    damaged = xml.replace(value.group(1), base64.b64encode(bytes(raw)))
    [fact] = read_docx_signatures(modify_part(signed, "_xmlsignatures/sig1.xml", damaged))
    assert fact.status is SignatureStatus.INVALID
    assert "the signature value does not verify" in fact.evidence


def test_unsigned_docx_and_non_packages_have_no_signature_facts(unsigned: bytes) -> None:
    assert read_docx_signatures(unsigned) == []
    assert read_docx_signatures(b"not a zip at all") == []
    assert read_docx_signatures(b"") == []


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">&c;</Signature>'
)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda xml: xml[: len(xml) // 2], "is not well-formed XML"),
        (lambda xml: BILLION_LAUGHS, "declares a DTD"),
        (lambda xml: b"<Other/>", "not an XML-DSig Signature"),
        (
            lambda xml: xml.replace(b"</Signature>", b'<Object Id="idPackageObject"/></Signature>'),
            "Id 'idPackageObject' appears twice",
        ),
        (lambda xml: re.sub(rb"<KeyInfo>.*</KeyInfo>", b"", xml), "no X.509 certificate"),
        (lambda xml: xml.replace(b"<SignatureValue>", b"<SignatureValue>*"), "not valid base64"),
        (lambda xml: xml.replace(b"rsa-sha256", b"rsa-md5"), "unsupported signature method"),
        (
            lambda xml: re.sub(rb"<Manifest>.*</Manifest>", b"<Manifest></Manifest>", xml),
            "signed object #idPackageObject changed",
        ),
    ],
)
def test_damaged_signature_xml_is_invalid_without_exception(
    signed: bytes, damage: object, expected: str
) -> None:
    xml = part(signed, "_xmlsignatures/sig1.xml")
    broken = damage(xml)  # type: ignore[operator]
    [fact] = read_docx_signatures(modify_part(signed, "_xmlsignatures/sig1.xml", broken))
    assert fact.status is SignatureStatus.INVALID
    assert expected in fact.evidence


def test_damaged_zip_entry_is_invalid_without_exception(signed: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(signed)) as archive:
        info = archive.getinfo("word/styles.xml")
    data = bytearray(signed)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    [fact] = read_docx_signatures(bytes(data))
    assert fact.status is SignatureStatus.INVALID
    assert "word/styles.xml" in fact.evidence


def test_signature_part_nothing_links_is_reported_invalid(signed: bytes, unsigned: bytes) -> None:
    stripped = modify_part(signed, "_rels/.rels", part(unsigned, "_rels/.rels"))
    [fact] = read_docx_signatures(stripped)
    assert fact.status is SignatureStatus.INVALID
    assert fact.evidence.startswith(
        "XML signature sig1.xml: not linked from the package's signature origin; "
    )
    assert fact.signer == "Dr. Jane Investigator"


def test_co_signing_gives_one_fact_per_signature(
    signed: bytes, sponsor: Identity, root_ca: Identity
) -> None:
    later = datetime(2025, 3, 5, 14, 0, tzinfo=UTC)
    cosigned = sign(signed, sponsor, reason=None, when=later)
    first, second = read_docx_signatures(cosigned, trust_roots=[root_ca.der])
    assert (first.field, first.status, first.signer) == (
        "_xmlsignatures/sig1.xml",
        SignatureStatus.INTACT,
        "Dr. Jane Investigator",
    )
    assert (second.field, second.status, second.signer) == (
        "_xmlsignatures/sig2.xml",
        SignatureStatus.VALID,
        "Dr. Sam Sponsor",
    )
    assert (second.signed_at, second.reason) == (later, None)


def test_digest_info_without_null_parameter_is_accepted(
    unsigned: bytes, investigator: Identity
) -> None:
    """Office 2007 wrote the DigestInfo without NULL; OpenSSL 3's verify refuses it."""
    legacy = sign(unsigned, investigator, legacy_digest_info=True)
    xml = part(legacy, "_xmlsignatures/sig1.xml")
    signed_info = re.search(rb"<SignedInfo .*</SignedInfo>", xml)
    value = re.search(rb"<SignatureValue>([^<]+)</SignatureValue>", xml)
    assert signed_info is not None
    assert value is not None
    key = investigator.certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    with pytest.raises(InvalidSignature):
        key.verify(
            base64.b64decode(value.group(1)),
            signed_info.group(0),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    [fact] = read_docx_signatures(legacy)
    assert fact.status is SignatureStatus.INTACT


@pytest.mark.parametrize(
    ("kind", "hash_name", "exclusive"),
    [
        ("rsa", "sha1", False),
        ("rsa", "sha512", False),
        ("rsa", "sha256", True),
        ("ecdsa", "sha256", False),
        ("ecdsa", "sha384", True),
    ],
)
def test_signature_and_digest_algorithms(
    unsigned: bytes, kind: str, hash_name: str, exclusive: bool
) -> None:
    who = make_identity(f"{kind} signer", kind=kind)
    docx = sign(unsigned, who, hash_name=hash_name, exclusive=exclusive)
    if exclusive:
        assert b"xml-exc-c14n#" in part(docx, "_xmlsignatures/sig1.xml")
    [fact] = read_docx_signatures(docx)
    assert fact.status is SignatureStatus.INTACT, fact.evidence
    assert f"({kind}-{hash_name})" in fact.evidence
    tampered = modify_part(docx, "word/settings.xml", b"<changed/>")
    assert read_docx_signatures(tampered)[0].status is SignatureStatus.INVALID


TINY_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PKG}">\n'
    f'  <Relationship Id="rId2" Type="{EXTENDED}" Target="docProps/app.xml"/>\n'
    f'  <Relationship Type="{OFFICE_DOCUMENT}" Target="word/document.xml" Id="rId1"/>\n'
    f'  <Relationship Id="rId3" Type="{CORE}" Target="docProps/core.xml"/>\n'
    "</Relationships>\n"
).encode()

# The RelationshipTransform then C14N, written out by hand: rId3 (core properties) is not
# signed; the rest sorted by Id, whitespace dropped, attributes in C14N order (by name),
# TargetMode added with its default, start/end tag pairs.
TINY_RELS_CANONICAL = (
    f'<Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Target="word/document.xml" TargetMode="Internal" '
    f'Type="{OFFICE_DOCUMENT}"></Relationship>'
    f'<Relationship Id="rId2" Target="docProps/app.xml" TargetMode="Internal" '
    f'Type="{EXTENDED}"></Relationship>'
    "</Relationships>"
).encode()


def test_relationship_transform_digest_built_by_hand(
    unsigned: bytes, investigator: Identity
) -> None:
    docx = sign(modify_part(unsigned, "_rels/.rels", TINY_RELS), investigator)
    signature = etree.fromstring(part(docx, "_xmlsignatures/sig1.xml"))
    [reference] = [
        r for r in signature.iter(f"{DS}Reference") if r.get("URI", "").startswith("/_rels/.rels?")
    ]
    expected = base64.b64encode(hashlib.sha256(TINY_RELS_CANONICAL).digest()).decode()
    assert reference.findtext(f"{DS}DigestValue") == expected
    assert read_docx_signatures(docx)[0].status is SignatureStatus.INTACT
    retargeted = part(docx, "_rels/.rels").replace(b"word/document.xml", b"word/other.xml")
    [fact] = read_docx_signatures(modify_part(docx, "_rels/.rels", retargeted))
    assert fact.status is SignatureStatus.INVALID
    assert "_rels/.rels changed after signing" in fact.evidence


def test_unreadable_trust_root_is_a_configuration_error(signed: bytes) -> None:
    with pytest.raises(ValueError, match="trust root 1 is not a certificate"):
        read_docx_signatures(signed, trust_roots=[b"not a certificate"])


def test_main_document_added_after_signing_is_invalid(signed: bytes) -> None:
    """A new officeDocument relationship escapes the transform's Id selection; it must not pass."""
    rels = part(signed, "_rels/.rels")
    planted = f'<Relationship Id="rId99" Type="{OFFICE_DOCUMENT}" Target="word/evil.xml"/>'
    rels = rels.replace(f'<Relationships xmlns="{PKG}">'.encode(), b"", 1)
    rels = rels.replace(b"?>", f'?><Relationships xmlns="{PKG}">{planted}'.encode(), 1)
    evil = modify_part(modify_part(signed, "_rels/.rels", rels), "word/evil.xml", b"<w/>")
    [fact] = read_docx_signatures(evil)
    assert fact.status is SignatureStatus.INVALID
    assert "the main document part word/evil.xml is not signed" in fact.evidence


def test_signer_of_the_shared_test_root_is_valid(unsigned: bytes) -> None:
    """The PDF fixtures' root CA (an Ed25519 key) also certifies DOCX signers for the demo."""
    [fact] = read_docx_signatures(
        sign(unsigned, shared_root_signer("Dr Chen Wei-Lin")), trust_roots=[test_pki().root_pem]
    )
    assert fact.status is SignatureStatus.VALID
    assert "chains to trust root 'etmf Test Root CA'" in fact.evidence


def test_damaged_relationship_part_is_invalid_and_named(signed: bytes) -> None:
    damaged = modify_part(signed, "word/_rels/document.xml.rels", b"<Relationships")
    [fact] = read_docx_signatures(damaged)
    assert fact.status is SignatureStatus.INVALID
    assert "word/_rels/document.xml.rels is not well-formed XML" in fact.evidence
