"""Every route with every role, as API.md specifies: 401 without a token where one is needed,
403 where the role may never act (before the body is looked at), otherwise neither, and never
a 5xx. The routes are enumerated from the app, so a new route cannot escape this test: it
fails until the route's roles are written into ``EXPECTED`` below (from API.md)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import routing
from fastapi.testclient import TestClient

from .conftest import World, at, day

ROLES = ("admin", "officer", "unit_head", "legal_reviewer", "bank", "supervisor", "auditor")
PUBLIC = "public"
UNIT = ("officer", "unit_head", "legal_reviewer")
CASE_WRITERS = ("officer", "unit_head")
CASE_READERS = (*UNIT, "supervisor", "auditor")
REGISTRY_READERS = ("admin", *UNIT, "supervisor", "auditor")
REPORTS = ("unit_head", "supervisor", "auditor")
ANY = ROLES
ADMIN = ("admin",)
HEAD = ("unit_head",)
BANK = ("bank",)

#: (method, path) -> the roles that may act, or PUBLIC (no token needed). From API.md.
EXPECTED: dict[tuple[str, str], Any] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): ADMIN,
    # identities and registries: the admin
    ("POST", "/v1/principals"): ADMIN,
    ("DELETE", "/v1/principals/{principal_id}"): ADMIN,
    ("POST", "/v1/units"): ADMIN,
    ("POST", "/v1/units/{unit_id}/enforcement-power"): ADMIN,
    ("GET", "/v1/units/{unit_id}"): REGISTRY_READERS,
    ("POST", "/v1/officers"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/exams"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/certificates"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/validations"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/suspensions"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/reinstatements"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/revocations"): ADMIN,
    ("POST", "/v1/officers/{officer_id}/trainings"): ADMIN,
    ("GET", "/v1/officers/{officer_id}"): REGISTRY_READERS,
    ("POST", "/v1/benchmarks"): ADMIN,
    # cases: officers and unit heads of the case's unit; readers across units; no admin
    ("POST", "/v1/cases"): CASE_WRITERS,
    ("GET", "/v1/cases"): CASE_READERS,
    ("GET", "/v1/cases/{case_id}"): CASE_READERS,
    ("GET", "/v1/cases/{case_id}/events"): CASE_READERS,
    ("POST", "/v1/cases/{case_id}/acts"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/evidence"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/evidence/{evidence_id}/assessments"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/notices"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/statements"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/rechecks"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/hearing-requests"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/hearings"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/hearing-waivers"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/legal-reviews"): ("legal_reviewer",),
    ("POST", "/v1/cases/{case_id}/discussions"): HEAD,
    ("POST", "/v1/cases/{case_id}/recusals"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/recusal-decisions"): HEAD,
    ("POST", "/v1/cases/{case_id}/decision"): HEAD,
    ("POST", "/v1/cases/{case_id}/service"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/remedies"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/remedy-conclusions"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/execution-suspensions"): HEAD,
    ("POST", "/v1/cases/{case_id}/execution-resumptions"): HEAD,
    ("POST", "/v1/cases/{case_id}/decision-revocations"): HEAD,
    ("POST", "/v1/cases/{case_id}/disclosures"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/disclosure-withdrawals"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/transfers"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/interventions"): tuple(r for r in ROLES if r != "bank"),
    ("POST", "/v1/cases/{case_id}/closure"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/archive"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/statement-waivers"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/case-suspensions"): HEAD,
    ("POST", "/v1/cases/{case_id}/case-resumptions"): HEAD,
    ("POST", "/v1/cases/{case_id}/period-extensions"): HEAD,
    ("POST", "/v1/cases/{case_id}/testing"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/enforcement"): CASE_WRITERS,
    ("POST", "/v1/cases/{case_id}/decision-changes"): HEAD,
    # fines: the case's unit, its designated bank, supervisors, auditors; only the bank collects
    ("GET", "/v1/fines/{fine_id}"): (*UNIT, "bank", "supervisor", "auditor"),
    ("POST", "/v1/fines/{fine_id}/payments"): BANK,
    ("POST", "/v1/fines/{fine_id}/on-the-spot"): CASE_WRITERS,
    ("POST", "/v1/fines/{fine_id}/handovers"): CASE_WRITERS,
    ("POST", "/v1/fines/{fine_id}/deposits"): BANK,
    ("POST", "/v1/fines/{fine_id}/treasury-remittances"): BANK,
    ("POST", "/v1/fines/{fine_id}/deferrals"): HEAD,
    ("POST", "/v1/fines/{fine_id}/demands"): CASE_WRITERS,
    ("POST", "/v1/fines/{fine_id}/court-applications"): CASE_WRITERS,
    # random inspections: the unit's own
    ("POST", "/v1/inspections"): CASE_WRITERS,
    ("GET", "/v1/inspections/{inspection_id}"): CASE_READERS,
    ("POST", "/v1/inspections/{inspection_id}/results"): CASE_WRITERS,
    ("POST", "/v1/inspections/{inspection_id}/publications"): CASE_WRITERS,
    # integrity: the checkpoint and the key are public; verification for auditors, supervisors
    ("GET", "/v1/integrity/public-key"): PUBLIC,
    ("GET", "/v1/integrity/checkpoint"): PUBLIC,
    ("GET", "/v1/integrity/verify"): ("supervisor", "auditor"),
    ("GET", "/v1/integrity/inclusion"): ANY,
    ("GET", "/v1/integrity/consistency"): ANY,
    # audits and reports: auditors, supervisors, a unit head for their own unit
    ("GET", "/v1/audits/cases/{case_id}"): REPORTS,
    ("GET", "/v1/audits/findings"): REPORTS,
    ("GET", "/v1/audits/findings/counts"): REPORTS,
    ("GET", "/v1/audits/units/{unit_id}/scorecard"): REPORTS,
    ("GET", "/v1/audits/officers"): REPORTS,
    ("GET", "/v1/audits/officers/{officer_id}/acts"): REPORTS,
    ("GET", "/v1/audits/fines"): REPORTS,
    ("GET", "/v1/public/disclosures"): PUBLIC,
}


def app_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD answers as GET)."""
    contexts = routing.iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
    out = []
    for c in contexts:
        for m in sorted(c.methods or ()):
            if m != "HEAD":
                out.append((m, c.path_format))
    return out


