"""Audits and reports: auditors and supervisors across units; a unit head for their own unit.
Every report takes `as_of` (default now) and `min_position`; lists answer CSV with format=csv."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from domain.calendar import CHINA
from domain.errors import ForbiddenError, NotFoundError
from domain.principal import Actor
from projections import reports

from ..deps import AuditPosition, CurrentPrincipal
from ..guards import lookups

router = APIRouter(prefix="/v1/audits", tags=["audits"])
Format = Annotated[Literal["json", "csv"], Query()]
FINDING_COLUMNS = [
    "rule",
    "severity",
    "case_id",
    "inspection_id",
    "unit_id",
    "officer_id",
    "message",
    "citation",
    "events",
    "detected_at",
]


def _scope(actor: Actor, unit_id: str | None) -> str | None:
    """Auditors and supervisors: any unit; a unit head: their own; nobody else."""
    if actor.role in ("auditor", "supervisor", "admin"):
        return unit_id
    if actor.role == "unit_head":
        if unit_id not in (None, actor.unit_id):
            raise ForbiddenError("reports of another unit")
        return actor.unit_id
    raise ForbiddenError(f"role {actor.role} does not read audit reports")


def _now(as_of: datetime | None) -> datetime:
    return as_of or datetime.now(CHINA)


@router.get("/cases/{case_id}")
def case_audit(
    case_id: str, request: Request, actor: CurrentPrincipal, _pos: AuditPosition, as_of: datetime | None = None
) -> dict[str, Any]:
    """The whole-process record audit of one case: stages, findings, case-file score."""
    result = reports.case_audit(request.app.state.engine, case_id, _now(as_of))
    if result is None:
        raise NotFoundError(f"case {case_id} not found in the audit projection")
    _scope(actor, result["unit_id"])
    return result


@router.get("/findings", response_model=None)
def list_findings(
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    rule: str | None = None,
    unit_id: str | None = None,
    officer_id: str | None = None,
    severity: str | None = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    as_of: datetime | None = None,
    format: Format = "json",
    limit: int = Query(default=500, ge=1, le=500),
    cursor: str | None = None,
) -> Any:
    """Every audit finding in scope: rule, severity, case, unit, officer, message, citation,
    the events involved, when detected."""
    rows = reports.findings_report(
        request.app.state.engine,
        as_of=_now(as_of),
        rule=rule,
        unit_id=_scope(actor, unit_id),
        officer_id=officer_id,
        severity=severity,
        from_=from_,
        to=to,
    )
    if format == "csv":
        return Response(reports.to_csv(rows, FINDING_COLUMNS), media_type="text/csv")
    start = int(cursor) if cursor and cursor.isdigit() else 0
    page = rows[start : start + limit]
    return {"items": page, "next_cursor": str(start + limit) if start + limit < len(rows) else None}


@router.get("/units/{unit_id}/scorecard")
def scorecard(
    unit_id: str, request: Request, actor: CurrentPrincipal, _pos: AuditPosition, as_of: datetime | None = None
) -> dict[str, Any]:
    """Case-file review scores (案卷评查, RULES.md K) of the unit's closed cases."""
    _scope(actor, unit_id)
    if not lookups(request).is_unit(unit_id):
        raise NotFoundError(f"unit {unit_id} not found")
    return reports.scorecard_report(request.app.state.engine, unit_id, _now(as_of))


@router.get("/officers", response_model=None)
def officers(
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    unit_id: str | None = None,
    as_of: datetime | None = None,
    format: Format = "json",
) -> Any:
    """Per officer: certificate status and expiry, last validation (A6), training hours this
    year (A8), count of acts without a valid certificate (A1/A2/A7)."""
    rows = reports.officers_report(request.app.state.engine, _scope(actor, unit_id), _now(as_of))
    if format == "csv":
        return Response(reports.to_csv(rows, list(rows[0]) if rows else ["officer_id"]), media_type="text/csv")
    return {"items": rows, "next_cursor": None}


@router.get("/officers/{officer_id}/acts")
def officer_acts(officer_id: str, request: Request, actor: CurrentPrincipal, _pos: AuditPosition) -> dict[str, Any]:
    """Each act of the officer with the certificate's state at that instant."""
    result = reports.officer_acts(request.app.state.engine, officer_id)
    if result is None:
        raise NotFoundError(f"officer {officer_id} not found")
    _scope(actor, result["unit_id"])
    return result


@router.get("/fines", response_model=None)
def fines(
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    unit_id: str | None = None,
    as_of: datetime | None = None,
    format: Format = "json",
) -> Any:
    """Per unit: decided, paid, outstanding, overdue, surcharge (D8), cash not deposited (D6),
    remitted to the treasury (D9) and separation breaches; per fine with format=csv."""
    result = reports.fines_report(request.app.state.engine, _scope(actor, unit_id), _now(as_of))
    if format == "csv":
        cols = reports.FINE_COLUMNS
        return Response(reports.to_csv(result["fines"], cols), media_type="text/csv")
    return result


public = APIRouter(prefix="/v1/public", tags=["public"])


@public.get("/disclosures")
def disclosures(
    request: Request, _pos: AuditPosition, limit: int = Query(default=50, ge=1, le=500), cursor: str | None = None
) -> dict[str, Any]:
    """Disclosed penalty decisions (行政执法公示), redacted (G5). No token needed."""
    return reports.public_disclosures(
        request.app.state.engine, limit, int(cursor) if cursor and cursor.isdigit() else None
    )
