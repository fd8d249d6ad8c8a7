"""The fine ledger as of a moment (D1–D10): per unit by SQL aggregation over the ledger rows,
per fine a page at a time; principal and surcharge apart."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.engine import Engine

from domain.facts import day, iso
from domain.money import fen_to_yuan

from ..audit_tables import facts, findings, ledger
from . import cursor as cur
from . import findings as fr

#: the separation breaches (罚缴分离、收支两条线)
SEPARATION_RULES = ("D1", "D3", "D4", "D5", "D6", "D9")
#: the per-fine rows of the fine ledger, in CSV order
FINE_COLUMNS = [
    "fine_id",
    "case_id",
    "unit_id",
    "decision_no",
    "bank",
    "amount",
    "paid",
    "surcharge_paid",
    "outstanding",
    "refund_due",
    "void",
    "due_on",
    "overdue",
    "surcharge",
    "surcharge_due",
    "cash_not_deposited",
    "remitted_to_treasury",
    "held_by_bank",
    "separation_breaches",
]
#: the CSV's columns that may hold text (ids, numbers, money, dates), and the one of lists
CSV_TEXT = tuple(i for i, c in enumerate(FINE_COLUMNS) if c not in ("void", "overdue", "separation_breaches"))
CSV_JSON = (FINE_COLUMNS.index("separation_breaches"),)
_MONEY = (
    "decided",
    "paid",
    "surcharge_paid",
    "outstanding",
    "overdue",
    "surcharge",
    "cash_not_deposited",
    "remitted_to_treasury",
)


def _valid(as_of: datetime) -> ColumnElement[bool]:
    now = iso(as_of)
    return and_(ledger.c.from_at <= now, or_(ledger.c.to_at.is_(None), ledger.c.to_at > now))


def surcharge_expr(today: int) -> ColumnElement[Any]:
    """The surcharge accrued by ``today`` (an ordinal) from a ledger row, capped at the fine."""
    days = case((literal(today) > ledger.c.anchor_day, literal(today) - ledger.c.anchor_day), else_=0)
    raw = (ledger.c.accrued_milli + ledger.c.rate_milli * days) / 1000
    return case((raw > ledger.c.amount_fen, ledger.c.amount_fen), else_=raw)


def _overdue(today: int) -> ColumnElement[bool]:
    return and_(ledger.c.outstanding_fen > 0, ledger.c.due_day.is_not(None), ledger.c.due_day < today)


_TOTALS: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
_TOTALS_LOCK = threading.Lock()


def unit_totals(engine: Engine, unit_id: str | None, as_of: datetime, current: Any = None) -> list[dict[str, Any]]:
    """``current``: the audit projection's view when ``as_of`` is now. The ledger's rows valid
    now change only when the projection moves (their bounds are recording times) and their
    sums only with the China day (overdue, surcharge), so the sums are kept per (position,
    day); the separation breaches, whose deadlines fall at any instant, are kept until the next
    moment a finding starts or ends to hold."""
    today = day(iso(as_of)).toordinal()
    key = None
    if current is not None:
        key = (id(engine), unit_id, current.name, current.version, current.position(), today)
        with _TOTALS_LOCK:
            held = _TOTALS.get(key)
        if held is not None:
            return _with_breaches(engine, unit_id, as_of, held, current)
    rows = _ledger_sums(engine, unit_id, as_of, today)
    if key is not None:
        with _TOTALS_LOCK:
            _TOTALS[key] = rows
            while len(_TOTALS) > 64:
                _TOTALS.popitem(last=False)
    return _with_breaches(engine, unit_id, as_of, rows, current)


def _ledger_sums(engine: Engine, unit_id: str | None, as_of: datetime, today: int) -> list[dict[str, Any]]:
    sur = surcharge_expr(today)
    q = (
        select(
            ledger.c.unit_id,
            func.count().label("fines"),
            func.sum(ledger.c.amount_fen).label("decided"),
            func.sum(ledger.c.principal_paid_fen).label("paid"),
            func.sum(ledger.c.surcharge_paid_fen).label("surcharge_paid"),
            func.sum(ledger.c.outstanding_fen).label("outstanding"),
            func.sum(case((_overdue(today), ledger.c.outstanding_fen), else_=0)).label("overdue"),
            func.sum(sur).label("surcharge"),
            func.sum(ledger.c.cash_pending_fen).label("cash_not_deposited"),
            func.sum(ledger.c.remitted_fen).label("remitted_to_treasury"),
        )
        .where(_valid(as_of))
        .group_by(ledger.c.unit_id)
    )
    if unit_id:
        q = q.where(ledger.c.unit_id == unit_id)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        codes = {
            u: orjson.loads(d).get("code")
            for u, d in conn.execute(
                select(facts.c.id, facts.c.facts).where(
                    facts.c.kind == "unit", facts.c.id.in_([r["unit_id"] for r in rows])
                )
            )
        }
    out = []
    for r in rows:
        u: dict[str, Any] = {"unit_id": r["unit_id"], "unit_code": codes.get(r["unit_id"]), "fines": int(r["fines"])}
        for k in _MONEY:
            u[k] = fen_to_yuan(int(r[k] or 0))
        out.append(u)
    return sorted(out, key=lambda u: u["unit_code"] or "")


def _with_breaches(
    engine: Engine, unit_id: str | None, as_of: datetime, sums: list[dict[str, Any]], current: Any = None
) -> list[dict[str, Any]]:
    """The sums with each unit's separation breaches as of ``as_of`` (as of now, kept as the
    findings counts are: until the projection moves or a finding starts or ends to hold)."""
    b = (
        select(findings.c.unit_id, func.count())
        .where(findings.c.subject_kind == "fine", findings.c.rule.in_(SEPARATION_RULES), fr.as_of_clause(as_of))
        .group_by(findings.c.unit_id)
    )
    if unit_id:
        b = b.where(findings.c.unit_id == unit_id)
    breaches = fr.counted("separation", engine, as_of, current, {"unit_id": unit_id}, b)
    return [dict(u, separation_breaches=int(breaches.get(u["unit_id"], 0))) for u in sums]


_COL = {c.name: i for i, c in enumerate(ledger.columns)}
(_ID, _CASE, _UNIT, _NO, _BANK, _AMOUNT, _PAID, _SPAID, _OUT, _REFUND, _VOID, _DUE_ON, _DUE_DAY) = (
    _COL[c]
    for c in (
        "fine_id",
        "case_id",
        "unit_id",
        "decision_no",
        "bank",
        "amount_fen",
        "principal_paid_fen",
        "surcharge_paid_fen",
        "outstanding_fen",
        "refund_fen",
        "void",
        "due_on",
        "due_day",
    )
)
_ANCHOR, _ACCRUED, _RATE, _CASH, _AT_BANK, _REMITTED = (
    _COL[c] for c in ("anchor_day", "accrued_milli", "rate_milli", "cash_pending_fen", "at_bank_fen", "remitted_fen")
)


def _values(r: Any, today: int, breaches: list[str]) -> list[Any]:
    """A fine's row (a ledger row as a tuple) as of day ``today``, in ``FINE_COLUMNS`` order:
    the JSON item and the CSV line are both this."""
    amount, spaid, outstanding, due_day = r[_AMOUNT], r[_SPAID], r[_OUT], r[_DUE_DAY]
    days = today - r[_ANCHOR]
    surcharge = min(amount, (r[_ACCRUED] + r[_RATE] * (days if days > 0 else 0)) // 1000)
    return [
        r[_ID],
        r[_CASE],
        r[_UNIT],
        r[_NO],
        r[_BANK],
        fen_to_yuan(amount),
        fen_to_yuan(r[_PAID]),
        fen_to_yuan(spaid),
        fen_to_yuan(outstanding),
        fen_to_yuan(r[_REFUND]),
        bool(r[_VOID]),
        r[_DUE_ON],
        outstanding > 0 and due_day is not None and due_day < today,
        fen_to_yuan(surcharge),
        fen_to_yuan(max(0, surcharge - spaid)),
        fen_to_yuan(r[_CASH]),
        fen_to_yuan(r[_REMITTED]),
        fen_to_yuan(r[_AT_BANK] - r[_REMITTED]),
        sorted(breaches),
    ]


#: the fines a page may be limited to
SHOW = ("all", "outstanding", "overdue", "surcharge", "breaches")


def _page(
    engine: Engine,
    *,
    unit_id: str | None,
    as_of: datetime,
    limit: int = 500,
    cursor: str | None = None,
    show: str = "all",
) -> dict[str, Any]:
    """One page of fines as lists of values (``_values``)."""
    today = day(iso(as_of)).toordinal()
    q = select(ledger).where(_valid(as_of))
    if unit_id:
        q = q.where(ledger.c.unit_id == unit_id)
    if show == "outstanding":
        q = q.where(ledger.c.outstanding_fen > 0)
    elif show == "overdue":
        q = q.where(_overdue(today))
    elif show == "surcharge":
        q = q.where(surcharge_expr(today) > 0)
    elif show == "breaches":
        q = q.where(
            select(findings.c.subject_id)
            .where(
                findings.c.subject_id == ledger.c.fine_id,
                findings.c.rule.in_(SEPARATION_RULES),
                fr.as_of_clause(as_of),
            )
            .exists()
        )
    after = cur.decode(cursor, str)
    if after is not None:
        q = q.where(ledger.c.fine_id > after[0])
    q = q.order_by(ledger.c.fine_id).limit(limit + 1)
    with engine.connect() as conn:
        rows = list(conn.execute(q).all())
        more = len(rows) > limit
        rows = rows[:limit]
        # The page's separation breaches: those of the fines in the page's id range (a superset
        # of the page when it is filtered; the others are not looked up). Two bounds instead of
        # one bound parameter per fine: a 500- or 2000-id IN list cost more than the page itself.
        found: dict[str, list[str]] = {}
        if rows:
            b = select(findings.c.subject_id, findings.c.rule).where(
                findings.c.subject_kind == "fine",
                findings.c.subject_id.between(rows[0][_ID], rows[-1][_ID]),
                findings.c.rule.in_(SEPARATION_RULES),
                fr.as_of_clause(as_of),
            )
            if unit_id:
                b = b.where(findings.c.unit_id == unit_id)
            for sid, rule in conn.execute(b):
                found.setdefault(sid, []).append(rule)
    values = [_values(r, today, found.get(r[_ID], [])) for r in rows]
    return {
        "values": values,
        "next_cursor": cur.encode(rows[-1][_ID]) if more else None,
    }


def fines_page(
    engine: Engine,
    *,
    unit_id: str | None,
    as_of: datetime,
    limit: int = 500,
    cursor: str | None = None,
    show: str = "all",
) -> dict[str, Any]:
    """One page of fines (by id) as of ``as_of``: all, or those outstanding, overdue, with a
    surcharge, or with a separation breach."""
    page = _page(engine, unit_id=unit_id, as_of=as_of, limit=limit, cursor=cursor, show=show)
    return {
        "items": [dict(zip(FINE_COLUMNS, v, strict=True)) for v in page["values"]],
        "next_cursor": page["next_cursor"],
    }


def fines_values(
    engine: Engine, *, unit_id: str | None, as_of: datetime, chunk: int = 5000
) -> Iterator[list[list[Any]]]:
    """Every fine as of ``as_of`` as lists in ``FINE_COLUMNS`` order, a chunk at a time (the
    CSV export, in constant memory)."""
    cursor = None
    size = min(chunk, fr.FIRST_CHUNK)  # a smaller first chunk: the export starts sooner
    while True:
        page = _page(engine, unit_id=unit_id, as_of=as_of, limit=size, cursor=cursor)
        yield page["values"]
        cursor = page["next_cursor"]
        if cursor is None:
            return
        size = chunk


def fines_all(engine: Engine, *, unit_id: str | None, as_of: datetime) -> Iterator[dict[str, Any]]:
    for values in fines_values(engine, unit_id=unit_id, as_of=as_of):
        for v in values:
            yield dict(zip(FINE_COLUMNS, v, strict=True))


def fines_report(
    engine: Engine,
    unit_id: str | None,
    as_of: datetime,
    limit: int = 500,
    cursor: str | None = None,
    show: str = "all",
    current: Any = None,
) -> dict[str, Any]:
    """Per unit: decided, paid, outstanding, overdue, surcharge (D8), cash not deposited (D6),
    remitted to the treasury (D9), separation breaches; and a page of the fines."""
    page = fines_page(engine, unit_id=unit_id, as_of=as_of, limit=limit, cursor=cursor, show=show)
    return {
        "as_of": iso(as_of),
        "units": unit_totals(engine, unit_id, as_of, current),
        "fines": page["items"],
        "next_cursor": page["next_cursor"],
    }
