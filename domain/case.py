"""Case: the whole-process record of one enforcement case, and its gate rules.

Commands check their gate rules first and only then trigger an event (guard first, then
record). Checks that need other aggregates (officers' certificates, the unit, the benchmark)
receive those facts as arguments from the application: replaying history never re-runs a
check against today's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from .base import Base, derive_id
from .calendar import add_working_days, china_date
from .errors import InvalidInputError, RuleViolation, StateError
from .officer import CertState
from .rules import LAW

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
PENALTY_TYPES = (
    "warning",
    "fine",
    "confiscation",
    "suspend_licence",
    "revoke_licence",
    "stop_business",
    "limit_practice",
    "downgrade_qualification",
    "detention",
)
OUTCOMES = ("penalty", "no_penalty", "transfer")
SERVICE_METHODS = ("direct", "mail", "electronic", "announcement", "on_the_spot")
TRANSFER_TARGETS = ("public_security", "procuratorate", "supervisory_commission")
EVIDENCE_STATUSES = ("verified", "unverified", "illegal")

# Case status, in the legal order of stages.
STATUS_ORDER = (
    "filed",
    "investigating",
    "noticed",
    "hearing",
    "reviewed",
    "decided",
    "served",
    "executed",
    "transferred",
    "closed",
    "archived",
)


@dataclass(frozen=True)
class ActingOfficer:
    """An acting officer as the application found it, at the act's instant."""

    id: str
    kind: str
    unit_id: str
    cert: CertState
    legal_qualification: bool = False
    reviewer_since: date | None = None


@dataclass(frozen=True)
class BenchmarkVersion:
    version: str
    statutory_min_fen: int
    statutory_max_fen: int
    tiers: list[dict[str, Any]]
    effective_from: date
    published_at: datetime


def _fine_total(penalties: list[dict[str, Any]], kind: str = "fine") -> int:
    return sum(int(p.get("amount_fen") or 0) for p in penalties if p["type"] == kind)


def _sha256(value: str | None, field: str, required: bool = True) -> None:
    if value is None:
        if required:
            raise InvalidInputError(field, "a SHA-256 hex digest is required")
        return
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value.lower()):
        raise InvalidInputError(field, "must be a 64-character hex SHA-256 digest")


