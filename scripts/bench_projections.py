"""Projection benchmark: load 1,000,000 realistic case events into PostgreSQL, rebuild every
projection from position 0 (events/s), and measure in the same run the raw rate of reading
and orjson-decoding the same rows. Last line: one JSON object with both and their ratio."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import orjson  # noqa: E402
import psycopg  # noqa: E402

from domain import clock  # noqa: E402
from domain.application import Oversight  # noqa: E402
from domain.calendar import CHINA  # noqa: E402
from domain.case import Case  # noqa: E402
from domain.principal import SYSTEM  # noqa: E402
from projections import build_runner  # noqa: E402
from projections.db import make_engine  # noqa: E402

PG_URL = os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
N = int(os.environ.get("BENCH_EVENTS", "1000000"))
PER_CASE = 50
PAGE = int(os.environ.get("BENCH_PAGE", "10000"))
INTERLEAVE = 200  # cases whose events are interleaved in the log, as concurrent work would


def h(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


def case_events(unit: str, officers: list[str], i: int) -> Case:
    """One case's history (filing, acts, evidence, notice, decision, service, interventions…),
    built on the aggregate without gates, as an import would."""
    t0 = datetime(2026, 1, 5, 9, tzinfo=CHINA) + timedelta(hours=i % 500)
    clock.set_clock(lambda: t0 + timedelta(minutes=3))
    c = Case._create(
        Case.Filed,
        id=uuid.uuid4(),
        recorded_by="bench",
        occurred_at=t0,
        unit_id=unit,
        case_no=f"B-{i}",
        matter_code="MR-0101",
        region="410100",
        party={"kind": "organisation", "name": f"公司{i}", "id_number": str(i)},
        source="inspection",
        summary="销售不合格产品",
        occurred_on=t0.date() - timedelta(days=5),
        discovered_on=t0.date(),
        approved_by=officers[0],
        handlers=officers[:2],
        procedure="general",
        major=False,
        complex=False,
        imported=True,
        amount_involved_fen=None,
        continuing_until=None,
        harm=None,
        filing_extension_approved_by=None,
    )

    def ev(cls: Any, minutes: int, **kw: Any) -> None:
        at = t0 + timedelta(minutes=minutes)
        clock.set_clock(lambda: at + timedelta(minutes=3))  # recorded when it happened
        c.trigger_event(cls, recorded_by="bench", occurred_at=at, **kw)

    eids = []
    for k in range(PER_CASE - 8):
        if k % 3 == 0:
            ev(
                Case.ActRecorded,
                k,
                type="inspection",
                officers=officers[:2],
                certificate_shown=True,
                record_sha256=h(f"{i}-{k}"),
                av=None,
                signatures=None,
            )
        elif k % 3 == 1:
            eid = str(uuid.uuid4())
            eids.append(eid)
            ev(
                Case.EvidenceCollected,
                k,
                evidence_id=eid,
                kind="physical",
                description="抽样",
                sha256=h(f"e{i}-{k}"),
                officers=officers[:2],
                certificate_shown=True,
            )
        elif k == 2:
            ev(
                Case.InterventionRecorded,
                k,
                official="某领导",
                position="副局长",
                channel="phone",
                content="过问案件" * 5,
            )
        else:
            ev(
                Case.ActRecorded,
                k,
                type="inquiry",
                officers=officers[:2],
                certificate_shown=True,
                record_sha256=h(f"q{i}-{k}"),
                av=None,
                signatures=None,
            )
    ev(
        Case.NoticeServed,
        600,
        officers=officers[:2],
        facts="f",
        reasons="r",
        legal_basis="b",
        proposed=[{"type": "fine", "amount_fen": 2000000}],
        hearing_right=False,
    )
    ev(Case.StatementReceived, 700, summary="申辩")
    ev(Case.RecheckDone, 800, officers=officers[:1], conclusion="维持")
    ev(
        Case.Decided,
        20000,
        decision_no=f"D-{i}",
        decided_by=officers[0],
        outcome="penalty",
        penalties=[{"type": "fine", "amount_fen": 2000000}],
        legal_basis="b",
        evidence_ids=eids[:3],
        benchmark={"version": "2025-1", "tier": "一般"},
        payment={"bank_code": "B", "surcharge": True},
        remedies={"reconsideration_days": 60, "litigation_months": 6},
        officers=[],
        certificate_shown=False,
        form_no=None,
        fine_id=None,
        hearing_record_cited=False,
    )
    ev(
        Case.DecisionServed,
        21000,
        method="direct",
        officers=officers[:2],
        party_consent=False,
        receipt_on=None,
        confirmation_sha256=None,
        disclosure_told=True,
    )
    ev(Case.Disclosed, 22000, channel="website")
    ev(Case.Closed, 30000, reason="executed")
    ev(Case.Archived, 31000, file_sha256=h(f"f{i}"))
    return c


def load(app: Oversight) -> float:
    unit = app.register_unit(SYSTEM, code="BENCH", name="n", region="410100", matters=["MR-0101"], banks=["B"])["id"]
    officers = []
    for k in range(3):
        o = app.register_officer(
            SYSTEM, name=f"o{k}", unit_id=unit, kind="officer", employment="established", legal_qualification=True
        )["id"]
        app.record_exam(SYSTEM, o, taken_on=date(2024, 1, 1), passed=True, score=90)
        app.issue_certificate(
            SYSTEM,
            o,
            number=f"N{k}",
            fields=["MR"],
            areas=["41"],
            valid_from=date(2025, 1, 1),
            valid_until=date(2028, 1, 1),
        )
        officers.append(o)
    to_stored = app.mapper.to_stored_event
    t0 = time.perf_counter()
    n_cases = N // PER_CASE
    for start in range(0, n_cases, INTERLEAVE):
        batch = [
            case_events(unit, officers, i).collect_events() for i in range(start, min(n_cases, start + INTERLEAVE))
        ]
        rows = []
        for k in range(PER_CASE):
            rows.extend(to_stored(evs[k]) for evs in batch if k < len(evs))
        for j in range(0, len(rows), 2000):
            app.recorder.insert_events(rows[j : j + 2000])
    return n_cases * PER_CASE / (time.perf_counter() - t0)


def raw_read_decode(app: Oversight) -> tuple[float, int]:
    cfg = app.store
    t0 = time.perf_counter()
    n = 0
    with psycopg.connect(cfg.pg_conninfo()) as con, con.cursor(name="raw") as cur:
        cur.execute(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f'FROM "{cfg.pg_schema}".{cfg.events_table} ORDER BY notification_id'
        )
        while rows := cur.fetchmany(10_000):
            for row in rows:
                orjson.loads(row[4])
            n += len(rows)
    return n / (time.perf_counter() - t0), n


def main() -> None:
    schema = "benchp_" + uuid.uuid4().hex[:8]
    url = f"{PG_URL}?schema={schema}"
    app = Oversight(url)
    try:
        load_eps = load(app)
        raw_eps, total = raw_read_decode(app)
        engine = make_engine(app.store)
        runner = build_runner(app.recorder, app.mapper, engine, page_size=PAGE)
        t0 = time.perf_counter()
        runner.run_until_head()
        rebuild_eps = total / (time.perf_counter() - t0)
        assert runner.position() == app.max_position()
        names = [p.name for p in runner.projections]
        engine.dispose()
    finally:
        app.close()
        with psycopg.connect(PG_URL, autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(
        f"postgres  {total} events  load {load_eps:.0f} ev/s   raw read+orjson {raw_eps:.0f} ev/s   "
        f"rebuild all projections {rebuild_eps:.0f} ev/s   ratio {rebuild_eps / raw_eps:.3f}"
    )
    print(
        json.dumps(
            {
                "events": total,
                "projections": names,
                "postgres_load_eps": round(load_eps, 1),
                "postgres_raw_read_decode_eps": round(raw_eps, 1),
                "postgres_rebuild_eps": round(rebuild_eps, 1),
                "postgres_rebuild_over_raw": round(rebuild_eps / raw_eps, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
