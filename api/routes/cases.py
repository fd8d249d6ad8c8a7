"""Cases: every step of the whole-process record (officers and unit heads of the case's unit)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime

from domain import access
from domain.errors import InvalidInputError
from projections import reports

from ..deps import App, CaseIndexPosition, Cmd, CurrentPrincipal
from ..openapi import DecisionAnswer, EvidenceAnswer
from ..schemas import (
    ActIn,
    ArchiveIn,
    AtIn,
    CaseIn,
    CaseSuspensionIn,
    ClosureIn,
    DecisionChangeIn,
    DecisionIn,
    DisclosureIn,
    DiscussionIn,
    EnforcementIn,
    EvidenceAssessmentIn,
    EvidenceIn,
    ExtensionIn,
    HearingIn,
    InterventionIn,
    LegalReviewIn,
    NoticeIn,
    RecheckIn,
    RecusalDecisionIn,
    RecusalIn,
    RemedyConclusionIn,
    RemedyIn,
    RevocationIn,
    ServiceIn,
    StatementIn,
    SuspensionIn,
    TestingIn,
    TransferIn,
    WithdrawalIn,
)

router = APIRouter(prefix="/v1/cases", tags=["cases"])


def _d(body: Any) -> dict[str, Any]:
    return dict(body.model_dump())


@router.post("", status_code=201)
def file_case(body: CaseIn, cmd: Cmd) -> Response:
    """File a case (立案). The same unit_id + case_no twice: 409."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.file_case(cmd.actor, **data), 201)


@router.get("")
def list_cases(
    app: App,
    actor: CurrentPrincipal,
    request: Request,
    _pos: CaseIndexPosition,
    unit_id: str | None = None,
    status: str | None = None,
    matter_code: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = None,
) -> dict[str, Any]:
    """Cases from the case index (a projection), in filing order. Officers see their own
    unit's; supervisors and auditors all. `min_position` waits for your own writes."""
    scope = access.case_list_scope(actor, unit_id)
    if cursor is not None and not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise InvalidInputError("cursor", "use the next_cursor of the previous page")
    return reports.list_cases(
        request.app.state.engine,
        unit_id=scope,
        status=status,
        matter_code=matter_code,
        limit=limit,
        cursor=int(cursor) if cursor else None,
    )


@router.get("/{case_id}")
def get_case(
    case_id: str,
    app: App,
    actor: CurrentPrincipal,
    as_of: AwareDatetime | None = None,
    version: int | None = Query(default=None, ge=1),
) -> dict[str, Any]:
    """The case now, or replayed from its events as of a time or a version."""
    return app.get_case(actor, case_id, as_of=as_of, version=version)


@router.get("/{case_id}/events")
def case_events(case_id: str, app: App, actor: CurrentPrincipal) -> list[dict[str, Any]]:
    """Every event of the case: type, when recorded, by whom, when it occurred, its data."""
    return app.case_events(actor, case_id)


@router.post("/{case_id}/acts")
def record_act(case_id: str, body: ActIn, cmd: Cmd) -> Response:
    """An act on site (inspection, inquiry, sealing, seizure …): A1, A2, A5, A7, A10."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.record_act(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/evidence", response_model=EvidenceAnswer)
def collect_evidence(case_id: str, body: EvidenceIn, cmd: Cmd) -> Response:
    """Evidence of a statutory kind with its SHA-256 (B4); answers `evidence_id`."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.collect_evidence(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/evidence/{evidence_id}/assessments")
def assess_evidence(case_id: str, evidence_id: str, body: EvidenceAssessmentIn, cmd: Cmd) -> Response:
    """Mark evidence verified, unverified or illegal (B4: the last two are never cited)."""
    data = _d(body)
    return cmd.run(
        lambda: cmd.app.assess_evidence(cmd.actor, case_id, evidence_id, **data, expected_version=cmd.expected_version)
    )


@router.post("/{case_id}/notices")
def serve_notice(case_id: str, body: NoticeIn, cmd: Cmd) -> Response:
    """The served pre-decision notice (告知): C3, C5."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.serve_notice(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/statements")
def receive_statement(case_id: str, body: StatementIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.receive_statement(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/rechecks")
def recheck(case_id: str, body: RecheckIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.recheck(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/hearing-requests")
def request_hearing(case_id: str, body: AtIn, cmd: Cmd) -> Response:
    """The party requests a hearing (C5: within 5 working days of the notice)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.request_hearing(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/hearings")
def hold_hearing(case_id: str, body: HearingIn, cmd: Cmd) -> Response:
    """The hearing held (C5: noticed 7 working days ahead; A10: host not an investigator)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.hold_hearing(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/hearing-waivers")
def waive_hearing(case_id: str, body: AtIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.waive_hearing(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/legal-reviews")
def legal_review(case_id: str, body: LegalReviewIn, cmd: Cmd) -> Response:
    """Legal review (法制审核) by a legal reviewer of the unit: A9, A10."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.legal_review(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/discussions")
