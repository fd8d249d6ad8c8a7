"""Fixtures: every store-facing test runs on SQLite and on PostgreSQL (a fixture parameter).

PostgreSQL tests use a fresh schema per test. Without a reachable PostgreSQL they are skipped
with a reason, unless OVERSIGHT_REQUIRE_POSTGRES=1 (as in CI), where that is a failure.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from domain.application import Oversight
from domain.calendar import CHINA
from domain.store import StoreConfig

PG_URL = os.environ.get("OVERSIGHT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("OVERSIGHT_REQUIRE_POSTGRES") == "1"


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_URL.split("?")[0], connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/oversight.db"
        return
    if not _pg_available():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (OVERSIGHT_REQUIRE_POSTGRES=1) but {PG_URL} is unreachable")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = "t_" + uuid.uuid4().hex[:12]
    yield f"{PG_URL.split('?')[0]}?schema={schema}"
    with psycopg.connect(PG_URL.split("?")[0], autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def intrude(cfg: StoreConfig, *statements: str) -> None:
    """As an intruder with database rights: drop the append-only triggers, then write.
    ``{t}`` in a statement is the events table, ``{pos}`` its log-position column."""
    t = cfg.events_table
    if cfg.kind == "sqlite":
        con = sqlite3.connect(cfg.sqlite_path)
        con.execute(f"DROP TRIGGER IF EXISTS {t}_no_update")
        con.execute(f"DROP TRIGGER IF EXISTS {t}_no_delete")
        for s in statements:
            con.execute(s.format(t=t, pos="rowid"))
        con.commit()
        con.close()
    else:
        with psycopg.connect(cfg.pg_conninfo(), autocommit=True) as con:
            con.execute(f'SET search_path TO "{cfg.pg_schema}"')
            con.execute(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}")
            con.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
            for s in statements:
                con.execute(s.format(t=t, pos="notification_id"))


ADMIN = "test-admin-token"


@pytest.fixture(autouse=True, scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Ed25519 checkpoint key for the test session (OVERSIGHT_SIGNING_KEY)."""
    from projections.seal import load_signing_key

    path = str(tmp_path_factory.mktemp("keys") / "signing.key")
    os.environ.pop("OVERSIGHT_SIGNING_KEY", None)
    _generate(path)
    load_signing_key(path)
    os.environ["OVERSIGHT_SIGNING_KEY"] = path
    yield path
    os.environ.pop("OVERSIGHT_SIGNING_KEY", None)


