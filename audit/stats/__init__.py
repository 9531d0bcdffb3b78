"""`audit stats`: aggregates over `audit scan` tables, for researchers.

`inputs` finds and checks the tables of scan directories; `tally` is the small counting record;
`aggregate` computes flag rates, ages, outcomes, grades and domains in batches (pyarrow).
"""
