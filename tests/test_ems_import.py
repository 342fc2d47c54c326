"""Scanning an EMS package: exchange.xml is evidence, every file's SHA-256 is verified, and a
damaged, malicious or inconsistent package gives exact findings while the scan goes on."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from etmf.ems.countries import country_codes
from etmf.ems.reading import read_package, sha256_of
from etmf.ems.schema import safe_parser, tag
from etmf.ems.writing import export_package
from etmf.formats import json_report
from etmf.model import EvidenceSource, Finding, Kind, Level, Report, Severity
from etmf.scan import ScanOptions, scan
from tests.ems_packages import (
    AS_OF,
    CV_1,
    CV_2,
    GCP,
    PROTOCOL,
    build_tree,
    content_url,
    edit,
    exchange,
    object_of,
    set_value,
)

NOT_USED = "the package's metadata is not used"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package exported from the small TMF; its study file stays outside the package."""
    base = tmp_path_factory.mktemp("ems-import")
    tree = build_tree(base / "tmf")
    package = base / "package"
    export_package(tree, package, options=ScanOptions(jobs=0))
    return package


@pytest.fixture
def package(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "package"
    shutil.copytree(pristine, copy)
    return copy


@pytest.fixture(scope="module")
def study_file(pristine: Path) -> Path:
    return pristine.parent / "tmf" / "etmf.yaml"


def scan_with(package: Path, study_file: Path) -> Report:
    return scan(package, as_of=AS_OF, options=ScanOptions(jobs=0, study_file=study_file))


def of_kind(report: Report, kind: Kind) -> list[Finding]:
    return [f for f in report.findings if f.kind is kind]


def line_of(package: Path, source: str, name: str | None = None) -> int:
    element = object_of(exchange(package), source)
    if name is not None:
        element = next(element.iter(tag(name)))
    line = element.sourceline
    assert isinstance(line, int)
    return line


def object_id(package: Path, source: str) -> str:
    return str(object_of(exchange(package), source).findtext(tag("OBJECTID")))


def test_the_package_metadata_files_each_document(pristine: Path, study_file: Path) -> None:
    report = scan_with(pristine, study_file)
    paths = {d.path: d for d in report.documents}
    assert "exchange.xml" not in paths
    assert len(paths) == 4
    gcp = paths[content_url(pristine, GCP)]
    placed = (gcp.artifact, gcp.level, gcp.country, gcp.site)
    assert placed == ("05.02.07", Level.SITE, "KR", "KR-001")
    assert gcp.confidence == 1.0
    line = line_of(pristine, GCP)
    ident = object_id(pristine, GCP)
    assert gcp.evidence[0].source is EvidenceSource.EXCHANGE
    assert gcp.evidence[0].detail == f"ARTIFACTNUMBER, OBJECT {ident}, exchange.xml line {line}"
    assert [(e.source, e.text) for e in gcp.placement] == [
        (EvidenceSource.EXCHANGE, "site KOR KR-001")
    ]
    assert gcp.exchange is not None
    assert gcp.exchange.verified is True
    assert gcp.exchange.disagreements == ()
    protocol = paths[content_url(pristine, PROTOCOL)]
    assert (protocol.level, protocol.country, protocol.site) == (Level.TRIAL, None, None)
    assert not of_kind(report, Kind.INTEGRITY)
    assert not of_kind(report, Kind.METADATA_MISMATCH)


def test_a_tampered_file_is_an_integrity_finding(package: Path, study_file: Path) -> None:
    url = content_url(package, CV_1)
    declared = hashlib.sha256((package / url).read_bytes()).hexdigest()
    with open(package / url, "ab") as stream:
        stream.write(b"\n% appended after the package was made\n")
    actual = hashlib.sha256((package / url).read_bytes()).hexdigest()
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.rule == "BASE-EMS-001"
    assert finding.severity is Severity.CRITICAL
    assert (finding.level, finding.country, finding.site) == (Level.SITE, "KR", "KR-001")
    assert (finding.path, finding.artifact) == (url, "05.02.04")
    assert finding.message == (
        f"{url}: the file's SHA-256 is {actual}, but exchange.xml declares SHA256-{declared} "
        f"(OBJECT '{object_id(package, CV_1)}', line {line_of(package, CV_1)}); the file changed "
        "after the package was made"
    )


def test_a_missing_file_is_an_integrity_finding(package: Path, study_file: Path) -> None:
    url = content_url(package, CV_2)
    (package / url).unlink()
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert (finding.level, finding.country, finding.site) == (Level.SITE, "KR", "KR-002")
    assert (finding.path, finding.artifact) == (url, "05.02.04")
    assert finding.message == (
        f"{url}: CONTENTURL {url!r} (OBJECT '{object_id(package, CV_2)}', line "
        f"{line_of(package, CV_2, 'FILE')}) is listed in exchange.xml, but the package has no "
        "such file"
    )
    assert finding.evidence[0].detail == f"exchange.xml line {line_of(package, CV_2, 'CONTENTURL')}"


def test_metadata_that_disagrees_with_the_document_is_reported(
    package: Path, study_file: Path
) -> None:
    def change(root: etree._Element) -> None:
        element = object_of(root, GCP)
        set_value(element, "ARTIFACTNUMBER", "05.02.04")
        set_value(element, "SITEID", "KR-002")
        set_value(element, "OBJECTEXPIRYDATE", "01-MAR-2028")

    edit(package, change)
    url = content_url(package, GCP)
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.METADATA_MISMATCH)
    assert (finding.rule, finding.severity) == ("BASE-EMS-002", Severity.MINOR)
    assert (finding.site, finding.artifact, finding.path) == ("KR-002", "05.02.04", url)
    assert finding.message == (
        f"{url}: exchange.xml (OBJECT '{object_id(package, GCP)}', line {line_of(package, GCP)}) "
        "and etmf's reading of the file disagree: artifact 05.02.04 in exchange.xml, 05.02.07 "
        "read; site KR-002 in exchange.xml, KR-001 read; expiry 2028-03-01 in exchange.xml, "
        "2027-03-01 read"
    )
    document = next(d for d in report.documents if d.path == url)
    assert (document.artifact, document.site) == ("05.02.04", "KR-002")  # the package decides


