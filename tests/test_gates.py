"""One refusal test per gate rule: the status, the rule id with its citation, and the
aggregate's version did not move (nothing recorded). The story tests satisfy each rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from .conftest import D0, World, at, day, sha


def refused(
    w: World, path: str, headers: dict[str, str], body: dict[str, Any], rule: str, version_of: str, status: int = 409
) -> dict[str, Any]:
    before = w.version(version_of)
    r = w.c.post(path, json=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = r.json()
    assert problem["rule"] == rule, problem
    assert problem["citation"]
    assert w.version(version_of) == before
    return problem


def act(w: World, officers: list[str], when: str | None = None) -> dict[str, Any]:
    return {
        "type": "inspection",
        "occurred_at": when or at(D0, 10),
        "officers": officers,
        "certificate_shown": True,
        "record_sha256": sha("r"),
    }


def test_a1_one_certified_officer_cannot_inspect_alone(world: World) -> None:
    w = world
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.aux]), "A1", f"/v1/cases/{cid}")


def test_a2_expired_certificate_is_refused(world: World) -> None:
    w = world
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.expired]), "A2", f"/v1/cases/{cid}")


def test_a2_certificate_judged_at_the_acts_time_not_now(world: World) -> None:
    w = world
    cid = w.file()
    # The certificate expired on 2026-01-31: an act dated before that is fine, after is not.
    w.post(
        f"/v1/cases/{cid}/acts",
        w.officer_h,
        act(w, [w.zhang, w.expired], at(date(2026, 1, 20))) | {"type": "on_site_record"},
    )
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.expired]), "A2", f"/v1/cases/{cid}")


def test_a2_certificate_outside_the_cases_area(client: Any) -> None:
    # A unit in another province: the officers' certificates (area 4101) do not cover it.
    w = World(client, region="370100")  # the only world in this store
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.li]), "A2", f"/v1/cases/{cid}")


def test_a4_certificate_needs_established_staff_with_a_passed_exam(world: World) -> None:
    w = world
    contract = w.post(
        "/v1/officers",
        w.admin,
        {"name": "合同工", "unit_id": w.unit_id, "kind": "officer", "employment": "contract"},
        201,
    )["id"]
    cert = {
        "number": "X1",
        "fields": ["MR"],
        "areas": ["4101"],
        "valid_from": "2025-01-01",
        "valid_until": "2028-01-01",
    }
    refused(w, f"/v1/officers/{contract}/certificates", w.admin, cert, "A4", f"/v1/officers/{contract}")
    no_exam = w.officer("未考试", cert=False)
    refused(w, f"/v1/officers/{no_exam}/certificates", w.admin, cert, "A4", f"/v1/officers/{no_exam}")


def test_a5_auxiliaries_alone_are_refused(world: World) -> None:
    w = world
    aux2 = w.officer("辅警二", kind="auxiliary", employment="contract", cert=False)
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.aux, aux2]), "A5", f"/v1/cases/{cid}")


def test_a7_suspended_certificate_is_refused(world: World) -> None:
    w = world
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.suspended]), "A7", f"/v1/cases/{cid}")


def test_a7_revoked_qualification_is_refused(world: World) -> None:
    w = world
    w.post(f"/v1/officers/{w.wang}/revocations", w.admin, {"at": at(day(-5)), "reason": "取消"})
    cid = w.file()
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.wang]), "A7", f"/v1/cases/{cid}")


def test_a9_reviewer_without_legal_qualification_is_refused(world: World) -> None:
    w = world
    unqualified = w.officer("无资格审核员", kind="legal_reviewer", legal=False)
    headers = w.auth(w.principal("legal_reviewer", officer_id=unqualified))
    cid, _ = w.ready_for_decision()
    refused(
        w,
        f"/v1/cases/{cid}/legal-reviews",
        headers,
        {"reviewer_id": unqualified, "at": at(day(5)), "result": "passed", "opinion": "同意"},
        "A9",
        f"/v1/cases/{cid}",
    )


def test_a10_handler_cannot_review_own_case(world: World) -> None:
    w = world
    cid = w.file(handlers=[w.zhang, w.reviewer])
    w.evidence(cid)
    w.notice(cid)
    refused(
        w,
        f"/v1/cases/{cid}/legal-reviews",
        w.reviewer_h,
        {"reviewer_id": w.reviewer, "at": at(day(5)), "result": "passed", "opinion": "同意"},
        "A10",
        f"/v1/cases/{cid}",
    )


def test_a10_pending_recusal_does_not_stop_the_investigation_article_43(world: World) -> None:
    # 处罚法 43 ¶3: 决定作出之前，不停止调查 — an undecided recusal request blocks nothing.
    w = world
    cid = w.file()
    w.post(f"/v1/cases/{cid}/recusals", w.officer_h, {"officer_id": w.li, "at": at(D0, 9), "reason": "当事人申请回避"})
    w.post(f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.li]))
    # Once the unit head grants it, the officer takes no further part (A10).
    w.post(f"/v1/cases/{cid}/recusal-decisions", w.head_h, {"officer_id": w.li, "at": at(D0, 10), "granted": True})
    refused(w, f"/v1/cases/{cid}/acts", w.officer_h, act(w, [w.zhang, w.li], at(D0, 11)), "A10", f"/v1/cases/{cid}")
    # A refused request leaves the officer free to act.
    other = w.file()
    w.post(f"/v1/cases/{other}/recusals", w.officer_h, {"officer_id": w.li, "at": at(D0, 9), "reason": "申请回避"})
    w.post(f"/v1/cases/{other}/recusal-decisions", w.head_h, {"officer_id": w.li, "at": at(D0, 9), "granted": False})
    w.post(f"/v1/cases/{other}/acts", w.officer_h, act(w, [w.zhang, w.li]))


def test_b4_evidence_of_no_statutory_kind_is_refused(world: World) -> None:
    w = world
    cid = w.file()
    refused(
        w,
        f"/v1/cases/{cid}/evidence",
        w.officer_h,
        {
            "kind": "rumour",
            "description": "传闻",
            "sha256": sha("x"),
            "collected_at": at(D0),
            "officers": [w.zhang, w.li],
        },
        "B4",
        f"/v1/cases/{cid}",
    )


def test_b4_illegal_evidence_cannot_be_cited(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    w.post(
        f"/v1/cases/{cid}/evidence/{eid}/assessments", w.officer_h, {"status": "illegal", "reason": "以非法手段取得"}
    )
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "B4", f"/v1/cases/{cid}")


def test_c3_no_decision_before_a_served_notice(world: World) -> None:
    w = world
    cid = w.file()
    eid = w.evidence(cid)
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "C3", f"/v1/cases/{cid}")


def test_c4_statement_must_be_rechecked(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    w.post(f"/v1/cases/{cid}/statements", w.officer_h, {"received_at": at(day(2)), "summary": "申辩"})
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "C4", f"/v1/cases/{cid}")


def test_c4_decision_heavier_than_the_notice_is_refused(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid, amount="30000.00"), "C4", f"/v1/cases/{cid}")


def test_c5_notice_of_a_large_fine_must_give_a_hearing_right(world: World) -> None:
    w = world
    cid = w.file(party={"kind": "person", "name": "王五", "id_number": "410102198001011234"})
    w.evidence(cid)
    body = {
        "served_at": at(day(1)),
        "officers": [w.zhang, w.li],
        "facts": "事实",
        "reasons": "理由",
        "legal_basis": "依据",
        "proposed": [{"type": "fine", "amount": "20000.00"}],
        "hearing_right": False,
    }
    refused(w, f"/v1/cases/{cid}/notices", w.officer_h, body, "C5", f"/v1/cases/{cid}")


def test_c5_late_hearing_request_is_refused(world: World) -> None:
    w = world
    cid = w.file(party={"kind": "person", "name": "王五", "id_number": "410102198001011234"})
    w.evidence(cid)
    w.notice(cid, hearing=True)
    # Notice on Tue 3 March; 5 working days end on Tue 10 March.
    refused(w, f"/v1/cases/{cid}/hearing-requests", w.officer_h, {"at": at(day(9))}, "C5", f"/v1/cases/{cid}")


def test_c7_complex_case_needs_collective_discussion(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision(complex=True)
    w.post(
        f"/v1/cases/{cid}/legal-reviews",
        w.reviewer_h,
        {"reviewer_id": w.reviewer, "at": at(day(8)), "result": "passed", "opinion": "同意"},
    )
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "C7", f"/v1/cases/{cid}")


def test_c8_major_decision_needs_a_legal_review(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision(major=True)
    w.post(
        f"/v1/cases/{cid}/discussions",
        w.head_h,
        {"held_at": at(day(9)), "attendees": [w.head, w.head2], "minutes_sha256": sha("m"), "conclusion": "处罚"},
    )
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "C8", f"/v1/cases/{cid}")


def test_c10_fine_decision_must_name_the_bank(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid, payment=None), "C10", f"/v1/cases/{cid}")


def test_c11_fine_outside_the_tier_needs_a_reason(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    body = w.decision_body(eid, amount="20000.00", benchmark={"version": "2025-1", "tier": "严重"})
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "C11", f"/v1/cases/{cid}")


def test_c11_wrong_benchmark_version_is_refused(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    body = w.decision_body(eid, benchmark={"version": "2019-1", "tier": "一般"})
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "C11", f"/v1/cases/{cid}")


def test_c14_same_act_is_not_fined_twice(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid), "C14", f"/v1/cases/{cid}")


def test_c16_simplified_procedure_fine_over_the_limit(world: World) -> None:
    w = world
    cid = w.file(procedure="simplified", party={"kind": "person", "name": "赵六", "id_number": "410102199303031234"})
    eid = w.evidence(cid)
    w.notice(cid, amount="500.00")
    body = w.decision_body(eid, amount="500.00", officers=[w.zhang, w.li], certificate_shown=True, form_no="F-1")
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "C16", f"/v1/cases/{cid}")


def _fined_case(w: World, **kw: Any) -> tuple[str, str]:
    cid, eid = w.ready_for_decision(**kw)
    fine_id: str = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))["fine_id"]
    w.post(
        f"/v1/cases/{cid}/service",
        w.officer_h,
        {"served_at": at(day(15)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    return cid, fine_id


def test_d1_decision_naming_an_undesignated_bank_is_refused(world: World) -> None:
    w = world
    cid, eid = w.ready_for_decision()
    body = w.decision_body(eid, payment={"bank_code": "SOME-OTHER-BANK", "surcharge": True})
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "D1", f"/v1/cases/{cid}")


def test_d1_only_the_designated_bank_records_a_payment(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    payment = {"receipt_no": "R1", "amount": "100.00", "paid_at": at(day(16))}
    # The deciding unit's own officer is refused (罚缴分离).
    refused(w, f"/v1/fines/{fine_id}/payments", w.officer_h, payment, "D1", f"/v1/fines/{fine_id}", status=403)
    # So is another bank.
    other = w.auth(w.principal("bank", bank_code="ANOTHER-BANK"))
    refused(w, f"/v1/fines/{fine_id}/payments", other, payment, "D1", f"/v1/fines/{fine_id}", status=403)


def test_d3_on_the_spot_collection_outside_the_simplified_procedure(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    refused(
        w,
        f"/v1/fines/{fine_id}/on-the-spot",
        w.officer_h,
        {"receipt_no": "财1", "amount": "100.00", "collected_at": at(day(16)), "officers": [w.zhang, w.li]},
        "D3",
        f"/v1/fines/{fine_id}",
    )


def test_d4_remote_area_collection_needs_the_partys_request(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    refused(
        w,
        f"/v1/fines/{fine_id}/on-the-spot",
        w.officer_h,
        {
            "receipt_no": "财2",
            "amount": "100.00",
            "collected_at": at(day(16)),
            "officers": [w.zhang, w.li],
            "remote_area": True,
        },
        "D4",
        f"/v1/fines/{fine_id}",
    )


def test_d5_on_the_spot_collection_needs_a_receipt_number(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    refused(
        w,
        f"/v1/fines/{fine_id}/on-the-spot",
        w.officer_h,
        {
            "receipt_no": " ",
            "amount": "100.00",
            "collected_at": at(day(16)),
            "officers": [w.zhang, w.li],
            "remote_area": True,
            "reason": "当事人申请",
        },
        "D5",
        f"/v1/fines/{fine_id}",
    )


def test_d5_a_receipt_number_is_used_once(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    body = {
        "receipt_no": "财-ONCE",
        "amount": "100.00",
        "collected_at": at(day(16)),
        "officers": [w.zhang, w.li],
        "remote_area": True,
        "reason": "当事人申请",
    }
    w.post(f"/v1/fines/{fine_id}/on-the-spot", w.officer_h, body)
    before = w.version(f"/v1/fines/{fine_id}")
    r = w.c.post(f"/v1/fines/{fine_id}/on-the-spot", json=body, headers=w.officer_h)
    assert r.status_code == 409 and "already used" in r.json()["detail"]
    assert w.version(f"/v1/fines/{fine_id}") == before


def test_d7_deferral_without_the_partys_application(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    refused(
        w,
        f"/v1/fines/{fine_id}/deferrals",
        w.head_h,
        {"approved_at": at(day(17)), "kind": "deferral", "until": str(day(60))},
        "D7",
        f"/v1/fines/{fine_id}",
    )


def test_e2_court_enforcement_needs_a_served_demand(world: World) -> None:
    w = world
    _, fine_id = _fined_case(w)
    refused(
        w, f"/v1/fines/{fine_id}/court-applications", w.officer_h, {"at": at(day(90))}, "E2", f"/v1/fines/{fine_id}"
    )


def test_f3_transfer_package_must_be_complete(world: World) -> None:
    w = world
    cid = w.file()
    refused(
        w,
        f"/v1/cases/{cid}/transfers",
        w.officer_h,
        {
            "reported_at": at(day(3)),
            "decided_at": at(day(4)),
            "to": "public_security",
            "documents": ["transfer_letter"],
        },
        "F3",
        f"/v1/cases/{cid}",
    )


def test_g2_benchmark_not_yet_published_is_refused(world: World) -> None:
    w = world
    # A new version in force from 1 March but published only in April.
    w.post(
        "/v1/benchmarks",
        w.admin,
        {
            "matter_code": "MR-0101",
            "version": "2026-1",
            "legal_basis": "《产品质量法》第四十九条",
            "statutory_min": "0",
            "statutory_max": "200000.00",
            "tiers": [{"tier": "一般", "min": "1000.00", "max": "50000.00"}],
            "effective_from": "2026-03-01",
            "published_at": at(date(2026, 4, 1)),
        },
        201,
    )
    cid, eid = w.ready_for_decision()
    body = w.decision_body(eid, benchmark={"version": "2026-1", "tier": "一般"})
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "G2", f"/v1/cases/{cid}")


def test_j2_on_the_spot_decision_must_state_reconsideration_first(world: World) -> None:
    w = world
    cid = w.file(procedure="simplified", party={"kind": "person", "name": "钱七", "id_number": "410102199404041234"})
    eid = w.evidence(cid)
    w.notice(cid, amount="50.00")
    body = w.decision_body(
        eid,
        amount="50.00",
        officers=[w.zhang, w.li],
        certificate_shown=True,
        form_no="F-2",
        remedies={"reconsideration_first": False},
        benchmark={"version": "2025-1", "tier": "一般", "reason": "轻微"},
    )
    refused(w, f"/v1/cases/{cid}/decision", w.head_h, body, "J2", f"/v1/cases/{cid}")


def test_stage_order_no_service_before_decision_no_archive_before_closure(world: World) -> None:
    w = world
    cid = w.file()
    v = w.version(f"/v1/cases/{cid}")
    r = w.c.post(
        f"/v1/cases/{cid}/service",
        headers=w.officer_h,
        json={"served_at": at(day(1)), "method": "direct", "officers": [w.zhang, w.li]},
    )
    assert r.status_code == 409 and "no decision" in r.json()["detail"]
    r = w.c.post(f"/v1/cases/{cid}/archive", headers=w.officer_h, json={"at": at(day(1)), "file_sha256": sha("f")})
    assert r.status_code == 409
    assert w.version(f"/v1/cases/{cid}") == v
