"""Write files so that a reader (or a crash) never sees half of one: temp file + os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from audit.errors import AuditError


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step; the old file survives any failure."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` in one step; the old file survives any failure."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # NOTE: the temp file must live in the same directory, or os.replace is not atomic
        # (and fails across file systems).
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AuditError(f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp_name, target.stat().st_mode & 0o777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise AuditError(f"cannot write {target}: {exc.strerror or exc}", path=str(target)) from exc