def test_the_package_expiry_counts_when_the_document_states_none(
    package: Path, study_file: Path
) -> None:
    """The CV states no expiry (its 24 months run from its signature date); the package says
    it expired on 1 January 2026, and that is what the expiry rule sees."""
    edit(package, lambda root: set_value(object_of(root, CV_2), "OBJECTEXPIRYDATE", "01-JAN-2026"))
    url = content_url(package, CV_2)
    report = scan_with(package, study_file)
    (finding,) = [f for f in of_kind(report, Kind.EXPIRED) if f.path == url]
    assert finding.rule == "BASE-EXP-001"
    what = "Principal Investigator Curriculum Vitae"
    assert finding.message == f"{url}: {what} expired on 2026-01-01"
    assert finding.evidence[0].text == (
        "the document states 'OBJECTEXPIRYDATE 01-JAN-2026 in exchange.xml'"
    )
    assert not of_kind(report, Kind.METADATA_MISMATCH)


def test_broken_xml_is_reported_and_the_scan_goes_on(package: Path, study_file: Path) -> None:
    text = (package / "exchange.xml").read_text("utf-8")
    broken = text.replace("</FILENAME>", "</FILENAM>", 1)
    (package / "exchange.xml").write_text(broken, encoding="utf-8")
    line = next(n for n, row in enumerate(broken.splitlines(), 1) if "</FILENAM>" in row)
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert (finding.path, finding.level) == ("exchange.xml", Level.TRIAL)
    assert finding.message.startswith(
        f"exchange.xml line {line}: not well-formed XML: Opening and ending tag mismatch: "
        f"FILENAME line {line} and FILENAM"
    )
    assert finding.message.endswith(f"; {NOT_USED}")
    assert len(report.documents) == 4
    assert all(d.exchange is None for d in report.documents)


