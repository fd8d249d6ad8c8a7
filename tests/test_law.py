"""The defects a legal review found, one test each, named for the rule and the article.

Dates cross the 2026 National Day holiday (1–7 October; Saturday 10 October is a working day)
where a period could end on it, so every deadline is seen rolling to the next working day.
Each test failed before the rule was corrected and passes after; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain import rules
from domain.calendar import CHINA
from domain.errors import InvalidInputError, RuleViolation, StateError
from domain.principal import SYSTEM
from projections import reports

from .story import Story, h


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=CHINA)


def rules_of(found: list[dict[str, Any]], *only: str) -> list[str]:
    return sorted(f["rule"] for f in found if not only or f["rule"] in only)


@pytest.fixture
def law(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """A province's settings for one test (OVERSIGHT_LAW_FILE's keys)."""
    original = rules.LAW

    def set_(**kw: Any) -> None:
        new = dataclasses.replace(original, **kw)
        for m in list(sys.modules.values()):
            if getattr(m, "LAW", None) is original and (m.__name__.startswith(("domain", "projections"))):
                monkeypatch.setattr(m, "LAW", new)

    return set_


def on(s: Story, first: date) -> Story:
    """The story's day 0 is ``first``."""
    s.base = first
    return s


def decided(s: Story, amount: str = "20000.00", **file: Any) -> tuple[str, str, str]:
    """A case filed on day 0, noticed on day 1, decided on day 14: (case, evidence, fine)."""
    cid = s.file(**file)
    eid = s.investigated(cid)
    s.notice(cid, amount=amount)
    fine = s.decide(cid, eid, penalties=[{"type": "fine", "amount": amount}])["fine_id"]
    return cid, eid, str(fine)


def ledger(s: Story, fine: str, when: datetime) -> dict[str, Any]:
    s.runner.run_until_head()
    return next(f for f in reports.fines_all(s.engine, unit_id=s.unit, as_of=when) if f["fine_id"] == fine)


# ------------------------------------------------------------------ D8
def test_d8_surcharge_accrues_day_by_day_on_what_was_unpaid_that_day_article_72(story: Story) -> None:
    # Served 16 September: 15 days end on 1 October, a holiday, so the fine is due on 8 October.
    s = on(story, date(2026, 9, 1))
    cid, _, fine = decided(s, amount="10000.00")
    s.serve(cid, 15)
    assert s.app.get_fine(SYSTEM, fine)["due_on"] == "2026-10-08"
    # 20 days late (9–28 October): 3% of 10,000 yuan a day is 6,000 yuan accrued.
    assert ledger(s, fine, at(date(2026, 10, 28), 20))["surcharge"] == "6000.00"
    # The party pays 9,000 of the principal on the 28th: what accrued stays (it was 600 before).
    s.at(at(date(2026, 10, 28)))
    s.app.record_payment(s.bank, fine, receipt_no="R1", amount="9000.00", paid_at=at(date(2026, 10, 28)))
    row = ledger(s, fine, at(date(2026, 10, 28), 20))
    assert (row["paid"], row["outstanding"], row["surcharge"]) == ("9000.00", "1000.00", "6000.00")
    # Two more days on the 1,000 left: 60 yuan. The designated bank collects fine and surcharge
    # (235号 9): 1,000 of principal and 6,060 of surcharge; one fen more is refused.
    s.at(at(date(2026, 10, 30)))
    with pytest.raises(StateError):
        s.app.record_payment(s.bank, fine, receipt_no="R2", amount="7060.01", paid_at=at(date(2026, 10, 30)))
    s.app.record_payment(s.bank, fine, receipt_no="R3", amount="7060.00", paid_at=at(date(2026, 10, 30)))
    view = s.app.get_fine(SYSTEM, fine, at(date(2026, 11, 30)))
    assert (view["principal_paid"], view["surcharge"], view["surcharge_paid"], view["surcharge_due"]) == (
        "10000.00",
        "6060.00",
        "6060.00",
        "0.00",
    )
    # The ledger shows principal and surcharge apart, and D8 has nothing to report.
    row = ledger(s, fine, at(date(2026, 11, 30)))
    assert (row["paid"], row["surcharge_paid"], row["surcharge"]) == ("10000.00", "6060.00", "6060.00")
    assert "D8" not in rules_of(s.findings(cid, at(date(2026, 11, 30))))


