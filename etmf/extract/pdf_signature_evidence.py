"""What a pyHanko validation status means for an inspector: a verdict and the words to quote.

:mod:`etmf.extract.pdf_signatures` finds the signature fields and has pyHanko validate them;
this module turns each status into a :class:`SignatureFact`: how much of the file the signature
covers, whether digest and signature value hold, what later incremental updates changed and
whether a certification allows it, and how far the certificate chains. One home for these
sentences keeps the evidence findings quote consistent between signatures and document
timestamps. pyHanko is imported inside functions: it is an optional extra.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from etmf.model import SignatureFact, SignatureMethod, SignatureStatus

_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "no chain to a trust anchor the study names",
    "OUT_OF_BOUNDS_NO_POE": "the certificate was expired or not yet valid at validation time",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the certificate was expired at validation time",
    "SIG_CONSTRAINTS_FAILURE": "the certificate's key usage does not allow signing",
}
_DOCMDP = {
    1: "no changes allowed",
    2: "form filling allowed",
    3: "form filling and comments allowed",
}


def signature_fact(embedded: Any, status: Any, anchors: bool, **reported: Any) -> SignatureFact:
    """An approval or certification signature: VALID only when intact, allowed by any
    certification, and trusted together with its timestamp; INTACT when merely untrusted."""
    docmdp = embedded.docmdp_level
    parts = [f"signature '{embedded.field_name}' {_coverage(embedded, status)}"]
    if docmdp is not None:
        parts.append(f"certification signature (DocMDP: {_DOCMDP.get(docmdp.value, '?')})")
    parts.append(_integrity(status))
    parts.extend(_modifications(status, docmdp))
    intact = status.intact and status.valid
    if intact:
        parts.append(_trust("signer", status, anchors))
    timestamp = status.timestamp_validity
    timestamp_ok = timestamp is None or (timestamp.intact and timestamp.valid)
    reported["signed_at"] = status.signer_reported_dt or reported["signed_at"]
    if timestamp is not None:
        tsa = common_name(timestamp.signing_cert)
        if timestamp_ok:
            reported["signed_at"] = timestamp.timestamp
            untrusted = "" if timestamp.trusted else " (timestamp authority not in the trust store)"
            parts.append(f"timestamped by '{tsa}' at {timestamp.timestamp.isoformat()}{untrusted}")
        else:
            parts.append(f"the timestamp token by '{tsa}' does not match the signature")
    if not status.seed_value_ok:
        parts.append("the signature does not meet the field's seed-value constraints")
    if not (intact and timestamp_ok) or status.docmdp_ok is False:
        verdict = SignatureStatus.INVALID
    elif status.trusted and status.seed_value_ok and (timestamp is None or timestamp.trusted):
        verdict = SignatureStatus.VALID
    else:
        verdict = SignatureStatus.INTACT
    return make_fact(verdict, "; ".join(parts), **reported)


def timestamp_fact(embedded: Any, status: Any, anchors: bool, **reported: Any) -> SignatureFact:
    """A document timestamp (PAdES-LTA): the TSA is reported as the signer."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    parts = [f"document timestamp '{embedded.field_name}' {_coverage(embedded, status)}"]
    parts.append(_integrity(status))
    changed = status.modification_level == ModificationLevel.OTHER
    parts.extend(_modifications(status, None))
    intact = status.intact and status.valid
    if intact:
        parts.append(_trust("timestamp authority", status, anchors))
    if not intact or changed:
        verdict = SignatureStatus.INVALID
    else:
        verdict = SignatureStatus.VALID if status.trusted else SignatureStatus.INTACT
    reported.update(
        method=SignatureMethod.TIMESTAMP,
        signer=common_name(status.signing_cert),
        signed_at=status.timestamp,
    )
    return make_fact(verdict, "; ".join(parts), **reported)


def _coverage(embedded: Any, status: Any) -> str:
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "covers the whole document"
    if status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        total = embedded.reader.xrefs.total_revisions
        signed = embedded.signed_revision + 1
        updates = "update was" if total - signed == 1 else "updates were"
        return f"covers revision {signed} of {total}; {total - signed} incremental {updates} added"
    return "does not cover its whole revision (irregular byte range)"


def _integrity(status: Any) -> str:
    if not status.intact:
        return "digest does not match: the signed bytes were changed after signing"
    if not status.valid:
        return "digest intact but the signature value does not verify"
    return "digest intact"


def _modifications(status: Any, docmdp: Any) -> list[str]:
    from pyhanko.sign.diff_analysis import ModificationLevel

    level = status.modification_level
    if level is None or level == ModificationLevel.NONE:
        return []
    if level == ModificationLevel.OTHER:
        return ["later incremental updates change the document in ways no signature allows"]
    what = {
        ModificationLevel.LTA_UPDATES: "only add validation data and document timestamps",
        ModificationLevel.FORM_FILLING: "only fill in form fields or add signatures",
    }.get(level, "only fill in forms and add comments")
    if status.docmdp_ok is False and docmdp is not None:
        return [f"later incremental updates {what}, which the certification does not allow"]
    return [f"later incremental updates {what} (allowed)"]


def _trust(who: str, status: Any, anchors: bool) -> str:
    if status.trusted and status.validation_path is not None:
        anchor = common_name(status.validation_path[0])
        return f"{who} certificate chains to trust anchor '{anchor}'"
    if status.revoked:
        return f"{who} certificate was revoked"
    self_signed = status.signing_cert.self_issued
    if not anchors:
        kind = " is self-signed and" if self_signed else ""
        return f"{who} certificate{kind} not in the trust store (the study names no trust anchors)"
    if self_signed:
        return f"{who} certificate is self-signed and not a trust anchor the study names"
    problem = status.trust_problem_indic
    name = problem.name if problem is not None else "NO_CERTIFICATE_CHAIN_FOUND"
    return f"{who} certificate not trusted: {_TRUST_PROBLEMS.get(name, name.lower())}"


def make_fact(
    status: SignatureStatus,
    evidence: str,
    *,
    method: SignatureMethod = SignatureMethod.DIGITAL,
    **reported: Any,
) -> SignatureFact:
    """A fact about one signature field; ``method`` is TIMESTAMP for a document timestamp."""
    reported["signed_at"] = _aware(reported.get("signed_at"))
    return SignatureFact(method=method, status=status, evidence=evidence, **reported)


def common_name(cert: Any) -> str | None:
    if cert is None:
        return None
    names = [
        a["value"].native
        for rdn in cert.subject.chosen
        for a in rdn
        if a["type"].native == "common_name"
    ]
    return str(names[-1]) if names else cert.subject.human_friendly or None


def _aware(moment: datetime | None) -> datetime | None:
    """PDF dates without an offset are read as UTC, so every time compares."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment
