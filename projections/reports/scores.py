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


def _valid(as_of: datetime) -> Any:
    now = iso(as_of)
    return and_(scores.c.from_at <= now, or_(scores.c.to_at.is_(None), scores.c.to_at > now))


def scorecard_report(
    engine: Engine, unit_id: str, as_of: datetime, limit: int = 500, cursor: str | None = None
) -> dict[str, Any]:
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
        n, avg, failed = conn.execute(totals).one()
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
