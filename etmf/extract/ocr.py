"""OCR: what a scanned PDF page or an image says, read by Tesseract.

Sites still send wet-ink documents as scans; without OCR etmf sees no date or signature line in
them. Each page is rendered (PDFium) or decoded (Pillow), made grayscale, encoded as PNG and piped
into one ``tesseract`` process per page (no temporary files); pages are joined with a form feed,
as :mod:`etmf.extract.pdf` does. Nothing here raises for a bad file or a failing engine: the
result carries a ``problem`` a user understands.

Two measured choices (tests/test_ocr.py keeps them honest):

- Korean is moved to the front of the languages. Tesseract's first language cuts lines into
  words; with English first, Hangul dates are misread ("10월 31일" as "108 314") and whole
  Korean lines are lost. Korean first reads English and Chinese as well as before; the order
  used is recorded in :attr:`OcrResult.languages`.
- Page segmentation mode 4 (one column of lines), not 3 (automatic layout): on TMF letters,
  certificates and CVs, mode 3 dropped the first Korean lines of a page outright and split
  "Signature: ... Date: ..." rows that mode 4 kept whole (a long signature rule can still
  split a row in either mode).

Tesseract may put spaces between Han characters ("中 華 民 國 114 年"); :func:`close_cjk_gaps`
removes whitespace between two Han, Kana or CJK punctuation characters and between such a
character and a digit, so dates read "114年1月20日". Spaces between Hangul words are kept.

Results are cached by the content hash, languages, resolution, pages and Tesseract version, so a
rescan does not OCR an unchanged scan again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from etmf.atomic import write_atomic

NOT_INSTALLED = (
    "Tesseract is not installed: the scanned pages could not be read "
    "(install tesseract-ocr to read scans)"
)
_CACHE_FORMAT = "1"  # changes whenever how a page is read or tidied changes
_MAX_SIDE = 7_000  # pixels: a poster-sized page is read at a lower resolution, not in 2 GB
# Han, Kana and CJK punctuation (full-width forms included); Hangul is not here: Korean separates
# words with spaces, so the spaces Tesseract puts between Hangul words are kept.
_CJK = "\u3001-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}0-9])|(?<=[0-9])[ \t]+(?=[{_CJK}])")


@dataclass(frozen=True, slots=True)
class OcrOptions:
    languages: tuple[str, ...] = ("eng", "chi_tra", "kor")
    max_pages: int = 2
    dpi: int = 300
    timeout_seconds: float = 60.0  # for the whole document, all pages together


@dataclass(frozen=True, slots=True)
class OcrResult:
    text: str
    pages: tuple[int, ...]
    languages: tuple[str, ...]
    engine: str
    problem: str | None = None
    missing_languages: tuple[str, ...] = ()  # requested but not installed; read without them


class _Failure(Exception):
    """Why OCR could not read the document, in words for the user."""


_Page = tuple[int, Image.Image, int | None]  # number, picture, resolution when known
_Pages = Callable[[], Iterable[_Page]]


@cache
def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


@cache
def tesseract_version() -> str | None:
    """Tesseract's version ("5.3.0"), or None when it is missing or does not answer."""
    output = _ask("--version")
    match = re.search(r"tesseract\s+v?(\S+)", output or "", re.IGNORECASE)
    return match[1] if match else None


@cache
def tesseract_languages() -> frozenset[str]:
    """The installed language models (``tesseract --list-langs``, without its heading)."""
    output = _ask("--list-langs") or ""
    return frozenset(line for line in output.split() if re.fullmatch(r"[\w/-]+", line))


def ocr_pdf(
    data: bytes, *, pages: list[int], options: OcrOptions, cache_dir: Path | None
) -> OcrResult:
    """Read the 1-based ``pages`` of a PDF (at most ``options.max_pages``; missing ones skipped)."""
    wanted = tuple(dict.fromkeys(page for page in pages if page >= 1))[: options.max_pages]
    return _read(data, wanted, options, cache_dir, lambda: _pdf_pages(data, wanted, options.dpi))


def ocr_image(data: bytes, *, options: OcrOptions, cache_dir: Path | None) -> OcrResult:
    """Read a PNG, JPEG or TIFF (the first ``options.max_pages`` frames of a multi-page TIFF)."""
    wanted = tuple(range(1, options.max_pages + 1))
    return _read(data, wanted, options, cache_dir, lambda: _image_frames(data, options.max_pages))


def close_cjk_gaps(text: str) -> str:
    """Remove the spaces Tesseract puts between Han or Kana characters ("中 華 民 國" becomes
    "中華民國") and between them and digits, so that "114 年 1 月 20 日" reads "114年1月20日"."""
    return _CJK_GAP.sub("", text)


def _read(
    data: bytes, wanted: tuple[int, ...], options: OcrOptions, cache_dir: Path | None, pages: _Pages
) -> OcrResult:
    version = tesseract_version() if tesseract_available() else None
    if version is None:
        return OcrResult(text="", pages=(), languages=(), engine="", problem=NOT_INSTALLED)
    engine = f"tesseract {version}"
    installed = tesseract_languages()
    missing = tuple(name for name in dict.fromkeys(options.languages) if name not in installed)
    usable = [name for name in dict.fromkeys(options.languages) if name in installed]
    languages = tuple(sorted(usable, key=lambda name: name not in ("kor", "kor_vert")))
    if not languages:
        packages = " ".join(f"tesseract-ocr-{name.replace('_', '-').lower()}" for name in missing)
        problem = f"Tesseract has none of the OCR languages asked for ({', '.join(missing)})"
        problem = f"{problem}: install {packages}" if missing else "no OCR language was asked for"
        return OcrResult("", (), (), engine, problem=problem)
    parts = [_CACHE_FORMAT, hashlib.sha256(data).hexdigest(), "+".join(languages), version]
    key = hashlib.sha256("\0".join([*parts, str(options.dpi), str(wanted)]).encode()).hexdigest()
    path = cache_dir / key[:2] / f"{key}.json" if cache_dir is not None else None
    result = _load(path) if path is not None else None
    if result is None:
        result = _recognise(pages, languages, engine, options.timeout_seconds)
        if path is not None and result.problem is None:
            _store(path, result)
    return replace(result, missing_languages=missing)


