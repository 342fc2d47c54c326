"""The rule language beyond `required`: conditions on study attributes (`when`), `precedes`,
calendar `recurring`, `retention`, and `signed` by several parties; with a profile written the
way a regulatory specialist would, loaded from a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etmf.engine import Evaluation, evaluate
from etmf.errors import ConfigError
from etmf.model import (
    DateFact,
    DateRole,
    Document,
    Kind,
    Level,
    SignatureFact,
    SignatureMethod,
    SignatureStatus,
)
from etmf.profiles import ProfileCatalog
from etmf.study import parse_study
from tests.builders import document

PROFILE = """\
id: XL
name: Example land
extends: base
country: {code: XL, alpha3: XLL, names: [Example land], languages: [en]}
rules:
  - id: XL-REQ-001
    check: required
    title: Import permit when the product is imported
    severity: major
    when: {imports_ip: true}
    params: {artifact: "03.02.02", level: country, milestone: "03"}
    citations: [{source: Example Act s. 1, quality: law}]
  - id: XL-REQ-002
    check: required
    title: Notification under the notification scheme
    severity: major
    when: {scheme: [CTN, CTX]}
    params: {artifact: "03.01.01", level: country, milestone: "01"}
    citations: [{source: Example Act s. 2, quality: law}]
  - id: XL-ORD-001
    check: precedes
    title: Ethics approval before the site goes live
    severity: critical
    params: {first: {artifact: "04.01.02"}, then: {milestone: "03"}, level: site}
    citations: [{source: Example GCP s. 3, quality: regulator}]
  - id: XL-ORD-002
    check: precedes
    title: Regulatory approval before any site goes live
    severity: critical
    params:
      first: {artifact: "03.01.02"}
      first_level: country
      then: {milestone: "03"}
      level: site
    citations: [{source: Example GCP s. 4, quality: regulator}]
  - id: XL-REC-001
    check: recurring
    title: Annual status report by 31 March
    severity: major
    params: {artifact: "03.03.02", level: country, annual_on: "03-31", from_milestone: "01"}
    citations: [{source: Example rule s. 5, quality: regulator}]
  - id: XL-RET-001
    check: retention
    title: Keep the TMF 15 years
    severity: info
    params: {years: 15, from: completion of the trial}
    citations: [{source: Example Act s. 6, quality: law}]
  - id: XL-SIG-001
    check: signed
    title: Agreement signed by investigator, institution and sponsor
    severity: major
    params: {artifacts: ["05.02.12"], by: [investigator, institution, sponsor]}
    citations: [{source: Example GCP s. 7, quality: regulator}]
"""


def _study(attributes: str = "") -> str:
    return f"""
study:
  id: T-1
  milestones: {{"01": 2025-01-10, "02": 2025-01-10, "03": 2025-03-01}}
{attributes}countries:
  - code: XL
    milestones: {{"01": 2025-01-10, "03": 2025-03-01}}
sites:
  - id: S-1
    country: XL
    pi: Chen Wei-Lin
    milestones: {{"03": 2025-03-01}}
