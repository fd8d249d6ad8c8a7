"""Case index: one row per case, for search and lists (GET /v1/cases)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    MetaData,
    String,
    Table,
    bindparam,
    select,
    update,
)
from sqlalchemy.engine import Connection

from domain.case import Case
from domain.facts import next_status

from .runner import Item, SqlProjection
from .types import AwareDateTime

metadata = MetaData()


class CaseIndex(SqlProjection):
    name = "case_index"
    version = 1
    metadata = metadata
    cases = Table(
        "p_case_index_v1_cases",
        metadata,
        Column("case_id", String(36), primary_key=True),
        Column("unit_id", String(36), nullable=False),
        Column("case_no", String(200), nullable=False),
        Column("matter_code", String(100), nullable=False),
        Column("status", String(20), nullable=False),
        Column("procedure", String(20), nullable=False),
        Column("major", Boolean, nullable=False),
        Column("complex", Boolean, nullable=False),
        Column("party_kind", String(20), nullable=False),
        Column("party_name", String(500), nullable=False),
        Column("filed_at", AwareDateTime, nullable=False),
        Column("decided_at", AwareDateTime),
        Column("decision_no", String(200)),
        Column("fine_fen", BigInteger),
        Column("fine_id", String(36)),
        Column("imported", Boolean, nullable=False),
        Column("version", BigInteger, nullable=False),
        Column("filed_position", BigInteger, nullable=False, unique=True),
        Column("last_position", BigInteger, nullable=False),
        Index("ix_case_index_v1_unit_status", "unit_id", "status"),
    )

    def apply(self, conn: Connection, items: Sequence[Item]) -> None:
        t = self.cases
        events = [i for i in items if isinstance(i.event, Case.Event)]
        if not events:
            return
        ids = {str(i.event.originator_id) for i in events}
        rows: dict[str, dict[str, Any]] = {
            r["case_id"]: dict(r) for r in conn.execute(select(t).where(t.c.case_id.in_(ids))).mappings()
        }
        new: dict[str, dict[str, Any]] = {}
        touched: set[str] = set()
        for i in events:
            e = i.event
            cid = str(e.originator_id)
            if isinstance(e, Case.Filed):
                new[cid] = rows[cid] = {
                    "case_id": cid,
                    "unit_id": e.unit_id,
                    "case_no": e.case_no,
                    "matter_code": e.matter_code,
                    "status": "filed",
                    "procedure": e.procedure,
                    "major": e.major,
                    "complex": e.complex,
                    "party_kind": e.party.get("kind", ""),
                    "party_name": e.party.get("name", ""),
                    "filed_at": e.occurred_at,
                    "decided_at": None,
                    "decision_no": None,
                    "fine_fen": None,
                    "fine_id": None,
                    "imported": e.imported,
                    "version": e.originator_version,
                    "filed_position": i.position,
                    "last_position": i.position,
                }
                continue
            row = rows.get(cid)
            if row is None:  # an event of a case filed before this projection's first page
                continue
            row["status"] = next_status(row["status"], type(e).__name__, e.__dict__)
            row["version"] = e.originator_version
            row["last_position"] = i.position
            if isinstance(e, Case.Decided):
                row["decided_at"] = e.occurred_at
                row["decision_no"] = e.decision_no
                row["fine_id"] = e.fine_id
                row["fine_fen"] = sum(int(p.get("amount_fen") or 0) for p in e.penalties if p["type"] == "fine") or None
            if cid not in new:
                touched.add(cid)
        if new:
            conn.execute(t.insert(), list(new.values()))
        if touched:
            conn.execute(
                update(t)
                .where(t.c.case_id == bindparam("b_case_id"))
                .values(
                    status=bindparam("status"),
                    version=bindparam("version"),
                    last_position=bindparam("last_position"),
                    decided_at=bindparam("decided_at"),
                    decision_no=bindparam("decision_no"),
                    fine_id=bindparam("fine_id"),
                    fine_fen=bindparam("fine_fen"),
                ),
                [{**rows[c], "b_case_id": c} for c in touched],
            )
