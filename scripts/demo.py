"""Demo data at any scale: several units and matters; officers whose certificates expire or
are revoked mid-year; cases on every path; fines paid early, late and never; and planted
breaches of the audit rules, each recorded in a manifest so a test can prove that every
planted breach is found and nothing else is. Everything goes through the application
service (so every gate runs) at its own business time (the recording clock follows the story),
except the imported histories, which break gate rules on purpose.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from domain import clock
from domain.application import Oversight
from domain.calendar import CHINA, china_date, is_workday
from domain.principal import SYSTEM, Actor
from domain.rules import LAW

D0 = date(2026, 3, 2)  # a Monday
FULL_CHECKLIST = {k: "ok" for k in ("authority", "qualification", "procedure", "facts", "law", "benchmark", "crime")}
DEMO_AS_OF = datetime(2026, 11, 20, 10, tzinfo=CHINA)


def t(n: float, hour: int = 10, minute: int = 0, base: date = D0) -> datetime:
    d = base + timedelta(days=int(n))
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=CHINA)


def h(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


class Timeline:
    """The stories as one discrete-event simulation, so that the log's recording times follow
    its order, as a real store's do (a report as of T is then the log up to T). Each story runs
    in its own thread, one thread at a time: the one whose next command is the earliest (ties:
    the story started first). A story may fork a part that happens later (``later``) while it
    goes on; a story never steps back in time."""

    def __init__(self) -> None:
        self.cv = threading.Condition()
        self.pending: dict[int, tuple[datetime, tuple[int, ...], int]] = {}
        self.live = 1  # the caller, until ``run``
        self.turn: int | None = None
        self.local = threading.local()
        self.seq = 0
        self.latest = datetime.min.replace(tzinfo=CHINA)
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []

    def now(self) -> datetime:
        return getattr(self.local, "now", self.latest)

    def _enqueue(self, sid: int, when: datetime, rank: tuple[int, ...]) -> None:
        if when < self.latest:
            raise RuntimeError(f"a story stepped back in time: {when} after {self.latest}")
        self.seq += 1
        self.pending[sid] = (when, rank, self.seq)

    def _await_turn(self, sid: int) -> None:
        self.cv.wait_for(lambda: self.turn == sid)
        when = self.pending.pop(sid)[0]
        self.latest = when
        self.local.now = when

    def wait(self, when: datetime) -> None:
        """Give the turn away until ``when`` is the earliest moment any story waits for."""
        sid = self.local.sid
        with self.cv:
            self._enqueue(sid, when, self.local.rank)
            self.turn = None
            self._pass()
            self._await_turn(sid)

    def _pass(self) -> None:
        if self.turn is None and self.pending and len(self.pending) == self.live:
            self.turn = min(self.pending, key=lambda k: self.pending[k])
            self.cv.notify_all()

    def spawn(self, fn: Callable[[], Any], start: datetime, rank: tuple[int, ...]) -> None:
        """Run ``fn`` as a story from ``start`` on."""
        with self.cv:
            sid = len(self.threads)
            self._enqueue(sid, start, rank)
            self.live += 1

        def run() -> None:
            self.local.sid, self.local.rank = sid, rank
            try:
                with self.cv:
                    self._await_turn(sid)
                fn()
            except BaseException as e:  # reported by ``run``
                self.errors.append(e)
            finally:
                with self.cv:
                    self.live -= 1
                    if self.turn == sid:
                        self.turn = None
                    self._pass()

        th = threading.Thread(target=run, daemon=True)
        self.threads.append(th)
        th.start()

    def run(self) -> None:
        """Let the stories run; wait for every story (and every part they forked) to end."""
        with self.cv:
            self.live -= 1
            self._pass()
        i = 0
        while i < len(self.threads):
            self.threads[i].join()
            i += 1
        if self.errors:
            raise self.errors[0]


#: the timeline the demo's stories run on (None: commands run in the caller's order)
TIMELINE: Timeline | None = None


class UnitStory:
    """A unit with officers (and, for the first unit of a store, the benchmarks); commands are
    recorded at their own business time. Day numbers are counted from ``base``."""

    def __init__(
        self,
        app: Oversight,
        code: str | None = None,
        region: str = "410100",
        areas: tuple[str, ...] = ("4101",),
        bank: str = "BANK",
        matters: tuple[str, ...] = ("MR-0101",),
        benchmarks: bool = True,
        name: str = "测试市场监管局",
    ) -> None:
        from projections import build_runner
        from projections.db import make_engine

        self.app = app
        self.base = D0
        self.engine = make_engine(app.store)
        self.runner = build_runner(app.recorder, app.mapper, self.engine, ["audit"])
        self.areas = list(areas)
        self.region = region
        self.bank_code = bank
        #: officer-level findings a scenario plants besides its case's: {officer_id: [rules]}
        self.planted_officers: dict[str, list[str]] = {}
        self.matter = matters[0]
        clock.set_clock(lambda: t(-60))
        a = SYSTEM
        self.unit = app.register_unit(
            a, code=code or "A" + uuid.uuid4().hex[:6], name=name, region=region, matters=list(matters), banks=[bank]
        )["id"]
        self.zhang, self.li, self.wang = self.officer("张伟"), self.officer("李娜"), self.officer("王强")
        self.reviewer = self.officer("孙丽（法制审核）", "legal_reviewer")
        self.head, self.head2 = self.officer("吴军（负责人）", "unit_head"), self.officer("郑华", "unit_head")
        if benchmarks:
            for m in matters:
                app.publish_benchmark(
                    a,
                    matter_code=m,
                    version="2025-1",
                    legal_basis="《产品质量法》第四十九条",
                    statutory_min="0",
                    statutory_max="200000.00",
                    tiers=[
                        {"tier": "一般", "min": "0", "max": "50000.00"},
                        {"tier": "严重", "min": "50000.00", "max": "200000.00"},
                    ],
                    effective_from=date(2025, 1, 1),
                    published_at=t(-400),
                )
        self.off = Actor("officer-p", "officer", self.unit, self.zhang)
        self.hd = Actor("head-p", "unit_head", self.unit, self.head)
        self.rv = Actor("reviewer-p", "legal_reviewer", self.unit, self.reviewer)
        self.bank = Actor("bank-p", "bank", bank_code=bank)

    def officer(
        self,
        name: str,
        kind: str = "officer",
        until: date = date(2028, 12, 31),
        employment: str = "established",
        legal: bool = True,
        validated: bool = True,
        training_hours: int = 60,
    ) -> str:
        a = SYSTEM
        o = self.app.register_officer(
            a, name=name, unit_id=self.unit, kind=kind, employment=employment, legal_qualification=legal
        )["id"]
        if kind == "auxiliary" or employment != "established":
            return str(o)
        self.app.record_exam(a, o, taken_on=date(2024, 11, 1), passed=True, score=90)
        self.app.issue_certificate(
            a, o, number="证" + o[:6], fields=["MR"], areas=self.areas, valid_from=date(2025, 1, 1), valid_until=until
        )
        if validated:
            self.app.validate_certificate(a, o, year=2026, passed=True, on=date(2026, 1, 10))
        if training_hours:
            self.app.record_training(a, o, on=date(2025, 6, 1), hours=training_hours, topic="行政执法综合培训")
        return str(o)

    def t(self, n: float, hour: int = 10, minute: int = 0) -> datetime:
        return t(n, hour, minute, self.base)

    def after_working_days(self, n: float, wd: int) -> int:
        """The first day (as an offset) after ``wd`` working days from day ``n``."""
        from domain.calendar import add_working_days

        last, _ = add_working_days(self.base + timedelta(days=int(n)), wd)
        return (last - self.base).days + 1

    def at(self, when: datetime) -> None:
        """Record the next command a few minutes after it happened."""
        if TIMELINE is not None:
            TIMELINE.wait(when + timedelta(minutes=5))
        else:
            clock.set_clock(lambda: when + timedelta(minutes=5))

    def later(self, fn: Callable[[], Any], when: datetime) -> None:
        """A part of the story that happens at ``when``, while the story goes on."""
        if TIMELINE is None:
            fn()
            return
        rank = getattr(TIMELINE.local, "rank", ())
        TIMELINE.spawn(fn, when + timedelta(minutes=5), (*rank, len(TIMELINE.threads)))

    def file(self, **kw: Any) -> str:
        self.at(kw.get("filed_at", self.t(0, 9)))
        body = dict(
            unit_id=self.unit,
            case_no="C" + uuid.uuid4().hex[:8],
            matter_code=self.matter,
            party={"kind": "organisation", "name": "某商贸有限公司", "id_number": "91410100MA"},
            source="inspection",
            summary="销售不合格产品",
            occurred_on=self.base - timedelta(days=10),
            discovered_on=self.base - timedelta(days=1),
            filed_at=self.t(0, 9),
            approved_by=self.head,
            handlers=[self.zhang, self.li],
            procedure="general",
            major=False,
            complex=False,
        )
        body.update(kw)
        return str(self.app.file_case(self.off, **body)["id"])

    def act(self, cid: str, when: datetime, **kw: Any) -> dict[str, Any]:
        self.at(kw.pop("recorded", when))
        body = dict(
            type="inspection",
            occurred_at=when,
            officers=[self.zhang, self.li],
            certificate_shown=True,
            record_sha256=h(cid + str(when)),
            av=None,
        )
        body.update(kw)
        return self.app.record_act(self.off, cid, **body)

    def investigated(self, cid: str) -> str:
        self.act(cid, self.t(0, 10))
        self.at(self.t(0, 11))
        return str(
            self.app.collect_evidence(
                self.off,
                cid,
                kind="physical",
                description="抽样产品",
                sha256=h(cid + "e"),
                collected_at=self.t(0, 11),
                officers=[self.zhang, self.li],
                certificate_shown=True,
            )["evidence_id"]
        )

    def notice(self, cid: str, n: float = 1, hearing: bool = False, amount: str = "20000.00", hour: int = 10) -> None:
        self.at(self.t(n, hour))
        self.app.serve_notice(
            self.off,
            cid,
            served_at=self.t(n, hour),
            officers=[self.zhang, self.li],
            facts="销售不合格产品",
            reasons="抽检产品不合格，违反产品质量法",
            legal_basis="《产品质量法》第四十九条",
            proposed=[{"type": "fine", "amount": amount}],
            hearing_right=hearing,
        )

    def decide(self, cid: str, eid: str, n: float = 14, **kw: Any) -> dict[str, Any]:
        self.at(self.t(n))
        body = dict(
            decision_no="D" + uuid.uuid4().hex[:8],
            decided_at=self.t(n),
            decided_by=self.head,
            outcome="penalty",
            penalties=[{"type": "fine", "amount": "20000.00"}],
            legal_basis="《产品质量法》第四十九条",
            evidence_ids=[eid],
            benchmark={"version": "2025-1", "tier": "一般"},
            payment={"bank_code": self.bank_code, "surcharge": True},
        )
        body.update(kw)
        return self.app.decide(self.hd, cid, **body)

    def serve(self, cid: str, n: float = 15, method: str = "direct", consent: bool = False, **kw: Any) -> None:
        self.at(self.t(n))
        kw.setdefault("disclosure_told", True)  # 总局令45号 8: told in writing at service (G3)
        if method == "electronic" and consent:
            kw.setdefault("confirmation_sha256", h(cid + "确认书"))
        if method == "mail":
            kw.setdefault("receipt_on", self.t(n).date())
        self.app.serve_decision(
            self.off,
            cid,
            served_at=self.t(n),
            method=method,
            officers=[self.zhang, self.li],
            party_consent=consent,
            **kw,
        )

    def disclose(self, cid: str, n: float = 16) -> None:
        self.at(self.t(n))
        self.app.disclose(self.off, cid, published_at=self.t(n), channel="政府网站")

    def pay(self, fine_id: str, n: float = 18, remit_after: float | None = 0) -> None:
        """The party pays at the bank; the bank remits it to the treasury ``remit_after`` days
        later (None: never)."""
        self.at(self.t(n))
        self.app.record_payment(
            self.bank, fine_id, receipt_no="R" + uuid.uuid4().hex[:8], amount="20000.00", paid_at=self.t(n)
        )
        if remit_after is not None:
            self.remit(fine_id, "20000.00", n + remit_after)

    def remit(self, fine_id: str, amount: str, n: float) -> None:
        self.at(self.t(n, 16))
        self.app.remit_to_treasury(
            self.bank, fine_id, voucher_no="GK" + uuid.uuid4().hex[:10], amount=amount, remitted_at=self.t(n, 16)
        )

    def finish(self, cid: str, n: float = 20, archive: bool = True) -> None:
        self.at(self.t(n))
        self.app.close_case(self.off, cid, at=self.t(n), reason="executed")
        if archive:
            self.at(self.t(n + 1))
            self.app.archive_case(self.off, cid, at=self.t(n + 1), file_sha256=h(cid + "file"))

    def review(
        self, cid: str, n: float, result: str = "passed", checklist: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.at(self.t(n))
        return self.app.legal_review(
            self.rv,
            cid,
            reviewer_id=self.reviewer,
            at=self.t(n),
            result=result,
            opinion="事实清楚，证据确凿",
            checklist=FULL_CHECKLIST if checklist is None else checklist,
        )

    def draw(self, task: str, inspectors: list[str], targets: int, day: float = 0, **kw: Any) -> dict[str, Any]:
        """A random inspection drawn on ``day`` from the demo's company register (2 inspectors
        per target unless ``inspectors_per_target`` says otherwise)."""
        self.at(self.t(day))
        return self.app.draw_inspection(
            self.off,
            unit_id=self.unit,
            task=task,
            matter_code=self.matter,
            targets_register=COMPANIES,
            inspectors_register=inspectors,
            targets=targets,
            drawn_at=self.t(day),
            **kw,
        )

    def served_fine(self, surcharge: bool = True) -> tuple[str, str]:
        """A fined case, decided on day 14 and served on day 15 (due on day 30), unpaid:
        (case id, fine id)."""
        cid = self.file()
        eid = self.investigated(cid)
        self.notice(cid)
        fine = self.decide(cid, eid, payment={"bank_code": self.bank_code, "surcharge": surcharge})["fine_id"]
        self.serve(cid)
        self.disclose(cid)
        return cid, str(fine)

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
        from projections import reports

        self.runner.run_until_head()
        audit = reports.case_audit(self.engine, cid, as_of)
        assert audit is not None
        return list(audit["findings"])


# ------------------------------------------------------------------ the scenarios
Scenario = Callable[[UnitStory], tuple[str, list[str]]]


def _fined(
    s: UnitStory,
    *,
    file: dict[str, Any] | None = None,
    before_notice: Callable[[str], None] | None = None,
    decide: dict[str, Any] | None = None,
    decide_day: float = 14,
    serve_day: float = 15,
    method: str = "direct",
    disclose_day: float | None = 16,
    pay_day: float | None = 18,
    close: bool = True,
    archive: bool = True,
) -> str:
    cid = s.file(**(file or {}))
    eid = s.investigated(cid)
    if before_notice:
        before_notice(cid)
    s.notice(cid)
    # Decide after the hearing-request window; later steps keep their distance from the decision.
    shift = max(0, s.after_working_days(1, 5) - decide_day)
    decide_day, serve_day = decide_day + shift, serve_day + shift
    disclose_day = None if disclose_day is None else disclose_day + shift
    pay_day = None if pay_day is None else pay_day + shift
    fine = s.decide(cid, eid, n=decide_day, **(decide or {}))["fine_id"]
    steps: list[tuple[float, Callable[[], None]]] = [(serve_day, lambda: s.serve(cid, serve_day, method=method))]
    if disclose_day is not None:
        steps.append((disclose_day, lambda: s.disclose(cid, disclose_day)))
    if pay_day is not None:
        steps.append((pay_day, lambda: s.pay(fine, pay_day)))
    for _, step in sorted(steps, key=lambda st: st[0]):  # in the order they happen
        step()
    if close:
        s.finish(cid, max(pay_day or 0, disclose_day or 0, serve_day) + 2, archive=archive)
    return cid


def sc_clean(s: UnitStory) -> tuple[str, list[str]]:
    return _fined(s), []


def sc_paid_late(s: UnitStory) -> tuple[str, list[str]]:
    return _fined(s, pay_day=40), ["D2", "D8"]  # D8: the surcharge accrued was not collected


def sc_never_paid(s: UnitStory) -> tuple[str, list[str]]:
    cid = _fined(s, pay_day=None, close=False)
    fine = s.app.get_case(SYSTEM, cid)["decision"]["fine_id"]
    s.at(s.t(40))
    s.app.serve_demand(s.off, fine, served_at=s.t(40))
    s.at(s.t(60))
    s.app.apply_to_court(s.off, fine, at=s.t(60))
    return cid, ["D2", "E4"]  # E4: before the period for suing ended (the unit has no power of its own)


def sc_court_too_soon(s: UnitStory) -> tuple[str, list[str]]:
    cid = _fined(s, pay_day=None, close=False)
    fine = s.app.get_case(SYSTEM, cid)["decision"]["fine_id"]
    s.at(s.t(40))
    s.app.serve_demand(s.off, fine, served_at=s.t(40))
    s.at(s.t(43))
    s.app.apply_to_court(s.off, fine, at=s.t(43))
    return cid, ["D2", "E3", "E4"]


def sc_no_penalty(s: UnitStory, educate: bool = True) -> tuple[str, list[str]]:
    cid = s.file()
    eid = s.investigated(cid)
    if educate:
        s.act(cid, s.t(3), type="education")
    s.at(s.t(5))
    s.app.decide(
        s.hd,
        cid,
        decision_no="N" + cid[:8],
        decided_at=s.t(5),
        decided_by=s.head,
        outcome="no_penalty",
        penalties=[],
        legal_basis="《行政处罚法》第三十三条",
        evidence_ids=[eid],
        benchmark=None,
        payment=None,
    )
    s.serve(cid, 6)
    s.at(s.t(7))
    s.app.close_case(s.off, cid, at=s.t(7), reason="no_penalty")
    s.at(s.t(8))
    s.app.archive_case(s.off, cid, at=s.t(8), file_sha256=h(cid))
    return cid, [] if educate else ["C17"]


def sc_transfer(s: UnitStory, late: bool = False) -> tuple[str, list[str]]:
    cid = s.file()
    s.investigated(cid)
    decided = 8 if late else 3
    s.at(s.t(20 if late else decided, 15))
    s.app.report_transfer(
        s.off,
        cid,
        reported_at=s.t(2),
        decided_at=s.t(decided),
        sent_at=s.t(decided, 12),
        to="public_security",
        documents=["transfer_letter", "investigation_report", "seized_items_list", "expert_reports"],
    )
    closed = 21 if late else decided + 1
    s.at(s.t(closed))
    s.app.close_case(s.off, cid, at=s.t(closed), reason="transferred")
    s.at(s.t(closed + 1))
    s.app.archive_case(s.off, cid, at=s.t(closed + 1), file_sha256=h(cid))
    # A report decided six days after it was made and recorded days later still (F2, B5).
    return cid, ["B5", "F2"] if late else []


def sc_major(s: UnitStory, checklist: dict[str, Any] | None = None) -> tuple[str, list[str]]:
    cid = s.file(major=True)
    eid = s.investigated(cid)
    s.notice(cid)
    s.review(cid, 8, result="failed", checklist=checklist)
    s.review(cid, 10, checklist=checklist)
    s.at(s.t(11))
    s.app.hold_discussion(
        s.hd, cid, held_at=s.t(11), attendees=[s.head, s.head2], minutes_sha256=h(cid + "m"), conclusion="同意处罚"
    )
    fine = s.decide(cid, eid)["fine_id"]
    s.serve(cid)
    s.disclose(cid)
    s.pay(fine)
    s.finish(cid)
    return cid, ["C9", "C9"] if checklist is not None else []


def sc_simplified(s: UnitStory, late_cash: bool = False) -> tuple[str, list[str]]:
    cid = s.file(procedure="simplified", party={"kind": "person", "name": "李四", "id_number": "410102199202021234"})
    eid = s.investigated(cid)
    s.notice(cid, n=0, amount="50.00", hour=12)
    s.at(s.t(1))
    fine = s.app.decide(
        s.hd,
        cid,
        decision_no="S" + cid[:8],
        decided_at=s.t(1),
        decided_by=s.head,
        outcome="penalty",
        penalties=[{"type": "fine", "amount": "50.00"}],
        legal_basis="《产品质量法》第四十九条",
        evidence_ids=[eid],
        benchmark={"version": "2025-1", "tier": "一般"},
        payment={"bank_code": s.bank_code, "surcharge": False},
        officers=[s.zhang, s.li],
        certificate_shown=True,
        form_no="F" + cid[:6],
    )["fine_id"]
    s.serve(cid, 1, method="on_the_spot")
    s.at(s.t(1, 12))
    s.app.collect_on_the_spot(
        s.off,
        fine,
        receipt_no="财" + cid[:8],
        amount="50.00",
        collected_at=s.t(1, 12),
        officers=[s.zhang, s.li],
        remote_area=False,
        reason=None,
    )
    s.disclose(cid, 2)
    handed = 15 if late_cash else 2
    s.at(s.t(handed))
    s.app.hand_over_cash(s.off, fine, at=s.t(handed))
    s.at(s.t(handed + 1))
    s.app.deposit_cash(s.bank, fine, at=s.t(handed + 1))
    s.remit(fine, "50.00", handed + 1)
    s.finish(cid, handed + 2)
    return cid, ["D6"] if late_cash else []


def sc_hearing(s: UnitStory, cited: bool = True) -> tuple[str, list[str]]:
    cid = s.file(party={"kind": "person", "name": "张三", "id_number": "410102199001011234"})
    eid = s.investigated(cid)
    s.notice(cid, hearing=True)
    s.at(s.t(2))
    s.app.request_hearing(s.off, cid, at=s.t(2))
    held = s.after_working_days(3, 7)  # noticed 7 working days ahead
    s.at(s.t(held))
    s.app.hold_hearing(s.off, cid, noticed_at=s.t(3), held_at=s.t(held), host_id=s.wang, record_sha256=h(cid + "h"))
    s.review(cid, held + 1)
    fine = s.decide(cid, eid, n=held + 2, hearing_record_cited=cited)["fine_id"]
    s.serve(cid, held + 3)
    s.disclose(cid, held + 4)
    s.pay(fine, held + 6)
    s.finish(cid, held + 8)
    return cid, [] if cited else ["C6"]


def _act_variant(rule: str, **act: Any) -> Scenario:
    def run(s: UnitStory) -> tuple[str, list[str]]:
        def extra(cid: str) -> None:
            a = dict(act)
            when = a.pop("when", s.t(0, 14))
            if "recorded_days" in a:  # recorded days later, while the case goes on
                a["recorded"] = when + timedelta(days=a.pop("recorded_days"))
                s.later(lambda: s.act(cid, when, **a), a["recorded"])
                return
            s.act(cid, when, **a)

        expected = [rule] if rule else []
        return _fined(s, before_notice=extra), expected

    return run


def sc_coercive(s: UnitStory, rule: str) -> tuple[str, list[str]]:
    def extra(cid: str) -> None:
        sig = {"officers": True, "party": True}
        if rule == "B2":
            s.act(cid, s.t(0, 14), type="seizure", signatures=sig)
            s.later(lambda: s.act(cid, s.t(3, 10), type="release", signatures=sig), s.t(3, 10))
        elif rule == "B3":
            av = {"sha256": h(cid), "start": s.t(0, 13).isoformat(), "end": s.t(0, 15).isoformat()}
            s.act(cid, s.t(0, 14), type="on_site_record", av=av, signatures={"officers": True})
        elif rule == "E8":
            av = {"sha256": h(cid), "start": s.t(0, 13).isoformat(), "end": s.t(0, 15).isoformat()}
            s.act(cid, s.t(0, 14), type="sealing", av=av, signatures=sig)

        elif rule == "B6":
            s.act(cid, s.t(0, 14), type="registration_preservation")

    if rule == "E8":  # released on day 45, then closed
        cid = _fined(s, before_notice=extra, close=False)
        s.act(cid, s.t(45, 10), type="release", signatures={"officers": True, "party": True})
        s.finish(cid, 47)
        return cid, [rule]
    return _fined(s, before_notice=extra), [rule]


def sc_enforcement_at_night(s: UnitStory) -> tuple[str, list[str]]:
    """E7 (强制法 43): the decision's order to remove an obstruction enforced at 23:00, no
    emergency recorded (a seizure at night is a coercive measure, not enforcement)."""
    cid = _fined(s, close=False)
    night = s.t(30, 23)
    s.at(night)
    s.app.carry_out_enforcement(
        s.off, cid, at=night, kind="remove_obstruction", officers=[s.zhang, s.li], certificate_shown=True
    )
    s.finish(cid, 32)
    return cid, ["E7"]


def sc_backdated_certificate(s: UnitStory, rule: str) -> tuple[str, list[str]]:
    extra_officer = s.officer("临时" + uuid.uuid4().hex[:4])

    def act(cid: str) -> None:
        s.act(cid, s.t(0, 14), officers=[s.zhang, s.li, extra_officer])

    cid = _fined(s, before_notice=act)
    s.at(s.t(30))
    if rule == "A7":
        s.app.suspend_certificate(SYSTEM, extra_officer, at=s.t(0, 8), reason="暂扣（追溯）")
    else:
        s.app.validate_certificate(SYSTEM, extra_officer, year=2026, passed=False, on=s.base - timedelta(days=1))
        s.planted_officers[extra_officer] = ["A6"]  # the failed validation itself
    return cid, [rule]


def sc_intervention(s: UnitStory) -> tuple[str, list[str]]:
    def extra(cid: str) -> None:
        s.at(s.t(0, 16))
        s.app.record_intervention(
            s.off,
            cid,
            official="某副县长",
            position="副县长",
            occurred_at=s.t(0, 16),
            channel="phone",
            content="打招呼要求从轻处理",
        )

    return _fined(s, before_notice=extra), ["H1"]


def legacy_line(aggregate: str, aid: str, event: str, at: datetime, **data: Any) -> str:
    """One line of an older system's export (the import format, README "Import")."""
    return json.dumps(
        {"aggregate": aggregate, "id": aid, "event": event, "occurred_at": at.isoformat(), "data": data},
        ensure_ascii=False,
    )


