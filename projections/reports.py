"""Read queries over the read tables (SQL-first, shaped by the question asked)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine

from domain.money import fen_to_yuan
from domain.rules import LAW, RULES

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
    bt = audit.benchmark_facts
    benchmarks = [orjson.loads(r[0]) for r in conn.execute(select(bt.c.facts))]
    return audit.Ctx(
        officers={r[0]: orjson.loads(r[1]) for r in conn.execute(oq)},
        fines={r[0]: orjson.loads(r[1]) for r in conn.execute(fq)},
        unit=None,
        benchmarks={b["matter_code"]: b for b in benchmarks},
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
    return audit.run_rules(f, ctx, audit.EVENT_RULES + audit.TIMED_RULES + audit.CONTEXT_RULES)


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
    ``as_of``, officers' certificates at each act's instant, the officer-level findings
    (A4, A6, A8) and the random inspections' (I1), both with ``case_id`` null."""
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
            computed.extend(audit.run_rules(f, ctx, audit.TIMED_RULES + audit.CONTEXT_RULES))
        for o in (ctx.officers or {}).values():
            computed.extend(audit.officer_findings(o, as_of))
        it = audit.inspection_facts
        iq = select(it.c.facts) if not unit_id else select(it.c.facts).where(it.c.unit_id == unit_id)
        ctx.as_of = as_of
        for (facts,) in conn.execute(iq):
            computed.extend(audit.inspection_findings(orjson.loads(facts), ctx))
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


# ------------------------------------------------------------------ officers (A6, A8, A2)
def officers_report(engine: Engine, unit_id: str | None, as_of: datetime) -> list[dict[str, Any]]:
    """Per officer: certificate state as of ``as_of``, expiry, last validation, training hours
    this year, and acts without a valid certificate."""
    with engine.connect() as conn:
        ctx = _context(conn, unit_id)
        cases = _case_rows(conn, unit_id=unit_id)
    ctx.as_of = as_of
    bad_acts: dict[str, int] = {}
    for f in cases:
        for fd in audit.run_rules(f, ctx, audit.CONTEXT_RULES):
            if fd["officer_id"]:
                bad_acts[fd["officer_id"]] = bad_acts.get(fd["officer_id"], 0) + 1
    out = []
    today = as_of.astimezone(audit.CHINA).date()
    for oid, o in sorted((ctx.officers or {}).items(), key=lambda kv: kv[1]["name"]):
        cert = audit.officer_cert(o, as_of) if o["kind"] != "auxiliary" else None
        hours = sum(tr["hours"] for tr in o["trainings"] if tr["on"][:4] == str(today.year))
        findings = audit.officer_findings(o, as_of)
        required = LAW.training_hours_per_year
        if o["kind"] != "auxiliary" and hours < required:
            findings.append(
                {
                    "rule": "A8",
                    "severity": "info",
                    "message": f"{hours} of {required} training hours so far in {today.year}",
                    "citation": RULES["A8"].citation,
                }
            )
        out.append(
            {
                "officer_id": oid,
                "name": o["name"],
                "unit_id": o["unit_id"],
                "kind": o["kind"],
                "certificate_status": cert.status if cert else "none",
                "certificate_number": cert.number if cert else None,
                "valid_until": cert.valid_until.isoformat() if cert and cert.valid_until else None,
                "last_validation": cert.last_validation.isoformat() if cert and cert.last_validation else None,
                "training_hours": hours,
                "acts_without_valid_certificate": bad_acts.get(oid, 0),
                "findings": findings,
            }
        )
    return out


def officer_acts(engine: Engine, officer_id: str) -> dict[str, Any] | None:
    """Each act of the officer: case, time, type, certificate state at that instant."""
    with engine.connect() as conn:
        row = conn.execute(
            select(audit.officer_facts.c.unit_id).where(audit.officer_facts.c.officer_id == officer_id)
        ).first()
        if row is None:
            return None
        unit_id = row[0]
        ctx = _context(conn, unit_id)
        cases = _case_rows(conn, unit_id=unit_id)
    acts = []
    for f in cases:
        for a, oid, st in audit.acting_checks(f, ctx):
            if oid == officer_id:
                acts.append(
                    {
                        "case_id": f["case_id"],
                        "case_no": f["case_no"],
                        "type": a["type"],
                        "at": a["at"],
                        "version": a["v"],
                        "certificate_status": st.status if st else "auxiliary",
                    }
                )
    acts.sort(key=lambda x: x["at"])
    return {"officer_id": officer_id, "unit_id": unit_id, "acts": acts}


# ------------------------------------------------------------------ fines (D1–D10)
SEPARATION_RULES = frozenset({"D1", "D3", "D4", "D5", "D6", "D9"})
#: the per-fine rows of the fine ledger, in CSV order
FINE_COLUMNS = [
    "fine_id",
    "case_id",
    "unit_id",
    "decision_no",
    "bank",
    "amount",
    "paid",
    "outstanding",
    "void",
    "due_on",
    "overdue",
    "surcharge",
    "cash_not_deposited",
    "remitted_to_treasury",
    "held_by_bank",
    "separation_breaches",
]


