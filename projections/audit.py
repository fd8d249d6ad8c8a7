"""The whole-process record audit: per-case facts built from the log, and the audit rules of
RULES.md as pure functions of those facts, the officers' histories and ``as_of``.

Findings that follow from the events alone are stored (recomputed for every case a page
touches). Findings that depend on the clock (a deadline passed with no event) or on another
aggregate's history (an officer's certificate at the act's instant) are computed when a report
is asked for, by the same functions, so stored and computed findings never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, delete, select
from sqlalchemy.engine import Connection

from domain.benchmark import Benchmark
from domain.calendar import CHINA, add_months, add_working_days, china_date, is_workday, working_days_between
from domain.case import Case
from domain.fine import Fine, surcharge_fen
from domain.inspection import ALGORITHM, Inspection, draw, register_sha256
from domain.money import fen_to_yuan
from domain.officer import CertState, Officer, certificate_state
from domain.rules import LAW, RULES
from domain.unit import Unit

from .runner import Item, SqlProjection

#: bump when stored facts or findings change shape or meaning: the new version is built beside
#: the old one and takes over when it reaches the head (projections/runner.py)
VERSION = 2
metadata = MetaData()
case_facts = Table(
    f"p_audit_v{VERSION}_cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("facts", Text, nullable=False),
    Column("last_position", BigInteger, nullable=False),
)
officer_facts = Table(
    f"p_audit_v{VERSION}_officers",
    metadata,
    Column("officer_id", String(36), primary_key=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("facts", Text, nullable=False),
)
fine_facts = Table(
    f"p_audit_v{VERSION}_fines",
    metadata,
    Column("fine_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("facts", Text, nullable=False),
)
benchmark_facts = Table(
    f"p_audit_v{VERSION}_benchmarks",
    metadata,
    Column("benchmark_id", String(36), primary_key=True),
    Column("facts", Text, nullable=False),
)
inspection_facts = Table(
    f"p_audit_v{VERSION}_inspections",
    metadata,
    Column("inspection_id", String(36), primary_key=True),
    Column("unit_id", String(36), nullable=False, index=True),
    Column("facts", Text, nullable=False),
)
unit_facts = Table(
    f"p_audit_v{VERSION}_units",
    metadata,
    Column("unit_id", String(36), primary_key=True),
    Column("facts", Text, nullable=False),
)
findings = Table(
    f"p_audit_v{VERSION}_findings",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("rule", String(8), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("unit_id", String(36), nullable=False),
    Column("officer_id", String(36)),
    Column("message", Text, nullable=False),
    Column("events", Text, nullable=False),
    Column("detected_at", String(40), nullable=False),
    Index(f"ix_audit_v{VERSION}_findings_unit_rule", "unit_id", "rule"),
)

SEVERITY = {
    "A1": "critical",
    "A2": "critical",
    "A3": "major",
    "A5": "critical",
    "A6": "minor",
    "A7": "critical",
    "A8": "minor",
    "B1": "major",
    "B2": "major",
    "B3": "minor",
    "B4": "critical",
    "B5": "minor",
    "B6": "major",
    "C1": "critical",
    "C2": "minor",
    "C3": "critical",
    "C4": "major",
    "C5": "critical",
    "C6": "major",
    "C7": "major",
    "C8": "critical",
    "C9": "minor",
    "C12": "major",
    "C13": "major",
    "C17": "minor",
    "D2": "minor",
    "D6": "major",
    "D8": "info",
    "E3": "major",
    "E7": "minor",
    "E8": "major",
    "F2": "major",
    "G3": "minor",
    "H1": "major",
    "F1": "critical",
    "G4": "major",
    "J1": "minor",
    "A10": "major",
    "C10": "major",
    "C16": "major",
    "J2": "minor",
    "F3": "major",
    "D3": "major",
    "D4": "major",
    "D5": "major",
    "D7": "major",
    "E2": "major",
    "D1": "critical",
    "C14": "critical",
    "A9": "major",
    "A4": "major",
    "C11": "major",
    "D10": "minor",
    "D9": "major",
    "E1": "major",
    "E4": "major",
    "I1": "major",
    "G2": "major",
}
ON_SITE = ("inspection", "inquiry")
COERCIVE = ("sealing", "seizure", "detention")
SIGNED_RECORDS = ("on_site_record", "sealing", "seizure", "detention")
CHECKLIST = ("authority", "qualification", "procedure", "facts", "law", "benchmark", "crime")


def _enc(o: Any) -> Any:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def dumps(d: dict[str, Any]) -> str:
    return orjson.dumps(d, default=_enc).decode()


def dt(s: str) -> datetime:
    return datetime.fromisoformat(s)


def d_(s: str) -> date:
    return date.fromisoformat(s)


# ------------------------------------------------------------------ facts from events
def _ref(e: Any) -> dict[str, Any]:
    return {"v": e.originator_version, "at": e.occurred_at.isoformat(), "rec": e.timestamp.isoformat()}


def apply_case(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    """Fold one case event into the case's facts (a plain JSON document)."""
    if isinstance(e, Case.Filed):
        return {
            "case_id": str(e.originator_id),
            "unit_id": e.unit_id,
            "case_no": e.case_no,
            "matter_code": e.matter_code,
            "region": e.region,
            "party_kind": e.party.get("kind"),
            "party_name": e.party.get("name"),
            "procedure": e.procedure,
            "major": e.major,
            "complex": e.complex,
            "imported": e.imported,
            "amount_involved_fen": e.amount_involved_fen,
            "revoked": None,
            "occurred_on": e.occurred_on.isoformat(),
            "discovered_on": e.discovered_on.isoformat(),
            "handlers": e.handlers,
            "filed": _ref(e),
            "events": [_ev(e)],
            "acts": [],
            "evidence": {},
            "notices": [],
            "statements": [],
            "rechecks": [],
            "hearing": {},
            "reviews": [],
            "discussions": [],
            "decision": None,
            "service": None,
            "disclosure": None,
            "withdrawal": None,
            "transfer": None,
            "interventions": [],
            "remedies": [],
            "suspensions": [],
            "closure": None,
            "archive": None,
        }
    if f is None:
        return None
    f["events"].append(_ev(e))
    r = _ref(e)
    if isinstance(e, Case.ActRecorded):
        f["acts"].append(
            r
            | {
                "type": e.type,
                "officers": e.officers,
                "shown": e.certificate_shown,
                "record": e.record_sha256,
                "av": e.av,
                "sig": e.signatures,
            }
        )
    elif isinstance(e, Case.EvidenceCollected):
        f["evidence"][e.evidence_id] = r | {"kind": e.kind, "officers": e.officers, "status": "collected"}
    elif isinstance(e, Case.EvidenceAssessed):
        if e.evidence_id in f["evidence"]:
            f["evidence"][e.evidence_id]["status"] = e.status
    elif isinstance(e, Case.NoticeServed):
        f["notices"].append(r | {"officers": e.officers, "proposed": e.proposed, "hearing_right": e.hearing_right})
    elif isinstance(e, Case.StatementReceived):
        f["statements"].append(r)
    elif isinstance(e, Case.RecheckDone):
        f["rechecks"].append(r | {"officers": e.officers})
    elif isinstance(e, Case.HearingRequested):
        f["hearing"]["requested"] = r
    elif isinstance(e, Case.HearingHeld):
        f["hearing"]["held"] = r | {"host": e.host_id}
    elif isinstance(e, Case.HearingWaived):
        f["hearing"]["waived"] = r
    elif isinstance(e, Case.LegalReviewed):
        f["reviews"].append(r | {"result": e.result, "reviewer": e.reviewer_id, "checklist": e.checklist})
    elif isinstance(e, Case.DiscussionHeld):
        f["discussions"].append(r)
    elif isinstance(e, Case.Decided):
        f["decision"] = r | {
            "outcome": e.outcome,
            "penalties": e.penalties,
            "evidence_ids": e.evidence_ids,
            "remedies": e.remedies,
            "fine_id": e.fine_id,
            "officers": e.officers,
            "decision_no": e.decision_no,
            "hearing_record_cited": e.hearing_record_cited,
            "legal_basis": e.legal_basis,
            "payment": e.payment,
            "benchmark": e.benchmark,
        }
    elif isinstance(e, Case.DecisionServed):
        f["service"] = r | {"method": e.method, "consent": e.party_consent, "officers": e.officers}
    elif isinstance(e, Case.Disclosed):
        f["disclosure"] = r | {"channel": e.channel}
        f["withdrawal"] = None
    elif isinstance(e, Case.DecisionRevoked):
        f["revoked"] = r | {"by": e.revoked_by}
    elif isinstance(e, Case.DisclosureWithdrawn):
        f["withdrawal"] = r | {"reason": e.reason}
    elif isinstance(e, Case.TransferReported):
        f["transfer"] = r | {
            "decided": e.decided_at.isoformat() if e.decided_at else None,
            "sent": e.sent_at.isoformat() if e.sent_at else None,
            "approved": e.approved,
            "documents": e.documents,
        }
    elif isinstance(e, Case.InterventionRecorded):
        f["interventions"].append(r | {"official": e.official, "position": e.position, "channel": e.channel})
    elif isinstance(e, Case.RemedySought):
        f["remedies"].append(r | {"kind": e.kind, "until": None, "result": None})
    elif isinstance(e, Case.RemedyConcluded):
        for rem in f["remedies"]:
            if rem["kind"] == e.kind and rem["until"] is None:
                rem["until"], rem["result"] = e.occurred_at.isoformat(), e.result
    elif isinstance(e, Case.ExecutionSuspended):
        f["suspensions"].append(r | {"ground": e.ground, "basis": e.basis, "resumed": None})
    elif isinstance(e, Case.ExecutionResumed):
        for sus in f["suspensions"]:
            sus["resumed"] = sus["resumed"] or e.occurred_at.isoformat()
    elif isinstance(e, Case.Closed):
        f["closure"] = r | {"reason": e.reason}
    elif isinstance(e, Case.Archived):
        f["archive"] = r
    return f


