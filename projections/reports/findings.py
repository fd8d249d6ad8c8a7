"""Findings as of any moment: one index range over the stored intervals (``since`` ≤ T and
``until`` null or > T), filtered by rule, unit, officer, severity, case, detection dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.engine import Engine, RowMapping

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


def row(r: RowMapping, events: Any = None) -> dict[str, Any]:
    """A finding as the API answers it (``events``: the stored JSON text instead, for CSV)."""
    return {
        "rule": r["rule"],
        "severity": r["severity"],
        "case_id": r["case_id"],
        "inspection_id": r["inspection_id"],
        "unit_id": r["unit_id"],
        "officer_id": r["officer_id"],
        "message": r["message"],
        "citation": RULES[r["rule"]].citation,
        "events": orjson.loads(r["events"]) if events is None else events,
        "detected_at": r["since"],
    }


def csv_row(r: RowMapping) -> dict[str, Any]:
    """A finding as a CSV line reads it: the events as their stored JSON text."""
    return row(r, r["events"])


def findings_page(
    engine: Engine, *, as_of: datetime, limit: int = 500, cursor: str | None = None, **filters: Any
) -> dict[str, Any]:
    """One page of the findings as of ``as_of``, in the order they became known."""
    q = _query(as_of, **filters)
    after = cur.decode(cursor, str, str, str)
    if after is not None:
        q = q.where(tuple_(t.c.since, t.c.subject_id, t.c.fkey) > tuple_(*after))
    q = q.order_by(*ORDER).limit(limit + 1)
    with engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [row(r) for r in rows],
        "next_cursor": cur.encode(*(rows[-1][c.name] for c in ORDER)) if more else None,
    }


def findings_all(
    engine: Engine, *, as_of: datetime, chunk: int = 5000, for_csv: bool = False, **filters: Any
) -> Iterator[dict[str, Any]]:
    """Every finding as of ``as_of``, read a chunk at a time (for CSV exports in constant memory;
    ``for_csv``: the events as their stored JSON text, which is what the CSV cell holds)."""
    shape = csv_row if for_csv else row
    key: tuple[str, ...] | None = None
    while True:
        q = _query(as_of, **filters)
        if key is not None:
            q = q.where(tuple_(*ORDER) > tuple_(*key))
        q = q.order_by(*ORDER).limit(chunk)
        with engine.connect() as conn:
            rows = list(conn.execute(q).mappings())
        for r in rows:
            yield shape(r)
        if len(rows) < chunk:
            return
        key = tuple(rows[-1][c.name] for c in ORDER)


def of_case(engine: Engine, case_id: str, as_of: datetime) -> list[dict[str, Any]]:
    """The findings about a case and its fine as of ``as_of`` (one index range)."""
    q = _query(as_of, case_id=case_id).order_by(*ORDER)
    with engine.connect() as conn:
        return [row(r) for r in conn.execute(q).mappings()]


def counts_by_rule(engine: Engine, *, as_of: datetime, **filters: Any) -> dict[str, int]:
    """How many findings each rule has as of ``as_of`` (an SQL aggregate)."""
    base = _query(as_of, **filters).subquery()
    q = select(base.c.rule, func.count()).group_by(base.c.rule)
    with engine.connect() as conn:
        return {r: int(n) for r, n in conn.execute(q)}


def counts_by_month(engine: Engine, *, as_of: datetime, **filters: Any) -> dict[str, int]:
    """How many findings became known in each month (YYYY-MM, China time) as of ``as_of``."""
    base = _query(as_of, **filters).subquery()
    month = func.substr(base.c.since, 1, 7)
    q = select(month, func.count()).group_by(month)
    with engine.connect() as conn:
        return {m: int(n) for m, n in conn.execute(q)}