# ------------------------------------------------------------------ C1
@pytest.mark.parametrize(
    ("occurred", "until", "harm", "barred"),
    [
        (date(2024, 10, 1), None, False, False),  # 2 years end 1 Oct 2026, rolled to 8 Oct: in time (not 730 days)
        (date(2024, 9, 18), None, False, True),  # ended 18 Sep 2026: discovered too late
        (date(2022, 10, 1), None, True, False),  # harm to life, health or financial safety: 5 years
        (date(2023, 1, 1), date(2025, 1, 1), False, False),  # continuing: counted from its end
    ],
)
def test_c1_time_bar_two_calendar_years_or_five_from_the_end_of_the_violation_article_36(
    story: Story, occurred: date, until: date | None, harm: bool, barred: bool
) -> None:
    s = on(story, date(2026, 10, 8))
    cid, _, _ = decided(s, occurred_on=occurred, continuing_until=until, harm=harm, discovered_on=date(2026, 10, 6))
    assert ("C1" in rules_of(s.findings(cid, s.t(15)))) is barred


# ------------------------------------------------------------------ A10
def test_a10_a_challenged_hearing_host_once_recused_does_not_host_article_64(story: Story) -> None:
    s = on(story, date(2026, 9, 1))
    cid = s.file(party={"kind": "person", "name": "张三", "id_number": "410102199001011234"})
    s.investigated(cid)
    s.notice(cid, hearing=True, amount="20000.00")
    s.at(s.t(2))
    s.app.request_hearing(s.off, cid, at=s.t(2))
    # The party challenges the host (处罚法 64(4)); while undecided it stops nothing.
    s.app.request_recusal(s.off, cid, officer_id=s.wang, at=s.t(3), reason="主持人与本案有利害关系")
    s.at(s.t(4))
    s.app.decide_recusal(s.hd, cid, officer_id=s.wang, at=s.t(4), granted=True)
    s.at(s.t(20))
    with pytest.raises(RuleViolation) as e:
        s.app.hold_hearing(s.off, cid, noticed_at=s.t(5), held_at=s.t(20), host_id=s.wang, record_sha256=h("记录"))
    assert e.value.rule == "A10"
    s.app.hold_hearing(s.off, cid, noticed_at=s.t(5), held_at=s.t(20), host_id=s.head2, record_sha256=h("记录"))


# ------------------------------------------------------------------ F3
def _transfer(s: Story, cid: str, documents: list[str]) -> Any:
    s.at(s.t(3))
    return s.app.report_transfer(
        s.off, cid, reported_at=s.t(2), decided_at=s.t(3), sent_at=s.t(3, 12), to="public_security", documents=documents
    )


def test_f3_the_items_list_and_expert_reports_only_where_there_were_any_article_6_of_310(story: Story) -> None:
    s = on(story, date(2026, 9, 1))
    core = ["transfer_letter", "investigation_report"]
    plain_case = s.file()
    s.investigated(plain_case)
    _transfer(s, plain_case, core)  # nothing seized, no test: letter and report suffice
    seized = s.file()
    s.investigated(seized)
    s.act(
        seized,
        s.t(0, 14),
        type="seizure",
        av={"sha256": h("av"), "start": s.t(0, 13).isoformat(), "end": s.t(0, 15).isoformat()},
    )
    with pytest.raises(RuleViolation) as e:
        _transfer(s, seized, core)
    assert e.value.rule == "F3" and "seized_items_list" in e.value.message
    _transfer(s, seized, [*core, "seized_items_list"])
    tested = s.file()
    s.investigated(tested)
    s.at(s.t(1))
    s.app.collect_evidence(
        s.off,
        tested,
        kind="expert_opinion",
        description="鉴定意见",
        sha256=h("鉴定"),
        collected_at=s.t(1),
        officers=[s.zhang, s.li],
        certificate_shown=True,
    )
    with pytest.raises(RuleViolation) as e:
        _transfer(s, tested, core)
    assert e.value.rule == "F3" and "expert_reports" in e.value.message