def legacy_opening(
    s: UnitStory,
    cid: str,
    eid: str,
    case_no: str,
    officers: list[str],
    procedure: str = "general",
    major: bool = False,
) -> list[str]:
    """An imported case's filing, inspection and evidence."""
    return [
        legacy_line(
            "case",
            cid,
            "Filed",
            s.t(0, 9),
            unit_id=s.unit,
            case_no=case_no,
            matter_code=s.matter,
            region=s.region,
            party={"kind": "organisation", "name": "旧案当事人", "id_number": "1"},
            source="inspection",
            summary="导入的历史案件",
            occurred_on=str(s.base - timedelta(days=10)),
            discovered_on=str(s.base - timedelta(days=1)),
            approved_by=s.head,
            handlers=[s.zhang, s.li],
            procedure=procedure,
            major=major,
            complex=False,
            imported=True,
        ),
        legacy_line(
            "case",
            cid,
            "ActRecorded",
            s.t(0, 10),
            type="inspection",
            officers=officers,
            certificate_shown=True,
            record_sha256=h(cid),
            av=None,
            signatures=None,
        ),
        legacy_line(
            "case",
            cid,
            "EvidenceCollected",
            s.t(0, 11),
            evidence_id=eid,
            kind="physical",
            description="d",
            sha256=h(cid + "e"),
            officers=[s.zhang, s.li],
            certificate_shown=True,
        ),
    ]


