"""Turn a planned document into bytes: a text PDF, a DOCX, a signed PDF or an image-only scan.

Each document draws its filler text from its own generator, seeded by the corpus seed and the
document's index, so output does not depend on which worker renders it or in which order. Every
first page carries the document's reference number (``Ref. BM-301/...``), so no two documents
have the same content.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime, time
from pathlib import Path

from benchmarks.corpus_plan import KIND_BY_KEY, STUDY_ID, DocPlan
from benchmarks.corpus_vocabulary import FILLER
from benchmarks.docx_writer import docx_document
from benchmarks.pdf_writer import Line, lines_per_page, pdf_document

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def format_date(day: date, language: str, style: int) -> str:
    """``day`` the way a document in ``language`` writes it (two styles per language)."""
    if language == "zh-Hant":
        if style:
            return f"中華民國{day.year - 1911}年{day.month}月{day.day}日"
        return f"{day.year}年{day.month}月{day.day}日"
    if language == "ko":
        return (
            f"{day.year}년 {day.month}월 {day.day}일"
            if style
            else f"{day.year}. {day.month}. {day.day}."
        )
    if language == "ja":
        if style and day.year >= 2019:
            return f"令和{day.year - 2018}年{day.month}月{day.day}日"
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if style else day.isoformat()


def document_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"etmf-bench:{seed}:{index}")


def first_page_lines(plan: DocPlan, rng: random.Random) -> list[str]:
    """The heading, the kind's body lines filled in, and the reference line."""
    kind = KIND_BY_KEY[plan.kind]
    style = rng.randint(0, 1)
    values = {
        "study": STUDY_ID,
        "site": plan.scope,
        "hospital": plan.hospital or "Example Pharma",
        "pi": plan.pi,
        "person": plan.person,
        "date": format_date(plan.day, plan.language, style),
        "date2": format_date(plan.day2, plan.language, style),
        "n": str(plan.n),
        "version": plan.version,
        "ref": f"{plan.scope}-{plan.n:04d}",
    }
    lines = [kind.heading(plan.language)]
    lines += [template.format(**values) for template in kind.lines(plan.language)]
    lines.append(f"Ref. {STUDY_ID}/{plan.scope}/{plan.index:07d}")
    return lines


def filler_lines(plan: DocPlan, rng: random.Random, count: int) -> list[str]:
    """``count`` lines of filler; two draws per line (this is the generator's hot loop)."""
    sentences = FILLER.get(plan.language, FILLER["en"])
    base = plan.day.toordinal()
    out = []
    for _ in range(count):
        x = rng.getrandbits(40)
        day = date.fromordinal(base - rng.getrandbits(9) % 400)
        out.append(
            sentences[x % len(sentences)].format(
                a=(x >> 3) % 99 + 1, b=(x >> 10) % 10000, c=(x >> 24) % 30 + 1, d=day.isoformat()
            )
        )
    return out


def page_texts(plan: DocPlan, rng: random.Random) -> list[list[str]]:
    """Lines per page: the first page is the heading and body, then some filler; later pages
    are filler; each page of a longer document ends with "Page n of N"."""
    per_page = lines_per_page() - 2
    first = first_page_lines(plan, rng)
    first += filler_lines(plan, rng, rng.randint(3, max(3, per_page - len(first))))
    pages = [first] + [filler_lines(plan, rng, per_page) for _ in range(plan.pages - 1)]
    if plan.pages > 1:
        for number, lines in enumerate(pages, start=1):
            lines.append(f"Page {number} of {plan.pages}")
    return pages


def render(plan: DocPlan, seed: int) -> bytes:
    rng = document_rng(seed, plan.index)
    pages = page_texts(plan, rng)
    if plan.form == "docx":
        return docx_document(
            [line for page in pages for line in page],
            title=plan.title,
            author=plan.person,
            pages=plan.pages,
            created=datetime.combine(plan.day, time(9), tzinfo=UTC),
        )
    if plan.form == "scan":
        from fixtures.scans import scanned_pdf_bytes

        return scanned_pdf_bytes(pages[0][:12])
    data = pdf_document(
        [[Line(text, 16.0 if p == 0 and i == 0 else 10.0) for i, text in enumerate(lines)]
         for p, lines in enumerate(pages)],
        title=plan.title,
        author=plan.person,
        created=plan.day.strftime("D:%Y%m%d090000Z"),
    )  # fmt: skip
    if plan.signed_by is not None:
        from fixtures.signing import signed_pdf

        data = signed_pdf(
            data,
            signer=plan.signed_by,
            reason="Agreed",
            field="Signature1",
            signed_at=datetime.combine(plan.day, time(9, 30), tzinfo=UTC),
        )
    return data


def write_document(plan: DocPlan, root: Path, seed: int) -> int:
    """Render and write one document (its folder exists); its mtime is its document date.
    Returns the number of bytes written."""
    data = render(plan, seed)
    path = root / plan.relpath
    path.write_bytes(data)
    os.utime(path, ns=(plan.mtime_ns, plan.mtime_ns))
    return len(data)
