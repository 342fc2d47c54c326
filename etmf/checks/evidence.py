"""Checks on what documents say: expiry, signatures, language, legibility.

Only the current document of a record decides: a superseded CV is not reported as expired,
and an ethics approval renewed by a later continuing-review approval at the same site is
judged by the later one (``renewal: scope``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from etmf.context import Context, DocumentNote, Group, scope_of
from etmf.model import (
    DateFact,
    DateRole,
    Document,
    DocumentStatus,
    Evidence,
    EvidenceSource,
    Expiry,
    ExpiryBasis,
    Finding,
    Kind,
    Level,
    Severity,
    SignatureMethod,
    SignatureStatus,
)

if TYPE_CHECKING:
    from etmf.profiles import Rule

Outcome = Finding | DocumentNote


def _current(rule: Rule, group: Group, *, stated_only: bool = False) -> Iterator[Document]:
    """Readable current documents of the rule's artifacts (all artifacts when none are named),
    at the rule's levels; with ``stated_only``, only those that state an expiry or period end."""
    artifacts = set(rule.params.get("artifacts", ()))
    levels = {Level(level) for level in rule.params.get("levels", ())}
    subartifact = rule.params.get("subartifact")
    if stated_only:
        pool = group.stating_expiry()
        if artifacts:
            pool = [document for document in pool if document.artifact in artifacts]
    else:
        pool = group.documents_of(artifacts) if artifacts else group.documents
    for document in pool:
        if document.artifact is None or not document.readable:
            continue
        if document.status is not DocumentStatus.CURRENT:
            continue
        if levels and document.level not in levels:
            continue
        if subartifact is not None and document.subartifact != subartifact:
            continue
        yield document


def add_months(start: date, months: int) -> date:
    """Calendar months: 31 January + 1 month is 28 (or 29) February."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(year, month, min(start.day, days[month - 1]))


def _expiry(document: Document, rule: Rule) -> Expiry | None:
    # The first stated expiry, else the first end of a stated period; one pass, as every
    # current document passes here.
    stated: DateFact | None = None
    for fact in document.dates:
        if fact.role is DateRole.EXPIRY:
            stated = fact
            break
        if fact.role is DateRole.PERIOD_END and stated is None:
            stated = fact
    if stated is not None:
        page = f" (page {stated.page})" if stated.page else ""
        return Expiry(
            date=stated.value,
            basis=ExpiryBasis.STATED,
            rule=rule.id,
            evidence=f"the document states {stated.text!r}{page}",
        )
    months = rule.params.get("months")
    start = document.identifying_date
    # When the file was made (PDF or Office metadata) is no date of the record: a scan or a
    # conversion resets it. A validity period runs only from a date the document states.
    if months is None or start is None or start.source is EvidenceSource.METADATA:
        return None
    return Expiry(
        date=add_months(start.value, int(months)),
        basis=ExpiryBasis.VALIDITY,
        rule=rule.id,
        months=int(months),
        evidence=f"{start.role.value} date {start.value.isoformat()} ({start.text!r}) "
        f"+ {months} months",
    )


def _deciding(
    documents: Iterable[Document], rule: Rule
) -> Iterable[tuple[Document, Expiry | None]]:
    """With ``renewal: scope`` only the latest-dated document of each scope decides."""
    pairs = ((document, _expiry(document, rule)) for document in documents)
    if rule.params.get("renewal", "document") != "scope":
        return pairs
    latest: dict[object, tuple[Document, Expiry | None]] = {}
    for document, expiry in pairs:
        key = (document.artifact, scope_of(document))
        held = latest.get(key)
        if held is None or _later(expiry, held[1]):
            latest[key] = (document, expiry)
    return list(latest.values())


def _later(candidate: Expiry | None, held: Expiry | None) -> bool:
    if candidate is None:
        return False
    return held is None or candidate.date > held.date


def _named_elsewhere(rule: Rule, group: Group) -> tuple[set[str], set[tuple[str, str]]]:
    """A rule without artifacts is the catch-all; a document another expiry rule names is
    judged by that rule only. What the others name: whole artifacts, (artifact, sub-artifact)."""
    whole: set[str] = set()
    parts: set[tuple[str, str]] = set()
    for other in group.profile.enabled_rules:
        if other.check != "expires" or other.id == rule.id or not other.params.get("artifacts"):
            continue
        subartifact = other.params.get("subartifact")
        if subartifact is None:
            whole.update(other.params["artifacts"])
        else:
            parts.update((artifact, subartifact) for artifact in other.params["artifacts"])
    return whole, parts


def expires(rule: Rule, group: Group, ctx: Context) -> Iterator[Outcome]:
    """``params: {artifacts?, subartifact?, levels?, months?, renewal?, warn_days?}``."""
    warn = timedelta(days=int(rule.params.get("warn_days", 60)))
    # without a validity period only what a document states can expire
    documents: Iterable[Document] = _current(rule, group, stated_only="months" not in rule.params)
    if not rule.params.get("artifacts"):
        whole, parts = _named_elsewhere(rule, group)
        documents = [
            d
            for d in documents
            if d.artifact not in whole and (d.artifact, d.subartifact) not in parts
        ]
    for document, expiry in _deciding(documents, rule):
        if expiry is None:
            continue
        yield DocumentNote(path=document.path, expires=expiry)
        what = document.subartifact or document.artifact_name or document.artifact
        evidence = (Evidence(source=EvidenceSource.TEXT, text=expiry.evidence),)
        if expiry.date < ctx.as_of:
            yield ctx.finding(
                rule,
                group.profile,
                kind=Kind.EXPIRED,
                document=document,
                message=f"{document.path}: {what} expired on {expiry.date.isoformat()}",
                evidence=evidence,
            )
        elif expiry.date <= ctx.as_of + warn:
            days = (expiry.date - ctx.as_of).days
            yield ctx.finding(
                rule,
                group.profile,
                kind=Kind.EXPIRING,
                severity=Severity.MINOR,
                document=document,
                message=f"{document.path}: {what} expires on {expiry.date.isoformat()}, "
                f"in {days} day{'s' if days != 1 else ''}",
                evidence=evidence,
            )


def signature_state(document: Document) -> tuple[Kind | None, str]:
    """None when signed; else the kind of finding and what was read."""
    facts = document.signatures
    invalid = [s for s in facts if s.status is SignatureStatus.INVALID]
    if invalid:
        return Kind.INVALID_SIGNATURE, "; ".join(s.evidence for s in invalid)
    signed = [
        s
        for s in facts
        if s.method in (SignatureMethod.DIGITAL, SignatureMethod.MANIFESTATION)
        and s.status in (SignatureStatus.VALID, SignatureStatus.INTACT)
    ]
    blank = [s for s in facts if s.status is SignatureStatus.UNSIGNED]
    if any(s.method is SignatureMethod.DIGITAL for s in signed):
        return None, ""
    if signed and not blank:
        return None, ""
    if blank:
        partly = f"{len(signed)} signed, " if signed else ""
        lines = "; ".join(s.evidence for s in blank)
        return Kind.UNSIGNED, f"{partly}{len(blank)} left blank: {lines}"
    unclear = [s for s in facts if s.status is SignatureStatus.UNVERIFIABLE]
    if unclear:
        return Kind.NEEDS_REVIEW, "; ".join(s.evidence for s in unclear)
    return Kind.UNSIGNED, "no digital signature, signature manifestation or signature line found"


def signed(rule: Rule, group: Group, ctx: Context) -> Iterator[Outcome]:
    """``params: {artifacts, levels?, by?}``: each current document of these artifacts is
    signed; with ``by``, by as many parties, the site's PI among them."""
    messages = {
        Kind.UNSIGNED: "is not signed",
        Kind.INVALID_SIGNATURE: "has a signature that does not verify",
        Kind.NEEDS_REVIEW: "may be signed, but the signature cannot be verified automatically",
    }
    for document in _current(rule, group):
        kind, read = signature_state(document)
        if kind is None and rule.params.get("by"):
            kind, read = _signed_by(document, list(rule.params["by"]), ctx)
        if kind is None:
            continue
        what = document.subartifact or document.artifact_name
        yield ctx.finding(
            rule,
            group.profile,
            kind=kind,
            severity=Severity.MINOR if kind is Kind.NEEDS_REVIEW else None,
            document=document,
            message=f"{document.path}: {what} {messages[kind]}",
            evidence=(Evidence(source=EvidenceSource.SIGNATURE, text=read),),
        )


