"""One exception tree for every failure the user should see as `error: ...`, never a traceback."""

from __future__ import annotations


class AuditError(Exception):
    """Base of all expected failures; `main()` prints them as one `error:` line plus a hint."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class InputError(AuditError):
    """A document or option the user gave cannot be used (missing, empty, binary, ...)."""


class ClaimsFileError(AuditError):
    """`claims.yaml` is malformed, hostile, or of a schema version this tool does not know."""


class WikiError(AuditError):
    """The wiki answered, but not with what we asked for (API error, unexpected shape)."""


class PageMissing(WikiError):
    """The title does not exist on the wiki (or is invalid)."""


class WikiUnreachable(AuditError):
    """The wiki could not be reached at all (DNS, connection refused, timeouts after retries)."""
