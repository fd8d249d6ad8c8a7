"""The fine ledger as of a moment (D1–D10): per unit by SQL aggregation over the ledger rows,
per fine a page at a time; principal and surcharge apart."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.engine import Engine

from domain import clock
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
#: the CSV's columns of text a person typed (checked for formula-like cells: csv.stream_values);
#: the others are written by the system: ids, ISO dates, booleans and yuan amounts (digits and a
#: decimal point, a leading minus only for a negative amount, which a spreadsheet reads as a
#: number), and the one of lists
CSV_TEXT = tuple(FINE_COLUMNS.index(c) for c in ("decision_no", "bank"))
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


#: how far back an as-of time still reads the current rows first (``_valid_by_id``)
RECENT = timedelta(days=7)


def _valid_by_id(as_of: datetime, where: list[ColumnElement[bool]], limit: int) -> Select[Any]:
    """The ledger rows valid as of ``as_of`` that meet ``where``, the first ``limit`` by fine.
    As of a recent moment they are read as two ordered parts, merged: the current rows (the
    partial index on ``to_at`` null) and the rows that ended after ``as_of`` (few, through the
    ``to_at`` index); further back, one scan of the fines' histories in id order. Either way
    the same rows."""
    if as_of < clock.now() - RECENT:
        return select(ledger).where(_valid(as_of), *where).order_by(ledger.c.fine_id).limit(limit)
    now = iso(as_of)
    parts = [
        select(ledger).where(ended, ledger.c.from_at <= now, *where).order_by(ledger.c.fine_id).limit(limit).subquery()
        for ended in (ledger.c.to_at.is_(None), ledger.c.to_at > now)
    ]
    both = union_all(*(select(p) for p in parts)).subquery()
    return select(both).order_by(both.c.fine_id).limit(limit)


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
        current = fr.ReadOnce(current)
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


#: the ledger's columns in table order, as ``_values`` unpacks a row (checked at import)
_LEDGER_ORDER = (
    "fine_id",
    "from_at",
    "to_at",
    "unit_id",
    "case_id",
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
    "anchor_day",
    "accrued_milli",
    "rate_milli",
    "cash_pending_fen",
    "at_bank_fen",
    "remitted_fen",
)
if tuple(c.name for c in ledger.columns) != _LEDGER_ORDER:  # pragma: no cover - a changed table
    raise RuntimeError("the fine ledger's columns changed: update _LEDGER_ORDER and _values")
_ID = _LEDGER_ORDER.index("fine_id")


def _values(r: Any, today: int, breaches: list[str]) -> list[Any]:
    """A fine's row (a ledger row, unpacked in table order) as of day ``today``, in
    ``FINE_COLUMNS`` order: the JSON item and the CSV line are both this."""
    (
        fine_id,
        _from,
        _to,
        unit_id,
        case_id,
        decision_no,
        bank,
        amount,
        paid,
        spaid,
        outstanding,
        refund,
        void,
        due_on,
        due_day,
        anchor,
        accrued,
        rate,
        cash,
        at_bank,
        remitted,
    ) = r
    days = today - anchor
    surcharge = min(amount, (accrued + rate * (days if days > 0 else 0)) // 1000)
    yuan = fen_to_yuan
    return [
        fine_id,
        case_id,
        unit_id,
        decision_no,
        bank,
        yuan(amount),
        yuan(paid),
        yuan(spaid),
        yuan(outstanding),
        yuan(refund),
        bool(void),
        due_on,
        outstanding > 0 and due_day is not None and due_day < today,
        yuan(surcharge),
        yuan(max(0, surcharge - spaid)),
        yuan(cash),
        yuan(remitted),
        yuan(at_bank - remitted),
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
    where: list[ColumnElement[bool]] = []
    if unit_id:
        where.append(ledger.c.unit_id == unit_id)
    if show == "outstanding":
        where.append(ledger.c.outstanding_fen > 0)
    elif show == "overdue":
        where.append(_overdue(today))
    elif show == "surcharge":
        where.append(surcharge_expr(today) > 0)
    elif show == "breaches":
        where.append(
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
        where.append(ledger.c.fine_id > after[0])
    q = _valid_by_id(as_of, where, limit + 1)
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
