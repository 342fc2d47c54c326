"""``etmf ems export``: the demo TMF as an EMS package, valid against the published schema,
and the round trip: the package scans to the same classifications and findings."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from etmf.cli import main
from etmf.ems.countries import country_codes
from etmf.ems.export import PackagePlan, plan_package
from etmf.ems.schema import SCHEMA_FILE, tag
from etmf.ems.writing import write_package
from etmf.model import Document, DocumentStatus, Kind, Report
from etmf.profiles import ProfileCatalog
from etmf.scan import ScanOptions, scan
from etmf.tmf.refmodel import load_reference_model
from fixtures.demo import build
from fixtures.documents import pdf_bytes, write
from tests.builders import snapshot
from tests.ems_packages import CV_1, CV_2, build_tree

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "ems"
PACKAGED = Path(__file__).resolve().parents[1] / "etmf" / "ems" / SCHEMA_FILE
DAMAGED = "TW/TW-001 台大醫院/IRB_continuing_review_scan.pdf"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ems-demo") / "tmf"
    build(root)
    return root


@pytest.fixture(scope="module")
def original(demo: Path) -> Report:
    return scan(demo, options=ScanOptions(jobs=0))


@pytest.fixture(scope="module")
def exported(demo: Path, original: Report) -> tuple[Path, PackagePlan]:
    before = snapshot(demo)
    plan = plan_package(original, countries=country_codes(ProfileCatalog.load()))
    package = demo.parent / "package"
    write_package(plan, source=demo, output=package)
    assert snapshot(demo) == before  # the scanned folder is only read
    return package, plan


@pytest.fixture(scope="module")
def imported(demo: Path, exported: tuple[Path, PackagePlan]) -> Report:
    package, _ = exported
    return scan(package, options=ScanOptions(jobs=0, study_file=demo / "etmf.yaml"))


def objects(package: Path) -> dict[str, etree._Element]:
    """The OBJECTs of exchange.xml by the path of the document they came from."""
    root = etree.parse(str(package / "exchange.xml")).getroot()
    return {str(o.findtext(tag("METADATA"))): o for o in root.iter(tag("OBJECT"))}


def value(element: etree._Element, path: str) -> str | None:
    found = element.findtext("/".join(tag(part) for part in path.split("/")))
    return str(found) if found is not None else None


def test_exchange_xml_is_valid_against_the_published_schema(
    exported: tuple[Path, PackagePlan],
) -> None:
    package, _ = exported
    schema = etree.XMLSchema(etree.parse(str(REFERENCE / "TmfReferenceModelExchange.xsd")))
    document = etree.parse(str(package / "exchange.xml"))
    assert schema.validate(document), schema.error_log
    assert (
        (package / "exchange.xml")
        .read_bytes()
        .startswith(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<BATCH xmlns="https://tmfrefmodel.com/ems"'
        )
    )


def test_the_packaged_schema_is_the_published_one() -> None:
    ours = PACKAGED.read_text("utf-8")
    note = re.match(r"(<\?xml[^>]*\?>\n)<!--\n    etmf\'s copy.*?-->\n", ours, re.DOTALL)
    assert note is not None, "the packaged schema starts with a note of its origin"
    assert "TmfRef/exchange-framework" in note.group(0)
    unchanged = note.group(1) + ours[note.end() :]
    assert unchanged == (REFERENCE / "TmfReferenceModelExchange.xsd").read_text("utf-8")


def test_every_file_is_copied_unchanged_and_listed(
    demo: Path, exported: tuple[Path, PackagePlan]
) -> None:
    package, plan = exported
    listed = set()
    for source, element in objects(package).items():
        url = str(value(element, "FILE/CONTENTURL"))
        listed.add(url)
        data = (package / url).read_bytes()
        assert data == (demo / source).read_bytes()
        assert value(element, "FILE/INTEGRITY") == f"SHA256-{hashlib.sha256(data).hexdigest()}"
        assert value(element, "FILE/FILENAME") == source.rsplit("/", 1)[-1]
        number = value(element, "ARTIFACTNUMBER")
        assert number is not None
        zone, section = number[:2], number[:5]
        assert re.fullmatch(rf"{zone}/{section}/{re.escape(number)}\.[^/]+/[^/]+", url), url
    on_disk = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert on_disk == listed | {"exchange.xml"}
    assert len(listed) == len(plan.files) == 62


def test_objects_carry_the_metadata_etmf_read(exported: tuple[Path, PackagePlan]) -> None:
    package, _ = exported
    found = objects(package)
    model = load_reference_model()
    gcp = found["KR/KR-001 서울대학교병원/GCP 이수증_김민준_2025.pdf"]
    assert [value(gcp, name) for name in ("OBJECTLEVEL", "COUNTRYID", "SITEID")] == [
        "Site",
        "KOR",
        "KR-001",
    ]
    assert value(gcp, "ARTIFACTNUMBER") == "05.02.07"
    assert value(gcp, "UNIQUEID") == str(model.artifacts["05.02.07"].unique_id)
    assert value(gcp, "OBJECTEXPIRYDATE") == "15-JUN-2026"
    assert value(gcp, "OBJECTLANGUAGE") == "ko"
    assert value(gcp, "OBJECTVERSIONSTATE") == "Current"
    cv = found["AU/AU-001 RMH/05.02.04 PI CV Thompson.pdf"]
    assert (value(cv, "ARTIFACTDATE"), value(cv, "DATEDESCRIPTION")) == ("20-AUG-2025", "Signature")
    assert [
        (value(s, "SIGNATUREMETHODOLOGY"), value(s, "SIGNATURENAME"), value(s, "SIGNATUREDATETIME"))
        for s in cv.iter(tag("SIGNATURE"))
    ] == [("Electronic", "Sarah Thompson", "2025-08-20T00:00:00")]
    agreement = found["TW/TW-001 台大醫院/臨床試驗合約_ABC-101.pdf"]
    assert [
        (value(s, "SIGNATUREMETHODOLOGY"), value(s, "SIGNATURENAME"), value(s, "SIGNATUREDATETIME"))
        for s in agreement.iter(tag("SIGNATURE"))
    ] == [
        ("Digital", "Example Pharma Co., Ltd.", "2025-02-18T06:30:00+00:00"),
        ("Digital", "Chen Wei-Lin", "2025-02-19T06:30:00+00:00"),
    ]
    assert value(agreement, "OBJECTLANGUAGE") == "zh"
    tampered = found["AU/AU-001 RMH/05.02.12 CTRA RMH executed.pdf"]
    assert list(tampered.iter(tag("SIGNATURE"))) == []  # an invalid signature is not vouched for
    older = found["TW/TW-002 Chang Gung/ICF TW-002 v2.0 (Chinese).pdf"]
    assert (value(older, "OBJECTVERSION"), value(older, "OBJECTVERSIONSTATE")) == (
        "2.0",
        "Superseded",
    )
    protocol = found["02 Central Trial Documents/ABC-101 Protocol v3.0 2024-11-15.pdf"]
    assert value(protocol, "OBJECTLEVEL") == "Trial"
    assert value(protocol, "COUNTRYID") is None
    batch = etree.parse(str(package / "exchange.xml")).getroot()
    assert dict(batch.attrib) | {"TRANSFERID": "-"} == {
        "STUDYID": "ABC-101",
        "TRANSFERSOURCEID": "Example Pharma Co., Ltd.",
        "TRANSFERID": "-",
        "SPECIFICATIONID": "eTMF-EMS 1.0",
        "TMFRMVERSION": "3.3",
    }


def test_a_document_without_an_artifact_is_left_out_with_the_reason(
    exported: tuple[Path, PackagePlan],
) -> None:
    _, plan = exported
    assert [item.path for item in plan.left_out] == [DAMAGED]
    assert plan.left_out[0].reason.startswith(
        "no TMF RM artifact, and an OBJECT needs an ARTIFACTNUMBER; it cannot be read: damaged PDF"
    )


def test_the_round_trip_gives_the_same_classifications_and_findings(
    original: Report, imported: Report, exported: tuple[Path, PackagePlan]
) -> None:
    _, plan = exported
    left_out = {item.path for item in plan.left_out}
    before = {d.sha256: d for d in original.documents if d.path not in left_out}
    after = {d.sha256: d for d in imported.documents}
    assert before.keys() == after.keys()

    def reading(d: Document) -> tuple[object, ...]:
        return (
            d.artifact,
            d.subartifact,
            d.level,
            d.country,
            d.site,
            d.status,
            d.expires.date if d.expires else None,
            d.identifying_date.value if d.identifying_date else None,
        )

    for sha256, document in before.items():
        assert reading(after[sha256]) == reading(document), document.path
    assert any(d.status is DocumentStatus.SUPERSEDED for d in after.values())

    def findings(report: Report, skip: set[str]) -> Counter[tuple[object, ...]]:
        return Counter(
            (f.rule, f.kind, f.status, f.level, f.country, f.site, f.artifact)
            for f in report.findings
            if f.path not in skip
        )

    assert findings(imported, set()) == findings(original, left_out)
    assert not [f for f in imported.findings if f.kind in (Kind.INTEGRITY, Kind.METADATA_MISMATCH)]
    expected = {(e.rule, e.status, e.level, e.country, e.site) for e in original.expected}
    assert {(e.rule, e.status, e.level, e.country, e.site) for e in imported.expected} == expected
    # the one finding that did not travel is about the file that was left out
    lost = [f for f in original.findings if f.path in left_out]
    assert [(f.rule, f.kind) for f in lost] == [("BASE-DOC-001", Kind.UNREADABLE)]


def test_the_plan_is_deterministic(original: Report) -> None:
    codes = country_codes(ProfileCatalog.load())
    assert plan_package(original, countries=codes) == plan_package(original, countries=codes)


# ---- the command ---------------------------------------------------------------------------


def test_ems_export_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = build_tree(tmp_path / "tmf")
    before = snapshot(tree)
    out = tmp_path / "out" / "package"
    assert main(["ems", "export", str(tree), "--output", str(out), "--jobs", "0"]) == 0
    text = capsys.readouterr().out
    assert re.fullmatch(
        rf"wrote {re.escape(str(out))}: 4 documents listed in exchange\.xml \(transfer "
        r"20260601-[0-9a-f]{12}\), validated against the EMS schema\n",
        text,
    )
    assert snapshot(tree) == before
    urls = sorted(str(value(o, "FILE/CONTENTURL")) for o in objects(out).values())
    # two files named CV.pdf in one artifact folder: the second gets " (2)"
    assert "05/05.02/05.02.04.Principal Investigator Curriculum Vitae/CV.pdf" in urls
    assert "05/05.02/05.02.04.Principal Investigator Curriculum Vitae/CV (2).pdf" in urls
    assert {str(value(o, "SITEID")) for s, o in objects(out).items() if s in (CV_1, CV_2)} == {
        "KR-001",
        "KR-002",
    }
    assert not list(out.parent.glob(".package.*.tmp"))  # the temporary folder is gone


def test_a_document_left_out_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = build_tree(tmp_path / "tmf")
    write(tree / "KR" / "notes 0042.pdf", pdf_bytes("zzz", "qqq"))
    out = tmp_path / "package"
    assert main(["ems", "export", str(tree), "--output", str(out), "--jobs", "0"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "not exported: KR/notes 0042.pdf: no TMF RM artifact, and an OBJECT needs an ARTIFACTNUMBER"
    ]


@pytest.mark.parametrize("where", ["inside", "not-empty", "no-study"])
def test_the_cli_refuses_what_it_cannot_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    tree = build_tree(tmp_path / "tmf", study=where != "no-study")
    before = snapshot(tree)
    out = tree / "package" if where == "inside" else tmp_path / "package"
    if where == "not-empty":
        write(out / "old.txt", b"keep me")
    assert main(["ems", "export", str(tree), "--output", str(out), "--jobs", "0"]) == 2
    message = capsys.readouterr().err
    assert (
        message
        == {
            "inside": f"etmf: {out}: refusing to write into the scanned folder {tree}; choose an "
            "output folder outside it\n",
            "not-empty": f"etmf: {out}: exists and is not an empty folder; choose a new one\n",
            "no-study": "etmf: an EMS package names its study (STUDYID): give --study FILE or put "
            "etmf.yaml in the folder\n",
        }[where]
    )
    assert snapshot(tree) == before
    if where == "not-empty":
        assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
