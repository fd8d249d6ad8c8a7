"""CSV exports, streamed a row at a time; cells that a spreadsheet would run as a formula
(beginning with = + - @) are neutralised with a leading apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

FORMULA = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset(FORMULA)  # each is one character: a cell is neutralised by its first
ROWS_PER_CHUNK = 1000


def cell(v: Any) -> Any:
    t = type(v)
    if t is list or t is dict:
        v = orjson.dumps(v).decode()
    elif t is not str:
        return v
    return "'" + v if v and v[0] in _FIRST else v


def stream(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    write = w.writerow
    n = 0
    for r in rows:
        get = r.get
        write([cell(get(c)) for c in columns])
        n += 1
        if n == ROWS_PER_CHUNK:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            n = 0
    yield buf.getvalue()


def stream_values(
    chunks: Iterable[list[list[Any]]],
    columns: list[str],
    *,
    text: Sequence[int] | None = None,
    as_json: Sequence[int] = (),
) -> Iterator[str]:
    """CSV of rows given as lists of values in column order, a chunk at a time (the exports of
    many rows). ``text``: the columns that may hold text (all if None), neutralised as in
    ``cell``; ``as_json``: the columns of lists or dicts, written as JSON.

    The text is what ``csv.writer`` writes in its default dialect, at a fraction of its cost: a
    row is joined with commas as it is; only a row whose line would then hold a quote, a line
    break or more commas than separators has its cells quoted (a cell with a quote, a comma or
    a line break goes in quotes, its quotes doubled)."""
    buf = io.StringIO()
    csv.writer(buf).writerow(columns)
    yield buf.getvalue()
    first = _FIRST
    checked = range(len(columns)) if text is None else text
    dumps = orjson.dumps
    separators = len(columns) - 1
    for chunk in chunks:
        lines = []
        add = lines.append
        for r in chunk:
            for i in checked:
                v = r[i]
                if v and type(v) is str and v[0] in first:
                    r[i] = "'" + v
            for i in as_json:
                v = r[i]
                r[i] = "[]" if type(v) is list and not v else dumps(v).decode()
            cells = [v if type(v) is str else "" if v is None else str(v) for v in r]
            line = ",".join(cells)
            if line.count(",") != separators or '"' in line or "\n" in line or "\r" in line:
                line = ",".join(
                    [
                        '"' + v.replace('"', '""') + '"' if '"' in v or "," in v or "\n" in v or "\r" in v else v
                        for v in cells
                    ]
                )
            elif not line:  # one empty cell: the writer quotes it
                line = '""'
            add(line)
        if lines:
            lines.append("")
            yield "\r\n".join(lines)


def to_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    return "".join(stream(rows, columns))
