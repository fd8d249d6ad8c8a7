"""Audits and reports: auditors and supervisors across units; a unit head for their own unit.
Every report takes `as_of` (default now: a past moment shows what held then) and
`min_position`; every list is keyset-paged (`{"items", "next_cursor"}`); lists answer CSV with
format=csv, streamed."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from domain.calendar import CHINA
from domain.errors import ForbiddenError, NotFoundError
from domain.principal import Actor
from projections import reports

from ..deps import AuditPosition, CurrentPrincipal

router = APIRouter(prefix="/v1/audits", tags=["audits"])
Format = Annotated[Literal["json", "csv"], Query()]
Limit = Annotated[int, Query(ge=1, le=500)]
AsOf = Annotated[AwareDatetime | None, Query(description="the moment the report is as of (RFC 3339 with an offset)")]


def _scope(actor: Actor, unit_id: str | None) -> str | None:
    """Auditors and supervisors: any unit; a unit head: their own; nobody else."""
    if actor.role in ("auditor", "supervisor"):
        return unit_id
    if actor.role == "unit_head":
        if unit_id not in (None, actor.unit_id):
            raise ForbiddenError("reports of another unit")
        return actor.unit_id
    raise ForbiddenError(f"role {actor.role} does not read audit reports")


def _now(as_of: datetime | None) -> datetime:
    return as_of or datetime.now(CHINA)


def _json(result: Any) -> Response:
    """A report page as JSON, serialised by orjson (FastAPI's generic encoder took 20-30 ms of
    a 500-row page); the route's documented schema is unchanged."""
    return Response(orjson.dumps(result, default=str), media_type="application/json")


