"""Case: the whole-process record of one enforcement case.

A command checks its input and the case's state (the legal order of stages), then triggers
its event; the gate rules of RULES.md judge that event against the facts before it
(``Base._trigger``, ``domain/rulebook``). Checks that read other aggregates (officers'
certificates, the unit, the benchmark) get them from the context the application hands in:
replaying history never re-runs a check against today's data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from .base import Base, derive_id
from .calendar import china_date
from .errors import InvalidInputError, StateError
from .facts import STATUS_ORDER, Facts, next_status, plain
from .rulebook import NO_CONTEXT, Context
from .rulebook.core import fen

PROCEDURES = ("general", "simplified")
SOURCES = ("inspection", "complaint", "referral", "transfer", "other")
ACT_TYPES = (
    "inspection",
    "inquiry",
    "sealing",
    "seizure",
    "sampling",
    "registration_preservation",
    "on_site_record",
    "detention",
    "education",
    "preservation_disposal",
    "release",
    "other",
)
# 处罚法 9: the kinds of penalty.
PENALTY_TYPES = (
    "warning",
    "public_criticism",  # 通报批评
    "fine",
    "confiscation",
    "suspend_licence",
    "downgrade_qualification",
    "revoke_licence",
    "limit_business",  # 限制开展生产经营活动
    "stop_business",
    "order_closure",  # 责令关闭
    "limit_practice",
    "detention",
)
OUTCOMES = ("penalty", "no_penalty", "transfer")
SERVICE_METHODS = ("direct", "mail", "electronic", "announcement", "on_the_spot")
TRANSFER_TARGETS = ("public_security", "procuratorate", "supervisory_commission")
EVIDENCE_STATUSES = ("verified", "unverified", "illegal")
# 强制法 chapter 4: enforcement (强制执行), as opposed to coercive measures (查封、扣押).
ENFORCEMENT_KINDS = ("transfer_deposits", "auction", "substitute_performance", "remove_obstruction", "other")
TESTING_KINDS = ("testing", "inspection", "quarantine", "appraisal")
EXTENDED_PERIODS = ("decision", "sealing")
REMEDY_KINDS = ("reconsideration", "litigation")
REMEDY_RESULTS = ("upheld", "changed", "revoked", "confirmed_illegal", "withdrawn", "dismissed")
# Who stopped execution: the unit itself as respondent (复议法 42(1), 诉讼法 56(1)), the
# reconsideration organ (复议法 42(2)(3)), the court (诉讼法 56(2)(3)), or a law (42(4), 56(4)).
# "pending_remedy" records a unit that stopped because a remedy was sought: recorded as it
# happened, and an E1 finding (处罚法 73: a remedy does not suspend the penalty).
SUSPENSION_GROUNDS = ("respondent", "reconsideration_organ", "court", "law", "pending_remedy")

__all__ = ["STATUS_ORDER", "Case", "next_status"]


def _sha256(value: str | None, field: str, required: bool = True) -> None:
    if value is None:
        if required:
            raise InvalidInputError(field, "a SHA-256 hex digest is required")
        return
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value.lower()):
        raise InvalidInputError(field, "must be a 64-character hex SHA-256 digest")


def _officers(officers: list[str], field: str = "officers") -> None:
    if not officers:
        raise InvalidInputError(field, "name the acting officers")
    if len(set(officers)) != len(officers):
        raise InvalidInputError(field, "an officer is named twice")


def _check_penalties(penalties: list[dict[str, Any]], field: str) -> None:
    for i, p in enumerate(penalties):
        if p.get("type") not in PENALTY_TYPES:
            raise InvalidInputError(f"{field}[{i}].type", f"one of {', '.join(PENALTY_TYPES)}")
        if p["type"] in ("fine", "confiscation") and not p.get("amount_fen"):
            raise InvalidInputError(f"{field}[{i}].amount", "a fine states its amount")


class Case(Base):
    SUBJECT = "case"

    # ---------------------------------------------------------------- events
    class Filed(Base.Created):
        class_version = 3
        unit_id: str
        case_no: str
        matter_code: str
        region: str
        party: dict[str, Any]
        source: str
        summary: str
        occurred_on: date
        discovered_on: date
        approved_by: str
        handlers: list[str]
        procedure: str
        major: bool
        complex: bool
        imported: bool
        amount_involved_fen: int | None
        continuing_until: date | None
        harm: bool | None
        filing_extension_approved_by: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 records the amount involved (涉案金额), for the transfer threshold (F1)."""
            state["amount_involved_fen"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """v3 records the end of a continuing violation and harm to life, health or
            financial safety (C1), and an approved late filing (C2)."""
            state["continuing_until"] = None
            state["harm"] = None
            state["filing_extension_approved_by"] = None

    class ActRecorded(Base.Event):
        class_version = 1
        type: str
        officers: list[str]
        certificate_shown: bool
        record_sha256: str | None
        av: dict[str, Any] | None
        signatures: dict[str, Any] | None

    class EvidenceCollected(Base.Event):
        class_version = 1
        evidence_id: str
        kind: str
        description: str
        sha256: str
        officers: list[str]
        certificate_shown: bool

    class EvidenceAssessed(Base.Event):
        class_version = 1
        evidence_id: str
        status: str
        reason: str

    class NoticeServed(Base.Event):
        class_version = 2
        officers: list[str]
        facts: str
        reasons: str | None
        legal_basis: str
        proposed: list[dict[str, Any]]
        hearing_right: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 states the reasons (理由, 处罚法 44); older notices did not record them."""
            state["reasons"] = None

    class StatementReceived(Base.Event):
        class_version = 1
        summary: str

    class StatementWaived(Base.Event):
        """The party expressly gave up its statement and defence (处罚法 62: 明确放弃)."""

        class_version = 1

    class RecheckDone(Base.Event):
        class_version = 1
        officers: list[str]
        conclusion: str

    class HearingRequested(Base.Event):
        class_version = 1

    class HearingHeld(Base.Event):
        class_version = 1
        noticed_at: datetime
        host_id: str
        record_sha256: str

    class HearingWaived(Base.Event):
        class_version = 1

    class LegalReviewed(Base.Event):
        class_version = 1
        reviewer_id: str
        result: str
        opinion: str
        checklist: dict[str, Any]

    class DiscussionHeld(Base.Event):
        class_version = 1
        attendees: list[str]
        minutes_sha256: str
        conclusion: str

    class RecusalRequested(Base.Event):
        class_version = 1
        officer_id: str
        reason: str

    class RecusalDecided(Base.Event):
        class_version = 1
        officer_id: str
        granted: bool
        decided_by: str

    class Decided(Base.Event):
        class_version = 2
        decision_no: str
        decided_by: str
        outcome: str
        penalties: list[dict[str, Any]]
        legal_basis: str
        evidence_ids: list[str]
        benchmark: dict[str, Any] | None
        payment: dict[str, Any] | None
        remedies: dict[str, Any]
        officers: list[str]
        certificate_shown: bool
        form_no: str | None
        fine_id: str | None
        hearing_record_cited: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 records whether the decision rests on the hearing record (C6)."""
            state["hearing_record_cited"] = False

    class DecisionServed(Base.Event):
        class_version = 2
        method: str
        officers: list[str]
        party_consent: bool
        receipt_on: date | None
        confirmation_sha256: str | None
        disclosure_told: bool | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 records what makes the service effective (C13): the return receipt's date
            (mail), the signed confirmation (electronic), and whether the party was told the
            decision will be disclosed (G3)."""
            state["receipt_on"] = None
            state["confirmation_sha256"] = None
            state["disclosure_told"] = None

    class DecisionRevoked(Base.Event):
        """The decision is revoked or found void: its fine is no longer owed (G4)."""

        class_version = 1
        reason: str
        revoked_by: str  # reconsideration | court | unit

    class DecisionChanged(Base.Event):
        """The decision is changed (变更): the new penalties are owed, what was paid above them is
        refunded (G4)."""

        class_version = 1
        reason: str
        changed_by: str  # reconsideration | court | unit
        penalties: list[dict[str, Any]]

    class DecisionConfirmedUnlawful(Base.Event):
        """The decision is confirmed unlawful (确认违法) but stands: the fine stays owed (G4)."""

        class_version = 1
        reason: str
        confirmed_by: str

    class FineSettled(Base.Event):
        class_version = 1
        fine_id: str

    class Disclosed(Base.Event):
        class_version = 1
        channel: str

    class DisclosureWithdrawn(Base.Event):
        class_version = 1
        reason: str

    class TransferReported(Base.Event):
        class_version = 1
        decided_at: datetime | None
        sent_at: datetime | None
        to: str
        documents: list[str]
        approved: bool
        refusal_reason: str | None

    class InterventionRecorded(Base.Event):
        class_version = 1
        official: str
        position: str
        channel: str
        content: str

    class RemedySought(Base.Event):
        """The party applied for reconsideration (行政复议) or sued (行政诉讼): E1, E4, D8."""

        class_version = 1
        kind: str  # reconsideration | litigation
        body: str  # the reconsideration organ or the court
        reference: str | None

    class RemedyConcluded(Base.Event):
        class_version = 1
        kind: str
        result: str  # upheld | changed | revoked | confirmed_illegal | withdrawn | dismissed

    class ExecutionSuspended(Base.Event):
        """Execution of the decision stops (停止执行). Lawful only on the grounds of 复议法 42
        or 诉讼法 56 (处罚法 73); E1 audits the rest."""

        class_version = 1
        ground: str
        basis: str

    class ExecutionResumed(Base.Event):
        class_version = 1

    class CaseSuspended(Base.Event):
        """The case is suspended (中止): its decision period does not run (C12)."""

        class_version = 1
        reason: str
        approved_by: str

    class CaseResumed(Base.Event):
        class_version = 1

    class PeriodExtended(Base.Event):
        """A period is extended with approval: the decision period (C12: 30 days with the head's
        approval, further only by collective discussion) or a sealing or seizure (E8: 30 days
        with the head's approval)."""

        class_version = 1
        period: str  # decision | sealing
        days: int
        approved_by: str
        discussion: bool
        act_version: int | None
        reason: str

    class TestingRecorded(Base.Event):
        """Testing, inspection, quarantine or appraisal (检测、检验、检疫、鉴定): its period is not
        counted in the decision period (C12) nor in a sealing or seizure (E8, 强制法 25 ¶3)."""

        class_version = 1
        kind: str
        start: datetime
        end: datetime
        act_version: int | None

    class EnforcementCarriedOut(Base.Event):
        """Enforcement (强制执行: 划拨、拍卖、代履行、排除妨碍…), E7."""

        class_version = 1
        kind: str
        officers: list[str]
        certificate_shown: bool
        av: dict[str, Any] | None
        emergency: bool
        emergency_reason: str | None

    class Closed(Base.Event):
        class_version = 1
        reason: str

    class Archived(Base.Event):
        class_version = 1
        file_sha256: str

    # ---------------------------------------------------------------- state
    @property
    def unit_id(self) -> str:
        return str(self.f["unit_id"])

    @property
    def matter_code(self) -> str:
        return str(self.f["matter_code"])

    @property
    def procedure(self) -> str:
        return str(self.f["procedure"])

    @property
    def status(self) -> str:
        return str(self.f["status"])

    @property
    def decision(self) -> dict[str, Any] | None:
        d: dict[str, Any] | None = self.f["decision"]
        return d

    @property
    def fine_id(self) -> str | None:
        d = self.f["decision"]
        return str(d["fine_id"]) if d and d.get("fine_id") else None

    @staticmethod
    def id_for(unit_id: str, case_no: str) -> UUID:
        return derive_id("case", unit_id, case_no)

    # ---------------------------------------------------------------- guards
    def _open(self) -> None:
        if self.f["closure"] is not None:
            raise StateError(f"case is {self.status}: nothing more may be recorded")

    def _not_decided(self, what: str) -> None:
        if self.f["decision"] is not None:
            raise StateError(f"{what} comes before the decision; the case is already decided")

    def _decided(self, what: str) -> dict[str, Any]:
        d = self.f["decision"]
        if d is None:
            raise StateError(f"{what}: the case has no decision")
        return dict(d)

    def _after(self, at: datetime, ref: str, field: str, what: str) -> None:
        if at < datetime.fromisoformat(ref):
            raise InvalidInputError(field, f"before {what}")

    # ---------------------------------------------------------------- commands
    @classmethod
    def file(
        cls,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        unit_id: str,
        region: str,
        case_no: str,
        matter_code: str,
        party: dict[str, Any],
        source: str,
        summary: str,
        occurred_on: date,
        discovered_on: date,
        filed_at: datetime,
        approved_by: str,
        handlers: list[str],
        procedure: str,
        major: bool,
        complex: bool,
        imported: bool = False,
        amount_involved_fen: int | None = None,
        continuing_until: date | None = None,
        harm: bool = False,
        filing_extension_approved_by: str | None = None,
    ) -> Case:
        if procedure not in PROCEDURES:
            raise InvalidInputError("procedure", f"one of {', '.join(PROCEDURES)}")
        if source not in SOURCES:
            raise InvalidInputError("source", f"one of {', '.join(SOURCES)}")
        if discovered_on < occurred_on:
            raise InvalidInputError("discovered_on", "before occurred_on")
        if continuing_until is not None and not occurred_on <= continuing_until <= discovered_on:
            raise InvalidInputError(
                "continuing_until", "a continuing violation ends between occurred_on and discovered_on"
            )
        if china_date(filed_at) < discovered_on:
            raise InvalidInputError("filed_at", "before discovered_on")
        if not handlers:
            raise InvalidInputError("handlers", "name the case handlers")
        case: Case = cls._create_checked(
            cls.Filed,
            id=cls.id_for(unit_id, case_no),
            ctx=ctx,
            recorded_by=by,
            occurred_at=filed_at,
            unit_id=unit_id,
            case_no=case_no,
            matter_code=matter_code,
            region=region,
            party=party,
            source=source,
            summary=summary,
            occurred_on=occurred_on,
            discovered_on=discovered_on,
            approved_by=approved_by,
            amount_involved_fen=amount_involved_fen,
            handlers=handlers,
            procedure=procedure,
            major=major,
            complex=complex,
            imported=imported,
            continuing_until=continuing_until,
            harm=harm,
            filing_extension_approved_by=filing_extension_approved_by,
        )
        return case

    def record_act(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        type: str,
        occurred_at: datetime,
        officers: list[str],
        certificate_shown: bool,
        record_sha256: str | None,
        av: dict[str, Any] | None,
        signatures: dict[str, Any] | None = None,
    ) -> None:
        self._open()
        if type not in ACT_TYPES:
            raise InvalidInputError("type", f"one of {', '.join(ACT_TYPES)}")
        _sha256(record_sha256, "record_sha256", required=False)
        if av is not None:
            _sha256(av.get("sha256"), "av.sha256")
        if occurred_at < datetime.fromisoformat(self.f["filed"]["at"]) and type not in ("inspection", "on_site_record"):
            raise StateError("an investigative act before the case was filed")
        _officers(officers)
        self._trigger(
            self.ActRecorded,
            by,
            occurred_at,
            ctx,
            type=type,
            officers=officers,
            certificate_shown=certificate_shown,
            record_sha256=record_sha256,
            av=plain(av),
            signatures=signatures,
        )

    def collect_evidence(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        kind: str,
        description: str,
        sha256: str,
        collected_at: datetime,
        officers: list[str],
        certificate_shown: bool,
    ) -> str:
        self._open()
        self._not_decided("collecting evidence")
        if sha256:
            _sha256(sha256, "sha256")
        evidence_id = str(derive_id("evidence", str(self.id), (sha256 or "").lower()))
        if evidence_id in self.f["evidence"]:
            raise StateError("this evidence (same content hash) is already in the case")
        _officers(officers)
        self._trigger(
            self.EvidenceCollected,
            by,
            collected_at,
            ctx,
            evidence_id=evidence_id,
            kind=kind,
            description=description,
            sha256=(sha256 or "").lower(),
            officers=officers,
            certificate_shown=certificate_shown,
        )
        return evidence_id

    def assess_evidence(self, *, by: str, at: datetime, evidence_id: str, status: str, reason: str) -> None:
        self._open()
        if evidence_id not in self.f["evidence"]:
            raise InvalidInputError("evidence_id", "no such evidence in this case")
        if status not in EVIDENCE_STATUSES:
            raise InvalidInputError("status", f"one of {', '.join(EVIDENCE_STATUSES)}")
        self._trigger(self.EvidenceAssessed, by, at, evidence_id=evidence_id, status=status, reason=reason)

    def serve_notice(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        served_at: datetime,
        officers: list[str],
        facts: str,
        reasons: str,
        legal_basis: str,
        proposed: list[dict[str, Any]],
        hearing_right: bool,
    ) -> None:
        self._open()
        self._not_decided("the notice (告知)")
        if not proposed:
            raise InvalidInputError("proposed", "state the proposed penalty")
        _check_penalties(proposed, "proposed")
        _officers(officers)
        self._trigger(
            self.NoticeServed,
            by,
            served_at,
            ctx,
            officers=officers,
            facts=facts,
            reasons=reasons,
            legal_basis=legal_basis,
            proposed=proposed,
            hearing_right=hearing_right,
        )

    def receive_statement(self, *, by: str, received_at: datetime, summary: str) -> None:
        self._open()
        self._not_decided("a statement (陈述申辩)")
        if not self.f["notices"]:
            raise StateError("a statement answers a served notice; there is none")
        self._trigger(self.StatementReceived, by, received_at, summary=summary)

    def waive_statement(self, *, by: str, at: datetime) -> None:
        self._open()
        self._not_decided("a waiver of the statement")
        if not self.f["notices"]:
            raise StateError("no served notice to waive a statement on")
        self._after(at, self.f["notices"][-1]["at"], "at", "the notice")
        self._trigger(self.StatementWaived, by, at)

    def recheck(
        self, ctx: Context = NO_CONTEXT, *, by: str, at: datetime, officers: list[str], conclusion: str
    ) -> None:
        self._open()
        self._not_decided("the re-check (复核)")
        if not self.f["statements"]:
            raise StateError("a re-check answers a statement; there is none")
        _officers(officers)
        self._trigger(self.RecheckDone, by, at, ctx, officers=officers, conclusion=conclusion)

    def request_hearing(self, *, by: str, at: datetime) -> None:
        self._open()
        self._not_decided("a hearing request")
        notices = self.f["notices"]
        if not notices or not notices[-1]["hearing_right"]:
            raise StateError("no served notice gives a hearing right")
        if self.f["hearing"].get("requested"):
            raise StateError("a hearing was already requested")
        self._trigger(self.HearingRequested, by, at)

    def hold_hearing(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        noticed_at: datetime,
        held_at: datetime,
        host_id: str,
        record_sha256: str,
    ) -> None:
        self._open()
        self._not_decided("the hearing")
        if not self.f["hearing"].get("requested"):
            raise StateError("no hearing was requested")
        if self.f["hearing"].get("held"):
            raise StateError("the hearing was already held")
        _sha256(record_sha256, "record_sha256")
        if held_at < noticed_at:
            raise InvalidInputError("held_at", "before noticed_at")
        self._trigger(
            self.HearingHeld, by, held_at, ctx, noticed_at=noticed_at, host_id=host_id, record_sha256=record_sha256
        )

    def waive_hearing(self, *, by: str, at: datetime) -> None:
        self._open()
        self._not_decided("a hearing waiver")
        if not self.f["notices"]:
            raise StateError("no served notice to waive a hearing on")
        self._trigger(self.HearingWaived, by, at)

    def legal_review(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        reviewer_id: str,
        at: datetime,
        result: str,
        opinion: str,
        checklist: dict[str, Any],
    ) -> None:
        self._open()
        self._not_decided("the legal review (法制审核)")
        if result not in ("passed", "failed"):
            raise InvalidInputError("result", "passed or failed")
        self._trigger(
            self.LegalReviewed,
            by,
            at,
            ctx,
            reviewer_id=reviewer_id,
            result=result,
            opinion=opinion,
            checklist=checklist,
        )

    def hold_discussion(
        self, *, by: str, held_at: datetime, attendees: list[str], minutes_sha256: str, conclusion: str
    ) -> None:
        self._open()
        self._not_decided("the collective discussion (集体讨论)")
        _sha256(minutes_sha256, "minutes_sha256")
        self._trigger(
            self.DiscussionHeld, by, held_at, attendees=attendees, minutes_sha256=minutes_sha256, conclusion=conclusion
        )

    def request_recusal(self, *, by: str, at: datetime, officer_id: str, reason: str) -> None:
        self._open()
        self._trigger(self.RecusalRequested, by, at, officer_id=officer_id, reason=reason)

    def decide_recusal(self, *, by: str, at: datetime, officer_id: str, granted: bool, decided_by: str) -> None:
        self._open()
        r = self.f["recusals"].get(officer_id)
        if r is None or r["decided"] is not None:
            raise StateError("no pending recusal request for this officer")
        self._trigger(self.RecusalDecided, by, at, officer_id=officer_id, granted=granted, decided_by=decided_by)

    def decide(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        decision_no: str,
        decided_at: datetime,
        decided_by: str,
        outcome: str,
        penalties: list[dict[str, Any]],
        legal_basis: str,
        evidence_ids: list[str],
        benchmark_choice: dict[str, Any] | None,
        payment: dict[str, Any] | None,
        remedies: dict[str, Any] | None,
        officers: list[str],
        certificate_shown: bool,
        form_no: str | None,
        fine_id: str | None,
        hearing_record_cited: bool = False,
    ) -> None:
        """The decision (处罚决定). Its content and procedure are judged by the gate rules (C3–C16,
        B4, D1, G2, J2); here only what makes the command meaningful."""
        self._open()
        fine_fen = fen(penalties)
        current = self.f["decision"]
        if current is not None and not (fine_fen and fen(current["penalties"])):
            raise StateError("the case is already decided")  # a second fine is C14's to refuse
        if outcome not in OUTCOMES:
            raise InvalidInputError("outcome", f"one of {', '.join(OUTCOMES)}")
        _check_penalties(penalties, "penalties")
        if outcome != "penalty" and penalties:
            raise InvalidInputError("penalties", f"a {outcome} decision imposes no penalty")
        for eid in evidence_ids:
            if eid not in self.f["evidence"]:
                raise InvalidInputError("evidence_ids", f"no evidence {eid} in this case")
        if self.f["acts"] and decided_at < datetime.fromisoformat(self.f["filed"]["at"]):
            raise StateError("a decision before the case was filed")
        remedies = dict(remedies or {})
        remedies.setdefault("reconsideration_days", 60)
        remedies.setdefault("litigation_months", 6)
        if remedies.get("reconsideration_first") is None:
            remedies["reconsideration_first"] = self.procedure == "simplified"
        self._trigger(
            self.Decided,
            by,
            decided_at,
            ctx,
            decision_no=decision_no,
            decided_by=decided_by,
            outcome=outcome,
            penalties=penalties,
            legal_basis=legal_basis,
            evidence_ids=evidence_ids,
            benchmark=benchmark_choice,
            payment=payment if fine_fen else None,
            remedies=remedies,
            officers=officers,
            certificate_shown=certificate_shown,
            form_no=form_no,
            fine_id=fine_id if fine_fen else None,
            hearing_record_cited=hearing_record_cited,
        )

    def serve_decision(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        served_at: datetime,
        method: str,
        officers: list[str],
        party_consent: bool,
        receipt_on: date | None = None,
        confirmation_sha256: str | None = None,
        disclosure_told: bool | None = None,
    ) -> None:
        self._open()
        d = self._decided("no decision to serve")
        if self.f["service"] is not None:
            raise StateError("the decision was already served")
        if method not in SERVICE_METHODS:
            raise InvalidInputError("method", f"one of {', '.join(SERVICE_METHODS)}")
        self._after(served_at, d["at"], "served_at", "the decision")
        if method in ("direct", "on_the_spot"):
            _officers(officers)
        if method == "mail":
            if receipt_on is None:
                raise InvalidInputError("receipt_on", "mail service takes effect on the return receipt's date: give it")
            if receipt_on < china_date(served_at):
                raise InvalidInputError("receipt_on", "before the decision was mailed")
        _sha256(confirmation_sha256, "confirmation_sha256", required=False)
        self._trigger(
            self.DecisionServed,
            by,
            served_at,
            ctx,
            method=method,
            officers=officers,
            party_consent=party_consent,
            receipt_on=receipt_on,
            confirmation_sha256=confirmation_sha256,
            disclosure_told=disclosure_told,
        )

    def _check_change(self, at: datetime, reason: str, by_whom: str, field: str = "by") -> dict[str, Any]:
        d = self._decided("no decision to change")
        if any(c["kind"] == "revoked" for c in self.f["changes"]):
            raise StateError("the decision was already revoked")
        if by_whom not in ("reconsideration", "court", "unit"):
            raise InvalidInputError(field, "reconsideration, court or unit")
        self._after(at, d["at"], "at", "the decision")
        if not reason.strip():
            raise InvalidInputError("reason", "state why the decision changed")
        return d

    def revoke_decision(self, *, by: str, at: datetime, reason: str, revoked_by: str) -> None:
        """The decision is revoked or found void (by reconsideration, a court, or the unit
        itself); a disclosure of it must then be withdrawn (G4), and its fine is void."""
        self._check_change(at, reason, revoked_by, "revoked_by")
        self._trigger(self.DecisionRevoked, by, at, reason=reason, revoked_by=revoked_by)

    def change_decision(
        self, *, by: str, at: datetime, reason: str, changed_by: str, penalties: list[dict[str, Any]]
    ) -> None:
        """The decision is changed (变更); a changed fine is amended, not voided."""
        self._check_change(at, reason, changed_by)
        if not penalties:
            raise InvalidInputError("penalties", "state the penalties as changed (a revocation is recorded as such)")
        _check_penalties(penalties, "penalties")
        self._trigger(self.DecisionChanged, by, at, reason=reason, changed_by=changed_by, penalties=penalties)

    def confirm_unlawful(self, *, by: str, at: datetime, reason: str, confirmed_by: str) -> None:
        """The decision is confirmed unlawful (确认违法) but not revoked: it stands."""
        self._check_change(at, reason, confirmed_by)
        self._trigger(self.DecisionConfirmedUnlawful, by, at, reason=reason, confirmed_by=confirmed_by)

    def pending_remedy(self) -> dict[str, Any] | None:
        """The reconsideration or suit not yet concluded, if any."""
        return next((r for r in self.f["remedies"] if r["until"] is None), None)

    def seek_remedy(self, *, by: str, at: datetime, kind: str, body: str, reference: str | None) -> None:
        d = self._decided("a reconsideration or suit is against a decision")
        if kind not in REMEDY_KINDS:
            raise InvalidInputError("kind", " or ".join(REMEDY_KINDS))
        self._after(at, d["at"], "filed_at", "the decision")
        if not body.strip():
            raise InvalidInputError("body", "name the reconsideration organ or the court")
        if self.pending_remedy() is not None:
            raise StateError("a reconsideration or suit is already pending; record its conclusion first")
        self._trigger(self.RemedySought, by, at, kind=kind, body=body, reference=reference)

    def conclude_remedy(self, *, by: str, at: datetime, kind: str, result: str) -> None:
        pending = self.pending_remedy()
        if pending is None or pending["kind"] != kind:
            raise StateError(f"no pending {kind} to conclude")
        if result not in REMEDY_RESULTS:
            raise InvalidInputError("result", ", ".join(REMEDY_RESULTS))
        self._after(at, pending["at"], "at", "the application")
        self._trigger(self.RemedyConcluded, by, at, kind=kind, result=result)

    def suspend_execution(self, *, by: str, at: datetime, ground: str, basis: str) -> None:
        d = self._decided("only a decision's execution is suspended")
        if any(s["ended"] is None for s in self.f["suspensions"]):
            raise StateError("execution is already suspended")
        if ground not in SUSPENSION_GROUNDS:
            raise InvalidInputError("ground", ", ".join(SUSPENSION_GROUNDS))
        if not basis.strip():
            raise InvalidInputError("basis", "cite the decision, ruling or law the suspension rests on")
        self._after(at, d["at"], "at", "the decision")
        self._trigger(self.ExecutionSuspended, by, at, ground=ground, basis=basis)

    def resume_execution(self, *, by: str, at: datetime) -> None:
        open_ = next((s for s in self.f["suspensions"] if s["ended"] is None), None)
        if open_ is None:
            raise StateError("execution is not suspended")
        self._after(at, open_["at"], "at", "the suspension")
        self._trigger(self.ExecutionResumed, by, at)

    def suspend_case(self, *, by: str, at: datetime, reason: str, approved_by: str) -> None:
        self._open()
        self._not_decided("suspending the case (中止)")
        if any(s["ended"] is None for s in self.f["case_suspensions"]):
            raise StateError("the case is already suspended")
        if not reason.strip():
            raise InvalidInputError("reason", "state why the case is suspended")
        self._after(at, self.f["filed"]["at"], "at", "the filing")
        self._trigger(self.CaseSuspended, by, at, reason=reason, approved_by=approved_by)

    def resume_case(self, *, by: str, at: datetime) -> None:
        open_ = next((s for s in self.f["case_suspensions"] if s["ended"] is None), None)
        if open_ is None:
            raise StateError("the case is not suspended")
        self._after(at, open_["at"], "at", "the suspension")
        self._trigger(self.CaseResumed, by, at)

    def extend_period(
        self,
        *,
        by: str,
        at: datetime,
        period: str,
        days: int,
        approved_by: str,
        discussion: bool,
        act_version: int | None,
        reason: str,
    ) -> None:
        self._open()
        if period not in EXTENDED_PERIODS:
            raise InvalidInputError("period", " or ".join(EXTENDED_PERIODS))
        if days <= 0:
            raise InvalidInputError("days", "must be positive")
        if period == "decision":
            self._not_decided("extending the decision period")
        else:
            act = next((a for a in self.f["acts"] if a["v"] == act_version), None)
            if act is None or act["type"] not in ("sealing", "seizure"):
                raise InvalidInputError("act_version", "name the version of the sealing or seizure act extended")
        if not reason.strip():
            raise InvalidInputError("reason", "an extension states its reason (强制法 25 ¶2)")
        self._trigger(
            self.PeriodExtended,
            by,
            at,
            period=period,
            days=days,
            approved_by=approved_by,
            discussion=discussion,
            act_version=act_version,
            reason=reason,
        )

    def record_testing(self, *, by: str, kind: str, start: datetime, end: datetime, act_version: int | None) -> None:
        self._open()
        if kind not in TESTING_KINDS:
            raise InvalidInputError("kind", ", ".join(TESTING_KINDS))
        if end < start:
            raise InvalidInputError("end", "before start")
        if act_version is not None and not any(a["v"] == act_version for a in self.f["acts"]):
            raise InvalidInputError("act_version", "no such act in this case")
        self._trigger(self.TestingRecorded, by, start, kind=kind, start=start, end=end, act_version=act_version)

    def carry_out_enforcement(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        at: datetime,
        kind: str,
        officers: list[str],
        certificate_shown: bool,
        av: dict[str, Any] | None,
        emergency: bool,
        emergency_reason: str | None,
    ) -> None:
        d = self._decided("enforcement executes a decision")
        if kind not in ENFORCEMENT_KINDS:
            raise InvalidInputError("kind", ", ".join(ENFORCEMENT_KINDS))
        self._after(at, d["at"], "at", "the decision")
        _officers(officers)
        if av is not None:
            _sha256(av.get("sha256"), "av.sha256")
        if emergency and not (emergency_reason or "").strip():
            raise InvalidInputError("emergency_reason", "an emergency is recorded with its reason")
        self._trigger(
            self.EnforcementCarriedOut,
            by,
            at,
            ctx,
            kind=kind,
            officers=officers,
            certificate_shown=certificate_shown,
            av=plain(av),
            emergency=emergency,
            emergency_reason=emergency_reason,
        )

    def settle_fine(self, *, by: str, at: datetime, fine_id: str) -> None:
        self._trigger(self.FineSettled, by, at, fine_id=fine_id)

    def disclose(self, *, by: str, published_at: datetime, channel: str) -> None:
        self._decided("only a decision is disclosed")
        if self.f["disclosure"] is not None and self.f["withdrawal"] is None:
            raise StateError("already disclosed")
        self._trigger(self.Disclosed, by, published_at, channel=channel)

    def withdraw_disclosure(self, *, by: str, at: datetime, reason: str) -> None:
        if self.f["disclosure"] is None or self.f["withdrawal"] is not None:
            raise StateError("nothing disclosed to withdraw")
        if not reason.strip():
            raise InvalidInputError("reason", "a withdrawal publishes its reason")
        self._trigger(self.DisclosureWithdrawn, by, at, reason=reason)

    def report_transfer(
        self,
        ctx: Context = NO_CONTEXT,
        *,
        by: str,
        reported_at: datetime,
        decided_at: datetime | None,
        sent_at: datetime | None,
        to: str,
        documents: list[str],
        approved: bool,
        refusal_reason: str | None,
    ) -> None:
        self._open()
        if to not in TRANSFER_TARGETS:
            raise InvalidInputError("to", f"one of {', '.join(TRANSFER_TARGETS)}")
        if self.f["transfer"] is not None and self.f["transfer"]["approved"]:
            raise StateError("the case was already transferred")
        if not approved and decided_at is not None and not (refusal_reason or "").strip():
            raise InvalidInputError("refusal_reason", "a refused transfer records its reasons")
        if decided_at and decided_at < reported_at:
            raise InvalidInputError("decided_at", "before reported_at")
        if sent_at and (decided_at is None or sent_at < decided_at):
            raise InvalidInputError("sent_at", "a transfer is sent after it is decided")
        if approved and decided_at is None:
            raise InvalidInputError("decided_at", "an approved transfer was decided: give when")
        self._trigger(
            self.TransferReported,
            by,
            reported_at,
            ctx,
            decided_at=decided_at,
            sent_at=sent_at,
            to=to,
            documents=documents,
            approved=approved,
            refusal_reason=refusal_reason,
        )

    def record_intervention(
        self, *, by: str, occurred_at: datetime, official: str, position: str, channel: str, content: str
    ) -> None:
        self._trigger(
            self.InterventionRecorded,
            by,
            occurred_at,
            official=official,
            position=position,
            channel=channel,
            content=content,
        )

    def close(self, *, by: str, at: datetime, reason: str) -> None:
        self._open()
        d = self.f["decision"]
        ended = self.status in ("served", "executed", "transferred") or (d is not None and d["outcome"] != "penalty")
        if not ended and reason not in ("withdrawn", "no_violation"):
            raise StateError(
                f"a case is closed after its decision is served or it is transferred "
                f"(status {self.status}); otherwise give reason withdrawn or no_violation"
            )
        self._trigger(self.Closed, by, at, reason=reason)

    def archive(self, *, by: str, at: datetime, file_sha256: str) -> None:
        if self.f["closure"] is None:
            raise StateError("a case is archived after it is closed")
        if self.f["archive"] is not None:
            raise StateError("already archived")
        _sha256(file_sha256, "file_sha256")
        self._trigger(self.Archived, by, at, file_sha256=file_sha256)

    # ---------------------------------------------------------------- view
    def view(self) -> dict[str, Any]:
        return case_view(self.f, self.version)


def case_view(f: Facts, version: int) -> dict[str, Any]:
    """The case as the API answers it (GET /v1/cases/{id})."""
    d = f["decision"]
    return {
        "id": f["id"],
        "case_no": f["case_no"],
        "unit_id": f["unit_id"],
        "status": f["status"],
        "version": version,
        "matter_code": f["matter_code"],
        "procedure": f["procedure"],
        "major": f["major"],
        "complex": f["complex"],
        "party": dict(f["party"]),
        "source": f["source"],
        "summary": f["summary"],
        "occurred_on": f["occurred_on"],
        "continuing_until": f.get("continuing_until"),
        "harm": f.get("harm", False),
        "discovered_on": f["discovered_on"],
        "filed_at": f["filed"]["at"],
        "handlers": f["handlers"],
        "acts": len(f["acts"]),
        "evidence": [
            {
                "evidence_id": k,
                "kind": v["kind"],
                "status": v["assessments"][-1]["status"] if v["assessments"] else "collected",
            }
            for k, v in f["evidence"].items()
        ],
        "notices": len(f["notices"]),
        "hearing": {k: v["at"] for k, v in f["hearing"].items()},
        "legal_reviews": [{"at": r["at"], "result": r["result"]} for r in f["reviews"]],
        "discussions": len(f["discussions"]),
        "decision": None
        if d is None
        else {
            "decision_no": d["decision_no"],
            "decided_at": d["at"],
            "outcome": d["outcome"],
            "fine_id": d["fine_id"],
            "penalties": d["penalties"],
            "changes": [{"kind": c["kind"], "at": c["at"]} for c in f["changes"]],
        },
        "served_at": f["service"]["at"] if f["service"] else None,
        "closed_at": f["closure"]["at"] if f["closure"] else None,
        "archived_at": f["archive"]["at"] if f["archive"] else None,
        "imported": f["imported"],
    }
