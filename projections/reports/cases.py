"""The case list (the case index) and one case's audit (stages, findings, score) as of a moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain.facts import iso
from domain.money import fen_to_yuan
from domain.rulebook import stages

from .. import scorecard
from ..audit_tables import facts
from ..case_index import CaseIndex
from . import findings as fr


def list_cases(
    engine: Engine,
    *,
    unit_id: str | None = None,
    status: str | None = None,
    matter_code: str | None = None,
    limit: int = 50,
    cursor: int | None = None,
) -> dict[str, Any]:
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
    items = [
        {
            "id": r["case_id"],
            "case_no": r["case_no"],
            "unit_id": r["unit_id"],
            "matter_code": r["matter_code"],
            "status": r["status"],
            "procedure": r["procedure"],
            "major": r["major"],
            "complex": r["complex"],
            "party_kind": r["party_kind"],
            "party_name": r["party_name"],
            "filed_at": r["filed_at"].isoformat(),
            "decided_at": r["decided_at"].isoformat() if r["decided_at"] else None,
            "decision_no": r["decision_no"],
            "fine_id": r["fine_id"],
            "fine": fen_to_yuan(r["fine_fen"]) if r["fine_fen"] is not None else None,
            "imported": r["imported"],
            "version": r["version"],
        }
        for r in rows
    ]
    return {"items": items, "next_cursor": str(rows[-1]["filed_position"]) if more else None}


def load(engine: Engine, kind: str, sid: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        r = conn.execute(select(facts.c.facts).where(facts.c.kind == kind, facts.c.id == sid)).first()
    return orjson.loads(r[0]) if r else None


def case_audit(engine: Engine, case_id: str, as_of: datetime) -> dict[str, Any] | None:
    """Stages as the record stood at ``as_of``, the findings then, and the case-file score."""
    f = load(engine, "case", case_id)
    if f is None or f["filed"]["rec"] > iso(as_of):
        return None
    unit = load(engine, "unit", f["unit_id"]) or {}
    found = fr.of_case(engine, case_id, as_of)
    within = not unit.get("matters") or f["matter_code"] in unit["matters"]
    return {
        "case_id": case_id,
        "unit_id": f["unit_id"],
        "case_no": f["case_no"],
        "as_of": iso(as_of),
        "stages": [{k: s[k] for k in ("stage", "present", "at", "required")} for s in stages(f, known_by=iso(as_of))],
        "findings": found,
        "score": scorecard.score(found, within),
    }


def units(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every unit's facts, by id (a few hundred at most: one read)."""
    with engine.connect() as conn:
        return {
            i: orjson.loads(d) for i, d in conn.execute(select(facts.c.id, facts.c.facts).where(facts.c.kind == "unit"))
        }


def officer_names(engine: Engine, unit_id: str | None = None) -> dict[str, str]:
    q = select(facts.c.id, facts.c.facts).where(facts.c.kind == "officer")
    if unit_id:
        q = q.where(facts.c.unit_id == unit_id)
    with engine.connect() as conn:
        return {i: orjson.loads(d)["name"] for i, d in conn.execute(q)}


def officers_of(engine: Engine, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The facts of the named officers."""
    if not ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(facts.c.id, facts.c.facts).where(facts.c.kind == "officer", facts.c.id.in_(ids)))
        return {i: orjson.loads(d) for i, d in rows}
