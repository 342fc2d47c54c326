"""Rule cases as data: ``tests/rule_cases/*.yaml`` hold, for every rule, a study, documents in
memory and the findings that rule must (or must not) raise. ``test_rule_cases`` runs them all;
``test_rule_catalogue`` checks that every rule has a passing and a failing case.

A case::

    - rule: TW-EXP-001
      name: a continuing review renews the approval
      country: TW                    # the study has this country and one live site S-1
      as_of: 2026-11-01              # default 2026-11-01
      milestones: {"01": 2025-01-10, "03": 2025-01-10}   # default: 01-03 reached 2025-01-10
      study: {attributes: {imports_ip: true}}             # merged into the study's `study:`
      documents:
        - {artifact: "04.01.02", date: 2025-02-20, role: approval}
        - {artifact: "04.01.02", date: 2026-02-10, role: approval, path: TW/S-1/cr.pdf}
      expect: []                     # findings of this rule: [{kind, at?, path?}]

A document is at site S-1 unless ``at: country`` or ``at: trial``; optional keys: ``path``,
``subartifact``, ``date`` + ``role``, ``expiry``, ``signatures`` (statuses: valid, intact,
invalid, unsigned, unverifiable; or ``{status, method, signer}``), ``language``, ``version``,
``scanned``, ``readable: false``, ``sha256``, ``exchange`` (an EMS package's record:
``{verified: false}``, ``{disagreements: [{field, package, read}]}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from etmf.model import (
    DateFact,
    DateRole,
    Disagreement,
    Document,
    ExchangeNote,
    LanguageFact,
    Level,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
    VersionFact,
)
from tests.builders import document

CASES_DIR = Path(__file__).parent / "rule_cases"
SITE = "S-1"
DEFAULT_MILESTONES = {"01": "2025-01-10", "02": "2025-01-10", "03": "2025-01-10"}


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    country: str
    as_of: date
    study_text: str
    documents: tuple[Document, ...]
    expect: tuple[dict[str, Any], ...]
    source: str

    @property
    def label(self) -> str:
        return f"{self.rule}: {self.name}"


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        for position, item in enumerate(raw.get("cases", [])):
            cases.append(_case(item, f"{path.name}[{position}]"))
    return cases


def _case(item: dict[str, Any], source: str) -> Case:
    country = item["country"]
    milestones = {str(k): str(v) for k, v in item.get("milestones", DEFAULT_MILESTONES).items()}
    inline = "{" + ", ".join(f'"{k}": {v}' for k, v in sorted(milestones.items())) + "}"
    study_extra = "".join(
        f"  {key}: {yaml.safe_dump(value, default_flow_style=True).strip()}\n"
        for key, value in (item.get("study") or {}).items()
    )
    text = (
        f"study:\n  id: CASE\n  milestones: {inline}\n{study_extra}"
        f"countries:\n  - code: {country}\n    milestones: {inline}\n"
        f"sites:\n  - id: {SITE}\n    country: {country}\n    milestones: {inline}\n"
    )
    documents = tuple(
        _document(spec, country, number) for number, spec in enumerate(item.get("documents", []))
    )
    return Case(
        rule=item["rule"],
        name=item["name"],
        country=country,
        as_of=_date(item.get("as_of", "2026-11-01")),
        study_text=text,
        documents=documents,
        expect=tuple(item.get("expect", [])),
        source=source,
    )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _document(spec: dict[str, Any], country: str, number: int) -> Document:
    at = Level(spec.get("at", "site"))
    folder = {Level.SITE: f"{country}/{SITE}/", Level.COUNTRY: f"{country}/", Level.TRIAL: ""}[at]
    path = spec.get("path", f"{folder}doc{number}.pdf")
    base = document(
        path,
        spec.get("artifact"),
        level=at,
        country=None if at is Level.TRIAL else country,
        site=SITE if at is Level.SITE else None,
        subartifact=spec.get("subartifact"),
        readable=spec.get("readable", True),
        sha256=spec.get("sha256"),
    )
    dates: list[DateFact] = []
    identifying = None
    if "date" in spec:
        role = DateRole(spec.get("role", "document"))
        when = _date(spec["date"])
        identifying = DateFact(value=when, role=role, text=f"{role.value}: {when}", page=1)
        dates.append(identifying)
    if "expiry" in spec:
        when = _date(spec["expiry"])
        dates.append(DateFact(value=when, role=DateRole.EXPIRY, text=f"Valid until {when}"))
    language = spec.get("language")
    version = spec.get("version")
    return base.model_copy(
        update={
            "dates": tuple(dates),
            "identifying_date": identifying,
            "signatures": tuple(_signature(s) for s in spec.get("signatures", [])),
            "language": LanguageFact(code=language, confidence=0.99, evidence="case")
            if language
            else None,
            "version": VersionFact(value=str(version), text=f"v{version}") if version else None,
            "scanned": spec.get("scanned", False),
            "exchange": _exchange(spec["exchange"], base.sha256) if "exchange" in spec else None,
        }
    )


def _exchange(spec: dict[str, Any], sha256: str) -> ExchangeNote:
    return ExchangeNote(
        object_id="CASE-OBJ",
        line=3,
        integrity=f"SHA256-{sha256}",
        verified=spec.get("verified", True),
        disagreements=tuple(
            Disagreement(evidence="case", **item) for item in spec.get("disagreements", [])
        ),
    )


def _signature(spec: str | dict[str, Any]) -> SignatureFact:
    fields = {"status": spec} if isinstance(spec, str) else dict(spec)
    status = SignatureStatus(fields["status"])
    default = {
        SignatureStatus.UNSIGNED: SignatureMethod.SIGNATURE_LINE,
        SignatureStatus.UNVERIFIABLE: SignatureMethod.SCAN,
    }.get(status, SignatureMethod.DIGITAL)
    return SignatureFact(
        method=SignatureMethod(fields.get("method", default)),
        status=status,
        signer=fields.get("signer"),
        evidence=f"case: {status.value}",
    )