class Ids:
    """One record of each kind in unit A, for the paths."""

    def __init__(self, w: World) -> None:
        cid, eid = w.ready_for_decision()
        self.fine_id = w.post(f"/v1/cases/{cid}/decision", w.head_h, w.decision_body(eid))["fine_id"]
        self.case_id, self.evidence_id = cid, eid
        body = {
            "unit_id": w.unit_id,
            "task": "T-roles",
            "matter_code": "MR-0101",
            "targets_register": ["A", "B", "C"],
            "inspectors_register": [w.zhang, w.li],
            "targets": 2,
            "drawn_at": at(day(1)),
        }
        self.inspection_id = w.post("/v1/inspections", w.officer_h, body, 201)["id"]
        self.unit_id, self.officer_id = w.unit_id, w.zhang
        from domain.principal import Principal

        self.principal_id = str(Principal.id_for_token(w.principal("auditor")))

    def path(self, template: str) -> str:
        return template.format(**vars(self))


def headers_by_role(w: World) -> dict[str, dict[str, str]]:
    return {
        "admin": w.admin,
        "officer": w.officer_h,
        "unit_head": w.head_h,
        "legal_reviewer": w.reviewer_h,
        "bank": w.bank_h,
        "supervisor": w.supervisor_h,
        "auditor": w.auditor_h,
    }


