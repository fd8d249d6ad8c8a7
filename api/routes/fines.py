"""Fines: the deciding unit never collects (罚缴分离)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime

from ..deps import App, Cmd, CurrentPrincipal
from ..schemas import AtIn, DeferralIn, DemandIn, OnTheSpotIn, PaymentIn, RemittanceIn

router = APIRouter(prefix="/v1/fines", tags=["fines"])


@router.get("/{fine_id}")
def get_fine(fine_id: str, app: App, actor: CurrentPrincipal, as_of: AwareDatetime | None = None) -> dict[str, Any]:
    """Amount, paid, outstanding, due date, and the late surcharge accrued as of now (D8)."""
    return app.get_fine(actor, fine_id, as_of)


@router.post("/{fine_id}/payments")
def record_payment(fine_id: str, body: PaymentIn, cmd: Cmd) -> Response:
    """A payment, recorded by the fine's designated bank only (D1). A receipt number twice or
    more than outstanding: 409."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.record_payment(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/on-the-spot")
def collect_on_the_spot(fine_id: str, body: OnTheSpotIn, cmd: Cmd) -> Response:
    """On-the-spot collection (D3, D4, D5)."""
    data = body.model_dump()
    return cmd.run(
        lambda: cmd.app.collect_on_the_spot(cmd.actor, fine_id, **data, expected_version=cmd.expected_version)
    )


@router.post("/{fine_id}/handovers")
def hand_over(fine_id: str, body: AtIn, cmd: Cmd) -> Response:
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.hand_over_cash(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/deposits")
def deposit(fine_id: str, body: AtIn, cmd: Cmd) -> Response:
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.deposit_cash(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/treasury-remittances")
def remit(fine_id: str, body: RemittanceIn, cmd: Cmd) -> Response:
    """The designated bank paid what it received for this fine into the treasury (D9). More
    than it received and has not yet remitted: 409."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.remit_to_treasury(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/deferrals")
def approve_deferral(fine_id: str, body: DeferralIn, cmd: Cmd) -> Response:
    """Deferral or instalments, on the party's application (D7). Unit head only."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.approve_deferral(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/demands")
def serve_demand(fine_id: str, body: DemandIn, cmd: Cmd) -> Response:
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.serve_demand(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))


@router.post("/{fine_id}/court-applications")
def apply_to_court(fine_id: str, body: AtIn, cmd: Cmd) -> Response:
    """Application to court for enforcement (E2: after a served demand)."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.apply_to_court(cmd.actor, fine_id, **data, expected_version=cmd.expected_version))