def _csv(rows: Any, columns: list[str], name: str, **values: Any) -> StreamingResponse:
    """``rows``: dicts; or, with ``values`` (``text``, ``as_json``: see ``stream_values``),
    lists of values in column order, a chunk at a time."""
    return StreamingResponse(
        reports.stream_values(rows, columns, **values) if values else reports.stream(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/cases/{case_id}")
def case_audit(
    case_id: str, request: Request, actor: CurrentPrincipal, _pos: AuditPosition, as_of: AsOf = None
) -> dict[str, Any]:
    """The whole-process record audit of one case as it stood at `as_of`: stages, findings,
    case-file score."""
    _scope(actor, None)
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
    severity: Literal["critical", "major", "minor", "info"] | None = None,
    case_id: str | None = None,
    from_: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    to: AwareDatetime | None = None,
    as_of: AsOf = None,
    format: Format = "json",
    limit: Limit = 500,
    cursor: str | None = None,
) -> Any:
    """Every audit finding in scope as of `as_of`, in the order they became known: rule,
    severity, case, unit, officer, message, citation, the events involved, when detected."""
    filters: dict[str, Any] = dict(
        rule=rule,
        unit_id=_scope(actor, unit_id),
        officer_id=officer_id,
        severity=severity,
        case_id=case_id,
        from_=from_,
        to=to,
    )
    engine = request.app.state.engine
    if format == "csv":
        rows = reports.findings_values(engine, as_of=_now(as_of), **filters)
        return _csv(rows, reports.FINDING_COLUMNS, "findings", text=reports.FINDING_CSV_TEXT)
    return _json(reports.findings_page(engine, as_of=_now(as_of), limit=limit, cursor=cursor, **filters))


@router.get("/findings/counts")
def finding_counts(
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    unit_id: str | None = None,
    severity: Literal["critical", "major", "minor", "info"] | None = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """How many findings each rule has as of `as_of` (in scope)."""
    when = _now(as_of)
    # as of now, the counts are kept until the projection moves or a finding starts or ends
    current = None if as_of is not None else request.app.state.runner.projection("audit").view
    counts = reports.counts_by_rule(
        request.app.state.engine, as_of=when, unit_id=_scope(actor, unit_id), severity=severity, current=current
    )
    return {"as_of": when.isoformat(), "counts": counts}


@router.get("/units/{unit_id}/scorecard", response_model=None)
def scorecard(
    unit_id: str,
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    as_of: AsOf = None,
    limit: Limit = 500,
    cursor: str | None = None,
) -> Any:
    """Case-file review scores (案卷评查, RULES.md K) of the unit's closed cases as of `as_of`,
    with the unit's average and failures."""
    _scope(actor, unit_id)
    engine = request.app.state.engine
    if reports.cases.load(engine, "unit", unit_id) is None:
        raise NotFoundError(f"unit {unit_id} not found")
    current = None if as_of is not None else request.app.state.runner.projection("audit").view
    return _json(reports.scorecard_report(engine, unit_id, _now(as_of), limit=limit, cursor=cursor, current=current))


@router.get("/officers", response_model=None)
def officers(
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    unit_id: str | None = None,
    as_of: AsOf = None,
    format: Format = "json",
    limit: Limit = 50,
    cursor: str | None = None,
) -> Any:
    """Per officer as of `as_of`: certificate status and expiry, last validation (A6), training
    hours that year (A8), count of acts without a valid certificate (A2, A7)."""
    engine = request.app.state.engine
    scope = _scope(actor, unit_id)
    if format == "csv":

        def rows() -> Any:
            c: str | None = None
            while True:
                page = reports.officers_page(engine, unit_id=scope, as_of=_now(as_of), limit=500, cursor=c)
                yield from page["items"]
                c = page["next_cursor"]
                if c is None:
                    return

        return _csv(rows(), reports.OFFICER_COLUMNS, "officers")
    return _json(reports.officers_page(engine, unit_id=scope, as_of=_now(as_of), limit=limit, cursor=cursor))


@router.get("/officers/{officer_id}/acts")
def officer_acts(
    officer_id: str,
    request: Request,
    actor: CurrentPrincipal,
    _pos: AuditPosition,
    as_of: AsOf = None,
    limit: Limit = 500,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Each act of the officer in time order, with the certificate's state at that instant."""
    _scope(actor, None)
    result = reports.officer_acts_page(
        request.app.state.engine, officer_id, as_of=_now(as_of), limit=limit, cursor=cursor
    )
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
    as_of: AsOf = None,
    format: Format = "json",
    limit: Limit = 500,
    cursor: str | None = None,
) -> Any:
    """Per unit: decided, paid, outstanding, overdue, surcharge accrued and paid (D8), cash not
    deposited (D6), remitted to the treasury (D9) and separation breaches; and the fines a page
    at a time (every fine with format=csv)."""
    engine = request.app.state.engine
    scope = _scope(actor, unit_id)
    if format == "csv":
        rows = reports.fines_values(engine, unit_id=scope, as_of=_now(as_of))
        return _csv(rows, reports.FINE_COLUMNS, "fines", text=reports.FINE_CSV_TEXT, as_json=reports.FINE_CSV_JSON)
    # the unit totals as of now are one aggregate per projected position and China day
    current = None if as_of is not None else request.app.state.runner.projection("audit").view
    return _json(reports.fines_report(engine, scope, _now(as_of), limit=limit, cursor=cursor, current=current))


public = APIRouter(prefix="/v1/public", tags=["public"])


@public.get("/disclosures")
def disclosures(
    request: Request, response: Response, _pos: AuditPosition, limit: Limit = 50, cursor: str | None = None
) -> Any:
    """Disclosed penalty decisions (行政执法公示), redacted (G5), newest publication last. No
    token needed; answers an ETag, and 304 to a matching If-None-Match."""
    page = reports.public_disclosures(request.app.state.engine, as_of=datetime.now(CHINA), limit=limit, cursor=cursor)
    tag = '"' + hashlib.blake2b(orjson.dumps(page), digest_size=12).hexdigest() + '"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    response.headers["Cache-Control"] = "public, max-age=5"
    return page
