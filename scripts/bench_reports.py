"""Report benchmark: load BENCH_EVENTS (default 1,000,000) events of a realistic mix of cases into
a fresh PostgreSQL schema, rebuild every projection (events/s), start a real server on that
schema and time every report route through HTTP with an auditor's token: a first page, a
filtered page and a deep page (following next_cursor), p50/p95 of a single client and p95 of 4
concurrent clients; full CSV exports (rows/s, the server's RSS before, at peak and after); and,
in the same run, the database's own floor (a trivial indexed SELECT … LIMIT 50 on the events
table through psycopg) with each route's ratio to it. Last line: one JSON object.

The histories are built on the aggregates without gates, as an import would (like
bench_projections.py); units, officers, benchmarks and principals go through the application
service. Cases run on every path: fined and paid on time, paid late, unpaid and overdue (demand,
court), hearings, legal review and collective discussion, simplified on-the-spot fines,
no-penalty decisions, withdrawn disclosures, transfers; with planted breaches (late decisions,
decisions without notice, acts recorded days late, interventions) and officers whose
certificates expire, go unvalidated or are suspended mid-year, so the findings tables are not
trivial. Environment: BENCH_EVENTS, BENCH_UNITS (20), BENCH_PAGE (rebuild page, 10000),
BENCH_REPS (20), BENCH_CSV_RUNS (3: full exports of each list, the median reported), BENCH_KEEP=1 (keep
the schema), OVERSIGHT_BENCH_POSTGRES_URL."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import orjson  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from domain import clock  # noqa: E402
from domain.application import Oversight  # noqa: E402
from domain.base import Base  # noqa: E402
from domain.calendar import CHINA, deadline  # noqa: E402
from domain.case import Case  # noqa: E402
from domain.fine import Fine  # noqa: E402
from domain.principal import SYSTEM  # noqa: E402
from domain.rules import LAW  # noqa: E402
from projections import build_runner  # noqa: E402
from projections.db import make_engine  # noqa: E402

PG_URL = os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
N = int(os.environ.get("BENCH_EVENTS", "1000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "20"))
PAGE = int(os.environ.get("BENCH_PAGE", "10000"))
REPS = int(os.environ.get("BENCH_REPS", "20"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
CSV_RUNS = int(os.environ.get("BENCH_CSV_RUNS", "3"))  # full exports of each list (the median is reported)
CONCURRENCY = 4
INTERLEAVE = 200  # cases whose events are interleaved in the log, as concurrent work would
DEEP = 8  # pages followed to reach a deep cursor
START = date(2025, 3, 3)  # the first filing
SPAN_DAYS = 580  # filings spread over this many days (to mid-October 2026)
OFFICERS_PER_UNIT = 10
VALID_OFFICERS = 7  # officers 7, 8, 9 of a unit: expired, unvalidated, suspended during 2026
FULL_CHECKLIST = {k: "ok" for k in ("authority", "qualification", "procedure", "facts", "law", "benchmark", "crime")}

# Targets (the issue): every page p95 < 100 ms, the public disclosures page < 20 ms, a CSV
# export at least 50,000 rows/s with flat memory (the server's RSS grows by less than this).
PAGE_P95_MS = 100.0
PUBLIC_P95_MS = 20.0
CSV_ROWS_PER_S = 50_000.0
FLAT_RSS_MB = 64.0


def h(s: str) -> str:
    import hashlib

    return hashlib.sha256(s.encode()).hexdigest()


# ------------------------------------------------------------------------------ the world


@dataclass
class UnitInfo:
    id: str
    code: str
    bank: str
    region: str
    officers: list[str]
    head: str
    head2: str
    reviewer: str
    aux: str


@dataclass
class World:
    units: list[UnitInfo] = field(default_factory=list)


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=CHINA)


def register_officer(app: Oversight, unit: str, code: str, name: str, kind: str = "officer", j: int = 0) -> str:
    """An officer (and, but for auxiliaries, exam, certificate, validation, training)."""
    clock.set_clock(lambda: at(date(2024, 12, 22)))
    employment = "contract" if kind == "auxiliary" else "established"
    o = str(
        app.register_officer(
            SYSTEM,
            name=name,
            unit_id=unit,
            kind=kind,
            employment=employment,
            legal_qualification=kind != "auxiliary",
        )["id"]
    )
    if kind == "auxiliary":
        return o
    app.record_exam(SYSTEM, o, taken_on=date(2024, 11, 1), passed=True, score=88)
    until = date(2026, 6, 30) if j == 7 else date(2028, 12, 31)  # j == 7: expires mid-2026
    clock.set_clock(lambda: at(date(2025, 1, 1)))
    app.issue_certificate(
        SYSTEM,
        o,
        number=f"证{code}-{j:02d}",
        fields=["MR"],
        areas=["41"],
        valid_from=date(2025, 1, 1),
        valid_until=until,
    )
    if j != 8:  # j == 8: never validated, unvalidated from April 2026 on
        clock.set_clock(lambda: at(date(2026, 1, 10)))
        app.validate_certificate(SYSTEM, o, year=2026, passed=True, on=date(2026, 1, 10))
    clock.set_clock(lambda: at(date(2026, 3, 1)))
    app.record_training(SYSTEM, o, on=date(2026, 3, 1), hours=10 if j == 6 else 60, topic="行政执法综合培训")
    if j == 9:  # suspended from August 2026 on
        clock.set_clock(lambda: at(date(2026, 8, 1), 9))
        app.suspend_certificate(SYSTEM, o, at=at(date(2026, 8, 1), 9), reason="暂扣")
    return o


def setup_world(app: Oversight) -> World:
    """Units, officers (some certificates expire, go unvalidated or are suspended mid-2026; some
    officers train too little) and the benchmark, through the application service (gated)."""
    world = World()
    clock.set_clock(lambda: at(date(2024, 12, 20)))
    app.publish_benchmark(
        SYSTEM,
        matter_code="MR-0101",
        version="2025-1",
        legal_basis="《产品质量法》第四十九条",
        statutory_min="0",
        statutory_max="500000.00",
        tiers=[
            {"tier": "一般", "min": "0", "max": "100000.00"},
            {"tier": "严重", "min": "100000.00", "max": "500000.00"},
        ],
        effective_from=date(2025, 1, 1),
        published_at=at(date(2024, 12, 20)),
    )
    for u in range(UNITS):
        clock.set_clock(lambda: at(date(2024, 12, 21)))
        code, bank, region = f"BR{u:03d}", f"BANK{u % 4}", f"4101{u % 10:02d}"
        unit = str(
            app.register_unit(
                SYSTEM, code=code, name=f"第{u}市场监管局", region=region, matters=["MR-0101"], banks=[bank]
            )["id"]
        )

        def officer(name: str, kind: str = "officer", j: int = 0) -> str:
            return register_officer(app, unit, code, name, kind, j)  # noqa: B023 - called in this iteration

        officers = [officer(f"执法员{u}-{j}", j=j) for j in range(OFFICERS_PER_UNIT)]
        world.units.append(
            UnitInfo(
                id=unit,
                code=code,
                bank=bank,
                region=region,
                officers=officers,
                head=officer(f"负责人{u}", "unit_head", 100),
                head2=officer(f"副职{u}", "unit_head", 101),
                reviewer=officer(f"法制审核{u}", "legal_reviewer", 102),
                aux=officer(f"辅助{u}", "auxiliary"),
            )
        )
    return world


# ------------------------------------------------------------------------------ case histories


class History:
    """Events of one case (and its fine), recorded a few minutes after they happen, the
    recording clock never going back within the case."""

    def __init__(self, first: datetime) -> None:
        self.rec = first
        self.aggs: list[Base] = []

    def clock_at(self, when: datetime, delay: timedelta = timedelta(minutes=3)) -> None:
        rec = max(self.rec, when + delay)
        self.rec = rec
        clock.set_clock(lambda: rec)

    def ev(self, agg: Base, cls: Any, when: datetime, delay: timedelta = timedelta(minutes=3), **kw: Any) -> None:
        self.clock_at(when, delay)
        agg.trigger_event(cls, recorded_by="bench", occurred_at=when, **kw)


#: the paths, by i % 100
PATHS = (
    [("paid", 30), ("paid_late", 10), ("unpaid", 10), ("hearing", 8), ("major", 6), ("no_penalty", 8)]
    + [("withdrawn", 4), ("transfer", 3), ("transfer_late", 2), ("on_the_spot", 4), ("late_decision", 5)]
    + [("no_notice", 3), ("late_record", 2), ("intervention", 2), ("open", 3)]
)
PATH_OF = [name for name, n in PATHS for _ in range(n)]
assert len(PATH_OF) == 100


def build_case(world: World, i: int, n_cases: int) -> list[Base]:
    u = world.units[i % len(world.units)]
    path = PATH_OF[(i * 37) % 100]
    d0 = START + timedelta(days=(i * SPAN_DAYS) // max(1, n_cases))
    # One case in ten (and those decided without notice) comes from an older system's import,
    # where gate rules did not run: only these have officers whose certificates lapsed (A1, A2).
    nth = i // len(world.units)  # the unit's n-th case
    imported = nth % 10 == 0 or path == "no_notice"
    k = nth // 10 if imported else nth
    pool = OFFICERS_PER_UNIT if imported else VALID_OFFICERS
    hands = [u.officers[k % pool], u.officers[(k + 3) % pool]]
    person = path in ("hearing", "on_the_spot") or i % 5 == 0
    party = (
        {"kind": "person", "name": f"个人{i}", "id_number": f"4101021990{i:08d}"}
        if person
        else {"kind": "organisation", "name": f"某商贸有限公司{i}", "id_number": f"91410100{i:010d}"}
    )
    major = path == "major"
    simplified = path == "on_the_spot"
    filed = at(d0, 9, i % 50)
    hist = History(filed)
    hist.clock_at(filed)
    c: Case = Case._create(
        Case.Filed,
        id=uuid.uuid4(),
        recorded_by="bench",
        occurred_at=filed,
        unit_id=u.id,
        case_no=f"BR-{i}",
        matter_code="MR-0101",
        region=u.region,
        party=party,
        source=("inspection", "complaint", "referral", "other")[i % 4],
        summary="销售不合格产品",
        occurred_on=d0 - timedelta(days=10),
        discovered_on=d0 - timedelta(days=1),
        approved_by=u.head,
        handlers=hands,
        procedure="simplified" if simplified else "general",
        major=major,
        complex=False,
        imported=imported,
        amount_involved_fen=None,
        continuing_until=None,
        harm=None,
        filing_extension_approved_by=None,
    )
    hist.aggs.append(c)
    cid = str(c.id)

    def day(n: float, hour: int = 10, minute: int = 0) -> datetime:
        return at(d0 + timedelta(days=int(n)), hour, minute)

    # the investigation: 2 to 19 acts and pieces of evidence over the first days
    eids: list[str] = []
    steps = 2 + (i * 7) % 18
    for k in range(steps):
        when = day(k // 4, 10 + k % 4, 7 * (k % 8))
        delay = timedelta(days=5) if path == "late_record" and k == 1 else timedelta(minutes=3)
        if k % 3 == 1 or k == steps - 1 and not eids:
            eid = str(uuid.uuid4())
            eids.append(eid)
            hist.ev(
                c,
                Case.EvidenceCollected,
                when,
                delay,
                evidence_id=eid,
                kind=("physical", "documentary", "electronic")[k % 3],
                description="抽样产品",
                sha256=h(f"e{i}-{k}"),
                officers=hands,
                certificate_shown=True,
            )
        else:
            hist.ev(
                c,
                Case.ActRecorded,
                when,
                delay,
                type="inspection" if k % 3 == 0 else "inquiry",
                officers=hands,
                certificate_shown=True,
                record_sha256=h(f"a{i}-{k}"),
                av=None,
                signatures=None,
            )
    inv_end = steps // 4 + 1
    if path == "intervention":
        hist.ev(
            c,
            Case.InterventionRecorded,
            day(1, 16),
            official="某副县长",
            position="副县长",
            channel="phone",
            content="打招呼要求从轻处理",
        )
    if path == "open":
        return hist.aggs
    if path in ("transfer", "transfer_late"):
        # reported, then decided the next day (late: six days on, recorded days later still: F2, B5)
        tday = inv_end + (6 if path == "transfer_late" else 1)
        hist.ev(
            c,
            Case.TransferReported,
            day(inv_end, 9),
            timedelta(days=tday - inv_end + (12 if path == "transfer_late" else 0), hours=6),
            decided_at=day(tday),
            sent_at=day(tday, 12),
            to="public_security",
            documents=["transfer_letter", "investigation_report", "seized_items_list", "expert_reports"],
            approved=True,
            refusal_reason=None,
        )
        hist.ev(c, Case.Closed, day(tday + 14), reason="transferred")
        hist.ev(c, Case.Archived, day(tday + 15), file_sha256=h(f"f{i}"))
        return hist.aggs
    if path == "no_penalty":
        hist.ev(
            c,
            Case.ActRecorded,
            day(inv_end, 11),
            type="education",
            officers=hands,
            certificate_shown=True,
            record_sha256=h(f"edu{i}"),
            av=None,
            signatures=None,
        )
        hist.ev(
            c,
            Case.Decided,
            day(inv_end + 2),
            decision_no=f"BN-{i}",
            decided_by=u.head,
            outcome="no_penalty",
            penalties=[],
            legal_basis="《行政处罚法》第三十三条",
            evidence_ids=eids[:2],
            benchmark=None,
            payment=None,
            remedies={"reconsideration_days": 60, "litigation_months": 6},
            officers=[],
            certificate_shown=False,
            form_no=None,
            fine_id=None,
            hearing_record_cited=False,
        )
        _serve(hist, c, day(inv_end + 3), hands)
        hist.ev(c, Case.Closed, day(inv_end + 4), reason="no_penalty")
        hist.ev(c, Case.Archived, day(inv_end + 5), file_sha256=h(f"f{i}"))
        return hist.aggs

    # yuan 50 on the spot, 200,000 after a hearing, else 2,000 (a person: no hearing right, C5)
    # to 40,000 (an organisation: below the hearing threshold)
    amount = (
        5_000
        if simplified
        else 20_000_000
        if path == "hearing"
        else 200_000 * (1 + i % 3)
        if person and not imported
        else 500_000 * (1 + i % 8)
    )
    n = inv_end
    if path != "no_notice" and not simplified:
        hist.ev(
            c,
            Case.NoticeServed,
            day(n),
            officers=hands,
            facts="销售不合格产品",
            reasons="抽检产品不合格，违反产品质量法",
            legal_basis="《产品质量法》第四十九条",
            proposed=[{"type": "fine", "amount_fen": amount}],
            hearing_right=path == "hearing",
        )
        if path == "hearing":
            hist.ev(c, Case.HearingRequested, day(n + 2))
            hist.ev(
                c,
                Case.HearingHeld,
                day(n + 14),
                noticed_at=day(n + 3),
                host_id=u.officers[(i + 5) % OFFICERS_PER_UNIT],
                record_sha256=h(f"hr{i}"),
            )
            n += 14
        elif i % 2:
            hist.ev(c, Case.StatementReceived, day(n + 2), summary="当事人陈述申辩")
            hist.ev(c, Case.RecheckDone, day(n + 3), officers=hands, conclusion="维持")
        else:
            hist.ev(c, Case.StatementWaived, day(n + 1, 15))
    if simplified:
        hist.ev(
            c,
            Case.NoticeServed,
            day(n, 11),
            officers=hands,
            facts="销售不合格产品",
            reasons="当场查实",
            legal_basis="《产品质量法》第四十九条",
            proposed=[{"type": "fine", "amount_fen": amount}],
            hearing_right=False,
        )
        hist.ev(c, Case.StatementWaived, day(n, 11, 30))
    if path in ("hearing", "major"):
        hist.ev(
            c,
            Case.LegalReviewed,
            day(n + 5),
            reviewer_id=u.reviewer,
            result="passed",
            opinion="事实清楚，证据确凿",
            checklist=FULL_CHECKLIST,
        )
    if path == "major":
        hist.ev(
            c,
            Case.DiscussionHeld,
            day(n + 6),
            attendees=[u.head, u.head2],
            minutes_sha256=h(f"m{i}"),
            conclusion="同意处罚",
        )
    decided_n = 0 if simplified else n + (120 if path == "late_decision" else 8)
    decided = day(decided_n, 12 if simplified else 10)
    decision_no = f"BD-{i}"
    fid = Fine.id_for(u.id, decision_no)
    hist.ev(
        c,
        Case.Decided,
        decided,
        decision_no=decision_no,
        decided_by=u.head,
        outcome="penalty",
        penalties=[{"type": "fine", "amount_fen": amount}],
        legal_basis="《产品质量法》第四十九条",
        evidence_ids=eids[:3],
        benchmark={"version": "2025-1", "tier": "严重" if amount > 10_000_000 else "一般"},
        payment={"bank_code": u.bank, "surcharge": not simplified},
        remedies={
            "reconsideration_days": 60,
            "litigation_months": 6,
            "reconsideration_first": simplified and not imported,
        },
        officers=hands if simplified else [],
        certificate_shown=simplified,
        form_no=f"F{i}" if simplified else None,
        fine_id=str(fid),
        hearing_record_cited=path == "hearing",
    )
    hist.clock_at(decided)
    fine: Fine = Fine._create(
        Fine.Imposed,
        id=fid,
        recorded_by="bench",
        occurred_at=decided,
        case_id=cid,
        unit_id=u.id,
        decision_no=decision_no,
        amount_fen=amount,
        bank_code=u.bank,
        surcharge=not simplified,
    )
    hist.aggs.append(fine)
    served = day(decided_n, 13) if simplified else day(decided_n + 2)
    _serve(hist, c, served, hands, "on_the_spot" if simplified else "direct")
    due = deadline(served.date(), LAW.payment).last_day
    hist.ev(fine, Fine.DueDateSet, served, served_on=served.date(), due_on=due)
    last = served
    if path != "no_notice" or i % 2:
        hist.ev(c, Case.Disclosed, served + timedelta(days=3), channel="政府网站")
        last = served + timedelta(days=3)
    if path == "withdrawn":
        hist.ev(c, Case.DisclosureWithdrawn, served + timedelta(days=40), reason="决定被复议机关变更")
    if simplified:
        spot = served + timedelta(minutes=10)
        hist.ev(
            fine,
            Fine.CollectedOnTheSpot,
            spot,
            receipt_no=f"财{i}",
            amount_fen=amount,
            officers=hands,
            remote_area=False,
            reason=None,
            hard_to_collect=None,
        )
        handed = 2 if i % 3 else 12  # one in three hands the cash over late (D6)
        hist.ev(fine, Fine.CashHandedOver, at(spot.date() + timedelta(days=handed), 9))
        hist.ev(fine, Fine.CashDeposited, at(spot.date() + timedelta(days=handed + 1), 10), bank_code=u.bank)
        paid = at(spot.date() + timedelta(days=handed + 1), 16)
        hist.ev(fine, Fine.RemittedToTreasury, paid, bank_code=u.bank, voucher_no=f"GK{i}", amount_fen=amount)
        hist.ev(c, Case.FineSettled, paid, fine_id=str(fid))
        last = paid
    elif path == "unpaid":
        hist.ev(fine, Fine.DemandServed, at(due + timedelta(days=20)))
        last = at(due + timedelta(days=20))
        court = due + timedelta(days=200)
        if i % 2 and court < date(2026, 11, 1):
            hist.ev(fine, Fine.CourtEnforcementApplied, at(court))
            last = at(court)
    else:
        paid = at(due + timedelta(days=25) if path == "paid_late" else served.date() + timedelta(days=5), 11)
        hist.ev(fine, Fine.PaymentReceived, paid, bank_code=u.bank, receipt_no=f"R{i}", amount_fen=amount)
        remit = at(paid.date() + timedelta(days=1), 16)
        hist.ev(fine, Fine.RemittedToTreasury, remit, bank_code=u.bank, voucher_no=f"GK{i}", amount_fen=amount)
        hist.ev(c, Case.FineSettled, paid, fine_id=str(fid))
        last = max(last, remit)
    if path != "unpaid":
        close = last + timedelta(days=3)
        hist.ev(c, Case.Closed, close, reason="executed")
        if path != "late_decision" or i % 2:
            hist.ev(c, Case.Archived, close + timedelta(days=1), file_sha256=h(f"f{i}"))
    return hist.aggs


def _serve(hist: History, c: Case, when: datetime, hands: list[str], method: str = "direct") -> None:
    hist.ev(
        c,
        Case.DecisionServed,
        when,
        method=method,
        officers=hands,
        party_consent=False,
        receipt_on=None,
        confirmation_sha256=None,
        disclosure_told=True,
    )


def load(app: Oversight, world: World) -> tuple[int, int]:
    """Case histories until N events, INTERLEAVE cases at a time, each batch in recording order."""
    to_stored = app.mapper.to_stored_event
    n_cases = max(1, N // 22)  # about 22 events a case: spreads the filings over SPAN_DAYS
    total, i = 0, 0
    while total < N:
        events: list[Any] = []
        for _ in range(INTERLEAVE):
            for agg in build_case(world, i, n_cases):
                events.extend(agg.collect_events())
            i += 1
        events.sort(key=lambda e: e.timestamp)  # stable: an aggregate's versions stay in order
        events = events[: N - total]
        rows = [to_stored(e) for e in events]
        for j in range(0, len(rows), 2000):
            app.recorder.insert_events(rows[j : j + 2000])
        total += len(rows)
    clock.set_clock(None)
    return total, i


# ------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Server:
    def __init__(self, url: str, env: dict[str, str], log_path: str) -> None:
        self.port = free_port()
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        cmd = [
            sys.executable,
            "-m",
            "scripts.cli",
            "serve",
            "--db",
            url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline_ = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {log_path}")
            try:
                status, _, _ = get(self.conn(), "/readyz")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline_:
                raise RuntimeError(f"the server did not become ready; see {log_path}")
            time.sleep(0.5)

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    return r.status, body, r


def q(path: str, **params: Any) -> str:
    params = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def time_route(server: Server, path: str, headers: dict[str, str], expect: int = 200) -> dict[str, Any]:
    """p50/p95 over REPS requests of one client (after one warm-up), and p95 with CONCURRENCY
    clients sending REPS requests each."""
    conn = server.conn()
    status, body, _ = get(conn, path, headers)
    if status != expect:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    single = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        status, body, _ = get(conn, path, headers)
        single.append((time.perf_counter() - t0) * 1000)
        assert status == expect, (path, status)
    conn.close()
    conc: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        c = server.conn()
        mine = []
        for _ in range(REPS):
            t0 = time.perf_counter()
            st, _, _ = get(c, path, headers)
            mine.append((time.perf_counter() - t0) * 1000)
            assert st == expect, (path, st)
        c.close()
        with lock:
            conc.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "p50_ms": round(statistics.median(single), 2),
        "p95_ms": round(pct(single, 95), 2),
        f"p95_ms_{CONCURRENCY}_clients": round(pct(conc, 95), 2),
        "bytes": len(body),
    }


def deep_cursor(server: Server, path: str, headers: dict[str, str], key: str = "next_cursor") -> tuple[str, int]:
    """Follow next_cursor DEEP pages from ``path``; the path of the deepest page reached."""
    conn = server.conn()
    cur, pages = path, 0
    for _ in range(DEEP):
        status, body, _ = get(conn, cur, headers)
        assert status == 200, (cur, status, body[:200])
        nxt = json.loads(body).get(key)
        if not nxt:
            break
        sep = "&" if "?" in path else "?"
        cur = path + sep + urllib.parse.urlencode({"cursor": nxt})
        pages += 1
    conn.close()
    return cur, pages


def time_csv(server: Server, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """One full export, streamed and counted as it arrives; the server's RSS before, at its peak
    (sampled every 50 ms) and after."""
    before = server.rss()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], server.rss())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    conn = server.conn()
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    assert r.status == 200, (path, r.status)
    lines, size, first = 0, 0, None
    while chunk := r.read(65536):
        if first is None:
            first = time.perf_counter() - t0
        lines += chunk.count(b"\n")
        size += len(chunk)
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    conn.close()
    after = server.rss()
    rows = max(0, lines - 1)  # the header; no cell here holds a newline
    return {
        "rows": rows,
        "seconds": round(elapsed, 3),
        "rows_per_s": round(rows / elapsed, 1) if elapsed else None,
        "first_byte_ms": round((first or 0) * 1000, 1),
        "mb": round(size / 1e6, 2),
        "rss_mb_before": round(before, 1),
        "rss_mb_peak": round(peak[0], 1),
        "rss_mb_after": round(after, 1),
    }


# ------------------------------------------------------------------------------ the run


def db_baseline(app: Oversight) -> dict[str, float]:
    """The database's own floor: a trivial indexed SELECT … LIMIT 50 on the events table."""
    cfg = app.store
    table = f'"{cfg.pg_schema}".{cfg.events_table}'
    times = []
    with psycopg.connect(cfg.pg_conninfo()) as con:
        head = int(con.execute(f"SELECT max(notification_id) FROM {table}").fetchone()[0])  # type: ignore[index]
        for k in range(REPS + 1):
            start = (k * 7919) % max(1, head - 100)
            t0 = time.perf_counter()
            rows = con.execute(
                f"SELECT notification_id, originator_id, originator_version, topic, state FROM {table} "
                "WHERE notification_id > %s ORDER BY notification_id LIMIT 50",
                (start,),
            ).fetchall()
            if k:
                times.append((time.perf_counter() - t0) * 1000)
            assert len(rows) == 50
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(pct(times, 95), 3)}


