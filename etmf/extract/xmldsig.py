"""XML-DSig 1.0 signature checking and the certificate work it needs, with lxml and cryptography.

The format-independent half of verifying an Office (OOXML) signature, kept apart from the
package handling in :mod:`etmf.extract.docx_signatures`: safe parsing, ``Id`` lookup,
canonicalization (C14N 1.0 and exclusive C14N, with or without comments), reference digests,
the signature value (RSA PKCS#1 v1.5 and ECDSA) and the path from the signer to a trust root.
Whatever cannot be checked as written raises :class:`BrokenSignature`, whose message is the
evidence a finding quotes.

Measured trap handled here: a DigestInfo written without its NULL parameter (Office 2007),
which OpenSSL 3 rejects, is compared leniently after RSA recovery. Certificates are checked
against the trust roots the study names, at the signing time, with no network access (no
revocation check).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID
from lxml import etree

DSIG = "http://www.w3.org/2000/09/xmldsig#"
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
DSIG_NS = {"ds": DSIG}
_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    DSIG + "sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    _MORE + "sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_SIGNATURE_METHODS: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    f"{_MORE}{kind}-{name}": (kind, algorithm)
    for kind in ("rsa", "ecdsa")
    for name, algorithm in _HASHES.items()
}
_SIGNATURE_METHODS[DSIG + "rsa-sha1"] = ("rsa", hashes.SHA1)
_INCLUSIVE = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
_EXCLUSIVE = "http://www.w3.org/2001/10/xml-exc-c14n#"
# Canonicalization algorithm -> (exclusive, with comments).
C14N = {
    _INCLUSIVE: (False, False),
    _INCLUSIVE + "#WithComments": (False, True),
    _EXCLUSIVE: (True, False),
    _EXCLUSIVE + "WithComments": (True, True),
}
# DER of the AlgorithmIdentifier OIDs in a PKCS#1 v1.5 DigestInfo.
_DIGEST_OIDS = {
    "sha1": bytes.fromhex("06052b0e03021a"),
    "sha256": bytes.fromhex("0609608648016503040201"),
    "sha384": bytes.fromhex("0609608648016503040202"),
    "sha512": bytes.fromhex("0609608648016503040203"),
}
_MAX_CHAIN = 8


class BrokenSignature(Exception):
    """The signature cannot be checked as written; the message is the evidence."""


def parse_xml(data: bytes, name: str) -> Any:
    """Parse package XML without entities, DTDs or network access."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise BrokenSignature(f"{name} is not well-formed XML ({error.msg})") from None
    if root.getroottree().docinfo.doctype:
        raise BrokenSignature(f"{name} declares a DTD, which signature and package XML never do")
    return root


def elements_by_id(root: Any) -> dict[str, Any]:
    """Elements by Id; a repeated Id is refused, as a reference to it would be ambiguous."""
    ids: dict[str, Any] = {}
    for element in root.iter("{*}*"):
        value = element.get("Id")
        if value is None:
            continue
        if value in ids:
            raise BrokenSignature(f"Id {value!r} appears twice (a possible signature wrapping)")
        ids[value] = element
    return ids


def single(element: Any, path: str) -> Any:
    """The one ``ds:`` element at ``path``: a second one could hide the one that was checked."""
    found = element.findall(path, DSIG_NS)
    if len(found) != 1:
        name = path.rsplit(":", 1)[-1]
        raise BrokenSignature(f"{'no' if not found else 'more than one'} {name} element")
    return found[0]


def decode_base64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise BrokenSignature(f"{what} is not valid base64") from None


