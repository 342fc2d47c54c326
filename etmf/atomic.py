"""Write files so that a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(
    path: Path, data: str | bytes | Iterable[str | bytes], *, encoding: str = "utf-8"
) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename over ``path``.
    ``data`` may come in pieces (a large report), written as they come."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "wb", buffering=1 << 20) as stream:
            if isinstance(data, bytes):
                stream.write(data)
            elif isinstance(data, str):
                stream.write(data.encode(encoding))
            else:
                for piece in data:
                    stream.write(piece if isinstance(piece, bytes) else piece.encode(encoding))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask (``mkstemp``
    makes its file private, and a report is usually read by others: a web server, a team)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (after resolving links)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
