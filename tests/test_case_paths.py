"""One story per case path, each step commented, over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from .conftest import D0, World, at, day, sha


def test_general_procedure_with_fine_paid_at_the_bank(world: World) -> None:
    w, c = world, world.c
    # An officer files the case (立案) and two certified officers inspect on site.
    cid = w.file()
    w.post(
        f"/v1/cases/{cid}/acts",
        w.officer_h,
        {
            "type": "inspection",
            "occurred_at": at(D0, 10),
            "officers": [w.zhang, w.li, w.aux],
            "certificate_shown": True,
            "record_sha256": sha("record"),
        },
    )
    # They collect evidence with its content hash.
    eid = w.evidence(cid)
    # The party is told the proposed fine (告知), states a defence, and the unit re-checks it.
    w.notice(cid)
    w.post(f"/v1/cases/{cid}/statements", w.officer_h, {"received_at": at(day(2)), "summary": "初犯"})
    w.post(f"/v1/cases/{cid}/rechecks", w.officer_h, {"at": at(day(3)), "officers": [w.zhang], "conclusion": "维持"})
    # The unit head decides; the decision imposes a Fine.
    res = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))
    fine_id = res["fine_id"]
    assert res["version"] == 7 and res["position"] > 0
    # The decision is served, which sets the 15-day payment deadline.
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(day(15)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    fine = c.get(f"/v1/fines/{fine_id}", headers=w.bank_h).json()
    assert fine["amount"] == "20000.00" and fine["outstanding"] == "20000.00"
    assert fine["due_on"] == str(day(15 + 15))
    # The designated bank records the payment; the case is executed.
    w.post(
        f"/v1/fines/{fine_id}/payments",
        w.bank_h,
        {"receipt_no": "R-" + cid[:8], "amount": "20000.00", "paid_at": at(day(18))},
    )
    fine = c.get(f"/v1/fines/{fine_id}", headers=w.head_h).json()
    assert (fine["paid"], fine["outstanding"], fine["status"]) == ("20000.00", "0.00", "paid")
    assert c.get(f"/v1/cases/{cid}", headers=w.officer_h).json()["status"] == "executed"
    # The case is closed and archived.
    w.post(f"/v1/cases/{cid}/closure", w.officer_h, {"at": at(day(20)), "reason": "executed"})
    final = w.post(f"/v1/cases/{cid}/archive", w.officer_h, {"at": at(day(21)), "file_sha256": sha("file")})
    case = c.get(f"/v1/cases/{cid}", headers=w.auditor_h).json()
    assert case["status"] == "archived" and case["version"] == final["version"]
    # Every event names who recorded it, and the log replays to any earlier version.
    events = c.get(f"/v1/cases/{cid}/events", headers=w.auditor_h).json()
    assert [e["type"] for e in events][:3] == ["Filed", "ActRecorded", "EvidenceCollected"]
    assert all(e["recorded_by"] for e in events)
    assert events[-1]["type"] == "Archived"
    at_decision = c.get(f"/v1/cases/{cid}?version=7", headers=w.auditor_h).json()
    assert at_decision["status"] == "decided" and at_decision["version"] == 7
    before = c.get(f"/v1/cases/{cid}", params={"as_of": events[2]["recorded_at"]}, headers=w.auditor_h).json()
    assert before["version"] == 3 and before["status"] == "investigating"


def test_major_case_with_failed_then_passed_review_and_collective_discussion(world: World) -> None:
    w = world
    # A major case (重大执法决定) is filed, investigated and noticed.
    cid, eid = w.ready_for_decision(major=True)
    # The legal reviewer fails the first review.
    w.post(
        f"/v1/cases/{cid}/legal-reviews",
        w.reviewer_h,
        {"reviewer_id": w.reviewer, "at": at(day(8)), "result": "failed", "opinion": "证据不足"},
    )
    # The unit's heads discuss the case collectively.
    w.post(
        f"/v1/cases/{cid}/discussions",
        w.head_h,
        {
            "held_at": at(day(9)),
            "attendees": [w.head, w.head2],
            "minutes_sha256": sha("m"),
            "conclusion": "补充证据后处罚",
        },
    )
    # Deciding now is refused: the latest review failed (C8).
    r = w.c.post(f"/v1/cases/{cid}/decision", json=w.decision_body(eid), headers=w.head_h)
    assert r.status_code == 409 and r.json()["rule"] == "C8"
    # A second review passes; the decision is then recorded.
    w.post(
        f"/v1/cases/{cid}/legal-reviews",
        w.reviewer_h,
        {"reviewer_id": w.reviewer, "at": at(day(10)), "result": "passed", "opinion": "同意"},
    )
    res = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))
    assert res["fine_id"]
    assert w.c.get(f"/v1/cases/{cid}", headers=w.head_h).json()["status"] == "decided"


def test_hearing_requested_and_held(world: World) -> None:
    w = world
    # A large fine on a person gives a hearing right (较大数额, C5).
    cid = w.file(party={"kind": "person", "name": "张三", "id_number": "410102199001011234"})
    eid = w.evidence(cid)
    w.notice(cid, amount="20000.00", hearing=True)
    # The party requests a hearing within 5 working days.
    w.post(f"/v1/cases/{cid}/hearing-requests", w.officer_h, {"at": at(day(3))})
    assert w.c.get(f"/v1/cases/{cid}", headers=w.head_h).json()["status"] == "hearing"
    # The decision waits for the requested hearing.
    r = w.c.post(f"/v1/cases/{cid}/decision", json=w.decision_body(eid), headers=w.head_h)
    assert r.status_code == 409 and r.json()["rule"] == "C5"
    # The hearing is noticed 7 working days ahead and held by a non-investigator.
    w.post(
        f"/v1/cases/{cid}/hearings",
        w.officer_h,
        {"noticed_at": at(day(4)), "held_at": at(day(16)), "host_id": w.wang, "record_sha256": sha("hearing")},
    )
    # After a hearing the decision is major: it needs a passed legal review.
    w.post(
        f"/v1/cases/{cid}/legal-reviews",
        w.reviewer_h,
        {"reviewer_id": w.reviewer, "at": at(day(17)), "result": "passed", "opinion": "同意"},
    )
    res = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid, n=18))
    assert res["fine_id"]


def test_simplified_on_the_spot_fine_collected_handed_over_and_deposited(world: World) -> None:
    w = world
    # A simplified-procedure case for a small fine on a person.
    cid = w.file(procedure="simplified", party={"kind": "person", "name": "李四", "id_number": "410102199202021234"})
    w.post(
        f"/v1/cases/{cid}/acts",
        w.officer_h,
        {
            "type": "inspection",
            "occurred_at": at(D0, 10),
            "officers": [w.zhang, w.li],
            "certificate_shown": True,
            "record_sha256": sha("spot"),
        },
    )
    eid = w.evidence(cid, collected_at=at(D0, 10))
    w.notice(cid, amount="50.00", n=0, served_at=at(D0, 11))
    # The on-the-spot decision names the officers, the shown certificate and the form number.
    body = w.decision_body(
        eid,
        amount="50.00",
        n=0,
        decided_at=at(D0, 12),
        officers=[w.zhang, w.li],
        certificate_shown=True,
        form_no="F-0001",
    )
    body.pop("benchmark")
    body["benchmark"] = {"version": "2025-1", "tier": "一般", "reason": "情节轻微，低于档次"}
    fine_id = w.post(f"/v1/cases/{cid}/decision", w.head_h, body)["fine_id"]
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(D0, 12), "method": "on_the_spot", "officers": [w.zhang, w.li]},
    )
    # The officers collect the 50 yuan on the spot with a numbered finance receipt.
    w.post(
        f"/v1/fines/{fine_id}/on-the-spot",
        w.officer_h,
        {"receipt_no": "财" + cid[:8], "amount": "50.00", "collected_at": at(D0, 13), "officers": [w.zhang, w.li]},
    )
    # The cash reaches the unit, then the bank.
    w.post(f"/v1/fines/{fine_id}/handovers", w.officer_h, {"at": at(day(1))})
    w.post(f"/v1/fines/{fine_id}/deposits", w.bank_h, {"at": at(day(2))})
    assert w.c.get(f"/v1/fines/{fine_id}", headers=w.auditor_h).json()["status"] == "paid"
    w.post(f"/v1/cases/{cid}/closure", w.officer_h, {"at": at(day(3)), "reason": "executed"})


def test_no_penalty_case_is_decided_served_closed_and_archived(world: World) -> None:
    w = world
    # Investigation shows a first minor violation, corrected at once (首违不罚).
    cid = w.file()
    eid = w.evidence(cid)
    # The decision imposes no penalty and creates no fine.
    res = w.post(
        f"/v1/cases/{cid}/decision",
        w.head_h,
        {
            "decision_no": "N-" + cid[:8],
            "decided_at": at(day(5)),
            "decided_by": w.head,
            "outcome": "no_penalty",
            "legal_basis": "《行政处罚法》第三十三条",
            "evidence_ids": [eid],
        },
    )
    assert "fine_id" not in res
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(day(6)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    w.post(f"/v1/cases/{cid}/closure", w.officer_h, {"at": at(day(7)), "reason": "no_penalty"})
    w.post(f"/v1/cases/{cid}/archive", w.officer_h, {"at": at(day(8)), "file_sha256": sha("f")})
    assert w.c.get(f"/v1/cases/{cid}", headers=w.officer_h).json()["status"] == "archived"


def test_transfer_to_the_police(world: World) -> None:
    w = world
    # The amount involved meets the prosecution threshold: the case goes to the police.
    cid = w.file()
    w.evidence(cid)
    w.post(
        f"/v1/cases/{cid}/transfers",
        w.officer_h,
        {
            "reported_at": at(day(3)),
            "decided_at": at(day(4)),
            "sent_at": at(day(4) + timedelta(hours=2)),
            "to": "public_security",
            "documents": ["transfer_letter", "investigation_report", "seized_items_list", "expert_reports"],
        },
    )
    assert w.c.get(f"/v1/cases/{cid}", headers=w.officer_h).json()["status"] == "transferred"
    w.post(f"/v1/cases/{cid}/closure", w.officer_h, {"at": at(day(10)), "reason": "transferred"})
    assert w.c.get(f"/v1/cases/{cid}", headers=w.officer_h).json()["status"] == "closed"
