"""Request schemas (separate from domain events). Money is a decimal string of yuan."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from .fields import GatedIdentifier, Identifier

Yuan = Field(pattern=r"^\d{1,13}(\.\d{1,2})?$", examples=["1500.00"])
Sha256 = Field(pattern=r"^[0-9a-fA-F]{64}$")
Text = Field(min_length=1, max_length=10_000)
Code = Field(min_length=1, max_length=100)


class PrincipalIn(BaseModel):
    name: str = Code
    role: Literal["admin", "officer", "unit_head", "legal_reviewer", "bank", "supervisor", "auditor"]
    unit_id: str | None = None
    officer_id: str | None = None
    bank_code: str | None = None


class UnitIn(BaseModel):
    code: Identifier
    name: str = Code
    region: str = Code
    matters: list[str] = Field(default_factory=list)
    banks: list[str] = Field(default_factory=list)
    own_enforcement_power: bool = False
    enforcement_power_basis: str | None = Field(default=None, max_length=10_000)


class EnforcementPowerIn(BaseModel):
    own: bool
    basis: str | None = Field(default=None, max_length=10_000)


class OfficerIn(BaseModel):
    name: str = Code
    unit_id: str
    kind: Literal["officer", "auxiliary", "legal_reviewer", "unit_head"]
    employment: Literal["established", "contract", "temporary", "secondee"]
    legal_qualification: bool = False
    reviewer_since: date | None = Field(default=None, description="first day this officer did legal review (A9)")


class ExamIn(BaseModel):
    taken_on: date
    passed: bool
    score: int | None = Field(default=None, ge=0, le=100, description="out of 100")


class CertificateIn(BaseModel):
    number: Identifier
    fields: list[str] = Field(min_length=1)
    areas: list[str] = Field(min_length=1)
    valid_from: date
    valid_until: date


class ValidationIn(BaseModel):
    year: int = Field(ge=1990, le=2200)
    passed: bool
    on: date


class StatusChangeIn(BaseModel):
    at: AwareDatetime
    reason: str = Text


class TrainingIn(BaseModel):
    on: date
    hours: int = Field(gt=0, le=2000)
    topic: str = Text


class TierIn(BaseModel):
    tier: str = Code
    min: str = Yuan
    max: str = Yuan


class BenchmarkIn(BaseModel):
    matter_code: str = Code
    version: str = Code
    legal_basis: str = Text
    statutory_min: str = Yuan
    statutory_max: str = Yuan
    tiers: list[TierIn] = Field(min_length=1)
    effective_from: date
    published_at: AwareDatetime


class PartyIn(BaseModel):
    kind: Literal["person", "organisation"]
    name: str = Code
    id_number: str = Code
    address: str | None = None
    phone: str | None = None


class CaseIn(BaseModel):
    unit_id: str
    case_no: Identifier
    matter_code: str = Code
    party: PartyIn
    source: Literal["inspection", "complaint", "referral", "transfer", "other"]
    summary: str = Text
    occurred_on: date
    discovered_on: date
    filed_at: AwareDatetime
    approved_by: str = Code
    handlers: list[str] = Field(min_length=1)
    procedure: Literal["general", "simplified"] = "general"
    major: bool = False
    complex: bool = False
    amount_involved: str | None = Field(
        default=None, pattern=r"^\d{1,13}(\.\d{1,2})?$", description="涉案金额 (yuan), for the transfer threshold (F1)"
    )
    continuing_until: date | None = Field(
        default=None, description="C1: the day a continuing violation ended (the time bar runs from it)"
    )
    harm: bool = Field(
        default=False, description="C1: the violation harmed life, health or financial safety (5-year time bar)"
    )
    filing_extension_approved_by: str | None = Field(
        default=None, description="C2: the head who approved filing in the extended period (15 more working days)"
    )


class AvIn(BaseModel):
    sha256: str = Sha256
    start: AwareDatetime
    end: AwareDatetime


class ActIn(BaseModel):
    type: str = Code
    occurred_at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    certificate_shown: bool = False
    record_sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    av: AvIn | None = None
    signatures: dict[str, Any] | None = Field(
        default=None, description="B3: party/officers signed, refusal noted, witness"
    )


class EvidenceIn(BaseModel):
    kind: str = Code
    description: str = Text
    sha256: str = Field(min_length=1, max_length=64)
    collected_at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    certificate_shown: bool = False


class EvidenceAssessmentIn(BaseModel):
    status: Literal["verified", "unverified", "illegal"]
    reason: str = Text


class PenaltyIn(BaseModel):
    type: str = Code
    amount: str | None = Field(default=None, pattern=r"^\d{1,13}(\.\d{1,2})?$")


class NoticeIn(BaseModel):
    served_at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    facts: str = Text
    reasons: str = Field(default="", max_length=10_000, description="C3: the reasons (理由) for the proposed penalty")
    legal_basis: str = Text
    proposed: list[PenaltyIn] = Field(min_length=1)
    hearing_right: bool = False


class StatementIn(BaseModel):
    received_at: AwareDatetime
    summary: str = Text


class RecheckIn(BaseModel):
    at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    conclusion: str = Text


class AtIn(BaseModel):
    at: AwareDatetime


class HearingIn(BaseModel):
    noticed_at: AwareDatetime
    held_at: AwareDatetime
    host_id: str = Code
    record_sha256: str = Sha256


class LegalReviewIn(BaseModel):
    reviewer_id: str
    at: AwareDatetime
    result: Literal["passed", "failed"]
    opinion: str = Text
    checklist: dict[str, Any] | None = Field(
        default=None, description="C9: authority, qualification, procedure, facts, law, benchmark, crime"
    )


class DiscussionIn(BaseModel):
    held_at: AwareDatetime
    attendees: list[str] = Field(min_length=1)
    minutes_sha256: str = Sha256
    conclusion: str = Text


class RecusalIn(BaseModel):
    officer_id: str
    at: AwareDatetime
    reason: str = Text


class RecusalDecisionIn(BaseModel):
    officer_id: str
    at: AwareDatetime
    granted: bool


class BenchmarkChoiceIn(BaseModel):
    version: str = Code
    tier: str = Code
    reason: str | None = None


class PaymentTermsIn(BaseModel):
    bank_code: str = Code
    surcharge: bool


class RemediesIn(BaseModel):
    reconsideration_days: int = Field(default=60, ge=1, le=3650)
    litigation_months: int = Field(default=6, ge=1, le=120)
    reconsideration_first: bool | None = None


class DecisionIn(BaseModel):
    decision_no: Identifier
    decided_at: AwareDatetime
    decided_by: str = Code
    outcome: Literal["penalty", "no_penalty", "transfer"]
    penalties: list[PenaltyIn] = Field(default_factory=list)
    legal_basis: str = Field(max_length=10_000)
    evidence_ids: list[str] = Field(default_factory=list)
    benchmark: BenchmarkChoiceIn | None = None
    payment: PaymentTermsIn | None = None
    remedies: RemediesIn | None = None
    officers: list[str] = Field(default_factory=list, description="simplified procedure: the officers on the spot")
    certificate_shown: bool = False
    form_no: str | None = Field(default=None, description="simplified procedure: numbered form")
    hearing_record_cited: bool = Field(
        default=False, description="C6: after a hearing, the decision rests on the hearing record"
    )


class ServiceIn(BaseModel):
    served_at: AwareDatetime
    method: Literal["direct", "mail", "electronic", "announcement", "on_the_spot"]
    officers: list[str] = Field(default_factory=list)
    party_consent: bool = False
    receipt_on: date | None = Field(
        default=None, description="mail: the date on the return receipt (service takes effect)"
    )
    confirmation_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-fA-F]{64}$", description="electronic: the party's signed confirmation (确认书)"
    )
    disclosure_told: bool | None = Field(
        default=None, description="G3: the party was told in writing that the decision will be disclosed"
    )


class DisclosureIn(BaseModel):
    published_at: AwareDatetime
    channel: str = Code


class WithdrawalIn(BaseModel):
    at: AwareDatetime
    reason: str = Text


class TransferIn(BaseModel):
    reported_at: AwareDatetime
    decided_at: AwareDatetime | None = None
    sent_at: AwareDatetime | None = None
    to: Literal["public_security", "procuratorate", "supervisory_commission"]
    documents: list[str] = Field(default_factory=list)
    approved: bool = True
    refusal_reason: str | None = None


class InterventionIn(BaseModel):
    official: str = Code
    position: str = Code
    occurred_at: AwareDatetime
    channel: str = Code
    content: str = Text


class ClosureIn(BaseModel):
    at: AwareDatetime
    reason: str = Code


class ArchiveIn(BaseModel):
    at: AwareDatetime
    file_sha256: str = Sha256


class PaymentIn(BaseModel):
    receipt_no: GatedIdentifier
    amount: str = Yuan
    paid_at: AwareDatetime


class OnTheSpotIn(BaseModel):
    receipt_no: GatedIdentifier
    amount: str = Yuan
    collected_at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    remote_area: bool = False
    hard_to_collect: bool = False
    reason: str | None = None


class DeferralIn(BaseModel):
    applied_at: AwareDatetime | None = None
    approved_at: AwareDatetime
    kind: Literal["deferral", "instalments"]
    until: date


class DemandIn(BaseModel):
    served_at: AwareDatetime


class RevocationIn(BaseModel):
    at: AwareDatetime
    reason: str = Text
    revoked_by: Literal["reconsideration", "court", "unit"]
    kind: Literal["revoked", "void", "confirmed_unlawful"] = Field(
        default="revoked", description="revoked or void: the fine is void; confirmed unlawful: the decision stands"
    )


class DecisionChangeIn(BaseModel):
    at: AwareDatetime
    reason: str = Text
    changed_by: Literal["reconsideration", "court", "unit"]
    penalties: list[PenaltyIn] = Field(min_length=1, description="the penalties as changed; a fine is amended")


class CaseSuspensionIn(BaseModel):
    at: AwareDatetime
    reason: str = Text
    approved_by: str = Code


class ExtensionIn(BaseModel):
    at: AwareDatetime
    period: Literal["decision", "sealing"]
    days: int = Field(ge=1, le=366)
    approved_by: str = Code
    reason: str = Text
    discussion: bool = Field(default=False, description="C12: decided by collective discussion (a further extension)")
    act_version: int | None = Field(default=None, ge=1, description="E8: the version of the sealing or seizure act")


class TestingIn(BaseModel):
    kind: Literal["testing", "inspection", "quarantine", "appraisal"]
    start: AwareDatetime
    end: AwareDatetime
    act_version: int | None = Field(default=None, ge=1, description="E8: the sealed or seized items tested")


class EnforcementIn(BaseModel):
    at: AwareDatetime
    kind: Literal["transfer_deposits", "auction", "substitute_performance", "remove_obstruction", "other"]
    officers: list[str] = Field(min_length=1)
    certificate_shown: bool = False
    av: AvIn | None = None
    emergency: bool = False
    emergency_reason: str | None = Field(default=None, max_length=10_000)


class RemedyIn(BaseModel):
    kind: Literal["reconsideration", "litigation"]
    filed_at: AwareDatetime
    body: str = Code
    reference: str | None = Field(default=None, max_length=200)


class RemedyConclusionIn(BaseModel):
    kind: Literal["reconsideration", "litigation"]
    at: AwareDatetime
    result: Literal["upheld", "changed", "revoked", "confirmed_illegal", "withdrawn", "dismissed"]


class SuspensionIn(BaseModel):
    at: AwareDatetime
    ground: Literal["respondent", "reconsideration_organ", "court", "law", "pending_remedy"]
    basis: str = Text


class RemittanceIn(BaseModel):
    voucher_no: Identifier
    amount: str = Yuan
    remitted_at: AwareDatetime


class InspectionIn(BaseModel):
    unit_id: str = Code
    task: Identifier
    matter_code: str = Code
    targets_register: list[str] = Field(min_length=1, max_length=50_000)
    inspectors_register: list[str] = Field(min_length=2, max_length=1_000)
    targets: int = Field(ge=1, le=1_000)
    inspectors_per_target: int = Field(default=2, ge=2, le=20)
    seed: str | None = Field(default=None, pattern=r"^[0-9a-f]{32,128}$")
    drawn_at: AwareDatetime


class InspectionResultIn(BaseModel):
    target: str = Code
    inspected_at: AwareDatetime
    officers: list[str] = Field(min_length=1)
    outcome: Literal["compliant", "non_compliant", "not_found"]
    case_id: str | None = None


class InspectionPublicationIn(BaseModel):
    published_at: AwareDatetime
    channel: str = Code
