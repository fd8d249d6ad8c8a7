"""A story helper for audit scenarios: a unit with officers and a benchmark, and commands
recorded at their own business time (the recording clock follows the story)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from domain import clock
from domain.application import Oversight
from domain.calendar import CHINA
from domain.principal import SYSTEM, Actor
from projections import build_runner, reports
from projections.db import make_engine

D0 = date(2026, 3, 2)  # a Monday
FULL_CHECKLIST = {k: "ok" for k in ("authority", "qualification", "procedure", "facts", "law",
                                    "benchmark", "crime")}


def t(n: float, hour: int = 10, minute: int = 0) -> datetime:
    d = D0 + timedelta(days=int(n))
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=CHINA)


def h(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


class Story:
    """A unit with officers, a benchmark and actors; every command is recorded at its own
    business time (the clock follows the story)."""

    def __init__(self, app: Oversight) -> None:
        self.app = app
        self.engine = make_engine(app.store)
        self.runner = build_runner(app.recorder, app.mapper, self.engine, ["audit"])
        clock.set_clock(lambda: t(-30))
        a = SYSTEM
        self.unit = app.register_unit(a, code="A" + uuid.uuid4().hex[:6], name="n", region="410100",
                                      matters=["MR-0101"], banks=["BANK"])["id"]

        def officer(name: str, kind: str = "officer") -> str:
            o = app.register_officer(a, name=name, unit_id=self.unit, kind=kind,
                                     employment="established", legal_qualification=True)["id"]
            app.record_exam(a, o, taken_on=date(2024, 11, 1), passed=True, score=90)
            app.issue_certificate(a, o, number=name, fields=["MR"], areas=["4101"],
                                  valid_from=date(2025, 1, 1), valid_until=date(2028, 12, 31))
            app.validate_certificate(a, o, year=2026, passed=True, on=date(2026, 1, 10))
            return o

        self.zhang, self.li, self.wang = officer("zhang"), officer("li"), officer("wang")
        self.reviewer = officer("reviewer", "legal_reviewer")
        self.head, self.head2 = officer("head", "unit_head"), officer("head2", "unit_head")
        app.publish_benchmark(a, matter_code="MR-0101", version="2025-1", legal_basis="b",
                              statutory_min="0", statutory_max="200000.00",
                              tiers=[{"tier": "一般", "min": "0", "max": "50000.00"}],
                              effective_from=date(2025, 1, 1), published_at=t(-400))
        self.off = Actor("officer-p", "officer", self.unit, self.zhang)
        self.hd = Actor("head-p", "unit_head", self.unit, self.head)
        self.rv = Actor("reviewer-p", "legal_reviewer", self.unit, self.reviewer)
        self.bank = Actor("bank-p", "bank", bank_code="BANK")

    def at(self, when: datetime) -> None:
        """Record the next command a few minutes after it happened."""
        clock.set_clock(lambda: when + timedelta(minutes=5))

    def file(self, **kw: Any) -> str:
        self.at(kw.get("filed_at", t(0, 9)))
        body = dict(unit_id=self.unit, case_no="C" + uuid.uuid4().hex[:8], matter_code="MR-0101",
                    party={"kind": "organisation", "name": "p", "id_number": "1"}, source="inspection",
                    summary="s", occurred_on=D0 - timedelta(days=10), discovered_on=D0 - timedelta(days=1),
                    filed_at=t(0, 9), approved_by=self.head, handlers=[self.zhang, self.li],
                    procedure="general", major=False, complex=False)
        body.update(kw)
        return str(self.app.file_case(self.off, **body)["id"])

    def act(self, cid: str, when: datetime, **kw: Any) -> dict[str, Any]:
        self.at(kw.pop("recorded", when))
        body = dict(type="inspection", occurred_at=when, officers=[self.zhang, self.li],
                    certificate_shown=True, record_sha256=h(cid), av=None)
        body.update(kw)
        return self.app.record_act(self.off, cid, **body)

    def investigated(self, cid: str) -> str:
        self.act(cid, t(0, 10))
        self.at(t(0, 11))
        return str(self.app.collect_evidence(self.off, cid, kind="physical", description="d",
                                             sha256=h(cid + "e"), collected_at=t(0, 11),
                                             officers=[self.zhang, self.li], certificate_shown=True)["evidence_id"])

    def notice(self, cid: str, n: float = 1, hearing: bool = False, amount: str = "20000.00") -> None:
        self.at(t(n))
        self.app.serve_notice(self.off, cid, served_at=t(n), officers=[self.zhang, self.li], facts="f",
                              legal_basis="b", proposed=[{"type": "fine", "amount": amount}],
                              hearing_right=hearing)

    def decide(self, cid: str, eid: str, n: float = 14, **kw: Any) -> dict[str, Any]:
        self.at(t(n))
        body = dict(decision_no="D" + uuid.uuid4().hex[:8], decided_at=t(n), decided_by=self.head,
                    outcome="penalty", penalties=[{"type": "fine", "amount": "20000.00"}],
                    legal_basis="b", evidence_ids=[eid], benchmark={"version": "2025-1", "tier": "一般"},
                    payment={"bank_code": "BANK", "surcharge": True})
        body.update(kw)
        return self.app.decide(self.hd, cid, **body)

    def serve(self, cid: str, n: float = 15, method: str = "direct", consent: bool = False) -> None:
        self.at(t(n))
        self.app.serve_decision(self.off, cid, served_at=t(n), method=method,
                                officers=[self.zhang, self.li], party_consent=consent)

    def disclose(self, cid: str, n: float = 16) -> None:
        self.at(t(n))
        self.app.disclose(self.off, cid, published_at=t(n), channel="website")

    def pay(self, fine_id: str, n: float = 18) -> None:
        self.at(t(n))
        self.app.record_payment(self.bank, fine_id, receipt_no="R" + uuid.uuid4().hex[:8],
                                amount="20000.00", paid_at=t(n))

    def finish(self, cid: str, n: float = 20) -> None:
        self.at(t(n))
        self.app.close_case(self.off, cid, at=t(n), reason="executed")
        self.at(t(n + 1))
        self.app.archive_case(self.off, cid, at=t(n + 1), file_sha256=h(cid + "file"))

    def clean_fined_case(self, **kw: Any) -> tuple[str, dict[str, Any]]:
        cid = self.file(**kw)
        eid = self.investigated(cid)
        self.notice(cid)
        res = self.decide(cid, eid)
        self.serve(cid)
        self.disclose(cid)
        self.pay(res["fine_id"])
        self.finish(cid)
        return cid, res

    def findings(self, cid: str, as_of: datetime) -> list[dict[str, Any]]:
        self.runner.run_until_head()
        audit = reports.case_audit(self.engine, cid, as_of)
        assert audit is not None
        return list(audit["findings"])


