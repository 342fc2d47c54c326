"""Scan history, ``etmf history``, ``etmf diff`` and ``etmf scan --since-last``, on three scans
of a real TMF with known changes between them:

1. as of 2026-01-01: the insurance certificate expires within 60 days (expiring) and the
   TW-001 delegation log is missing;
2. the delegation log is filed and the TFDA approval letter removed: one missing finding
   resolved, another new;
3. as of 2026-03-01 the certificate has expired (expiring resolved, expired new), and the study
   waives the TW-001 training record (waived since).
"""

from __future__ import annotations

import io
import json
import sqlite3
import threading
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from etmf import history
from etmf.cli import main
from etmf.errors import UsageError
from etmf.formats import history as history_format
from etmf.formats import json_report
from etmf.history import ProfileVersion, RecordedFinding
from etmf.model import FindingStatus, Kind, Severity
from etmf.profiles import ProfileCatalog
from fixtures.documents import docx_bytes, pdf_bytes, write

STUDY = """\
study:
  id: H-1
  milestones: {"01": 2025-01-05, "02": 2025-02-01}
countries:
  - code: TW
    milestones: {"01": 2025-01-20}
sites:
  - id: TW-001
    country: TW
    name: National Taiwan University Hospital
    pi: Chen Wei-Lin
    milestones: {"03": 2025-06-01}
"""
WAIVER = """\
rules:
  waive:
    - rule: BASE-REQ-018
      scope: {site: TW-001}
      reason: Training is filed centrally
      approved_by: QA lead
"""
APPROVAL = "TW/TFDA approval letter.pdf"
DELEGATION_LOG = "TW/TW-001 NTUH/Delegation log.docx"


def build_tmf(root: Path) -> Path:
    write(root / "Protocol v1.pdf", pdf_bytes("Clinical Study Protocol", "Protocol number H-1"))
    write(root / APPROVAL, pdf_bytes("TFDA Approval Letter", "H-1"))
    write(
        root / "Insurance certificate.pdf",
        pdf_bytes(
            "Certificate of Insurance",
            "Clinical trial insurance for H-1\nValid until 15 February 2026",
        ),
    )
    write(
        root / "TW/TW-001 NTUH/CV Chen Wei-Lin.pdf",
        pdf_bytes("Curriculum Vitae", "Chen Wei-Lin, Principal Investigator"),
    )
    (root / "etmf.yaml").write_text(STUDY, "utf-8")
    return root


def file_delegation_log_and_remove_approval(root: Path) -> None:
    write(
        root / DELEGATION_LOG,
        docx_bytes(
            "Site Signature and Delegation Log",
            "Electronically signed by Chen Wei-Lin on 1 June 2025",
            table=[["Name", "Role"], ["Chen", "PI"]],
        ),
    )
    (root / APPROVAL).unlink()


def waive_training(root: Path) -> None:
    (root / "etmf.yaml").write_text(STUDY + WAIVER, "utf-8")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def scan(root: Path, database: Path, as_of: str, *extra: str) -> tuple[int, str, str]:
    return cli(
        "scan", str(root), "--history", str(database), "--as-of", as_of, "--jobs", "0", *extra
    )


@dataclass(frozen=True)
class Scans:
    root: Path
    database: Path
    reports: tuple[Path, ...]
    since_last: str


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Scans:
    base = tmp_path_factory.mktemp("history")
    root = build_tmf(base / "tmf")
    database = base / "records" / "history.db"
    reports = tuple(base / f"report-{n}.json" for n in (1, 2, 3))
    first = scan(root, database, "2026-01-01", "--format", "json", "--output", str(reports[0]))
    file_delegation_log_and_remove_approval(root)
    second = scan(root, database, "2026-01-01", "--format", "json", "--output", str(reports[1]))
    waive_training(root)
    code, since_last, err = scan(root, database, "2026-03-01", "--since-last")
    third = scan(root, database, "2026-03-01", "--format", "json", "--output", str(reports[2]))
    assert [first[0], second[0], code] == [1, 1, 1], err
    assert third[0] == 1
    # Scan 4 repeats scan 3 (nothing changed) to keep its JSON report.
    return Scans(root=root, database=database, reports=reports, since_last=since_last)


def report_ids(path: Path, **where: Any) -> set[str]:
    report = json_report.parse(path.read_text("utf-8"))
    return {
        f.id
        for f in report.findings
        if all(getattr(f, key) == value for key, value in where.items())
    }


def ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in findings}


def one(findings: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(findings) == 1, findings
    return findings[0]


# ---- etmf history --------------------------------------------------------------------------------


def test_history_lists_every_scan_with_its_completeness(three: Scans) -> None:
    code, out, _ = cli("history", "--history", str(three.database), "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["history_schema"] == history.HISTORY_SCHEMA
    scans = payload["scans"]
    assert [s["number"] for s in scans] == [1, 2, 3, 4]
    assert [s["as_of"] for s in scans] == ["2026-01-01", "2026-01-01", "2026-03-01", "2026-03-01"]
    assert {s["study"] for s in scans} == {"H-1"}
    assert {s["folder"] for s in scans} == {str(three.root.resolve())}
    for scan_entry, report_path in zip([scans[0], scans[1], scans[3]], three.reports, strict=True):
        summary = json.loads(report_path.read_text("utf-8"))["summary"]
        for key in ("documents", "present", "missing", "completeness", "open_findings"):
            assert scan_entry[key] == summary[key], key
        assert scan_entry["by_kind"] == summary["by_kind"]
        assert scan_entry["by_severity"] == summary["by_severity"]
    assert scans[0]["documents"] == 4
    assert scans[1]["documents"] == 4
    assert scans[2]["waived_findings"] == 1
    assert scans[0]["waived_findings"] == 0
    catalog = ProfileCatalog.load()
    assert {p["id"]: p["version"] for p in scans[0]["profiles"]} == {
        "base": catalog.resolve("base").version,
        "TW": catalog.resolve("TW").version,
    }
    assert scans[0]["tool_version"] == json.loads(three.reports[0].read_text())["tool"]["version"]
    datetime.fromisoformat(scans[0]["scanned_at"])

    code, text, _ = cli("history", "--history", str(three.database))
    assert code == 0
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["scan", "scanned"]
    assert len(lines) == 5
    row = lines[1].split()
    assert row[0] == "#1"
    assert "2026-01-01" in row
    assert "H-1" in row
    first = scans[0]
    assert f"{first['present']}/{first['present'] + first['missing']}" in row
    assert f"{first['completeness']:.1%}" in row


def test_history_filters_by_study(three: Scans) -> None:
    code, out, _ = cli("history", "--history", str(three.database), "--study", "OTHER")
    assert (code, out) == (0, "No scans recorded.\n")


# ---- etmf diff -----------------------------------------------------------------------------------


def test_diff_of_a_filed_and_a_removed_document(three: Scans) -> None:
    code, out, _ = cli("diff", "1", "2", "--history", str(three.database), "--format", "json")
    changes = json.loads(out)
    assert (changes["before"]["number"], changes["after"]["number"]) == (1, 2)
    resolved = one(changes["resolved"])
    assert (resolved["kind"], resolved["artifact"], resolved["site"]) == (
        "missing",
        "05.02.18",
        "TW-001",
    )
    new = one(changes["new"])
    assert (new["kind"], new["artifact"], new["country"], new["level"]) == (
        "missing",
        "03.01.02",
        "TW",
        "country",
    )
    assert changes["waived"] == []
    assert ids(changes["still_open"]) == report_ids(three.reports[0], status=FindingStatus.OPEN) - {
        resolved["id"]
    }
    # The approval letter is a critical record: exit 1 even with --fail-on critical.
    assert (new["rule"], new["severity"]) == ("BASE-REQ-008", "critical")
    assert code == 1
    fail_on_critical = ("--history", str(three.database), "--fail-on", "critical")
    assert cli("diff", "1", "2", *fail_on_critical)[0] == 1
    # From scan 2 to 3 the new finding (an expired certificate) is only major.
    assert cli("diff", "2", "3", *fail_on_critical)[0] == 0


def test_diff_defaults_to_the_last_two_scans(three: Scans) -> None:
    database = str(three.database)
    default = cli("diff", "--history", database, "--format", "json")
    assert default == cli("diff", "previous", "latest", "--history", database, "--format", "json")
    assert default == cli("diff", "3", "4", "--history", database, "--format", "json")
    changes = json.loads(default[1])
    assert (changes["new"], changes["resolved"], changes["waived"]) == ([], [], [])
    assert default[0] == 0
    assert "No new or resolved findings." in cli("diff", "--history", database)[1]


def test_diff_when_a_document_expires_and_a_finding_is_waived(three: Scans) -> None:
    code, out, _ = cli("diff", "2", "3", "--history", str(three.database), "--format", "json")
    changes = json.loads(out)
    new, resolved, waived = one(changes["new"]), one(changes["resolved"]), one(changes["waived"])
    assert (new["kind"], new["path"]) == ("expired", "Insurance certificate.pdf")
    assert (resolved["kind"], resolved["path"]) == ("expiring", "Insurance certificate.pdf")
    assert (waived["rule"], waived["site"], waived["status"]) == (
        "BASE-REQ-018",
        "TW-001",
        "waived",
    )
    assert code == 1  # an expired insurance certificate is a major finding

    code, text, _ = cli("diff", "2", "3", "--history", str(three.database))
    assert code == 1
    assert "Scan #2 (" in text
    assert "-> #3 (" in text
    assert "as of 2026-03-01" in text
    assert text.index("New (1)") < text.index("Resolved (1)") < text.index("Waived since (1)")
    assert text.index("Waived since (1)") < text.index("Still open (")
    assert "Insurance certificate.pdf" in text
    assert new["id"] in text
    assert text.rstrip().endswith(
        f"1 new, 1 resolved, 1 waived, {len(changes['still_open'])} still open"
    )


def test_diff_text_says_when_etmf_or_a_profile_changed(three: Scans) -> None:
    result = history.diff(three.database, 2, 3)
    assert "Changed:" not in history_format.diff_text(result)
    after = result.after.model_copy(
        update={
            "tool_version": "9.9.9",
            "profiles": (
                ProfileVersion(id="TW", version="2099.01"),
                ProfileVersion(id="base", version=result.after.profiles[1].version),
                ProfileVersion(id="JP", version="2026.11"),
            ),
        }
    )
    assert [p.id for p in result.after.profiles] == ["TW", "base"]
    text = history_format.diff_text(result.model_copy(update={"after": after}))
    tw = result.after.profiles[0].version
    assert (
        f"Changed: etmf {result.after.tool_version} -> 9.9.9; profile TW {tw} -> 2099.01; "
        "profiles added: JP\n" in text
    )


def test_diff_across_three_scans_through_the_library(three: Scans) -> None:
    database = three.database
    records = history.scans(database)
    assert [r.number for r in records] == [1, 2, 3, 4]
    assert history.previous(database, records[0]) is None
    assert history.previous(database, records[2]) == records[1]
    assert history.pick(database, "latest") == records[3]
    assert history.pick(database, "previous") == records[2]
    assert history.pick(database, "previous", relative_to=records[1]) == records[0]
    assert history.pick(database, "#2") == records[1]

    findings = history.load_findings(database, 1)
    assert {f.id for f in findings} == report_ids(three.reports[0])
    assert all(isinstance(f.kind, Kind) and isinstance(f.severity, Severity) for f in findings)

    overall = history.diff(database, 1, 3)
    kinds = sorted((f.kind.value, f.artifact or "") for f in overall.new)
    assert kinds == [("expired", "02.01.06"), ("missing", "03.01.02")]
    assert sorted((f.kind.value, f.artifact or "") for f in overall.resolved) == [
        ("expiring", "02.01.06"),
        ("missing", "05.02.18"),
    ]
    assert [f.rule for f in overall.waived] == ["BASE-REQ-018"]
    with pytest.raises(ValidationError, match="frozen"):
        overall.new[0].message = "changed"  # type: ignore[misc]

    first = history.diff(database, None, 1)
    assert first.before is None
    assert {f.id for f in first.new} == report_ids(three.reports[0], status=FindingStatus.OPEN)


def test_trend_points_of_a_study(three: Scans) -> None:
    points = history.trend(three.database, study="H-1")
    records = history.scans(three.database)
    assert [(p.scanned_at, p.as_of, p.completeness, p.open_findings) for p in points] == [
        (r.scanned_at, r.as_of, r.completeness, r.open_findings) for r in records
    ]
    assert points[0].completeness is not None
    assert points[0].scanned_at.tzinfo is not None
    assert history.trend(three.database, study="OTHER") == ()


def test_diff_names_what_it_cannot_compare(three: Scans, tmp_path: Path) -> None:
    code, _, err = cli("diff", "9", "--history", str(three.database))
    assert code == 2
    assert "no scan #9" in err
    code, _, err = cli("diff", "yesterday", "--history", str(three.database))
    assert code == 2
    assert "latest or previous" in err
    code, _, err = cli("diff", "--history", str(tmp_path / "none.db"))
    assert code == 2
    assert "no history recorded yet" in err
    assert not (tmp_path / "none.db").exists()


# ---- etmf scan --since-last ----------------------------------------------------------------------


def test_since_last_prints_only_what_changed(three: Scans) -> None:
    text = three.since_last
    assert "-> #3 (" in text
    assert "New (1)" in text
    assert "expired" in text
    assert "Resolved (1)" in text
    assert "Waived since (1)" in text
    assert "Still open (" not in text
    still_open = history.diff(three.database, 2, 3).still_open
    assert still_open
    assert all(f.message not in text for f in still_open)
    assert text.rstrip().endswith(f"{len(still_open)} still open")
    assert '"findings"' not in text
    assert "documents (" not in text


def test_since_last_on_a_new_history_and_with_a_report_file(tmp_path: Path) -> None:
    root = build_tmf(tmp_path / "tmf")
    database = tmp_path / "new.db"
    code, out, _ = scan(root, database, "2026-01-01", "--since-last", "--format", "json")
    assert code == 1
    changes = json.loads(out)
    assert changes["before"] is None
    assert len(changes["new"]) == changes["after"]["open_findings"] > 0

    # With --output the full report goes to the file and the changes are printed as text.
    report = tmp_path / "report.json"
    code, out, _ = scan(
        root, database, "2026-01-01", "--since-last", "--format", "json", "--output", str(report)
    )
    assert code == 1
    assert out.startswith("Scan #1 (")
    assert "No new or resolved findings." in out
    assert json_report.parse(report.read_text("utf-8")).summary.open_findings == len(changes["new"])
    assert [r.number for r in history.scans(database)] == [1, 2]


def test_previous_means_the_same_folder_and_study(three: Scans, tmp_path: Path) -> None:
    database = tmp_path / "history.db"
    database.write_bytes(three.database.read_bytes())
    copy = build_tmf(tmp_path / "copy of the tmf")
    code, out, _ = scan(copy, database, "2026-03-01", "--since-last")
    assert code == 1
    assert "is the first of its folder and study: every open finding is new" in out
    latest = history.pick(database, "latest")
    assert latest.number == 5
    assert history.previous(database, latest) is None
    assert history.previous(database, history.scan_record(database, 4)) is not None
    code, _, err = cli("diff", "--history", str(database))
    assert code == 2
    assert "scan #5 is the first of its folder and study" in err
    # Scans named by number compare across folders: the copy lacks the delegation log and
    # the waiver, and holds the approval letter.
    code, out, _ = cli("diff", "4", "5", "--history", str(database), "--format", "json")
    assert code == 1
    changes = json.loads(out)
    assert {(f["rule"], f["artifact"]) for f in changes["new"]} == {
        ("BASE-REQ-016", "05.02.18"),
        ("BASE-REQ-018", "05.03.03"),
    }
    assert {(f["kind"], f["artifact"]) for f in changes["resolved"]} == {("missing", "03.01.02")}
    assert [r.number for r in history.scans(database, folder=copy)] == [5]


def test_since_last_needs_history(tmp_path: Path) -> None:
    root = build_tmf(tmp_path / "tmf")
    code, out, err = cli("scan", str(root), "--since-last", "--jobs", "0")
    assert (code, out) == (2, "")
    assert "--since-last needs --history" in err


# ---- where the history lives, and damaged files --------------------------------------------------


def test_history_inside_the_scanned_folder_is_refused(tmp_path: Path) -> None:
    root = build_tmf(tmp_path / "tmf")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for inside in (root / "history.db", root / "TW" / "h.db"):
        code, out, err = cli("scan", str(root), "--history", str(inside), "--jobs", "0")
        assert (code, out) == (2, "")
        assert "refusing to keep the history inside the scanned folder" in err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    report = json_report.parse(
        cli("scan", str(root), "--format", "json", "--jobs", "0", "--as-of", "2026-01-01")[1]
    )
    with pytest.raises(UsageError, match="inside the scanned folder"):
        history.record(root / "h.db", report, folder=root, scanned_at=datetime.now(UTC))
    assert not (root / "h.db").exists()


def damaged(path: Path, problem: str) -> None:
    if problem == "garbage":
        path.write_bytes(b"these are the minutes of a meeting, not a database\n" * 200)
    elif problem == "other sqlite":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE invoices (number INTEGER)")
    elif problem == "newer schema":
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA user_version = 99")
    elif problem == "damaged pages":
        size = path.stat().st_size
        with path.open("r+b") as stream:
            stream.seek(size // 2)
            stream.write(b"\xa5" * (size // 4))


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("garbage", "damaged or not an etmf history"),
        ("other sqlite", "not an etmf history"),
        ("newer schema", "newer etmf"),
        ("damaged pages", "damaged"),
    ],
)
def test_a_damaged_history_is_reported_and_left_as_it_is(
    three: Scans, tmp_path: Path, problem: str, message: str
) -> None:
    database = tmp_path / "history.db"
    if problem in ("newer schema", "damaged pages"):
        database.write_bytes(three.database.read_bytes())
    damaged(database, problem)
    content = database.read_bytes()

    code, out, err = scan(three.root, database, "2026-03-01")
    assert (code, out) == (2, "")
    assert str(database) in err
    assert message in err
    assert "never rebuilds" in err or problem in ("other sqlite", "newer schema")
    for command in (["history"], ["diff"], ["diff", "1", "2"]):
        code, out, err = cli(*command, "--history", str(database))
        assert (code, out) == (2, ""), (problem, command)
        assert str(database) in err
    assert database.read_bytes() == content


def test_two_scans_recording_at_once_both_land(three: Scans, tmp_path: Path) -> None:
    report = json_report.parse(three.reports[0].read_text("utf-8"))
    database = tmp_path / "shared.db"
    errors: list[BaseException] = []

    def record_five(hour: int) -> None:
        try:
            for minute in range(5):
                moment = datetime(2026, 1, 1, hour, minute, tzinfo=UTC)
                history.record(database, report, folder=three.root, scanned_at=moment)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=record_five, args=(hour,)) for hour in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    records = history.scans(database)
    assert sorted(r.number for r in records) == list(range(1, 11))
    for record in records:
        assert len(history.load_findings(database, record.number)) == len(report.findings)


# ---- the comparison itself -----------------------------------------------------------------------


def finding(identifier: str, status: FindingStatus = FindingStatus.OPEN) -> RecordedFinding:
    return RecordedFinding(
        id=identifier,
        rule="BASE-REQ-001",
        kind=Kind.MISSING,
        severity=Severity.MAJOR,
        status=status,
        message=f"finding {identifier}",
    )


def test_compare_matches_findings_by_id() -> None:
    waived, lapsed = FindingStatus.WAIVED, FindingStatus.OPEN
    before = [finding("a"), finding("b"), finding("c"), finding("w", waived), finding("x")]
    after = [finding("b"), finding("c", waived), finding("w", lapsed), finding("n")]
    new, resolved, now_waived, still_open = history.compare(before, after)
    assert [f.id for f in new] == ["w", "n"]  # a lapsed waiver makes the finding new again
    assert [f.id for f in resolved] == ["a", "x"]
    assert [(f.id, f.status) for f in now_waived] == [("c", waived)]
    assert [f.id for f in still_open] == ["b"]
    assert history.compare(after, after)[:3] == ((), (), ())


def test_a_scan_time_without_a_time_zone_is_refused(three: Scans, tmp_path: Path) -> None:
    report = json_report.parse(three.reports[0].read_text("utf-8"))
    with pytest.raises(UsageError, match="time zone"):
        history.record(
            tmp_path / "h.db", report, folder=three.root, scanned_at=datetime(2026, 1, 1)
        )
    assert report.as_of == date(2026, 1, 1)


def test_the_html_report_draws_the_trend_of_the_recorded_scans(
    three: Scans, tmp_path: Path
) -> None:
    """``etmf report --history`` draws the scans kept so far; ``etmf scan --history`` draws
    them and the scan being written, which is recorded only after its report."""
    recorded = len(history.trend(three.database, study="H-1"))
    saved = tmp_path / "saved.html"
    assert (
        cli(
            "report",
            str(three.reports[2]),
            "--history",
            str(three.database),
            "--output",
            str(saved),
        )[0]
        == 1
    )
    assert f"The {recorded} scans" in saved.read_text("utf-8")
    copy = tmp_path / "copy.db"
    copy.write_bytes(three.database.read_bytes())
    live = tmp_path / "live.html"
    assert scan(three.root, copy, "2026-03-01", "--output", str(live))[0] == 1
    assert f"The {recorded + 1} scans" in live.read_text("utf-8")
    plain = tmp_path / "plain.html"
    assert cli("report", str(three.reports[2]), "--output", str(plain))[0] == 1
    assert "No scan history is recorded" in plain.read_text("utf-8")
