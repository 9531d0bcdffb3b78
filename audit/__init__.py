"""audit: find the weakly sourced claims of a Wikipedia article and what changed since."""

from __future__ import annotations

__version__ = "0.1.0"