def send(c: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    if method in ("POST", "PUT", "PATCH"):
        return c.request(method, path, json={}, headers=headers).status_code
    return c.request(method, path, headers=headers).status_code


def test_every_route_is_in_the_table_of_roles(world: World) -> None:
    served = set(app_routes(world.c))
    assert served - set(EXPECTED) == set(), "routes without roles in EXPECTED (write them from API.md)"
    assert set(EXPECTED) - served == set(), "EXPECTED names routes the app no longer serves"


def test_every_route_with_every_role_gets_the_status_class_api_md_specifies(world: World) -> None:
    w, c = world, world.c
    ids = Ids(w)
    by_role = headers_by_role(w)
    wrong: list[str] = []
    # DELETE of a principal revokes it: run it last, as the only role allowed.
    routes = sorted(app_routes(c), key=lambda mp: mp[0] == "DELETE")
    for method, template in routes:
        allowed = EXPECTED[(method, template)]
        path = ids.path(template)
        # Without a token: 401 wherever one is needed.
        status = send(c, method, path, {})
        if status >= 500 or (allowed != PUBLIC and status != 401) or (allowed == PUBLIC and status == 401):
            wrong.append(f"{method} {template} without token: {status}")
        for role in ROLES:
            status = send(c, method, path, by_role[role])
            if status >= 500:
                wrong.append(f"{method} {template} as {role}: {status}")
            elif allowed == PUBLIC or role in allowed:
                if status in (401, 403):
                    wrong.append(f"{method} {template} as {role}: {status}, expected neither 401 nor 403")
            elif status != 403:
                wrong.append(f"{method} {template} as {role}: {status}, expected 403")
    assert wrong == []


def test_the_unit_of_the_record_is_checked_before_the_body(client: TestClient) -> None:
    a, b = World(client), World(client, benchmark=False)
    ids = Ids(a)
    other_unit = {"officer": b.officer_h, "unit_head": b.head_h, "legal_reviewer": b.reviewer_h}
    other_bank = b.bank_h
    wrong = []
    for method, template in app_routes(client):
        allowed = EXPECTED[(method, template)]
        if method != "POST" or allowed == PUBLIC:
            continue
        if not any(k in template for k in ("{case_id}", "{fine_id}", "{inspection_id}")):
            continue
        # An empty body: a caller of the right role but of another unit (or bank) gets 403 first.
        for role, headers in other_unit.items():
            if role in allowed:
                status = client.post(ids.path(template), json={}, headers=headers).status_code
                if status != 403:
                    wrong.append(f"{template} as {role} of another unit: {status}")
        if "bank" in allowed:
            status = client.post(ids.path(template), json={}, headers=other_bank).status_code
            if status != 403:
                wrong.append(f"{template} as another bank: {status}")
    assert wrong == []
    # A body that names another unit (filing a case, drawing an inspection): 403 before validation.
    assert client.post("/v1/cases", json={"unit_id": a.unit_id}, headers=b.officer_h).status_code == 403
    assert client.post("/v1/inspections", json={"unit_id": a.unit_id}, headers=b.head_h).status_code == 403
    assert client.post("/v1/cases", json={"unit_id": b.unit_id}, headers=b.officer_h).status_code == 422


@pytest.mark.parametrize("body", [b"{}", b"{not json", b"[1, 2", b""])
def test_a_role_that_may_never_act_gets_403_whatever_the_body(world: World, body: bytes) -> None:
    w, c = world, world.c
    headers = {**w.auditor_h, "Content-Type": "application/json"}
    r = c.post("/v1/units", content=body, headers=headers)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    # The admin, with the same bodies, is told what is wrong with them.
    assert c.post("/v1/units", content=body, headers={**w.admin, "Content-Type": "application/json"}).status_code == 422
    # Nothing was recorded by either.
    assert c.get(f"/v1/units/{w.unit_id}", headers=w.admin).status_code == 200


def test_the_admin_manages_registries_and_reads_no_case_content(world: World) -> None:
    w, c = world, world.c
    ids = Ids(w)
    for path in (
        f"/v1/cases/{ids.case_id}",
        f"/v1/cases/{ids.case_id}/events",
        "/v1/cases",
        f"/v1/fines/{ids.fine_id}",
        f"/v1/inspections/{ids.inspection_id}",
        f"/v1/audits/cases/{ids.case_id}",
        "/v1/audits/findings",
        "/v1/audits/fines",
    ):
        assert c.get(path, headers=w.admin).status_code == 403, path
    assert c.get(f"/v1/units/{w.unit_id}", headers=w.admin).status_code == 200
    assert c.get(f"/v1/officers/{w.zhang}", headers=w.admin).status_code == 200


def test_checkpoint_and_public_key_are_public_and_metrics_need_the_admin(world: World) -> None:
    c = world.c
    assert c.get("/v1/integrity/public-key").status_code == 200
    assert c.get("/v1/integrity/checkpoint").status_code in (200, 404)  # 404 until the first is signed
    assert c.get("/metrics").status_code == 401
    assert c.get("/metrics", headers=world.auditor_h).status_code == 403
    r = c.get("/metrics", headers=world.admin)
    assert r.status_code == 200 and "oversight_requests_total" in r.text