def _generate(path: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with open(path, "wb") as f:
        f.write(pem)


@pytest.fixture
def oversight(db_url: str) -> Iterator[Oversight]:
    app = Oversight(db_url)
    yield app
    app.close()


@pytest.fixture
def client(oversight: Oversight) -> Iterator[TestClient]:
    api = create_app(oversight=oversight, admin_token=ADMIN)
    with TestClient(api) as c:
        yield c
    api.state.engine.dispose()


def at_once(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls in threads released together (as processes started at the same moment):
    what they returned, and what they raised."""
    import threading

    gate = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        gate.wait()
        try:
            results.append(call())
        except BaseException as e:  # noqa: BLE001 - the caller asserts on them
            errors.append(e)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def at(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA).isoformat()


# Monday 2 March 2026: an ordinary working week in China's official calendar.
D0 = date(2026, 3, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


class World:
    """A unit with officers in every certificate state, principals for each role, a
    benchmark, all created through the HTTP API."""

    def __init__(
        self, client: TestClient, code: str | None = None, region: str = "410100", benchmark: bool = True
    ) -> None:
        self.c = client
        self.admin = {"Authorization": f"Bearer {ADMIN}"}
        code = code or "U" + uuid.uuid4().hex[:8]
        self.bank_code = "BANK-" + code
        self.unit_id = self.post(
            "/v1/units",
            self.admin,
            {
                "code": code,
                "name": "测试市场监管局",
                "region": region,
                "matters": ["MR-0101"],
                "banks": [self.bank_code],
            },
            201,
        )["id"]
        self.zhang = self.officer("张伟")
        self.li = self.officer("李娜")
        self.wang = self.officer("王强")
        self.aux = self.officer("赵敏", kind="auxiliary", employment="contract", cert=False)
        self.expired = self.officer("陈刚", until="2026-01-31")
        self.suspended = self.officer("刘洋")
        self.post(
            f"/v1/officers/{self.suspended}/suspensions",
            self.admin,
            {"at": at(D0 - timedelta(days=10)), "reason": "暂扣"},
        )
        self.reviewer = self.officer("孙丽", kind="legal_reviewer", legal=True)
        self.head = self.officer("吴军", kind="unit_head")
        self.head2 = self.officer("郑华", kind="unit_head")
        self.officer_h = self.auth(self.principal("officer", officer_id=self.zhang))
        self.head_h = self.auth(self.principal("unit_head", officer_id=self.head))
        self.reviewer_h = self.auth(self.principal("legal_reviewer", officer_id=self.reviewer))
        self.bank_h = self.auth(self.principal("bank", bank_code=self.bank_code))
        self.auditor_h = self.auth(self.principal("auditor"))
        self.supervisor_h = self.auth(self.principal("supervisor"))
        if not benchmark:  # benchmarks are per matter, shared by every unit of the store
            return
        self.post(
            "/v1/benchmarks",
            self.admin,
            {
                "matter_code": "MR-0101",
                "version": "2025-1",
                "legal_basis": "《产品质量法》第四十九条",
                "statutory_min": "0",
                "statutory_max": "200000.00",
                "tiers": [
                    {"tier": "一般", "min": "1000.00", "max": "50000.00"},
                    {"tier": "严重", "min": "50000.00", "max": "200000.00"},
                ],
                "effective_from": "2025-01-01",
                "published_at": at(date(2024, 12, 20)),
            },
            201,
        )

    @staticmethod
    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def post(self, path: str, headers: dict[str, str], body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        r = self.c.post(path, json=body, headers=headers)
        assert r.status_code == expect, (path, r.status_code, r.text)
        out: dict[str, Any] = r.json()
        return out

    def officer(
        self,
        name: str,
        kind: str = "officer",
        employment: str = "established",
        legal: bool = False,
        cert: bool = True,
        until: str = "2028-12-31",
    ) -> str:
        oid = self.post(
            "/v1/officers",
            self.admin,
            {
                "name": name,
                "unit_id": self.unit_id,
                "kind": kind,
                "employment": employment,
                "legal_qualification": legal,
            },
            201,
        )["id"]
        if cert:
            self.post(f"/v1/officers/{oid}/exams", self.admin, {"taken_on": "2024-11-01", "passed": True, "score": 88})
            self.post(
                f"/v1/officers/{oid}/certificates",
                self.admin,
                {
                    "number": "豫" + oid[:6],
                    "fields": ["MR"],
                    "areas": ["4101"],
                    "valid_from": "2025-01-01",
                    "valid_until": until,
                },
            )
            self.post(f"/v1/officers/{oid}/validations", self.admin, {"year": 2026, "passed": True, "on": "2026-01-10"})
            self.post(  # 2025's training hours (A8)
                f"/v1/officers/{oid}/trainings", self.admin, {"on": "2025-06-01", "hours": 60, "topic": "行政执法培训"}
            )
        return oid

    def principal(self, role: str, **kw: Any) -> str:
        body = {"name": f"{role}-{uuid.uuid4().hex[:4]}", "role": role, **kw}
        if role in ("officer", "unit_head", "legal_reviewer"):
            body["unit_id"] = self.unit_id
        token: str = self.post("/v1/principals", self.admin, body, 201)["token"]
        return token

    # ---- case steps
    def file(self, **kw: Any) -> str:
        body = {
            "unit_id": self.unit_id,
            "case_no": "C-" + uuid.uuid4().hex[:8],
            "matter_code": "MR-0101",
            "party": {"kind": "organisation", "name": "某商贸有限公司", "id_number": "91410100MA1"},
            "source": "inspection",
            "summary": "销售不合格产品",
            "occurred_on": str(day(-20)),
            "discovered_on": str(day(-1)),
            "filed_at": at(D0, 9),
            "approved_by": self.head,
            "handlers": [self.zhang, self.li],
            "procedure": "general",
            "major": False,
            "complex": False,
        }
        body.update(kw)
        cid: str = self.post("/v1/cases", self.officer_h, body, 201)["id"]
        return cid

    def evidence(self, cid: str, n: int = 0, **kw: Any) -> str:
        body = {
            "kind": "physical",
            "description": "抽样产品",
            "sha256": sha(f"{cid}{n}"),
            "collected_at": at(D0, 11),
            "officers": [self.zhang, self.li],
            "certificate_shown": True,
        }
        body.update(kw)
        eid: str = self.post(f"/v1/cases/{cid}/evidence", self.officer_h, body)["evidence_id"]
        return eid

    def notice(
        self, cid: str, amount: str = "20000.00", n: int = 1, hearing: bool = False, **kw: Any
    ) -> dict[str, Any]:
        body = {
            "served_at": at(day(n)),
            "officers": [self.zhang, self.li],
            "facts": "销售不合格产品",
            "reasons": "抽检产品不合格，违反产品质量法",
            "legal_basis": "《产品质量法》第四十九条",
            "proposed": [{"type": "fine", "amount": amount}],
            "hearing_right": hearing,
        }
        body.update(kw)
        return self.post(f"/v1/cases/{cid}/notices", self.officer_h, body)

    def decision_body(self, eid: str, amount: str = "20000.00", n: int = 14, **kw: Any) -> dict[str, Any]:
        body = {
            "decision_no": "D-" + uuid.uuid4().hex[:8],
            "decided_at": at(day(n)),
            "decided_by": self.head,
            "outcome": "penalty",
            "penalties": [{"type": "fine", "amount": amount}],
            "legal_basis": "《产品质量法》第四十九条",
            "evidence_ids": [eid],
            "benchmark": {"version": "2025-1", "tier": "一般"},
            "payment": {"bank_code": self.bank_code, "surcharge": True},
        }
        body.update(kw)
        return body

    def ready_for_decision(self, **kw: Any) -> tuple[str, str]:
        cid = self.file(**kw)
        eid = self.evidence(cid)
        self.notice(cid)
        return cid, eid

    def version(self, path: str, headers: dict[str, str] | None = None) -> int:
        r = self.c.get(path, headers=headers or self.auditor_h)
        assert r.status_code == 200, r.text
        v: int = r.json()["version"]
        return v


@pytest.fixture
def fixed_clock() -> Iterator[None]:
    """Record at a fixed moment (2026-03-31 10:00 China time), so that reports as of a fixed
    date after it know everything the test recorded, whenever the test runs."""
    from domain import clock

    clock.set_clock(lambda: datetime(2026, 3, 31, 10, tzinfo=CHINA))
    yield
    clock.set_clock(None)


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


@pytest.fixture
def story(oversight: Oversight) -> Iterator[Any]:
    """An audit scenario on this store (tests/story.py); the clock is restored afterwards."""
    from domain import clock

    from .story import Story

    s = Story(oversight)
    yield s
    clock.set_clock(None)
    s.engine.dispose()
