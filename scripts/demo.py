"""Demo data: units, officers with certificates in every state, a benchmark, and cases on
several paths, recorded through the application service (so every gate runs)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from domain.application import Oversight
from domain.calendar import CHINA
from domain.principal import SYSTEM

ROLES = ("admin", "officer", "unit_head", "legal_reviewer", "bank", "supervisor", "auditor")


def h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def t(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


def load_demo(app: Oversight, cases: int = 6) -> dict[str, Any]:
    """Load the demo dataset; returns {"tokens": {role: token}, "unit_id", "cases": [...]}."""
    a = SYSTEM
    unit = app.register_unit(a, code="410100-SJ", name="郑州市市场监督管理局", region="410100",
                             matters=["MR-0101", "MR-0202"], banks=["ICBC-ZZ"])
    uid = unit["id"]

    def officer(name: str, kind: str = "officer", employment: str = "established",
                legal: bool = False, cert: str | None = "valid") -> str:
        o = app.register_officer(a, name=name, unit_id=uid, kind=kind, employment=employment,
                                 legal_qualification=legal)["id"]
        if cert is None or kind == "auxiliary" or employment != "established":
            return o
        app.record_exam(a, o, taken_on=date(2024, 11, 1), passed=True, score=85)
        until = date(2026, 6, 30) if cert == "expired" else date(2028, 12, 31)
        app.issue_certificate(a, o, number=f"豫执{h(name)[:6]}", fields=["MR"], areas=["4101"],
                              valid_from=date(2025, 1, 1), valid_until=until)
        app.validate_certificate(a, o, year=2026, passed=True, on=date(2026, 1, 10))
        if cert == "suspended":
            app.suspend_certificate(a, o, at=t(date(2026, 9, 1)), reason="涉嫌违纪，暂扣证件")
        if cert == "revoked":
            app.revoke_qualification(a, o, at=t(date(2026, 8, 1)), reason="取消执法资格")
        return o

    zhang, li = officer("张伟"), officer("李娜")
    wang = officer("王强")
    aux = officer("赵敏（辅助）", kind="auxiliary", employment="contract", cert=None)
    officer("陈刚（证件过期）", cert="expired")
    officer("刘洋（暂扣）", cert="suspended")
    officer("周杰（取消资格）", cert="revoked")
    reviewer = officer("孙丽（法制审核）", kind="legal_reviewer", legal=True)
    head = officer("吴军（负责人）", kind="unit_head")
    head2 = officer("郑华（副局长）", kind="unit_head")
    app.publish_benchmark(
        a, matter_code="MR-0101", version="2025-1", legal_basis="《产品质量法》第四十九条",
        statutory_min="0", statutory_max="200000.00",
        tiers=[{"tier": "轻微", "min": "0", "max": "5000.00"},
               {"tier": "一般", "min": "5000.00", "max": "50000.00"},
               {"tier": "严重", "min": "50000.00", "max": "200000.00"}],
        effective_from=date(2025, 1, 1), published_at=t(date(2024, 12, 20)))

    tokens = {"admin": app.grant_principal(a, name="demo admin", role="admin")["token"]}
    for role, oid in (("officer", zhang), ("unit_head", head), ("legal_reviewer", reviewer)):
        tokens[role] = app.grant_principal(a, name=f"demo {role}", role=role, unit_id=uid,
                                           officer_id=oid)["token"]
    tokens["bank"] = app.grant_principal(a, name="ICBC 郑州分行", role="bank",
                                         bank_code="ICBC-ZZ")["token"]
    for role in ("supervisor", "auditor"):
        tokens[role] = app.grant_principal(a, name=f"demo {role}", role=role)["token"]

    from domain.principal import Actor
    off = Actor(id="demo-officer", role="officer", unit_id=uid, officer_id=zhang)
    hd = Actor(id="demo-head", role="unit_head", unit_id=uid, officer_id=head)
    rv = Actor(id="demo-reviewer", role="legal_reviewer", unit_id=uid, officer_id=reviewer)
    bank = Actor(id="demo-bank", role="bank", bank_code="ICBC-ZZ")
    made: list[str] = []
    start = date(2026, 3, 2)
    for i in range(cases):
        day = start + timedelta(days=14 * (i % 12))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        path = ("paid", "no_penalty", "transfer", "major", "open", "paid")[i % 6]
        cid = app.file_case(
            off, unit_id=uid, case_no=f"郑市监立〔2026〕{i + 1:04d}号", matter_code="MR-0101",
            party={"kind": "organisation", "name": f"某商贸有限公司{i + 1}",
                   "id_number": f"91410100MA{i:08d}"},
            source="inspection", summary="销售不合格产品", occurred_on=day - timedelta(days=20),
            discovered_on=day - timedelta(days=2), filed_at=t(day, 9), approved_by=head,
            handlers=[zhang, li], procedure="general", major=path == "major", complex=False,
        )["id"]
        made.append(cid)
        app.record_act(off, cid, type="inspection", occurred_at=t(day, 10), officers=[zhang, li, aux],
                       certificate_shown=True, record_sha256=h(f"record{i}"), av=None)
        ev = app.collect_evidence(off, cid, kind="physical", description="抽样产品",
                                  sha256=h(f"evidence{i}"), collected_at=t(day, 11),
                                  officers=[zhang, li], certificate_shown=True)["evidence_id"]
        if path == "open":
            continue
        if path == "transfer":
            app.report_transfer(off, cid, reported_at=t(day + timedelta(days=3)),
                                decided_at=t(day + timedelta(days=4)),
                                sent_at=t(day + timedelta(days=4), 15), to="public_security",
                                documents=["transfer_letter", "investigation_report",
                                           "seized_items_list", "expert_reports"])
            app.close_case(off, cid, at=t(day + timedelta(days=10)), reason="transferred")
            continue
        if path == "no_penalty":
            app.decide(hd, cid, decision_no=f"郑市监不罚〔2026〕{i + 1}号",
                       decided_at=t(day + timedelta(days=7)), decided_by=head,
                       outcome="no_penalty", penalties=[], legal_basis="《行政处罚法》第三十三条",
                       evidence_ids=[ev], benchmark=None, payment=None)
            app.serve_decision(off, cid, served_at=t(day + timedelta(days=8)), method="direct",
                               officers=[zhang, li])
            app.close_case(off, cid, at=t(day + timedelta(days=9)), reason="no_penalty")
            continue
        notice_day = day + timedelta(days=7)
        while notice_day.weekday() >= 5:
            notice_day += timedelta(days=1)
        app.serve_notice(off, cid, served_at=t(notice_day), officers=[zhang, li],
                         facts="销售不合格产品", legal_basis="《产品质量法》第四十九条",
                         proposed=[{"type": "fine", "amount": "20000.00"}], hearing_right=False)
        decide_day = notice_day + timedelta(days=14)
        if path == "major":
            app.legal_review(rv, cid, reviewer_id=reviewer, at=t(decide_day - timedelta(days=3)),
                             result="passed", opinion="事实清楚，证据确凿，程序合法")
            app.hold_discussion(hd, cid, held_at=t(decide_day - timedelta(days=2)),
                                attendees=[head, head2], minutes_sha256=h(f"minutes{i}"),
                                conclusion="同意处罚")
        res = app.decide(hd, cid, decision_no=f"郑市监罚〔2026〕{i + 1}号",
                         decided_at=t(decide_day), decided_by=head, outcome="penalty",
                         penalties=[{"type": "fine", "amount": "20000.00"}],
                         legal_basis="《产品质量法》第四十九条", evidence_ids=[ev],
                         benchmark={"version": "2025-1", "tier": "一般"},
                         payment={"bank_code": "ICBC-ZZ", "surcharge": True})
        app.serve_decision(off, cid, served_at=t(decide_day + timedelta(days=1)), method="direct",
                           officers=[zhang, li])
        if path == "paid":
            app.record_payment(bank, res["fine_id"], receipt_no=f"ICBC{i:06d}", amount="20000.00",
                               paid_at=t(decide_day + timedelta(days=5)))
            app.close_case(off, cid, at=t(decide_day + timedelta(days=6)), reason="executed")
            app.archive_case(off, cid, at=t(decide_day + timedelta(days=7)),
                             file_sha256=h(f"file{i}"))
    return {"tokens": tokens, "unit_id": uid, "cases": made,
            "officers": {"zhang": zhang, "li": li, "wang": wang, "auxiliary": aux, "head_id": head}}
