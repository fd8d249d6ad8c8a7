"""The oversight console (issue 11), on SQLite and PostgreSQL.

Over HTTP: every console route answers every role within its scope (a redirect to sign-in
without a session, 403 outside the role's scope, never a 5xx), sessions and CSRF, and the
replayed audit agreeing with the audit projection. In Debian's Chromium, driven headless by
Playwright over a real uvicorn server on the demo at 200 cases: what each demo role sees, the
playhead, the findings count against the API, inclusion proofs (and an edited event failing
them), screenshots under var/screenshots/ and the pages' render times."""

from __future__ import annotations

import os
import re
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from hashlib import sha256
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.console.data import root_from_inclusion_path
from api.console.routes import router as console_routes
from api.main import create_app
from domain.application import Oversight, now
from domain.principal import SYSTEM, Actor
from projections import reports
from scripts.demo import load_demo

from . import rfc6962 as rfc
from .conftest import PG_URL, REQUIRE_PG, _pg_available, intrude

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags the sandboxed network refuses the browser's connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
CONTENT = ("officer", "unit_head", "legal_reviewer", "supervisor", "auditor")
REPORTS = ("unit_head", "supervisor", "auditor")
ALL_UNITS = ("supervisor", "auditor")
ROLES = ("admin", "officer", "unit_head", "legal_reviewer", "bank", "supervisor", "auditor")


# ---------------------------------------------------------------------- helpers
def console_app(api: FastAPI) -> FastAPI:
    app: FastAPI = next(r.app for r in api.routes if getattr(r, "path", None) == "/console")  # type: ignore[attr-defined]
    return app


def sign_in(c: TestClient, token: str) -> None:
    form = c.get("/console/sign-in")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf, form.text
    r = c.post("/console/sign-in", data={"csrf": csrf.group(1), "token": token, "next": "/console/"})
    assert r.status_code == 303 and r.headers["location"] == "/console/", r.text


def page_csrf(c: TestClient) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/console/").text)
    assert m
    return m.group(1)


def other_unit_officer(oversight: Oversight, unit_id: str) -> str:
    from projections.db import make_engine

    engine = make_engine(oversight.store)
    try:
        rows = reports.officers_page(engine, unit_id=None, as_of=now(), limit=500)["items"]
    finally:
        engine.dispose()
    return next(o["officer_id"] for o in rows if o["unit_id"] != unit_id)


@pytest.fixture
def demo(oversight: Oversight) -> dict[str, Any]:
    return load_demo(oversight, cases=8)


@pytest.fixture
def client(oversight: Oversight, demo: dict[str, Any]) -> Iterator[TestClient]:
    api = create_app(oversight=oversight)
    with TestClient(api, follow_redirects=False) as c:
        assert api.state.runner.wait(oversight.max_position(), timeout=30)
        yield c
    api.state.engine.dispose()