# ------------------------------------------------------------------ E4
def test_e4_60_days_where_reconsideration_comes_first_article_23_of_the_reconsideration_law(story: Story) -> None:
    # An on-the-spot decision served 2 July: reconsideration comes first, so the party's time
    # ends after 60 days (31 August), not 6 months; a court application in September is lawful.
    s = on(story, date(2026, 7, 1))
    cid = s.file(procedure="simplified", party={"kind": "person", "name": "李四", "id_number": "410102199202021234"})
    eid = s.investigated(cid)
    s.notice(cid, n=0, amount="150.00")
    s.at(s.t(1, 9))
    fine = s.app.decide(
        s.hd,
        cid,
        decision_no="S-" + cid[:6],
        decided_at=s.t(1, 9),
        decided_by=s.head,
        outcome="penalty",
        penalties=[{"type": "fine", "amount": "150.00"}],
        legal_basis="《产品质量法》第四十九条",
        evidence_ids=[eid],
        benchmark={"version": "2025-1", "tier": "一般"},
        payment={"bank_code": s.bank_code, "surcharge": False},
        officers=[s.zhang, s.li],
        certificate_shown=True,
        form_no="当场-" + cid[:6],
    )["fine_id"]
    s.serve(cid, 1, method="on_the_spot")
    s.at(s.t(20))
    s.app.serve_demand(s.off, fine, served_at=s.t(20))
    s.at(s.t(70))
    s.app.apply_to_court(s.off, fine, at=s.t(70))
    assert "E4" not in rules_of(s.findings(cid, s.t(71)))


def test_e4_15_days_after_an_upholding_reconsideration_rolled_past_national_day_article_45(story: Story) -> None:
    # Reconsideration upheld on 16 September: the party may sue within 15 days, which end on
    # 1 October, a holiday, so on 8 October. A court application on 6 October is too early.
    s = on(story, date(2026, 7, 1))
    cid, _, fine = decided(s)
    s.serve(cid)
    s.at(s.t(20))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=s.t(20), body="某市人民政府")
    s.at(at(date(2026, 9, 16)))
    s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=at(date(2026, 9, 16)), result="upheld")
    s.app.serve_demand(s.off, fine, served_at=at(date(2026, 9, 16)))
    s.at(at(date(2026, 10, 6)))
    s.app.apply_to_court(s.off, fine, at=at(date(2026, 10, 6)))
    found = [f for f in s.findings(cid, at(date(2026, 10, 7))) if f["rule"] == "E4"]
    assert len(found) == 1 and "ended on 2026-10-08" in found[0]["message"]


# ------------------------------------------------------------------ changed decisions, G4
def test_a_changed_decision_amends_the_fine_revoked_voids_it_confirmed_unlawful_leaves_it_article_48(
    story: Story,
) -> None:
    s = on(story, date(2026, 9, 1))
    cid, _, fine = decided(s)
    s.serve(cid)
    s.pay(fine, 18)
    # Changed on reconsideration to 8,000 yuan: that is owed; 12,000 paid above it is refunded.
    s.at(s.t(40))
    s.app.change_decision(
        s.hd,
        cid,
        at=s.t(40),
        reason="复议变更",
        changed_by="reconsideration",
        penalties=[{"type": "fine", "amount": "8000.00"}],
    )
    view = s.app.get_fine(SYSTEM, fine, s.t(41))
    assert (view["amount"], view["outstanding"], view["refund_due"], view["void"]) == (
        "8000.00",
        "0.00",
        "12000.00",
        False,
    )
    # Confirmed unlawful (确认违法) but not revoked: the fine stays owed.
    cid2, _, fine2 = decided(s)
    s.serve(cid2)
    s.at(s.t(40))
    s.app.revoke_decision(s.hd, cid2, at=s.t(40), reason="程序违法", revoked_by="court", kind="confirmed_unlawful")
    assert s.app.get_fine(SYSTEM, fine2, s.t(41))["outstanding"] == "20000.00"
    # Revoked: void.
    cid3, _, fine3 = decided(s)
    s.serve(cid3)
    s.at(s.t(40))
    s.app.revoke_decision(s.hd, cid3, at=s.t(40), reason="撤销", revoked_by="unit")
    assert s.app.get_fine(SYSTEM, fine3, s.t(41))["status"] == "void"


