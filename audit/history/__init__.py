"""Every inline flag through an article's history: `audit history` (dumps) and `audit blame` (API).

`dump` streams revisions out of pages-meta-history dumps; `revision_flags` reads the flags and
claims of one revision's wikitext; `trace` follows each flag from the revision that added it to
the one that ended it; `table` is the flag_history row schema; `blame` does the same for one live
article by bisecting its revisions through the `WikiClient`.
"""
