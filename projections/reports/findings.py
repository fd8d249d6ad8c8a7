"""Findings as of any moment: one index range over the stored intervals (``since`` ≤ T and
``until`` null or > T), filtered by rule, unit, officer, severity, case, detection dates."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.engine import Engine

from domain.facts import iso
from domain.rules import RULES

from ..audit_tables import findings as t
from . import cursor as cur

#: the order findings became known, and a unique key for pages
ORDER = (t.c.since, t.c.subject_id, t.c.fkey)
COLUMNS = [
    "rule",
    "severity",
    "case_id",
    "inspection_id",
    "unit_id",
    "officer_id",
    "message",
    "citation",
    "events",
    "detected_at",
]


#: the CSV's columns that may hold text a spreadsheet could run (the rule, severity, citation,
#: the events' JSON and the detection time are the system's own)
CSV_TEXT = tuple(COLUMNS.index(c) for c in ("case_id", "inspection_id", "unit_id", "officer_id", "message"))
FIRST_CHUNK = 500  # rows: an export's first chunk (then ``chunk`` at a time)


def as_of_clause(as_of: datetime) -> Any:
    now = iso(as_of)
    return and_(t.c.since <= now, or_(t.c.until.is_(None), t.c.until > now))


def _query(
    as_of: datetime,
    *,
    rule: str | None = None,
    unit_id: str | None = None,
    officer_id: str | None = None,
    severity: str | None = None,
    case_id: str | None = None,
    subject_id: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> Select[Any]:
    q = select(t).where(as_of_clause(as_of))
    for col, value in (
        (t.c.rule, rule),
        (t.c.unit_id, unit_id),
        (t.c.officer_id, officer_id),
        (t.c.severity, severity),
        (t.c.case_id, case_id),
        (t.c.subject_id, subject_id),
    ):
        if value is not None:
            q = q.where(col == value)
    if from_ is not None:
        q = q.where(t.c.since >= iso(from_))
    if to is not None:
        q = q.where(t.c.since <= iso(to))
    return q


#: a finding's columns as read (``COLUMNS`` without the citation, looked up), then the cursor's key
_READ = (t.c.rule, t.c.severity, t.c.case_id, t.c.inspection_id, t.c.unit_id, t.c.officer_id, t.c.message, t.c.events)
_CITATION = {r: x.citation for r, x in RULES.items()}


def select_as_of(as_of: datetime, **filters: Any) -> Select[Any]:
    """The findings as of ``as_of`` (filtered), as ``item`` and ``values`` read them."""
    return _query(as_of, **filters).with_only_columns(*_READ, *ORDER)


def values(r: Any) -> list[Any]:
    """A finding read by ``_select`` as values in ``COLUMNS`` order, the events as their stored
    JSON text: a CSV line is this; the API's item is this with the events as JSON (``item``)."""
    return [*r[:7], _CITATION[r[0]], r[7], r[8]]


def item(r: Any) -> dict[str, Any]:
    """A finding as the API answers it."""
    v = values(r)
    v[8] = orjson.loads(v[8])
    return dict(zip(COLUMNS, v, strict=True))


def findings_page(
    engine: Engine, *, as_of: datetime, limit: int = 500, cursor: str | None = None, **filters: Any
) -> dict[str, Any]:
    """One page of the findings as of ``as_of``, in the order they became known."""
    q = select_as_of(as_of, **filters)
    after = cur.decode(cursor, str, str, str)
    if after is not None:
        q = q.where(tuple_(*ORDER) > tuple_(*after))
    q = q.order_by(*ORDER).limit(limit + 1)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [item(r) for r in rows],
        "next_cursor": cur.encode(*rows[-1][8:11]) if more else None,
    }


def _chunks(engine: Engine, as_of: datetime, chunk: int, **filters: Any) -> Iterator[Sequence[Any]]:
    """The findings a chunk at a time; the first chunk is smaller, so an export starts sooner."""
    key: tuple[str, ...] | None = None
    size = min(chunk, FIRST_CHUNK)
    while True:
        q = select_as_of(as_of, **filters)
        if key is not None:
            q = q.where(tuple_(*ORDER) > tuple_(*key))
        q = q.order_by(*ORDER).limit(size)
        with engine.connect() as conn:
            rows = conn.execute(q).all()
        yield rows
        if len(rows) < size:
            return
        key = tuple(rows[-1][8:11])
        size = chunk


