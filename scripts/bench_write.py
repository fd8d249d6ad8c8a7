"""Write benchmark: the application's command path (load a case, one command, save) in
events/s, against the database's raw rate for single-row INSERT transactions of the same row
size, measured in the same run on SQLite and on PostgreSQL. Medians of several rounds.

Also compares the library's own recorders with eventsourcing-sqlalchemy on the same path.
Last line: one JSON object of the figures.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from typing import Any

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from domain.application import Oversight  # noqa: E402
from domain.calendar import CHINA  # noqa: E402
from domain.principal import SYSTEM, Actor  # noqa: E402

PG_URL = os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
N = int(os.environ.get("BENCH_N", "1500"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
AT = datetime(2026, 3, 2, 15, tzinfo=CHINA)


def setup(app: Oversight) -> tuple[Actor, list[str]]:
    u = app.register_unit(
        SYSTEM, code="B" + uuid.uuid4().hex[:6], name="n", region="410100", matters=["MR-0101"], banks=["B"]
    )
    o = app.register_officer(
        SYSTEM, name="o", unit_id=u["id"], kind="officer", employment="established", legal_qualification=False
    )["id"]
    actor = Actor(id="bench", role="officer", unit_id=u["id"], officer_id=o)
    cases = []
    for i in range(50):
        cases.append(
            app.file_case(
                actor,
                unit_id=u["id"],
                case_no=f"B{i}-{uuid.uuid4().hex[:6]}",
                matter_code="MR-0101",
                party={"kind": "organisation", "name": "n", "id_number": "1"},
                source="inspection",
                summary="s",
                occurred_on=AT.date(),
                discovered_on=AT.date(),
                filed_at=AT,
                approved_by=o,
                handlers=[o],
                procedure="general",
                major=False,
                complex=False,
            )["id"]
        )
    return actor, cases


def command_rate(app: Oversight, actor: Actor, cases: list[str], n: int) -> tuple[float, int]:
    """Record n interventions round-robin over the cases: each is load, decide, save."""
    body = {"official": "某局长", "position": "副局长", "occurred_at": AT, "channel": "phone", "content": "打招呼" * 20}
    for cid in cases:  # warm the aggregate cache as a running server would be
        app.record_intervention(actor, cid, **body)
    t0 = time.perf_counter()
    for i in range(n):
        app.record_intervention(actor, cases[i % len(cases)], **body)
    dt = time.perf_counter() - t0
    last = app.events.recorder.select_events(uuid.UUID(cases[0]), desc=True, limit=1)[0]
    return n / dt, len(last.state)


def raw_sqlite(path: str, n: int, size: int) -> float:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(
        "CREATE TABLE IF NOT EXISTS raw_bench (originator_id TEXT, originator_version "
        "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    state = b"x" * size
    oid = uuid.uuid4().hex
    t0 = time.perf_counter()
    for i in range(n):
        con.execute("BEGIN")
        con.execute("INSERT INTO raw_bench VALUES (?,?,?,?)", (oid, i, "domain.case:Case.X", state))
        con.execute("COMMIT")
    dt = time.perf_counter() - t0
    con.close()
    return n / dt


def raw_pg(conninfo: str, schema: str, n: int, size: int) -> float:
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(f'SET search_path TO "{schema}"')
        con.execute(
            "CREATE TABLE IF NOT EXISTS raw_bench (originator_id uuid, originator_version "
            "bigint, topic text, state bytea, notification_id bigserial, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        state = b"x" * size
        oid = uuid.uuid4()
        t0 = time.perf_counter()
        for i in range(n):
            with con.transaction():
                con.execute(
                    "INSERT INTO raw_bench (originator_id, originator_version, topic, state) VALUES (%s,%s,%s,%s)",
                    (oid, i, "domain.case:Case.X", state),
                    prepare=True,
                )
        return n / (time.perf_counter() - t0)


def run(kind: str, recorder: str = "native") -> dict[str, Any]:
    os.environ["OVERSIGHT_RECORDER"] = recorder
    cmd, raw = [], []
    schema = None
    if kind == "sqlite":
        d = tempfile.mkdtemp()
        url = f"sqlite:///{d}/bench.db"
    else:
        schema = "bench_" + uuid.uuid4().hex[:8]
        url = f"{PG_URL}?schema={schema}"
    app = Oversight(url)
    try:
        actor, cases = setup(app)
        size = 0
        for _ in range(ROUNDS):
            rate, size = command_rate(app, actor, cases, N)
            cmd.append(rate)
            if recorder == "native":
                raw.append(
                    raw_sqlite(f"{d}/bench.db", N, size)
                    if kind == "sqlite"
                    else raw_pg(app.store.pg_conninfo(), app.store.pg_schema, N, size)
                )
    finally:
        app.close()
        os.environ.pop("OVERSIGHT_RECORDER", None)
        if schema:
            with psycopg.connect(PG_URL, autocommit=True) as con:
                con.execute(f'DROP SCHEMA "{schema}" CASCADE')
    out = {"command_eps": statistics.median(cmd), "row_bytes": size}
    if raw:
        out["raw_insert_tps"] = statistics.median(raw)
        out["ratio"] = out["command_eps"] / out["raw_insert_tps"]
    return out


def main() -> None:
    figures: dict[str, Any] = {"n": N, "rounds": ROUNDS}
    for kind in ("sqlite", "postgres"):
        native = run(kind)
        alt = run(kind, "sqlalchemy")
        print(
            f"{kind:8s} command path {native['command_eps']:8.0f} events/s   raw INSERT "
            f"{native['raw_insert_tps']:8.0f} tx/s   ratio {native['ratio']:.2f}   "
            f"(row {native['row_bytes']} B; eventsourcing-sqlalchemy {alt['command_eps']:.0f} "
            "events/s)"
        )
        figures[f"{kind}_command_eps"] = round(native["command_eps"], 1)
        figures[f"{kind}_raw_insert_tps"] = round(native["raw_insert_tps"], 1)
        figures[f"{kind}_ratio"] = round(native["ratio"], 3)
        figures[f"{kind}_sqlalchemy_command_eps"] = round(alt["command_eps"], 1)
        figures[f"{kind}_native_over_sqlalchemy"] = round(native["command_eps"] / alt["command_eps"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