def check_references(signed_info: Any, ids: dict[str, Any], problems: list[str]) -> list[Any]:
    """Digest every object SignedInfo references; return the covered elements.

    A changed object is added to ``problems`` and the others are still checked, so the
    evidence names every change; a reference that cannot be checked at all raises.
    """
    covered = []
    references = signed_info.findall("ds:Reference", DSIG_NS)
    if not references:
        raise BrokenSignature("SignedInfo has no Reference")
    for reference in references:
        uri = reference.get("URI", "")
        if not uri.startswith("#") or uri[1:] not in ids:
            raise BrokenSignature(
                f"SignedInfo refers to {uri!r}, which is not an object of the signature"
            )
        target = ids[uri[1:]]
        algorithm, node = _INCLUSIVE, None
        for transform in reference.findall("ds:Transforms/ds:Transform", DSIG_NS):
            algorithm, node = transform.get("Algorithm", ""), transform
            if algorithm not in C14N:
                raise BrokenSignature(f"unsupported transform {algorithm!r} on {uri}")
        if not digest_matches(reference, [_canonical(target, algorithm, node)]):
            problems.append(f"signed object {uri} changed (digest mismatch)")
        covered.append(target)
    return covered


def digest_matches(reference: Any, octets: Iterable[bytes]) -> bool:
    method = single(reference, "ds:DigestMethod").get("Algorithm", "")
    if method not in _DIGESTS:
        raise BrokenSignature(f"unsupported digest method {method!r}")
    expected = decode_base64(single(reference, "ds:DigestValue").text, "DigestValue")
    digest = hashes.Hash(_DIGESTS[method]())
    for chunk in octets:
        digest.update(chunk)
    return hmac.compare_digest(digest.finalize(), expected)


def _canonical(element: Any, algorithm: str, transform: Any = None) -> bytes:
    """C14N of an element in its document context.

    libxml2's subtree C14N (lxml ``tostring(element, method="c14n")``) writes a spurious
    ``xmlns=""`` on grandchildren of the element under an inherited default namespace, so the
    element is re-rooted in a new document that declares every namespace in scope (and, for
    inclusive C14N, carries the inherited ``xml:*`` attributes) before canonicalizing.
    """
    exclusive, comments = C14N[algorithm]
    prefixes = None
    if exclusive and transform is not None:
        listed = transform.find(f"{{{_EXCLUSIVE}}}InclusiveNamespaces")
        if listed is not None:
            prefixes = [p for p in listed.get("PrefixList", "").split() if p != "#default"]
    attributes = dict(element.attrib)
    for ancestor in () if exclusive else element.iterancestors():
        for key, value in ancestor.attrib.items():
            if key.startswith("{http://www.w3.org/XML/1998/namespace}"):
                attributes.setdefault(key, value)
    root = etree.Element(element.tag, attrib=attributes, nsmap=element.nsmap)
    root.text = element.text
    root.extend(copy.deepcopy(child) for child in element)
    result: bytes = etree.tostring(
        root,
        method="c14n",
        exclusive=exclusive,
        with_comments=comments,
        inclusive_ns_prefixes=prefixes,
    )
    return result


def signature_method(signed_info: Any) -> str:
    """The signature method URI, once it and the canonicalization are known to be supported."""
    method_uri = single(signed_info, "ds:SignatureMethod").get("Algorithm", "")
    if method_uri not in _SIGNATURE_METHODS:
        raise BrokenSignature(f"unsupported signature method {method_uri!r}")
    c14n_uri = single(signed_info, "ds:CanonicalizationMethod").get("Algorithm", "")
    if c14n_uri not in C14N:
        raise BrokenSignature(f"unsupported canonicalization {c14n_uri!r}")
    return str(method_uri)