def _recognise(pages: _Pages, languages: tuple[str, ...], engine: str, limit: float) -> OcrResult:
    deadline = time.monotonic() + limit
    texts: list[str] = []
    numbers: list[int] = []
    try:
        for number, image, dpi in pages():
            try:
                text = _tesseract(image, languages, dpi, deadline - time.monotonic())
            except subprocess.TimeoutExpired:
                raise _Failure(f"OCR of page {number} did not finish within {limit:g} s") from None
            texts.append(close_cjk_gaps(text.replace("\f", "\n").strip()))
            numbers.append(number)
    except _Failure as failure:
        return OcrResult("", tuple(numbers), languages, engine, problem=str(failure))
    if not numbers:
        problem = "nothing to read by OCR: the document has none of the pages asked for"
        return OcrResult("", (), languages, engine, problem=problem)
    return OcrResult("\f".join(texts), tuple(numbers), languages, engine)


def _tesseract(
    image: Image.Image, languages: tuple[str, ...], dpi: int | None, timeout: float
) -> str:
    executable = shutil.which("tesseract")
    if executable is None:
        raise _Failure(NOT_INSTALLED)
    if timeout <= 0:
        raise subprocess.TimeoutExpired(executable, timeout)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    command = [executable, "-", "-", "-l", "+".join(languages), "--psm", "4"]
    command += ["--dpi", str(dpi)] if dpi is not None and dpi >= 70 else []
    # One thread per page: workers already OCR several documents in parallel, and on two cores
    # Tesseract's OpenMP threads made a page slower, not faster.
    environment = {"OMP_THREAD_LIMIT": "1", **os.environ}
    try:
        done = subprocess.run(
            command, input=buffer.getvalue(), capture_output=True, timeout=timeout, env=environment
        )
    except OSError as error:
        raise _Failure(f"Tesseract could not be started: {error.strerror or error}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise _Failure(f"Tesseract failed (exit {done.returncode}): {lines[-1][:200]}")
    return done.stdout.decode("utf-8", "replace")


def _pdf_pages(data: bytes, wanted: tuple[int, ...], dpi: int) -> Iterator[_Page]:
    import pypdfium2 as pdfium

    # PDFium and Pillow raise many kinds of error for damaged input; each becomes a problem.
    try:
        document = pdfium.PdfDocument(data)
    except Exception as error:
        detail = str(error).split("(PDFium: ")[-1].rstrip(").").lower()
        raise _Failure(f"damaged PDF, not read by OCR: {detail}") from None
    try:
        count = len(document)
        for number in (page for page in wanted if page <= count):
            try:
                page = document[number - 1]
                try:
                    width, height = page.get_size()
                    scale = min(dpi / 72, _MAX_SIDE / max(width, height, 1.0))
                    image = _grayscale(page.render(scale=scale).to_pil())
                finally:
                    page.close()
            except Exception as error:
                raise _Failure(f"page {number} could not be rendered: {_brief(error)}") from None
            yield number, image, round(scale * 72)
    finally:
        document.close()


def _image_frames(data: bytes, limit: int) -> list[_Page]:
    frames: list[_Page] = []
    try:
        with Image.open(io.BytesIO(data)) as picture:
            for index, frame in enumerate(ImageSequence.Iterator(picture)):
                if index >= limit:
                    break
                image = _grayscale(frame)
                image.thumbnail((_MAX_SIDE, _MAX_SIDE))
                dpi = frame.info.get("dpi")
                resolution = round(float(dpi[0])) if isinstance(dpi, tuple) and dpi else None
                frames.append((index + 1, image, resolution))
    except UnidentifiedImageError:
        raise _Failure("not an image that OCR can read: unknown or damaged format") from None
    except Exception as error:
        raise _Failure(f"damaged image, not read by OCR: {_brief(error)}") from None
    return frames


def _grayscale(image: Image.Image) -> Image.Image:
    """Grayscale on white: a transparent background must not turn black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return image.convert("L")


def _load(path: Path) -> OcrResult | None:
    """A cached result, or None when there is none or it is unreadable (it is then rewritten)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        text, pages = stored["text"], tuple(stored["pages"])
        languages, engine = tuple(stored["languages"]), stored["engine"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    valid = isinstance(text, str) and isinstance(engine, str)
    valid &= all(isinstance(p, int) for p in pages) and all(isinstance(n, str) for n in languages)
    return OcrResult(text, pages, languages, engine) if valid else None


def _store(path: Path, result: OcrResult) -> None:
    fields = ("text", "pages", "languages", "engine")
    stored = json.dumps({name: getattr(result, name) for name in fields}, ensure_ascii=False)
    # A cache that cannot be written costs time on the next scan, nothing else.
    with contextlib.suppress(OSError):
        write_atomic(path, stored)


def _ask(flag: str) -> str | None:
    executable = shutil.which("tesseract")
    if executable is None:
        return None
    try:
        done = subprocess.run([executable, flag], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    # Tesseract 3 printed these to stderr, later versions to stdout.
    return (done.stdout + b"\n" + done.stderr).decode("utf-8", "replace")


def _brief(error: Exception) -> str:
    return (str(error).strip() or type(error).__name__).splitlines()[0][:200]