def fines_report(engine: Engine, unit_id: str | None, as_of: datetime) -> dict[str, Any]:
    """Per unit and per fine: decided, paid, outstanding, overdue, surcharge (D8), on-the-spot
    cash not yet deposited (D6), what reached the treasury and what the bank still holds (D9),
    and the separation breaches (罚缴分离: D1, D3–D6, D9)."""
    from domain.fine import surcharge_fen

    with engine.connect() as conn:
        ctx = _context(conn, unit_id)
        units = _units(conn)
        cases = _case_rows(conn, unit_id=unit_id)
    today = as_of.astimezone(audit.CHINA).date()
    # Separation breaches (罚缴分离, 收支两条线) per fine: the fine rules' findings of D1, D3–D6, D9.
    breaches: dict[str, list[str]] = {}
    ctx.as_of = as_of
    for case in cases:
        ctx.unit = units.get(case["unit_id"])
        for fd in audit.fine_rules(case, ctx):
            if fd["rule"] in SEPARATION_RULES:
                breaches.setdefault(fd["events"][0]["aggregate_id"], []).append(fd["rule"])
    per_fine = []
    for fid, f in (ctx.fines or {}).items():
        void = bool(f.get("void"))
        outstanding = 0 if void else f["amount_fen"] - f["paid_fen"]
        due = date.fromisoformat(f["due_on"]) if f["due_on"] else None
        defer = date.fromisoformat(f["deferral_until"]) if f["deferral_until"] else None
        overdue = bool(due and outstanding > 0 and today > max(due, defer or due))
        sur = surcharge_fen(
            applies=f["surcharge"],
            amount_fen=f["amount_fen"],
            outstanding_fen=outstanding,
            due_on=due,
            deferral_until=defer,
            as_of=as_of,
            paused=audit.fine_pauses(f),
        )
        cash_pending = sum(c["amount_fen"] for c in f["cash"] if not c["deposited"])
        at_bank = sum(p["amount_fen"] for p in f["payments"]) + sum(
            c["amount_fen"] for c in f["cash"] if c["deposited"]
        )
        remitted = sum(r["amount_fen"] for r in f.get("remittances", []))
        separation = sorted(breaches.get(fid, []))
        per_fine.append(
            {
                "fine_id": fid,
                "case_id": f["case_id"],
                "unit_id": f["unit_id"],
                "decision_no": f["decision_no"],
                "bank": f["bank"],
                "amount": fen_to_yuan(f["amount_fen"]),
                "paid": fen_to_yuan(f["paid_fen"]),
                "outstanding": fen_to_yuan(outstanding),
                "void": void,
                "due_on": f["due_on"],
                "overdue": overdue,
                "surcharge": fen_to_yuan(sur),
                "cash_not_deposited": fen_to_yuan(cash_pending),
                "remitted_to_treasury": fen_to_yuan(remitted),
                "held_by_bank": fen_to_yuan(at_bank - remitted),
                "separation_breaches": separation,
                "_fen": (f["amount_fen"], f["paid_fen"], outstanding, sur, cash_pending, overdue, remitted),
            }
        )
    by_unit: dict[str, dict[str, Any]] = {}
    for x in per_fine:
        a, p, o, s, c, od, r = x.pop("_fen")
        u = by_unit.setdefault(
            x["unit_id"],
            {
                "unit_id": x["unit_id"],
                "unit_code": units.get(x["unit_id"], {}).get("code"),
                "fines": 0,
                "decided": 0,
                "paid": 0,
                "outstanding": 0,
                "overdue": 0,
                "surcharge": 0,
                "cash_not_deposited": 0,
                "remitted_to_treasury": 0,
                "separation_breaches": 0,
            },
        )
        u["fines"] += 1
        u["decided"] += a
        u["paid"] += p
        u["outstanding"] += o
        u["overdue"] += o if od else 0
        u["surcharge"] += s
        u["cash_not_deposited"] += c
        u["remitted_to_treasury"] += r
        u["separation_breaches"] += len(x["separation_breaches"])
    for u in by_unit.values():
        for k in (
            "decided",
            "paid",
            "outstanding",
            "overdue",
            "surcharge",
            "cash_not_deposited",
            "remitted_to_treasury",
        ):
            u[k] = fen_to_yuan(u[k])
    return {
        "as_of": as_of.isoformat(),
        "units": list(by_unit.values()),
        "fines": sorted(per_fine, key=lambda x: x["decision_no"]),
    }


# ------------------------------------------------------------------ public disclosure (G5)
def _mask(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def public_disclosures(engine: Engine, limit: int = 50, cursor: int | None = None) -> dict[str, Any]:
    """Disclosed, not withdrawn penalty decisions, redacted (G5): a person's name is masked and
    no identity number, address or phone is ever published."""
    with engine.connect() as conn:
        units = _units(conn)
        rows = _case_rows(conn)
    items = []
    for f in rows:
        dis, dec = f.get("disclosure"), f.get("decision")
        if not dis or not dec or f.get("withdrawal"):
            continue
        person = f.get("party_kind") == "person"
        unit = units.get(f["unit_id"], {})
        items.append(
            {
                "decision_no": dec["decision_no"],
                "unit": unit.get("name"),
                "unit_code": unit.get("code"),
                "matter_code": f["matter_code"],
                "party": {
                    "kind": f.get("party_kind"),
                    "name": _mask(f.get("party_name") or "") if person else f.get("party_name"),
                },
                "outcome": dec["outcome"],
                "penalties": [
                    {"type": p["type"], **({"amount": fen_to_yuan(p["amount_fen"])} if p.get("amount_fen") else {})}
                    for p in dec["penalties"]
                ],
                "legal_basis": dec.get("legal_basis"),
                "decided_at": dec["at"],
                "published_at": dis["at"],
            }
        )
    items.sort(key=lambda x: (x["published_at"], x["decision_no"]))
    start = cursor or 0
    page = items[start : start + limit]
    return {"items": page, "next_cursor": str(start + limit) if start + limit < len(items) else None}
