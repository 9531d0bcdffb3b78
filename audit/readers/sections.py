"""Section headings as every reader sees them: the heading path and the end matter we skip."""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.model import LEAD_SECTION

# Headings after which only end matter follows (references, links); claims stop there.
END_MATTER = frozenset(
    {
        "see also",
        "references",
        "notes",
        "external links",
        "further reading",
        "bibliography",
        "sources",
        "citations",
        "footnotes",
        "notes and references",
        "works cited",
        "explanatory notes",
        "general references",
        "inline citations",
        "reference",
        "note",
        "general and cited sources",
        "cited sources",
        "general sources",
        "specific references",
        "references and notes",
        "sources and further reading",
        "external link",
        "related articles",
        "navigation",
    }
)


def is_end_matter(heading: str) -> bool:
    """True for "References", "See also", "External links" and their kin."""
    return heading.strip().strip(":").casefold() in END_MATTER


@dataclass
class SectionTracker:
    """Follows headings in document order: the current path, and whether we are in end matter."""

    path: list[tuple[int, str]] = field(default_factory=list)
    end_matter_level: int | None = None
    index: int | None = None
    """Edit-section number of the current section, when the source tells it."""
    anchor: str | None = None

    def enter(
        self, level: int, title: str, *, index: int | None = None, anchor: str | None = None
    ) -> None:
        """A heading of `level` (2 for ==H==) titled `title` starts here."""
        while self.path and self.path[-1][0] >= level:
            self.path.pop()
        self.path.append((level, title))
        self.index = index
        self.anchor = anchor
        if self.end_matter_level is not None and level <= self.end_matter_level:
            self.end_matter_level = None
        if self.end_matter_level is None and is_end_matter(title):
            self.end_matter_level = level

    @property
    def in_end_matter(self) -> bool:
        return self.end_matter_level is not None

    @property
    def section(self) -> tuple[str, ...]:
        """Heading path; `("Lead",)` before the first heading."""
        return tuple(title for _, title in self.path) or (LEAD_SECTION,)
