"""Read queries over the read tables (SQL-first, shaped by the question asked)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain.money import fen_to_yuan
from domain.rules import RULES

from . import audit, scorecard
from .case_index import CaseIndex


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


# ------------------------------------------------------------------ audits
def _context(conn: Any, unit_id: str | None) -> audit.Ctx:
    ot, ft = audit.officer_facts, audit.fine_facts
    oq, fq = select(ot.c.officer_id, ot.c.facts), select(ft.c.fine_id, ft.c.facts)
    if unit_id:
        oq, fq = oq.where(ot.c.unit_id == unit_id), fq.where(ft.c.unit_id == unit_id)
    return audit.Ctx(
        officers={r[0]: orjson.loads(r[1]) for r in conn.execute(oq)},
        fines={r[0]: orjson.loads(r[1]) for r in conn.execute(fq)},
        unit=None,
    )


def _units(conn: Any) -> dict[str, dict[str, Any]]:
    return {
        r[0]: orjson.loads(r[1]) for r in conn.execute(select(audit.unit_facts.c.unit_id, audit.unit_facts.c.facts))
    }


def _case_rows(conn: Any, unit_id: str | None = None, case_id: str | None = None) -> list[dict[str, Any]]:
    t = audit.case_facts
    q = select(t.c.facts)
    if unit_id:
        q = q.where(t.c.unit_id == unit_id)
    if case_id:
        q = q.where(t.c.case_id == case_id)
    return [orjson.loads(r[0]) for r in conn.execute(q)]


def _all_findings(f: dict[str, Any], ctx: audit.Ctx) -> list[dict[str, Any]]:
    return audit.run_rules(f, ctx, audit.EVENT_RULES + audit.TIMED_RULES + audit.OFFICER_RULES)


def case_audit(engine: Engine, case_id: str, as_of: datetime) -> dict[str, Any] | None:
    with engine.connect() as conn:
        rows = _case_rows(conn, case_id=case_id)
        if not rows:
            return None
        f = rows[0]
        ctx = _context(conn, f["unit_id"])
        unit = _units(conn).get(f["unit_id"], {})
    ctx.as_of, ctx.unit = as_of, unit
    found = _all_findings(f, ctx)
    within = not unit.get("matters") or f["matter_code"] in unit["matters"]
    return {
        "case_id": case_id,
        "unit_id": f["unit_id"],
        "case_no": f["case_no"],
        "stages": [{k: s[k] for k in ("stage", "present", "at", "required")} for s in audit.stages(f)],
        "findings": found,
        "score": scorecard.score(found, within),
    }


def findings_report(
    engine: Engine,
    *,
    as_of: datetime,
    rule: str | None = None,
    unit_id: str | None = None,
    officer_id: str | None = None,
    severity: str | None = None,
    from_: datetime | None = None,
    to: datetime | None = None,
) -> list[dict[str, Any]]:
    """Stored findings (from the events alone) plus those computed now: deadlines passed by
    ``as_of`` and officers' certificates at each act's instant."""
    t = audit.findings
    q = select(t).order_by(t.c.case_id, t.c.seq)
    if unit_id:
        q = q.where(t.c.unit_id == unit_id)
    if rule:
        q = q.where(t.c.rule == rule)
    if severity:
        q = q.where(t.c.severity == severity)
    if officer_id:
        q = q.where(t.c.officer_id == officer_id)
    with engine.connect() as conn:
        stored = [
            {
                "rule": r["rule"],
                "severity": r["severity"],
                "case_id": r["case_id"],
                "unit_id": r["unit_id"],
                "officer_id": r["officer_id"],
                "message": r["message"],
                "citation": RULES[r["rule"]].citation,
                "events": orjson.loads(r["events"]),
                "detected_at": r["detected_at"],
            }
            for r in conn.execute(q).mappings()
        ]
        ctx = _context(conn, unit_id)
        units = _units(conn)
        computed: list[dict[str, Any]] = []
        for f in _case_rows(conn, unit_id=unit_id):
            ctx.as_of, ctx.unit = as_of, units.get(f["unit_id"])
            computed.extend(audit.run_rules(f, ctx, audit.TIMED_RULES + audit.OFFICER_RULES))
    computed = [
        c
        for c in computed
        if (not rule or c["rule"] == rule)
        and (not severity or c["severity"] == severity)
        and (not officer_id or c["officer_id"] == officer_id)
    ]
    out = stored + computed
    if from_:
        out = [x for x in out if datetime.fromisoformat(x["detected_at"]) >= from_]
    if to:
        out = [x for x in out if datetime.fromisoformat(x["detected_at"]) <= to]
    return out


def scorecard_report(engine: Engine, unit_id: str, as_of: datetime) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = _case_rows(conn, unit_id=unit_id)
        ctx = _context(conn, unit_id)
        unit = _units(conn).get(unit_id, {})
    ctx.as_of, ctx.unit = as_of, unit
    cases = []
    for f in rows:
        if not (f["closure"] or f["archive"]):
            continue
        found = _all_findings(f, ctx)
        within = not unit.get("matters") or f["matter_code"] in unit["matters"]
        cases.append({"case_id": f["case_id"], "case_no": f["case_no"], **scorecard.score(found, within)})
    totals = [c["total"] for c in cases]
    return {
        "unit_id": unit_id,
        "as_of": as_of.isoformat(),
        "cases": cases,
        "average": round(sum(totals) / len(totals), 1) if totals else None,
        "failed": sum(1 for c in cases if c["grade"] == "不合格"),
    }


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow(
            [orjson.dumps(r.get(c)).decode() if isinstance(r.get(c), (list, dict)) else r.get(c) for c in columns]
        )
    return buf.getvalue()