def sc_imported(s: UnitStory, rule: str) -> tuple[str, list[str]]:
    """A history imported from an older system that breaks a gate rule."""
    cid = str(uuid.uuid4())

    def line(event: str, at: datetime, **data: Any) -> str:
        return legacy_line("case", cid, event, at, **data)

    aux = s.officer("辅助" + uuid.uuid4().hex[:4], kind="auxiliary", employment="contract")
    officers = {"A1": [s.zhang, aux], "A5": [aux]}.get(rule, [s.zhang, s.li])
    eid = str(uuid.uuid4())
    lines = legacy_opening(
        s,
        cid,
        eid,
        "旧-" + cid[:8],
        officers,
        procedure="simplified" if rule in ("C16", "J2") else "general",
        major=rule in ("C7", "C8"),
    )
    if rule == "B4":
        lines.append(line("EvidenceAssessed", s.t(0, 12), evidence_id=eid, status="illegal", reason="非法取得"))
    fined = rule in ("C14", "C16")
    amount = {"C14": 2_000_000, "C16": 500_000}.get(rule, 0)
    if rule != "C3":
        lines.append(
            line(
                "NoticeServed",
                s.t(1),
                officers=[s.zhang, s.li],
                facts="f",
                legal_basis="b",
                proposed=[{"type": "fine", "amount_fen": amount}] if fined else [{"type": "warning"}],
                hearing_right=rule == "C5",
            )
        )
    if rule not in ("C3", "C4", "C5", "C16", "J2"):  # the party waived its statement (处罚法 62)
        lines.append(line("StatementWaived", s.t(1, 12)))
    if rule == "C4":
        lines.append(line("StatementReceived", s.t(2), summary="申辩"))
    if rule == "C5":
        lines.append(line("HearingRequested", s.t(2)))
    if rule == "C7":
        lines.append(
            line(
                "LegalReviewed", s.t(10), reviewer_id=s.reviewer, result="passed", opinion="o", checklist=FULL_CHECKLIST
            )
        )
    if rule == "A9":
        unqualified = s.officer("无资格审核员" + uuid.uuid4().hex[:4], kind="legal_reviewer", legal=False)
        lines.append(
            line(
                "LegalReviewed",
                s.t(10),
                reviewer_id=unqualified,
                result="passed",
                opinion="o",
                checklist=FULL_CHECKLIST,
            )
        )
    if rule == "A10":
        lines.append(
            line("LegalReviewed", s.t(10), reviewer_id=s.zhang, result="passed", opinion="o", checklist=FULL_CHECKLIST)
        )
    if rule == "F3":
        lines.append(
            line(
                "TransferReported",
                s.t(3),
                decided_at=s.t(4).isoformat(),
                sent_at=s.t(4, 12).isoformat(),
                to="public_security",
                documents=["transfer_letter"],
                approved=True,
                refusal_reason=None,
            )
        )
    if rule == "C8":
        lines.append(
            line("DiscussionHeld", s.t(11), attendees=[s.head, s.head2], minutes_sha256=h(cid), conclusion="c")
        )
    lines += [
        line(
            "Decided",
            s.t(14),
            decision_no="旧D-" + cid[:8],
            decided_by=s.head,
            outcome="penalty",
            penalties=[{"type": "fine", "amount_fen": amount}] if fined else [{"type": "warning"}],
            legal_basis="" if rule == "C10" else "b",
            evidence_ids=[eid],
            benchmark={"version": "2025-1", "tier": "一般"} if fined else None,
            payment={"bank_code": s.bank_code, "surcharge": False} if fined else None,
            remedies={"reconsideration_days": 60, "litigation_months": 6, "reconsideration_first": rule == "C16"},
            officers=[],
            certificate_shown=rule in ("C16", "J2"),
            form_no="当场-" + cid[:6] if rule in ("C16", "J2") else None,
            fine_id=None,
            hearing_record_cited=False,
        ),
        *(
            [
                line(
                    "Decided",
                    s.t(14, 15),
                    decision_no="旧D2-" + cid[:8],
                    decided_by=s.head,
                    outcome="penalty",
                    penalties=[{"type": "fine", "amount_fen": amount}],
                    legal_basis="b",
                    evidence_ids=[eid],
                    benchmark={"version": "2025-1", "tier": "一般"},
                    payment={"bank_code": s.bank_code, "surcharge": False},
                    remedies={"reconsideration_days": 60, "litigation_months": 6},
                    officers=[],
                    certificate_shown=False,
                    form_no=None,
                    fine_id=None,
                    hearing_record_cited=False,
                )
            ]
            if rule == "C14"
            else []
        ),
        line("DecisionServed", s.t(15), method="mail", officers=[], party_consent=False),
        line("Disclosed", s.t(16), channel="政府网站"),
    ]
    s.at(s.t(15))
    s.app.import_history(SYSTEM, lines, "legacy.ndjson")
    return cid, [rule]


