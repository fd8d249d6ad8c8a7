"""Integrity benchmark: seal a log of 1,000,000 events (events/s) and time `oversight verify`
over it, against the database's own rate of reading and SHA-256-hashing the same rows, in one
run on PostgreSQL (and SQLite with BENCH_SQLITE=1). Last line: one JSON object of the figures.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg  # noqa: E402
from eventsourcing.persistence import StoredEvent  # noqa: E402

from domain.application import Oversight  # noqa: E402
from domain.calendar import CHINA  # noqa: E402
from domain.case import Case  # noqa: E402
from projections.db import make_engine  # noqa: E402
from projections.runner import Runner  # noqa: E402
from projections.seal import Seal  # noqa: E402

PG_URL = os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
N = int(os.environ.get("BENCH_EVENTS", "1000000"))
BATCH = 2000


def load(app: Oversight, n: int) -> float:
    """n realistic case events (an intervention's stored bytes), 50 per aggregate."""
    at = datetime(2026, 3, 2, 15, tzinfo=CHINA)
    event = Case.InterventionRecorded(
        originator_id=uuid.uuid4(),
        originator_version=2,
        timestamp=at,
        recorded_by="bench",
        occurred_at=at,
        official="某局长",
        position="副局长",
        channel="phone",
        content="打招呼" * 20,
    )
    template = app.mapper.to_stored_event(event)
    t0 = time.perf_counter()
    made = 0
    while made < n:
        batch = []
        for _ in range(min(BATCH, n - made)):
            if made % 50 == 0:
                oid = uuid.uuid4()
            batch.append(StoredEvent(oid, made % 50 + 1, template.topic, template.state))
            made += 1
        app.recorder.insert_events(batch)
    return n / (time.perf_counter() - t0)


def raw_read_and_hash(app: Oversight) -> float:
    """The database's own limit: page through the rows and SHA-256 each, nothing else."""
    cfg = app.store
    t0 = time.perf_counter()
    count = 0
    if cfg.kind == "sqlite":
        import sqlite3

        con = sqlite3.connect(cfg.sqlite_path)
        for (state,) in con.execute(f"SELECT state FROM {cfg.events_table} ORDER BY rowid"):
            hashlib.sha256(state).digest()
            count += 1
        con.close()
    else:
        with psycopg.connect(cfg.pg_conninfo()) as con, con.cursor(name="c") as cur:
            cur.execute(f'SELECT state FROM "{cfg.pg_schema}".{cfg.events_table} ORDER BY notification_id')
            while rows := cur.fetchmany(20_000):
                for (state,) in rows:
                    hashlib.sha256(state).digest()
                count += len(rows)
    return count / (time.perf_counter() - t0)


def run(url: str) -> dict[str, Any]:
    app = Oversight(url)
    out: dict[str, Any] = {}
    try:
        out["load_eps"] = load(app, N)
        engine = make_engine(app.store)
        seal = Seal(engine, every_events=100_000)
        runner = Runner(app.recorder, app.mapper, engine, [seal], page_size=10_000)
        t0 = time.perf_counter()
        runner.run_until_head()
        out["seal_eps"] = N / (time.perf_counter() - t0)
        out["raw_read_hash_eps"] = raw_read_and_hash(app)
        t0 = time.perf_counter()
        proc = subprocess.run(  # noqa: S603 - our own fixed command
            [sys.executable, "-m", "scripts.cli", "verify", "--db", url],
            capture_output=True,
            text=True,
            check=False,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        out["verify_seconds"] = time.perf_counter() - t0
        out["verify_ok"] = proc.returncode == 0
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
        out["seal_over_raw"] = out["seal_eps"] / out["raw_read_hash_eps"]
        engine.dispose()
    finally:
        app.close()
    return out


def main() -> None:
    figures: dict[str, Any] = {"events": N}
    targets = [("postgres", None)]
    if os.environ.get("BENCH_SQLITE") == "1":
        targets.append(("sqlite", None))
    for kind, _ in targets:
        if kind == "postgres":
            schema = "bench_" + uuid.uuid4().hex[:8]
            url = f"{PG_URL}?schema={schema}"
        else:
            url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        try:
            r = run(url)
        finally:
            if kind == "postgres":
                with psycopg.connect(PG_URL, autocommit=True) as con:
                    con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        print(
            f"{kind:8s} load {r['load_eps']:9.0f} ev/s   seal {r['seal_eps']:9.0f} ev/s   raw "
            f"read+sha256 {r['raw_read_hash_eps']:9.0f} rows/s   seal/raw {r['seal_over_raw']:.2f}   "
            f"verify {r['verify_seconds']:.1f} s ({'ok' if r['verify_ok'] else 'FAILED'})"
        )
        for k, v in r.items():
            figures[f"{kind}_{k}"] = round(v, 3) if isinstance(v, float) else v
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
