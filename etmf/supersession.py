"""Which document of a record is current: an older version next to a newer one is superseded.

Documents of one artifact at one scope (trial, a country, a site) belong to the same record
when their file names agree once versions, dates, numbers and words such as "signed" or
"final" are set aside: "ICF TW-002 v3.0 (Chinese).pdf" supersedes "ICF TW-002 v2.0
(Chinese).pdf", while a pregnant-partner ICF at the same site is a record of its own. The
newest version wins; without versions, the latest identifying date; without either, nothing
is superseded, because nothing says which is newer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from etmf.document_index import DocumentIndex
from etmf.extract.versions import version_key
from etmf.model import Document, DocumentStatus

# Words a site adds to a file name without changing which record it is.
_NOISE = frozenset(
    {
        "v",
        "ver",
        "version",
        "ed",
        "edition",
        "rev",
        "revision",
        "signed",
        "final",
        "clean",
        "tracked",
        "copy",
        "draft",
        "updated",
        "update",
        "executed",
        "scan",
        "scanned",
        "new",
        "old",
        "latest",
        "current",
        "pdf",
        "docx",
        "doc",
        "approved",
        "confidential",
        "版",
        "第",
        "版本",
        "버전",
        "판",
        "서명본",
        "최종",
        "簽署版",
        "最終版",
        "定稿",
    }
)
_WORDS = re.compile(r"[a-z]+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")


def family(path: str) -> str:
    """The file name without what changes between versions of one record."""
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].casefold()
    return " ".join(w for w in _WORDS.findall(stem) if w not in _NOISE)


def mark_current(index: DocumentIndex) -> None:
    """Set ``status`` and ``superseded_by`` on the indexed documents that a newer version of
    the same record supersedes; the index's order is unchanged."""
    for record in index.records():
        readable = [document for document in record if document.readable]
        if len(readable) < 2:
            continue
        families: dict[str, list[Document]] = defaultdict(list)
        for document in readable:
            families[family(document.path)].append(document)
        for members in families.values():
            if len(members) > 1:
                _mark(members, index)


def _mark(members: Sequence[Document], index: DocumentIndex) -> None:
    newest = _newest(members)
    if newest is None:
        return
    for document in members:
        if document.path != newest.path:
            index.replace(
                document.model_copy(
                    update={"status": DocumentStatus.SUPERSEDED, "superseded_by": newest.path}
                )
            )


def _newest(documents: Sequence[Document]) -> Document | None:
    if all(d.version is not None for d in documents):
        keys = [(version_key(d.version.value), _date(d), d.path) for d in documents if d.version]
        best = max(keys)
        if sum(1 for key in keys if key[0] == best[0]) == 1:
            return next(d for d in documents if d.path == best[2])
    dated = [d for d in documents if d.identifying_date is not None]
    if len(dated) != len(documents):
        return None
    return max(dated, key=lambda d: (_date(d), d.path))


def _date(document: Document) -> str:
    return document.identifying_date.value.isoformat() if document.identifying_date else ""