def sc_revoked(s: UnitStory) -> tuple[str, list[str]]:
    cid = _fined(s)
    s.at(s.t(40))
    s.app.revoke_decision(s.hd, cid, at=s.t(40), reason="行政复议决定撤销", revoked_by="reconsideration")
    s.at(s.t(55))
    s.app.withdraw_disclosure(s.off, cid, at=s.t(55), reason="决定已被撤销")
    return cid, ["G4"]


def sc_imported_fine(s: UnitStory, rule: str) -> tuple[str, list[str]]:
    """An imported case whose fine breaks a gate rule (D3, D4, D5, D7, E2)."""
    cid, fid = str(uuid.uuid4()), str(uuid.uuid4())
    eid = str(uuid.uuid4())

    line = legacy_line

    amount = 2_000_000
    lines = legacy_opening(s, cid, eid, "旧F-" + cid[:8], [s.zhang, s.li]) + [
        line(
            "case",
            cid,
            "NoticeServed",
            s.t(1),
            officers=[s.zhang, s.li],
            facts="f",
            legal_basis="b",
            proposed=[{"type": "fine", "amount_fen": amount}],
            hearing_right=False,
        ),
        line("case", cid, "StatementWaived", s.t(1, 12)),
        line(
            "case",
            cid,
            "Decided",
            s.t(14),
            decision_no="旧F-D-" + cid[:8],
            decided_by=s.head,
            outcome="penalty",
            penalties=[{"type": "fine", "amount_fen": amount}],
            legal_basis="b",
            evidence_ids=[eid],
            benchmark={"version": {"C11": "2019-1", "G2": "2026-1"}.get(rule, "2025-1"), "tier": "一般"},
            payment={"bank_code": s.bank_code, "surcharge": False},
            remedies={"reconsideration_days": 60, "litigation_months": 6},
            officers=[],
            certificate_shown=False,
            form_no=None,
            fine_id=fid,
            hearing_record_cited=False,
        ),
        line("case", cid, "DecisionServed", s.t(15), method="direct", officers=[s.zhang, s.li], party_consent=False),
        line("case", cid, "Disclosed", s.t(16), channel="政府网站"),
        line(
            "fine",
            fid,
            "Imposed",
            s.t(14),
            case_id=cid,
            unit_id=s.unit,
            decision_no="旧F-D-" + cid[:8],
            amount_fen=amount,
            bank_code=s.bank_code,
            surcharge=False,
        ),
        line("fine", fid, "DueDateSet", s.t(15), served_on=str(s.t(15).date()), due_on=str(s.t(30).date())),
    ]
    expected = [rule]
    if rule in ("D3", "D4", "D5"):
        remote = rule != "D3"
        lines += [
            line(
                "fine",
                fid,
                "CollectedOnTheSpot",
                s.t(16),
                receipt_no="" if rule == "D5" else "财" + fid[:6],
                amount_fen=amount,
                officers=[s.zhang, s.li],
                remote_area=remote,
                reason=None if rule == "D4" else ("当事人申请" if remote else None),
            ),
            line("fine", fid, "CashHandedOver", s.t(16, 15)),
            line("fine", fid, "CashDeposited", s.t(17), bank_code=s.bank_code),
        ]
    elif rule == "D7":
        lines += [
            line("fine", fid, "DeferralApproved", s.t(20), kind="deferral", applied_at=None, until=str(s.t(60).date())),
            line(
                "fine",
                fid,
                "PaymentReceived",
                s.t(50),
                bank_code=s.bank_code,
                receipt_no="R" + fid[:6],
                amount_fen=amount,
            ),
        ]
    elif rule in ("C11", "G2", "D10", "D8"):  # a benchmark never in force or not yet published; no
        # receipt; or (D8) 500 yuan taken beyond a fine whose decision set no surcharge
        lines.append(
            line(
                "fine",
                fid,
                "PaymentReceived",
                s.t(20),
                bank_code=s.bank_code,
                receipt_no="" if rule == "D10" else "R" + fid[:6],
                amount_fen=amount + (50_000 if rule == "D8" else 0),
            )
        )
    elif rule == "D1":
        expected = ["D1", "D1"]  # the payment and the remittance, both by another bank
        lines.append(
            line(
                "fine",
                fid,
                "PaymentReceived",
                s.t(20),
                bank_code="某其他银行",
                receipt_no="X" + fid[:6],
                amount_fen=amount,
            )
        )
    elif rule == "E2":
        lines.append(line("fine", fid, "CourtEnforcementApplied", s.t(60)))
        # enforced: unpaid after its due date too, and before the period for suing ended (E4)
        expected = ["D2", "E2", "E4"]
    received = {"D3": 17, "D4": 17, "D5": 17, "D7": 50}.get(rule, 20)
    if rule != "E2":  # the bank paid what it received into the treasury the same day (D9)
        bank = "某其他银行" if rule == "D1" else s.bank_code
        voucher = "GK" + fid[:8]
        lines.append(
            line(
                "fine",
                fid,
                "RemittedToTreasury",
                s.t(received, 16),
                bank_code=bank,
                voucher_no=voucher,
                amount_fen=amount + (50_000 if rule == "D8" else 0),
            )
        )
    s.at(s.t(70))
    s.app.import_history(SYSTEM, lines, "legacy-fines.ndjson")
    return cid, sorted(expected)