"""


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> ProfileCatalog:
    path = tmp_path_factory.mktemp("profiles") / "XL.yaml"
    path.write_text(PROFILE, "utf-8")
    return ProfileCatalog.load([path])


def _run(
    catalog: ProfileCatalog,
    documents: list[Document],
    attributes: str = "",
    as_of: date = date(2026, 11, 1),
) -> Evaluation:
    study = parse_study(_study(attributes), known_countries=catalog.country_codes, source="x")
    return evaluate(documents, catalog=catalog, study=study, as_of=as_of, model=catalog.model)


def _rules(evaluation: Evaluation, prefix: str = "XL-") -> dict[str, Kind]:
    return {f.rule: f.kind for f in evaluation.findings if f.rule.startswith(prefix)}


def _dated(artifact: str, when: date, level: Level = Level.SITE, **extra: object) -> Document:
    base = document(
        f"XL/{artifact}-{when}.pdf",
        artifact,
        level=level,
        country="XL",
        site="S-1" if level is Level.SITE else None,
    )
    fact = DateFact(value=when, role=DateRole.APPROVAL, text=f"Approved {when}", page=1)
    return base.model_copy(update={"identifying_date": fact, "dates": (fact,), **extra})


def test_when_applies_a_rule_only_to_studies_with_that_attribute(
    catalog: ProfileCatalog,
) -> None:
    assert "XL-REQ-001" not in _rules(_run(catalog, []))
    assert "XL-REQ-001" not in _rules(_run(catalog, [], "  attributes: {imports_ip: false}\n"))
    found = _rules(_run(catalog, [], "  attributes: {imports_ip: true, scheme: CTN}\n"))
    assert found["XL-REQ-001"] is Kind.MISSING
    assert found["XL-REQ-002"] is Kind.MISSING
    other = _rules(_run(catalog, [], "  attributes: {scheme: CTA}\n"))
    assert "XL-REQ-002" not in other


def test_a_condition_is_shown_with_the_rule(catalog: ProfileCatalog) -> None:
    rule = catalog.resolve("XL").rule("XL-REQ-002")
    assert rule is not None
    assert dict(rule.when) == {"scheme": ["CTN", "CTX"]}


def test_ethics_approval_after_the_site_went_live_is_out_of_order(
    catalog: ProfileCatalog,
) -> None:
    late = _run(catalog, [_dated("04.01.02", date(2025, 3, 5))])
    (finding,) = [f for f in late.findings if f.rule == "XL-ORD-001"]
    assert finding.kind is Kind.OUT_OF_ORDER
    assert finding.site == "S-1"
    assert finding.message.startswith(
        "04.01.02 IRB or IEC Decision (2025-03-05) came 4 days after milestone 03 Site Live"
    )
    assert [e.text for e in finding.evidence] == [
        "Approved 2025-03-05",
        "milestone 03 reached 2025-03-01",
    ]
    on_time = _run(catalog, [_dated("04.01.02", date(2025, 3, 1))])
    assert "XL-ORD-001" not in _rules(on_time)
    assert "XL-ORD-001" not in _rules(_run(catalog, []))  # nothing to compare


def test_a_country_approval_is_compared_with_each_site(catalog: ProfileCatalog) -> None:
    late = _dated("03.01.02", date(2025, 4, 1), Level.COUNTRY)
    (finding,) = [f for f in _run(catalog, [late]).findings if f.rule == "XL-ORD-002"]
    assert (finding.kind, finding.site) == (Kind.OUT_OF_ORDER, "S-1")
    early = _dated("03.01.02", date(2025, 2, 1), Level.COUNTRY)
    assert "XL-ORD-002" not in _rules(_run(catalog, [early]))


def test_annual_report_due_every_31_march_after_the_milestone_year(
    catalog: ProfileCatalog,
) -> None:
    before = _run(catalog, [], as_of=date(2026, 3, 31))
    assert "XL-REC-001" not in _rules(before)
    late = _run(catalog, [], as_of=date(2026, 4, 1))
    (finding,) = [f for f in late.findings if f.rule == "XL-REC-001"]
    assert "due 2026-03-31" in finding.message
    report = _dated("03.03.02", date(2026, 3, 20), Level.COUNTRY)
    assert "XL-REC-001" not in _rules(_run(catalog, [report], as_of=date(2026, 11, 1)))
    due = [e.due for e in _run(catalog, [report]).expected if e.rule == "XL-REC-001"]
    assert due == [date(2026, 3, 31), date(2027, 3, 31)]


def test_retention_is_listed_per_country_and_raises_nothing(catalog: ProfileCatalog) -> None:
    evaluation = _run(catalog, [])
    (retention,) = [r for r in evaluation.retention if r.rule == "XL-RET-001"]
    assert (retention.country, retention.years, retention.start) == (
        "XL",
        15,
        "completion of the trial",
    )
    assert retention.citation[0].source == "Example Act s. 6"
    assert "XL-RET-001" not in _rules(evaluation)


def _signature(signer: str) -> SignatureFact:
    return SignatureFact(
        method=SignatureMethod.DIGITAL,
        status=SignatureStatus.VALID,
        signer=signer,
        evidence=f"signed by {signer}",
    )


@pytest.mark.parametrize(
    ("signers", "problem"),
    [
        (["Chen Wei-Lin", "NTUH", "Example Pharma"], None),
        (["Dr. Chen Wei-Lin", "NTUH", "Example Pharma"], None),
        (["Chen Wei-Lin", "Example Pharma"], "2 of 3 signatures"),
        (["Lin Mei-Hua", "NTUH", "Example Pharma"], "no signature by the investigator"),
        (["陳威霖", "台大醫院", "範例藥廠"], None),  # another script: cannot be compared
    ],
)
def test_signed_by_each_party(
    catalog: ProfileCatalog, signers: list[str], problem: str | None
) -> None:
    cta = _dated(
        "05.02.12",
        date(2025, 2, 1),
        signatures=tuple(_signature(name) for name in signers),
    )
    found = [f for f in _run(catalog, [cta]).findings if f.rule == "XL-SIG-001"]
    if problem is None:
        assert found == []
    else:
        (finding,) = found
        assert finding.kind is Kind.UNSIGNED
        assert problem in finding.evidence[0].text


def test_a_bad_when_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "XB.yaml"
    path.write_text(PROFILE.replace("id: XL", "id: XB").replace("{imports_ip: true}", "yes"))
    with pytest.raises(ConfigError, match=r"rules\[0\]\.when"):
        ProfileCatalog.load([path]).resolve("XB")
