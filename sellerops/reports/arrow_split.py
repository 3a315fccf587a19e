"""Splitting a report's rows with Arrow's CSV reader: the fast path of `read.read_report`.

`read.py` decides how a file is decoded and finds its lines and blank lines from the bytes; its
pandas path counts every line's fields, then tokenizes the rows into one Python string per field
before factorizing each column. Arrow's reader tokenizes straight into dictionary-encoded columns, so
Python strings are made only for the distinct values. Its reading equals pandas' where every row
(blank lines aside) has exactly the header's number of fields, and it refuses any other row (a short
or long row, which pandas pads or cuts): such a file goes the pandas way, which stays the
reference. The equivalence of the two is tested field by field in
tests/sellerops/reports/test_arrow_split.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

# The rows are read this many bytes (then to a line end) at a time: text in cp932 or ISO-8859-1 is
# transcoded piece by piece, so no copy of the whole file is made, and Arrow's buffers stay small.
_PIECE_BYTES = 1 << 23
# Arrow parses a block at a time; a line longer than a block makes it fail (and the pandas path
# reads the file instead). Larger than a piece, so a piece is one block.
BLOCK_BYTES = 1 << 24


def utf8_rows(body: bytes, start: int, pyenc: str) -> Iterator[bytes | memoryview]:
    """The lines of `body` (text in `pyenc`, known to decode) from byte `start` on, as UTF-8 in
    pieces cut at line ends (no byte of a cp932 character is a line feed); UTF-8 is not copied."""
    view = memoryview(body)
    at = start
    while at < len(body):
        cut = body.find(b"\n", at + _PIECE_BYTES)
        end = len(body) if cut < 0 else cut + 1
        yield view[at:end] if pyenc == "utf-8" else body[at:end].decode(pyenc).encode("utf-8")
        at = end


def columns(pieces: Iterable[bytes | memoryview], ncols: int, rows: int
            ) -> Iterator[tuple[np.ndarray, list[str]]] | None:
    """Each of the `ncols` columns of the rows in the UTF-8 `pieces` (each ends at a line end; blank
    lines skipped) as (codes, distinct values): codes int32, -1 where the field is "" or " ", values
    in order of first appearance. None where Arrow cannot split the rows or finds other than `rows`."""
    import pyarrow as pa
    import pyarrow.csv as csv

    names = [str(i) for i in range(ncols)]
    text = pa.dictionary(pa.int32(), pa.string())
    # the C allocator, which pandas and NumPy use too: Arrow's own pool keeps what is freed, so the
    # columns freed one by one would not make room for the frame built from them (+100 MB at 200 MB)
    pool = pa.system_memory_pool()
    options = dict(
        # one thread: the work is the same, threads only spend CPU the other processes need
        read_options=csv.ReadOptions(column_names=names, use_threads=False, block_size=BLOCK_BYTES),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False, escape_char=False,
                                       newlines_in_values=False, ignore_empty_lines=True),
        convert_options=csv.ConvertOptions(column_types=dict.fromkeys(names, text), null_values=["", " "],
                                           strings_can_be_null=True, quoted_strings_can_be_null=False),
        memory_pool=pool,
    )
    try:
        tables = [csv.read_csv(pa.py_buffer(piece), **options) for piece in pieces if len(piece)]
    except pa.ArrowInvalid:  # e.g. a line longer than a block
        return None
    if sum(t.num_rows for t in tables) != rows:
        return None
    columns = pa.concat_tables(tables).columns  # the pieces' chunks, in order, not copied
    del tables
    return _converted(columns, pool)


def _converted(parts: list, pool) -> Iterator[tuple[np.ndarray, list[str]]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    for i in range(len(parts)):
        # chunks in file order: the unified dictionary keeps the values in order of first appearance
        column = parts[i].unify_dictionaries(memory_pool=pool).combine_chunks(memory_pool=pool)
        parts[i] = None  # each column's Arrow buffers go as soon as it is converted
        codes = pc.coalesce(column.indices, pa.scalar(-1, pa.int32()), memory_pool=pool)  # blank: -1
        yield codes.to_numpy(), column.dictionary.to_pylist()