# ------------------------------------------------------------------ random inspections (I1)
COMPANIES = [f"91410100MA{n:08d}" for n in range(1, 41)]  # a register of market entities


def legacy_draw_line(
    s: UnitStory, iid: str, task: str, at: datetime, seed: str, inspectors: list[str], assignments: dict[str, Any]
) -> str:
    """An older system's random draw over the demo's company register (the import format)."""
    from domain.inspection import ALGORITHM, register_sha256

    return legacy_line(
        "inspection",
        iid,
        "Drawn",
        at,
        unit_id=s.unit,
        task=task,
        matter_code=s.matter,
        algorithm=ALGORITHM,
        seed=seed,
        targets_register=COMPANIES,
        targets_register_sha256=register_sha256(COMPANIES),
        inspectors_register=sorted(inspectors),
        inspectors_register_sha256=register_sha256(inspectors),
        assignments=assignments,
    )


def inspection(s: UnitStory, task: str, day: float, breach: str | None = None) -> str:
    """A random inspection (双随机): draw 3 of 40 companies with 2 of 3 inspectors each, inspect
    them and publish. ``breach``: "single" (one inspector), "unpublished", "undrawn" (an
    inspector not drawn), or "imported" (an older system's draw that its seed does not give)."""
    inspectors = [s.zhang, s.li, s.wang]
    if breach == "imported":
        from domain.inspection import Inspection

        iid = str(Inspection.id_for(s.unit, task))
        seed = hashlib.sha256(task.encode()).hexdigest()
        hand_picked = {COMPANIES[0]: sorted(inspectors)[:2]}  # not what the seed draws
        lines = [
            legacy_draw_line(s, iid, task, s.t(day), seed, inspectors, hand_picked),
            legacy_line(
                "inspection",
                iid,
                "ResultRecorded",
                s.t(day + 2),
                target=COMPANIES[0],
                officers=sorted(inspectors)[:2],
                outcome="compliant",
                case_id=None,
            ),
            legacy_line("inspection", iid, "ResultsPublished", s.t(day + 5), channel="国家企业信用信息公示系统"),
        ]
        s.at(s.t(day + 6))
        s.app.import_history(SYSTEM, lines, "legacy-inspections.ndjson")
        return iid
    res = s.draw(task, inspectors, 3, day, seed=hashlib.sha256(task.encode()).hexdigest())
    for n, (target, team) in enumerate(sorted(res["assignments"].items())):
        officers = list(team)
        if n == 0 and breach == "single":
            officers = team[:1]
        if n == 0 and breach == "undrawn":
            officers = [team[0], next(o for o in inspectors if o not in team)]
        s.at(s.t(day + 2 + n))
        s.app.record_inspection_result(
            s.off, res["id"], target=target, inspected_at=s.t(day + 2 + n), officers=officers, outcome="compliant"
        )
    if breach != "unpublished":
        s.at(s.t(day + 10))
        s.app.publish_inspection_results(
            s.off, res["id"], published_at=s.t(day + 10), channel="国家企业信用信息公示系统"
        )
    return str(res["id"])