def test_g4_a_reconsideration_that_changes_the_decision_starts_the_3_working_days_article_48(story: Story) -> None:
    # Disclosed, then changed by the reconsideration organ on 29 September: 3 working days are
    # 30 September, 8 and 9 October (the holiday does not count).
    s = on(story, date(2026, 9, 1))
    cid, _, fine = decided(s)
    s.serve(cid)
    s.disclose(cid)
    s.pay(fine)
    s.at(s.t(20))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=s.t(20), body="某市人民政府")
    s.at(at(date(2026, 9, 29)))
    s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=at(date(2026, 9, 29)), result="changed")
    assert "G4" not in rules_of(s.findings(cid, at(date(2026, 10, 9), 20)))
    found = [f for f in s.findings(cid, at(date(2026, 10, 10), 12)) if f["rule"] == "G4"]
    assert len(found) == 1 and "not withdrawn by 2026-10-09" in found[0]["message"]


# ------------------------------------------------------------------ service takes effect by method
def test_service_takes_effect_by_method_and_the_fine_falls_due_from_then_article_61(story: Story) -> None:
    s = on(story, date(2026, 8, 18))
    # Announcement published on day 15 (2 September): effective 30 days later (2 October), so
    # the 15 days to pay end on 17 October, a Saturday: due Monday 19 October.
    announced, _, f1 = decided(s)
    s.serve(announced, 15, method="announcement")
    assert s.app.get_fine(SYSTEM, f1)["due_on"] == "2026-10-19"
    # Mailed on day 15, the return receipt dated 16 September: due 1 October, rolled to 8 October.
    mailed, _, f2 = decided(s)
    s.serve(mailed, 15, method="mail", receipt_on=date(2026, 9, 16))
    assert s.app.get_fine(SYSTEM, f2)["due_on"] == "2026-10-08"
    # Electronic with consent but no signed confirmation (确认书): not effective; nothing falls due.
    emailed, _, f3 = decided(s)
    s.serve(emailed, 15, method="electronic", consent=True, confirmation_sha256=None)
    assert s.app.get_fine(SYSTEM, f3)["due_on"] is None
    found = s.findings(emailed, at(date(2026, 12, 1)))
    assert rules_of(found, "C13", "D2") == ["C13"] and "not effective" in found[0]["message"]
    # D2 runs from the effective date: the announced fine is unpaid after 19 October, not before.
    assert "D2" not in rules_of(s.findings(announced, at(date(2026, 10, 19), 20)))
    assert "D2" in rules_of(s.findings(announced, at(date(2026, 10, 20), 12)))


# ------------------------------------------------------------------ holiday rolls, "after", days not hours
def test_c12_ninety_days_ending_on_1_october_roll_to_8_october_article_60(story: Story) -> None:
    s = on(story, date(2026, 7, 3))  # 90 days end on 1 October
    cid = s.file()
    eid = s.investigated(cid)
    s.notice(cid, n=80)
    s.decide(cid, eid, n=97)  # 8 October
    assert "C12" not in rules_of(s.findings(cid, s.t(98)))


def test_e8_thirty_days_of_sealing_ending_on_1_october_roll_to_8_october_article_25(story: Story) -> None:
    s = on(story, date(2026, 9, 1))
    cid = s.file()
    av = {"sha256": h("av"), "start": s.t(0, 13).isoformat(), "end": s.t(0, 15).isoformat()}
    sig = {"officers": True, "party": True}
    s.act(cid, s.t(0, 14), type="sealing", av=av, signatures=sig)
    s.act(cid, at(date(2026, 10, 8)), type="release", signatures=sig)
    assert "E8" not in rules_of(s.findings(cid, at(date(2026, 10, 9))))


