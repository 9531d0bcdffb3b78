"""The on-disk cache of wiki answers: a diskcache wrapper that fails soft.

The cache only saves requests, so it must never stop a run: if it cannot be opened or used
(a file where the directory should be, no permission, a corrupt `cache.db`, a pickling error,
a locked database), it says so once through `on_warning` and turns itself off.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskcache
import platformdirs

CACHE_DIR_ENV = "AUDIT_CACHE_DIR"

#: sqlite busy timeout in seconds; long enough for a second `audit` process sharing the cache,
#: short enough that a stuck lock costs one pause and a warning, not a hung run.
SQLITE_TIMEOUT = 10.0


def default_cache_dir() -> Path:
    """Where the cache lives unless told otherwise: `$AUDIT_CACHE_DIR`, else the user cache dir."""
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("audit", appauthor=False))


def _warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class RevisionCache:
    """Key-value store for revision metadata and HTML; disables itself on the first error."""

    def __init__(
        self,
        store: diskcache.Cache | None,
        directory: Path | None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self.directory = directory
        self._on_warning = on_warning or _warn_on_stderr
        self._warned = False

    @classmethod
    def open(
        cls, directory: str | Path | None, *, on_warning: Callable[[str], None] | None = None
    ) -> RevisionCache:
        """Open (creating if needed) the cache at `directory`, or the default one when None."""
        path = Path(directory).expanduser() if directory is not None else default_cache_dir()
        cache = cls(None, path, on_warning)
        try:
            cache._store = diskcache.Cache(str(path), timeout=SQLITE_TIMEOUT)
        # NOTE: deliberately broad. diskcache surfaces sqlite3.DatabaseError ("file is not a
        # database"), OSError, its own Timeout and more; all of them mean "run uncached".
        except Exception as error:
            cache._fail(error)
        return cache

    @classmethod
    def disabled(cls) -> RevisionCache:
        """A cache that stores nothing, for `--no-cache`."""
        return cls(None, None)

    @property
    def enabled(self) -> bool:
        """True while the cache is open and has not failed."""
        return self._store is not None

    def get(self, key: tuple[Any, ...]) -> Any | None:
        """The value stored under `key`, or None when absent, expired or the cache is off."""
        if self._store is None:
            return None
        try:
            return self._store.get(key, default=None)
        except Exception as error:  # see open(): any failure downgrades to "uncached"
            self._fail(error)
            return None

    def set(self, key: tuple[Any, ...], value: Any, expire: float | None = None) -> None:
        """Store `value` under `key`, for `expire` seconds or forever; a no-op when off."""
        if self._store is None:
            return
        try:
            self._store.set(key, value, expire=expire)
        except Exception as error:  # pickling errors and full disks included
            self._fail(error)

    def close(self) -> None:
        """Release the sqlite connection; the cache is off afterwards."""
        store, self._store = self._store, None
        if store is not None:
            # Closing a broken cache must not break the caller.
            with contextlib.suppress(Exception):
                store.close()

    def __enter__(self) -> RevisionCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fail(self, error: BaseException) -> None:
        """Turn the cache off and say so, once."""
        self.close()
        if not self._warned:
            self._warned = True
            self._on_warning(
                f"warning: cache at {self.directory} unusable ({_one_line(error)}); "
                "continuing without cache"
            )