def _ev(e: Any) -> dict[str, Any]:
    return {
        "v": e.originator_version,
        "type": type(e).__name__,
        "at": e.occurred_at.isoformat(),
        "rec": e.timestamp.isoformat(),
    }


def apply_officer(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    if isinstance(e, Officer.Registered):
        return {
            "officer_id": str(e.originator_id),
            "unit_id": e.unit_id,
            "name": e.name,
            "kind": e.kind,
            "employment": e.employment,
            "legal_qualification": e.legal_qualification,
            "reviewer_since": e.reviewer_since.isoformat() if e.reviewer_since else None,
            "exams": [],
            "certs": [],
            "validations": [],
            "status_changes": [],
            "trainings": [],
            "v": e.originator_version,
        }
    if f is None:
        return None
    f["v"] = e.originator_version
    if isinstance(e, Officer.ExamTaken):
        f.setdefault("exams", []).append({"on": e.taken_on.isoformat(), "passed": e.passed})
    elif isinstance(e, Officer.CertificateIssued):
        f["certs"].append(
            {
                "number": e.number,
                "fields": e.fields,
                "areas": e.areas,
                "valid_from": e.valid_from.isoformat(),
                "valid_until": e.valid_until.isoformat(),
                "v": e.originator_version,
            }
        )
    elif isinstance(e, Officer.CertificateValidated):
        f["validations"].append({"year": e.year, "passed": e.passed, "on": e.on.isoformat(), "v": e.originator_version})
    elif isinstance(e, Officer.CertificateSuspended):
        f["status_changes"].append({"kind": "suspended", "at": e.occurred_at.isoformat()})
    elif isinstance(e, Officer.CertificateReinstated):
        f["status_changes"].append({"kind": "reinstated", "at": e.occurred_at.isoformat()})
    elif isinstance(e, Officer.QualificationRevoked):
        f["status_changes"].append({"kind": "revoked", "at": e.occurred_at.isoformat()})
    elif isinstance(e, Officer.TrainingRecorded):
        f["trainings"].append({"on": e.on.isoformat(), "hours": e.hours, "v": e.originator_version})
    return f


def apply_fine(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    if isinstance(e, Fine.Imposed):
        return {
            "fine_id": str(e.originator_id),
            "case_id": e.case_id,
            "unit_id": e.unit_id,
            "decision_no": e.decision_no,
            "amount_fen": e.amount_fen,
            "bank": e.bank_code,
            "surcharge": e.surcharge,
            "decided_at": e.occurred_at.isoformat(),
            "served_on": None,
            "due_on": None,
            "paid_fen": 0,
            "payments": [],
            "cash": [],
            "deferral_until": None,
            "demand": None,
            "court": None,
            "remedies": [],
            "remittances": [],
            "v": 1,
        }
    if f is None:
        return None
    f["v"] = e.originator_version
    if isinstance(e, Fine.DueDateSet):
        f["served_on"], f["due_on"] = e.served_on.isoformat(), e.due_on.isoformat()
    elif isinstance(e, Fine.PaymentReceived):
        f["paid_fen"] += e.amount_fen
        f["payments"].append(
            {
                "v": e.originator_version,
                "at": e.occurred_at.isoformat(),
                "amount_fen": e.amount_fen,
                "receipt": e.receipt_no,
                "bank": e.bank_code,
            }
        )
    elif isinstance(e, Fine.CollectedOnTheSpot):
        f["paid_fen"] += e.amount_fen
        f["cash"].append(
            {
                "v": e.originator_version,
                "at": e.occurred_at.isoformat(),
                "amount_fen": e.amount_fen,
                "handed": None,
                "deposited": None,
                "receipt": e.receipt_no,
                "remote": e.remote_area,
                "reason": e.reason,
            }
        )
    elif isinstance(e, Fine.CashHandedOver):
        for c in f["cash"]:
            c["handed"] = c["handed"] or {"v": e.originator_version, "at": e.occurred_at.isoformat()}
    elif isinstance(e, Fine.CashDeposited):
        for c in f["cash"]:
            if c["handed"] and not c["deposited"]:
                c["deposited"] = {"v": e.originator_version, "at": e.occurred_at.isoformat()}
    elif isinstance(e, Fine.DeferralApproved):
        f["deferral_until"] = e.until.isoformat()
        f["deferral"] = {
            "v": e.originator_version,
            "at": e.occurred_at.isoformat(),
            "applied": e.applied_at.isoformat() if e.applied_at else None,
        }
    elif isinstance(e, Fine.DemandServed):
        f["demand"] = {"v": e.originator_version, "at": e.occurred_at.isoformat()}
    elif isinstance(e, Fine.CourtEnforcementApplied):
        f["court"] = {"v": e.originator_version, "at": e.occurred_at.isoformat()}
    elif isinstance(e, Fine.RemedyPending):
        f["remedies"].append({"from": china_date(e.occurred_at).isoformat(), "until": None})
    elif isinstance(e, Fine.RemedyEnded):
        for rem in f["remedies"]:
            rem["until"] = rem["until"] or china_date(e.occurred_at).isoformat()
    elif isinstance(e, Fine.Voided):
        f["void"] = {"v": e.originator_version, "at": e.occurred_at.isoformat()}
    elif isinstance(e, Fine.RemittedToTreasury):
        f["remittances"].append(
            {
                "v": e.originator_version,
                "at": e.occurred_at.isoformat(),
                "amount_fen": e.amount_fen,
                "voucher": e.voucher_no,
            }
        )
    return f


def fine_pauses(fine: dict[str, Any]) -> list[tuple[date, date | None]]:
    """The days a reconsideration or suit was pending, when the surcharge does not run (D8)."""
    return [(d_(r["from"]), d_(r["until"]) if r["until"] else None) for r in fine.get("remedies", [])]


def apply_benchmark(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    if isinstance(e, Benchmark.Started):
        return {"matter_code": e.matter_code, "versions": []}
    if f is None:
        return None
    if isinstance(e, Benchmark.VersionPublished):
        f["versions"].append(
            {
                "version": e.version,
                "min": e.statutory_min_fen,
                "max": e.statutory_max_fen,
                "tiers": e.tiers,
                "effective_from": e.effective_from.isoformat(),
                "published_at": e.published_at.isoformat(),
            }
        )
    return f


def apply_unit(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    if isinstance(e, Unit.Registered):
        return {"unit_id": str(e.originator_id), "code": e.code, "name": e.name, "region": e.region, "matters": []}
    if f is None:
        return None
    if isinstance(e, Unit.PowersListed):
        f["matters"] = list(e.matters)
    elif isinstance(e, Unit.EnforcementPowerDeclared):
        f["own_enforcement"] = e.own
    return f


def draw_reproducible(e: Any) -> bool:
    """Whether a recorded draw is what its algorithm, seed and registers give (I1)."""
    teams: dict[str, list[str]] = e.assignments
    sizes = {len(team) for team in teams.values()}
    return (
        e.algorithm == ALGORITHM
        and bool(e.seed)
        and len(sizes) == 1
        and register_sha256(e.targets_register) == e.targets_register_sha256
        and register_sha256(e.inspectors_register) == e.inspectors_register_sha256
        and draw(e.seed, e.targets_register, e.inspectors_register, len(teams), sizes.pop()) == teams
    )


def apply_inspection(f: dict[str, Any] | None, e: Any) -> dict[str, Any] | None:
    if isinstance(e, Inspection.Drawn):
        # The registers stay in the event; the facts keep the verdict of redoing the draw.
        return {
            "inspection_id": str(e.originator_id),
            "unit_id": e.unit_id,
            "task": e.task,
            "reproducible": draw_reproducible(e),
            "assignments": e.assignments,
            "drawn": _ref(e),
            "results": {},
            "publications": [],
        }
    if f is None:
        return None
    if isinstance(e, Inspection.ResultRecorded):
        f["results"][e.target] = _ref(e) | {"officers": e.officers, "outcome": e.outcome}
    elif isinstance(e, Inspection.ResultsPublished):
        f["publications"].append(_ref(e))
    return f


# ------------------------------------------------------------------ the rules
@dataclass
class Ctx:
    """What a rule may look at besides the case's own facts."""

    as_of: datetime | None = None  # None: only findings that follow from the events alone
    officers: dict[str, dict[str, Any]] | None = None  # None: skip certificate checks
    fines: dict[str, dict[str, Any]] | None = None
    unit: dict[str, Any] | None = None
    benchmarks: dict[str, dict[str, Any]] | None = None  # by matter code


# Rules that count working days (RULES.md "Counting days"): outside the years the official
# calendar knows, Monday–Friday is assumed, and the finding says so.
WORKING_DAY_RULES = frozenset({"B5", "B6", "C2", "C5", "C13", "D6", "D9", "E3", "G3", "G4"})
CALENDAR_NOTE = " (working days approximated as Monday–Friday: a date lies outside the official holiday calendar)"


def finding(
    rule: str,
    f: dict[str, Any],
    message: str,
    versions: Sequence[int],
    *,
    officer_id: str | None = None,
    detected_at: str | None = None,
    aggregate_id: str | None = None,
    severity: str | None = None,
) -> dict[str, Any]:
    detected = detected_at or f["events"][-1]["rec"]
    if rule in WORKING_DAY_RULES:
        by_version = {e["v"]: e["at"] for e in f["events"]}
        dates = [by_version[v] for v in versions if aggregate_id is None and v in by_version] + [detected]
        if any(is_workday(china_date(dt(d)))[1] for d in dates):
            message += CALENDAR_NOTE
    return _record(
        rule,
        f["case_id"],
        f["unit_id"],
        officer_id,
        message,
        aggregate_id or f["case_id"],
        versions,
        detected,
        severity,
    )


def _record(
    rule: str,
    case_id: str | None,
    unit_id: str,
    officer_id: str | None,
    message: str,
    aggregate_id: str,
    versions: Sequence[int | None],
    detected_at: str,
    severity: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A finding as the reports answer it (API.md), whatever it is about."""
    return {
        "rule": rule,
        "severity": severity or SEVERITY.get(rule, "major"),
        "case_id": case_id,
        **extra,
        "unit_id": unit_id,
        "officer_id": officer_id,
        "message": message,
        "citation": RULES[rule].citation,
        "events": [{"aggregate_id": aggregate_id, "version": v} for v in versions if v is not None],
        "detected_at": detected_at,
    }


Rule = Callable[[dict[str, Any], Ctx], Iterator[dict[str, Any]]]
EVENT_RULES: list[Rule] = []
TIMED_RULES: list[Rule] = []  # need ctx.as_of
CONTEXT_RULES: list[Rule] = []  # need other histories: ctx.officers, ctx.benchmarks


def event_rule(fn: Rule) -> Rule:
    EVENT_RULES.append(fn)
    return fn


def timed_rule(fn: Rule) -> Rule:
    TIMED_RULES.append(fn)
    return fn


def context_rule(fn: Rule) -> Rule:
    CONTEXT_RULES.append(fn)
    return fn


def _wd(a: str, b: str) -> int:
    return working_days_between(china_date(dt(a)), china_date(dt(b)))[0]


def _days_since(a: str, as_of: datetime) -> int:
    return (china_date(as_of) - china_date(dt(a))).days


@event_rule
def a3_certificate_shown_and_record(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for a in f["acts"]:
        if a["type"] in ON_SITE and not (a["shown"] and a["record"]):
            missing = [x for x, ok in (("certificate shown", a["shown"]), ("written record", a["record"])) if not ok]
            yield finding("A3", f, f"{a['type']} without " + " and ".join(missing), [a["v"]])


@event_rule
def b2_av_record_of_coercive_acts(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for a in f["acts"]:
        if a["type"] in COERCIVE:
            av = a["av"]
            if not av or not (dt(av["start"]) <= dt(a["at"]) <= dt(av["end"])):
                yield finding("B2", f, f"{a['type']} without an audio-video record covering it", [a["v"]])


@event_rule
def b3_on_site_record_signed(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for a in f["acts"]:
        if a["type"] in SIGNED_RECORDS:
            sig = a["sig"] or {}
            if not (sig.get("officers") and (sig.get("party") or sig.get("refusal_noted") or sig.get("witness"))):
                yield finding(
                    "B3",
                    f,
                    "on-site record not signed by the party (or refusal/witness noted) and the officers",
                    [a["v"]],
                )


@event_rule
def b5_recorded_promptly(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    bound = int(LAW.extra.get("b5_working_days", 3))
    if f.get("imported"):
        return  # the old system's recording times are unknown: the import time is not one
    for e in f["events"]:
        at, rec = dt(e["at"]), dt(e["rec"])
        late = (rec - at).days > bound
        if late and working_days_between(china_date(at), china_date(rec), stop_after=bound)[0] > bound:
            yield finding("B5", f, f"{e['type']} recorded {(rec - at).days} days after it happened", [e["v"]])


@event_rule
def c1_time_bar(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec = f["decision"]
    if dec and dec["outcome"] == "penalty" and (d_(f["discovered_on"]) - d_(f["occurred_on"])).days > 730:
        yield finding("C1", f, "penalty for a violation undiscovered for more than 2 years", [dec["v"]])


@event_rule
def c2_filed_promptly(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    n, _approx = working_days_between(d_(f["discovered_on"]), china_date(dt(f["filed"]["at"])))
    if n > 15:
        yield finding("C2", f, f"filed {n} working days after discovery (15 allowed)", [1])


@event_rule
def gates_rechecked(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    """Gate rules, re-checked for histories imported without gates (no-ops for gated ones)."""
    dec = f["decision"]
    if not dec or dec["outcome"] != "penalty":
        return
    at = dt(dec["at"])
    notices = [n for n in f["notices"] if dt(n["at"]) <= at]
    if not notices:
        yield finding("C3", f, "penalty decided without a served notice", [dec["v"]])
    for s in f["statements"]:
        if not any(dt(s["at"]) <= dt(r["at"]) <= at for r in f["rechecks"]):
            yield finding("C4", f, "a statement was not re-checked before the decision", [s["v"], dec["v"]])
    h = f["hearing"]
    if h.get("requested") and not h.get("held") and not h.get("waived"):
        yield finding("C5", f, "decided while a requested hearing was not held", [h["requested"]["v"], dec["v"]])
    if (f["complex"] or f["major"]) and not any(dt(d["at"]) <= at for d in f["discussions"]):
        yield finding("C7", f, "complex or major case decided without collective discussion", [dec["v"]])
    if f["major"] or f["complex"] or h.get("held"):
        before = [r for r in f["reviews"] if dt(r["at"]) <= at]
        if not before or before[-1]["result"] != "passed":
            yield finding("C8", f, "major decision without a passed legal review", [dec["v"]])
    for eid in dec["evidence_ids"]:
        ev = f["evidence"].get(eid)
        if ev and ev["status"] in ("illegal", "unverified"):
            yield finding("B4", f, f"decision cites {ev['status']} evidence", [ev["v"], dec["v"]])


@event_rule
def more_gates_rechecked(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    """A10, C10, C16, J2, F3 for histories imported without gates."""
    investigators = {o for a in f["acts"] for o in a["officers"]} | {
        o for e in f["evidence"].values() for o in e["officers"]
    }
    for r in f["reviews"]:
        if r["reviewer"] in f["handlers"] or r["reviewer"] in investigators:
            yield finding(
                "A10", f, "the legal reviewer handled or investigated the case", [r["v"]], officer_id=r["reviewer"]
            )
    held = f["hearing"].get("held")
    if held and held["host"] in investigators:
        yield finding("A10", f, "the hearing host investigated the case", [held["v"]], officer_id=held["host"])
    tr = f["transfer"]
    if tr and tr["approved"]:
        missing = [d for d in LAW.transfer_documents if d not in (tr.get("documents") or [])]
        if missing:
            yield finding("F3", f, "transfer package lacks: " + ", ".join(missing), [tr["v"]])
    decisions = [e for e in f["events"] if e["type"] == "Decided"]
    if len(decisions) > 1:
        yield finding(
            "C14", f, f"{len(decisions)} decisions on one case: the same act decided again", [e["v"] for e in decisions]
        )
    dec = f["decision"]
    if not dec or dec["outcome"] != "penalty":
        return
    fine_fen = sum(int(p.get("amount_fen") or 0) for p in dec["penalties"] if p["type"] == "fine")
    pay = dec.get("payment") or {}
    if (
        not dec["penalties"]
        or not (dec.get("legal_basis") or "").strip()
        or not dec["evidence_ids"]
        or (fine_fen and (not pay.get("bank_code") or pay.get("surcharge") is None))
    ):
        yield finding(
            "C10",
            f,
            "the decision lacks required contents (penalty, legal basis, evidence, or "
            "a fine's bank and surcharge terms)",
            [dec["v"]],
        )
    if f["procedure"] == "simplified":
        person = f.get("party_kind") == "person"
        limit = LAW.simplified_max_fen_person if person else LAW.simplified_max_fen_organisation
        if fine_fen > limit or any(p["type"] not in ("warning", "fine") for p in dec["penalties"]):
            yield finding("C16", f, "simplified procedure beyond a warning or its fine limit", [dec["v"]])
        if not (dec.get("remedies") or {}).get("reconsideration_first"):
            yield finding("J2", f, "on-the-spot decision does not state reconsideration comes first", [dec["v"]])


@event_rule
def c6_decision_on_hearing_record(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    held, dec = f["hearing"].get("held"), f["decision"]
    if held and dec and dec["outcome"] == "penalty" and not dec.get("hearing_record_cited"):
        yield finding("C6", f, "decision after a hearing does not rest on the hearing record", [held["v"], dec["v"]])


@event_rule
def c9_review_checklist(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for r in f["reviews"]:
        missing = [k for k in CHECKLIST if not (r["checklist"] or {}).get(k)]
        if missing:
            yield finding(
                "C9", f, "legal review does not cover: " + ", ".join(missing), [r["v"]], officer_id=r["reviewer"]
            )


@event_rule
def c12_decided_within_90_days(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec = f["decision"]
    if dec and (china_date(dt(dec["at"])) - china_date(dt(f["filed"]["at"]))).days > 90:
        yield finding("C12", f, "decided more than 90 days after filing", [dec["v"]])


@event_rule
def c13_served_within_7_working_days(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec, srv = f["decision"], f["service"]
    if dec and srv:
        n = _wd(dec["at"], srv["at"])
        if n > 7:
            yield finding("C13", f, f"served {n} working days after the decision", [dec["v"], srv["v"]])
        if srv["method"] == "electronic" and not srv["consent"]:
            yield finding("C13", f, "electronic service without the party's consent", [srv["v"]])


@event_rule
def c17_education_after_no_penalty(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec = f["decision"]
    if dec and dec["outcome"] == "no_penalty" and f["closure"] and not any(a["type"] == "education" for a in f["acts"]):
        yield finding("C17", f, "no-penalty case closed without education of the party", [f["closure"]["v"]])


@event_rule
def e7_no_enforcement_at_night_or_on_holidays(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for a in f["acts"]:
        if a["type"] in COERCIVE:
            local = dt(a["at"]).astimezone(CHINA)
            if local.hour >= 22 or local.hour < 6 or not is_workday(local.date())[0]:
                yield finding("E7", f, f"{a['type']} at night or on a holiday ({local:%Y-%m-%d %H:%M})", [a["v"]])


@event_rule
def f2_transfer_timing(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    t = f["transfer"]
    if not t:
        return
    if t["decided"] and (dt(t["decided"]) - dt(t["at"])) > timedelta(days=3):
        yield finding("F2", f, "transfer report decided more than 3 days after it was made", [t["v"]])
    if t["approved"] and t["decided"] and (not t["sent"] or dt(t["sent"]) - dt(t["decided"]) > timedelta(hours=24)):
        yield finding("F2", f, "approved transfer not sent to the police within 24 hours", [t["v"]])


@event_rule
def h1_interventions(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    for i in f["interventions"]:
        yield finding("H1", f, f"intervention by {i['official']} ({i['position']}) via {i['channel']}", [i["v"]])


def _pending_at(f: dict[str, Any], when: str) -> dict[str, Any] | None:
    """The reconsideration or suit pending at ``when`` (ISO time), if any."""
    t = dt(when)
    for r in f.get("remedies", []):
        if dt(r["at"]) <= t and (r["until"] is None or dt(r["until"]) > t):
            return r
    return None


_SUSPENDING_BODY = {"reconsideration_organ": "reconsideration", "court": "litigation"}


@event_rule
def e1_remedy_does_not_suspend(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    """E1 (处罚法 73): a reconsideration or suit does not suspend the penalty; execution stops
    only on a decision of the respondent, the reconsideration organ or the court during the
    remedy (复议法 42, 诉讼法 56), or where a law says so."""
    for sus in f.get("suspensions", []):
        pending = _pending_at(f, sus["at"])
        if sus["ground"] == "pending_remedy":
            what = f"a {pending['kind']} was pending" if pending else "a remedy was sought"
            yield finding(
                "E1", f, f"execution suspended because {what}: a remedy does not suspend the penalty", [sus["v"]]
            )
        elif sus["ground"] in ("respondent", "reconsideration_organ", "court") and pending is None:
            yield finding(
                "E1",
                f,
                f"execution suspended by the {sus['ground']} with no reconsideration or suit pending",
                [sus["v"]],
            )
        elif sus["ground"] in _SUSPENDING_BODY and pending and pending["kind"] != _SUSPENDING_BODY[sus["ground"]]:
            yield finding(
                "E1", f, f"execution suspended by the {sus['ground']} while a {pending['kind']} was pending", [sus["v"]]
            )


@event_rule
def j1_remedies_stated(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec = f["decision"]
    if dec and dec["outcome"] == "penalty":
        r = dec["remedies"] or {}
        if int(r.get("reconsideration_days") or 0) < 60 or int(r.get("litigation_months") or 0) < 6:
            yield finding(
                "J1", f, "decision does not state reconsideration (60 days) and litigation (6 months)", [dec["v"]]
            )


@event_rule
def g3_disclosed_within_7_working_days(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    dec, dis = f["decision"], f["disclosure"]
    if dec and dec["outcome"] == "penalty" and dis and _wd(dec["at"], dis["at"]) > 7:
        yield finding("G3", f, "penalty decision disclosed more than 7 working days after it", [dec["v"], dis["v"]])


@event_rule
def f1_transfer_not_fine(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    """以罚代刑: a case at or over its matter's prosecution threshold decided with a penalty
    instead of being transferred."""
    threshold = LAW.prosecution_thresholds_fen.get(f["matter_code"])
    amount, dec, tr = f.get("amount_involved_fen"), f["decision"], f["transfer"]
    if threshold and amount is not None and amount >= threshold and dec and dec["outcome"] == "penalty":
        if not (tr and tr["approved"]):
            yield finding(
                "F1", f, "amount involved meets the prosecution threshold: penalised, not transferred", [dec["v"]]
            )


def _g4_due(f: dict[str, Any]) -> date | None:
    rv, dis = f.get("revoked"), f["disclosure"]
    if not rv or not dis or dt(dis["at"]) > dt(rv["at"]):
        return None
    return add_working_days(china_date(dt(rv["at"])), LAW.withdrawal_working_days)[0]


@event_rule
def g4_withdrawn_late(f: dict[str, Any], _: Ctx) -> Iterator[dict[str, Any]]:
    due, w = _g4_due(f), f.get("withdrawal")
    if due and w and china_date(dt(w["at"])) > due:
        yield finding("G4", f, f"disclosure of a revoked decision withdrawn after {due}", [f["revoked"]["v"], w["v"]])


# ---- time-driven: a deadline passed with no event, relative to as_of
@timed_rule
def b1_stages_present(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    if not f["archive"] and not f["closure"]:
        return
    missing = [s["stage"] for s in stages(f) if not s["present"] and s["required"]]
    if missing:
        yield finding("B1", f, "closed case lacks stages: " + ", ".join(missing), [(f["archive"] or f["closure"])["v"]])


@timed_rule
def c12_open_too_long(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    if not f["decision"] and not f["closure"] and not f["transfer"] and _days_since(f["filed"]["at"], ctx.as_of) > 90:
        yield finding("C12", f, "no decision 90 days after filing", [1], detected_at=ctx.as_of.isoformat())


@timed_rule
def c13_not_served(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    dec = f["decision"]
    if dec and not f["service"]:
        last, _ = add_working_days(china_date(dt(dec["at"])), 7)
        if china_date(ctx.as_of) > last:
            yield finding("C13", f, f"decision not served by {last}", [dec["v"]], detected_at=ctx.as_of.isoformat())


@timed_rule
def g3_not_disclosed(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    dec = f["decision"]
    if dec and dec["outcome"] == "penalty" and not f["disclosure"]:
        last, _ = add_working_days(china_date(dt(dec["at"])), 7)
        if china_date(ctx.as_of) > last:
            yield finding(
                "G3", f, f"penalty decision not disclosed by {last}", [dec["v"]], detected_at=ctx.as_of.isoformat()
            )


@timed_rule
def g4_not_withdrawn(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    due = _g4_due(f)
    if due and not f.get("withdrawal") and china_date(ctx.as_of) > due:
        yield finding(
            "G4",
            f,
            f"disclosure of a revoked decision not withdrawn by {due}",
            [f["revoked"]["v"]],
            detected_at=ctx.as_of.isoformat(),
        )


@timed_rule
def b6_preservation_disposed(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    for a in f["acts"]:
        if a["type"] != "registration_preservation":
            continue
        last, _ = add_working_days(china_date(dt(a["at"])), 7)
        disposal = next((x for x in f["acts"] if x["type"] == "preservation_disposal" and x["at"] >= a["at"]), None)
        end = china_date(dt(disposal["at"])) if disposal else china_date(ctx.as_of)
        if end > last:
            yield finding(
                "B6", f, f"preserved evidence not disposed of by {last}", [a["v"]], detected_at=ctx.as_of.isoformat()
            )


@timed_rule
def e8_sealing_within_30_days(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.as_of is not None
    for a in f["acts"]:
        if a["type"] not in ("sealing", "seizure"):
            continue
        release = next((x for x in f["acts"] if x["type"] == "release" and x["at"] >= a["at"]), None)
        end = dt(release["at"]) if release else ctx.as_of
        if (china_date(end) - china_date(dt(a["at"]))).days > 30:
            yield finding("E8", f, f"{a['type']} lasted more than 30 days", [a["v"]], detected_at=ctx.as_of.isoformat())


@timed_rule
def fine_rules(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    """D2, D6, E3 over the case's fine (the fine's own events); and the gate rules D3, D4, D5,
    D7, E2 re-checked for imported fines."""
    assert ctx.as_of is not None
    fine = (ctx.fines or {}).get((f["decision"] or {}).get("fine_id") or "")
    if not fine:
        return
    fid = fine["fine_id"]
    for c in fine["cash"]:
        if not (c.get("receipt") or "").strip():
            yield finding(
                "D5", f, "on-the-spot collection without a finance receipt number", [c["v"]], aggregate_id=fid
            )
        if c.get("remote"):
            if not (c.get("reason") or "").strip():
                yield finding(
                    "D4", f, "remote-area collection without the party's request recorded", [c["v"]], aggregate_id=fid
                )
        elif f["procedure"] != "simplified" or fine["amount_fen"] > LAW.on_the_spot_max_fen and not c.get("reason"):
            yield finding(
                "D3",
                f,
                "on-the-spot collection outside the simplified procedure's conditions",
                [c["v"]],
                aggregate_id=fid,
            )
    for p in fine["payments"]:
        if not (p.get("receipt") or "").strip():
            yield finding("D10", f, "bank payment without a receipt number", [p["v"]], aggregate_id=fid)
        if p.get("bank") and p["bank"] != fine["bank"]:
            yield finding(
                "D1",
                f,
                f"payment recorded by {p['bank']}, not the designated bank {fine['bank']}",
                [p["v"]],
                aggregate_id=fid,
            )
    d = fine.get("deferral")
    if d and (not d["applied"] or d["applied"] > d["at"]):
        yield finding(
            "D7", f, "deferral or instalments without the party's prior application", [d["v"]], aggregate_id=fid
        )
    if fine["court"] and (not fine["demand"] or fine["demand"]["at"] > fine["court"]["at"]):
        yield finding(
            "E2",
            f,
            "court enforcement applied for without a served demand (催告)",
            [fine["court"]["v"]],
            aggregate_id=fid,
        )
    today = china_date(ctx.as_of)
    if fine["due_on"]:
        due = d_(fine["due_on"])
        if fine["deferral_until"] and d_(fine["deferral_until"]) > due:
            due = d_(fine["deferral_until"])
        late = [p for p in fine["payments"] if china_date(dt(p["at"])) > due]
        for p in late:
            yield finding("D2", f, f"paid after the due date {due}", [p["v"]], aggregate_id=fid)
        if fine["paid_fen"] < fine["amount_fen"] and today > due and not (f["revoked"] or fine.get("void")):
            yield finding(
                "D2",
                f,
                f"unpaid after the due date {due}",
                [fine["v"]],
                aggregate_id=fid,
                detected_at=ctx.as_of.isoformat(),
            )
    for c in fine["cash"]:
        limit, _ = add_working_days(china_date(dt(c["at"])), 2)
        handed = china_date(dt(c["handed"]["at"])) if c["handed"] else today
        if handed > limit:
            yield finding("D6", f, f"on-the-spot cash not handed to the unit by {limit}", [c["v"]], aggregate_id=fid)
        if c["handed"]:
            limit2, _ = add_working_days(china_date(dt(c["handed"]["at"])), 2)
            dep = china_date(dt(c["deposited"]["at"])) if c["deposited"] else today
            if dep > limit2:
                yield finding(
                    "D6", f, f"cash not deposited at the bank by {limit2}", [c["handed"]["v"]], aggregate_id=fid
                )
    yield from _d8_surcharge(f, fine)
    yield from _d9_treasury(f, fine, today, ctx.as_of)
    owed = not f["revoked"] and not fine.get("void")
    if ctx.unit is not None and not ctx.unit.get("own_enforcement") and fine["served_on"] and owed:
        yield from _e4_court_window(f, fine, today, ctx.as_of)
    if fine["court"] and fine["demand"]:
        n = _wd(fine["demand"]["at"], fine["court"]["at"])
        if n < 10:
            yield finding(
                "E3",
                f,
                f"court application {n} working days after the demand (10 required)",
                [fine["court"]["v"]],
                aggregate_id=fid,
            )


def _d8_surcharge(f: dict[str, Any], fine: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """D8 over a settled fine: the surcharge the decision provided for had accrued by the final
    payment but was not collected (info); or more than the fine and the surcharge due was
    collected, or any surcharge where the decision set none (major)."""
    received = sorted(
        [(p["at"], p["amount_fen"], p["v"]) for p in fine["payments"]]
        + [(c["at"], c["amount_fen"], c["v"]) for c in fine["cash"]]
    )
    if not received or fine["paid_fen"] < fine["amount_fen"] or not fine["due_on"]:
        return
    at, last_amount, v = received[-1]
    before = fine["amount_fen"] - (fine["paid_fen"] - last_amount)
    due = surcharge_fen(
        applies=fine["surcharge"],
        amount_fen=fine["amount_fen"],
        outstanding_fen=max(before, 0),
        due_on=d_(fine["due_on"]),
        deferral_until=d_(fine["deferral_until"]) if fine["deferral_until"] else None,
        as_of=dt(at),
        paused=fine_pauses(fine),
    )
    excess = fine["paid_fen"] - fine["amount_fen"]
    fid = fine["fine_id"]
    if excess > due:
        what = f"the {fen_to_yuan(due)} yuan surcharge due" if fine["surcharge"] else "no surcharge (none was decided)"
        yield finding(
            "D8",
            f,
            f"{fen_to_yuan(excess)} yuan collected beyond the fine; {what}",
            [v],
            aggregate_id=fid,
            severity="major",
        )
    elif due > 0 and excess < due:
        yield finding(
            "D8",
            f,
            f"a surcharge of {fen_to_yuan(due)} yuan had accrued when the fine was paid on {china_date(dt(at))}; "
            f"{fen_to_yuan(max(excess, 0))} yuan of it was collected",
            [v],
            aggregate_id=fid,
        )


def _d9_treasury(f: dict[str, Any], fine: dict[str, Any], today: date, as_of: datetime) -> Iterator[dict[str, Any]]:
    """D9: every amount the bank received (its payments, and cash deposited with it) reaches
    the treasury within ``treasury_remittance_working_days``; remittances cover receipts in order."""
    fid = fine["fine_id"]
    received = [(p["at"], p["amount_fen"], p["v"]) for p in fine["payments"]] + [
        (c["deposited"]["at"], c["amount_fen"], c["deposited"]["v"]) for c in fine["cash"] if c["deposited"]
    ]
    remitted = sorted((r["at"], r["amount_fen"]) for r in fine.get("remittances", []))
    cumulative = 0
    for at, amount, v in sorted(received):
        cumulative += amount
        deadline, _ = add_working_days(china_date(dt(at)), LAW.treasury_remittance_working_days)
        total, covered = 0, None
        for r_at, r_amount in remitted:
            total += r_amount
            if total >= cumulative:
                covered = china_date(dt(r_at))
                break
        if covered is None and today > deadline:
            yield finding(
                "D9",
                f,
                f"{fen_to_yuan(amount)} yuan received on {china_date(dt(at))} not in the treasury by {deadline}",
                [v],
                aggregate_id=fid,
                detected_at=as_of.isoformat(),
            )
        elif covered is not None and covered > deadline:
            yield finding(
                "D9",
                f,
                f"{fen_to_yuan(amount)} yuan received on {china_date(dt(at))} reached the treasury on {covered}, "
                f"after {deadline}",
                [v],
                aggregate_id=fid,
            )


def _e4_court_window(f: dict[str, Any], fine: dict[str, Any], today: date, as_of: datetime) -> Iterator[dict[str, Any]]:
    """E4 (强制法 53) for a unit without its own enforcement power: the court application comes
    after the period for suing ends (6 months after service) or, where a remedy was sought,
    after it ended; within 3 months of that; and never while a remedy is pending."""
    fid = fine["fine_id"]
    period_end = add_months(d_(fine["served_on"]), LAW.suing_period_months)
    start = period_end
    for r in f.get("remedies", []):
        if r["until"]:
            start = max(start, china_date(dt(r["until"])))
    if fine.get("deferral_until"):
        start = max(start, d_(fine["deferral_until"]))
    window_end = add_months(start, LAW.court_application_months)
    court = fine["court"]
    if court:
        day = china_date(dt(court["at"]))
        pending = _pending_at(f, court["at"])
        if pending:
            yield finding(
                "E4",
                f,
                f"court enforcement applied for while a {pending['kind']} was pending",
                [court["v"]],
                aggregate_id=fid,
            )
        elif day <= start:
            yield finding(
                "E4",
                f,
                f"court enforcement applied for on {day}, before the period for suing"
                f"{' (or the remedy)' if start != period_end else ''} ended on {start}",
                [court["v"]],
                aggregate_id=fid,
            )
        elif day > window_end:
            yield finding(
                "E4",
                f,
                f"court enforcement applied for on {day}, after the 3-month window ended on {window_end}",
                [court["v"]],
                aggregate_id=fid,
            )
        return
    remedy_open = any(r["until"] is None for r in f.get("remedies", []))
    if fine["paid_fen"] < fine["amount_fen"] and today > window_end and not remedy_open:
        yield finding(
            "E4",
            f,
            f"unpaid, and no court enforcement applied for by {window_end} (3 months after {start})",
            [fine["v"]],
            aggregate_id=fid,
            detected_at=as_of.isoformat(),
        )


# ---- depending on officers' histories: certificates at each act's instant
def officer_cert(o: dict[str, Any], t: datetime) -> CertState:
    return certificate_state(
        [{**c, "valid_from": d_(c["valid_from"]), "valid_until": d_(c["valid_until"])} for c in o["certs"]],
        [{**v, "on": d_(v["on"])} for v in o["validations"]],
        [{**s, "at": dt(s["at"])} for s in o["status_changes"]],
        t,
    )


def acting_checks(f: dict[str, Any], ctx: Ctx) -> Iterator[tuple[dict[str, Any], str, CertState | None]]:
    """(act, officer id, certificate state at the act) for every officer on every act."""
    assert ctx.officers is not None
    acts = (
        list(f["acts"])
        + [dict(e, type="evidence") for e in f["evidence"].values()]
        + [dict(n, type="notice") for n in f["notices"]]
    )
    if f["service"] and f["service"]["method"] in ("direct", "on_the_spot"):
        acts.append(dict(f["service"], type="service"))
    for a in acts:
        for oid in a["officers"]:
            o = ctx.officers.get(oid)
            yield a, oid, (officer_cert(o, dt(a["at"])) if o and o["kind"] != "auxiliary" else None)


@context_rule
def a1_a2_a5_a7_certified_officers(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.officers is not None
    by_act: dict[int, list[tuple[str, CertState | None]]] = {}
    acts: dict[int, dict[str, Any]] = {}
    for a, oid, st in acting_checks(f, ctx):
        by_act.setdefault(a["v"], []).append((oid, st))
        acts[a["v"]] = a
    unit_region = (ctx.unit or {}).get("region", f["region"])
    for v, officers in by_act.items():
        a = acts[v]
        valid = 0
        for oid, st in officers:
            if st is None:
                continue
            if st.status in ("suspended", "revoked"):
                yield finding(
                    "A7", f, f"{a['type']} by an officer whose certificate was {st.status}", [v], officer_id=oid
                )
            elif st.status != "valid":
                yield finding(
                    "A2", f, f"{a['type']} by an officer without a valid certificate ({st.status})", [v], officer_id=oid
                )
            elif not st.covers(f["matter_code"], unit_region):
                yield finding("A2", f, f"{a['type']} outside the certificate's fields or areas", [v], officer_id=oid)
            else:
                valid += 1
        if all(st is None for _, st in officers):
            yield finding("A5", f, f"{a['type']} by auxiliary staff only", [v])
        elif valid < 2 and a["type"] not in ("recheck",):
            yield finding("A1", f, f"{a['type']} by {valid} certified officer(s); two are required", [v])


@context_rule
def a9_reviewer_qualification(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    assert ctx.officers is not None
    for r in f["reviews"]:
        o = ctx.officers.get(r["reviewer"])
        if o is None or o.get("legal_qualification", True):
            continue
        first = d_(o["reviewer_since"]) if o.get("reviewer_since") else china_date(dt(r["at"]))
        if first >= LAW.legal_review_qualification_from:
            yield finding(
                "A9",
                f,
                "legal review by a reviewer without the legal-profession qualification",
                [r["v"]],
                officer_id=r["reviewer"],
            )


@context_rule
def c11_g2_benchmark(f: dict[str, Any], ctx: Ctx) -> Iterator[dict[str, Any]]:
    """C11 and G2 re-checked for imported fine decisions: the benchmark version in force on the
    decision date, published before it, the fine within the statutory and tier ranges."""
    dec = f["decision"]
    if not dec or dec["outcome"] != "penalty" or ctx.benchmarks is None:
        return
    fine_fen = sum(int(p.get("amount_fen") or 0) for p in dec["penalties"] if p["type"] == "fine")
    if not fine_fen:
        return
    day = china_date(dt(dec["at"]))
    versions = [
        v for v in (ctx.benchmarks.get(f["matter_code"]) or {}).get("versions", []) if d_(v["effective_from"]) <= day
    ]
    v = max(versions, key=lambda v: v["effective_from"]) if versions else None
    choice = dec.get("benchmark") or {}
    if v is None:
        yield finding("C11", f, "no discretion benchmark in force for the matter", [dec["v"]])
        return
    if choice.get("version") != v["version"]:
        yield finding(
            "C11", f, f"decision names benchmark {choice.get('version')}, not {v['version']} in force", [dec["v"]]
        )
        return
    if dt(v["published_at"]) > dt(dec["at"]):
        yield finding("G2", f, f"benchmark {v['version']} was not yet published", [dec["v"]])
    tier = next((t for t in v["tiers"] if t["tier"] == choice.get("tier")), None)
    if not v["min"] <= fine_fen <= v["max"]:
        yield finding("C11", f, "fine outside the statutory range", [dec["v"]])
    elif tier is None or (
        not tier["min_fen"] <= fine_fen <= tier["max_fen"] and not (choice.get("reason") or "").strip()
    ):
        yield finding("C11", f, "fine outside the benchmark tier without a written reason", [dec["v"]])


def _a4(o: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    for c in o["certs"]:
        if o["kind"] == "auxiliary" or o["employment"] != "established":
            yield c, f"certificate {c['number']} issued to {o['employment']} {o['kind']} staff"
        elif not any(x["passed"] and x["on"] <= c["valid_from"] for x in o.get("exams", [])):
            yield c, f"certificate {c['number']} issued without an earlier passed exam"


def a4_certificates(o: dict[str, Any]) -> list[str]:
    """A4 over an officer's history: certificates issued to anyone but established staff with an
    earlier passed exam (for officer histories imported without gates)."""
    return [message for _, message in _a4(o)]


def _midnight(d: date) -> str:
    return datetime(d.year, d.month, d.day, tzinfo=CHINA).isoformat()


def officer_finding(
    rule: str, o: dict[str, Any], message: str, versions: Sequence[int | None], detected: date, severity: str = ""
) -> dict[str, Any]:
    """A finding about an officer rather than a case (A4, A6, A8): ``case_id`` is null and the
    events are the officer's."""
    oid = o["officer_id"]
    return _record(rule, None, o["unit_id"], oid, message, oid, versions, _midnight(detected), severity or None)


def officer_findings(o: dict[str, Any], as_of: datetime) -> list[dict[str, Any]]:
    """A4, A6 and A8 over one officer's history as of ``as_of``.

    A6: a valid certificate expiring within the warning period, or its yearly validation due
    within it (minor), overdue or failed (major). A8: each complete calendar year in which the
    officer held a certificate all year with fewer training hours than required.
    """
    today = china_date(as_of)
    out = [officer_finding("A4", o, message, [c.get("v")], d_(c["valid_from"])) for c, message in _a4(o)]
    if o["kind"] == "auxiliary" or not o["certs"]:
        return out
    warn = timedelta(days=LAW.certificate_warning_days)
    cert = officer_cert(o, as_of)
    issued = next((c for c in o["certs"] if c["number"] == cert.number), None)
    if cert.status in ("valid", "unvalidated") and cert.valid_from and cert.valid_until and issued:
        if cert.status == "valid" and cert.valid_until - today <= warn:
            out.append(
                officer_finding(
                    "A6",
                    o,
                    f"certificate {cert.number} expires on {cert.valid_until}",
                    [issued.get("v")],
                    max(cert.valid_until - warn, cert.valid_from),
                )
            )
        anchor = max(cert.valid_from, cert.last_validation or cert.valid_from)
        last = [v for v in o["validations"] if d_(v["on"]) <= today]
        latest = max(last, key=lambda v: v["on"]) if last else None
        ref = [latest.get("v")] if latest else [issued.get("v")]
        due = add_months(anchor, LAW.validation_months)
        failed = [v for v in last if not v["passed"] and d_(v["on"]) >= anchor]
        if failed:
            out.append(
                officer_finding(
                    "A6",
                    o,
                    f"yearly validation failed on {failed[-1]['on']}",
                    [failed[-1].get("v")],
                    d_(failed[-1]["on"]),
                    "major",
                )
            )
        elif today > due:
            out.append(
                officer_finding(
                    "A6", o, f"yearly validation overdue since {due}", ref, due + timedelta(days=1), "major"
                )
            )
        elif due - today <= warn and due <= cert.valid_until:
            out.append(officer_finding("A6", o, f"yearly validation due by {due}", ref, max(due - warn, anchor)))
    required = LAW.training_hours_per_year
    for year in range(min(d_(c["valid_from"]).year for c in o["certs"]), today.year):
        first, last_day = date(year, 1, 1), date(year, 12, 31)
        held = any(d_(c["valid_from"]) <= first and d_(c["valid_until"]) >= last_day for c in o["certs"])
        revoked = any(ch["kind"] == "revoked" and china_date(dt(ch["at"])) <= last_day for ch in o["status_changes"])
        if not held or revoked:
            continue
        trainings = [tr for tr in o["trainings"] if tr["on"][:4] == str(year)]
        hours = sum(tr["hours"] for tr in trainings)
        if hours < required:
            versions = [tr.get("v") for tr in trainings] or [issued.get("v") if issued else None]
            out.append(
                officer_finding(
                    "A8", o, f"{hours} of {required} training hours in {year}", versions, date(year + 1, 1, 1)
                )
            )
    return out


def inspection_finding(
    i: dict[str, Any], message: str, versions: Sequence[int], detected_at: str, officer_id: str | None = None
) -> dict[str, Any]:
    """An I1 finding: about a random inspection task, not a case (``case_id`` null)."""
    iid = i["inspection_id"]
    return _record("I1", None, i["unit_id"], officer_id, message, iid, versions, detected_at, inspection_id=iid)


def inspection_findings(i: dict[str, Any], ctx: Ctx) -> list[dict[str, Any]]:
    """I1 over one random inspection as of ``ctx.as_of``: the draw redone from its seed and
    registers gives the recorded assignments; each target is inspected by at least two of the
    inspectors drawn for it, each certified at that instant; and the results are published
    within ``inspection_publication_working_days`` of the last one."""
    assert ctx.as_of is not None
    out: list[dict[str, Any]] = []
    drawn = i["drawn"]
    teams: dict[str, list[str]] = i["assignments"]
    if not i["reproducible"]:
        out.append(
            inspection_finding(
                i, "the draw is not reproducible from its seed and registers", [drawn["v"]], drawn["rec"]
            )
        )
    for target, team in sorted(teams.items()):
        if len(team) < 2:
            out.append(
                inspection_finding(i, f"fewer than two inspectors drawn for {target}", [drawn["v"]], drawn["rec"])
            )
    officers = ctx.officers or {}
    for target, r in sorted(i["results"].items()):
        if len(set(r["officers"])) < 2:
            out.append(inspection_finding(i, f"{target} inspected by fewer than two inspectors", [r["v"]], r["rec"]))
        for oid in r["officers"]:
            o = officers.get(oid)
            if oid not in teams.get(target, []):
                name = o["name"] if o else oid
                out.append(
                    inspection_finding(i, f"inspector {name} was not drawn for {target}", [r["v"]], r["rec"], oid)
                )
            if o is not None and (o["kind"] == "auxiliary" or officer_cert(o, dt(r["at"])).status != "valid"):
                out.append(
                    inspection_finding(
                        i, f"inspector {o['name']} had no valid certificate at the inspection", [r["v"]], r["rec"], oid
                    )
                )
    if i["results"]:
        last = max(i["results"].values(), key=lambda r: r["at"])
        due, _ = add_working_days(china_date(dt(last["at"])), LAW.inspection_publication_working_days)
        published = [p for p in i["publications"] if p["at"] >= last["at"]]
        if not published and china_date(ctx.as_of) > due:
            out.append(inspection_finding(i, f"results not published by {due}", [last["v"]], ctx.as_of.isoformat()))
        elif published and china_date(dt(published[0]["at"])) > due:
            p = published[0]
            out.append(inspection_finding(i, f"results published after {due}", [p["v"]], p["rec"]))
    return out


# ------------------------------------------------------------------ stages (B1)
def stages(f: dict[str, Any]) -> list[dict[str, Any]]:
    """The stages the case's path requires, present or not, with their times."""
    dec = f["decision"]
    transferred = bool(f["transfer"] and f["transfer"]["approved"])
    penalty = bool(dec and dec["outcome"] == "penalty")
    fined = bool(dec and dec.get("fine_id"))
    review_needed = penalty and (f["major"] or f["complex"] or bool(f["hearing"].get("held")))
    investigation = [a["at"] for a in f["acts"]] + [e["at"] for e in f["evidence"].values()]
    out = [
        ("filing", True, f["filed"]["at"]),
        ("investigation", True, min(investigation) if investigation else None),
        ("notice", penalty, f["notices"][0]["at"] if f["notices"] else None),
        ("review", review_needed, next((r["at"] for r in f["reviews"] if r["result"] == "passed"), None)),
        ("decision", not transferred, dec["at"] if dec else None),
        ("service", bool(dec), f["service"]["at"] if f["service"] else None),
        ("execution", fined, None),
        ("archive", True, f["archive"]["at"] if f["archive"] else None),
    ]
    if transferred:
        out.insert(4, ("transfer", True, f["transfer"]["at"]))
    settled = next((e["at"] for e in f["events"] if e["type"] == "FineSettled"), None)
    result = []
    for name, required, at in out:
        if name == "execution":
            at = settled
            present = not fined or settled is not None
        else:
            present = at is not None
        result.append({"stage": name, "required": required, "present": present, "at": at})
    return result


# ------------------------------------------------------------------ the projection
Fold = tuple[str, Callable[[dict[str, Any] | None, Any], dict[str, Any] | None], Table, str]
_FOLDS: dict[type[Any], Fold] = {
    Officer.Event: ("officer", apply_officer, officer_facts, "officer_id"),
    Fine.Event: ("fine", apply_fine, fine_facts, "fine_id"),
    Unit.Event: ("unit", apply_unit, unit_facts, "unit_id"),
    Benchmark.Event: ("benchmark", apply_benchmark, benchmark_facts, "benchmark_id"),
    Inspection.Event: ("inspection", apply_inspection, inspection_facts, "inspection_id"),
}
_FOLD_BY_KIND = {f[0]: f for f in _FOLDS.values()}


class Audit(SqlProjection):
    name = "audit"
    version = VERSION
    metadata = metadata

    def apply(self, conn: Connection, items: Sequence[Item]) -> None:
        cases: dict[str, dict[str, Any] | None] = {}
        others: dict[tuple[str, str], dict[str, Any] | None] = {}
        loaded_cases = self._load(
            conn, case_facts, "case_id", {str(i.event.originator_id) for i in items if isinstance(i.event, Case.Event)}
        )
        for i in items:
            e = i.event
            key = str(e.originator_id)
            if isinstance(e, Case.Event):
                f = cases[key] if key in cases else loaded_cases.get(key)
                cases[key] = apply_case(f, e)
                if cases[key] is not None:
                    cases[key]["_pos"] = i.position  # type: ignore[index]
            else:
                fold = next((f for cls, f in _FOLDS.items() if isinstance(e, cls)), None)
                if fold is None:
                    continue
                kind = fold[0]
                if (kind, key) not in others:
                    others[(kind, key)] = self._load(conn, fold[2], fold[3], {key}).get(key)
                others[(kind, key)] = fold[1](others[(kind, key)], e)
        self._save_cases(conn, cases)
        for (kind, key), f in others.items():
            if f is None:
                continue
            _, _, table, col = _FOLD_BY_KIND[kind]
            conn.execute(delete(table).where(table.c[col] == key))
            row = {col: key, "facts": dumps(f)}
            if kind in ("officer", "fine", "inspection"):
                row["unit_id"] = f["unit_id"]
            if kind == "fine":
                row["case_id"] = f["case_id"]
            conn.execute(table.insert().values(**row))

    @staticmethod
    def _load(conn: Connection, table: Table, col: str, keys: set[str]) -> dict[str, Any]:
        if not keys:
            return {}
        rows = conn.execute(select(table.c[col], table.c.facts).where(table.c[col].in_(keys)))
        return {r[0]: orjson.loads(r[1]) for r in rows}

    @staticmethod
    def _save_cases(conn: Connection, cases: dict[str, dict[str, Any] | None]) -> None:
        done = {k: f for k, f in cases.items() if f is not None}
        if not done:
            return
        keys = list(done)
        conn.execute(delete(case_facts).where(case_facts.c.case_id.in_(keys)))
        conn.execute(delete(findings).where(findings.c.case_id.in_(keys)))
        conn.execute(
            case_facts.insert(),
            [
                {"case_id": k, "unit_id": f["unit_id"], "facts": dumps(f), "last_position": f.pop("_pos", 0)}
                for k, f in done.items()
            ],
        )
        rows = []
        for k, f in done.items():
            for n, fd in enumerate(run_rules(f, Ctx(), EVENT_RULES)):
                rows.append(
                    {
                        "case_id": k,
                        "seq": n,
                        "rule": fd["rule"],
                        "severity": fd["severity"],
                        "unit_id": fd["unit_id"],
                        "officer_id": fd["officer_id"],
                        "message": fd["message"],
                        "events": orjson.dumps(fd["events"]).decode(),
                        "detected_at": fd["detected_at"],
                    }
                )
        if rows:
            conn.execute(findings.insert(), rows)


def run_rules(f: dict[str, Any], ctx: Ctx, rules: Sequence[Rule]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for rule in rules:
        out.extend(rule(f, ctx))
    return out
