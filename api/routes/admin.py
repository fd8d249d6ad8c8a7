"""Principals, units, officers and benchmarks (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime

from ..deps import App, Cmd, CurrentPrincipal
from ..openapi import BenchmarkAnswer, PrincipalAnswer
from ..schemas import (
    BenchmarkIn,
    CertificateIn,
    EnforcementPowerIn,
    ExamIn,
    OfficerIn,
    PrincipalIn,
    StatusChangeIn,
    TrainingIn,
    UnitIn,
    ValidationIn,
)

principals = APIRouter(prefix="/v1/principals", tags=["principals"])
units = APIRouter(prefix="/v1/units", tags=["units"])
officers = APIRouter(prefix="/v1/officers", tags=["officers"])
benchmarks = APIRouter(prefix="/v1/benchmarks", tags=["benchmarks"])


@principals.post("", status_code=201, response_model=PrincipalAnswer)
def grant_principal(body: PrincipalIn, cmd: Cmd) -> Response:
    """Create an API identity. The token is shown once; only its hash is stored."""
    return cmd.run(lambda: cmd.app.grant_principal(cmd.actor, **body.model_dump()), 201)


@principals.delete("/{principal_id}")
def revoke_principal(principal_id: str, cmd: Cmd) -> Response:
    """Revoke a principal: its token is refused from then on."""
    return cmd.run(lambda: cmd.app.revoke_principal(cmd.actor, principal_id))


@units.post("", status_code=201)
def register_unit(body: UnitIn, cmd: Cmd) -> Response:
    """Register an enforcement unit (执法主体) with its listed powers and designated banks."""
    return cmd.run(lambda: cmd.app.register_unit(cmd.actor, **body.model_dump()), 201)


@units.post("/{unit_id}/enforcement-power")
def declare_enforcement_power(unit_id: str, body: EnforcementPowerIn, cmd: Cmd) -> Response:
    """Whether the unit may enforce its decisions itself (a law must grant it: 强制法 13). A
    unit without it applies to a court within 3 months after the suing period ends (E4)."""
    data = body.model_dump()
    return cmd.run(
        lambda: cmd.app.declare_enforcement_power(cmd.actor, unit_id, **data, expected_version=cmd.expected_version)
    )


@units.get("/{unit_id}")
def get_unit(unit_id: str, app: App, actor: CurrentPrincipal) -> dict[str, Any]:
    return app.get_unit(actor, unit_id)


@officers.post("", status_code=201)
def register_officer(body: OfficerIn, cmd: Cmd) -> Response:
    """Register an officer (or auxiliary, legal reviewer, unit head) of a unit."""
    return cmd.run(lambda: cmd.app.register_officer(cmd.actor, **body.model_dump()), 201)


@officers.post("/{officer_id}/exams")
def record_exam(officer_id: str, body: ExamIn, cmd: Cmd) -> Response:
    """Record a qualification exam (执法资格考试)."""
    return cmd.run(lambda: cmd.app.record_exam(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/certificates")
def issue_certificate(officer_id: str, body: CertificateIn, cmd: Cmd) -> Response:
    """Issue an enforcement certificate (A4: established staff with a passed exam only)."""
    return cmd.run(lambda: cmd.app.issue_certificate(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/validations")
def validate_certificate(officer_id: str, body: ValidationIn, cmd: Cmd) -> Response:
    """Record the yearly validation (年审)."""
    return cmd.run(lambda: cmd.app.validate_certificate(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/suspensions")
def suspend(officer_id: str, body: StatusChangeIn, cmd: Cmd) -> Response:
    """Suspend (暂扣) the certificate from `at` (A7)."""
    return cmd.run(lambda: cmd.app.suspend_certificate(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/reinstatements")
def reinstate(officer_id: str, body: StatusChangeIn, cmd: Cmd) -> Response:
    return cmd.run(lambda: cmd.app.reinstate_certificate(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/revocations")
def revoke(officer_id: str, body: StatusChangeIn, cmd: Cmd) -> Response:
    """Revoke the enforcement qualification (取消执法资格) from `at` (A7)."""
    return cmd.run(lambda: cmd.app.revoke_qualification(cmd.actor, officer_id, **body.model_dump()))


@officers.post("/{officer_id}/trainings")
def record_training(officer_id: str, body: TrainingIn, cmd: Cmd) -> Response:
    return cmd.run(lambda: cmd.app.record_training(cmd.actor, officer_id, **body.model_dump()))


@officers.get("/{officer_id}")
def get_officer(
    officer_id: str, app: App, actor: CurrentPrincipal, as_of: AwareDatetime | None = None
) -> dict[str, Any]:
    """The officer and the certificate's state as of a time (default now)."""
    return app.get_officer(actor, officer_id, as_of)


@benchmarks.post("", status_code=201, response_model=BenchmarkAnswer)
def publish_benchmark(body: BenchmarkIn, cmd: Cmd) -> Response:
    """Publish a discretion benchmark (裁量基准) version for a matter (C11, G2)."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.publish_benchmark(cmd.actor, **data), 201)
