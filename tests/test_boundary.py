"""Hostile and sloppy input at the boundary: control characters, sizes, ranges, malformed
cursors and ids, identifiers in another Unicode form, references to nobody. Each is a 4xx
naming the field, never a 5xx, and records nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import routing
from fastapi.testclient import TestClient

from .conftest import D0, World, at, day, sha


def case_body(w: World, **kw: Any) -> dict[str, Any]:
    body = {
        "unit_id": w.unit_id,
        "case_no": "C-" + uuid.uuid4().hex[:8],
        "matter_code": "MR-0101",
        "party": {"kind": "organisation", "name": "某商贸有限公司", "id_number": "91410100MA1"},
        "source": "inspection",
        "summary": "销售不合格产品",
        "occurred_on": str(day(-20)),
        "discovered_on": str(day(-1)),
        "filed_at": at(D0, 9),
        "approved_by": w.head,
        "handlers": [w.zhang, w.li],
    }
    body.update(kw)
    return body


def head(w: World) -> int:
    return w.c.app.state.oversight.max_position()  # type: ignore[attr-defined]


def refused(w: World, path: str, body: Any, field: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """422 problem+json naming ``field``, and nothing recorded."""
    before = head(w)
    r = w.c.post(path, json=body, headers=headers or w.officer_h)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = r.json()
    assert problem["errors"][0]["field"] == field, problem
    assert head(w) == before
    return problem


# ------------------------------------------------------------------ control characters
@pytest.mark.parametrize("bad", ["A\u0000B", "A\u0007B", "A\u001bB", "A\u007fB", "A\u0085B", "A\nB", "A\tB"])
def test_a_control_character_in_a_name_is_422_naming_the_field(world: World, bad: str) -> None:
    w = world
    party = {"kind": "person", "name": bad, "id_number": "1"}
    refused(w, "/v1/cases", case_body(w, party=party), "party.name")


def test_free_text_allows_tabs_and_line_breaks_but_no_nul(world: World) -> None:
    w = world
    # Free text may run over lines …
    w.post("/v1/cases", w.officer_h, case_body(w, summary="第一行\n第二行\r\n\t缩进"), 201)
    # … but holds no NUL, and identifiers hold no line break at all.
    refused(w, "/v1/cases", case_body(w, summary="A\u0000B"), "summary")
    refused(w, "/v1/cases", case_body(w, case_no="C-1\n"), "case_no")
    refused(w, "/v1/cases", case_body(w, handlers=[w.zhang, "x\u0000"]), "handlers[1]")


def test_a_lone_surrogate_is_422_not_a_store_error(world: World) -> None:
    w = world
    body = b'{"at": "2026-03-02T10:00:00+08:00", "reason": "\\ud800x"}'
    before = head(w)
    r = w.c.post(
        f"/v1/officers/{w.zhang}/suspensions", content=body, headers={**w.admin, "Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
    assert head(w) == before


def test_control_characters_in_query_path_and_keys_are_422(world: World) -> None:
    w, c = world, world.c
    r = c.get("/v1/cases", params={"unit_id": "A\u0000B"}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id"
    r = c.get("/v1/audits/findings", params={"rule": "\u0001"}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rule"
    r = c.get("/v1/audits/units/%00/scorecard", headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit_id"
    cid = w.file()
    r = c.post(
        f"/v1/cases/{cid}/statements",
        json={"received_at": at(day(1)), "summary": "s"},
        headers={**w.officer_h, "Idempotency-Key": "k\u0007"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"
    signatures = {"party\u0000": True}
    body = {"type": "inspection", "occurred_at": at(D0, 10), "officers": [w.zhang, w.li], "signatures": signatures}
    refused(w, f"/v1/cases/{cid}/acts", body, "signatures.party\u0000")


# ------------------------------------------------------------------ sizes and numbers
def test_lists_strings_numbers_and_nesting_have_limits(world: World) -> None:
    w = world
    refused(w, "/v1/cases", case_body(w, handlers=[w.zhang] * 1001), "handlers")
    refused(
        w,
        "/v1/cases",
        case_body(w, party={"kind": "person", "name": "n", "id_number": "1", "address": "x" * 201}),
        "party.address",
    )
    refused(
        w,
        f"/v1/officers/{w.zhang}/exams",
        {"taken_on": "2024-11-01", "passed": True, "score": 10**40},
        "score",
        w.admin,
    )
    refused(
        w, f"/v1/officers/{w.zhang}/exams", {"taken_on": "2024-11-01", "passed": True, "score": 101}, "score", w.admin
    )
    cid = w.file()
    deep: Any = "x"
    for _ in range(40):
        deep = {"a": deep}
    body = {"type": "inspection", "occurred_at": at(D0, 10), "officers": [w.zhang, w.li], "signatures": deep}
    problem = refused(w, f"/v1/cases/{cid}/acts", body, refused_field_of_depth())
    assert "nested" in problem["detail"]


def test_integers_in_queries_stay_in_range(world: World) -> None:
    w, c = world, world.c
    big = str(10**26)
    r = c.get("/v1/integrity/inclusion", params={"position": big, "size": 5}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "position", r.text
    r = c.get("/v1/integrity/consistency", params={"from": 1, "to": big}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to", r.text
    cid = w.file()
    r = c.get(f"/v1/cases/{cid}", params={"version": big}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "version", r.text


def refused_field_of_depth() -> str:
    return "signatures" + ".a" * 16


# ------------------------------------------------------------------ dates and times
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("filed_at", "0001-01-01T00:00:00+14:00"),
        ("filed_at", "9999-12-31T23:59:59-14:00"),
        ("filed_at", "2101-01-01T00:00:00+08:00"),
        ("filed_at", "1948-12-31T10:00:00+08:00"),
        ("filed_at", 1767225600),
        ("occurred_on", "0001-01-01"),
        ("occurred_on", "9999-12-31"),
        ("discovered_on", "1900-01-01"),
    ],
)
def test_business_dates_and_times_lie_between_1949_and_2100(world: World, field: str, value: Any) -> None:
    w = world
    problem = refused(w, "/v1/cases", case_body(w, **{field: value}), field)
    assert "1949-01-01" in problem["detail"] or "RFC 3339" in problem["detail"]


def test_times_in_queries_need_an_offset_and_a_sane_year(world: World) -> None:
    w, c = world, world.c
    for path in (
        "/v1/audits/findings",
        "/v1/audits/officers",
        "/v1/audits/fines",
        f"/v1/audits/units/{w.unit_id}/scorecard",
    ):
        r = c.get(path, params={"as_of": "2026-03-02T10:00:00"}, headers=w.auditor_h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "as_of", (path, r.text)
        assert c.get(path, params={"as_of": "2026-03-02T10:00:00+08:00"}, headers=w.auditor_h).status_code == 200
    r = c.get(f"/v1/officers/{w.zhang}", params={"as_of": "9999-12-31T23:00:00-14:00"}, headers=w.admin)
    assert r.status_code == 422 and "1949-01-01" in r.json()["detail"]
    r = c.get("/v1/audits/findings", params={"from": "0001-01-01T00:00:00+14:00"}, headers=w.auditor_h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from"


# ------------------------------------------------------------------ ids and cursors
def test_a_principal_id_that_is_no_id_is_404(world: World) -> None:
    w, c = world, world.c
    assert c.delete("/v1/principals/0", headers=w.admin).status_code == 404
    assert c.delete(f"/v1/principals/{uuid.uuid4()}", headers=w.admin).status_code == 404
    assert c.delete("/v1/principals/0", headers=w.auditor_h).status_code == 403


def list_routes(c: TestClient) -> list[str]:
    """Every GET route that pages with a cursor."""
    out = []
    for ctx in routing.iter_route_contexts(c.app.routes):  # type: ignore[attr-defined]
        route = ctx.original_route
        if not isinstance(route, routing.APIRoute) or "GET" not in (ctx.methods or ()):
            continue
        if any(p.alias == "cursor" for p in route.dependant.query_params):
            out.append(ctx.path_format)
    return out


def test_a_malformed_cursor_is_422_on_every_list(world: World) -> None:
    w, c = world, world.c
    lists = list_routes(c)
    assert {"/v1/cases", "/v1/audits/findings", "/v1/public/disclosures"} <= set(lists)
    for path in lists:
        for cursor in ("abc", "-1", "1.5", "9" * 40, "١٢"):
            r = c.get(
                path.format(unit_id=w.unit_id, officer_id=w.zhang), params={"cursor": cursor}, headers=w.auditor_h
            )
            assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor", (path, cursor, r.text)


def test_lists_honour_limit(world: World) -> None:
    w, c = world, world.c
    for _ in range(3):
        w.file()
    c.get("/v1/cases", params={"min_position": head(w)}, headers=w.auditor_h)
    page = c.get("/v1/cases", params={"limit": 2}, headers=w.auditor_h).json()
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    rest = c.get("/v1/cases", params={"limit": 2, "cursor": page["next_cursor"]}, headers=w.auditor_h).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert c.get("/v1/cases", params={"limit": 501}, headers=w.auditor_h).status_code == 422


def test_a_scorecard_of_an_unknown_unit_is_404(world: World) -> None:
    w, c = world, world.c
    assert c.get(f"/v1/audits/units/{uuid.uuid4()}/scorecard", headers=w.auditor_h).status_code == 404
    assert c.get("/v1/audits/units/no-unit/scorecard", headers=w.auditor_h).status_code == 404
    assert c.get(f"/v1/audits/units/{w.unit_id}/scorecard", headers=w.auditor_h).status_code == 200


# ------------------------------------------------------------------ identifiers
@pytest.mark.parametrize(
    "twin",
    ["Ｃ-１２３", " C-123 ", "C-\u200b123", "C-123\ufeff", "C\u2060-123"],
)
def test_case_numbers_that_differ_only_in_unicode_form_are_the_same_number(world: World, twin: str) -> None:
    w = world
    cid = w.post("/v1/cases", w.officer_h, case_body(w, case_no="C-123"), 201)["id"]
    r = w.c.post("/v1/cases", json=case_body(w, case_no=twin), headers=w.officer_h)
    assert r.status_code == 409, r.text
    assert w.c.get(f"/v1/cases/{cid}", headers=w.auditor_h).json()["case_no"] == "C-123"


def test_nfc_and_nfd_case_numbers_are_one_number_and_stored_normalised(world: World) -> None:
    w = world
    nfd = "Re\u0301-1"  # e + combining acute
    cid = w.post("/v1/cases", w.officer_h, case_body(w, case_no=nfd), 201)["id"]
    assert w.c.post("/v1/cases", json=case_body(w, case_no="R\u00e9-1"), headers=w.officer_h).status_code == 409
    assert w.c.get(f"/v1/cases/{cid}", headers=w.auditor_h).json()["case_no"] == "R\u00e9-1"
    # Letter case is significant (README: ids already derived from capitals stay as they are).
    w.post("/v1/cases", w.officer_h, case_body(w, case_no="r\u00e9-1"), 201)


def test_receipt_and_decision_numbers_in_full_width_are_twins(world: World) -> None:
    w, c = world, world.c
    cid, eid = w.ready_for_decision()
    fine_id = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid, decision_no="D-77"))["fine_id"]
    pay = {"receipt_no": "R-1", "amount": "100.00", "paid_at": at(day(16))}
    w.post(f"/v1/fines/{fine_id}/payments", w.bank_h, pay)
    r = c.post(f"/v1/fines/{fine_id}/payments", json={**pay, "receipt_no": "Ｒ-１ "}, headers=w.bank_h)
    assert r.status_code == 409, r.text
    cid2, eid2 = w.ready_for_decision()
    r = c.post(f"/v1/cases/{cid2}/decision", json=w.decision_body(eid2, decision_no="Ｄ-７７"), headers=w.head_h)
    assert r.status_code == 409, r.text


def test_unit_codes_are_normalised_before_the_unit_id_is_derived(client: TestClient) -> None:
    w = World(client, code="ZW-42", benchmark=False)
    body = {"code": "ＺＷ-４２", "name": "n", "region": "410100", "matters": [], "banks": []}
    assert client.post("/v1/units", json=body, headers=w.admin).status_code == 409


# ------------------------------------------------------------------ references
def test_officers_a_body_names_must_exist(world: World) -> None:
    w = world
    nobody = str(uuid.uuid4())
    refused(w, "/v1/cases", case_body(w, approved_by=nobody), "approved_by")
    refused(w, "/v1/cases", case_body(w, handlers=[w.zhang, nobody]), "handlers[1]")
    cid, eid = w.ready_for_decision()
    refused(w, f"/v1/cases/{cid}/decision", w.decision_body(eid, decided_by=nobody), "decided_by", w.head_h)
    hearing = {"noticed_at": at(day(4)), "held_at": at(day(16)), "host_id": nobody, "record_sha256": sha("h")}
    refused(w, f"/v1/cases/{cid}/hearings", hearing, "host_id")
    discussion = {"held_at": at(day(12)), "attendees": [w.head, nobody], "minutes_sha256": sha("m"), "conclusion": "c"}
    refused(w, f"/v1/cases/{cid}/discussions", discussion, "attendees[1]", w.head_h)
    refused(w, f"/v1/cases/{cid}/recusals", {"officer_id": nobody, "at": at(D0, 9), "reason": "r"}, "officer_id")
    review = {"reviewer_id": nobody, "at": at(day(8)), "result": "passed", "opinion": "o"}
    refused(w, f"/v1/cases/{cid}/legal-reviews", review, "reviewer_id", w.reviewer_h)
    draw = {
        "unit_id": w.unit_id,
        "task": "T-ref",
        "matter_code": "MR-0101",
        "targets_register": ["A", "B"],
        "inspectors_register": [w.zhang, w.li],
        "targets": 1,
        "drawn_at": at(day(1)),
    }
    drawn = w.post("/v1/inspections", w.officer_h, draw, 201)
    target = next(iter(drawn["assignments"]))
    result = {"target": target, "inspected_at": at(day(2)), "officers": [nobody], "outcome": "compliant"}
    refused(w, f"/v1/inspections/{drawn['id']}/results", result, "officers[0]")
