"""report.html: one self-contained page (inline CSS and JS, nothing fetched) from the view model."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from audit.model import DocumentCheck
from audit.report.view import build_view

_TEMPLATE = "report.html.j2"


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """The jinja2 environment of every page: package templates, autoescape, strict."""
    return Environment(
        loader=PackageLoader("audit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def template_asset(name: str) -> str:
    """A static file shipped next to the template (package data), read once."""
    return (resources.files("audit.report") / "templates" / name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """The Content-Security-Policy source for one inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(checks: Sequence[DocumentCheck], *, generated: str, tool_version: str) -> str:
    """report.html as text."""
    view = build_view(checks, generated=generated, tool_version=tool_version)
    style, script = template_asset("report.css"), template_asset("report.js")
    # The page allows exactly its own stylesheet and script and no fetches at all: if some
    # article text ever slipped past escaping, the browser would still refuse to run it.
    csp = (
        f"default-src 'none'; style-src {csp_hash(style)}; script-src {csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    return (
        template_environment()
        .get_template(_TEMPLATE)
        .render(
            report=view,
            csp=csp,
            # Markup: these are our own package files, not data, and must not be entity-escaped.
            style=Markup(style),
            script=Markup(script),
        )
    )
