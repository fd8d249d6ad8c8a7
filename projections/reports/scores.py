"""A unit's case-file scores (案卷评查, RULES.md K) as of a moment: closed cases a page at a
time, and the unit's average and failures by SQL aggregation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from domain.facts import iso

from ..audit_tables import scores
from . import cursor as cur
from .findings import counted, next_change


def _valid(as_of: datetime) -> Any:
    now = iso(as_of)
    return and_(scores.c.from_at <= now, or_(scores.c.to_at.is_(None), scores.c.to_at > now))


def _totals(conn: Any, q: Any) -> tuple[int, Any, Any]:
    return tuple(conn.execute(q).one())  # type: ignore[return-value]


def _next_change(conn: Any, now: str) -> str | None:
    return next_change(conn, now, scores.c.from_at, scores.c.to_at)


def scorecard_report(
    engine: Engine,
    unit_id: str,
    as_of: datetime,
    limit: int = 500,
    cursor: str | None = None,
    current: Any = None,
) -> dict[str, Any]:
    """A page of the unit's closed cases' scores as of ``as_of``, and the unit's count, average
    and failures (``current``: the audit view when ``as_of`` is now; the totals are then kept
    until the projection moves or a score row starts or ends)."""
    q = select(scores).where(scores.c.unit_id == unit_id, _valid(as_of))
    after = cur.decode(cursor, str)
    if after is not None:
        q = q.where(scores.c.case_id > after[0])
    q = q.order_by(scores.c.case_id).limit(limit + 1)
    totals = select(func.count(), func.avg(scores.c.total), func.sum(scores.c.failed)).where(
        scores.c.unit_id == unit_id, _valid(as_of)
    )
    with engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
    n, avg, failed = counted("scores", engine, as_of, current, {"unit_id": unit_id}, totals, _totals, _next_change)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "unit_id": unit_id,
        "as_of": iso(as_of),
        "cases": [{"case_id": r["case_id"], "case_no": r["case_no"], **orjson.loads(r["score"])} for r in rows],
        "next_cursor": cur.encode(rows[-1]["case_id"]) if more else None,
        "count": int(n or 0),
        "average": round(float(avg), 1) if n else None,
        "failed": int(failed or 0),
    }
