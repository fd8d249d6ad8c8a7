"""Read queries over the read tables (SQL-first, shaped by the question asked)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain.money import fen_to_yuan

from .case_index import CaseIndex


def list_cases(engine: Engine, *, unit_id: str | None = None, status: str | None = None,
               matter_code: str | None = None, limit: int = 50,
               cursor: int | None = None) -> dict[str, Any]:
    """Cases in filing order; ``next_cursor`` continues after the last one."""
    t = CaseIndex.cases
    q = select(t).order_by(t.c.filed_position).limit(limit + 1)
    if unit_id:
        q = q.where(t.c.unit_id == unit_id)
    if status:
        q = q.where(t.c.status == status)
    if matter_code:
        q = q.where(t.c.matter_code == matter_code)
    if cursor is not None:
        q = q.where(t.c.filed_position > cursor)
    with engine.connect() as conn:
        rows = list(conn.execute(q).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{
        "id": r["case_id"], "case_no": r["case_no"], "unit_id": r["unit_id"],
        "matter_code": r["matter_code"], "status": r["status"], "procedure": r["procedure"],
        "major": r["major"], "complex": r["complex"], "party_kind": r["party_kind"],
        "party_name": r["party_name"], "filed_at": r["filed_at"].isoformat(),
        "decided_at": r["decided_at"].isoformat() if r["decided_at"] else None,
        "decision_no": r["decision_no"], "fine_id": r["fine_id"],
        "fine": fen_to_yuan(r["fine_fen"]) if r["fine_fen"] is not None else None,
        "imported": r["imported"], "version": r["version"],
    } for r in rows]
    return {"items": items, "next_cursor": str(rows[-1]["filed_position"]) if more else None}
