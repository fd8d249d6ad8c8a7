"""Officers: certificate state as of a moment, expiry, last validation, training hours that
year, acts without a valid certificate (A2, A7), and the officer-level findings (A4, A6, A8);
and one officer's acts with the certificate's state at each instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select, tuple_
from sqlalchemy.engine import Engine

from domain.certificates import certificate_state
from domain.facts import iso
from domain.rules import LAW, RULES

from ..audit_tables import acts, facts
from ..audit_tables import findings as ft
from . import cursor as cur
from . import findings as fr

COLUMNS = [
    "officer_id",
    "name",
    "unit_id",
    "kind",
    "certificate_status",
    "certificate_number",
    "valid_until",
    "last_validation",
    "training_hours",
    "acts_without_valid_certificate",
]
UNCERTIFIED = ("A2", "A7")


def _known(o: dict[str, Any], now: str) -> dict[str, Any]:
    """The officer's facts as recorded by ``now``."""
    out = dict(o)
    for key in ("exams", "certs", "validations", "status_changes", "trainings"):
        out[key] = [x for x in o[key] if x["rec"] <= now]
    return out


def officer_row(o: dict[str, Any], as_of: datetime, bad_acts: int, found: list[dict[str, Any]]) -> dict[str, Any]:
    now = iso(as_of)
    k = _known(o, now)
    cert = certificate_state(k, now) if o["kind"] != "auxiliary" else None
    year = now[:4]
    hours = sum(t["hours"] for t in k["trainings"] if t["on"][:4] == year)
    found = list(found)
    required = LAW.training_hours_per_year
    if o["kind"] != "auxiliary" and hours < required:
        found.append(
            {
                "rule": "A8",
                "severity": "info",
                "message": f"{hours} of {required} training hours so far in {year}",
                "citation": RULES["A8"].citation,
            }
        )
    return {
        "officer_id": o["id"],
        "name": o["name"],
        "unit_id": o["unit_id"],
        "kind": o["kind"],
        "certificate_status": cert.status if cert else "none",
        "certificate_number": cert.number if cert else None,
        "valid_until": cert.valid_until.isoformat() if cert and cert.valid_until else None,
        "last_validation": cert.last_validation.isoformat() if cert and cert.last_validation else None,
        "training_hours": hours,
        "acts_without_valid_certificate": bad_acts,
        "findings": found,
    }


def officers_page(
    engine: Engine,
    *,
    unit_id: str | None,
    as_of: datetime,
    limit: int = 50,
    cursor: str | None = None,
    officer_id: str | None = None,
) -> dict[str, Any]:
    """One page of officers (by id), each as of ``as_of``."""
    now = iso(as_of)
    q = select(facts.c.id, facts.c.facts).where(facts.c.kind == "officer")
    if unit_id:
        q = q.where(facts.c.unit_id == unit_id)
    if officer_id:
        q = q.where(facts.c.id == officer_id)
    after = cur.decode(cursor, str)
    if after is not None:
        q = q.where(facts.c.id > after[0])
    q = q.order_by(facts.c.id).limit(limit + 1)
    with engine.connect() as conn:
        rows = [(i, orjson.loads(d)) for i, d in conn.execute(q)]
        more = len(rows) > limit
        rows = rows[:limit]
        ids = [i for i, _ in rows]
        bad = dict(
            conn.execute(
                select(ft.c.officer_id, func.count())
                .where(ft.c.officer_id.in_(ids), ft.c.rule.in_(UNCERTIFIED), fr.as_of_clause(as_of))
                .group_by(ft.c.officer_id)
            ).all()
        )
        own = [
            fr.item(r)
            for r in conn.execute(
                fr.select_as_of(as_of)
                .where(ft.c.subject_id.in_(ids), ft.c.subject_kind == "officer")
                .order_by(*fr.ORDER)
            )
        ]
    items = [
        officer_row(o, as_of, int(bad.get(i, 0)), [x for x in own if x["officer_id"] == i])
        for i, o in rows
        if o["registered"]["rec"] <= now
    ]
    return {"items": items, "next_cursor": cur.encode(rows[-1][0]) if more else None}


def officer_acts_page(
    engine: Engine, officer_id: str, *, as_of: datetime, limit: int = 500, cursor: str | None = None
) -> dict[str, Any] | None:
    """The officer's acts in time order, each with the certificate's state at that instant as
    the officer's history was recorded by ``as_of``."""
    now = iso(as_of)
    after = cur.decode(cursor, str, str, int)
    with engine.connect() as conn:
        o = conn.execute(select(facts.c.facts).where(facts.c.kind == "officer", facts.c.id == officer_id)).first()
        if o is None:
            return None
        q = select(acts).where(acts.c.officer_id == officer_id, acts.c.rec <= now)
        if after is not None:
            q = q.where(tuple_(acts.c.at, acts.c.subject_id, acts.c.version) > tuple_(*after))
        q = q.order_by(acts.c.at, acts.c.subject_id, acts.c.version).limit(limit + 1)
        rows = list(conn.execute(q).mappings())
    officer = _known(orjson.loads(o[0]), now)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "case_id": r["case_id"],
            "case_no": r["label"] if r["subject_kind"] != "inspection" else None,
            "inspection_id": r["subject_id"] if r["subject_kind"] == "inspection" else None,
            "type": r["what"],
            "at": r["at"],
            "version": r["version"],
            "aggregate_id": r["subject_id"],
            "certificate_status": "auxiliary"
            if officer["kind"] == "auxiliary"
            else certificate_state(officer, r["at"]).status,
        }
        for r in rows
    ]
    return {
        "officer_id": officer_id,
        "unit_id": officer["unit_id"],
        "items": items,
        "next_cursor": cur.encode(rows[-1]["at"], rows[-1]["subject_id"], rows[-1]["version"]) if more else None,
    }
