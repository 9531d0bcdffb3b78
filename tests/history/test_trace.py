"""Tracing flags through revisions (audit.history.trace): identity, reverts, outcomes, lifetimes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from audit.history.trace import FlagLife, HistoryRevision, RevertWindow, trace_flags
from tests.history.synthetic import (
    ADD_W,
    ADD_X,
    BLANK,
    CITE_Y,
    DELETE_W,
    FIRST_REVID,
    JUNK,
    SIZE,
    bridge_history,
)

START = datetime(2021, 5, 1, tzinfo=timezone.utc)


def history(*texts: str | None, hours: float = 1.0) -> list[HistoryRevision]:
    """Revisions with these texts, `hours` apart, by User0, User1, …"""
    return [
        HistoryRevision(
            revid=100 + index,
            timestamp=(START + timedelta(hours=hours * index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            user=f"User{index}",
            comment=f"edit {index}",
            text=text,
        )
        for index, text in enumerate(texts)
    ]


def only(lives: list[FlagLife]) -> FlagLife:
    assert len(lives) == 1, [(life.claim_text, life.added.index, life.outcome) for life in lives]
    return lives[0]


PARAGRAPH = "Moss grows on the north side of trees. Owls are nocturnal birds."
FLAGGED = "Moss grows on the north side of trees.{{citation needed}} Owls are nocturnal birds."


def test_bridge_history_every_flag_with_its_adder_and_end() -> None:
    lives, stats = trace_flags(bridge_history())
    by_claim = {life.claim_text: life for life in lives}
    assert set(by_claim) == {
        "Its builder was a local mason.",
        "Some say the bridge is haunted.",
        "The bridge was built in 1850.",
        "The river floods every spring.",
    }
    builder = by_claim["Its builder was a local mason."]
    assert (builder.added.index, builder.ended and builder.ended.index) == (0, CITE_Y)
    assert builder.ended is not None and builder.ended.user == "Citer"
    assert (builder.outcome, builder.citation_added) == ("cited", True)
    assert builder.lifetime_revisions == CITE_Y
    assert builder.lifetime_days == pytest.approx(CITE_Y / 24)

    built = by_claim["The bridge was built in 1850."]
    assert built.added.revid == FIRST_REVID + ADD_X and built.added.user == "Adder"
    assert built.added.comment == "needs a source"
    assert (built.outcome, built.ended) == ("open", None)
    assert built.lifetime_revisions == SIZE - ADD_X
    assert built.flag_date == "March 2020" and built.section == "History"

    floods = by_claim["The river floods every spring."]
    assert (floods.added.index, floods.ended and floods.ended.index) == (ADD_W, DELETE_W)
    assert (floods.outcome, floods.citation_added) == ("deleted", False)
    assert floods.flag_template == "fact"

    # The blanking (90→91) and the junk page (120→121) were reverted at once: no flag ended
    # there, and both interruptions are on record.
    assert by_claim["Some say the bridge is haunted."].outcome == "open"
    assert by_claim["Some say the bridge is haunted."].interruptions == 2
    assert stats.blank == 1 and stats.revisions == SIZE
    assert all(not life.ended or life.ended.index not in (BLANK, JUNK) for life in lives)


def test_reworded_claim_without_a_citation_is_reworded() -> None:
    life = only(trace_flags(history(
        FLAGGED, "Moss grows mostly on the north side of old trees. Owls are nocturnal birds."
    ))[0])
    assert (life.outcome, life.ended and life.ended.revid) == ("reworded", 101)


def test_tag_dropped_from_an_unchanged_claim_is_removed() -> None:
    life = only(trace_flags(history(FLAGGED, PARAGRAPH))[0])
    assert (life.outcome, life.citation_added) == ("removed", False)
    assert life.ended is not None and (life.ended.user, life.ended.comment) == ("User1", "edit 1")


def test_reference_directly_after_the_claim_is_cited() -> None:
    cited = "Moss grows on the north side of trees.<ref>Smith 1990, p. 2.</ref> Owls are birds."
    life = only(trace_flags(history(FLAGGED, cited))[0])
    assert (life.outcome, life.citation_added) == ("cited", True)


def test_old_footnote_template_counts_as_a_citation() -> None:
    """Before <ref> (2006), {{ref|name}} marked a footnote: it cites the claim it follows."""
    cited = "Moss grows on the north side of trees. {{ref|smith}} Owls are nocturnal birds."
    life = only(trace_flags(history(FLAGGED, cited))[0])
    assert life.outcome == "cited"


def test_reference_later_in_the_paragraph_is_not_a_citation_of_the_claim() -> None:
    later = "Moss grows on the north side of trees. Owls are nocturnal birds.<ref>Owl book</ref>"
    life = only(trace_flags(history(FLAGGED, later))[0])
    assert life.outcome == "removed"


def test_claim_deleted_with_its_flag_is_deleted() -> None:
    life = only(trace_flags(history(FLAGGED, "Owls are nocturnal birds."))[0])
    assert life.outcome == "deleted"


def test_flag_survives_rewording_template_change_and_bot_dating() -> None:
    lives, _ = trace_flags(history(
        FLAGGED,
        "Moss grows on the north side of most trees.{{fact}} Owls are nocturnal birds.",
        "Moss grows on the north side of most trees.{{fact|date=June 2021}} Owls hunt at night.",
        "Moss grows on the north side of most trees.{{Citation needed|date=June 2021}} Owls.",
    ))
    life = only(lives)
    assert (life.added.index, life.outcome, life.lifetime_revisions) == (0, "open", 4)
    assert life.flag_template == "citation needed" and life.flag_date == "June 2021"
    assert life.claim_text == "Moss grows on the north side of trees."


def test_drop_undone_within_the_window_is_one_flag() -> None:
    """Removed, then restored three revisions later: the removal was reverted."""
    lives, stats = trace_flags(history(FLAGGED, PARAGRAPH, PARAGRAPH + " X.", PARAGRAPH + " Y.",
                                       FLAGGED))
    life = only(lives)
    assert (life.added.index, life.outcome, life.interruptions) == (0, "open", 1)
    assert stats.reverts_undone == 1


def test_drop_outside_the_window_ends_the_flag_and_a_new_one_starts() -> None:
    filler = [PARAGRAPH + f" Filler {n}." for n in range(12)]
    lives, _ = trace_flags(history(FLAGGED, *filler, FLAGGED + " New.", hours=3))
    assert [(life.added.index, life.outcome) for life in lives] == [(0, "removed"), (13, "open")]


def test_window_is_revisions_or_hours_whichever_is_longer() -> None:
    filler = [PARAGRAPH + f" Filler {n}." for n in range(12)]
    back = FLAGGED + " New."  # not the first text again: no identity revert here
    # 12 revisions away but only 12 minutes: still within the 24-hour window.
    lives, _ = trace_flags(history(FLAGGED, *filler, back, hours=1 / 60))
    assert len(lives) == 1 and lives[0].interruptions == 1
    # Tighter window: 2 revisions and 0 hours → the drop is final.
    lives, _ = trace_flags(history(FLAGGED, *filler, back, hours=1 / 60),
                           window=RevertWindow(revisions=2, hours=0))
    assert len(lives) == 2


def test_identity_revert_at_any_distance_restores_the_same_flag() -> None:
    """A revert to the exact text of a month ago brings back the flags of that text."""
    filler = [PARAGRAPH + f" Filler {n}." for n in range(20)]
    lives, stats = trace_flags(history(FLAGGED, *filler, FLAGGED, hours=36))
    life = only(lives)
    assert (life.added.index, life.outcome, life.lifetime_revisions) == (0, "open", 22)
    assert stats.reverts_undone == 1


def test_hidden_text_neither_starts_nor_ends_a_flag() -> None:
    lives, stats = trace_flags(history(FLAGGED, None, None, FLAGGED + " More.", PARAGRAPH))
    life = only(lives)
    assert (life.added.index, life.ended and life.ended.index, life.outcome) == (0, 4, "removed")
    assert stats.hidden == 2


def test_hidden_user_and_comment_are_null_not_an_error() -> None:
    revisions = history(PARAGRAPH, FLAGGED)
    revisions[1] = HistoryRevision(revisions[1].revid, revisions[1].timestamp, None, None,
                                   FLAGGED)
    life = only(trace_flags(revisions)[0])
    assert (life.added.user, life.added.comment) == (None, None)


def test_two_flags_of_one_type_on_one_claim_are_two_flags() -> None:
    double = "Moss grows on trees{{cn}} in the north.{{cn}} Owls are nocturnal birds."
    single = "Moss grows on trees in the north.{{cn}} Owls are nocturnal birds."
    lives, _ = trace_flags(history(double, single))
    assert sorted(life.outcome for life in lives) == ["open", "removed"]


def test_every_catalogue_type_is_traced() -> None:
    text = ("Moss grows on the north side of trees.{{dubious}} Owls are nocturnal{{who?}} birds "
            "said by many.{{weasel-inline}}")
    lives, _ = trace_flags(history(text, PARAGRAPH))
    assert sorted(life.flag_type for life in lives) == ["dubious", "weasel-words", "who"]


def test_glued_sentence_keeps_its_flag() -> None:
    """Vandalism that eats a space glues two sentences; the flag is still the same flag."""
    glued = "Moss grows on the north side of trees.{{citation needed}}Owls are nocturnal birds."
    lives, _ = trace_flags(history(FLAGGED, glued, FLAGGED))
    assert len(lives) == 1 and lives[0].interruptions == 0


def test_empty_history() -> None:
    assert trace_flags([]) == ([], trace_flags([])[1])
    assert trace_flags([])[1].revisions == 0
