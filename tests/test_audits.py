"""Audit rules: a clean case yields no finding; each planted breach yields exactly its
finding (rule, case, officer, events). On SQLite and PostgreSQL, through the application and
the projection runner, with the recording clock following the story."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.calendar import CHINA
from domain.principal import SYSTEM
from projections import reports

from .story import D0, FULL_CHECKLIST, Story, h, t


def rules(found: list[dict[str, Any]]) -> list[str]:
    return sorted(f["rule"] for f in found)


def test_a_clean_case_yields_no_finding_and_a_full_score(story: Story) -> None:
    cid, _ = story.clean_fined_case()
    assert story.findings(cid, t(25)) == []
    audit = reports.case_audit(story.engine, cid, t(25))
    assert audit is not None and audit["score"]["total"] == 100
    assert all(s["present"] for s in audit["stages"] if s["required"])


def test_a3_inspection_without_showing_the_certificate(story: Story) -> None:
    cid = story.file()
    v = story.act(cid, t(0, 10), certificate_shown=False)["version"]
    found = story.findings(cid, t(1))
    assert rules(found) == ["A3"] and found[0]["events"] == [{"aggregate_id": cid, "version": v}]


def test_b2_seizure_without_av_record_and_b3_unsigned_record(story: Story) -> None:
    cid = story.file()
    sig = {"officers": True, "party": True}
    v = story.act(cid, t(0, 10), type="seizure", signatures=sig)["version"]
    story.act(cid, t(2, 10), type="release", signatures=sig)
    found = story.findings(cid, t(3))
    assert rules(found) == ["B2"] and found[0]["events"][0]["version"] == v
    cid2 = story.file()
    av = {"sha256": h("av"), "start": t(0, 9).isoformat(), "end": t(0, 11).isoformat()}
    story.act(cid2, t(0, 10), type="on_site_record", av=av, signatures={"officers": True})
    assert rules(story.findings(cid2, t(1))) == ["B3"]


def test_b5_act_recorded_late(story: Story) -> None:
    cid = story.file()
    v = story.act(cid, t(0, 10), recorded=t(10, 10))["version"]
    found = story.findings(cid, t(11))
    assert rules(found) == ["B5"] and found[0]["events"][0]["version"] == v


def test_c2_filed_late_and_c1_time_bar(story: Story) -> None:
    late = story.file(discovered_on=D0 - timedelta(days=40), occurred_on=D0 - timedelta(days=50))
    assert rules(story.findings(late, t(1))) == ["C2"]
    cid, _ = story.clean_fined_case(occurred_on=D0 - timedelta(days=365 * 3), discovered_on=D0 - timedelta(days=1))
    assert rules(story.findings(cid, t(25))) == ["C1"]


def test_c6_decision_after_hearing_not_on_the_hearing_record(story: Story) -> None:
    cid = story.file(party={"kind": "person", "name": "p", "id_number": "1"})
    eid = story.investigated(cid)
    story.notice(cid, hearing=True)
    story.at(t(2))
    story.app.request_hearing(story.off, cid, at=t(2))
    story.at(t(14))
    held = story.app.hold_hearing(
        story.off, cid, noticed_at=t(3), held_at=t(14), host_id=story.wang, record_sha256=h("hearing")
    )["version"]
    story.at(t(15))
    story.app.legal_review(
        story.rv, cid, reviewer_id=story.reviewer, at=t(15), result="passed", opinion="o", checklist=FULL_CHECKLIST
    )
    dec = story.decide(cid, eid, n=16)["version"]
    story.serve(cid, 17)
    story.disclose(cid, 18)
    found = story.findings(cid, t(19))
    assert rules(found) == ["C6"]
    assert [e["version"] for e in found[0]["events"]] == [held, dec]


def test_c9_incomplete_legal_review_names_the_reviewer(story: Story) -> None:
    cid = story.file(major=True)
    story.investigated(cid)
    story.at(t(2))
    v = story.app.legal_review(
        story.rv, cid, reviewer_id=story.reviewer, at=t(2), result="passed", opinion="o", checklist={"authority": "ok"}
    )["version"]
    found = story.findings(cid, t(3))
    assert rules(found) == ["C9"]
    assert found[0]["officer_id"] == story.reviewer and found[0]["events"][0]["version"] == v


def test_c12_decided_after_90_days(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid, n=80)
    fine = story.decide(cid, eid, n=100)["fine_id"]
    story.serve(cid, 101)
    story.disclose(cid, 102)
    story.pay(fine, 103)
    assert rules(story.findings(cid, t(104))) == ["C12"]


def test_c12_open_case_past_90_days_is_found_only_after_the_deadline(story: Story) -> None:
    cid = story.file()
    story.investigated(cid)
    assert story.findings(cid, t(80)) == []
    assert rules(story.findings(cid, t(95))) == ["C12"]


def test_c13_late_service_and_electronic_service_without_consent(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    story.decide(cid, eid)
    story.disclose(cid, 15)
    assert rules(story.findings(cid, t(20))) == []
    assert rules(story.findings(cid, t(30))) == ["C13"]  # not served by 7 working days
    story.serve(cid, 31, method="electronic")
    assert rules(story.findings(cid, t(32))) == ["C13", "C13"]  # late, and without consent


def test_c17_no_penalty_without_education(story: Story) -> None:
    def no_penalty(educate: bool) -> str:
        cid = story.file()
        eid = story.investigated(cid)
        if educate:
            story.act(cid, t(3), type="education")
        story.at(t(5))
        story.app.decide(
            story.hd,
            cid,
            decision_no="N" + cid[:6],
            decided_at=t(5),
            decided_by=story.head,
            outcome="no_penalty",
            penalties=[],
            legal_basis="b",
            evidence_ids=[eid],
            benchmark=None,
            payment=None,
        )
        story.serve(cid, 6)
        story.at(t(7))
        story.app.close_case(story.off, cid, at=t(7), reason="no_penalty")
        story.at(t(8))
        story.app.archive_case(story.off, cid, at=t(8), file_sha256=h(cid))
        return cid

    assert rules(story.findings(no_penalty(False), t(9))) == ["C17"]
    assert story.findings(no_penalty(True), t(9)) == []


def test_d2_paid_late(story: Story) -> None:
    cid, fine = story.served_fine()
    story.pay(fine, n=40)
    story.finish(cid, 41)
    found = story.findings(cid, t(45))
    # Paid 10 days late: D2; and the 3 % a day surcharge the decision provided for had accrued
    # but was not collected (D8, for information).
    assert rules(found) == ["D2", "D8"] and found[0]["events"][0]["aggregate_id"] == fine
    d8 = next(f for f in found if f["rule"] == "D8")
    assert d8["severity"] == "info" and d8["message"].startswith("a surcharge of 6000.00 yuan had accrued")


def test_d8_no_surcharge_finding_when_the_decision_set_none_and_a_surcharge_collected_without_one(
    story: Story,
) -> None:
    s = story
    cid, fine = s.served_fine(surcharge=False)
    s.pay(fine, n=40)
    s.finish(cid, 41)
    assert rules(s.findings(cid, t(45))) == ["D2"]  # late, but no surcharge was decided
    # An older system's fine where the bank took 500 yuan more than a fine without surcharge.
    from scripts.demo import sc_imported_fine

    old, planted = sc_imported_fine(s, "D8")
    found = [f for f in s.findings(old, t(80)) if f["rule"] == "D8"]
    assert planted == ["D8"] and [(f["severity"], f["message"]) for f in found] == [
        ("major", "500.00 yuan collected beyond the fine; no surcharge (none was decided)")
    ]


def test_d2_unpaid_after_the_due_date_and_e3_court_too_soon(story: Story) -> None:
    cid, fine = story.served_fine()
    assert story.findings(cid, t(20)) == []
    assert rules(story.findings(cid, t(40))) == ["D2"]
    story.at(t(40))
    story.app.serve_demand(story.off, fine, served_at=t(40))
    story.at(t(43))
    story.app.apply_to_court(story.off, fine, at=t(43))
    # Enforcement means the fine is unpaid past its due date (D2), and the court
    # application came 3 working days after the demand instead of 10 (E3) and, the unit
    # having no enforcement power of its own, before the period for suing ended (E4).
    assert rules(story.findings(cid, t(44))) == ["D2", "E3", "E4"]


def test_d6_cash_handed_over_late(story: Story) -> None:
    cid = story.file(procedure="simplified", party={"kind": "person", "name": "p", "id_number": "1"})
    eid = story.investigated(cid)
    story.notice(cid, n=0.5, amount="50.00")
    story.at(t(1))
    fine = story.app.decide(
        story.hd,
        cid,
        decision_no="S" + cid[:6],
        decided_at=t(1),
        decided_by=story.head,
        outcome="penalty",
        penalties=[{"type": "fine", "amount": "50.00"}],
        legal_basis="b",
        evidence_ids=[eid],
        benchmark={"version": "2025-1", "tier": "一般"},
        payment={"bank_code": "BANK", "surcharge": False},
        officers=[story.zhang, story.li],
        certificate_shown=True,
        form_no="F1",
    )["fine_id"]
    story.serve(cid, 1, method="on_the_spot")
    story.disclose(cid, 2)
    story.at(t(1, 12))
    story.app.collect_on_the_spot(
        story.off,
        fine,
        receipt_no="财" + cid[:6],
        amount="50.00",
        collected_at=t(1, 12),
        officers=[story.zhang, story.li],
        remote_area=False,
        reason=None,
    )
    story.at(t(9))
    story.app.hand_over_cash(story.off, fine, at=t(9))
    story.at(t(10))
    story.app.deposit_cash(story.bank, fine, at=t(10))
    story.remit(fine, "50.00", 10)
    story.finish(cid, 11)
    assert rules(story.findings(cid, t(12))) == ["D6"]


def test_e7_enforcement_at_night_is_found_a_seizure_at_night_is_not_article_43(story: Story) -> None:
    # 强制法 43 governs enforcement (chapter 4: 划拨、拍卖、代履行…), not coercive measures (查封、扣押).
    cid = story.file()
    av = {"sha256": h("av"), "start": t(0, 22).isoformat(), "end": t(0, 23, 59).isoformat()}
    sig = {"officers": True, "party": True}
    story.act(cid, t(0, 23), type="seizure", av=av, signatures=sig)
    story.act(cid, t(3, 10), type="release", signatures=sig)
    assert story.findings(cid, t(4)) == []
    # Enforcement of a decision at 23:00, and on the National Day holiday, without an emergency.
    cid2, _ = story.clean_fined_case()
    for when in (t(40, 23), datetime(2026, 10, 2, 10, tzinfo=CHINA)):
        story.at(when)
        story.app.carry_out_enforcement(
            story.off, cid2, at=when, kind="transfer_deposits", officers=[story.zhang, story.li], certificate_shown=True
        )
    found = story.findings(cid2, datetime(2026, 10, 3, tzinfo=CHINA))
    assert [(f["rule"], "night" in f["message"]) for f in found] == [("E7", True), ("E7", False)]
    # An emergency recorded with its reason is lawful at any hour.
    cid3, _ = story.clean_fined_case()
    story.at(t(40, 23))
    story.app.carry_out_enforcement(
        story.off,
        cid3,
        at=t(40, 23),
        kind="remove_obstruction",
        officers=[story.zhang, story.li],
        certificate_shown=True,
        emergency=True,
        emergency_reason="堵塞消防通道，危及公共安全",
    )
    assert story.findings(cid3, t(41)) == []


def test_e8_sealing_beyond_30_days_and_the_roll_past_a_holiday(story: Story) -> None:
    sig = {"officers": True, "party": True}
    cid2 = story.file()
    av2 = {"sha256": h("av2"), "start": t(0, 9).isoformat(), "end": t(0, 11).isoformat()}
    story.act(cid2, t(0, 10), type="sealing", av=av2, signatures=sig)
    assert story.findings(cid2, t(20)) == []
    assert rules(story.findings(cid2, t(40))) == ["E8"]


def test_b6_preserved_evidence_not_disposed_of(story: Story) -> None:
    cid = story.file()
    story.act(cid, t(0, 10), type="registration_preservation")
    assert story.findings(cid, t(3)) == []
    assert rules(story.findings(cid, t(20))) == ["B6"]


def test_f2_transfer_decided_late(story: Story) -> None:
    cid = story.file()
    story.investigated(cid)
    story.at(t(10))
    story.app.report_transfer(
        story.off,
        cid,
        reported_at=t(2),
        decided_at=t(8),
        sent_at=t(8, 12),
        to="public_security",
        documents=["transfer_letter", "investigation_report", "seized_items_list", "expert_reports"],
    )
    # Recorded on day 10 for a report of day 2: also late to the record (B5).
    assert rules(story.findings(cid, t(11))) == ["B5", "F2"]


def test_g3_market_regulation_discloses_within_20_working_days_order_45_article_9(story: Story) -> None:
    # 总局令45号 9: market regulation discloses a decision within 20 working days of it (118号's 7
    # working days is the default for other sectors). Decided on 16 March 2026: due 14 April.
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    fine = story.decide(cid, eid)["fine_id"]
    story.serve(cid)
    story.pay(fine)
    assert story.findings(cid, t(30)) == []  # within 20 working days
    found = story.findings(cid, t(44))
    assert rules(found) == ["G3"] and "not disclosed by 2026-04-14" in found[0]["message"]
    story.disclose(cid, 45)
    found = story.findings(cid, t(46))
    assert rules(found) == ["G3"] and "disclosed after 2026-04-14" in found[0]["message"]


def test_g3_warning_only_and_simplified_decisions_are_not_disclosed_order_45_article_2(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    story.decide(cid, eid, penalties=[{"type": "warning"}], payment=None, benchmark=None)
    story.serve(cid)
    assert rules(story.findings(cid, t(60))) == []


def test_g3_the_party_is_told_at_service_order_45_article_8(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    fine = story.decide(cid, eid)["fine_id"]
    story.serve(cid, disclosure_told=False)
    story.pay(fine)
    story.disclose(cid)
    found = story.findings(cid, t(30))
    assert rules(found) == ["G3"] and "told in writing" in found[0]["message"]


def test_h1_every_intervention_is_a_finding(story: Story) -> None:
    cid = story.file()
    story.at(t(0, 15))
    v = story.app.record_intervention(
        story.off, cid, official="某副县长", position="副县长", occurred_at=t(0, 15), channel="phone", content="打招呼"
    )["version"]
    found = story.findings(cid, t(1))
    assert rules(found) == ["H1"] and found[0]["events"][0]["version"] == v


def test_j1_decision_must_state_the_remedy_periods(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    story.decide(cid, eid, remedies={"reconsideration_days": 30})
    story.serve(cid)
    story.disclose(cid)
    assert rules(story.findings(cid, t(17))) == ["J1"]


def test_b1_closed_case_lacking_stages_and_archived_within_30_days(story: Story) -> None:
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    story.decide(cid, eid)
    story.serve(cid)
    story.disclose(cid)
    story.at(t(16))
    story.app.close_case(story.off, cid, at=t(16), reason="executed")
    found = story.findings(cid, t(17))
    assert rules(found) == ["B1"] and "execution" in found[0]["message"]
    # Archiving has its period (default 30 days after closure): not yet a finding on day 40
    # (the unpaid fine is, D2).
    assert rules(story.findings(cid, t(40))) == ["B1", "D2"]
    later = [f for f in story.findings(cid, t(60)) if f["rule"] == "B1"]
    assert len(later) == 2 and "not archived within 30 days" in later[1]["message"]


def test_a7_suspension_recorded_later_with_an_earlier_date(story: Story) -> None:
    cid = story.file()
    story.act(cid, t(0, 10), officers=[story.zhang, story.li, story.wang])
    # Days later the certificate office records wang's suspension from the day before the act.
    story.at(t(5))
    story.app.suspend_certificate(SYSTEM, story.wang, at=t(-1), reason="暂扣")
    found = story.findings(cid, t(6))
    assert rules(found) == ["A7"] and found[0]["officer_id"] == story.wang


def test_a2_failed_validation_recorded_later(story: Story) -> None:
    cid = story.file()
    story.act(cid, t(0, 10), officers=[story.zhang, story.li, story.wang])
    story.at(t(5))
    story.app.validate_certificate(SYSTEM, story.wang, year=2026, passed=False, on=D0 - timedelta(days=1))
    found = story.findings(cid, t(6))
    assert rules(found) == ["A2"] and found[0]["officer_id"] == story.wang


def test_f1_penalised_instead_of_transferred(story: Story) -> None:
    # 80,000 yuan of substandard goods sold: over the 50,000-yuan prosecution threshold.
    cid = story.file(amount_involved="80000.00")
    eid = story.investigated(cid)
    story.notice(cid)
    fine = story.decide(cid, eid)["fine_id"]
    story.serve(cid)
    story.disclose(cid)
    story.pay(fine)
    found = story.findings(cid, t(20))
    assert rules(found) == ["F1"] and found[0]["severity"] == "critical"
    # Under the threshold, a fine is the lawful outcome.
    small, _ = story.clean_fined_case(amount_involved="20000.00")
    assert story.findings(small, t(25)) == []


def test_g4_revoked_decision_disclosure_withdrawn_late_or_never(story: Story) -> None:
    cid, res = story.clean_fined_case()
    story.at(t(30))
    rv = story.app.revoke_decision(story.hd, cid, at=t(30), reason="复议撤销", revoked_by="reconsideration")
    assert story.findings(cid, t(31)) == []  # within 3 working days: not yet due
    found = story.findings(cid, t(40))
    assert rules(found) == ["G4"] and found[0]["events"][0]["version"] == rv["version"]
    story.at(t(41))
    story.app.withdraw_disclosure(story.off, cid, at=t(41), reason="决定已被复议撤销")
    assert rules(story.findings(cid, t(42))) == ["G4"]  # withdrawn, but late
    clean, _ = story.clean_fined_case()
    story.at(t(30))
    story.app.revoke_decision(story.hd, clean, at=t(30), reason="复议撤销", revoked_by="reconsideration")
    story.at(t(31))
    story.app.withdraw_disclosure(story.off, clean, at=t(31), reason="决定已被复议撤销")
    assert story.findings(clean, t(40)) == []


def test_working_days_beyond_the_official_calendar_are_flagged_as_approximate(story: Story) -> None:
    # A decision of 23 December 2026: its 20 working days to disclosure run into 2027, a year
    # chinese-calendar does not know, so the count assumes Monday–Friday and the finding says so.
    cid = story.file()
    eid = story.investigated(cid)
    story.notice(cid)
    fine = story.decide(cid, eid)["fine_id"]
    story.serve(cid)
    story.pay(fine)
    [in_2026] = story.findings(cid, t(60))
    assert in_2026["rule"] == "G3" and "approximated" not in in_2026["message"]
    late = story.file()
    eid = story.investigated(late)
    story.notice(late, n=280)
    story.decide(late, eid, n=296)
    story.serve(late, n=297)
    [in_2027] = [f for f in story.findings(late, t(360)) if f["rule"] == "G3"]
    assert in_2027["rule"] == "G3" and "approximated as Monday–Friday" in in_2027["message"]
