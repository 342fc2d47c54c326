"""etmf holds on any real PDF: producers of every kind, damaged structure, all encryptions.

Real-world files come from the pypdf sample corpus in the shared checkout; damaged and hostile
ones are built byte by byte by ``fixtures.broken_pdfs``; signed ones by ``fixtures.signing``.
Every case is scanned end to end, in this process and through the worker pool with its
per-file time limit, and each file's outcome is stated exactly: what PDFium recovers is read,
what it cannot is unreadable with a reason that names the damage or the encryption.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from etmf.extract import extract
from etmf.extract.pdf_signatures import read_pdf_signatures
from etmf.formats import json_report
from etmf.model import Document, Report, SignatureMethod, SignatureStatus
from etmf.scan import ScanOptions, scan
from fixtures import broken_pdfs, signing
from fixtures.documents import write

AS_OF = date(2026, 1, 1)
# The shared checkout next to this repository; ETMF_SAMPLE_PDFS points elsewhere. Its README
# asks that the files are not copied into the project, so they are read from there.
CORPUS = Path(
    os.environ.get("ETMF_SAMPLE_PDFS")
    or Path(__file__).resolve().parents[2] / "shared/corpus/pypdf-sample-files"
)
LOCKED = "encrypted PDF: a password is needed to open it"
CERTIFICATE_LOCKED = (
    "encrypted PDF: only a recipient certificate's private key (or another non-password "
    "security handler) opens it; file an unencrypted copy"
)
DAMAGED = (
    "damaged PDF: its structure cannot be read (cross-reference data, trailer or catalogue); "
    "re-export it or save a repaired copy"
)
PER_FILE_SECONDS = 30.0


def options(cache_root: Path, **changes: Any) -> ScanOptions:
    """Scan options whose OCR cache lives under ``cache_root``, not in the user's home."""
    return ScanOptions(cache_dir=cache_root / "cache", **changes)


def by_path(report: Report) -> dict[str, Document]:
    return {document.path: document for document in report.documents}