def sizes(engine: Any) -> dict[str, int]:
    from projections.audit_tables import acts, disclosures, facts, findings, ledger, scores
    from projections.case_index import CaseIndex

    out = {}
    with engine.connect() as conn:
        for name, t in (
            ("cases", CaseIndex.cases),
            ("facts", facts),
            ("findings", findings),
            ("acts", acts),
            ("ledger", ledger),
            ("scores", scores),
            ("disclosures", disclosures),
        ):
            out[name] = int(conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one())  # noqa: S608
        out["faults"] = int(conn.execute(text("SELECT count(*) FROM projection_faults")).scalar_one())
    return out


def in_process(engine: Any, unit: str) -> dict[str, float]:
    """Where a page's time goes, in this process: the report function (SQL and shaping) and
    FastAPI's jsonable_encoder of its answer (what a route declared with response_model=None
    runs before json.dumps), against orjson of the same answer. Medians of 10."""
    from fastapi.encoders import jsonable_encoder

    from projections import reports

    now = datetime.now(CHINA)
    out: dict[str, float] = {}
    for name, fn in (
        ("findings_page(limit=500)", lambda: reports.findings_page(engine, as_of=now, limit=500)),
        ("findings_page(unit, limit=500)", lambda: reports.findings_page(engine, as_of=now, limit=500, unit_id=unit)),
        ("counts_by_rule", lambda: reports.counts_by_rule(engine, as_of=now)),
        ("officers_page(limit=50)", lambda: reports.officers_page(engine, unit_id=None, as_of=now, limit=50)),
        ("fines_report(limit=500)", lambda: reports.fines_report(engine, None, now)),
        ("unit_totals", lambda: reports.unit_totals(engine, None, now)),
        ("public_disclosures(limit=50)", lambda: reports.public_disclosures(engine, as_of=now, limit=50)),
    ):
        answer = fn()
        for label, f in (
            (name, fn),
            (f"  jsonable_encoder of {name.split('(')[0]}", lambda a=answer: jsonable_encoder(a)),
        ):
            xs = []
            for _ in range(10):
                t0 = time.perf_counter()
                f()
                xs.append((time.perf_counter() - t0) * 1000)
            out[label] = round(statistics.median(xs), 2)
        t0 = time.perf_counter()
        orjson.dumps(answer)
        out[f"  orjson of {name.split('(')[0]}"] = round((time.perf_counter() - t0) * 1000, 2)
    return out