def _signed_by(document: Document, by: list[str], ctx: Context) -> tuple[Kind | None, str]:
    """As many signatures as parties in ``by``, one of them the site's PI when ``investigator``
    is listed and the names can be compared (same script; a signer without a name is not
    held against the document)."""
    signers = [
        s
        for s in document.signatures
        if s.method in (SignatureMethod.DIGITAL, SignatureMethod.MANIFESTATION)
        and s.status in (SignatureStatus.VALID, SignatureStatus.INTACT)
    ]
    names = [s.signer for s in signers if s.signer]
    listed = ", ".join(names) or "no named signer"
    if len(signers) < len(by):
        return Kind.UNSIGNED, (
            f"{len(signers)} of {len(by)} signatures ({', '.join(by)}) found; signed by: {listed}"
        )
    site = ctx.study.site(document.site) if ctx.study and document.site else None
    pi = site.pi if site else None
    if "investigator" in by and pi and len(names) == len(signers):
        comparable = [n for n in names if _latin(n) == _latin(pi)]
        if comparable and not any(_same_person(n, pi) for n in comparable):
            return Kind.UNSIGNED, f"no signature by the investigator {pi}; signed by: {listed}"
    return None, ""


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 for c in name if c.isalpha())


def _same_person(signer: str, person: str) -> bool:
    def tokens(name: str) -> set[str]:
        return set("".join(c if c.isalnum() else " " for c in name.lower()).split())

    wanted, seen = tokens(person), tokens(signer)
    return wanted <= seen or seen <= wanted


def language(rule: Rule, group: Group, ctx: Context) -> Iterator[Outcome]:
    """``params: {artifacts, levels, languages}``: current documents are in one of them."""
    wanted = list(rule.params["languages"])
    for document in _current(rule, group):
        found = document.language
        if found is None or found.code == "und" or {found.code, *found.others} & set(wanted):
            continue
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.WRONG_LANGUAGE,
            document=document,
            message=f"{document.path}: {document.artifact_name} is in {found.code}; "
            f"{group.profile.name} requires {' or '.join(wanted)}",
            evidence=(Evidence(source=EvidenceSource.TEXT, text=found.evidence),),
        )


def legible(rule: Rule, group: Group, ctx: Context) -> Iterator[Outcome]:
    """A scan that OCR did not read is flagged for a person, not treated as an empty page."""
    for document in group.at(group.members.unread_scans):
        reason = document.ocr or "no text layer and no OCR"
        yield ctx.finding(
            rule,
            group.profile,
            kind=Kind.NEEDS_REVIEW,
            document=document,
            message=f"{document.path} is a scan whose text could not be read ({reason}); "
            "check its dates and signatures by hand",
            evidence=(Evidence(source=EvidenceSource.TEXT, text=reason),),
        )
