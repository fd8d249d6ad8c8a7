"""The read side: the case list (a projection) with read-your-writes, and the runtime's
exactly-once guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import inspect, select

from domain.application import Oversight
from domain.principal import SYSTEM
from projections import PROJECTIONS, build_runner
from projections.audit import Audit
from projections.db import make_engine
from projections.runner import Runner, SqlProjection, TrackingConflictError, prune, tracking
from scripts.demo import load_demo

from .conftest import World, at, at_once, day


def test_case_list_reads_your_writes_and_is_scoped_to_the_unit(world: World) -> None:
    w, c = world, world.c
    # An officer files three cases; the last answer's position is passed as min_position.
    ids = [w.file(), w.file(), w.file()]
    pos = w.post(
        f"/v1/cases/{ids[0]}/interventions",
        w.officer_h,
        {"official": "某领导", "position": "副市长", "occurred_at": at(day(1)), "channel": "phone", "content": "过问"},
    )["position"]
    r = c.get("/v1/cases", params={"min_position": pos}, headers=w.officer_h)
    assert r.status_code == 200
    assert int(r.headers["X-Projection-Position"]) >= pos
    items = r.json()["items"]
    assert [i["id"] for i in items] == ids and items[0]["version"] == 2
    # Filters and pages.
    page = c.get("/v1/cases", params={"limit": 2, "min_position": pos}, headers=w.auditor_h).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = c.get("/v1/cases", params={"limit": 2, "cursor": page["next_cursor"]}, headers=w.auditor_h).json()
    assert [i["id"] for i in rest["items"]] == ids[2:] and rest["next_cursor"] is None
    assert c.get("/v1/cases", params={"status": "decided"}, headers=w.auditor_h).json()["items"] == []
    # Another unit's officer sees none of them and may not ask for them; a bank lists nothing.
    other = World(c, benchmark=False)
    assert c.get("/v1/cases", headers=other.officer_h).json()["items"] == []
    assert c.get("/v1/cases", params={"unit_id": w.unit_id}, headers=other.officer_h).status_code == 403
    assert c.get("/v1/cases", headers=w.bank_h).status_code == 403


def test_case_list_status_follows_the_case(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    res = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))
    items = c.get("/v1/cases", params={"min_position": res["position"]}, headers=w.head_h).json()["items"]
    row = next(i for i in items if i["id"] == cid)
    assert (row["status"], row["fine"], row["fine_id"]) == ("decided", "20000.00", res["fine_id"])


def test_min_position_beyond_the_log_answers_503_with_retry_after(world: World) -> None:
    w, c = world, world.c
    r = c.get("/v1/cases", params={"min_position": 10**9}, headers=w.auditor_h)
    assert r.status_code == 503 and r.headers["Retry-After"]


def digest(engine: Any) -> str:
    """A digest of every read table's rows, in key order."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for cls in PROJECTIONS.values():
            for table in cls.metadata.sorted_tables:
                if table.name in cls.volatile_tables:
                    continue
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    h.update(repr(tuple(row)).encode())
    return h.hexdigest()


@pytest.fixture
def demo_store(oversight: Oversight) -> Oversight:
    load_demo(oversight, cases=12)
    return oversight


def test_restart_continues_from_the_tracked_position_and_ends_like_a_clean_rebuild(demo_store: Oversight) -> None:
    app = demo_store
    engine = make_engine(app.store)
    try:
        # A worker processes a few small pages, then "dies"; a new one takes over.
        first = build_runner(app.recorder, app.mapper, engine, page_size=7)
        for _ in range(3):
            first.step()
        assert 0 < first.position() < app.max_position()
        second = build_runner(app.recorder, app.mapper, engine, page_size=7)
        second.run_until_head()
        assert second.position() == app.max_position()
        resumed = digest(engine)
        # A clean rebuild from position 0 gives the same tables.
        with engine.begin() as conn:
            for p in second.projections:
                p.drop(conn)
        clean = build_runner(app.recorder, app.mapper, engine, page_size=500)
        clean.run_until_head()
        assert digest(engine) == resumed
    finally:
        engine.dispose()