def imported_contract_officer(s: UnitStory) -> str:
    """An older system's officer on a labour contract who was given a certificate (A4)."""
    oid = str(uuid.uuid4())
    data = {"unit_id": s.unit, "kind": "officer", "employment": "contract", "legal_qualification": False}
    lines = [
        legacy_line("officer", oid, "Registered", t(-100), name="冯涛（合同制，导入）", reviewer_since=None, **data),
        legacy_line(
            "officer",
            oid,
            "CertificateIssued",
            t(-90),
            number="旧证" + oid[:6],
            fields=["MR"],
            areas=list(s.areas),
            valid_from="2026-01-01",
            valid_until="2028-12-31",
        ),
    ]
    s.app.import_history(SYSTEM, lines, "legacy-officers.ndjson")
    return oid


def plant_inspections(s: UnitStory) -> dict[str, list[str]]:
    """The demo's random inspections: {inspection_id: [rules found]}."""
    base, s.base = s.base, date(2026, 4, 1)
    try:
        return {
            inspection(s, "2026年第一批产品质量双随机抽查", 0): [],
            inspection(s, "2026年第二批产品质量双随机抽查", 20, "single"): ["I1"],
            inspection(s, "2026年第三批产品质量双随机抽查", 40, "unpublished"): ["I1"],
            inspection(s, "2026年第四批产品质量双随机抽查", 60, "undrawn"): ["I1"],
            inspection(s, "2025年旧系统抽查（导入）", 80, "imported"): ["I1"],
        }
    finally:
        s.base = base


