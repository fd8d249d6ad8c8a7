"""CSV exports, streamed a row at a time; cells that a spreadsheet would run as a formula
(beginning with = + - @) are neutralised with a leading apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        v = orjson.dumps(v).decode()
    if isinstance(v, str) and v.startswith(FORMULA):
        return "'" + v
    return v


def stream(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for i, r in enumerate(rows):
        w.writerow([cell(r.get(c)) for c in columns])
        if i % 200 == 199:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def to_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    return "".join(stream(rows, columns))
