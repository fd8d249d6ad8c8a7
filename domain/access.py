"""Who may do what (DESIGN.md "Security"). The application calls these before deciding.

Officers, unit heads and legal reviewers act only in their own unit's cases; banks see and
pay only the fines designated to them; supervisors and auditors read across units; nobody
but a bank records a payment (D1).
"""

from __future__ import annotations

from .errors import ForbiddenError
from .principal import Actor

READ_ALL = ("admin", "supervisor", "auditor")
CASE_WRITERS = ("officer", "unit_head")


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise ForbiddenError(f"role {actor.role} may not do this (needs {' or '.join(roles)})")


def require_unit_role(actor: Actor, unit_id: str, *roles: str) -> None:
    require_role(actor, *roles)
    if actor.unit_id != unit_id:
        raise ForbiddenError("this case belongs to another unit")


def require_case_reader(actor: Actor, unit_id: str) -> None:
    if actor.role in READ_ALL:
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
    if actor.role in READ_ALL:
        return unit_id
    if actor.role in ("officer", "unit_head", "legal_reviewer"):
        if unit_id is not None and unit_id != actor.unit_id:
            raise ForbiddenError("cases of another unit")
        return actor.unit_id
    raise ForbiddenError(f"role {actor.role} does not list cases")