def value_signer(
    signature: Any, method_uri: str, certificates: list[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate whose key verifies SignatureValue over the canonical SignedInfo, if any.

    Every KeyInfo certificate is tried: nothing obliges a signer to list its own first.
    """
    signed_info = single(signature, "ds:SignedInfo")
    value = decode_base64(single(signature, "ds:SignatureValue").text, "SignatureValue")
    c14n = single(signed_info, "ds:CanonicalizationMethod")
    signed_bytes = _canonical(signed_info, c14n.get("Algorithm", ""), c14n)
    kind, algorithm = _SIGNATURE_METHODS[method_uri]
    return next(
        (
            c
            for c in certificates
            if _signature_ok(c.public_key(), value, signed_bytes, kind, algorithm)
        ),
        None,
    )


def _signature_ok(
    key: Any, value: bytes, data: bytes, kind: str, algorithm: type[hashes.HashAlgorithm]
) -> bool:
    if kind == "rsa" and isinstance(key, rsa.RSAPublicKey):
        try:
            recovered = key.recover_data_from_signature(value, padding.PKCS1v15(), None)
        except (InvalidSignature, ValueError):
            return False
        hasher = algorithm()
        digest = hashes.Hash(hasher)
        digest.update(data)
        return any(
            hmac.compare_digest(recovered, form)
            for form in _digest_infos(hasher.name, digest.finalize())
        )
    if kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
        size = (key.curve.key_size + 7) // 8
        if len(value) != 2 * size:
            return False
        r, s = int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big")
        try:
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithm()))
        except (InvalidSignature, ValueError):
            return False
        return True
    return False


def _digest_infos(name: str, digest: bytes) -> tuple[bytes, bytes]:
    """The PKCS#1 v1.5 DigestInfo with and without the NULL parameter (Office 2007 omitted it)."""

    def der(tag: int, body: bytes) -> bytes:
        return bytes([tag, len(body)]) + body  # every length here is under 128

    oid = _DIGEST_OIDS[name]
    octets = der(0x04, digest)
    return der(0x30, der(0x30, oid + b"\x05\x00") + octets), der(0x30, der(0x30, oid) + octets)


def key_info_certificates(root: Any) -> list[x509.Certificate]:
    nodes = root.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", DSIG_NS)
    if not nodes:
        raise BrokenSignature("no X.509 certificate in KeyInfo, so the signer cannot be named")
    try:
        return [
            x509.load_der_x509_certificate(decode_base64(n.text, "X509Certificate")) for n in nodes
        ]
    except ValueError as error:
        raise BrokenSignature(f"the signer certificate cannot be read ({error})") from None


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else certificate.subject.rfc4514_string()
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def check_trust(
    signer: x509.Certificate,
    certificates: list[x509.Certificate],
    roots: list[x509.Certificate],
    at: datetime | None,
) -> tuple[str, bool]:
    """Build a path from the signer to a trust root; check it at the signing time."""
    usage = _extension(signer, x509.KeyUsage)
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        return "signer certificate is not allowed to sign (key usage)", False
    path, current = [signer], signer
    while len(path) <= _MAX_CHAIN:
        anchor = next((r for r in roots if _is_ca(r) and _issued_by(current, r)), None)
        if anchor is None and any(root == current for root in roots):
            anchor = current
        if anchor is not None:
            chains = f"signer certificate chains to trust root '{common_name(anchor)}'"
            if at is None:
                return f"{chains} (no signing time to check validity at)", True
            if any(not c.not_valid_before_utc <= at <= c.not_valid_after_utc for c in path):
                return f"{chains} but was not valid at the signing time", False
            return chains, True
        issuer = next(
            (c for c in certificates if c not in path and _is_ca(c) and _issued_by(current, c)),
            None,
        )
        if issuer is None:
            break
        path.append(issuer)
        current = issuer
    if _issued_by(current, current):
        if len(path) == 1:
            return "self-signed signer certificate not in the trust store", False
        return f"signer certificate chains to '{common_name(current)}', not a trust root", False
    named = current.issuer.rfc4514_string()
    return f"signer certificate does not chain to a trust root (issuer '{named}')", False


def _extension(certificate: x509.Certificate, kind: type[Any]) -> Any:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _is_ca(certificate: x509.Certificate) -> bool:
    constraints = _extension(certificate, x509.BasicConstraints)
    return constraints is None or bool(constraints.ca)


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def load_trust_roots(trust_roots: Sequence[bytes]) -> list[x509.Certificate]:
    roots: list[x509.Certificate] = []
    for index, data in enumerate(trust_roots):
        try:
            if b"-----BEGIN" in data:
                roots += x509.load_pem_x509_certificates(data)
            else:
                roots.append(x509.load_der_x509_certificate(data))
        except ValueError as error:
            raise ValueError(f"trust root {index + 1} is not a certificate ({error})") from None
    return roots