def hold_discussion(case_id: str, body: DiscussionIn, cmd: Cmd) -> Response:
    """Collective discussion of the unit's heads (集体讨论, C7). Unit head only."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.hold_discussion(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/recusals")
def request_recusal(case_id: str, body: RecusalIn, cmd: Cmd) -> Response:
    """A recusal (回避) request. The investigation does not stop while it is pending (处罚法
    43 ¶3); once the unit head grants it, the officer takes no further part (A10)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.request_recusal(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/recusal-decisions")
def decide_recusal(case_id: str, body: RecusalDecisionIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.decide_recusal(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/decision", response_model=DecisionAnswer)
def decide(case_id: str, body: DecisionIn, cmd: Cmd) -> Response:
    """The decision (unit head): C3–C11, C14, C16, B4, D1, G2, J2. A fine imposes a Fine
    and adds `fine_id` to the answer."""
    data = _d(body)
    remedies = data.pop("remedies")
    if remedies and remedies.get("reconsideration_first") is None:
        remedies.pop("reconsideration_first")
    return cmd.run(
        lambda: cmd.app.decide(cmd.actor, case_id, **data, remedies=remedies, expected_version=cmd.expected_version)
    )


@router.post("/{case_id}/service")
def serve_decision(case_id: str, body: ServiceIn, cmd: Cmd) -> Response:
    """Service of the decision (送达); sets the fine's due date (15 days)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.serve_decision(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/remedies")
def seek_remedy(case_id: str, body: RemedyIn, cmd: Cmd) -> Response:
    """The party applied for reconsideration (复议) or sued (诉讼). It does not suspend the
    penalty (E1), but the fine's late surcharge stops while it is pending (D8)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.seek_remedy(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/remedy-conclusions")
def conclude_remedy(case_id: str, body: RemedyConclusionIn, cmd: Cmd) -> Response:
    """The reconsideration or suit ended (a revoked decision is also recorded through
    decision-revocations)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.conclude_remedy(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/execution-suspensions")
def suspend_execution(case_id: str, body: SuspensionIn, cmd: Cmd) -> Response:
    """Execution of the decision stops, on a ground of 复议法 42 or 诉讼法 56 (E1). Unit head only."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.suspend_execution(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/execution-resumptions")
def resume_execution(case_id: str, body: AtIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.resume_execution(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/decision-revocations")
def revoke_decision(case_id: str, body: RevocationIn, cmd: Cmd) -> Response:
    """The decision was revoked or found void (its fine is void), or confirmed unlawful
    (`kind`: it stands, and so does its fine); withdraw its disclosure within 3 working days
    (G4). Unit head only."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.revoke_decision(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/disclosures")
def disclose(case_id: str, body: DisclosureIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.disclose(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/disclosure-withdrawals")
def withdraw_disclosure(case_id: str, body: WithdrawalIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(
        lambda: cmd.app.withdraw_disclosure(cmd.actor, case_id, **data, expected_version=cmd.expected_version)
    )


@router.post("/{case_id}/transfers")
def report_transfer(case_id: str, body: TransferIn, cmd: Cmd) -> Response:
    """Transfer of a suspected crime (F3: the package lists the required documents)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.report_transfer(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/interventions")
def record_intervention(case_id: str, body: InterventionIn, cmd: Cmd) -> Response:
    """An intervention by a leading official (干预记录, H1). Any role but bank."""
    data = _d(body)
    return cmd.run(
        lambda: cmd.app.record_intervention(cmd.actor, case_id, **data, expected_version=cmd.expected_version)
    )


@router.post("/{case_id}/closure")
def close_case(case_id: str, body: ClosureIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.close_case(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/archive")
def archive_case(case_id: str, body: ArchiveIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.archive_case(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/decision-changes")
def change_decision(case_id: str, body: DecisionChangeIn, cmd: Cmd) -> Response:
    """The decision was changed (变更): the new penalties stand; a fine is amended to the new
    amount (what was paid above it is refunded); withdraw or correct its disclosure (G4)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.change_decision(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/statement-waivers")
def waive_statement(case_id: str, body: AtIn, cmd: Cmd) -> Response:
    """The party expressly gave up its statement and defence (处罚法 62): the decision need not
    wait for the statement period (C3)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.waive_statement(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/case-suspensions")
def suspend_case(case_id: str, body: CaseSuspensionIn, cmd: Cmd) -> Response:
    """The case is suspended (中止): the decision period stops (C12). Unit head only."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.suspend_case(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/case-resumptions")
def resume_case(case_id: str, body: AtIn, cmd: Cmd) -> Response:
    data = _d(body)
    return cmd.run(lambda: cmd.app.resume_case(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/period-extensions")
def extend_period(case_id: str, body: ExtensionIn, cmd: Cmd) -> Response:
    """An approved extension: the decision period (C12: 30 days with the head's approval,
    further by collective discussion) or a sealing or seizure (E8: 30 days). Unit head only."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.extend_period(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/testing")
def record_testing(case_id: str, body: TestingIn, cmd: Cmd) -> Response:
    """Testing, inspection, quarantine or appraisal (检测、检验、检疫、鉴定): a period not counted
    in the decision period (C12) nor in a sealing or seizure (E8)."""
    data = _d(body)
    return cmd.run(lambda: cmd.app.record_testing(cmd.actor, case_id, **data, expected_version=cmd.expected_version))


@router.post("/{case_id}/enforcement")
def carry_out_enforcement(case_id: str, body: EnforcementIn, cmd: Cmd) -> Response:
    """Enforcement of the decision (划拨、拍卖、代履行、排除妨碍…), never at night or on a
    statutory holiday except in an emergency recorded with its reason (E7)."""
    data = _d(body)
    return cmd.run(
        lambda: cmd.app.carry_out_enforcement(cmd.actor, case_id, **data, expected_version=cmd.expected_version)
    )