def pick(engine: Any, world: World) -> dict[str, str]:
    """Ids to ask about: the first unit, its busiest officer, a decided case with findings."""
    from projections.audit_tables import acts, findings

    unit = world.units[0].id
    with engine.connect() as conn:
        officer = conn.execute(
            text(
                f'SELECT officer_id FROM "{acts.name}" WHERE unit_id = :u '  # noqa: S608
                "GROUP BY officer_id ORDER BY count(*) DESC LIMIT 1"
            ),
            {"u": unit},
        ).scalar_one()
        case = conn.execute(
            text(f'SELECT case_id FROM "{findings.name}" WHERE unit_id = :u AND case_id IS NOT NULL LIMIT 1'),  # noqa: S608
            {"u": unit},
        ).scalar_one()
    return {"unit": unit, "officer": str(officer), "case": str(case)}


def main() -> None:
    schema = "benchr_" + uuid.uuid4().hex[:8]
    url = f"{PG_URL}?schema={schema}"
    tmp = tempfile.mkdtemp(prefix="bench_reports_")
    if "OVERSIGHT_SIGNING_KEY" not in os.environ:  # a throw-away checkpoint key for this run
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = os.path.join(tmp, "signing.key")
        with open(key, "wb") as f:
            f.write(
                Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        os.environ["OVERSIGHT_SIGNING_KEY"] = key
    app = Oversight(url)
    server: Server | None = None
    out: dict[str, Any] = {"schema": schema if KEEP else None}
    try:
        t0 = time.perf_counter()
        world = setup_world(app)
        total, n_cases = load(app, world)
        load_s = time.perf_counter() - t0
        clock.set_clock(None)
        auditor = str(app.grant_principal(SYSTEM, name="bench-auditor", role="auditor")["token"])
        supervisor = str(app.grant_principal(SYSTEM, name="bench-supervisor", role="supervisor")["token"])
        head = app.max_position()
        print(f"loaded {total:,} case events ({head:,} in all, {n_cases:,} cases, {UNITS} units) in {load_s:.1f} s")

        engine = make_engine(app.store)
        runner = build_runner(app.recorder, app.mapper, engine, page_size=PAGE)
        t0 = time.perf_counter()
        last = [t0]

        def progress(n: int, pos: int) -> None:
            if time.perf_counter() - last[0] > 60:
                last[0] = time.perf_counter()
                print(f"  rebuild at {pos:,} of {head:,}: {pos / (last[0] - t0):,.0f} events/s", flush=True)

        runner.run_until_head(progress)
        rebuild_s = time.perf_counter() - t0
        assert runner.position() == head, (runner.position(), head)
        rebuild_eps = head / rebuild_s
        tables = sizes(engine)
        ids = pick(engine, world)
        t0 = time.perf_counter()
        with engine.begin() as conn:  # what autovacuum does within minutes of a rebuild
            conn.execute(text("ANALYZE"))
        analyze_s = time.perf_counter() - t0
        engine.dispose()
        engine = make_engine(app.store, reports=True)  # as the server reads the reports
        inproc = in_process(engine, ids["unit"])
        engine.dispose()
        print(
            f"rebuilt {', '.join(p.name for p in runner.projections)} in {rebuild_s:.1f} s: {rebuild_eps:,.0f} events/s"
        )
        print("read tables: " + ", ".join(f"{k} {v:,}" for k, v in tables.items()))
        print(f"ANALYZE in {analyze_s:.1f} s; in the bench process, the report functions and FastAPI's encoder:")
        for k, v in inproc.items():
            print(f"  {k:<40} p50 {v:>8.2f} ms")

        base = db_baseline(app)
        out["db_select_limit50_before"] = base
        print(
            f"database floor (indexed SELECT … LIMIT 50 on the events): "
            f"p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms"
        )

        env = dict(os.environ)
        env["PYTHONPATH"] = ROOT
        env.pop("OVERSIGHT_ADMIN_TOKEN", None)
        server = Server(url, env, os.path.join(tmp, "server.log"))
        auth = {"Authorization": f"Bearer {auditor}"}
        sup = {"Authorization": f"Bearer {supervisor}"}
        u, o, c = ids["unit"], ids["officer"], ids["case"]
        routes: dict[str, dict[str, Any]] = {}

        def route(name: str, path: str, headers: dict[str, str] = auth, expect: int = 200) -> None:
            r = time_route(server, path, headers, expect)
            r["path"] = path if len(path) < 120 else path[:117] + "…"
            routes[name] = r
            print(
                f"  {name:<28} p50 {r['p50_ms']:>8.2f} ms  p95 {r['p95_ms']:>8.2f} ms  "
                f"p95×{CONCURRENCY} {r[f'p95_ms_{CONCURRENCY}_clients']:>8.2f} ms  {r['bytes']:>9,} B"
            )

        def deep(name: str, path: str, headers: dict[str, str] = auth) -> None:
            p, pages = deep_cursor(server, path, headers)
            route(name, p, headers)
            routes[name]["depth_pages"] = pages

        print("routes (single client over", REPS, "requests; p95 of", CONCURRENCY, "concurrent clients):")
        route("healthz (framework floor)", "/healthz", {})
        route("findings", q("/v1/audits/findings", limit=500))
        route("findings rule=C12", q("/v1/audits/findings", limit=500, rule="C12"))
        route("findings unit", q("/v1/audits/findings", limit=500, unit_id=u))
        route("findings unit+rule=A2", q("/v1/audits/findings", limit=500, unit_id=u, rule="A2"))
        route("findings severity=critical", q("/v1/audits/findings", limit=500, severity="critical"), sup)
        deep("findings deep", q("/v1/audits/findings", limit=500))
        deep("findings unit deep", q("/v1/audits/findings", limit=500, unit_id=u))
        route("findings counts", "/v1/audits/findings/counts")
        route("findings counts unit", q("/v1/audits/findings/counts", unit_id=u))
        route("officers", q("/v1/audits/officers", limit=50))
        route("officers unit", q("/v1/audits/officers", unit_id=u))
        deep("officers deep", q("/v1/audits/officers", limit=20))
        route("officer acts", f"/v1/audits/officers/{o}/acts")
        deep("officer acts deep", f"/v1/audits/officers/{o}/acts")
        route("fines (units + fines)", "/v1/audits/fines")
        route("fines unit", q("/v1/audits/fines", unit_id=u))
        route("fines unit totals", q("/v1/audits/fines", limit=1))
        deep("fines deep", "/v1/audits/fines")
        route("scorecard unit", f"/v1/audits/units/{u}/scorecard")
        deep("scorecard unit deep", f"/v1/audits/units/{u}/scorecard")
        route("case audit", f"/v1/audits/cases/{c}")
        route("cases", q("/v1/cases", limit=50))
        route("cases unit+status", q("/v1/cases", limit=50, unit_id=u, status="archived"))
        deep("cases deep", q("/v1/cases", limit=50))
        route("public disclosures", q("/v1/public/disclosures", limit=50), {})
        hc = server.conn()
        _, _, resp = get(hc, q("/v1/public/disclosures", limit=50))
        etag = resp.getheader("ETag") or ""
        hc.close()
        route("public disclosures 304", q("/v1/public/disclosures", limit=50), {"If-None-Match": etag}, 304)
        deep("public disclosures deep", q("/v1/public/disclosures", limit=50), {})

        print(f"CSV exports (the median of {CSV_RUNS} full exports each; server RSS before / peak / after):")
        exports: dict[str, dict[str, Any]] = {}
        for name, path in (
            ("findings", q("/v1/audits/findings", format="csv")),
            ("fines", q("/v1/audits/fines", format="csv")),
            ("officers", q("/v1/audits/officers", format="csv")),
        ):
            runs = sorted((time_csv(server, path, auth) for _ in range(CSV_RUNS)), key=lambda r: r["seconds"])
            e = dict(runs[len(runs) // 2])  # the median run; memory over every run
            e["rows_per_s_runs"] = [r["rows_per_s"] for r in runs]
            e["rss_mb_before"] = min(r["rss_mb_before"] for r in runs)
            e["rss_mb_peak"] = max(r["rss_mb_peak"] for r in runs)
            exports[name] = e
            print(
                f"  {name:<10} {e['rows']:>9,} rows in {e['seconds']:>7.2f} s = {e['rows_per_s'] or 0:>9,.0f} rows/s"
                f"  first byte {e['first_byte_ms']} ms  {e['mb']} MB  RSS {e['rss_mb_before']} / "
                f"{e['rss_mb_peak']} / {e['rss_mb_after']} MB"
            )

        after = db_baseline(app)
        print(f"database floor after the routes: p50 {after['p50_ms']} ms, p95 {after['p95_ms']} ms")
        out["db_select_limit50_after"] = after
        if after["p50_ms"] < base["p50_ms"]:
            base = after
        pages = {k: v for k, v in routes.items() if not k.startswith(("healthz", "public disclosures 304"))}
        for r in routes.values():
            r["over_db_p50"] = round(r["p50_ms"] / base["p50_ms"], 1) if base["p50_ms"] else None
        slow = sorted(pages, key=lambda k: -pages[k]["p95_ms"])
        big = [e for e in exports.values() if e["rows"] >= 1000]
        targets = {
            "pages_p95_under_100ms": all(r["p95_ms"] < PAGE_P95_MS for r in pages.values()),
            "pages_p95_under_100ms_concurrent": all(
                r[f"p95_ms_{CONCURRENCY}_clients"] < PAGE_P95_MS for r in pages.values()
            ),
            "public_disclosures_under_20ms": routes["public disclosures"]["p95_ms"] < PUBLIC_P95_MS,
            "csv_50k_rows_per_s": all((e["rows_per_s"] or 0) >= CSV_ROWS_PER_S for e in big),
            "csv_flat_memory": all(e["rss_mb_peak"] - e["rss_mb_before"] < FLAT_RSS_MB for e in exports.values()),
        }
        targets["all"] = all(targets.values())
        print("slowest pages (p95): " + ", ".join(f"{k} {pages[k]['p95_ms']} ms" for k in slow[:5]))
        print("targets: " + ", ".join(f"{k} {v}" for k, v in targets.items()))
        out.update(
            {
                "events": head,
                "case_events": total,
                "cases": n_cases,
                "units": UNITS,
                "load_s": round(load_s, 1),
                "load_events_per_s": round(total / load_s, 1),
                "rebuild_s": round(rebuild_s, 1),
                "rebuild_events_per_s": round(rebuild_eps, 1),
                "read_tables": tables,
                "db_select_limit50": base,
                "in_process_ms": inproc,
                "routes": routes,
                "csv": exports,
                "server_rss_mb_end": round(server.rss(), 1),
                "slowest": slow[:5],
                "targets_met": targets,
            }
        )
    finally:
        if server is not None:
            server.stop()
        app.close()
        if not KEEP:
            with psycopg.connect(PG_URL, autocommit=True) as con:
                con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