def findings_all(engine: Engine, *, as_of: datetime, chunk: int = 5000, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every finding as of ``as_of``, read a chunk at a time."""
    for rows in _chunks(engine, as_of, chunk, **filters):
        yield from map(item, rows)


def findings_values(engine: Engine, *, as_of: datetime, chunk: int = 5000, **filters: Any) -> Iterator[list[list[Any]]]:
    """Every finding as of ``as_of`` as ``values``, a chunk at a time (the CSV export, in
    constant memory)."""
    for rows in _chunks(engine, as_of, chunk, **filters):
        yield [values(r) for r in rows]


def of_case(engine: Engine, case_id: str, as_of: datetime) -> list[dict[str, Any]]:
    """The findings about a case and its fine as of ``as_of`` (one index range)."""
    q = select_as_of(as_of, case_id=case_id).order_by(*ORDER)
    with engine.connect() as conn:
        return [item(r) for r in conn.execute(q)]


#: counts as of now, by (engine, question, filters, projection version and position): a count
#: changes only when the projection moves or when "now" reaches a finding's ``since`` or
#: ``until``; each answer is kept with the first such moment after it was counted
_COUNTS: OrderedDict[tuple[Any, ...], tuple[Any, str, str | None]] = OrderedDict()
_COUNTS_LOCK = threading.Lock()
_COUNTS_KEPT = 256


class ReadOnce:
    """A projection's view whose position is read once: a request that keys two cached
    answers by it (the fines' sums and their breaches) reads it one time, not twice."""

    def __init__(self, view: Any) -> None:
        self.name, self.version, self._at = view.name, view.version, view.position()

    def position(self) -> int:
        return self._at


def next_change(conn: Any, now: str, start: Any = t.c.since, end: Any = t.c.until) -> str | None:
    """The first moment after ``now`` at which any row of intervals (``start``, ``end``)
    starts or ends to hold (two index probes), None if none will: findings by default."""
    starts = conn.execute(select(func.min(start)).where(start > now)).scalar()
    ends = conn.execute(select(func.min(end)).where(end > now)).scalar()
    return min((x for x in (starts, ends) if x is not None), default=None)


def _counts(conn: Any, q: Any) -> dict[Any, int]:
    return {k: int(n) for k, n in conn.execute(q)}


def counted(
    what: str,
    engine: Engine,
    as_of: datetime,
    current: Any,
    filters: dict[str, Any],
    q: Any,
    answer: Callable[[Any, Any], Any] = _counts,
    change: Callable[[Any, str], str | None] = next_change,
) -> Any:
    """``answer(conn, q)`` (the counts of ``q``) as of ``as_of``; with ``current`` (the audit
    view, when ``as_of`` is now) kept until the projection moves or ``change`` says a row
    starts or ends to hold (findings by default)."""
    now = iso(as_of)
    if current is None:
        with engine.connect() as conn:
            return answer(conn, q)
    key = (id(engine), what, tuple(sorted(filters.items())), current.name, current.version, current.position())
    with _COUNTS_LOCK:
        held = _COUNTS.get(key)
    if held is not None:
        value, counted_at, until = held
        if counted_at <= now and (until is None or now < until):
            return copy.copy(value)
    with engine.connect() as conn:
        value = answer(conn, q)
        until = change(conn, now)
    with _COUNTS_LOCK:
        _COUNTS[key] = (value, now, until)
        while len(_COUNTS) > _COUNTS_KEPT:
            _COUNTS.popitem(last=False)
    return copy.copy(value)


def counts_by_rule(engine: Engine, *, as_of: datetime, current: Any = None, **filters: Any) -> dict[str, int]:
    """How many findings each rule has as of ``as_of`` (an SQL aggregate). ``current``: the
    audit projection's view when ``as_of`` is now (see ``counted``)."""
    base = _query(as_of, **filters).subquery()
    q = select(base.c.rule, func.count()).group_by(base.c.rule)
    return counted("rule", engine, as_of, current, filters, q)  # type: ignore[no-any-return]


def counts_by_month(engine: Engine, *, as_of: datetime, current: Any = None, **filters: Any) -> dict[str, int]:
    """How many findings became known in each month (YYYY-MM, China time) as of ``as_of``."""
    base = _query(as_of, **filters).subquery()
    month = func.substr(base.c.since, 1, 7)
    q = select(month, func.count()).group_by(month)
    return counted("month", engine, as_of, current, filters, q)  # type: ignore[no-any-return]
