"""Who may do what (DESIGN.md "Security"). The application calls these before deciding.

Officers, unit heads and legal reviewers act only in their own unit's cases; banks see and
pay only the fines designated to them; supervisors and auditors read across units; nobody
but a bank records a payment (D1). The admin manages identities and registries (principals,
units, officers, benchmarks) and reads no case content: cases, fines, inspections, findings
and audits.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ForbiddenError
from .principal import SYSTEM, UNIT_ROLES, Actor

#: read the registries (units, officers) across units
READ_ALL = ("admin", "supervisor", "auditor")
#: read case content (cases, fines, inspections) across units
CASE_READ_ALL = ("supervisor", "auditor")
#: read audit reports: across units, or (unit head) their own unit's
REPORT_READERS = ("supervisor", "auditor", "unit_head")
CASE_WRITERS = ("officer", "unit_head")
ANY_BUT_BANK = ("admin", "officer", "unit_head", "legal_reviewer", "supervisor", "auditor")

#: Who may ever run each command of the application. The API checks this before it reads the
#: body (a caller whose role may never act gets 403 whatever it sends); the application checks
#: the role again, and the unit and the bank with the record loaded.
COMMANDS: dict[str, tuple[str, ...]] = {
    # identities and registries
    "grant_principal": ("admin",),
    "revoke_principal": ("admin",),
    "register_unit": ("admin",),
    "declare_enforcement_power": ("admin",),
    "register_officer": ("admin",),
    "record_exam": ("admin",),
    "issue_certificate": ("admin",),
    "validate_certificate": ("admin",),
    "suspend_certificate": ("admin",),
    "reinstate_certificate": ("admin",),
    "revoke_qualification": ("admin",),
    "record_training": ("admin",),
    "publish_benchmark": ("admin",),
    # cases: the case's unit
    "file_case": CASE_WRITERS,
    "record_act": CASE_WRITERS,
    "collect_evidence": CASE_WRITERS,
    "assess_evidence": CASE_WRITERS,
    "serve_notice": CASE_WRITERS,
    "receive_statement": CASE_WRITERS,
    "recheck": CASE_WRITERS,
    "request_hearing": CASE_WRITERS,
    "hold_hearing": CASE_WRITERS,
    "waive_hearing": CASE_WRITERS,
    "legal_review": ("legal_reviewer",),
    "hold_discussion": ("unit_head",),
    "request_recusal": CASE_WRITERS,
    "decide_recusal": ("unit_head",),
    "decide": ("unit_head",),
    "serve_decision": CASE_WRITERS,
    "seek_remedy": CASE_WRITERS,
    "conclude_remedy": CASE_WRITERS,
    "suspend_execution": ("unit_head",),
    "resume_execution": ("unit_head",),
    "revoke_decision": ("unit_head",),
    "disclose": CASE_WRITERS,
    "withdraw_disclosure": CASE_WRITERS,
    "report_transfer": CASE_WRITERS,
    "record_intervention": ANY_BUT_BANK,
    "close_case": CASE_WRITERS,
    "archive_case": CASE_WRITERS,
    "waive_statement": CASE_WRITERS,
    "suspend_case": ("unit_head",),
    "resume_case": ("unit_head",),
    "extend_period": ("unit_head",),
    "record_testing": CASE_WRITERS,
    "carry_out_enforcement": CASE_WRITERS,
    "change_decision": ("unit_head",),
    # fines: the designated bank collects (D1); the unit hands over, defers, demands
    "record_payment": ("bank",),
    "collect_on_the_spot": CASE_WRITERS,
    "hand_over_cash": CASE_WRITERS,
    "deposit_cash": ("bank",),
    "remit_to_treasury": ("bank",),
    "approve_deferral": ("unit_head",),
    "serve_demand": CASE_WRITERS,
    "apply_to_court": CASE_WRITERS,
    # random inspections (I1): the unit's own
    "draw_inspection": CASE_WRITERS,
    "record_inspection_result": CASE_WRITERS,
    "publish_inspection_results": CASE_WRITERS,
}


#: Commands whose role refusal is itself a rule: only the designated bank collects (D1).
COMMAND_RULES = {"record_payment": "D1", "deposit_cash": "D1", "remit_to_treasury": "D1"}


@dataclass(frozen=True)
class Owner:
    """Whose a record is: its unit and, for a fine, its designated bank (both fixed when the
    record is created, so they can be looked up once and remembered)."""

    unit_id: str | None
    bank_code: str | None = None


def require_command(actor: Actor, command: str, owner: Owner | None = None) -> None:
    """The role may run the command at all, and (for unit roles and banks) on this record."""
    roles = COMMANDS.get(command)
    if roles is None:
        raise ForbiddenError(f"unknown command {command}")
    if actor.role not in roles:
        rule = COMMAND_RULES.get(command)
        if rule == "D1":
            raise ForbiddenError("only the designated bank collects and remits fines (罚缴分离)", rule)
        raise ForbiddenError(f"role {actor.role} may not do this (needs {' or '.join(roles)})")
    if owner is None:
        return
    if actor.role in UNIT_ROLES and owner.unit_id is not None and actor.unit_id != owner.unit_id:
        raise ForbiddenError("this record belongs to another unit")
    if actor.role == "bank" and owner.bank_code is not None and actor.bank_code != owner.bank_code:
        raise ForbiddenError("this fine is designated to another bank", "D1")


def require_report_reader(actor: Actor) -> None:
    """Audit reports: supervisors and auditors, and a unit head for their own unit."""
    if actor.role not in REPORT_READERS:
        raise ForbiddenError(f"role {actor.role} does not read audit reports")


def _reads_all_cases(actor: Actor) -> bool:
    # SYSTEM is this process itself (the command line, the demo), not an API identity.
    return actor.role in CASE_READ_ALL or actor == SYSTEM


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise ForbiddenError(f"role {actor.role} may not do this (needs {' or '.join(roles)})")


def require_unit_role(actor: Actor, unit_id: str, *roles: str) -> None:
    require_role(actor, *roles)
    if actor.unit_id != unit_id:
        raise ForbiddenError("this case belongs to another unit")


def require_case_reader(actor: Actor, unit_id: str) -> None:
    if _reads_all_cases(actor):
        return
    if actor.role in ("officer", "unit_head", "legal_reviewer") and actor.unit_id == unit_id:
        return
    raise ForbiddenError("this case belongs to another unit")


def require_fine_reader(actor: Actor, unit_id: str, bank_code: str) -> None:
    if actor.role == "bank":
        if actor.bank_code != bank_code:
            raise ForbiddenError("this fine is designated to another bank", "D1")
        return
    require_case_reader(actor, unit_id)


def require_fine_bank(actor: Actor, bank_code: str) -> None:
    """D1: the deciding unit does not collect; only the designated bank records payments."""
    if actor.role != "bank":
        raise ForbiddenError("only the designated bank records payments (罚缴分离)", "D1")
    if actor.bank_code != bank_code:
        raise ForbiddenError("this fine is designated to another bank", "D1")


def case_list_scope(actor: Actor, unit_id: str | None) -> str | None:
    """The unit a case list is limited to: the actor's own for unit roles, any for readers."""
    if _reads_all_cases(actor):
        return unit_id
    if actor.role in ("officer", "unit_head", "legal_reviewer"):
        if unit_id is not None and unit_id != actor.unit_id:
            raise ForbiddenError("cases of another unit")
        return actor.unit_id
    raise ForbiddenError(f"role {actor.role} does not list cases")