class Case(Base):
    # ---------------------------------------------------------------- events
    class Filed(Base.Created):
        class_version = 2
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

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """v2 records the amount involved (涉案金额), for the transfer threshold (F1)."""
            state["amount_involved_fen"] = None

        def apply(self, c: Case) -> None:
            c.unit_id, c.case_no, c.matter_code = self.unit_id, self.case_no, self.matter_code
            c.region, c.party, c.source, c.summary = self.region, self.party, self.source, self.summary
            c.occurred_on, c.discovered_on = self.occurred_on, self.discovered_on
            c.filed_at, c.approved_by = self.occurred_at, self.approved_by
            c.handlers, c.procedure = list(self.handlers), self.procedure
            c.major, c.complex, c.imported = self.major, self.complex, self.imported
            c.status = "filed"
            c.acts, c.evidence, c.notices, c.statements, c.rechecks = [], {}, [], [], []
            c.hearing = {}
            c.reviews, c.discussions, c.recusals = [], [], {}
            c.decision = None
            c.service = None
            c.disclosure = None
            c.transfer = None
            c.interventions = 0
            c.remedies = []
            c.suspended = None
            c.closed_at = None
            c.archived_at = None

    class ActRecorded(Base.Event):
        class_version = 1
        type: str
        officers: list[str]
        certificate_shown: bool
        record_sha256: str | None
        av: dict[str, Any] | None
        signatures: dict[str, Any] | None

        def apply(self, c: Case) -> None:
            c.acts.append({"type": self.type, "at": self.occurred_at, "officers": self.officers})
            c.status = next_status(c.status, self)

    class EvidenceCollected(Base.Event):
        class_version = 1
        evidence_id: str
        kind: str
        description: str
        sha256: str
        officers: list[str]
        certificate_shown: bool

        def apply(self, c: Case) -> None:
            c.evidence[self.evidence_id] = {
                "kind": self.kind,
                "sha256": self.sha256,
                "status": "collected",
                "at": self.occurred_at,
                "officers": self.officers,
            }
            c.status = next_status(c.status, self)

    class EvidenceAssessed(Base.Event):
        class_version = 1
        evidence_id: str
        status: str
        reason: str

        def apply(self, c: Case) -> None:
            c.evidence[self.evidence_id]["status"] = self.status

    class NoticeServed(Base.Event):
        class_version = 1
        officers: list[str]
        facts: str
        legal_basis: str
        proposed: list[dict[str, Any]]
        hearing_right: bool

        def apply(self, c: Case) -> None:
            c.notices.append(
                {
                    "at": self.occurred_at,
                    "proposed": self.proposed,
                    "hearing_right": self.hearing_right,
                }
            )
            c.status = next_status(c.status, self)

    class StatementReceived(Base.Event):
        class_version = 1
        summary: str

        def apply(self, c: Case) -> None:
            c.statements.append(self.occurred_at)

    class RecheckDone(Base.Event):
        class_version = 1
        officers: list[str]
        conclusion: str

        def apply(self, c: Case) -> None:
            c.rechecks.append(self.occurred_at)

    class HearingRequested(Base.Event):
        class_version = 1

        def apply(self, c: Case) -> None:
            c.hearing = {"requested_at": self.occurred_at}
            c.status = next_status(c.status, self)

    class HearingHeld(Base.Event):
        class_version = 1
        noticed_at: datetime
        host_id: str
        record_sha256: str

        def apply(self, c: Case) -> None:
            c.hearing["held_at"] = self.occurred_at
            c.hearing["noticed_at"] = self.noticed_at

    class HearingWaived(Base.Event):
        class_version = 1

        def apply(self, c: Case) -> None:
            c.hearing["waived_at"] = self.occurred_at

    class LegalReviewed(Base.Event):
        class_version = 1
        reviewer_id: str
        result: str
        opinion: str
        checklist: dict[str, Any]

        def apply(self, c: Case) -> None:
            c.reviews.append({"at": self.occurred_at, "result": self.result, "reviewer_id": self.reviewer_id})
            c.status = next_status(c.status, self)

    class DiscussionHeld(Base.Event):
        class_version = 1
        attendees: list[str]
        minutes_sha256: str
        conclusion: str

        def apply(self, c: Case) -> None:
            c.discussions.append({"at": self.occurred_at, "attendees": self.attendees})

    class RecusalRequested(Base.Event):
        class_version = 1
        officer_id: str
        reason: str

        def apply(self, c: Case) -> None:
            c.recusals[self.officer_id] = "pending"

    class RecusalDecided(Base.Event):
        class_version = 1
        officer_id: str
        granted: bool
        decided_by: str

        def apply(self, c: Case) -> None:
            c.recusals[self.officer_id] = "granted" if self.granted else "refused"

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

        def apply(self, c: Case) -> None:
            c.decision = {
                "decision_no": self.decision_no,
                "at": self.occurred_at,
                "outcome": self.outcome,
                "penalties": self.penalties,
                "fine_id": self.fine_id,
                "fine_fen": _fine_total(self.penalties),
            }
            c.status = next_status(c.status, self)

    class DecisionServed(Base.Event):
        class_version = 1
        method: str
        officers: list[str]
        party_consent: bool

        def apply(self, c: Case) -> None:
            c.service = {"at": self.occurred_at, "method": self.method}
            c.status = next_status(c.status, self)

    class DecisionRevoked(Base.Event):
        class_version = 1
        reason: str
        revoked_by: str  # reconsideration | court | unit

        def apply(self, c: Case) -> None:
            if c.decision is not None:
                c.decision["revoked_at"] = self.occurred_at

    class FineSettled(Base.Event):
        class_version = 1
        fine_id: str

        def apply(self, c: Case) -> None:
            c.status = next_status(c.status, self)

    class Disclosed(Base.Event):
        class_version = 1
        channel: str

        def apply(self, c: Case) -> None:
            c.disclosure = {"at": self.occurred_at, "withdrawn_at": None}

    class DisclosureWithdrawn(Base.Event):
        class_version = 1
        reason: str

        def apply(self, c: Case) -> None:
            if c.disclosure is not None:
                c.disclosure["withdrawn_at"] = self.occurred_at

    class TransferReported(Base.Event):
        class_version = 1
        decided_at: datetime | None
        sent_at: datetime | None
        to: str
        documents: list[str]
        approved: bool
        refusal_reason: str | None

        def apply(self, c: Case) -> None:
            c.transfer = {"reported_at": self.occurred_at, "sent_at": self.sent_at, "approved": self.approved}
            c.status = next_status(c.status, self)

    class InterventionRecorded(Base.Event):
        class_version = 1
        official: str
        position: str
        channel: str
        content: str

        def apply(self, c: Case) -> None:
            c.interventions += 1

    class RemedySought(Base.Event):
        """The party applied for reconsideration (行政复议) or sued (行政诉讼): E1, E4, D8."""

        class_version = 1
        kind: str  # reconsideration | litigation
        body: str  # the reconsideration organ or the court
        reference: str | None

        def apply(self, c: Case) -> None:
            c.remedies.append({"kind": self.kind, "from": self.occurred_at, "until": None, "result": None})

    class RemedyConcluded(Base.Event):
        class_version = 1
        kind: str
        result: str  # upheld | changed | revoked | confirmed_illegal | withdrawn | dismissed

        def apply(self, c: Case) -> None:
            for r in c.remedies:
                if r["kind"] == self.kind and r["until"] is None:
                    r["until"], r["result"] = self.occurred_at, self.result

    class ExecutionSuspended(Base.Event):
        """Execution of the decision stops (停止执行). Lawful only on the grounds of 复议法 42
        or 诉讼法 56 (处罚法 73); E1 audits the rest."""

        class_version = 1
        ground: str
        basis: str

        def apply(self, c: Case) -> None:
            c.suspended = {"at": self.occurred_at, "ground": self.ground}

    class ExecutionResumed(Base.Event):
        class_version = 1

        def apply(self, c: Case) -> None:
            c.suspended = None

    class Closed(Base.Event):
        class_version = 1
        reason: str

        def apply(self, c: Case) -> None:
            c.closed_at = self.occurred_at
            c.status = next_status(c.status, self)

    class Archived(Base.Event):
        class_version = 1
        file_sha256: str

        def apply(self, c: Case) -> None:
            c.archived_at = self.occurred_at
            c.status = next_status(c.status, self)

    # ---------------------------------------------------------------- state
    if TYPE_CHECKING:
        unit_id: str
        case_no: str
        matter_code: str
        region: str
        party: dict[str, Any]
        source: str
        summary: str
        occurred_on: date
        discovered_on: date
        filed_at: datetime
        approved_by: str
        handlers: list[str]
        procedure: str
        major: bool
        complex: bool
        imported: bool
        status: str
        acts: list[dict[str, Any]]
        evidence: dict[str, dict[str, Any]]
        notices: list[dict[str, Any]]
        statements: list[datetime]
        rechecks: list[datetime]
        hearing: dict[str, Any]
        reviews: list[dict[str, Any]]
        discussions: list[dict[str, Any]]
        recusals: dict[str, str]
        decision: dict[str, Any] | None
        service: dict[str, Any] | None
        disclosure: dict[str, Any] | None
        transfer: dict[str, Any] | None
        interventions: int
        remedies: list[dict[str, Any]]
        suspended: dict[str, Any] | None
        closed_at: datetime | None
        archived_at: datetime | None

    @staticmethod
    def id_for(unit_id: str, case_no: str) -> UUID:
        return derive_id("case", unit_id, case_no)

    # ---------------------------------------------------------------- guards
    def _open(self) -> None:
        if self.closed_at is not None:
            raise StateError(f"case is {self.status}: nothing more may be recorded")

    def _not_decided(self, what: str) -> None:
        if self.decision is not None:
            raise StateError(f"{what} comes before the decision; the case is already decided")

    def check_officers(self, officers: list[ActingOfficer], at: datetime, *, two_required: bool = True) -> None:
        """A1, A2, A5, A7, A10 for the officers acting at instant ``at``."""
        if not officers:
            raise InvalidInputError("officers", "name the acting officers")
        ids = [o.id for o in officers]
        if len(set(ids)) != len(ids):
            raise InvalidInputError("officers", "an officer is named twice")
        sworn = [o for o in officers if o.kind != "auxiliary"]
        if not sworn:
            raise RuleViolation("A5", "auxiliary staff may not act without certified officers")
        for o in officers:
            state = self.recusals.get(o.id)
            if state == "pending":
                raise RuleViolation("A10", f"officer {o.id} has a recusal request the unit head has not decided")
            if state == "granted":
                raise RuleViolation("A10", f"officer {o.id} is recused from this case")
        for o in sworn:
            if o.unit_id != self.unit_id:
                raise RuleViolation("A2", f"officer {o.id} belongs to another unit")
            st = o.cert.status
            if st in ("suspended", "revoked"):
                raise RuleViolation("A7", f"officer {o.id}'s certificate was {st} at {at.isoformat()}")
            if st != "valid":
                raise RuleViolation("A2", f"officer {o.id} held no valid certificate at {at.isoformat()} ({st})")
            if not o.cert.covers(self.matter_code, self.region):
                raise RuleViolation(
                    "A2",
                    f"officer {o.id}'s certificate does not cover matter {self.matter_code} in region {self.region}",
                )
        if two_required and len(sworn) < 2:
            raise RuleViolation(
                "A1", f"at least two officers with enforcement qualification must act (found {len(sworn)})"
            )

    def _investigators(self) -> set[str]:
        ids: set[str] = set()
        for a in self.acts:
            ids.update(a["officers"])
        for e in self.evidence.values():
            ids.update(e["officers"])
        return ids

    # ---------------------------------------------------------------- commands
    @classmethod
    def file(
        cls,
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
    ) -> Case:
        if procedure not in PROCEDURES:
            raise InvalidInputError("procedure", f"one of {', '.join(PROCEDURES)}")
        if source not in SOURCES:
            raise InvalidInputError("source", f"one of {', '.join(SOURCES)}")
        if discovered_on < occurred_on:
            raise InvalidInputError("discovered_on", "before occurred_on")
        if china_date(filed_at) < discovered_on:
            raise InvalidInputError("filed_at", "before discovered_on")
        if not handlers:
            raise InvalidInputError("handlers", "name the case handlers")
        return cls._create(
            cls.Filed,
            id=cls.id_for(unit_id, case_no),
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
        )

    def record_act(
        self,
        *,
        by: str,
        type: str,
        occurred_at: datetime,
        officers: list[ActingOfficer],
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
        if occurred_at < self.filed_at and type not in ("inspection", "on_site_record"):
            raise StateError("an investigative act before the case was filed")
        self.check_officers(officers, occurred_at)
        self._trigger(
            self.ActRecorded,
            by,
            occurred_at,
            type=type,
            officers=[o.id for o in officers],
            certificate_shown=certificate_shown,
            record_sha256=record_sha256,
            av=av,
            signatures=signatures,
        )

    def collect_evidence(
        self,
        *,
        by: str,
        kind: str,
        description: str,
        sha256: str,
        collected_at: datetime,
        officers: list[ActingOfficer],
        certificate_shown: bool,
    ) -> str:
        self._open()
        self._not_decided("collecting evidence")
        if kind not in LAW.evidence_kinds:
            raise RuleViolation("B4", f"evidence kind {kind!r} is not one of the statutory kinds")
        if not sha256:
            raise RuleViolation("B4", "evidence carries a content hash (SHA-256)")
        _sha256(sha256, "sha256")
        evidence_id = str(derive_id("evidence", str(self.id), sha256.lower()))
        if evidence_id in self.evidence:
            raise StateError("this evidence (same content hash) is already in the case")
        self.check_officers(officers, collected_at)
        self._trigger(
            self.EvidenceCollected,
            by,
            collected_at,
            evidence_id=evidence_id,
            kind=kind,
            description=description,
            sha256=sha256.lower(),
            officers=[o.id for o in officers],
            certificate_shown=certificate_shown,
        )
        return evidence_id

    def assess_evidence(self, *, by: str, at: datetime, evidence_id: str, status: str, reason: str) -> None:
        self._open()
        if evidence_id not in self.evidence:
            raise InvalidInputError("evidence_id", "no such evidence in this case")
        if status not in EVIDENCE_STATUSES:
            raise InvalidInputError("status", f"one of {', '.join(EVIDENCE_STATUSES)}")
        self._trigger(self.EvidenceAssessed, by, at, evidence_id=evidence_id, status=status, reason=reason)

    def hearing_right_due(self, proposed: list[dict[str, Any]]) -> bool:
        """C5: penalties that give the party a hearing right (处罚法 63)."""
        person = self.party.get("kind") == "person"
        limit = LAW.hearing_fine_fen_person if person else LAW.hearing_fine_fen_organisation
        if _fine_total(proposed) >= limit:
            return True
        if _fine_total(proposed, "confiscation") >= LAW.hearing_confiscation_fen:
            return True
        return any(p["type"] in LAW.hearing_penalty_types for p in proposed)

    def serve_notice(
        self,
        *,
        by: str,
        served_at: datetime,
        officers: list[ActingOfficer],
        facts: str,
        legal_basis: str,
        proposed: list[dict[str, Any]],
        hearing_right: bool,
    ) -> None:
        self._open()
        self._not_decided("the notice (告知)")
        if not proposed:
            raise InvalidInputError("proposed", "state the proposed penalty")
        self._check_penalties(proposed, "proposed")
        if not facts.strip():
            raise RuleViolation("C3", "the notice states the facts")
        if not legal_basis.strip():
            raise RuleViolation("C3", "the notice states the legal basis")
        if self.hearing_right_due(proposed) and not hearing_right:
            raise RuleViolation("C5", "the proposed penalty gives the party a hearing right; the notice must say so")
        self.check_officers(officers, served_at)
        self._trigger(
            self.NoticeServed,
            by,
            served_at,
            officers=[o.id for o in officers],
            facts=facts,
            legal_basis=legal_basis,
            proposed=proposed,
            hearing_right=hearing_right,
        )

    def receive_statement(self, *, by: str, received_at: datetime, summary: str) -> None:
        self._open()
        self._not_decided("a statement (陈述申辩)")
        if not self.notices:
            raise StateError("a statement answers a served notice; there is none")
        self._trigger(self.StatementReceived, by, received_at, summary=summary)

    def recheck(self, *, by: str, at: datetime, officers: list[ActingOfficer], conclusion: str) -> None:
        self._open()
        self._not_decided("the re-check (复核)")
        if not self.statements:
            raise StateError("a re-check answers a statement; there is none")
        self.check_officers(officers, at, two_required=False)
        self._trigger(self.RecheckDone, by, at, officers=[o.id for o in officers], conclusion=conclusion)

    def request_hearing(self, *, by: str, at: datetime) -> None:
        self._open()
        self._not_decided("a hearing request")
        if not self.notices or not self.notices[-1]["hearing_right"]:
            raise StateError("no served notice gives a hearing right")
        if self.hearing.get("requested_at"):
            raise StateError("a hearing was already requested")
        notice_day = china_date(self.notices[-1]["at"])
        last_day, _ = add_working_days(notice_day, LAW.hearing_request_working_days)
        if china_date(at) > last_day:
            raise RuleViolation(
                "C5",
                f"a hearing is requested within {LAW.hearing_request_working_days} working "
                f"days of the notice (by {last_day.isoformat()})",
            )
        self._trigger(self.HearingRequested, by, at)

    def hold_hearing(
        self, *, by: str, noticed_at: datetime, held_at: datetime, host_id: str, record_sha256: str
    ) -> None:
        self._open()
        self._not_decided("the hearing")
        if not self.hearing.get("requested_at"):
            raise StateError("no hearing was requested")
        if self.hearing.get("held_at"):
            raise StateError("the hearing was already held")
        _sha256(record_sha256, "record_sha256")
        earliest, _ = add_working_days(china_date(noticed_at), LAW.hearing_notice_working_days)
        if china_date(held_at) < earliest:
            raise RuleViolation(
                "C5",
                f"the hearing is noticed {LAW.hearing_notice_working_days} working days "
                f"ahead (held no earlier than {earliest.isoformat()})",
            )
        if host_id in self._investigators():
            raise RuleViolation("A10", "the hearing host investigated this case")
        self._trigger(
            self.HearingHeld, by, held_at, noticed_at=noticed_at, host_id=host_id, record_sha256=record_sha256
        )

    def waive_hearing(self, *, by: str, at: datetime) -> None:
        self._open()
        self._not_decided("a hearing waiver")
        if not self.notices:
            raise StateError("no served notice to waive a hearing on")
        self._trigger(self.HearingWaived, by, at)

    def legal_review(
        self,
        *,
        by: str,
        reviewer: ActingOfficer,
        at: datetime,
        result: str,
        opinion: str,
        checklist: dict[str, Any],
    ) -> None:
        self._open()
        self._not_decided("the legal review (法制审核)")
        if result not in ("passed", "failed"):
            raise InvalidInputError("result", "passed or failed")
        if reviewer.kind == "auxiliary":
            raise RuleViolation("A5", "auxiliary staff do not review")
        first_review = reviewer.reviewer_since or china_date(at)
        if not reviewer.legal_qualification and first_review >= LAW.legal_review_qualification_from:
            raise RuleViolation(
                "A9",
                "a reviewer first reviewing on or after "
                f"{LAW.legal_review_qualification_from.isoformat()} holds the national "
                "legal-profession qualification (法律职业资格)",
            )
        if reviewer.id in self.handlers or reviewer.id in self._investigators():
            raise RuleViolation("A10", "the legal reviewer handled or investigated this case")
        if self.recusals.get(reviewer.id) in ("pending", "granted"):
            raise RuleViolation("A10", "the reviewer is recused or has an undecided recusal")
        self._trigger(
            self.LegalReviewed, by, at, reviewer_id=reviewer.id, result=result, opinion=opinion, checklist=checklist
        )

    def hold_discussion(
        self, *, by: str, held_at: datetime, attendees: list[str], minutes_sha256: str, conclusion: str
    ) -> None:
        self._open()
        self._not_decided("the collective discussion (集体讨论)")
        if len(set(attendees)) < 2:
            raise RuleViolation("C7", "a collective discussion needs the unit's heads (two or more)")
        _sha256(minutes_sha256, "minutes_sha256")
        self._trigger(
            self.DiscussionHeld, by, held_at, attendees=attendees, minutes_sha256=minutes_sha256, conclusion=conclusion
        )

    def request_recusal(self, *, by: str, at: datetime, officer_id: str, reason: str) -> None:
        self._open()
        self._trigger(self.RecusalRequested, by, at, officer_id=officer_id, reason=reason)

    def decide_recusal(self, *, by: str, at: datetime, officer_id: str, granted: bool, decided_by: str) -> None:
        self._open()
        if self.recusals.get(officer_id) != "pending":
            raise StateError("no pending recusal request for this officer")
        self._trigger(self.RecusalDecided, by, at, officer_id=officer_id, granted=granted, decided_by=decided_by)

    def _check_penalties(self, penalties: list[dict[str, Any]], field: str) -> None:
        for i, p in enumerate(penalties):
            if p.get("type") not in PENALTY_TYPES:
                raise InvalidInputError(f"{field}[{i}].type", f"one of {', '.join(PENALTY_TYPES)}")
            if p["type"] in ("fine", "confiscation"):
                if not p.get("amount_fen"):
                    raise InvalidInputError(f"{field}[{i}].amount", "a fine states its amount")

    def decide(
        self,
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
        benchmark_in_force: BenchmarkVersion | None,
        benchmark_known: bool,
        payment: dict[str, Any] | None,
        unit_banks: list[str],
        remedies: dict[str, Any] | None,
        officers: list[ActingOfficer],
        certificate_shown: bool,
        form_no: str | None,
        fine_id: str | None,
        hearing_record_cited: bool = False,
    ) -> None:
        self._open()
        fine_fen = _fine_total(penalties)
        if self.decision is not None:
            if fine_fen and self.decision["fine_fen"]:
                raise RuleViolation(
                    "C14",
                    "the same act is not fined twice: this case already "
                    f"has fine decision {self.decision['decision_no']}",
                )
            raise StateError("the case is already decided")
        if outcome not in OUTCOMES:
            raise InvalidInputError("outcome", f"one of {', '.join(OUTCOMES)}")
        self._check_penalties(penalties, "penalties")
        if outcome != "penalty" and penalties:
            raise InvalidInputError("penalties", f"a {outcome} decision imposes no penalty")
        if outcome == "penalty" and not penalties:
            raise RuleViolation("C10", "a penalty decision states the penalty")
        if not legal_basis.strip():
            raise RuleViolation("C10", "a decision states its legal basis")
        if self.acts and decided_at < self.filed_at:
            raise StateError("a decision before the case was filed")
        simplified = self.procedure == "simplified"
        remedies = dict(remedies or {})
        remedies.setdefault("reconsideration_days", 60)
        remedies.setdefault("litigation_months", 6)
        remedies.setdefault("reconsideration_first", simplified)

        if outcome == "penalty":
            # Evidence (B4): cited, present, not illegal or unverified.
            if not evidence_ids:
                raise RuleViolation("C10", "a penalty decision cites its evidence")
            for eid in evidence_ids:
                ev = self.evidence.get(eid)
                if ev is None:
                    raise InvalidInputError("evidence_ids", f"no evidence {eid} in this case")
                if ev["status"] in ("illegal", "unverified"):
                    raise RuleViolation("B4", f"evidence {eid} is marked {ev['status']} and cannot be cited")
            # Notice (C3) and statements (C4).
            served = [n for n in self.notices if n["at"] <= decided_at]
            if not served:
                raise RuleViolation("C3", "no served notice (告知) precedes the decision")
            notice = served[-1]
            for s in self.statements:
                if s <= decided_at and not any(s <= r <= decided_at for r in self.rechecks):
                    raise RuleViolation("C4", "a statement (陈述申辩) was not re-checked (复核) before the decision")
            noticed_types = {p["type"] for p in notice["proposed"]}
            heavier = [p["type"] for p in penalties if p["type"] not in noticed_types]
            if (
                heavier
                or fine_fen > _fine_total(notice["proposed"])
                or _fine_total(penalties, "confiscation") > _fine_total(notice["proposed"], "confiscation")
            ):
                raise RuleViolation("C4", "the decision is heavier than the served notice; serve a new notice")
            # Hearing (C5).
            if notice["hearing_right"]:
                h = self.hearing
                if (
                    h.get("requested_at")
                    and not h.get("held_at")
                    and not (h.get("waived_at") and h["waived_at"] >= h["requested_at"])
                ):
                    raise RuleViolation("C5", "the decision waits for the requested hearing")
                if not h.get("requested_at") and not h.get("waived_at"):
                    last_day, _ = add_working_days(china_date(notice["at"]), LAW.hearing_request_working_days)
                    if china_date(decided_at) <= last_day:
                        raise RuleViolation(
                            "C5",
                            "the period to request a hearing runs until "
                            f"{last_day.isoformat()}; decide after it or on a waiver",
                        )
            # Simplified procedure (C16, J2, A1).
            if simplified:
                limit = (
                    LAW.simplified_max_fen_person
                    if self.party.get("kind") == "person"
                    else LAW.simplified_max_fen_organisation
                )
                if any(p["type"] not in ("warning", "fine") for p in penalties) or fine_fen > limit:
                    raise RuleViolation(
                        "C16",
                        "the simplified procedure allows only a warning or a fine up to "
                        f"{limit // 100} yuan for this party",
                    )
                if not certificate_shown:
                    raise RuleViolation("C16", "on-the-spot decisions need the certificate shown")
                if not form_no:
                    raise RuleViolation("C16", "on-the-spot decisions use a numbered form (form_no)")
                if not remedies["reconsideration_first"]:
                    raise RuleViolation(
                        "J2", "an on-the-spot penalty decision states that reconsideration comes before litigation"
                    )
                self.check_officers(officers, decided_at)
            # Fine contents (C10, D1) and discretion (C11, G2).
            if fine_fen:
                if not payment or not payment.get("bank_code"):
                    raise RuleViolation("C10", "a fine decision names the collecting bank")
                if "surcharge" not in payment or payment["surcharge"] is None:
                    raise RuleViolation("C10", "a fine decision says whether a late surcharge applies")
                if payment["bank_code"] not in unit_banks:
                    raise RuleViolation(
                        "D1", f"bank {payment['bank_code']} is not designated to collect this unit's fines"
                    )
                self._check_discretion(fine_fen, decided_at, benchmark_choice, benchmark_in_force, benchmark_known)
        # Collective discussion (C7) and legal review (C8).
        if (
            outcome == "penalty"
            and (self.complex or self.major)
            and not any(d["at"] <= decided_at for d in self.discussions)
        ):
            raise RuleViolation("C7", "a complex or major case is decided by collective discussion")
        major_decision = self.major or self.complex or bool(self.hearing.get("held_at"))
        if outcome == "penalty" and major_decision:
            before = [r for r in self.reviews if r["at"] <= decided_at]
            if not before:
                raise RuleViolation("C8", "a major decision needs a passed legal review (法制审核)")
            if before[-1]["result"] != "passed":
                raise RuleViolation("C8", "the latest legal review failed; a later pass is needed")
        self._trigger(
            self.Decided,
            by,
            decided_at,
            decision_no=decision_no,
            decided_by=decided_by,
            outcome=outcome,
            penalties=penalties,
            legal_basis=legal_basis,
            evidence_ids=evidence_ids,
            benchmark=benchmark_choice,
            payment=payment if fine_fen else None,
            remedies=remedies,
            officers=[o.id for o in officers],
            certificate_shown=certificate_shown,
            form_no=form_no,
            fine_id=fine_id if fine_fen else None,
            hearing_record_cited=hearing_record_cited,
        )

    def _check_discretion(
        self,
        fine_fen: int,
        decided_at: datetime,
        choice: dict[str, Any] | None,
        in_force: BenchmarkVersion | None,
        known: bool,
    ) -> None:
        if not known or in_force is None:
            raise RuleViolation("C11", f"no discretion benchmark (裁量基准) is in force for matter {self.matter_code}")
        if not choice or not choice.get("version"):
            raise RuleViolation("C11", "a fine decision names the benchmark version it applied")
        if choice["version"] != in_force.version:
            raise RuleViolation(
                "C11",
                f"benchmark version {in_force.version} was in force on the decision date, not {choice['version']}",
            )
        if in_force.published_at > decided_at:
            raise RuleViolation("G2", f"benchmark version {in_force.version} was not yet published")
        if not in_force.statutory_min_fen <= fine_fen <= in_force.statutory_max_fen:
            raise RuleViolation("C11", "the fine lies outside the statutory range")
        tier = next((t for t in in_force.tiers if t["tier"] == choice.get("tier")), None)
        if tier is None:
            raise RuleViolation("C11", f"benchmark tier {choice.get('tier')!r} does not exist")
        if not tier["min_fen"] <= fine_fen <= tier["max_fen"] and not (choice.get("reason") or "").strip():
            raise RuleViolation("C11", "a fine outside the tier's range needs a written reason")

    def serve_decision(
        self, *, by: str, served_at: datetime, method: str, officers: list[ActingOfficer], party_consent: bool
    ) -> None:
        self._open()
        if self.decision is None:
            raise StateError("no decision to serve")
        if self.service is not None:
            raise StateError("the decision was already served")
        if method not in SERVICE_METHODS:
            raise InvalidInputError("method", f"one of {', '.join(SERVICE_METHODS)}")
        if served_at < self.decision["at"]:
            raise StateError("service before the decision")
        if method in ("direct", "on_the_spot"):
            self.check_officers(officers, served_at)
        elif officers:
            self.check_officers(officers, served_at, two_required=False)
        self._trigger(
            self.DecisionServed,
            by,
            served_at,
            method=method,
            officers=[o.id for o in officers],
            party_consent=party_consent,
        )

    def revoke_decision(self, *, by: str, at: datetime, reason: str, revoked_by: str) -> None:
        """The decision is changed, revoked or found void (by reconsideration, a court, or the
        unit itself); a disclosure of it must then be withdrawn (G4)."""
        if self.decision is None:
            raise StateError("no decision to revoke")
        if self.decision.get("revoked_at"):
            raise StateError("the decision was already revoked")
        if revoked_by not in ("reconsideration", "court", "unit"):
            raise InvalidInputError("revoked_by", "reconsideration, court or unit")
        if at < self.decision["at"]:
            raise InvalidInputError("at", "before the decision")
        if not reason.strip():
            raise InvalidInputError("reason", "state why the decision was revoked")
        self._trigger(self.DecisionRevoked, by, at, reason=reason, revoked_by=revoked_by)

    def pending_remedy(self, at: datetime | None = None) -> dict[str, Any] | None:
        """The reconsideration or suit pending at ``at`` (default: now), if any."""
        for r in self.remedies:
            if (at is None or r["from"] <= at) and (r["until"] is None or (at is not None and r["until"] > at)):
                return r
        return None

    def seek_remedy(self, *, by: str, at: datetime, kind: str, body: str, reference: str | None) -> None:
        if self.decision is None:
            raise StateError("a reconsideration or suit is against a decision; the case has none")
        if kind not in REMEDY_KINDS:
            raise InvalidInputError("kind", " or ".join(REMEDY_KINDS))
        if at < self.decision["at"]:
            raise InvalidInputError("filed_at", "before the decision")
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
        if at < pending["from"]:
            raise InvalidInputError("at", "before the application")
        self._trigger(self.RemedyConcluded, by, at, kind=kind, result=result)

    def suspend_execution(self, *, by: str, at: datetime, ground: str, basis: str) -> None:
        if self.decision is None:
            raise StateError("only a decision's execution is suspended")
        if self.suspended is not None:
            raise StateError("execution is already suspended")
        if ground not in SUSPENSION_GROUNDS:
            raise InvalidInputError("ground", ", ".join(SUSPENSION_GROUNDS))
        if not basis.strip():
            raise InvalidInputError("basis", "cite the decision, ruling or law the suspension rests on")
        if at < self.decision["at"]:
            raise InvalidInputError("at", "before the decision")
        self._trigger(self.ExecutionSuspended, by, at, ground=ground, basis=basis)

    def resume_execution(self, *, by: str, at: datetime) -> None:
        if self.suspended is None:
            raise StateError("execution is not suspended")
        if at < self.suspended["at"]:
            raise InvalidInputError("at", "before the suspension")
        self._trigger(self.ExecutionResumed, by, at)

    def settle_fine(self, *, by: str, at: datetime, fine_id: str) -> None:
        self._trigger(self.FineSettled, by, at, fine_id=fine_id)

    def disclose(self, *, by: str, published_at: datetime, channel: str) -> None:
        if self.decision is None:
            raise StateError("only a decision is disclosed")
        if self.disclosure is not None and self.disclosure["withdrawn_at"] is None:
            raise StateError("already disclosed")
        self._trigger(self.Disclosed, by, published_at, channel=channel)

    def withdraw_disclosure(self, *, by: str, at: datetime, reason: str) -> None:
        if self.disclosure is None or self.disclosure["withdrawn_at"] is not None:
            raise StateError("nothing disclosed to withdraw")
        if not reason.strip():
            raise InvalidInputError("reason", "a withdrawal publishes its reason")
        self._trigger(self.DisclosureWithdrawn, by, at, reason=reason)

    def report_transfer(
        self,
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
        if self.transfer is not None and self.transfer["approved"]:
            raise StateError("the case was already transferred")
        if approved:
            missing = [d for d in LAW.transfer_documents if d not in documents]
            if missing:
                raise RuleViolation("F3", "the transfer package lacks: " + ", ".join(missing))
        elif not (refusal_reason or "").strip():
            raise InvalidInputError("refusal_reason", "a refused transfer records its reasons")
        if decided_at and decided_at < reported_at:
            raise InvalidInputError("decided_at", "before reported_at")
        if sent_at and (decided_at is None or sent_at < decided_at):
            raise InvalidInputError("sent_at", "a transfer is sent after it is decided")
        self._trigger(
            self.TransferReported,
            by,
            reported_at,
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
        ended = self.status in ("served", "executed", "transferred") or (
            self.decision is not None and self.decision["outcome"] != "penalty"
        )
        if not ended and reason not in ("withdrawn", "no_violation"):
            raise StateError(
                f"a case is closed after its decision is served or it is transferred "
                f"(status {self.status}); otherwise give reason withdrawn or no_violation"
            )
        self._trigger(self.Closed, by, at, reason=reason)

    def archive(self, *, by: str, at: datetime, file_sha256: str) -> None:
        if self.closed_at is None:
            raise StateError("a case is archived after it is closed")
        if self.archived_at is not None:
            raise StateError("already archived")
        _sha256(file_sha256, "file_sha256")
        self._trigger(self.Archived, by, at, file_sha256=file_sha256)

    # ---------------------------------------------------------------- view
    def view(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "case_no": self.case_no,
            "unit_id": self.unit_id,
            "status": self.status,
            "version": self.version,
            "matter_code": self.matter_code,
            "procedure": self.procedure,
            "major": self.major,
            "complex": self.complex,
            "party": {k: v for k, v in self.party.items()},
            "source": self.source,
            "summary": self.summary,
            "occurred_on": self.occurred_on.isoformat(),
            "discovered_on": self.discovered_on.isoformat(),
            "filed_at": self.filed_at.isoformat(),
            "handlers": self.handlers,
            "acts": len(self.acts),
            "evidence": [
                {"evidence_id": k, "kind": v["kind"], "status": v["status"]} for k, v in self.evidence.items()
            ],
            "notices": len(self.notices),
            "hearing": {k: v.isoformat() for k, v in self.hearing.items()},
            "legal_reviews": [{"at": r["at"].isoformat(), "result": r["result"]} for r in self.reviews],
            "discussions": len(self.discussions),
            "decision": None
            if self.decision is None
            else {
                "decision_no": self.decision["decision_no"],
                "decided_at": self.decision["at"].isoformat(),
                "outcome": self.decision["outcome"],
                "fine_id": self.decision["fine_id"],
            },
            "served_at": self.service["at"].isoformat() if self.service else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "archived_at": self.archived_at.isoformat() if self.archived_at else None,
            "imported": self.imported,
        }


_STATUS_TARGETS: dict[type[Any], Any] = {
    Case.ActRecorded: "investigating",
    Case.EvidenceCollected: "investigating",
    Case.NoticeServed: "noticed",
    Case.HearingRequested: "hearing",
    Case.LegalReviewed: lambda e: "reviewed" if e.result == "passed" else None,
    Case.Decided: "decided",
    Case.DecisionServed: "served",
    Case.FineSettled: "executed",
    Case.TransferReported: lambda e: "transferred" if e.approved else None,
    Case.Closed: "closed",
    Case.Archived: "archived",
}


REMEDY_KINDS = ("reconsideration", "litigation")
REMEDY_RESULTS = ("upheld", "changed", "revoked", "confirmed_illegal", "withdrawn", "dismissed")
# Who stopped execution: the unit itself as respondent (复议法 42(1), 诉讼法 56(1)), the
# reconsideration organ (复议法 42(2)(3)), the court (诉讼法 56(2)(3)), or a law (42(4), 56(4)).
# "pending_remedy" records a unit that stopped because a remedy was sought: recorded as it
# happened, and an E1 finding (处罚法 73: a remedy does not suspend the penalty).
SUSPENSION_GROUNDS = ("respondent", "reconsideration_organ", "court", "law", "pending_remedy")


def next_status(current: str, event: Any) -> str:
    """The case status after an event. Status only moves forward in the legal order (a late
    act does not move a decided case back); closure and archiving always set it. Used by the
    aggregate and by the read side, so both agree."""
    target = _STATUS_TARGETS.get(type(event))
    if callable(target):
        target = target(event)
    if target is None:
        return "filed" if isinstance(event, Case.Filed) else current
    if target in ("closed", "archived"):
        return str(target)
    return str(target) if STATUS_ORDER.index(target) > STATUS_ORDER.index(current) else current
