"""`audit scan`: many articles at once, for researchers.

`dumps` streams pages out of XML dumps, Enterprise HTML dumps and folders; `run` turns each page
into rows (through the same readers as `audit extract`) serially, in a process pool or on Dask;
`tables` is the documented row schema and its Parquet/CSV writers.
"""