def test_f2_three_days_are_counted_in_days_not_72_hours_and_roll_past_the_holiday_article_5_of_310(
    story: Story,
) -> None:
    s = on(story, date(2026, 9, 1))
    monday = s.file()
    s.investigated(monday)
    # Reported Monday 10:00, decided Thursday 18:00: more than 72 hours, within 3 days.
    s.at(at(date(2026, 9, 3), 18))
    s.app.report_transfer(
        s.off,
        monday,
        reported_at=at(date(2026, 8, 31)),
        decided_at=at(date(2026, 9, 3), 18),
        sent_at=at(date(2026, 9, 4), 9),
        to="public_security",
        documents=["transfer_letter", "investigation_report"],
    )
    assert "F2" not in rules_of(s.findings(monday, at(date(2026, 9, 5))))
    # Reported 28 September: 3 days end on 1 October, rolled to 8 October.
    late = s.file()
    s.investigated(late)
    s.at(at(date(2026, 10, 7)))
    s.app.report_transfer(
        s.off,
        late,
        reported_at=at(date(2026, 9, 28)),
        decided_at=at(date(2026, 10, 7)),
        sent_at=at(date(2026, 10, 7), 15),
        to="public_security",
        documents=["transfer_letter", "investigation_report"],
    )
    assert "F2" not in rules_of(s.findings(late, at(date(2026, 10, 9))))


def test_e3_an_application_on_the_tenth_working_day_is_early_article_54_of_the_compulsion_law(story: Story) -> None:
    # Demand served Monday 21 September: the ten working days are 22, 23, 24, 28, 29, 30 September
    # (25th: Mid-Autumn) and 8, 9, 10 (a working Saturday), 12 October. On the 12th it is early.
    s = on(story, date(2026, 8, 18))
    for day_, early in ((date(2026, 10, 12), True), (date(2026, 10, 13), False)):
        cid, _, fine = decided(s)
        s.serve(cid, 15)
        s.at(at(date(2026, 9, 21)))
        s.app.serve_demand(s.off, fine, served_at=at(date(2026, 9, 21)))
        s.at(at(day_))
        s.app.apply_to_court(s.off, fine, at=at(day_))
        assert ("E3" in rules_of(s.findings(cid, at(day_ + timedelta(days=1))))) is early


# ------------------------------------------------------------------ extensions and suspensions
def test_c12_an_approved_extension_and_a_suspension_are_not_findings_article_60(story: Story) -> None:
    s = on(story, date(2026, 3, 2))
    extended = s.file()
    eid = s.investigated(extended)
    s.at(s.t(80))
    s.app.extend_period(s.hd, extended, at=s.t(80), period="decision", days=30, approved_by=s.head, reason="案情复杂")
    s.notice(extended, n=100)
    s.decide(extended, eid, n=115)
    assert "C12" not in rules_of(s.findings(extended, s.t(116)))
    suspended = s.file()
    eid = s.investigated(suspended)
    s.at(s.t(30))
    s.app.suspend_case(s.hd, suspended, at=s.t(30), reason="当事人下落不明", approved_by=s.head)
    s.at(s.t(55))
    s.app.resume_case(s.hd, suspended, at=s.t(55))
    s.notice(suspended, n=95)
    s.decide(suspended, eid, n=110)
    assert "C12" not in rules_of(s.findings(suspended, s.t(111)))
    # Without either, the same dates are a finding.
    plain_case = s.file()
    eid = s.investigated(plain_case)
    s.notice(plain_case, n=95)
    s.decide(plain_case, eid, n=110)
    assert "C12" in rules_of(s.findings(plain_case, s.t(111)))


def test_e8_an_approved_extension_and_testing_time_are_not_counted_article_25(story: Story) -> None:
    s = on(story, date(2026, 3, 2))
    cid = s.file()
    av = {"sha256": h("av"), "start": s.t(0, 13).isoformat(), "end": s.t(0, 15).isoformat()}
    sig = {"officers": True, "party": True}
    v = s.act(cid, s.t(0, 14), type="seizure", av=av, signatures=sig)["version"]
    s.at(s.t(25))
    s.app.extend_period(
        s.hd, cid, at=s.t(25), period="sealing", days=30, approved_by=s.head, reason="情况复杂", act_version=v
    )
    s.app.record_testing(s.off, cid, kind="testing", start=s.t(5), end=s.t(14), act_version=v)
    s.act(cid, s.t(65), type="release", signatures=sig)
    assert "E8" not in rules_of(s.findings(cid, s.t(66)))