@cache
def report_validator() -> jsonschema.Draft202012Validator:
    text = files("etmf.schemas").joinpath("report.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def as_json(report: Report) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(json_report.render(report))
    return payload


def no_time_limit_hit(report: Report) -> None:
    slow = [d.path for d in report.documents if "time limit" in (d.problem or "")]
    assert not slow, f"over the {PER_FILE_SECONDS:g} s per-file limit: {slow}"


# ---- the real-world corpus -----------------------------------------------------------------------

# Unreadable files of the corpus and why. 017 is not merely "unreadable metadata": its trailer
# has no /Root and the catalogue's /Pages (object 172) is defined nowhere, so PDFium, pypdf and
# Poppler all fail to find a single page in it.
CORPUS_UNREADABLE = {
    "005-libreoffice-writer-password/libreoffice-writer-password.pdf": LOCKED,
    "017-unreadable-meta-data/unreadablemetadata.pdf": DAMAGED,
}


def corpus_pdfs() -> list[Path]:
    assert CORPUS.is_dir(), (
        f"{CORPUS}: the pypdf sample corpus is missing; it is part of the shared checkout "
        "(../shared/corpus/pypdf-sample-files next to this repository)"
    )
    found = sorted(CORPUS.rglob("*.pdf"))
    assert found, f"{CORPUS}: no PDF files in the sample corpus"
    return found


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's PDFs, copied with their folders (the originals are read-only)."""
    root = tmp_path_factory.mktemp("corpus")
    for source in corpus_pdfs():
        write(root / "tmf" / source.relative_to(CORPUS), source.read_bytes())
    return root


@pytest.fixture(scope="module")
def corpus_report(corpus_copy: Path) -> Report:
    return scan(corpus_copy / "tmf", as_of=AS_OF, options=options(corpus_copy))


def test_corpus_says_which_file_is_encrypted() -> None:
    listing = json.loads((CORPUS / "files.json").read_text("utf-8"))["data"]
    encrypted = {entry["path"] for entry in listing if entry["encrypted"]}
    assert encrypted == {"005-libreoffice-writer-password/libreoffice-writer-password.pdf"}


def test_every_corpus_pdf_is_listed_and_only_the_encrypted_and_broken_ones_are_unreadable(
    corpus_report: Report,
) -> None:
    expected = {p.relative_to(CORPUS).as_posix() for p in corpus_pdfs()}
    documents = by_path(corpus_report)
    assert len(corpus_report.documents) == len(expected)
    assert set(documents) == expected
    unreadable = {path: d.problem for path, d in documents.items() if not d.readable}
    assert unreadable == CORPUS_UNREADABLE
    for path, document in documents.items():
        if path not in CORPUS_UNREADABLE:
            assert document.problem is None, path
            assert document.pages, path


def test_corpus_through_the_worker_pool_gives_the_same_documents(
    corpus_copy: Path, corpus_report: Report
) -> None:
    started = time.monotonic()
    pooled = scan(
        corpus_copy / "tmf",
        as_of=AS_OF,
        options=options(corpus_copy, jobs=2, timeout_seconds=PER_FILE_SECONDS),
    )
    no_time_limit_hit(pooled)
    assert pooled == corpus_report
    assert time.monotonic() - started < 60


# ---- damaged, hostile and encrypted files --------------------------------------------------------


def text_of(label: str) -> str:
    return f"{broken_pdfs.TEXT}\n{label}"


# name -> (readable, pages, text of the first pages or the problem)
BROKEN: dict[str, tuple[bool, int | None, str]] = {
    # PDFium notices that the offsets do not point at objects and rebuilds the table by scanning
    "wrong-xref-offsets.pdf": (True, 1, text_of("Wrong offsets")),
    # ... and builds one when there is none, taking the catalogue from the trailer dictionary
    "no-xref-table.pdf": (True, 1, text_of("No xref")),
    # without a trailer nothing names the catalogue
    "truncated-xref.pdf": (False, None, DAMAGED),
    "object-stream.pdf": (True, 1, text_of("Object stream")),  # the intact twin of the next one
    # the catalogue and the page tree are inside the stream that no longer inflates
    "broken-object-stream.pdf": (False, None, DAMAGED),
    # PDFium believes /Count 2, and page 2 is the root /Pages node itself
    "circular-page-tree.pdf": (
        False,
        None,
        "damaged PDF: page 2 of 2 cannot be loaded (the page tree is broken)",
    ),
    # PDFium's walk through the loop arrives at the one real page again, so it is read twice
    "page-tree-loop-through-parent.pdf": (
        True,
        2,
        text_of("Page tree loop") + "\f" + text_of("Page tree loop"),
    ),
    # a /Count beyond PDFium's limit (1,048,575 pages) is ignored and the kids are counted ...
    "huge-page-count.pdf": (True, 1, text_of("Huge page count")),
    # ... one below it is believed, and page 2 does not exist
    "implausible-page-count.pdf": (
        False,
        None,
        "damaged PDF: page 2 of 1000000 cannot be loaded (the page tree is broken)",
    ),
    # PDFium stops parsing the nesting and the form that draws itself at its own depth limits
    "self-referencing-objects.pdf": (True, 1, text_of("Self reference")),
    "rc4-40.pdf": (False, None, LOCKED),
    "rc4-128.pdf": (False, None, LOCKED),
    "aes-128.pdf": (False, None, LOCKED),
    "aes-256-empty-password.pdf": (True, 1, text_of("Encrypted AES-256")),
    "certificate-encrypted.pdf": (False, None, CERTIFICATE_LOCKED),
}


@cache
def broken_files() -> dict[str, bytes]:
    return {name: make() for name, make in broken_pdfs.CASES.items()}


def test_every_generated_case_has_an_expected_outcome() -> None:
    assert set(BROKEN) == set(broken_pdfs.CASES)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_case_is_read_or_refused_exactly_as_expected(name: str) -> None:
    readable, pages, said = BROKEN[name]
    extraction = extract(name, broken_files()[name])
    assert (extraction.readable, extraction.pages) == (readable, pages)
    if readable:
        assert (extraction.problem, extraction.text) == (None, said)
    else:
        assert (extraction.problem, extraction.text) == (said, "")


def test_the_damage_is_really_there() -> None:
    """Each case differs from a good file in the named way (so a pass is not an accident)."""
    data = broken_files()
    offsets = [
        int(m) for m in re.findall(rb"^(\d{10}) 00000 n", data["wrong-xref-offsets.pdf"], re.M)
    ]
    assert offsets
    assert not any(re.match(rb"\d+ 0 obj", data["wrong-xref-offsets.pdf"][o:]) for o in offsets)
    assert b"\nxref\n" not in data["no-xref-table.pdf"]
    assert b"startxref" not in data["no-xref-table.pdf"]
    assert b"trailer" not in data["truncated-xref.pdf"]
    assert b"/Type /ObjStm" in data["broken-object-stream.pdf"]
    assert b"/Kids [3 0 R 2 0 R]" in data["circular-page-tree.pdf"]
    assert b"/Count 2147483647" in data["huge-page-count.pdf"]
    assert b"/Self 6 0 R" in data["self-referencing-objects.pdf"]
    assert b"/Filter /Adobe.PubSec" in data["certificate-encrypted.pdf"]


def test_a_damaged_file_read_after_an_encrypted_one_is_still_damaged() -> None:
    # PDFium leaves its last-error code alone for this failure, so it used to say "password"
    files = broken_files()
    assert extract("a.pdf", files["rc4-40.pdf"]).problem == LOCKED
    assert extract("b.pdf", files["broken-object-stream.pdf"]).problem == DAMAGED
    assert extract("c.pdf", files["certificate-encrypted.pdf"]).problem == CERTIFICATE_LOCKED
    assert extract("d.pdf", files["broken-object-stream.pdf"]).problem == DAMAGED


@pytest.mark.parametrize(
    ("name", "version", "revision"),
    [("rc4-40.pdf", 1, 2), ("rc4-128.pdf", 2, 3), ("aes-128.pdf", 4, 4)],
)
def test_password_encrypted_files_open_with_the_password(
    name: str, version: int, revision: int
) -> None:
    """Refused for the password alone: with it, PDFium reads the page."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    data = broken_files()[name]
    encryption: Any = PdfReader(io.BytesIO(data)).trailer["/Encrypt"].get_object()
    assert (encryption["/V"], encryption["/R"]) == (version, revision)
    document = pdfium.PdfDocument(data, password=broken_pdfs.PASSWORD)
    try:
        page = document[0]
        textpage = page.get_textpage()
        assert textpage.get_text_range().startswith(broken_pdfs.TEXT)
        textpage.close()
        page.close()
    finally:
        document.close()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_no_signature_is_invented_for_an_unsigned_file(name: str) -> None:
    # the certificate-encrypted file carries an ISO 32004 MAC with a /ByteRange of its own
    assert read_pdf_signatures(broken_files()[name]) == []


@pytest.fixture(scope="module")
def broken_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    for name, data in broken_files().items():
        write(root / "tmf" / name, data)
    return root


@pytest.fixture(scope="module")
def broken_report(broken_tree: Path) -> Report:
    return scan(broken_tree / "tmf", as_of=AS_OF, options=options(broken_tree))


def test_a_scan_of_all_cases_lists_each_with_its_outcome(broken_report: Report) -> None:
    documents = by_path(broken_report)
    assert set(documents) == set(BROKEN)
    outcomes = {path: (d.readable, d.pages, d.problem) for path, d in documents.items()}
    assert outcomes == {
        name: (readable, pages, None if readable else said)
        for name, (readable, pages, said) in BROKEN.items()
    }


@pytest.mark.timeout(60)
def test_the_worker_pool_finishes_every_case_within_the_per_file_limit(
    broken_tree: Path, broken_report: Report
) -> None:
    started = time.monotonic()
    pooled = scan(
        broken_tree / "tmf",
        as_of=AS_OF,
        options=options(broken_tree, jobs=2, timeout_seconds=PER_FILE_SECONDS),
    )
    no_time_limit_hit(pooled)
    assert pooled == broken_report
    assert time.monotonic() - started < 45


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "make",
    [
        broken_pdfs.circular_page_tree,
        broken_pdfs.page_tree_loop_through_parent,
        lambda: broken_pdfs.self_referencing_objects(depth=200_000),
    ],
    ids=["kids-list-the-node", "kids-list-the-parent", "self-reference-200k-deep"],
)
def test_loops_and_deep_nesting_do_not_hang(make: Any) -> None:
    data = make()
    started = time.monotonic()
    extract("loop.pdf", data)
    read_pdf_signatures(data)
    assert time.monotonic() - started < 5


# ---- signatures and incremental updates ----------------------------------------------------------

ROOTS = [signing.test_pki().root_pem]


def test_three_signatures_in_three_revisions_are_all_reported_and_valid() -> None:
    facts = read_pdf_signatures(broken_pdfs.three_signatures(), trust_roots=ROOTS)
    assert [(f.field, f.signer, f.method, f.status) for f in facts] == [
        ("Author", "Dr Chen Wei-Lin", SignatureMethod.DIGITAL, SignatureStatus.VALID),
        ("Approver", "Dr Sarah Thompson", SignatureMethod.DIGITAL, SignatureStatus.VALID),
        ("QA", "Dr Min-jun Park", SignatureMethod.DIGITAL, SignatureStatus.VALID),
    ]
    assert facts[0].evidence.startswith(
        "signature 'Author' covers revision 2 of 4; 2 incremental updates were added"
    )
    assert facts[1].evidence.startswith(
        "signature 'Approver' covers revision 3 of 4; 1 incremental update was added"
    )
    assert facts[2].evidence.startswith("signature 'QA' covers the whole document")


def test_a_page_added_after_signing_breaks_the_signature() -> None:
    # pyHanko's difference analysis allows form filling, annotations and more signatures after
    # an approval signature; a new page is none of those, so the signature no longer vouches
    # for the document as it is (INVALID), although the signed revision itself is intact.
    data = broken_pdfs.page_added_after_signing()
    assert extract("addendum.pdf", data).pages == 2
    (fact,) = read_pdf_signatures(data, trust_roots=ROOTS)
    assert (fact.field, fact.signer, fact.status) == (
        "Signature1",
        "Dr Chen Wei-Lin",
        SignatureStatus.INVALID,
    )
    assert fact.evidence.startswith(
        "signature 'Signature1' covers revision 2 of 3; 1 incremental update was added; "
        "digest intact; later incremental updates change the document in ways no signature allows"
    )


@pytest.fixture(scope="module")
def signed_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Three signatures, a page added after signing and PAdES-LTA; the study trusts the root."""
    root = tmp_path_factory.mktemp("signed")
    tree = root / "tmf"
    write(tree / "three-signatures.pdf", broken_pdfs.three_signatures())
    write(tree / "page-added.pdf", broken_pdfs.page_added_after_signing())
    write(tree / "pades-lta.pdf", signing.signed_pdf(lta=True))
    write(root / "root.pem", signing.test_pki().root_pem)
    study = root / "etmf.yaml"
    study.write_text("study:\n  id: S-1\n  as_of: 2026-01-01\ntrust_anchors: [root.pem]\n")
    return scan(tree, options=options(root, study_file=study))


def test_a_scan_reports_every_signature_in_the_json(signed_report: Report) -> None:
    payload = as_json(signed_report)

    def signatures(path: str) -> list[tuple[str, str, str | None, str | None]]:
        (document,) = [d for d in payload["documents"] if d["path"] == path]
        return [
            (s["method"], s["status"], s["field"], s["signer"])
            for s in document["signatures"]
            if s["method"] in ("digital", "timestamp")
        ]

    assert signatures("three-signatures.pdf") == [
        ("digital", "valid", "Author", "Dr Chen Wei-Lin"),
        ("digital", "valid", "Approver", "Dr Sarah Thompson"),
        ("digital", "valid", "QA", "Dr Min-jun Park"),
    ]
    assert signatures("page-added.pdf") == [("digital", "invalid", "Signature1", "Dr Chen Wei-Lin")]
    assert signatures("pades-lta.pdf") == [
        ("digital", "valid", "Signature1", "Dr Chen Wei-Lin"),
        ("timestamp", "valid", "DocumentTimestamp", signing.TSA_NAME),
    ]


# ---- the JSON report -----------------------------------------------------------------------------


@pytest.mark.parametrize("report", ["corpus_report", "broken_report", "signed_report"])
def test_each_report_validates_against_the_shipped_schema(
    report: str, request: pytest.FixtureRequest
) -> None:
    scanned: Report = request.getfixturevalue(report)
    payload = as_json(scanned)
    report_validator().validate(payload)
    assert len(payload["documents"]) == len(scanned.documents)
