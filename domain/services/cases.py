"""Case commands and the case replay: load the case, one domain call, save (with the fine
where the command changes it too)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime
from typing import Any
from uuid import UUID

from .. import access
from ..base import Base
from ..case import Case, case_view
from ..errors import AlreadyExistsError, ForbiddenError, InvalidInputError, NotFoundError
from ..fine import Fine
from ..money import yuan_to_fen
from ..principal import Actor
from ..rulebook.core import fen
from ..rulebook.procedure import service_effective_on
from ..unit import Unit
from .base import AppContext, Result, Service, _is_uuid, event_view, now, penalties_fen

#: what a case command hands back: other aggregates it changed (saved with the case, in one
#: transaction) and extra fields of the answer
Outcome = tuple[list[Base], Result] | None


class CaseCommands(Service):
    def file_case(
        self,
        actor: Actor,
        *,
        unit_id: str,
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
        amount_involved: str | None = None,
        continuing_until: date | None = None,
        harm: bool = False,
        filing_extension_approved_by: str | None = None,
    ) -> Result:
        unit = self._get(Unit, unit_id, "unit")
        access.require_unit_role(actor, str(unit.id), *access.CASE_WRITERS)
        handlers = self._officer_ids(handlers, "handlers")
        self._officer_ids([approved_by], "approved_by")
        if filing_extension_approved_by:
            self._officer_ids([filing_extension_approved_by], "filing_extension_approved_by")
        cid = Case.id_for(str(unit.id), case_no)
        if self._exists(cid):
            raise AlreadyExistsError(f"case {case_no} already exists in unit {unit.code}")
        case = Case.file(
            self.context(),
            by=actor.id,
            unit_id=str(unit.id),
            region=unit.region,
            case_no=case_no,
            matter_code=matter_code,
            party=party,
            source=source,
            summary=summary,
            occurred_on=occurred_on,
            discovered_on=discovered_on,
            filed_at=filed_at,
            approved_by=approved_by,
            handlers=handlers,
            procedure=procedure,
            major=major,
            complex=complex,
            amount_involved_fen=yuan_to_fen(amount_involved, "amount_involved") if amount_involved else None,
            continuing_until=continuing_until,
            harm=harm,
            filing_extension_approved_by=filing_extension_approved_by,
        )
        return self._save(case, created=True)

    def _case_cmd(
        self,
        actor: Actor,
        case_id: str,
        roles: tuple[str, ...],
        expected_version: int | None,
        fn: Callable[[Case, AppContext], Outcome],
    ) -> Result:
        """Run one command on the case under its lock (and its fine's, always the case's
        first: fine commands take them in the same order), then save what it changed."""
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        cid = UUID(case_id)

        def run() -> Result:
            with self._locked(cid):
                case = self._get(Case, cid, "case")
                if roles:
                    access.require_unit_role(actor, case.unit_id, *roles)
                self._check_version(case, expected_version)
                fine_id = case.fine_id
                with self._locked(UUID(fine_id)) if fine_id else nullcontext():
                    others, extra = fn(case, self.context()) or ([], {})
                    return self._save(case, *others, extra=extra)

        return self._retrying(run)

    def _fine_of(self, case: Case) -> Fine | None:
        return self._get(Fine, case.fine_id, "fine") if case.fine_id else None

    def record_act(
        self,
        actor: Actor,
        case_id: str,
        *,
        type: str,
        occurred_at: datetime,
        officers: list[str],
        certificate_shown: bool,
        record_sha256: str | None,
        av: dict[str, Any] | None,
        signatures: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Result:
        officers = self._officer_ids(officers)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.record_act(
                ctx,
                by=actor.id,
                type=type,
                occurred_at=occurred_at,
                officers=officers,
                certificate_shown=certificate_shown,
                record_sha256=record_sha256,
                av=av,
                signatures=signatures,
            ),
        )

    def collect_evidence(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        description: str,
        sha256: str,
        collected_at: datetime,
        officers: list[str],
        certificate_shown: bool,
        expected_version: int | None = None,
    ) -> Result:
        officers = self._officer_ids(officers)

        def collect(c: Case, ctx: AppContext) -> Outcome:
            eid = c.collect_evidence(
                ctx,
                by=actor.id,
                kind=kind,
                description=description,
                sha256=sha256,
                collected_at=collected_at,
                officers=officers,
                certificate_shown=certificate_shown,
            )
            return [], {"evidence_id": eid}

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, collect)

    def assess_evidence(
        self,
        actor: Actor,
        case_id: str,
        evidence_id: str,
        *,
        status: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.assess_evidence(
                by=actor.id, at=now(), evidence_id=evidence_id, status=status, reason=reason
            ),
        )

    def serve_notice(
        self,
        actor: Actor,
        case_id: str,
        *,
        served_at: datetime,
        officers: list[str],
        facts: str,
        legal_basis: str,
        proposed: list[dict[str, Any]],
        hearing_right: bool,
        reasons: str = "",
        expected_version: int | None = None,
    ) -> Result:
        officers = self._officer_ids(officers)
        proposed = penalties_fen(proposed, "proposed")
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.serve_notice(
                ctx,
                by=actor.id,
                served_at=served_at,
                officers=officers,
                facts=facts,
                reasons=reasons,
                legal_basis=legal_basis,
                proposed=proposed,
                hearing_right=hearing_right,
            ),
        )

    def receive_statement(
        self, actor: Actor, case_id: str, *, received_at: datetime, summary: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.receive_statement(by=actor.id, received_at=received_at, summary=summary),
        )

    def waive_statement(
        self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        """The party expressly waived its statement and defence (处罚法 62)."""
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c, ctx: c.waive_statement(by=actor.id, at=at)
        )

    def recheck(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        officers: list[str],
        conclusion: str,
        expected_version: int | None = None,
    ) -> Result:
        officers = self._officer_ids(officers)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.recheck(ctx, by=actor.id, at=at, officers=officers, conclusion=conclusion),
        )

    def request_hearing(
        self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c, ctx: c.request_hearing(by=actor.id, at=at)
        )

    def hold_hearing(
        self,
        actor: Actor,
        case_id: str,
        *,
        noticed_at: datetime,
        held_at: datetime,
        host_id: str,
        record_sha256: str,
        expected_version: int | None = None,
    ) -> Result:
        (host_id,) = self._officer_ids([host_id], "host_id")
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.hold_hearing(
                ctx, by=actor.id, noticed_at=noticed_at, held_at=held_at, host_id=host_id, record_sha256=record_sha256
            ),
        )

    def waive_hearing(self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None) -> Result:
        return self._case_cmd(
            actor, case_id, access.CASE_WRITERS, expected_version, lambda c, ctx: c.waive_hearing(by=actor.id, at=at)
        )

    def legal_review(
        self,
        actor: Actor,
        case_id: str,
        *,
        reviewer_id: str,
        at: datetime,
        result: str,
        opinion: str,
        checklist: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Result:
        if actor.officer_id is not None and actor.officer_id != reviewer_id:
            raise InvalidInputError("reviewer_id", "a reviewer records their own review")
        (reviewer_id,) = self._officer_ids([reviewer_id], "reviewer_id")
        return self._case_cmd(
            actor,
            case_id,
            ("legal_reviewer",),
            expected_version,
            lambda c, ctx: c.legal_review(
                ctx,
                by=actor.id,
                reviewer_id=reviewer_id,
                at=at,
                result=result,
                opinion=opinion,
                checklist=checklist or {},
            ),
        )

    def hold_discussion(
        self,
        actor: Actor,
        case_id: str,
        *,
        held_at: datetime,
        attendees: list[str],
        minutes_sha256: str,
        conclusion: str,
        expected_version: int | None = None,
    ) -> Result:
        attendees = self._officer_ids(attendees, "attendees")
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c, ctx: c.hold_discussion(
                by=actor.id, held_at=held_at, attendees=attendees, minutes_sha256=minutes_sha256, conclusion=conclusion
            ),
        )

    def request_recusal(
        self,
        actor: Actor,
        case_id: str,
        *,
        officer_id: str,
        at: datetime,
        reason: str,
        expected_version: int | None = None,
    ) -> Result:
        (officer_id,) = self._officer_ids([officer_id], "officer_id")
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.request_recusal(by=actor.id, at=at, officer_id=officer_id, reason=reason),
        )

    def decide_recusal(
        self,
        actor: Actor,
        case_id: str,
        *,
        officer_id: str,
        at: datetime,
        granted: bool,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c, ctx: c.decide_recusal(
                by=actor.id, at=at, officer_id=officer_id, granted=granted, decided_by=actor.officer_id or actor.id
            ),
        )

    def decide(
        self,
        actor: Actor,
        case_id: str,
        *,
        decision_no: str,
        decided_at: datetime,
        decided_by: str,
        outcome: str,
        penalties: list[dict[str, Any]],
        legal_basis: str,
        evidence_ids: list[str],
        benchmark: dict[str, Any] | None,
        payment: dict[str, Any] | None,
        remedies: dict[str, Any] | None = None,
        officers: list[str] | None = None,
        certificate_shown: bool = False,
        form_no: str | None = None,
        hearing_record_cited: bool = False,
        expected_version: int | None = None,
    ) -> Result:
        """The decision; a fine decision imposes its Fine in the same save."""
        pens = penalties_fen(penalties, "penalties")
        officers = self._officer_ids(officers or [])
        (decided_by,) = self._officer_ids([decided_by], "decided_by")
        fine_fen = fen(pens)

        def decide(c: Case, ctx: AppContext) -> Outcome:
            fine_id = Fine.id_for(c.unit_id, decision_no) if fine_fen else None
            if fine_id is not None and self._exists(fine_id):
                raise AlreadyExistsError(f"decision number {decision_no} is already used")
            c.decide(
                ctx,
                by=actor.id,
                decision_no=decision_no,
                decided_at=decided_at,
                decided_by=decided_by,
                outcome=outcome,
                penalties=pens,
                legal_basis=legal_basis,
                evidence_ids=evidence_ids,
                benchmark_choice=benchmark,
                payment=payment,
                remedies=remedies,
                officers=officers,
                certificate_shown=certificate_shown,
                form_no=form_no,
                fine_id=str(fine_id) if fine_id else None,
                hearing_record_cited=hearing_record_cited,
            )
            if fine_id is None:
                return None
            assert payment is not None  # C10 refused a fine decision without payment terms
            fine = Fine.impose(
                by=actor.id,
                at=decided_at,
                case_id=str(c.id),
                unit_id=c.unit_id,
                decision_no=decision_no,
                amount_fen=fine_fen,
                bank_code=payment["bank_code"],
                surcharge=bool(payment["surcharge"]),
            )
            return [fine], {"fine_id": str(fine_id)}

        return self._case_cmd(actor, case_id, ("unit_head",), expected_version, decide)

    def serve_decision(
        self,
        actor: Actor,
        case_id: str,
        *,
        served_at: datetime,
        method: str,
        officers: list[str],
        party_consent: bool = False,
        receipt_on: date | None = None,
        confirmation_sha256: str | None = None,
        disclosure_told: bool | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Service of the decision; the fine falls due from the day the service takes effect."""
        officers = self._officer_ids(officers) if officers else []

        def serve(c: Case, ctx: AppContext) -> Outcome:
            c.serve_decision(
                ctx,
                by=actor.id,
                served_at=served_at,
                method=method,
                officers=officers,
                party_consent=party_consent,
                receipt_on=receipt_on,
                confirmation_sha256=confirmation_sha256,
                disclosure_told=disclosure_told,
            )
            fine = self._fine_of(c)
            if fine is None:
                return None
            fine.set_due_date(by=actor.id, served_at=served_at, effective_on=service_effective_on(c.f["service"]))
            return [fine], {}

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, serve)

    def seek_remedy(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        filed_at: datetime,
        body: str,
        reference: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """The party applied for reconsideration or sued; the fine's surcharge pauses (D8)."""

        def seek(c: Case, ctx: AppContext) -> Outcome:
            c.seek_remedy(by=actor.id, at=filed_at, kind=kind, body=body, reference=reference)
            fine = self._fine_of(c)
            if fine is None:
                return None
            fine.remedy_began(by=actor.id, at=filed_at, kind=kind)
            return [fine], {}

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, seek)

    def conclude_remedy(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        at: datetime,
        result: str,
        expected_version: int | None = None,
    ) -> Result:
        """A reconsideration or suit ended. One that revoked the decision voids its fine; one
        that changed it is followed by the decision as changed (``change_decision``)."""

        def conclude(c: Case, ctx: AppContext) -> Outcome:
            c.conclude_remedy(by=actor.id, at=at, kind=kind, result=result)
            fine = self._fine_of(c)
            if fine is None:
                return None
            fine.remedy_ended(by=actor.id, at=at, kind=kind, result=result)
            if result == "revoked":
                fine.void_(by=actor.id, at=at, reason=f"{kind} revoked the decision")
            return [fine], {}

        return self._case_cmd(actor, case_id, access.CASE_WRITERS, expected_version, conclude)

    def suspend_execution(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        ground: str,
        basis: str,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c, ctx: c.suspend_execution(by=actor.id, at=at, ground=ground, basis=basis),
        )

    def resume_execution(
        self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor, case_id, ("unit_head",), expected_version, lambda c, ctx: c.resume_execution(by=actor.id, at=at)
        )

    def suspend_case(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        reason: str,
        approved_by: str,
        expected_version: int | None = None,
    ) -> Result:
        """The case is suspended (中止); its decision period stops (C12)."""
        (approved_by,) = self._officer_ids([approved_by], "approved_by")
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c, ctx: c.suspend_case(by=actor.id, at=at, reason=reason, approved_by=approved_by),
        )

    def resume_case(self, actor: Actor, case_id: str, *, at: datetime, expected_version: int | None = None) -> Result:
        return self._case_cmd(
            actor, case_id, ("unit_head",), expected_version, lambda c, ctx: c.resume_case(by=actor.id, at=at)
        )

    def extend_period(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        period: str,
        days: int,
        approved_by: str,
        reason: str,
        discussion: bool = False,
        act_version: int | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """An approved extension of the decision period (C12) or of a sealing or seizure (E8)."""
        (approved_by,) = self._officer_ids([approved_by], "approved_by")
        return self._case_cmd(
            actor,
            case_id,
            ("unit_head",),
            expected_version,
            lambda c, ctx: c.extend_period(
                by=actor.id,
                at=at,
                period=period,
                days=days,
                approved_by=approved_by,
                discussion=discussion,
                act_version=act_version,
                reason=reason,
            ),
        )

    def record_testing(
        self,
        actor: Actor,
        case_id: str,
        *,
        kind: str,
        start: datetime,
        end: datetime,
        act_version: int | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Testing, inspection, quarantine or appraisal: a period not counted (C12, E8)."""
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.record_testing(by=actor.id, kind=kind, start=start, end=end, act_version=act_version),
        )

    def carry_out_enforcement(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        kind: str,
        officers: list[str],
        certificate_shown: bool,
        av: dict[str, Any] | None = None,
        emergency: bool = False,
        emergency_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        """Enforcement of the decision (划拨、拍卖、代履行、排除妨碍…): E7."""
        officers = self._officer_ids(officers)
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.carry_out_enforcement(
                ctx,
                by=actor.id,
                at=at,
                kind=kind,
                officers=officers,
                certificate_shown=certificate_shown,
                av=av,
                emergency=emergency,
                emergency_reason=emergency_reason,
            ),
        )

    def revoke_decision(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        reason: str,
        revoked_by: str,
        kind: str = "revoked",
        expected_version: int | None = None,
    ) -> Result:
        """The decision is revoked or found void (its fine is void), or confirmed unlawful
        (``kind="confirmed_unlawful"``: it stands, and so does its fine)."""
        if kind not in ("revoked", "void", "confirmed_unlawful"):
            raise InvalidInputError("kind", "revoked, void or confirmed_unlawful")

        def revoke(c: Case, ctx: AppContext) -> Outcome:
            if kind == "confirmed_unlawful":
                c.confirm_unlawful(by=actor.id, at=at, reason=reason, confirmed_by=revoked_by)
                return None
            c.revoke_decision(by=actor.id, at=at, reason=reason, revoked_by=revoked_by)
            fine = self._fine_of(c)
            if fine is None:
                return None
            fine.void_(by=actor.id, at=at, reason=reason)
            return [fine], {}

        return self._case_cmd(actor, case_id, ("unit_head",), expected_version, revoke)

    def change_decision(
        self,
        actor: Actor,
        case_id: str,
        *,
        at: datetime,
        reason: str,
        changed_by: str,
        penalties: list[dict[str, Any]],
        expected_version: int | None = None,
    ) -> Result:
        """The decision is changed (变更): its fine is amended to the new amount."""
        pens = penalties_fen(penalties, "penalties")

        def change(c: Case, ctx: AppContext) -> Outcome:
            c.change_decision(by=actor.id, at=at, reason=reason, changed_by=changed_by, penalties=pens)
            fine = self._fine_of(c)
            if fine is None:
                return None
            fine.amend(by=actor.id, at=at, amount_fen=fen(pens), reason=reason)
            return [fine], {}

        return self._case_cmd(actor, case_id, ("unit_head",), expected_version, change)

    def disclose(
        self, actor: Actor, case_id: str, *, published_at: datetime, channel: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.disclose(by=actor.id, published_at=published_at, channel=channel),
        )

    def withdraw_disclosure(
        self, actor: Actor, case_id: str, *, at: datetime, reason: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.withdraw_disclosure(by=actor.id, at=at, reason=reason),
        )

    def report_transfer(
        self,
        actor: Actor,
        case_id: str,
        *,
        reported_at: datetime,
        decided_at: datetime | None,
        sent_at: datetime | None,
        to: str,
        documents: list[str],
        approved: bool = True,
        refusal_reason: str | None = None,
        expected_version: int | None = None,
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.report_transfer(
                ctx,
                by=actor.id,
                reported_at=reported_at,
                decided_at=decided_at,
                sent_at=sent_at,
                to=to,
                documents=documents,
                approved=approved,
                refusal_reason=refusal_reason,
            ),
        )

    def record_intervention(
        self,
        actor: Actor,
        case_id: str,
        *,
        official: str,
        position: str,
        occurred_at: datetime,
        channel: str,
        content: str,
        expected_version: int | None = None,
    ) -> Result:
        if actor.role == "bank":
            raise ForbiddenError("a bank does not record interventions")

        def record(c: Case, ctx: AppContext) -> Outcome:
            if actor.role in ("officer", "unit_head", "legal_reviewer"):
                access.require_case_reader(actor, c.unit_id)
            c.record_intervention(
                by=actor.id,
                occurred_at=occurred_at,
                official=official,
                position=position,
                channel=channel,
                content=content,
            )
            return None

        return self._case_cmd(actor, case_id, (), expected_version, record)

    def close_case(
        self, actor: Actor, case_id: str, *, at: datetime, reason: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.close(by=actor.id, at=at, reason=reason),
        )

    def archive_case(
        self, actor: Actor, case_id: str, *, at: datetime, file_sha256: str, expected_version: int | None = None
    ) -> Result:
        return self._case_cmd(
            actor,
            case_id,
            access.CASE_WRITERS,
            expected_version,
            lambda c, ctx: c.archive(by=actor.id, at=at, file_sha256=file_sha256),
        )

    # ------------------------------------------------------------ case queries (replay)
    def get_case(
        self, actor: Actor, case_id: str, *, as_of: datetime | None = None, version: int | None = None
    ) -> Result:
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        cid = UUID(case_id)
        if as_of is None and version is None:
            case = self._fresh(Case, cid, "case")
            access.require_case_reader(actor, case.unit_id)
            with self._locked(cid):
                return case.view()
        events: list[Any] = list(self.events.get(cid))
        if not events or not isinstance(events[0], Case.Filed):
            raise NotFoundError(f"case {case_id} not found")
        access.require_case_reader(actor, events[0].unit_id)
        if version is not None:
            events = events[:version]
        if as_of is not None:
            events = [e for e in events if e.timestamp <= as_of]
        if not events:
            raise NotFoundError(f"case {case_id} did not exist at that time/version")
        agg: Any = None
        for e in events:
            agg = e.mutate(agg)
        return case_view(agg.f, agg.version)

    def case_events(self, actor: Actor, case_id: str) -> list[Result]:
        if not _is_uuid(case_id):
            raise NotFoundError(f"case {case_id} not found")
        events = list(self.events.get(UUID(case_id)))
        if not events or not isinstance(events[0], Case.Filed):
            raise NotFoundError(f"case {case_id} not found")
        access.require_case_reader(actor, events[0].unit_id)
        return [event_view(e) for e in events]