def test_two_workers_never_apply_the_same_page_twice(demo_store: Oversight) -> None:
    app = demo_store
    engine = make_engine(app.store)
    try:
        a = build_runner(app.recorder, app.mapper, engine, page_size=50)
        b = build_runner(app.recorder, app.mapper, engine, page_size=50)
        # Both read the same starting position; b commits first, a's page must roll back.
        positions = a.positions()
        b.step()
        a.positions = lambda: positions  # type: ignore[method-assign]  # a is behind: stale read
        with pytest.raises(TrackingConflictError):
            a.step()
        b.run_until_head()
        with engine.connect() as conn:
            n = conn.execute(select(PROJECTIONS["case_index"].cases)).fetchall()
        assert len(n) == 12  # each demo case exactly once
    finally:
        engine.dispose()


def test_a_page_another_worker_committed_meanwhile_is_a_conflict_not_a_fault(
    demo_store: Oversight, caplog: pytest.LogCaptureFixture
) -> None:
    """Two workers on one store (two servers, each with its own): one reads the positions,
    the other commits the same page first, and the first page's inserts then hit the rows the
    other stored. That is the other worker's progress, not an event the projection cannot
    store: it is a tracking conflict (the worker goes on from the new position), without the
    one-at-a-time retry, a fault, or a warning that holds the event's data."""
    app = demo_store
    engine = make_engine(app.store)
    try:
        a = build_runner(app.recorder, app.mapper, engine, page_size=5000)
        b = build_runner(app.recorder, app.mapper, engine, page_size=5000)
        stale = a.positions()
        b.step()
        reads = iter([stale])
        real = a.positions
        a.positions = lambda: next(reads, None) or real()  # type: ignore[method-assign]
        with caplog.at_level("INFO", logger="oversight.projections"), pytest.raises(TrackingConflictError):
            a.step()
        assert "one at a time" not in caplog.text
        assert a.faults() == []
        a.run_until_head()
        assert a.position() == app.max_position()
        assert a.faults() == []
        with engine.connect() as conn:
            assert len(conn.execute(select(PROJECTIONS["case_index"].cases)).fetchall()) == 12
    finally:
        engine.dispose()


def test_a_failed_page_is_logged_without_the_statements_parameters() -> None:
    """The database's message is kept (logs, the faults table); the parameters SQLAlchemy
    appends to it hold the event's data (names, id numbers) and are not."""
    from sqlalchemy.exc import IntegrityError

    from projections.runner import reason

    e = IntegrityError(
        "INSERT INTO cases VALUES (%(name)s)", {"name": "张三 410100199001011234"}, Exception("duplicate key")
    )
    assert reason(e) == "IntegrityError: duplicate key"
    assert "张三" not in reason(e)
    assert reason(ValueError("bad")) == "ValueError: bad"


def _case_index_v2() -> type[SqlProjection]:
    """The case index as a later version would ship it: same rows, its own tables."""
    from sqlalchemy import MetaData

    from projections.case_index import CaseIndex

    md = MetaData()
    table = CaseIndex.cases.to_metadata(md, name="p_case_index_v2_cases")
    for ix in table.indexes:
        ix.name = f"{ix.name}_v2"
    return type("CaseIndexV2", (CaseIndex,), {"name": "case_index", "version": 2, "metadata": md, "cases": table})


def _rows(engine: Any, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(table.c.case_id))]


def test_a_new_version_is_built_beside_the_old_one_and_then_takes_over(demo_store: Oversight) -> None:
    app = demo_store
    engine = make_engine(app.store)
    v1 = PROJECTIONS["case_index"]
    v2 = _case_index_v2()
    try:
        old = Runner(app.recorder, app.mapper, engine, [v1(engine)], page_size=500)
        old.run_until_head()
        assert old.serving() == {"case_index": 1}
        before = _rows(engine, v1.cases)
        # The new version starts beside the old one: v1 keeps serving while v2 builds.
        new = Runner(app.recorder, app.mapper, engine, [v2(engine)], page_size=7)
        new.step()
        assert new.serving() == {"case_index": 1}
        assert [s.state for s in new.states()] == ["building"]
        assert "v2 is being built beside v1" in (new.unavailable() or "")
        assert old.unavailable() is None and _rows(engine, v1.cases) == before
        # Once v2 reaches the head it takes over; v1 now reports itself superseded.
        new.run_until_head()
        assert new.serving() == {"case_index": 2} and new.unavailable() is None
        assert [s.state for s in old.states()] == ["superseded"]
        assert _rows(engine, v2.cases) == before
        # Pruning drops v1's tables and tracking; it is refused to code whose version does not serve.
        with pytest.raises(ValueError, match="does not serve"):
            prune(engine, [v1(engine)])
        assert prune(engine, [v2(engine)]) == ["p_case_index_v1_cases"]
        assert "p_case_index_v1_cases" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            names = {(r.name, r.version) for r in conn.execute(select(tracking))}
        assert ("case_index", 1) not in names and ("case_index", 2) in names
    finally:
        engine.dispose()


