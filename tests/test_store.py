"""The store: append-only trigger, transcoder round trips, deterministic ids, snapshots."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID, uuid4

import psycopg
import pytest

from domain.application import Oversight
from domain.base import derive_id
from domain.case import Case
from domain.errors import InvalidInputError
from domain.money import fen_to_yuan, yuan_to_fen
from domain.officer import Officer
from domain.principal import SYSTEM
from domain.store import OrjsonTranscoder, parse_db_url

from .conftest import at_once


class Colour(Enum):
    RED = "red"


def test_transcoder_round_trips_the_types_events_use() -> None:
    t = OrjsonTranscoder()
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    obj = {
        "at": now,
        "on": date(2026, 3, 2),
        "id": uuid4(),
        "amount": Decimal("1.50"),
        "colour": Colour.RED,
        "n": 3,
        "s": "文字",
        "list": [1, "a"],
        "nested": {"when": now, "day": date(2026, 1, 1), "dec": Decimal("2")},
    }
    back = t.decode(t.encode(obj))
    assert back == obj
    assert type(back["id"]) is type(obj["id"]) and back["colour"] is Colour.RED


def test_stored_events_refuse_update_and_delete(oversight: Oversight) -> None:
    unit = oversight.register_unit(SYSTEM, code="APPEND", name="n", region="1", matters=[], banks=[])
    cfg = oversight.store
    table = cfg.events_table
    if cfg.kind == "sqlite":
        con = sqlite3.connect(cfg.sqlite_path)
        for sql in (f"UPDATE {table} SET topic='x'", f"DELETE FROM {table}"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
        con.close()
    else:
        with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as con:
            con.execute(f'SET search_path TO "{cfg.pg_schema}"')
            for sql in (f"UPDATE {table} SET topic='x'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    con.execute(sql)
    # Nothing changed: the unit still replays.
    assert oversight.get_unit(SYSTEM, unit["id"])["code"] == "APPEND"


def test_ids_users_already_have_map_to_aggregate_ids_deterministically() -> None:
    assert Case.id_for("u1", "No.1") == Case.id_for("u1", "No.1") == derive_id("case", "u1", "No.1")
    assert Case.id_for("u1", "No.1") != Case.id_for("u2", "No.1")


def test_long_officer_history_is_snapshotted_and_replays_the_same(oversight: Oversight) -> None:
    u = oversight.register_unit(SYSTEM, code="SNAP", name="n", region="1", matters=[], banks=[])
    oid = oversight.register_officer(
        SYSTEM, name="n", unit_id=u["id"], kind="officer", employment="established", legal_qualification=False
    )["id"]
    for i in range(120):
        oversight.record_training(SYSTEM, oid, on=date(2026, 1, 1), hours=1, topic=f"t{i}")
    assert oversight.snapshots is not None
    snaps = list(oversight.snapshots.get(UUID(oid)))
    assert [s.originator_version for s in snaps] == [50, 100]
    fresh = Oversight(oversight.store.url)
    try:
        o = fresh.repository.get(UUID(oid))
        assert isinstance(o, Officer) and len(o.f["trainings"]) == 120 and o.version == 121
    finally:
        fresh.close()


def test_snapshots_of_an_older_state_shape_are_dropped_not_loaded(oversight: Oversight) -> None:
    from domain.store import SNAPSHOT_FORMAT, discard_stale_snapshots

    u = oversight.register_unit(SYSTEM, code="OLDSNAP", name="n", region="1", matters=[], banks=[])
    oid = oversight.register_officer(
        SYSTEM, name="n", unit_id=u["id"], kind="officer", employment="established", legal_qualification=False
    )["id"]
    for i in range(60):
        oversight.record_training(SYSTEM, oid, on=date(2026, 1, 1), hours=1, topic=f"t{i}")
    assert oversight.snapshots is not None and len(list(oversight.snapshots.get(UUID(oid)))) == 1
    # A store whose snapshots were taken by code with an older state shape...
    cfg = oversight.store
    if cfg.kind == "sqlite":
        import sqlite3

        with sqlite3.connect(cfg.sqlite_path) as con:
            stale = str(SNAPSHOT_FORMAT - 1)
            con.execute("UPDATE oversight_meta SET value = ? WHERE key = 'snapshot_format'", (stale,))
    else:
        with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as con:
            con.execute(
                f'UPDATE "{cfg.pg_schema}".oversight_meta SET value = %s WHERE key = %s',
                (str(SNAPSHOT_FORMAT - 1), "snapshot_format"),
            )
    # ... drops them when opened by this code, and the officer replays from its events.
    assert discard_stale_snapshots(cfg) == 1
    fresh = Oversight(cfg.url)
    try:
        assert list(fresh.snapshots.get(UUID(oid))) == []  # type: ignore[union-attr]
        o = fresh.repository.get(UUID(oid))
        assert isinstance(o, Officer) and len(o.f["trainings"]) == 60
    finally:
        fresh.close()


def test_money_is_integer_fen_inside_and_decimal_yuan_outside() -> None:
    assert yuan_to_fen("1500.00") == 150000 and yuan_to_fen("0.5") == 50
    assert fen_to_yuan(150000) == "1500.00" and fen_to_yuan(5) == "0.05"
    for bad in ("1.234", "-1", "abc", "NaN"):
        with pytest.raises(InvalidInputError):
            yuan_to_fen(bad)


def test_database_urls() -> None:
    assert parse_db_url("sqlite:///var/x.db").sqlite_path == "var/x.db"
    pg = parse_db_url("postgresql://postgres@127.0.0.1:5432/test?schema=s1")
    assert (pg.pg_host, pg.pg_port, pg.pg_dbname, pg.pg_schema) == ("127.0.0.1", 5432, "test", "s1")
    with pytest.raises(ValueError):
        parse_db_url("mysql://x")


def test_a_v1_decision_event_is_upcast_to_v2() -> None:
    from eventsourcing.persistence import Mapper, StoredEvent
    from eventsourcing.utils import get_topic

    # A Decided event as stored before v2 (no class_version key, no hearing_record_cited).
    state = {
        "timestamp": "2026-03-02T10:00:00+08:00",
        "recorded_by": "p",
        "occurred_at": "2026-03-02T10:00:00+08:00",
        "decision_no": "D1",
        "decided_by": "h",
        "outcome": "penalty",
        "penalties": [],
        "legal_basis": "b",
        "evidence_ids": [],
        "benchmark": None,
        "payment": None,
        "remedies": {},
        "officers": [],
        "certificate_shown": False,
        "form_no": None,
        "fine_id": None,
        "_t": {"timestamp": "dt", "occurred_at": "dt"},
    }
    import orjson

    stored = StoredEvent(uuid4(), 5, get_topic(Case.Decided), orjson.dumps(state))
    event = Mapper(OrjsonTranscoder()).to_domain_event(stored)
    assert isinstance(event, Case.Decided) and event.hearing_record_cited is False


def test_several_processes_open_a_new_store_at_once(db_url: str) -> None:
    """Servers and projection workers started together each set the store up (schema, tables,
    the append-only triggers, the record function): none of them fails on another's setup,
    and the store they share then works."""
    opened, errors = at_once([lambda: Oversight(db_url)] * 4)
    try:
        assert errors == []
        a, b = opened[0], opened[-1]
        unit = a.register_unit(SYSTEM, code="TOGETHER", name="n", region="1", matters=[], banks=[])
        assert b.get_unit(SYSTEM, unit["id"])["code"] == "TOGETHER"
    finally:
        for app in opened:
            app.close()