# ---------------------------------------------------------------------- scope, over HTTP
def test_every_console_route_answers_each_role_within_its_scope(
    client: TestClient, oversight: Oversight, demo: dict[str, Any]
) -> None:
    own_unit = demo["unit_id"]
    cases = {c["id"]: c for c in _cases(oversight)}
    own = next(cid for cid in demo["cases"] if cases[cid]["unit_id"] == own_unit)
    other = next(cid for cid in demo["cases"] if cases[cid]["unit_id"] != own_unit)
    other_unit = cases[other]["unit_id"]
    own_officer = demo["officers"]["zhang"]
    other_officer = other_unit_officer(oversight, own_unit)

    # Who may open what: (route template, URL, roles that get 200; everyone else signed in gets 403).
    walk: list[tuple[str, str, tuple[str, ...]]] = [
        ("/", "/console/", ROLES),
        ("/cases", "/console/cases", CONTENT),
        ("/cases", f"/console/cases?unit_id={other_unit}", ALL_UNITS),
        ("/cases/{case_id}", f"/console/cases/{own}", CONTENT),
        ("/cases/{case_id}", f"/console/cases/{own}?version=2", CONTENT),
        ("/cases/{case_id}", f"/console/cases/{other}", ALL_UNITS),
        ("/cases/{case_id}/events/{version}/proof", f"/console/cases/{own}/events/1/proof", CONTENT),
        ("/cases/{case_id}/events/{version}/proof", f"/console/cases/{other}/events/1/proof", ALL_UNITS),
        ("/findings", "/console/findings", REPORTS),
        ("/findings", f"/console/findings?unit_id={other_unit}", ALL_UNITS),
        ("/officers", "/console/officers", REPORTS),
        ("/officers", f"/console/officers?unit_id={other_unit}", ALL_UNITS),
        ("/officers/{officer_id}", f"/console/officers/{own_officer}", REPORTS),
        ("/officers/{officer_id}", f"/console/officers/{other_officer}", ALL_UNITS),
        ("/fines", "/console/fines", REPORTS),
        ("/fines", f"/console/fines?unit_id={other_unit}&show=overdue", ALL_UNITS),
        ("/scorecard", "/console/scorecard", REPORTS),
        ("/scorecard", f"/console/scorecard?unit_id={other_unit}", ALL_UNITS),
        ("/export/{name}.csv", "/console/export/findings.csv", REPORTS),
        ("/export/{name}.csv", "/console/export/officers.csv", REPORTS),
        ("/export/{name}.csv", f"/console/export/fines.csv?unit_id={other_unit}", ALL_UNITS),
        ("/sign-in", "/console/sign-in", ()),  # public: checked below
    ]
    # Every route of the console is walked (a new page cannot slip past this test).
    routes = {r.path for r in console_routes.routes if isinstance(r, APIRoute)}
    assert routes == {w[0] for w in walk} | {"/sign-out"}

    # Without a session: every page sends the browser to sign-in, a POST gets 401.
    client.cookies.clear()
    for _, url, _ in walk[:-1]:
        r = client.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("http://testserver/console/sign-in?next="), url
    assert client.post("/console/sign-out", data={"csrf": "x"}).status_code == 401
    assert client.get("/console/sign-in").status_code == 200
    assert client.get("/console/static/console.css").status_code == 200

    # Each demo role: 200 inside its scope, 403 outside, nothing else.
    for role in ROLES:
        client.cookies.clear()
        sign_in(client, demo["tokens"][role])
        for _, url, allowed in walk[:-1]:
            r = client.get(url)
            expected = 200 if role in allowed else 403
            assert r.status_code == expected, (role, url, r.status_code, r.text[:500])
            if expected == 200 and "/export/" in url:
                assert r.headers["content-type"].startswith("text/csv")
        r = client.post("/console/sign-out", data={"csrf": page_csrf(client)})
        assert r.status_code == 303 and client.get("/console/").status_code == 303, role


def _cases(oversight: Oversight) -> list[dict[str, Any]]:
    from projections.db import make_engine

    engine = make_engine(oversight.store)
    try:
        return reports.list_cases(engine, limit=500)["items"]
    finally:
        engine.dispose()