def test_reads_answer_503_while_a_new_version_builds_and_200_after_it_takes_over(
    demo_store: Oversight, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app

    app = demo_store
    engine = make_engine(app.store)
    try:
        build_runner(app.recorder, app.mapper, engine).run_until_head()  # v1 of everything serves
    finally:
        engine.dispose()
    monkeypatch.setitem(PROJECTIONS, "case_index", _case_index_v2())
    api = create_app(oversight=app, projections=False, admin_token="takeover-admin-token")
    with TestClient(api) as c:
        admin = {"Authorization": "Bearer takeover-admin-token"}
        auditor = c.post("/v1/principals", json={"name": "a", "role": "auditor"}, headers=admin).json()["token"]
        h = {"Authorization": f"Bearer {auditor}"}
        r = c.get("/v1/cases", headers=h)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert "case_index v2 is being built beside v1" in r.json()["detail"]
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "v2 is being built beside v1" in ready.json()["detail"]
        metrics = c.get("/metrics", headers=admin).text
        assert 'oversight_projection_serving{projection="case_index",version="1"} 1' in metrics
        api.state.runner.run_until_head()
        assert c.get("/v1/cases", headers=h).status_code == 200
        metrics = c.get("/metrics", headers=admin).text
        assert 'oversight_projection_serving{projection="case_index",version="2"} 1' in metrics


def test_the_command_line_lists_projection_states_and_prunes_superseded_tables(demo_store: Oversight) -> None:
    import subprocess
    import sys

    app = demo_store
    engine = make_engine(app.store)
    try:
        build_runner(app.recorder, app.mapper, engine).run_until_head()
        # A superseded version's table lying beside the serving one.
        with engine.begin() as conn:
            conn.exec_driver_sql('CREATE TABLE "p_audit_v1_cases" (case_id VARCHAR(36) PRIMARY KEY)')
    finally:
        engine.dispose()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "scripts.cli", *args, "--db", app.store.url]
        return subprocess.run(cmd, capture_output=True, text=True, check=False)

    out = cli("projections")
    assert out.returncode == 0, out.stderr
    states = {line.split()[0]: line.split() for line in out.stdout.splitlines()[1:]}
    assert set(states) == set(PROJECTIONS)
    assert all(row[-1] == "serving" and row[-2] == "0" for row in states.values())  # lag 0
    pruned = cli("prune")
    assert pruned.returncode == 0, pruned.stderr
    assert "p_audit_v1_cases" in pruned.stdout
    engine = make_engine(app.store)
    try:
        assert "p_audit_v1_cases" not in inspect(engine).get_table_names()
        assert f"p_audit_v{Audit.version}_facts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_an_index_added_to_a_version_reaches_tables_built_before_it(oversight: Oversight) -> None:
    """The ledger's to_at index came after v3's tables existed: a process that starts on them
    creates it (create_all alone makes only missing tables)."""
    from sqlalchemy import text

    from projections.audit_tables import ledger

    app = oversight
    engine = make_engine(app.store)
    try:
        build_runner(app.recorder, app.mapper, engine)
        (ix,) = [i for i in ledger.indexes if i.name and i.name.endswith("_ledger_to")]
        with engine.begin() as conn:
            conn.execute(text(f"DROP INDEX {ix.name}"))
        assert ix.name not in {i["name"] for i in inspect(engine).get_indexes(ledger.name)}
        build_runner(app.recorder, app.mapper, engine)
        assert ix.name in {i["name"] for i in inspect(engine).get_indexes(ledger.name)}
    finally:
        engine.dispose()


def test_workers_started_together_create_the_read_tables_once(oversight: Oversight) -> None:
    """Projection workers started at once on a new store each create the read tables: none
    fails on another's creation, and each then projects."""
    engines = [make_engine(oversight.store) for _ in range(4)]
    try:
        runners, errors = at_once(
            [lambda e=e: build_runner(oversight.recorder, oversight.mapper, e) for e in engines]  # type: ignore[misc]
        )
        assert errors == []
        oversight.register_unit(SYSTEM, code="TOGETHER", name="n", region="1", matters=[], banks=[])
        runners[0].run_until_head()
        assert runners[0].position() == oversight.max_position()
    finally:
        for e in engines:
            e.dispose()
