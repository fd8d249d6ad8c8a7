"""A projection survives an event it cannot store: the runner never stalls, stores what can be
stored (a NUL, which PostgreSQL's text cannot hold, becomes U+FFFD), and reports the event as
a fault on /readyz and /metrics instead of skipping it in silence. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from domain.principal import SYSTEM
from projections import build_runner, reports
from projections.db import make_engine
from projections.runner import Runner

from .conftest import ADMIN
from .story import Story, t


def _imported_case(s: Story, name: str) -> tuple[str, int]:
    cid = str(uuid.uuid4())
    data = {
        "unit_id": s.unit,
        "case_no": "OLD-" + cid[:6],
        "matter_code": "MR-0101",
        "region": "410100",
        "party": {"kind": "organisation", "name": name, "id_number": "1"},
        "source": "inspection",
        "summary": "旧系统导入",
        "occurred_on": "2026-02-20",
        "discovered_on": "2026-03-01",
        "approved_by": s.head,
        "handlers": [s.zhang, s.li],
        "procedure": "general",
        "major": False,
        "complex": False,
        "imported": False,
    }
    line = json.dumps(
        {"aggregate": "case", "id": cid, "event": "Filed", "occurred_at": t(0, 9).isoformat(), "data": data},
        ensure_ascii=False,
    )
    out = s.app.import_history(SYSTEM, [line], "old-system")
    return cid, int(out["position"])


def _runner(s: Story) -> Runner:
    return build_runner(s.app.recorder, s.app.mapper, make_engine(s.app.store))


def test_an_event_with_a_nul_is_stored_cleaned_reported_and_the_runner_goes_on(story: Story) -> None:
    s = story
    bad, at = _imported_case(s, "某\x00公司")
    good = s.file()  # recorded after it: must be projected too
    runner = _runner(s)
    try:
        runner.run_until_head()
        head = s.app.max_position()
        assert set(runner.positions().values()) == {head}  # no projection stalled
        rows = {r["id"]: r for r in reports.list_cases(runner.engine, limit=500)["items"]}
        assert good in rows and bad in rows
        faults = runner.faults()
        if s.app.store.kind == "postgres":
            assert rows[bad]["party_name"] == "某\ufffd公司"
            assert faults and {f["position"] for f in faults} == {at}
            assert {f["action"] for f in faults} == {"cleaned"}
            assert all("NUL" in f["error"] or "0x00" in f["error"] for f in faults), faults
        else:  # SQLite stores NUL as recorded: nothing to report
            assert rows[bad]["party_name"] == "某\x00公司"
            assert faults == []
    finally:
        runner.engine.dispose()


def test_an_event_a_projection_cannot_store_at_all_is_skipped_reported_and_the_runner_goes_on(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = story
    first = s.file()
    poison = s.app.max_position()
    after = s.file()
    runner = _runner(s)
    index = next(p for p in runner.projections if p.name == "case_index")
    real = index.apply

    def apply(conn: Any, items: Any) -> None:
        if any(i.position == poison for i in items):
            raise ValueError("this event cannot be stored")
        real(conn, items)

    monkeypatch.setattr(index, "apply", apply)
    try:
        runner.run_until_head()
        head = s.app.max_position()
        assert set(runner.positions().values()) == {head}
        listed = {r["id"] for r in reports.list_cases(runner.engine, limit=500)["items"]}
        assert after in listed and first not in listed  # the skipped event's case is missing, and said so
        faults = runner.faults()
        assert [(f["name"], f["position"], f["action"]) for f in faults] == [("case_index", poison, "skipped")]
        assert "cannot be stored" in faults[0]["error"]
        # The other projections stored it (the audit knows the case).
        assert reports.case_audit(runner.engine, first, t(400)) is not None

        # /readyz and /metrics say so.
        api = create_app(oversight=s.app, admin_token=ADMIN, projections=False)
        with TestClient(api) as c:
            ready = c.get("/readyz")
            assert ready.status_code == 200 and ready.json()["fault_count"] == 1
            assert ready.json()["faults"][0]["position"] == poison
            text = c.get("/metrics", headers={"Authorization": f"Bearer {ADMIN}"}).text
            assert 'oversight_projection_faults{projection="case_index",version="' in text
            assert 'action="skipped"} 1' in text
        api.state.engine.dispose()
    finally:
        runner.engine.dispose()


def test_a_clean_store_reports_no_fault(story: Story) -> None:
    s = story
    s.file()
    runner = _runner(s)
    try:
        runner.run_until_head()
        api = create_app(oversight=s.app, admin_token=ADMIN, projections=False)
        with TestClient(api) as c:
            assert "faults" not in c.get("/readyz").json()
            assert (
                "oversight_projection_faults{"
                not in c.get("/metrics", headers={"Authorization": f"Bearer {ADMIN}"}).text
            )
        api.state.engine.dispose()
    finally:
        runner.engine.dispose()


def test_an_officer_event_recorded_before_the_cases_last_one_rejudges_without_a_fault(story: Story) -> None:
    """Clocks of concurrent writers disagree: a back-dated suspension whose recording time is
    earlier than the closed case's last event, later in the log and in the same page, cuts the
    case's stored score rows where it starts; no fault, one score per stretch of time."""
    from sqlalchemy import select

    from domain import clock
    from projections.audit_tables import acts, scores

    s = story
    s.runner.run_until_head()  # the unit and its officers in an earlier page
    cid, _ = s.clean_fined_case()  # closed on day 20
    clock.set_clock(lambda: s.t(10))  # recorded "on day 10", after the case's day-20 events in the log
    s.app.suspend_certificate(SYSTEM, s.zhang, at=s.t(2), reason="暂扣（追溯）")
    runner = _runner(s)
    try:
        runner.run_until_head()
        assert set(runner.positions().values()) == {s.app.max_position()}
        assert runner.faults() == []
        with runner.engine.connect() as conn:
            rows = conn.execute(
                select(scores.c.from_at, scores.c.to_at).where(scores.c.case_id == cid).order_by(scores.c.from_at)
            ).all()
            status = {
                r.version: r.status
                for r in conn.execute(select(acts).where(acts.c.officer_id == s.zhang, acts.c.subject_id == cid))
            }
        assert rows, "the closed case has a score"
        assert all(a.to_at == b.from_at for a, b in zip(rows, rows[1:], strict=False)), rows
        assert rows[-1].to_at is None
        assert "suspended" in status.values()  # his acts after day 2, judged again
        assert any(f["rule"] == "A7" for f in s.findings(cid, s.t(30)))
    finally:
        runner.engine.dispose()
