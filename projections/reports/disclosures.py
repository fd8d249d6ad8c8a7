"""The public disclosure list (G5): redacted rows, one index range, no token needed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import or_, select, tuple_
from sqlalchemy.engine import Engine

from domain.facts import iso

from ..audit_tables import disclosures as t
from . import cursor as cur


def public_disclosures(
    engine: Engine, *, as_of: datetime, limit: int = 50, cursor: str | None = None
) -> dict[str, Any]:
    """Disclosed, not withdrawn decisions still within their publication period."""
    now = iso(as_of)
    q = select(t.c.case_id, t.c.published_at, t.c.item).where(
        t.c.published_at <= now,
        or_(t.c.withdrawn_at.is_(None), t.c.withdrawn_at > now),
        or_(t.c.stop_at.is_(None), t.c.stop_at > now),
    )
    after = cur.decode(cursor, str, str)
    if after is not None:
        q = q.where(tuple_(t.c.published_at, t.c.case_id) > tuple_(after[0], after[1]))
    q = q.order_by(t.c.published_at, t.c.case_id).limit(limit + 1)
    with engine.connect() as conn:
        rows = list(conn.execute(q))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [orjson.loads(r[2]) for r in rows],
        "next_cursor": cur.encode(rows[-1][1], rows[-1][0]) if more else None,
    }