def test_bad_input_is_a_page_with_a_4xx_never_a_5xx(client: TestClient, demo: dict[str, Any]) -> None:
    sign_in(client, demo["tokens"]["auditor"])
    cid = demo["cases"][0]
    for url, status in [
        ("/console/cases/not-a-uuid", 404),
        (f"/console/cases/{uuid.uuid4()}", 404),
        (f"/console/cases/{cid}?version=0", 422),
        (f"/console/cases/{cid}?version=abc", 422),
        (f"/console/cases/{cid}?as_of=yesterday", 422),
        (f"/console/cases/{cid}?as_of=2000-01-01T00:00", 404),  # the case did not exist yet
        (f"/console/cases/{cid}/events/999/proof", 404),
        (f"/console/cases/{cid}/events/x/proof", 422),
        ("/console/cases?status=lost", 422),
        ("/console/cases?cursor=abc", 422),
        ("/console/findings?rule=Z99", 422),
        ("/console/findings?severity=fatal", 422),
        ("/console/findings?from=2026-13-01", 422),
        ("/console/findings?cursor=-1", 422),
        ("/console/fines?show=everything", 422),
        ("/console/scorecard?unit_id=nowhere", 404),
        ("/console/officers/nobody", 404),
        ("/console/export/secrets.csv", 404),
        ("/console/no-such-page", 404),
    ]:
        r = client.get(url)
        assert r.status_code == status, (url, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("text/html") and "<h1>" in r.text


def test_the_session_is_an_httponly_strict_expiring_cookie_and_forms_need_their_token(
    client: TestClient, oversight: Oversight, demo: dict[str, Any]
) -> None:
    # Signing in sets a session cookie the page's scripts cannot read, sent to this site only.
    form = client.get("/console/sign-in")
    assert "oversight_console_csrf" in form.headers["set-cookie"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    # A wrong token is refused on the form, with no session.
    r = client.post("/console/sign-in", data={"csrf": csrf, "token": "wrong", "next": "/console/"})
    assert r.status_code == 401 and "令牌无效" in r.text and "oversight_console=" not in r.headers.get("set-cookie", "")
    # A sign-in form without its token, or posted from another site, is refused.
    r = client.post("/console/sign-in", data={"csrf": "guess", "token": demo["tokens"]["auditor"]})
    assert r.status_code == 403
    r = client.post(
        "/console/sign-in",
        data={"csrf": csrf, "token": demo["tokens"]["auditor"]},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403
    # The real thing; `next` only ever leads to a console page.
    r = client.post("/console/sign-in", data={"csrf": csrf, "token": demo["tokens"]["auditor"], "next": "//evil/x"})
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    cookie = r.headers["set-cookie"]
    assert "oversight_console=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie and "Path=/console" in cookie
    assert demo["tokens"]["auditor"] not in cookie  # the token is inside, encrypted
    assert client.get("/console/").status_code == 200
    # Signing out needs the page's CSRF token.
    assert client.post("/console/sign-out", data={"csrf": "guess"}).status_code == 403
    assert client.get("/console/").status_code == 200
    r = client.post("/console/sign-out", data={"csrf": page_csrf(client)})
    assert r.status_code == 303 and client.get("/console/").status_code == 303

    # A forged or expired cookie is no session.
    sessions = console_app(client.app).state.sessions  # type: ignore[arg-type]
    client.cookies.set("oversight_console", "forged", path="/console")
    assert client.get("/console/cases").status_code == 303
    stale = sessions._fernet.encrypt_at_time(
        orjson.dumps({"t": demo["tokens"]["auditor"], "c": "x"}), int(time.time()) - sessions.ttl - 60
    ).decode()
    client.cookies.set("oversight_console", stale, path="/console")
    r = client.get("/console/cases")
    assert r.status_code == 303 and "reason=expired" in r.headers["location"]

    # A principal revoked while signed in is signed out at its next click.
    grant = oversight.grant_principal(SYSTEM, name="short-lived", role="supervisor")
    client.cookies.clear()
    sign_in(client, grant["token"])
    assert client.get("/console/cases").status_code == 200
    oversight.revoke_principal(SYSTEM, grant["id"])
    assert client.get("/console/cases").status_code == 303


def test_pages_are_html_that_loads_nothing_from_elsewhere(client: TestClient, demo: dict[str, Any]) -> None:
    sign_in(client, demo["tokens"]["auditor"])
    r = client.get(f"/console/cases/{demo['cases'][0]}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    # No CDN, no stray link: every script, stylesheet, link and form stays in the console.
    for path in (f"/console/cases/{demo['cases'][0]}", "/console/", "/console/findings", "/console/fines"):
        html = client.get(path).text
        for url in re.findall(r'(?:src|href|action)="([^"#?][^"]*)"', html):
            assert url.startswith(("http://testserver/console/", "/console/")), (path, url)
    # The console is not part of the API's contract.
    assert not any(p.startswith("/console") for p in client.get("/openapi.json").json()["paths"])


def test_the_csv_links_answer_what_the_api_exports(client: TestClient, demo: dict[str, Any]) -> None:
    sign_in(client, demo["tokens"]["auditor"])
    bearer = {"Authorization": f"Bearer {demo['tokens']['auditor']}"}
    for console, api in [
        ("/console/export/findings.csv?rule=C13&from=2026-01-01&to=2026-12-31", None),
        ("/console/export/officers.csv", "/v1/audits/officers?format=csv"),
        (
            f"/console/export/fines.csv?unit_id={demo['unit_id']}",
            f"/v1/audits/fines?unit_id={demo['unit_id']}&format=csv",
        ),
    ]:
        r = client.get(console)
        assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
        if api is None:
            day = "from=2026-01-01T00:00:00%2B08:00&to=2026-12-31T23:59:59.999999%2B08:00"
            api = f"/v1/audits/findings?rule=C13&{day}&format=csv"
        assert r.text == client.get(api, headers=bearer).text


# ---------------------------------------------------------------------- the replayed audit
def test_the_stage_checklist_tells_late_missing_and_pending_stages(oversight: Oversight) -> None:
    demo = load_demo(oversight, cases=63)
    api = create_app(oversight=oversight)
    with TestClient(api):
        assert api.state.runner.wait(oversight.max_position(), timeout=30)
        data = console_app(api).state.data
        auditor = Actor("auditor-test", "auditor")

        def states(path: str, **playhead: Any) -> dict[str, str]:
            cid = next(c for c, p in demo["paths"].items() if p == path)
            return {s["stage"]: s["state"] for s in data.case(auditor, cid, **playhead)["audit"]["stages"]}

        # Served 13 working days after the decision: the service stage is late (C13).
        assert states("C13 served late")["service"] == "late"
        # Closed without execution or archive (B1): both are missing, not merely pending.
        closed = states("B1 closed without execution and archive")
        assert closed["execution"] == "missing" and closed["archive"] == "missing"
        # A clean case before its decision: decision and archive are not reached yet; no review is needed.
        early = states("clean fined, paid early", version=3)
        assert early["decision"] == "pending" and early["archive"] == "pending" and early["review"] == "na"
        assert set(states("clean fined, paid early").values()) <= {"present", "na"}
    api.state.engine.dispose()


def test_inclusion_paths_lead_to_the_roots_of_the_independent_reference() -> None:
    entries = [sha256(str(i).encode()).digest() for i in range(17)]
    for n in range(1, 18):
        root = rfc.MTH(entries[:n])
        for m in range(n):
            path = rfc.PATH(m, entries[:n])
            leaf = rfc.H(b"\x00" + entries[m])
            assert root_from_inclusion_path(m, n, leaf, path) == root
            assert root_from_inclusion_path(m, n, rfc.H(b"\x00edited"), path) != root
            # Claimed for another tree size, the path is accepted exactly when the reference accepts it.
            for size in range(1, 19):
                ours = root_from_inclusion_path(m, size, leaf, path) == root
                assert ours == rfc.verify_inclusion(m, size, leaf, path, root), (m, n, size)
        assert root_from_inclusion_path(n, n, rfc.H(b"\x00" + entries[0]), []) is None


# ---------------------------------------------------------------------- in the browser
@contextmanager
def environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class Site:
    """The API and console served by a real uvicorn server on a free localhost port."""

    def __init__(self, oversight: Oversight, demo: dict[str, Any], checkpoint_every: int = 100) -> None:
        self.oversight, self.demo = oversight, demo
        with environment(OVERSIGHT_CHECKPOINT_EVENTS=str(checkpoint_every)):
            self.api = create_app(oversight=oversight)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.api, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        assert self.api.state.runner.wait(oversight.max_position(), timeout=120)

    def api_get(self, path: str, role: str) -> Any:
        bearer = {"Authorization": f"Bearer {self.demo['tokens'][role]}"}
        req = urllib.request.Request(self.base + path, headers=bearer)  # noqa: S310 - our own server on localhost
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
            return orjson.loads(r.read())

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.api.state.engine.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") or REQUIRE_PG:
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def store_url(kind: str, tmp: Path) -> Iterator[str]:
    """A fresh store like the db_url fixture's, for fixtures that outlive one test."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/oversight.db"
        return
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (OVERSIGHT_REQUIRE_POSTGRES=1) but {PG_URL} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        yield f"{PG_URL.split('?')[0]}?schema={schema}"
    finally:
        with psycopg.connect(PG_URL.split("?")[0], autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, signing_key: str) -> Iterator[Site]:
    """`demo --cases 200` behind a real server."""
    with store_url(request.param, tmp_path_factory.mktemp("console")) as url:
        app = Oversight(url)
        demo = load_demo(app, cases=200)
        s = Site(app, demo)
        s.kind = request.param  # type: ignore[attr-defined]
        yield s
        s.close()
        app.close()


def browser_sign_in(chromium: Any, site: Site, role: str) -> Any:
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(site.base + "/console/")
    assert "/console/sign-in" in page.url
    page.fill("input[name=token]", site.demo["tokens"][role])
    page.click("form[action$='/console/sign-in'] button[type=submit]")
    page.wait_for_url(site.base + "/console/")
    return page


def path_of(site: Site, name: str) -> str:
    """The demo case on a path of the demo (scripts/demo.py SCENARIOS)."""
    return next(cid for cid, p in site.demo["paths"].items() if p == name)


@pytest.mark.browser
def test_each_demo_role_sees_exactly_what_it_may(chromium: Any, site: Site) -> None:
    own_unit = site.demo["unit_id"]
    cases = site.api_get("/v1/cases?limit=500", "auditor")["items"]
    own = next(c["id"] for c in cases if c["unit_id"] == own_unit)
    other = next(c["id"] for c in cases if c["unit_id"] != own_unit)
    menus = {
        "admin": [],
        "bank": [],
        "officer": ["案件"],
        "legal_reviewer": ["案件"],
        "unit_head": ["案件", "审计发现", "执法人员", "罚没款", "案卷评查"],
        "supervisor": ["案件", "审计发现", "执法人员", "罚没款", "案卷评查"],
        "auditor": ["案件", "审计发现", "执法人员", "罚没款", "案卷评查"],
    }
    for role, menu in menus.items():
        page = browser_sign_in(chromium, site, role)
        # The menu offers exactly the pages the role may open, and leads to them.
        assert page.locator("header nav a").all_inner_texts() == menu, role
        for href in page.locator("header nav a").evaluate_all("links => links.map(a => a.href)"):
            assert href.startswith(site.base + "/console/"), href
        assert page.locator(".role").get_attribute("data-role") == role
        if not menu:
            assert page.locator("[data-empty=true]").count() == 1
        # The case list: only the role's unit, or every unit for supervisors and auditors.
        page.goto(site.base + "/console/cases")
        if role in ("admin", "bank"):
            assert page.locator("[data-status='403']").count() == 1, role
        else:
            units = set(page.locator("#cases tbody tr").evaluate_all("rows => rows.map(r => r.cells[1].innerText)"))
            assert len(units) == (3 if role in ALL_UNITS else 1), (role, units)
        # A case of its own unit opens; another unit's does not, except for supervisors and auditors.
        page.goto(f"{site.base}/console/cases/{own}")
        assert page.locator("#timeline").count() == (1 if role in CONTENT else 0), role
        # Findings on the case page and the findings list are for unit heads, supervisors and auditors.
        assert page.locator("#stages").count() == (1 if role in REPORTS else 0), role
        page.goto(f"{site.base}/console/cases/{other}")
        assert page.locator("#timeline").count() == (1 if role in ALL_UNITS else 0), role
        if role not in ALL_UNITS:
            assert page.locator("h1").inner_text().startswith("403")
        page.goto(site.base + "/console/findings")
        assert page.locator("#findings").count() == (1 if role in REPORTS else 0), role
        if role not in REPORTS:
            assert "无权查看" in page.locator("h1").inner_text(), role
        # Signing out ends the session.
        page.goto(site.base + "/console/")
        if menu or role in ("admin", "bank"):
            page.click("text=退出")
            page.wait_for_url(re.compile(r".*/console/sign-in.*"))
            page.goto(site.base + "/console/cases")
            assert "/console/sign-in" in page.url
        page.context.close()


@pytest.mark.browser
def test_the_playhead_before_the_decision_hides_the_decision_and_its_findings(chromium: Any, site: Site) -> None:
    cid = path_of(site, "J1 remedies not stated")  # J1: a finding on the decision itself
    page = browser_sign_in(chromium, site, "auditor")
    page.goto(f"{site.base}/console/cases/{cid}")
    decision = int(page.locator("#timeline tr[data-type=Decided]").get_attribute("data-version") or 0)
    assert decision > 1
    assert page.locator("#findings tr[data-rule=J1]").count() == 1
    assert "尚未作出决定" not in page.locator("#decision").inner_text()
    assert page.locator("#fine dl").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"case-{site.kind}.png"), full_page=True)  # type: ignore[attr-defined]

    # Drag the playhead to the event before the decision: the page replays the case as it stood.
    with page.expect_navigation():
        page.locator("input[name=version]").evaluate(
            "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }",
            decision - 1,
        )
    assert page.url.endswith(f"?version={decision - 1}")
    assert page.locator("[data-replay=true]").count() == 1
    assert page.locator("#timeline tr[data-type=Decided]").count() == 0
    assert page.locator("#timeline tbody tr").count() == decision - 1
    assert "尚未作出决定" in page.locator("#decision").inner_text()
    assert page.locator("#findings tr[data-rule=J1]").count() == 0
    assert page.locator("#stages [data-stage=decision]").get_attribute("data-state") == "pending"
    assert page.locator("#fine dl").count() == 0
    page.screenshot(path=str(SCREENSHOTS / f"case-replayed-{site.kind}.png"), full_page=True)  # type: ignore[attr-defined]

    # The URL is the replay: shared, it opens the same view; the API agrees on the replayed state.
    shared = page.url
    other = browser_sign_in(chromium, site, "supervisor")
    other.goto(shared)
    assert other.locator("#timeline tbody tr").count() == decision - 1
    state = site.api_get(f"/v1/cases/{cid}?version={decision - 1}", "auditor")
    assert state["decision"] is None and state["version"] == decision - 1
    # A time playhead: as of the decision's recording, the decision is there.
    recorded = site.api_get(f"/v1/cases/{cid}/events", "auditor")[decision - 1]["recorded_at"]
    other.goto(f"{site.base}/console/cases/{cid}?as_of={urllib.parse.quote(recorded)}")
    assert other.locator("#timeline tr[data-type=Decided]").count() == 1
    assert other.locator("#findings tr[data-rule=J1]").count() == 1
    page.context.close()
    other.context.close()


@pytest.mark.browser
def test_findings_filtered_by_a_rule_count_what_the_api_counts(chromium: Any, site: Site) -> None:
    page = browser_sign_in(chromium, site, "auditor")
    page.goto(site.base + "/console/findings")
    every = int(page.locator(".pager .total").first.inner_text())
    assert every == _api_count(site, "/v1/audits/findings?limit=500")
    for rule in ("C13", "A2", "D9"):
        page.select_option("select[name=rule]", rule)
        page.click("form.filters button[type=submit]")
        page.wait_for_url(re.compile(rf".*rule={rule}.*"))
        shown = int(page.locator(".pager .total").first.inner_text())
        assert shown == _api_count(site, f"/v1/audits/findings?rule={rule}&limit=500") > 0, rule
        assert set(page.locator("#findings tbody tr").evaluate_all("rs => rs.map(r => r.dataset.rule)")) == {rule}
        # The count per rule (the chart's table) says the same.
        assert page.locator(f"details.counts tr[data-rule={rule}] td.num").text_content() == str(shown)
    # A unit head's findings are their unit's: the same count as the API gives that head.
    head = browser_sign_in(chromium, site, "unit_head")
    head.goto(site.base + "/console/findings")
    assert int(head.locator(".pager .total").first.inner_text()) == _api_count(
        site, "/v1/audits/findings?limit=500", "unit_head"
    )
    page.goto(site.base + "/console/findings")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"findings-{site.kind}.png"), full_page=True)  # type: ignore[attr-defined]
    page.context.close()
    head.context.close()


def _api_count(site: Site, path: str, role: str = "auditor") -> int:
    n, cursor = 0, None
    while True:
        page = site.api_get(path + (f"&cursor={cursor}" if cursor else ""), role)
        n += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return n


@pytest.mark.browser
def test_an_events_inclusion_proof_is_verified_against_the_signed_checkpoint(chromium: Any, site: Site) -> None:
    cid = path_of(site, "clean fined, paid early")
    page = browser_sign_in(chromium, site, "unit_head")
    page.goto(f"{site.base}/console/cases/{cid}")
    # Every event of this early case is covered by the latest signed checkpoint and intact.
    rows = page.locator("#timeline tbody tr")
    assert rows.count() == page.locator("#timeline [data-seal=covered]").count() > 0
    page.locator("#timeline tbody tr").nth(2).locator("text=包含证明").click()
    page.wait_for_url(re.compile(r".*/events/3/proof$"))
    assert page.locator("[data-verified]").get_attribute("data-verified") == "true"
    assert page.locator("ul.checks li.ok").count() == 4
    # The server's check agrees with the independent RFC reference on the API's own proof.
    cp = site.api_get("/v1/integrity/checkpoint", "auditor")
    position = int(page.locator("dl.facts dd").first.inner_text().split("/")[0])
    proof = site.api_get(f"/v1/integrity/inclusion?position={position}&size={cp['size']}", "auditor")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    leaf = bytes.fromhex(page.locator("dl.facts dd code").first.inner_text())
    assert rfc.verify_inclusion(proof["leaf_index"], cp["size"], leaf, path, bytes.fromhex(cp["root"]))
    page.screenshot(path=str(SCREENSHOTS / f"proof-{site.kind}.png"), full_page=True)  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.browser
def test_console_pages_render_within_300_ms_at_200_demo_cases(
    chromium: Any, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    cid = path_of(site, "never paid, enforced")
    pages = {
        "cases": "/console/cases",
        "case": f"/console/cases/{cid}",
        "case replayed": f"/console/cases/{cid}?version=4",
        "proof": f"/console/cases/{cid}/events/2/proof",
        "findings": "/console/findings",
        "findings C13": "/console/findings?rule=C13",
        "officers": "/console/officers",
        "fines": "/console/fines",
        "scorecard": f"/console/scorecard?unit_id={site.demo['unit_id']}",
    }
    page = browser_sign_in(chromium, site, "auditor")
    figures = {}
    for name, path in pages.items():
        runs = []
        for attempt in range(4):  # the first load compiles the template: not counted
            page.goto(site.base + path)
            page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            t = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.responseEnd - n.requestStart, n.loadEventEnd - n.startTime]; })()"
            )
            assert page.locator("main h1").count() >= 1
            if attempt:
                runs.append(t)
        figures[name] = (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
            max(r[1] for r in runs),
        )
    with capsys.disabled():
        print(f"\nconsole page times in Chromium, demo --cases 200 on {site.kind} (median of 3; ms):")  # type: ignore[attr-defined]
        print(f"  {'page':<15} {'response':>9} {'loaded':>8} {'max':>7}")
        for name, (server, total, worst) in figures.items():
            print(f"  {name:<15} {server:>9.1f} {total:>8.1f} {worst:>7.1f}")
    for name, (_, total, _) in figures.items():
        assert total < 300, (name, figures[name])
    page.context.close()


@pytest.mark.browser
def test_an_edited_stored_event_shows_as_failing_verification(chromium: Any, oversight: Oversight) -> None:
    demo = load_demo(oversight, cases=6)
    site = Site(oversight, demo, checkpoint_every=10)
    try:
        site.kind = oversight.store.kind  # type: ignore[attr-defined]
        page = browser_sign_in(chromium, site, "auditor")
        target, donor = (
            c
            for c in demo["cases"]
            if demo["paths"][c] in ("clean fined, paid early", "major: failed then passed review, discussion")
        )

        def first_act(cid: str) -> tuple[int, int]:
            page.goto(f"{site.base}/console/cases/{cid}")
            row = page.locator("#timeline tr[data-type=ActRecorded]").first
            return int(row.get_attribute("data-version") or 0), int(row.get_attribute("data-position") or 0)

        donor_position = first_act(donor)[1]
        act, position = first_act(target)
        page.goto(f"{site.base}/console/cases/{target}/events/{act}/proof")
        assert page.locator("[data-verified]").get_attribute("data-verified") == "true"

        # An intruder with database rights copies another act's stored bytes over this one's
        # (it still decodes: the same event class), as tests/test_integrity.py does.
        intrude(
            oversight.store,
            f"UPDATE {{t}} SET state = (SELECT state FROM {{t}} WHERE {{pos}} = {donor_position}) "
            f"WHERE {{pos}} = {position}",
        )
        page.goto(f"{site.base}/console/cases/{target}")
        row = page.locator(f"#ev-{act}")
        assert row.locator("[data-seal=tampered]").count() == 1
        assert page.locator("#timeline [data-seal=tampered]").count() == 1  # only that one
        row.locator("text=证明").click()
        page.wait_for_url(re.compile(rf".*/events/{act}/proof$"))
        assert page.locator("[data-verified]").get_attribute("data-verified") == "false"
        assert page.locator("li[data-check=sealed_leaf]").get_attribute("class") == "bad"
        assert page.locator("li[data-check=path_root]").get_attribute("class") == "bad"
        assert page.locator("li[data-check=signature]").get_attribute("class") == "ok"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"proof-tampered-{site.kind}.png"), full_page=True)  # type: ignore[attr-defined]
        # The whole-log verification agrees, and points at the same position.
        check = site.api_get("/v1/integrity/verify", "auditor")
        assert check["ok"] is False and check["first_bad_position"] == position
        page.context.close()
    finally:
        site.close()
