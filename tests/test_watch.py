"""``etmf watch``: real files, real watchdog observers (inotify and polling), short quiet periods.

Every wait has a deadline on a condition; the only fixed waits are the short ones that check
that nothing *more* happens after a change.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

import pytest

from etmf.debounce import Debouncer, is_ignored
from etmf.formats import json_report
from etmf.formats.json_incremental import IncrementalJson
from etmf.inventory import is_temporary
from etmf.model import Finding, Kind
from etmf.observe import make_observer
from etmf.scan import ScanOptions, scan
from etmf.watch import Change, ChangeKind, Watcher, WatchOptions
from fixtures.documents import pdf_bytes, write
from tests.test_scan_report import STUDY_YAML, build_tree

AS_OF = date(2026, 1, 1)
QUIET = 0.2
IB = "Investigators Brochure.pdf"


def ib_bytes() -> bytes:
    return pdf_bytes("Investigator's Brochure", "Edition 3 for study S-1")


def is_missing_ib(finding: Finding) -> bool:
    return finding.kind is Kind.MISSING and finding.artifact == "02.01.01" and not finding.site


class NoEvents:
    """An observer that misses everything: only the reconciliation walk sees changes."""

    def schedule(self, event_handler: Any, path: str, **options: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def make_watcher(
    root: Path, *, poll: bool = False, quiet: float = QUIET, source: Any = None, **options: Any
) -> Watcher:
    return Watcher(
        root,
        source=source or make_observer(poll=poll, interval=0.1),
        default_as_of=AS_OF,
        scan_options=ScanOptions(jobs=0),
        options=WatchOptions(quiet_seconds=quiet, tick_seconds=0.05, **options),
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build_tree(tmp_path / "tmf")


def wait_for(
    watcher: Watcher, done: Callable[[list[Change]], bool], *, timeout: float = 15.0
) -> list[Change]:
    changes: list[Change] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        change = watcher.poll()
        if change is not None:
            changes.append(change)
        if done(changes):
            return changes
        time.sleep(0.02)
    raise AssertionError(f"no such change within {timeout} s; got {changes}")


def quiet_for(watcher: Watcher, seconds: float) -> list[Change]:
    """Whatever the watcher still reports during ``seconds`` (expected: nothing)."""
    changes = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        change = watcher.poll()
        if change is not None:
            changes.append(change)
        time.sleep(0.02)
    return changes


def put(path: Path, data: bytes | str) -> None:
    """Write a file in one step (a hidden temporary file renamed over it), for tests about
    something else than files seen half written."""
    temporary = path.with_name(f".{path.name}.new")
    if isinstance(data, str):
        temporary.write_text(data, "utf-8")
    else:
        temporary.write_bytes(data)
    os.replace(temporary, path)


def paths(watcher: Watcher) -> set[str]:
    return {d.path for d in watcher.report.documents}


def readable(watcher: Watcher, path: str) -> bool:
    return any(d.path == path and d.readable for d in watcher.report.documents)


def reread(changes: list[Change]) -> set[str]:
    return {path for change in changes for path in change.reread}


def ids(groups: Iterable[tuple[Finding, ...]]) -> set[str]:
    return {finding.id for group in groups for finding in group}


# ---- the debouncer, on a clock of its own ---------------------------------------------------


def test_a_path_settles_after_a_quiet_period_with_the_same_stat_at_two_ticks() -> None:
    stats: dict[str, tuple[int, int] | None] = {"a": (1, 1)}
    debouncer = Debouncer(1.0, stat=lambda path: stats.get(path))
    debouncer.touch("a", 0.0)
    assert debouncer.settled(0.5) is None  # first look
    assert debouncer.settled(0.9) is None  # stat unchanged, but not quiet yet
    debouncer.touch("a", 1.0)  # another event restarts the quiet period
    assert debouncer.settled(1.5) is None
    stats["a"] = (2, 2)  # written meanwhile, without an event reaching us
    assert debouncer.settled(2.1) is None
    assert debouncer.settled(2.5) is None
    settled = debouncer.settled(3.2)
    assert settled is not None
    assert settled.paths == ("a",)
    assert settled.first_event == 0.0
    assert len(debouncer) == 0
    debouncer.touch("gone", 4.0)  # deleted: settles as a missing path
    assert debouncer.settled(4.1) is None
    assert debouncer.settled(5.1) == type(settled)(("gone",), 4.0)


@pytest.mark.parametrize(
    ("relpath", "ignored"),
    [
        ("TW/~$Delegation log.docx", True),
        ("TW/.~lock.Delegation log.docx#", True),
        ("~WRL0001.tmp", True),
        ("Downloads/IB.pdf.part", True),
        ("IB.pdf.crdownload", True),
        (".git/index", True),
        ("TW/Thumbs.db", True),
        ("TW/TW-001/IB.pdf", False),
        ("TW/~draft/IB.pdf", False),
        ("tmp/IB.pdf", False),
    ],
)
def test_temporary_and_lock_files_are_not_documents(relpath: str, ignored: bool) -> None:
    assert is_ignored(relpath) is ignored
    assert is_temporary("IB.PDF.PART")


# ---- events ----------------------------------------------------------------------------------


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
def test_create_modify_rename_and_delete(tree: Path, poll: bool) -> None:
    with make_watcher(tree, poll=poll) as watcher:
        initial = watcher.initial
        assert initial is not None
        assert initial.kind is ChangeKind.SCAN
        assert len(initial.reread) == 4
        missing_ib = [f for f in watcher.report.findings if is_missing_ib(f)]
        assert len(missing_ib) == 1
        assert missing_ib[0] in initial.appeared

        # Each step waits for the state it expects; a busy machine may split a step in two
        # batches (a file seen half written is read again), so the changes are added up.
        # create: the missing record is dropped in, and its finding is resolved
        write(tree / IB, ib_bytes())
        changes = wait_for(watcher, lambda c: readable(watcher, IB))
        assert {c.kind for c in changes} == {ChangeKind.FILES}
        assert reread(changes) == {IB}
        assert missing_ib[0].id in ids(c.resolved for c in changes)
        assert not [f for f in watcher.report.findings if is_missing_ib(f)]

        # modify: the damaged file is replaced by a readable one
        damaged = "TW/TW-001 NTUH/IRB scan.pdf"
        write(tree / damaged, pdf_bytes("IRB Approval Letter", "Study S-1 approved"))
        changes = wait_for(watcher, lambda c: readable(watcher, damaged))
        assert reread(changes) == {damaged}
        assert Kind.UNREADABLE in {f.kind for c in changes for f in c.resolved}

        # rename a file: old path gone, new path present
        (tree / "Protocol v1.pdf").rename(tree / "Protocol v2.pdf")
        changes = wait_for(watcher, lambda c: "Protocol v1.pdf" not in paths(watcher))
        changes += wait_for(watcher, lambda c: readable(watcher, "Protocol v2.pdf"))
        assert reread(changes) == {"Protocol v2.pdf"}
        assert {p for c in changes for p in c.removed} == {"Protocol v1.pdf"}

        # rename a folder: every document in it moves
        (tree / "TW/TW-001 NTUH").rename(tree / "TW/TW-001 Taipei")
        moved = {"TW/TW-001 Taipei/IRB scan.pdf", "TW/TW-001 Taipei/Delegation log.docx"}
        wait_for(watcher, lambda c: moved <= paths(watcher))
        wait_for(watcher, lambda c: not any("NTUH" in p for p in paths(watcher)))
        assert len(paths(watcher)) == 5

        # delete: the missing finding comes back, with the same id
        (tree / IB).unlink()
        [deleted] = wait_for(watcher, lambda c: bool(c))
        assert deleted.removed == (IB,)
        assert deleted.reread == ()
        assert [f.id for f in deleted.appeared] == [missing_ib[0].id]
        assert quiet_for(watcher, 3 * QUIET) == []


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "polling"])
def test_a_file_written_in_chunks_is_read_once_and_temporary_files_never(
    tree: Path, poll: bool
) -> None:
    quiet = 0.6  # far above the pauses, so a busy machine cannot stretch one past it
    with make_watcher(tree, poll=poll, quiet=quiet) as watcher:
        write(tree / "~$Protocol v1.docx", b"owner lock")
        write(tree / "TW/.~lock.Delegation log.docx#", b"lock")
        write(tree / "draft.tmp", b"temporary")
        write(tree / "IB.pdf.crdownload", ib_bytes()[:100])
        data = ib_bytes()
        chunks = [data[i : i + len(data) // 5 + 1] for i in range(0, len(data), len(data) // 5 + 1)]
        with open(tree / IB, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                handle.flush()
                time.sleep(0.1)
        changes = wait_for(watcher, lambda c: bool(c))
        changes += quiet_for(watcher, quiet + 0.5)
        assert [c.reread for c in changes] == [(IB,)]
        document = next(d for d in watcher.report.documents if d.path == IB)
        assert document.readable
        assert document.artifact == "02.01.01"
        assert not [p for p in paths(watcher) if is_ignored(p)]

        # the download completes by a rename: now it is a document
        (tree / "IB.pdf.crdownload").write_bytes(ib_bytes())
        (tree / "IB.pdf.crdownload").rename(tree / "IB copy.pdf")
        [done] = wait_for(watcher, lambda c: bool(c))
        assert done.reread == ("IB copy.pdf",)
        assert Kind.DUPLICATE in {f.kind for f in done.appeared}


def test_a_touched_file_is_not_read_again(tree: Path) -> None:
    with make_watcher(tree) as watcher:
        os.utime(tree / "Protocol v1.pdf", ns=(10**18, 10**18))
        assert quiet_for(watcher, 4 * QUIET) == []


def test_missed_events_are_found_by_the_reconciliation_walk(tree: Path) -> None:
    with make_watcher(tree, source=NoEvents(), reconcile_seconds=0.3) as watcher:
        put(tree / IB, ib_bytes())
        [created] = wait_for(watcher, lambda c: bool(c))
        assert created.reconciled
        assert created.reread == (IB,)
        assert [f for f in created.resolved if is_missing_ib(f)]
        (tree / "Protocol v1.pdf").unlink()
        [deleted] = wait_for(watcher, lambda c: bool(c))
        assert deleted.reconciled
        assert deleted.removed == ("Protocol v1.pdf",)


# ---- the study configuration -----------------------------------------------------------------


def test_a_changed_etmf_yaml_reloads_and_a_broken_one_keeps_the_last_good_setup(
    tree: Path,
) -> None:
    study = tree / "etmf.yaml"
    with make_watcher(tree) as watcher:
        [missing_ib] = [f for f in watcher.report.findings if is_missing_ib(f)]
        disable = f"  disable:\n    - {{id: {missing_ib.rule}, reason: IB filed by the sponsor}}\n"
        put(study, STUDY_YAML + disable)
        [reloaded] = wait_for(watcher, lambda c: bool(c))
        assert reloaded.kind is ChangeKind.CONFIGURATION
        assert reloaded.reread == ()  # only the rules changed: nothing is read again
        assert [f.id for f in reloaded.resolved] == [missing_ib.id]

        put(study, STUDY_YAML + "  colour: blue\n")
        [broken] = wait_for(watcher, lambda c: bool(c))
        assert broken.kind is ChangeKind.CONFIG_ERROR
        assert broken.error is not None
        assert "etmf.yaml" in broken.error
        assert "colour" in broken.error
        assert broken.appeared == broken.resolved == ()
        assert broken.report == reloaded.report

        # a new site changes placement: every document is read again under it
        site = "  - id: TW-002\n    country: TW\n    milestones: {}\n"
        put(study, STUDY_YAML.replace("rules:\n", site + "rules:\n"))
        [fixed] = wait_for(watcher, lambda c: bool(c))
        assert fixed.kind is ChangeKind.SCAN
        renderer = IncrementalJson()
        for change in (watcher.initial, reloaded, broken, fixed):
            assert change is not None
            assert renderer.render(change.report) == json_report.render(change.report)
        assert len(fixed.reread) == 4
        assert [f.id for f in fixed.appeared] == [missing_ib.id]
        assert "TW-002" in (watcher.report.study.sites if watcher.report.study else ())


# ---- running and stopping --------------------------------------------------------------------


def test_run_in_a_thread_reports_changes_and_stops_cleanly(tree: Path) -> None:
    observer = make_observer(poll=False)
    changes: list[Change] = []
    arrived = threading.Event()
    stop = threading.Event()

    def on_change(change: Change) -> None:
        changes.append(change)
        arrived.set()

    with Watcher(
        tree,
        source=observer,
        default_as_of=AS_OF,
        scan_options=ScanOptions(jobs=0),
        options=WatchOptions(quiet_seconds=QUIET, tick_seconds=0.05),
    ) as watcher:
        thread = threading.Thread(target=watcher.run, args=(on_change,), kwargs={"stop": stop})
        thread.start()
        put(tree / IB, ib_bytes())
        assert arrived.wait(15)
        stop.set()
        thread.join(5)
        assert not thread.is_alive()
    assert not observer.is_alive()  # type: ignore[attr-defined]
    assert [c.reread for c in changes] == [(IB,)]
    assert changes[0].waited_seconds < 5


def read_lines(stream: IO[str], into: list[str]) -> None:
    for line in stream:
        into.append(line)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def cli_watch(tmp_path: Path, tree: Path) -> Iterator[Callable[..., Any]]:
    processes: list[subprocess.Popen[str]] = []

    def start(*extra: str) -> tuple[subprocess.Popen[str], list[str]]:
        argv = [sys.executable, "-m", "etmf", "watch", str(tree), "--debounce", str(QUIET)]
        process = subprocess.Popen(
            [*argv, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        lines: list[str] = []
        assert process.stdout is not None
        threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
        return process, lines

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_rewrites_the_report_atomically_and_stops_on_sigterm(
    tmp_path: Path, tree: Path, cli_watch: Callable[..., Any]
) -> None:
    report = tmp_path / "out" / "report.json"
    process, lines = cli_watch("--jobs", "0", "--format", "json", "--output", str(report))
    wait_until(lambda: len(lines) >= 1)
    first = json.loads(lines[0])
    assert first["event"] == "scan"
    assert json.loads(report.read_text("utf-8"))["summary"]["documents"] == 4

    reads: list[int] = []
    failures: list[str] = []
    reading = threading.Event()

    def hammer() -> None:
        while not reading.is_set():
            text = report.read_text("utf-8")
            try:
                reads.append(len(json.loads(text)["documents"]))
            except ValueError:
                failures.append(text[-80:])

    reader = threading.Thread(target=hammer)
    reader.start()
    try:
        put(tree / IB, ib_bytes())
        wait_until(lambda: len(lines) >= 2)
        (tree / "Protocol v1.pdf").unlink()
        wait_until(lambda: len(lines) >= 3)
    finally:
        reading.set()
        reader.join()
    assert failures == []
    assert set(reads) >= {5}
    created, deleted = json.loads(lines[1]), json.loads(lines[2])
    assert (created["event"], created["reread"]) == ("files", [IB])
    assert [f["artifact"] for f in created["resolved"] if f["kind"] == "missing"] == ["02.01.01"]
    assert created["completed_at"] > first["completed_at"]
    assert deleted["removed"] == ["Protocol v1.pdf"]
    final = json.loads(report.read_text("utf-8"))
    assert sorted(d["path"] for d in final["documents"])[0] == IB
    # the watch's report is the report a scan of the folder gives now, byte for byte
    assert report.read_text("utf-8") == json_report.render(scan(tree, options=ScanOptions(jobs=0)))

    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    assert process.stderr is not None
    err = process.stderr.read()
    assert "Traceback" not in err
    assert "stopped" in err


def test_cli_ctrl_c_stops_the_watch_and_its_workers_without_a_traceback(
    tree: Path, cli_watch: Callable[..., Any]
) -> None:
    process, lines = cli_watch("--jobs", "1")
    wait_until(lambda: any("Ctrl-C stops" in line for line in lines), timeout=60)
    assert any(line.startswith("etmf ") for line in lines)  # the full text report first
    write(tree / IB, ib_bytes())
    wait_until(lambda: any("Investigators Brochure.pdf read" in line for line in lines))
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    assert process.wait(15) == 130
    assert process.stderr is not None
    err = process.stderr.read()
    assert "Traceback" not in err
    assert "interrupted" in err
    text = "".join(lines)
    assert "- CRITICAL missing" in text


def test_cli_usage_errors(tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from etmf.cli import main

    assert main(["watch", str(tmp_path / "nowhere")]) == 2
    assert main(["watch", str(tree), "--output", str(tree / "report.json")]) == 2
    assert main(["watch", str(tree), "--debounce", "0"]) == 2
    assert "scanned folder" in capsys.readouterr().err
    assert not (tree / "report.json").exists()


def test_an_inotify_queue_overflow_walks_the_folder_at_once(tree: Path) -> None:
    with make_watcher(tree, source=NoEvents()) as watcher:  # next periodic walk in 300 s
        put(tree / IB, ib_bytes())
        assert quiet_for(watcher, 2 * QUIET) == []
        logging.getLogger("watchdog.observers.inotify_c").warning(
            "Inotify queue overflowed; filesystem events were lost"
        )
        [found] = wait_for(watcher, lambda c: bool(c))
        assert found.reconciled
        assert found.reread == (IB,)