def test_c2_filing_in_the_approved_extension_is_not_a_finding_article_54(story: Story) -> None:
    s = on(story, date(2026, 3, 2))
    late = s.file(discovered_on=date(2026, 2, 2), occurred_on=date(2026, 1, 20))
    assert "C2" in rules_of(s.findings(late, s.t(1)))
    approved = s.file(
        discovered_on=date(2026, 2, 2), occurred_on=date(2026, 1, 20), filing_extension_approved_by=s.head
    )
    assert "C2" not in rules_of(s.findings(approved, s.t(1)))


# ------------------------------------------------------------------ F1
def test_f1_no_penalty_withdrawn_or_transfer_outcome_over_the_threshold_articles_27_and_82(story: Story) -> None:
    s = on(story, date(2026, 9, 1))
    over = {"amount_involved": "80000.00"}
    no_penalty = s.file(**over)
    eid = s.investigated(no_penalty)
    s.at(s.t(10))
    s.app.decide(
        s.hd,
        no_penalty,
        decision_no="N-" + no_penalty[:6],
        decided_at=s.t(10),
        decided_by=s.head,
        outcome="no_penalty",
        penalties=[],
        legal_basis="《行政处罚法》第三十三条",
        evidence_ids=[eid],
        benchmark=None,
        payment=None,
    )
    assert "F1" in rules_of(s.findings(no_penalty, s.t(11)))
    withdrawn = s.file(**over)
    s.investigated(withdrawn)
    s.at(s.t(10))
    s.app.close_case(s.off, withdrawn, at=s.t(10), reason="withdrawn")
    assert "F1" in rules_of(s.findings(withdrawn, s.t(11)))
    # A "transfer" outcome with no transfer recorded: found once 3 days have passed (to 8 October).
    moved = s.file()
    eid = s.investigated(moved)
    s.at(at(date(2026, 9, 28)))
    s.app.decide(
        s.hd,
        moved,
        decision_no="T-" + moved[:6],
        decided_at=at(date(2026, 9, 28)),
        decided_by=s.head,
        outcome="transfer",
        penalties=[],
        legal_basis="《行政处罚法》第二十七条",
        evidence_ids=[eid],
        benchmark=None,
        payment=None,
    )
    assert "F1" not in rules_of(s.findings(moved, at(date(2026, 10, 8), 20)))
    assert "F1" in rules_of(s.findings(moved, at(date(2026, 10, 9), 9)))


# ------------------------------------------------------------------ C3
def test_c3_the_notice_states_its_reasons_and_the_decision_waits_for_the_statement_articles_44_and_62(
    story: Story,
) -> None:
    s = on(story, date(2026, 9, 1))
    cid = s.file()
    eid = s.investigated(cid)
    s.at(at(date(2026, 9, 28)))
    with pytest.raises(RuleViolation) as e:
        s.app.serve_notice(
            s.off,
            cid,
            served_at=at(date(2026, 9, 28)),
            officers=[s.zhang, s.li],
            facts="销售不合格产品",
            reasons=" ",
            legal_basis="《产品质量法》第四十九条",
            proposed=[{"type": "fine", "amount": "20000.00"}],
            hearing_right=False,
        )
    assert e.value.rule == "C3" and "理由" in e.value.message
    s.app.serve_notice(
        s.off,
        cid,
        served_at=at(date(2026, 9, 28)),
        officers=[s.zhang, s.li],
        facts="销售不合格产品",
        reasons="抽检不合格",
        legal_basis="《产品质量法》第四十九条",
        proposed=[{"type": "fine", "amount": "20000.00"}],
        hearing_right=False,
    )
    # Five working days from 28 September: 29, 30 September, 8, 9, 10 October (a working Saturday).
    s.at(at(date(2026, 10, 9)))
    with pytest.raises(RuleViolation) as e:
        s.decide(cid, eid, decided_at=at(date(2026, 10, 9)))
    assert e.value.rule == "C3" and "2026-10-10" in e.value.message
    s.decide(cid, eid, decided_at=at(date(2026, 10, 12)))
    # On the party's waiver the decision need not wait.
    waived = s.file()
    eid = s.investigated(waived)
    s.notice(waived, n=27)
    s.at(s.t(28))
    s.app.waive_statement(s.off, waived, at=s.t(28))
    s.decide(waived, eid, decided_at=s.t(29))


