"""Authorization by role and unit, Idempotency-Key, If-Match, and concurrent commands."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Oversight
from domain.principal import Actor

from .conftest import D0, World, at, day


def intervention(n: int = 0) -> dict[str, Any]:
    return {
        "official": f"某副县长{n}",
        "position": "副县长",
        "occurred_at": at(D0, 15),
        "channel": "phone",
        "content": "打招呼要求从轻",
    }


def test_missing_or_unknown_token_is_401_and_revoked_token_is_refused(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    assert c.get(f"/v1/cases/{cid}").status_code == 401
    assert c.get(f"/v1/cases/{cid}", headers=w.auth("nope")).status_code == 401
    token = w.principal("auditor")
    assert c.get(f"/v1/cases/{cid}", headers=w.auth(token)).status_code == 200
    from domain.principal import Principal

    pid = str(Principal.id_for_token(token))
    assert c.delete(f"/v1/principals/{pid}", headers=w.admin).status_code == 200
    assert c.get(f"/v1/cases/{cid}", headers=w.auth(token)).status_code == 401


def test_officer_of_another_unit_gets_403_on_the_case(client: TestClient) -> None:
    a, b = World(client), World(client, benchmark=False)
    cid = a.file()
    r = client.get(f"/v1/cases/{cid}", headers=b.officer_h)
    assert r.status_code == 403
    r = client.post(
        f"/v1/cases/{cid}/statements", headers=b.officer_h, json={"received_at": at(day(1)), "summary": "x"}
    )
    assert r.status_code == 403
    # An officer cannot file a case in another unit either.
    r = client.post(
        "/v1/cases",
        headers=b.officer_h,
        json={
            "unit_id": a.unit_id,
            "case_no": "X-1",
            "matter_code": "MR-0101",
            "party": {"kind": "person", "name": "n", "id_number": "1"},
            "source": "other",
            "summary": "s",
            "occurred_on": "2026-02-01",
            "discovered_on": "2026-02-02",
            "filed_at": at(D0),
            "approved_by": a.head,
            "handlers": [a.zhang],
        },
    )
    assert r.status_code == 403


def test_roles_only_the_unit_head_decides_and_readers_do_not_write(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    for headers in (w.officer_h, w.reviewer_h, w.bank_h, w.auditor_h, w.supervisor_h, w.admin):
        r = c.post(f"/v1/cases/{cid}/decision", json=w.decision_body(eid), headers=headers)
        assert r.status_code == 403, r.text
    # Supervisors and auditors read across units; a bank reads no case.
    assert c.get(f"/v1/cases/{cid}", headers=w.supervisor_h).status_code == 200
    assert c.get(f"/v1/cases/{cid}", headers=w.bank_h).status_code == 403
    # Any role but a bank records an intervention.
    assert c.post(f"/v1/cases/{cid}/interventions", json=intervention(), headers=w.supervisor_h).status_code == 200
    assert c.post(f"/v1/cases/{cid}/interventions", json=intervention(), headers=w.bank_h).status_code == 403
    # Only an admin creates principals, units and officers.
    assert c.post("/v1/units", json={"code": "Z", "name": "n", "region": "1"}, headers=w.head_h).status_code == 403


def test_bank_sees_only_its_own_fines(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    fine_id = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))["fine_id"]
    assert c.get(f"/v1/fines/{fine_id}", headers=w.bank_h).status_code == 200
    other = w.auth(w.principal("bank", bank_code="OTHER"))
    assert c.get(f"/v1/fines/{fine_id}", headers=other).status_code == 403


def test_payment_more_than_outstanding_or_receipt_twice_is_409(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    fine_id = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))["fine_id"]
    r = c.post(
        f"/v1/fines/{fine_id}/payments",
        headers=w.bank_h,
        json={"receipt_no": "R1", "amount": "20000.01", "paid_at": at(day(16))},
    )
    assert r.status_code == 409
    w.post(f"/v1/fines/{fine_id}/payments", w.bank_h, {"receipt_no": "R1", "amount": "100.00", "paid_at": at(day(16))})
    r = c.post(
        f"/v1/fines/{fine_id}/payments",
        headers=w.bank_h,
        json={"receipt_no": "R1", "amount": "100.00", "paid_at": at(day(17))},
    )
    assert r.status_code == 409
    assert c.get(f"/v1/fines/{fine_id}", headers=w.bank_h).json()["paid"] == "100.00"


def test_bad_input_is_422_problem_json_naming_the_field(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    r = c.post(
        f"/v1/cases/{cid}/acts",
        headers=w.officer_h,
        json={"type": "inspection", "occurred_at": "2026-03-02T10:00:00", "officers": [w.zhang, w.li]},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "occurred_at"
    r = c.post(f"/v1/cases/{cid}/acts", headers=w.officer_h, content=b"{not json")
    assert r.status_code == 422
    r = c.post(
        f"/v1/cases/{cid}/notices",
        headers=w.officer_h,
        json={
            "served_at": at(day(1)),
            "officers": [w.zhang, w.li],
            "facts": "f",
            "reasons": "r",
            "legal_basis": "b",
            "proposed": [{"type": "fine", "amount": "12.345"}],
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("proposed")
    assert c.get("/v1/cases/not-a-uuid", headers=w.officer_h).status_code == 404
    assert c.get(f"/v1/cases/{uuid.uuid4()}", headers=w.officer_h).status_code == 404


def test_duplicate_case_number_in_the_same_unit_is_409(world: World) -> None:
    w = world
    w.file(case_no="DUP-1")
    r = w.c.post(
        "/v1/cases",
        headers=w.officer_h,
        json={
            "unit_id": w.unit_id,
            "case_no": "DUP-1",
            "matter_code": "MR-0101",
            "party": {"kind": "person", "name": "n", "id_number": "1"},
            "source": "other",
            "summary": "s",
            "occurred_on": "2026-02-01",
            "discovered_on": "2026-02-02",
            "filed_at": at(D0),
            "approved_by": w.head,
            "handlers": [w.zhang],
        },
    )
    assert r.status_code == 409


def test_idempotency_key_replays_the_first_answer_and_records_nothing(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    h = {**w.officer_h, "Idempotency-Key": "k-1"}
    first = c.post(f"/v1/cases/{cid}/interventions", json=intervention(), headers=h)
    again = c.post(f"/v1/cases/{cid}/interventions", json=intervention(), headers=h)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert w.version(f"/v1/cases/{cid}") == first.json()["version"]
    # The same key with a different body is refused.
    other = c.post(f"/v1/cases/{cid}/interventions", json=intervention(2), headers=h)
    assert other.status_code == 422
    assert w.version(f"/v1/cases/{cid}") == first.json()["version"]
    # A refused command frees its key for a corrected retry.
    bad = {**w.officer_h, "Idempotency-Key": "k-2"}
    r = c.post(f"/v1/cases/{cid}/statements", json={"received_at": at(day(1)), "summary": "s"}, headers=bad)
    assert r.status_code == 409
    assert c.post(f"/v1/cases/{cid}/interventions", json=intervention(3), headers=bad).status_code == 200


def test_if_match_on_a_stale_version_is_412(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    v = w.version(f"/v1/cases/{cid}")
    ok = c.post(f"/v1/cases/{cid}/interventions", json=intervention(), headers={**w.officer_h, "If-Match": f'"{v}"'})
    assert ok.status_code == 200 and ok.json()["version"] == v + 1
    stale = c.post(
        f"/v1/cases/{cid}/interventions", json=intervention(1), headers={**w.officer_h, "If-Match": f'"{v}"'}
    )
    assert stale.status_code == 412
    assert w.version(f"/v1/cases/{cid}") == v + 1


def test_two_clients_commanding_the_same_case_at_once(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    v = w.version(f"/v1/cases/{cid}")
    results: list[int] = []
    barrier = threading.Barrier(8)

    def send(n: int) -> None:
        barrier.wait()
        r = c.post(
            f"/v1/cases/{cid}/interventions", json=intervention(n), headers={**w.officer_h, "If-Match": f'"{v}"'}
        )
        results.append(r.status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Exactly one wins; the others get a clean 412; no event lost or duplicated.
    assert sorted(results) == [200] + [412] * 7
    events = c.get(f"/v1/cases/{cid}/events", headers=w.auditor_h).json()
    assert [e["version"] for e in events] == list(range(1, v + 2))


def test_two_processes_racing_on_one_case_lose_nothing(world: World, db_url: str) -> None:
    w = world
    cid = w.file()
    actor = Actor(id="p", role="officer", unit_id=w.unit_id, officer_id=w.zhang)
    # Two application instances (as two server processes) on the same store, caches warm.
    a, b = Oversight(db_url), Oversight(db_url)
    try:
        a.get_case(actor, cid)
        b.get_case(actor, cid)
        a.record_intervention(actor, cid, **intervention(1) | {"occurred_at": datetime.fromisoformat(at(D0, 15))})
        # b's cached case is stale: the store refuses its write as a conflict, or b
        # fast-forwards first; either way nothing is lost or duplicated.
        b.record_intervention(actor, cid, **intervention(2) | {"occurred_at": datetime.fromisoformat(at(D0, 15))})
        events = a.case_events(actor, cid)
        assert [e["version"] for e in events] == list(range(1, len(events) + 1))
        assert [e["data"]["official"] for e in events if e["type"] == "InterventionRecorded"] == [
            "某副县长1",
            "某副县长2",
        ]
    finally:
        a.close()
        b.close()


def test_a_gate_reads_an_officer_another_process_changed(db_url: str) -> None:
    """Gates read the officers as the log has them: a suspension recorded by another server
    process reaches this one's warm cache before its next command (one read of the log's
    tail per command), so the act is refused (A7), not recorded."""
    import pytest

    from domain.errors import RuleViolation
    from domain.principal import SYSTEM
    from scripts.demo import UnitStory

    a, b = Oversight(db_url), Oversight(db_url)
    try:
        s = UnitStory(a)
        cid = s.file()
        s.act(cid, s.t(1, 10))  # a's cache now holds both officers, certified
        b.suspend_certificate(SYSTEM, s.zhang, at=s.t(1, 12), reason="暂扣")
        with pytest.raises(RuleViolation) as refused:
            s.act(cid, s.t(1, 14))
        assert refused.value.rule in ("A7", "A1", "A2"), refused.value
        assert [e["type"] for e in a.case_events(SYSTEM, cid)].count("ActRecorded") == 1
    finally:
        s.engine.dispose()
        a.close()
        b.close()


def test_a_cache_far_behind_the_log_starts_afresh_and_still_sees_the_change(db_url: str, monkeypatch: Any) -> None:
    """When more entries than one catch-up reads were recorded elsewhere (an import, another
    busy process), the cache is emptied and reloads: the suspension is still seen."""
    import pytest

    from domain.errors import RuleViolation
    from domain.principal import SYSTEM
    from domain.services import base
    from scripts.demo import UnitStory

    monkeypatch.setattr(base, "TAIL", 5)
    a, b = Oversight(db_url), Oversight(db_url)
    try:
        s = UnitStory(a)
        cid = s.file()
        s.act(cid, s.t(1, 10))
        for k in range(6):  # more than a catch-up reads
            b.record_training(SYSTEM, s.li, on=s.t(1).date(), hours=1, topic=f"t{k}")
        b.suspend_certificate(SYSTEM, s.zhang, at=s.t(1, 12), reason="暂扣")
        with pytest.raises(RuleViolation):
            s.act(cid, s.t(1, 14))
        assert a._tail_at == a.max_position()
    finally:
        s.engine.dispose()
        a.close()
        b.close()