def _window_passed(s: UnitStory, cid: str) -> bool:
    """Whether, by the demo's date, the 3 months after the period for suing have passed (E4)."""
    from domain.calendar import add_months

    served = china_date(datetime.fromisoformat(s.app.get_case(SYSTEM, cid)["served_at"]))
    start = add_months(served, LAW.suing_period.count)
    return china_date(DEMO_AS_OF) > add_months(start, LAW.court_application.count)


def sc_no_court_application(s: UnitStory) -> tuple[str, list[str]]:
    """Unpaid; demanded; never taken to court by a unit without its own enforcement power."""
    cid = _fined(s, pay_day=None, close=False)
    fine = s.app.get_case(SYSTEM, cid)["decision"]["fine_id"]
    s.at(s.t(40))
    s.app.serve_demand(s.off, fine, served_at=s.t(40))
    return cid, ["D2"] + (["E4"] if _window_passed(s, cid) else [])


def sc_remedy(s: UnitStory, lawful: bool = True) -> tuple[str, list[str]]:
    """The party seeks reconsideration; execution stops (lawfully: by the reconsideration
    organ; or, E1, only because the remedy was sought); upheld; paid late (D2: a remedy
    does not move the due date)."""
    cid = _fined(s, pay_day=None, close=False)
    fine = s.app.get_case(SYSTEM, cid)["decision"]["fine_id"]
    s.at(s.t(25))
    s.app.seek_remedy(s.off, cid, kind="reconsideration", filed_at=s.t(25), body="某市人民政府", reference="复议123号")
    s.at(s.t(27))
    s.app.suspend_execution(
        s.hd,
        cid,
        at=s.t(27),
        ground="reconsideration_organ" if lawful else "pending_remedy",
        basis="停止执行通知书" if lawful else "当事人已申请行政复议",
    )
    s.at(s.t(60))
    s.app.conclude_remedy(s.off, cid, kind="reconsideration", at=s.t(60), result="upheld")
    s.at(s.t(61))
    s.app.resume_execution(s.hd, cid, at=s.t(61))
    s.pay(fine, 63)
    s.finish(cid, 65)
    return cid, ["D2", "D8"] if lawful else ["D2", "D8", "E1"]


def sc_not_remitted(s: UnitStory, late: bool = False) -> tuple[str, list[str]]:
    """The bank keeps the payment instead of paying it into the treasury (D9)."""
    cid = _fined(s, pay_day=None, close=False)
    fine = s.app.get_case(SYSTEM, cid)["decision"]["fine_id"]
    served = china_date(datetime.fromisoformat(s.app.get_case(SYSTEM, cid)["served_at"]))
    pay = (served - s.base).days + 3
    s.pay(fine, pay, remit_after=10 if late else None)
    s.finish(cid, pay + 12)
    return cid, ["D9"]


SCENARIOS: list[tuple[str, Scenario]] = [
    ("clean fined, paid early", sc_clean),
    ("no penalty, educated", sc_no_penalty),
    ("transfer to the police", sc_transfer),
    ("major: failed then passed review, discussion", sc_major),
    ("simplified on the spot", sc_simplified),
    ("hearing", sc_hearing),
    ("paid late", sc_paid_late),
    ("never paid, enforced", sc_never_paid),
    ("A3 certificate not shown", _act_variant("A3", certificate_shown=False)),
    ("B5 act recorded late", _act_variant("B5", recorded_days=10)),
    ("B2 seizure without video", lambda s: sc_coercive(s, "B2")),
    ("B3 unsigned on-site record", lambda s: sc_coercive(s, "B3")),
    ("B6 preservation not disposed", lambda s: sc_coercive(s, "B6")),
    ("E7 enforcement at night", sc_enforcement_at_night),
    ("E8 sealing beyond 30 days", lambda s: sc_coercive(s, "E8")),
    ("C1 time bar", lambda s: (_fined(s, file={"occurred_on": s.base - timedelta(days=3 * 365)}), ["C1"])),
    (
        "C2 filed late",
        lambda s: (
            _fined(s, file={"discovered_on": s.base - timedelta(days=40), "occurred_on": s.base - timedelta(days=50)}),
            ["C2"],
        ),
    ),
    ("C6 decision not on the hearing record", lambda s: sc_hearing(s, cited=False)),
    ("C9 incomplete legal review", lambda s: sc_major(s, checklist={"authority": "ok"})),
    (
        "C12 decided after 90 days",
        lambda s: (_fined(s, decide_day=100, serve_day=101, disclose_day=102, pay_day=103), ["C12"]),
    ),
    ("C13 served late", lambda s: (_fined(s, serve_day=40, disclose_day=16, pay_day=42), ["C13"])),
    ("C13 electronic without consent", lambda s: (_fined(s, method="electronic"), ["C13"])),
    ("C17 no penalty without education", lambda s: sc_no_penalty(s, educate=False)),
    ("D6 cash handed over late", lambda s: sc_simplified(s, late_cash=True)),
    ("E3 court application too soon", sc_court_too_soon),
    ("F2 transfer decided late", lambda s: sc_transfer(s, late=True)),
    ("G3 disclosed late", lambda s: (_fined(s, disclose_day=60, pay_day=18), ["G3"])),
    ("H1 intervention", sc_intervention),
    (
        "F1 fined instead of transferred",
        lambda s: (_fined(s, file={"amount_involved": "80000.00", "matter_code": "MR-0101"}), ["F1"]),
    ),
    ("G4 revoked decision withdrawn late", sc_revoked),
    ("J1 remedies not stated", lambda s: (_fined(s, decide={"remedies": {"reconsideration_days": 30}}), ["J1"])),
    (
        "B1 closed without execution and archive",
        lambda s: (_fined(s, pay_day=None, archive=False, disclose_day=16), ["B1", "B1", "D2"]),
    ),
    ("A7 suspension recorded later", lambda s: sc_backdated_certificate(s, "A7")),
    ("A2 failed validation recorded later", lambda s: sc_backdated_certificate(s, "A2")),
    ("imported A1", lambda s: sc_imported(s, "A1")),
    ("imported A5", lambda s: sc_imported(s, "A5")),
    ("imported B4", lambda s: sc_imported(s, "B4")),
    ("imported C3", lambda s: sc_imported(s, "C3")),
    ("imported C4", lambda s: sc_imported(s, "C4")),
    ("imported C5", lambda s: sc_imported(s, "C5")),
    ("imported C7", lambda s: sc_imported(s, "C7")),
    ("imported C8", lambda s: sc_imported(s, "C8")),
    ("imported A10", lambda s: sc_imported(s, "A10")),
    ("imported C10", lambda s: sc_imported(s, "C10")),
    ("imported C16", lambda s: sc_imported(s, "C16")),
    ("imported J2", lambda s: sc_imported(s, "J2")),
    ("imported F3", lambda s: sc_imported(s, "F3")),
    ("imported fine D3", lambda s: sc_imported_fine(s, "D3")),
    ("imported fine D4", lambda s: sc_imported_fine(s, "D4")),
    ("imported fine D5", lambda s: sc_imported_fine(s, "D5")),
    ("imported fine D7", lambda s: sc_imported_fine(s, "D7")),
    ("imported fine E2", lambda s: sc_imported_fine(s, "E2")),
    ("imported fine D1", lambda s: sc_imported_fine(s, "D1")),
    ("imported fine C11", lambda s: sc_imported_fine(s, "C11")),
    ("imported fine D10", lambda s: sc_imported_fine(s, "D10")),
    ("imported fine D8", lambda s: sc_imported_fine(s, "D8")),
    ("imported A9", lambda s: sc_imported(s, "A9")),
    ("imported C14", lambda s: sc_imported(s, "C14")),
    ("E4 no court application", sc_no_court_application),
    ("reconsideration, execution lawfully suspended", sc_remedy),
    ("E1 execution suspended for a pending remedy", lambda s: sc_remedy(s, lawful=False)),
    ("D9 payment kept by the bank", sc_not_remitted),
    ("D9 payment remitted late", lambda s: sc_not_remitted(s, late=True)),
]