# ------------------------------------------------------------------ C5, C11: provincial settings
def test_c5_confiscation_thresholds_by_party_kind_article_63(story: Story, law: Callable[..., None]) -> None:
    law(hearing_confiscation_fen_person=5_000_00, hearing_confiscation_fen_organisation=50_000_00)
    s = on(story, date(2026, 9, 1))
    person = s.file(party={"kind": "person", "name": "王五", "id_number": "410102199303031234"})
    s.investigated(person)
    company = s.file()
    s.investigated(company)
    s.at(s.t(1))
    body = dict(
        served_at=s.t(1),
        officers=[s.zhang, s.li],
        facts="违法所得",
        reasons="理由",
        legal_basis="依据",
        proposed=[{"type": "confiscation", "amount": "6000.00"}],
        hearing_right=False,
    )
    with pytest.raises(RuleViolation) as e:
        s.app.serve_notice(s.off, person, **body)
    assert e.value.rule == "C5"
    s.app.serve_notice(s.off, company, **body)  # below the organisations' threshold


def test_c11_a_benchmark_for_every_fine_is_a_provincial_setting_article_34(
    story: Story, law: Callable[..., None]
) -> None:
    s = on(story, date(2026, 9, 1))
    cid = s.file(matter_code="MR-0999")  # no benchmark published for this matter
    eid = s.investigated(cid)
    s.notice(cid)
    with pytest.raises(RuleViolation) as e:
        s.decide(cid, eid, benchmark=None)
    assert e.value.rule == "C11"
    law(benchmark_required=False)
    s.decide(cid, eid, benchmark=None)


# ------------------------------------------------------------------ penalty kinds
def test_the_penalty_kinds_of_article_9_and_a_closure_order_gives_a_hearing_right_article_63(story: Story) -> None:
    s = on(story, date(2026, 9, 1))
    cid = s.file()
    s.investigated(cid)
    s.at(s.t(1))
    notice = dict(served_at=s.t(1), officers=[s.zhang, s.li], facts="事实", reasons="理由", legal_basis="依据")
    with pytest.raises(RuleViolation) as e:
        s.app.serve_notice(s.off, cid, **notice, proposed=[{"type": "order_closure"}], hearing_right=False)
    assert e.value.rule == "C5"
    s.app.serve_notice(
        s.off,
        cid,
        **notice,
        proposed=[{"type": "public_criticism"}, {"type": "limit_business"}, {"type": "order_closure"}],
        hearing_right=True,
    )
    with pytest.raises(InvalidInputError):
        s.app.serve_notice(s.off, cid, **notice, proposed=[{"type": "shaming"}], hearing_right=False)


def test_the_corrections_add_no_finding_to_a_lawful_case(story: Story) -> None:
    """A false finding costs most: a clean case across the holiday stays clean."""
    s = on(story, date(2026, 9, 1))
    cid, _ = s.clean_fined_case()
    assert s.findings(cid, s.t(60)) == []


def test_the_same_question_at_the_same_as_of_gets_the_same_answer_after_a_rebuild(story: Story) -> None:
    from projections import build_runner

    s = on(story, date(2026, 9, 1))
    cid, _, _ = decided(s)
    s.serve(cid, 15)
    s.runner.run_until_head()
    asked = [at(date(2026, 10, d)) for d in (1, 8, 9, 20)]
    before = [list(reports.findings_all(s.engine, as_of=when)) for when in asked]
    with s.engine.begin() as conn:
        for p in s.runner.projections:
            p.drop(conn)
    build_runner(s.app.recorder, s.app.mapper, s.engine, ["audit"]).run_until_head()
    assert [list(reports.findings_all(s.engine, as_of=when)) for when in asked] == before
    # As of 8 October (the due day, rolled from 1 October) nothing is late; on the 9th it is.
    assert "D2" not in rules_of(before[1]) and "D2" in rules_of(before[3])
