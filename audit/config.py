"""Settings from a file: `[tool.audit]` in pyproject.toml, or an `audit.toml`.

Precedence, for every setting: command-line flag > `AUDIT_*` environment variable > this
file > built-in default. The CLI asks `setting(name)` for the middle two.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from audit.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Keys a config file may set (the long option names, `-` written as `_`).
KNOWN = frozenset({
    "claims", "wiki", "out", "offline", "cache_dir", "no_cache", "user_agent", "update",
    "fail_on", "min_severity", "baseline", "format", "quiet", "triage_by",
})


def _find(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest audit.toml or pyproject.toml with a [tool.audit] table, upwards from start."""
    for folder in (start, *start.parents):
        own = folder / "audit.toml"
        if own.is_file():
            return own, _load(own)
        project = folder / "pyproject.toml"
        if project.is_file():
            table = _load(project).get("tool", {}).get("audit")
            if isinstance(table, dict):
                return project, {"audit": table}
    return None


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", path=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from exc


@lru_cache(maxsize=8)
def file_settings(start: str | None = None) -> tuple[str | None, dict[str, Any]]:
    """(file, settings) from the nearest config file; an audit.toml may use a bare table."""
    found = _find(Path(start or os.getcwd()).resolve())
    if found is None:
        return None, {}
    path, data = found
    table = data.get("audit", data) if path.name == "audit.toml" else data["audit"]
    if path.name == "audit.toml" and "tool" in data:
        table = data["tool"].get("audit", table)
    settings = {str(key).replace("-", "_"): value for key, value in table.items()}
    unknown = sorted(set(settings) - KNOWN)
    if unknown:
        raise InputError(f"unknown setting(s) {', '.join(unknown)}", path=str(path),
                         hint="known: " + ", ".join(sorted(KNOWN)))
    return str(path), settings


def setting(name: str, default: Any = None, choices: Iterable[str] | None = None) -> Any:
    """Environment twin `AUDIT_<NAME>`, else the config file's value, else `default`.

    With `choices`, a value from the environment or the file must be one of them (argparse
    checks only what is typed on the command line).
    """
    value = _lookup(name, default)
    if choices is not None and value is not default:
        allowed = list(choices)
        values = value if isinstance(value, list) else [value]
        wrong = [item for item in values if item not in allowed]
        if wrong:
            source, _ = file_settings(os.getcwd())
            origin = (f"AUDIT_{name.upper()}" if os.environ.get(f"AUDIT_{name.upper()}")
                      else f"{name} in {source}")
            raise InputError(f"invalid value {wrong[0]!r} for {origin}",
                             hint="choose from " + ", ".join(allowed))
    return value


def _lookup(name: str, default: Any) -> Any:
    value = os.environ.get(f"AUDIT_{name.upper()}")
    if value not in (None, ""):
        if isinstance(default, bool):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, list):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
    _, settings = file_settings(os.getcwd())
    if name in settings:
        found = settings[name]
        if isinstance(default, list) and isinstance(found, str):
            return [found]
        return found
    return default