def _start_day(i: int) -> date:
    """Spread cases over the year (all within the official holiday calendar's years)."""
    d = date(2026, 1, 5) + timedelta(days=(i * 5) % 180)
    while not is_workday(d)[0]:
        d += timedelta(days=1)
    return d


def load_demo(app: Oversight, cases: int = 40) -> dict[str, Any]:
    """Load the demo dataset. Returns tokens per role, the first unit's ids (for the README's
    walk-through), and the manifests of planted findings: {case_id: [rules]} and, for the
    officer-level rules, {officer_id: [rules]}."""
    try:
        units = [
            UnitStory(
                app,
                code="410100-SJ",
                region="410100",
                areas=("4101",),
                bank="ICBC-ZZ",
                matters=("MR-0101", "MR-0202"),
                name="郑州市市场监督管理局",
            ),
            UnitStory(
                app,
                code="410200-SJ",
                region="410200",
                areas=("4102",),
                bank="BOC-KF",
                matters=("MR-0101", "MR-0202"),
                benchmarks=False,
                name="开封市市场监督管理局",
            ),
            UnitStory(
                app,
                code="370100-SJ",
                region="370100",
                areas=("37",),
                bank="CCB-JN",
                matters=("MR-0101", "MR-0202"),
                benchmarks=False,
                name="济南市市场监督管理局",
            ),
        ]
        first = units[0]
        clock.set_clock(lambda: t(-60))
        # Officers whose certificates expire, or are revoked, in the middle of the year.
        first.officer("陈刚（证件6月到期）", until=date(2026, 6, 30))
        revoked = first.officer("周杰（8月取消资格）")
        app.revoke_qualification(SYSTEM, revoked, at=datetime(2026, 8, 1, 9, tzinfo=CHINA), reason="取消执法资格")
        aux = first.officer("赵敏（辅助）", kind="auxiliary", employment="contract")
        # Officer-level findings (no case): A6 and A8, as of the demo's date.
        planted_officers = {
            first.officer("刘洋（年审逾期）", validated=False): ["A6"],  # no 2026 validation
            first.officer("何静（12月到期）", until=date(2026, 12, 10)): ["A6"],  # expires within 30 days
            units[1].officer("马超（学时不足）", training_hours=24): ["A8"],  # 24 of 60 hours in 2025
            imported_contract_officer(units[2]): ["A4"],  # certified though on a contract
        }
        # Every story on one timeline: the log is recorded in time order.
        global TIMELINE
        TIMELINE = timeline = Timeline()
        clock.set_clock(timeline.now)
        results: dict[int, tuple[str, str, list[str]]] = {}
        inspections: dict[str, list[str]] = {}

        def story(i: int) -> None:
            s = copy.copy(units[i % len(units)])
            s.base = _start_day(i)
            s.matter = ("MR-0101", "MR-0202")[(i // len(units)) % 2]
            name, scenario = SCENARIOS[i % len(SCENARIOS)]
            cid, planted = scenario(s)
            results[i] = (cid, name, sorted(planted))

        for i in range(cases):
            timeline.spawn(lambda i=i: story(i), t(0, 8, base=_start_day(i)), (i,))
        timeline.spawn(
            lambda: inspections.update(plant_inspections(copy.copy(first))), t(0, 8, base=date(2026, 4, 1)), (cases,)
        )
        try:
            timeline.run()
        finally:
            TIMELINE = None
            clock.set_clock(None)
        manifest = {cid: planted for cid, _, planted in (results[i] for i in range(cases))}
        paths = {cid: name for cid, name, _ in (results[i] for i in range(cases))}
        planted_inspections = inspections
        clock.set_clock(None)
        for u in units:
            planted_officers.update(u.planted_officers)
        tokens = {"admin": app.grant_principal(SYSTEM, name="demo admin", role="admin")["token"]}
        for role, oid in (("officer", first.zhang), ("unit_head", first.head), ("legal_reviewer", first.reviewer)):
            tokens[role] = app.grant_principal(
                SYSTEM, name=f"demo {role}", role=role, unit_id=first.unit, officer_id=oid
            )["token"]
        tokens["bank"] = app.grant_principal(SYSTEM, name="ICBC 郑州分行", role="bank", bank_code="ICBC-ZZ")["token"]
        for role in ("supervisor", "auditor"):
            tokens[role] = app.grant_principal(SYSTEM, name=f"demo {role}", role=role)["token"]
        for u in units:
            u.engine.dispose()
        return {
            "tokens": tokens,
            "unit_id": first.unit,
            "cases": list(manifest),
            "planted": manifest,
            "planted_officers": planted_officers,
            "planted_inspections": planted_inspections,
            "paths": paths,
            "as_of": DEMO_AS_OF,
            "officers": {
                "zhang": first.zhang,
                "li": first.li,
                "wang": first.wang,
                "auxiliary": aux,
                "head_id": first.head,
            },
        }
    finally:
        clock.set_clock(None)