def test_an_external_entity_is_refused_and_never_read(
    package: Path, study_file: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-3f9a1c-never-read", encoding="utf-8")
    text = (package / "exchange.xml").read_text("utf-8")
    hostile = text.replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE BATCH [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
    ).replace("<OBJECTTITLE>", "<OBJECTTITLE>&xxe;", 1)
    (package / "exchange.xml").write_text(hostile, encoding="utf-8")
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message == (
        "exchange.xml line 2: a DOCTYPE is not allowed in an EMS exchange file (DTDs and "
        f"entity declarations are refused); {NOT_USED}"
    )
    assert "TOKEN-3f9a1c" not in json_report.render(report)
    # and the parser itself would not have read it either
    parsed = etree.fromstring(hostile.encode("utf-8"), safe_parser())
    assert "TOKEN-3f9a1c" not in etree.tostring(parsed, encoding="unicode")


def test_a_billion_laughs_is_refused(package: Path, study_file: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?>\n<!DOCTYPE BATCH [{entities}]>\n'
        '<BATCH xmlns="https://tmfrefmodel.com/ems">&lol9;</BATCH>\n'
    )
    (package / "exchange.xml").write_text(bomb, encoding="utf-8")
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message.startswith("exchange.xml line 2: a DOCTYPE is not allowed")
    # the parser on its own neither expands it (libxml2 may also refuse it outright)
    try:
        size = len(etree.tostring(etree.fromstring(bomb.encode("utf-8"), safe_parser())))
    except etree.XMLSyntaxError:
        size = 0
    assert size < 1000


def test_an_unknown_element_sets_only_its_object_aside(package: Path, study_file: Path) -> None:
    def change(root: etree._Element) -> None:
        element = object_of(root, CV_1)
        foo = etree.Element(tag("FOO"))
        foo.text = "bar"
        element.find(tag("OBJECTID")).addnext(foo)

    edit(package, change)
    line = line_of(package, CV_1)
    foo_line = line_of(package, CV_1, "FOO")
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert (finding.path, finding.level) == ("exchange.xml", Level.TRIAL)
    assert finding.message == (
        f"exchange.xml line {line}: OBJECT '{object_id(package, CV_1)}' is not used: Element "
        f"'FOO': This element is not expected. Expected is ( OBJECTLEVEL ). (line {foo_line})"
    )
    by_path = {d.path: d for d in report.documents}
    assert by_path[content_url(package, CV_1)].exchange is None  # read like any file
    assert by_path[content_url(package, GCP)].exchange is not None  # the others are used


def test_an_unknown_country_sets_its_object_aside(package: Path, study_file: Path) -> None:
    edit(package, lambda root: set_value(object_of(root, CV_2), "COUNTRYID", "XXX"))
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message == (
        f"exchange.xml line {line_of(package, CV_2)}: OBJECT '{object_id(package, CV_2)}' is "
        f"not used: COUNTRYID 'XXX' (line {line_of(package, CV_2, 'COUNTRYID')}) is not an "
        "ISO 3166 alpha-3 country code"
    )


def test_a_content_url_outside_the_package_is_refused(package: Path, study_file: Path) -> None:
    def change(root: etree._Element) -> None:
        file = object_of(root, CV_2).find(tag("FILE"))
        assert file is not None
        set_value(file, "CONTENTURL", "../tmf/etmf.yaml")

    edit(package, change)
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message == (
        f"exchange.xml: CONTENTURL '../tmf/etmf.yaml' (OBJECT '{object_id(package, CV_2)}', "
        f"line {line_of(package, CV_2, 'FILE')}) is not a relative path inside the package"
    )


def test_a_superseded_state_and_a_subresource_integrity_digest_are_honoured(
    package: Path, study_file: Path
) -> None:
    url = content_url(package, CV_2)
    digest = hashlib.sha256((package / url).read_bytes()).digest()

    def change(root: etree._Element) -> None:
        element = object_of(root, CV_2)
        set_value(element, "OBJECTVERSIONSTATE", "Superseded")
        file = element.find(tag("FILE"))
        assert file is not None
        set_value(file, "INTEGRITY", "sha256-" + base64.b64encode(digest).decode("ascii"))

    edit(package, change)
    report = scan_with(package, study_file)
    document = next(d for d in report.documents if d.path == url)
    assert document.status.value == "superseded"
    assert document.exchange is not None
    assert document.exchange.verified is True
    assert not of_kind(report, Kind.INTEGRITY)


def test_an_oversized_exchange_file_is_refused(pristine: Path) -> None:
    found = read_package(pristine, countries=country_codes(), max_bytes=100)
    assert found is not None
    size = (pristine / "exchange.xml").stat().st_size
    (problem,) = found.problems
    assert problem.message == (
        f"exchange.xml is {size / 1024:.1f} KB, over the 100 bytes limit; {NOT_USED}"
    )
    assert found.records == {}


def test_integrity_values() -> None:
    digest = hashlib.sha256(b"x").digest()
    assert sha256_of("SHA256-" + digest.hex().upper()) == digest.hex()
    assert sha256_of("sha256-" + base64.b64encode(digest).decode()) == digest.hex()
    assert sha256_of("SHA256-81788ba0d7d02d81c063dbca621ba11b") is None  # the example's
    assert sha256_of("md5-" + hashlib.md5(b"x").hexdigest()) is None


def test_the_report_json_carries_the_exchange_note(pristine: Path, study_file: Path) -> None:
    data = json.loads(json_report.render(scan_with(pristine, study_file)))
    note = next(d["exchange"] for d in data["documents"] if d["path"].endswith("CV.pdf"))
    assert note["verified"] is True
    assert note["integrity"].startswith("SHA256-")


def test_a_batch_without_its_study_id_is_reported_and_its_objects_used(
    package: Path, study_file: Path
) -> None:
    edit(package, lambda root: root.attrib.pop("STUDYID"))
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message == (
        "exchange.xml line 2: Element 'BATCH': The attribute 'STUDYID' is required but missing."
    )
    assert all(d.exchange is not None for d in report.documents)


def test_a_root_outside_the_ems_namespace_is_refused(package: Path, study_file: Path) -> None:
    text = (package / "exchange.xml").read_text("utf-8")
    (package / "exchange.xml").write_text(
        text.replace(' xmlns="https://tmfrefmodel.com/ems"', "", 1), encoding="utf-8"
    )
    report = scan_with(package, study_file)
    (finding,) = of_kind(report, Kind.INTEGRITY)
    assert finding.message == (
        "exchange.xml line 2: the root element is BATCH, not BATCH in the EMS namespace "
        f"https://tmfrefmodel.com/ems; {NOT_USED}"
    )
    assert all(d.exchange is None for d in report.documents)
