"""After the decision: reconsideration and suits (E1, and the D8 surcharge pause), the court
window of a unit without its own enforcement power (E4), and the bank's remittance to the
treasury (D9). Each rule broken and satisfied, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.calendar import CHINA, add_months
from domain.errors import ForbiddenError, InvalidInputError, StateError
from domain.principal import SYSTEM
from projections import reports

from .conftest import World, at, day
from .story import Story, t


def rules(found: list[dict[str, Any]]) -> list[str]:
    return sorted(f["rule"] for f in found)


def midnight(d: Any) -> datetime:
    return datetime(d.year, d.month, d.day, 10, tzinfo=CHINA)


# ---------------------------------------------------------------- E1
def test_e1_a_suspension_because_a_remedy_was_sought_is_a_finding(story: Story) -> None:
    s = story
    cid, _ = s.served_fine()
    s.at(t(20))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=t(20), body="某市人民政府", reference="复议1号")
    s.at(t(21))
    v = s.app.suspend_execution(s.hd, cid, at=t(21), ground="pending_remedy", basis="当事人已申请复议")["version"]
    found = s.findings(cid, t(22))
    assert rules(found) == ["E1"]
    assert found[0]["events"] == [{"aggregate_id": cid, "version": v}]
    assert "a reconsideration was pending" in found[0]["message"]


def test_e1_a_suspension_by_the_reconsideration_organ_during_the_remedy_is_lawful(story: Story) -> None:
    s = story
    cid, _ = s.served_fine()
    s.at(t(20))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=t(20), body="某市人民政府", reference=None)
    s.at(t(21))
    s.app.suspend_execution(s.hd, cid, at=t(21), ground="reconsideration_organ", basis="停止执行通知书")
    assert s.findings(cid, t(22)) == []


def test_e1_a_suspension_without_a_pending_remedy_or_by_the_wrong_body(story: Story) -> None:
    s = story
    cid, _ = s.served_fine()
    s.at(t(21))
    s.app.suspend_execution(s.hd, cid, at=t(21), ground="respondent", basis="本机关决定")
    assert [f["message"] for f in s.findings(cid, t(22))] == [
        "execution suspended by the respondent with no reconsideration or suit pending"
    ]
    cid2, _ = s.served_fine()
    s.at(t(20))
    s.app.seek_remedy(s.off, cid2, kind="reconsideration", filed_at=t(20), body="某市人民政府", reference=None)
    s.at(t(21))
    s.app.suspend_execution(s.hd, cid2, at=t(21), ground="court", basis="（2026）豫01行初1号")
    assert rules(s.findings(cid2, t(22))) == ["E1"]
    # A law that says so suspends at any time.
    cid3, _ = s.served_fine()
    s.at(t(21))
    s.app.suspend_execution(s.hd, cid3, at=t(21), ground="law", basis="某法第十条")
    assert s.findings(cid3, t(22)) == []


def test_remedy_commands_refuse_what_cannot_have_happened(story: Story) -> None:
    s = story
    cid = s.file()
    with pytest.raises(StateError):  # nothing decided yet
        s.app.seek_remedy(s.off, cid, kind="litigation", filed_at=t(2), body="某区人民法院", reference=None)
    cid, _ = s.served_fine()
    with pytest.raises(InvalidInputError) as e:
        s.app.seek_remedy(s.off, cid, kind="appeal", filed_at=t(20), body="x", reference=None)
    assert e.value.field == "kind"
    s.at(t(20))
    s.app.seek_remedy(s.off, cid, kind="litigation", filed_at=t(20), body="某区人民法院", reference=None)
    with pytest.raises(StateError):  # one at a time
        s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=t(21), body="某市人民政府", reference=None)
    with pytest.raises(StateError):  # none of that kind pending
        s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=t(30), result="upheld")
    with pytest.raises(InvalidInputError) as e:
        s.app.suspend_execution(s.hd, cid, at=t(21), ground="court", basis=" ")
    assert e.value.field == "basis"
    with pytest.raises(StateError):
        s.app.resume_execution(s.hd, cid, at=t(22))


# ---------------------------------------------------------------- D8 pause
def test_d8_the_surcharge_does_not_run_while_a_reconsideration_is_pending(story: Story) -> None:
    s = story
    cid, fine = s.served_fine()  # due on day 30 (2026-04-01)
    # 20 days late on day 50: 20 × 3% × 20,000 = 12,000 yuan.
    assert s.app.get_fine(SYSTEM, fine, t(50))["surcharge"] == "12000.00"
    s.at(t(35))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=t(35), body="某市人民政府", reference=None)
    s.at(t(45))
    s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=t(45), result="upheld")
    # Days 35 to 45 (11 days) do not count: 9 days × 600 = 5,400 yuan; the ledger agrees.
    assert s.app.get_fine(SYSTEM, fine, t(50))["surcharge"] == "5400.00"
    s.runner.run_until_head()
    ledger = reports.fines_report(s.engine, s.unit, t(50))["fines"]
    assert [f["surcharge"] for f in ledger if f["fine_id"] == fine] == ["5400.00"]
    # While it is still pending nothing accrues either.
    cid2, fine2 = s.served_fine()
    s.at(t(31))
    s.app.seek_remedy(s.off, cid2, kind="litigation", filed_at=t(31), body="某区人民法院", reference=None)
    assert s.app.get_fine(SYSTEM, fine2, t(80))["surcharge"] == "0.00"
    # Nor does the remedy move the due date: paying late is still late (D2).
    s.pay(fine2, 60)
    assert "D2" in rules(s.findings(cid2, t(61)))


# ---------------------------------------------------------------- E4
def test_e4_a_unit_without_its_own_power_applies_to_court_inside_the_window(story: Story) -> None:
    s = story
    cid, fine = s.served_fine()
    s.at(t(40))
    s.app.serve_demand(s.off, fine, served_at=t(40))
    served = t(15).date()
    period_end = add_months(served, 6)
    window_end = add_months(period_end, 3)
    # Unpaid and never taken to court: found once the window has closed, not before.
    assert "E4" not in rules(s.findings(cid, midnight(window_end)))
    found = [f for f in s.findings(cid, midnight(window_end + timedelta(days=1))) if f["rule"] == "E4"]
    assert len(found) == 1 and f"by {window_end}" in found[0]["message"]
    assert found[0]["events"][0]["aggregate_id"] == fine
    # Applied for within the window: satisfied.
    inside = midnight(period_end + timedelta(days=10))
    s.at(inside)
    s.app.apply_to_court(s.off, fine, at=inside)
    assert "E4" not in rules(s.findings(cid, midnight(window_end + timedelta(days=30))))


def test_e4_applied_while_a_suit_was_pending_and_too_late(story: Story) -> None:
    s = story
    cid, fine = s.served_fine()
    s.at(t(40))
    s.app.serve_demand(s.off, fine, served_at=t(40))
    s.at(t(50))
    s.app.seek_remedy(s.off, cid, kind="litigation", filed_at=t(50), body="某区人民法院", reference=None)
    when = midnight(add_months(t(15).date(), 6) + timedelta(days=5))
    s.at(when)
    v = s.app.apply_to_court(s.off, fine, at=when)["version"]
    found = [f for f in s.findings(cid, when + timedelta(days=1)) if f["rule"] == "E4"]
    assert [f["message"] for f in found] == ["court enforcement applied for while a litigation was pending"]
    assert found[0]["events"] == [{"aggregate_id": fine, "version": v}]
    cid2, fine2 = s.served_fine()
    s.at(t(40))
    s.app.serve_demand(s.off, fine2, served_at=t(40))
    late = midnight(add_months(add_months(t(15).date(), 6), 3) + timedelta(days=3))
    s.at(late)
    s.app.apply_to_court(s.off, fine2, at=late)
    window_end = add_months(add_months(t(15).date(), 6), 3)
    assert [f["message"] for f in s.findings(cid2, late + timedelta(days=1)) if f["rule"] == "E4"] == [
        f"court enforcement applied for on {late.date()}, after the window (3 months) ended on {window_end}"
    ]


def test_e4_does_not_judge_a_unit_with_its_own_enforcement_power(story: Story) -> None:
    s = story
    with pytest.raises(InvalidInputError) as e:
        s.app.declare_enforcement_power(SYSTEM, s.unit, own=True, basis=None)
    assert e.value.field == "enforcement_power_basis"
    s.app.declare_enforcement_power(SYSTEM, s.unit, own=True, basis="《税收征收管理法》第四十条")
    cid, fine = s.served_fine()
    s.at(t(40))
    s.app.serve_demand(s.off, fine, served_at=t(40))
    s.at(t(55))
    s.app.apply_to_court(s.off, fine, at=t(55))  # early, but this unit needs no court window
    assert rules(s.findings(cid, t(56))) == ["D2"]


# ---------------------------------------------------------------- D9
def test_d9_the_bank_pays_what_it_receives_into_the_treasury(story: Story) -> None:
    s = story
    cid, fine = s.served_fine()
    s.pay(fine, 18, remit_after=None)  # 2026-03-20, a Friday: due in the treasury by Monday
    assert s.findings(cid, t(21, 10)) == []
    found = s.findings(cid, t(22, 10))
    assert rules(found) == ["D9"] and "not in the treasury by 2026-03-23" in found[0]["message"]
    assert found[0]["events"][0]["aggregate_id"] == fine
    # More than it holds is refused; another bank may not remit it; the remittance is late.
    with pytest.raises(StateError):
        s.app.remit_to_treasury(s.bank, fine, remitted_at=t(25), voucher_no="GK1", amount="20000.01")
    other = type(s.bank)("other-bank", "bank", bank_code="OTHER")
    with pytest.raises(ForbiddenError):  # D1: only the designated bank handles the fine's money
        s.app.remit_to_treasury(other, fine, remitted_at=t(25), voucher_no="GK1", amount="20000.00")
    s.remit(fine, "20000.00", 25)
    found = s.findings(cid, t(26))
    assert [f["message"] for f in found] == [
        "20000.00 yuan received on 2026-03-20 reached the treasury on 2026-03-27, after 2026-03-23"
    ]
    # Remitted the next working day: satisfied.
    cid2, fine2 = s.served_fine()
    s.pay(fine2, 18, remit_after=3)  # Monday 23 March
    assert s.findings(cid2, t(30)) == []


def test_d9_partial_remittances_cover_receipts_in_order(story: Story) -> None:
    s = story
    cid, fine = s.served_fine()
    s.at(t(18))
    s.app.record_payment(s.bank, fine, receipt_no="R-a", amount="5000.00", paid_at=t(18))
    s.at(t(19))
    s.app.record_payment(s.bank, fine, receipt_no="R-b", amount="15000.00", paid_at=t(19))
    s.remit(fine, "5000.00", 18)
    found = s.findings(cid, t(30))
    assert [f["message"] for f in found if f["rule"] == "D9"] == [
        "15000.00 yuan received on 2026-03-21 not in the treasury by 2026-03-23"
    ]


def test_remedy_and_remittance_routes(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    fine = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))["fine_id"]
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(day(15)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    w.post(
        f"/v1/cases/{cid}/remedies",
        w.officer_h,
        {"kind": "reconsideration", "filed_at": at(day(20)), "body": "某市人民政府"},
    )
    bad = c.post(
        f"/v1/cases/{cid}/execution-suspensions",
        headers=w.head_h,
        json={"at": at(day(21)), "ground": "mercy", "basis": "x"},
    )
    assert bad.status_code == 422 and "ground" in bad.text
    assert (
        c.post(
            f"/v1/cases/{cid}/execution-suspensions",
            headers=w.officer_h,
            json={"at": at(day(21)), "ground": "reconsideration_organ", "basis": "停止执行通知书"},
        ).status_code
        == 403
    )  # unit head only
    w.post(
        f"/v1/cases/{cid}/execution-suspensions",
        w.head_h,
        {"at": at(day(21)), "ground": "reconsideration_organ", "basis": "停止执行通知书"},
    )
    w.post(
        f"/v1/cases/{cid}/remedy-conclusions",
        w.officer_h,
        {"kind": "reconsideration", "at": at(day(40)), "result": "upheld"},
    )
    w.post(f"/v1/cases/{cid}/execution-resumptions", w.head_h, {"at": at(day(41))})
    types = [e["type"] for e in c.get(f"/v1/cases/{cid}/events", headers=w.auditor_h).json()]
    assert types[-4:] == ["RemedySought", "ExecutionSuspended", "RemedyConcluded", "ExecutionResumed"]
    # The bank pays and remits; an officer may not remit; more than received: 409.
    w.post(f"/v1/fines/{fine}/payments", w.bank_h, {"receipt_no": "R-1", "amount": "20000.00", "paid_at": at(day(42))})
    body = {"voucher_no": "GK-1", "amount": "20000.00", "remitted_at": at(day(42))}
    assert c.post(f"/v1/fines/{fine}/treasury-remittances", headers=w.officer_h, json=body).status_code == 403
    over = c.post(f"/v1/fines/{fine}/treasury-remittances", headers=w.bank_h, json=body | {"amount": "20000.01"})
    assert over.status_code == 409 and over.headers["content-type"].startswith("application/problem+json")
    w.post(f"/v1/fines/{fine}/treasury-remittances", w.bank_h, body)
    # A unit's enforcement power: declared by an admin, with its legal basis.
    r = c.post(f"/v1/units/{w.unit_id}/enforcement-power", headers=w.admin, json={"own": True})
    assert r.status_code == 422 and "enforcement_power_basis" in r.text
    w.post(f"/v1/units/{w.unit_id}/enforcement-power", w.admin, {"own": True, "basis": "《某法》第十条"})
    unit = c.get(f"/v1/units/{w.unit_id}", headers=w.admin).json()
    assert unit["own_enforcement_power"] is True and unit["enforcement_power_basis"] == "《某法》第十条"


def test_case_and_fine_commands_touching_both_run_at_once_without_loss(story: Story) -> None:
    """Payments (fine first, may settle the case) and remedies (case first, change the fine) at
    the same moment from many threads: every command lands once, nothing deadlocks."""
    import threading

    s = story
    cid, fine = s.served_fine()
    s.at(t(20))
    errors: list[BaseException] = []

    def pay(n: int) -> None:
        try:
            s.app.record_payment(s.bank, fine, receipt_no=f"P{n}", amount="1000.00", paid_at=t(20))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    def remedies() -> None:  # one after another: a suit is sought and withdrawn five times
        try:
            for n in range(5):
                s.app.seek_remedy(s.off, cid, kind="litigation", filed_at=t(20), body=f"法院{n}", reference=None)
                s.app.conclude_remedy(s.off, cid, kind="litigation", at=t(20), result="withdrawn")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(20)]
    threads.insert(3, threading.Thread(target=remedies))
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads), "deadlock"
    assert errors == []
    f = s.app.get_fine(SYSTEM, fine)
    assert f["paid"] == "20000.00" and f["status"] == "paid"
    types = [e["type"] for e in s.app.case_events(SYSTEM, cid)]
    assert types.count("RemedySought") == 5 and types.count("FineSettled") == 1


def test_a_revoked_decision_voids_its_fine(story: Story) -> None:
    """Reconsideration revokes the decision: the fine is void. Nothing more is collected, no
    surcharge accrues, and neither D2 nor E4 reports it unpaid."""
    s = story
    cid, fine = s.served_fine()
    s.at(t(20))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=t(20), body="某市人民政府", reference=None)
    s.at(t(50))
    s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=t(50), result="revoked")
    s.app.revoke_decision(s.hd, cid, at=t(50), reason="复议决定撤销", revoked_by="reconsideration")
    f = s.app.get_fine(SYSTEM, fine, t(400))
    assert (f["status"], f["outstanding"], f["surcharge"], f["void"]) == ("void", "0.00", "0.00", True)
    with pytest.raises(StateError, match="void"):
        s.app.record_payment(s.bank, fine, receipt_no="R-void", amount="100.00", paid_at=t(51))
    late = midnight(add_months(add_months(t(15).date(), 6), 4))
    assert not {"D2", "E4"} & set(rules(s.findings(cid, late)))
    ledger = {r["fine_id"]: r for r in reports.fines_report(s.engine, s.unit, late)["fines"]}
    assert (ledger[fine]["void"], ledger[fine]["outstanding"], ledger[fine]["overdue"]) == (True, "0.00", False)
