"""The console's pages: one route per page, each a thin call into ``data.ConsoleData``.

Every page but sign-in needs a session; without one a page redirects to sign-in (a POST gets
401). A principal outside the page's scope gets 403, an unknown case 404, a malformed filter
422, as the API answers them (the error handlers are in ``api/console/__init__.py``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from domain.application import Oversight
from domain.calendar import CHINA
from domain.errors import AuthenticationError, InvalidInputError
from domain.principal import Actor

from ..deps import raw_body
from .data import ConsoleData
from .session import Session, Sessions, SignInRequiredError, safe_next

router = APIRouter()


@dataclass(frozen=True)
class Signed:
    actor: Actor
    session: Session


def _data(request: Request) -> ConsoleData:
    d: ConsoleData = request.app.state.data
    return d


def _sessions(request: Request) -> Sessions:
    s: Sessions = request.app.state.sessions
    return s


def _templates(request: Request) -> Jinja2Templates:
    t: Jinja2Templates = request.app.state.templates
    return t


def signed_in(request: Request) -> Signed:
    """The session's principal, authenticated again on every request (a revoked token ends
    the session at once)."""
    session = _sessions(request).open(request)
    app: Oversight = request.app.state.oversight
    try:
        actor = app.authenticate(session.token)
    except AuthenticationError:
        raise SignInRequiredError("令牌已失效或被撤销，请重新登录") from None
    return Signed(actor, session)


SignedIn = Annotated[Signed, Depends(signed_in)]
Data = Annotated[ConsoleData, Depends(_data)]
Body = Annotated[bytes, Depends(raw_body)]


def render(request: Request, name: str, signed: Signed | None, status: int = 200, **context: Any) -> HTMLResponse:
    me = signed.actor if signed else None
    return _templates(request).TemplateResponse(
        request,
        name,
        {
            "me": me,
            "csrf": signed.session.csrf if signed else None,
            "nav": _data(request).navigation(me) if me else [],
            "query": request.query_params,
            **context,
        },
        status_code=status,
    )


def _blank(value: str | None) -> str | None:
    """A GET form sends an untouched filter as an empty string: no filter."""
    return value.strip() or None if value is not None else None


def _day(field: str, value: str | None) -> date | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(field, "a date, YYYY-MM-DD") from None


def _moment(field: str, value: str | None) -> datetime | None:
    """RFC 3339 with an offset, or a local time (a datetime-local input) taken as China time."""
    value = _blank(value)
    if value is None:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(field, "a time, e.g. 2026-03-15T10:00 (China time) or RFC 3339") from None
    return t if t.tzinfo else t.replace(tzinfo=CHINA)


def _form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInputError("body", "a form (application/x-www-form-urlencoded)") from None
    return {k: v[0] for k, v in fields.items()}


# ---------------------------------------------------------------------- sign-in and out
def _sign_in_form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    sessions = _sessions(request)
    csrf = sessions.sign_in_csrf(request)
    response = render(request, "sign_in.html", None, status, sign_in_csrf=csrf, **context)
    sessions.remember_sign_in_csrf(request, response, csrf)
    return response


@router.get("/sign-in", response_class=HTMLResponse, name="console_sign_in")
def sign_in_page(request: Request, next: str | None = None, reason: str | None = None) -> HTMLResponse:
    return _sign_in_form(request, next=safe_next(next), reason=reason, error=None)


@router.post("/sign-in", name="console_sign_in_post")
def sign_in(request: Request, body: Body) -> Response:
    """Exchange an API token for a session cookie."""
    form = _form(body)
    sessions = _sessions(request)
    sessions.check_sign_in_csrf(request, form.get("csrf", ""))
    token = form.get("token", "").strip()
    app: Oversight = request.app.state.oversight
    try:
        app.authenticate(token)
    except AuthenticationError:
        return _sign_in_form(request, 401, next=safe_next(form.get("next")), reason=None, error="令牌无效或已被撤销")
    value, _ = sessions.seal(token)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    sessions.set_cookie(request, response, value)
    return response


@router.post("/sign-out", name="console_sign_out")
def sign_out(request: Request, signed: SignedIn, body: Body) -> Response:
    _sessions(request).check_csrf(request, signed.session, _form(body).get("csrf", ""))
    response = RedirectResponse(str(request.url_for("console_sign_in")) + "?reason=signed_out", status_code=303)
    Sessions.clear(response)
    return response


# ---------------------------------------------------------------------- pages
@router.get("/", response_class=HTMLResponse, name="console_home")
def home(request: Request, signed: SignedIn, data: Data) -> HTMLResponse:
    return render(request, "home.html", signed, **data.home(signed.actor))


@router.get("/cases", response_class=HTMLResponse, name="console_cases")
def cases(
    request: Request,
    signed: SignedIn,
    data: Data,
    unit_id: str | None = None,
    status: str | None = None,
    matter_code: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    page = data.cases(
        signed.actor,
        unit_id=_blank(unit_id),
        status=_blank(status),
        matter_code=_blank(matter_code),
        cursor=_blank(cursor),
    )
    return render(request, "cases.html", signed, **page)


@router.get("/cases/{case_id}", response_class=HTMLResponse, name="console_case")
def case(
    request: Request,
    case_id: str,
    signed: SignedIn,
    data: Data,
    as_of: str | None = None,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    page = data.case(signed.actor, case_id, as_of=_moment("as_of", as_of), version=version)
    return render(request, "case.html", signed, **page)


@router.get("/cases/{case_id}/events/{version}/proof", response_class=HTMLResponse, name="console_proof")
def proof(request: Request, case_id: str, version: int, signed: SignedIn, data: Data) -> HTMLResponse:
    page = data.proof(signed.actor, case_id, version)
    return render(request, "proof.html", signed, case_id=case_id, **page)


@router.get("/findings", response_class=HTMLResponse, name="console_findings")
def findings(
    request: Request,
    signed: SignedIn,
    data: Data,
    rule: str | None = None,
    severity: str | None = None,
    unit_id: str | None = None,
    officer_id: str | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    page = data.findings(
        signed.actor,
        rule=_blank(rule),
        severity=_blank(severity),
        unit_id=_blank(unit_id),
        officer_id=_blank(officer_id),
        from_=_day("from", from_),
        to=_day("to", to),
        cursor=_blank(cursor),
    )
    return render(request, "findings.html", signed, **page)


@router.get("/officers", response_class=HTMLResponse, name="console_officers")
def officers(
    request: Request, signed: SignedIn, data: Data, unit_id: str | None = None, cursor: str | None = None
) -> HTMLResponse:
    page = data.officers(signed.actor, unit_id=_blank(unit_id), cursor=_blank(cursor))
    return render(request, "officers.html", signed, **page)


@router.get("/officers/{officer_id}", response_class=HTMLResponse, name="console_officer")
def officer(request: Request, officer_id: str, signed: SignedIn, data: Data) -> HTMLResponse:
    return render(request, "officer.html", signed, **data.officer(signed.actor, officer_id))


@router.get("/fines", response_class=HTMLResponse, name="console_fines")
def fines(
    request: Request,
    signed: SignedIn,
    data: Data,
    unit_id: str | None = None,
    show: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    page = data.fines(signed.actor, unit_id=_blank(unit_id), show=_blank(show), cursor=_blank(cursor))
    return render(request, "fines.html", signed, **page)


@router.get("/scorecard", response_class=HTMLResponse, name="console_scorecard")
def scorecard(
    request: Request, signed: SignedIn, data: Data, unit_id: str | None = None, cursor: str | None = None
) -> HTMLResponse:
    page = data.scorecard(signed.actor, unit_id=_blank(unit_id), cursor=_blank(cursor))
    return render(request, "scorecard.html", signed, **page)


@router.get("/export/{name}.csv", name="console_export")
async def export(
    request: Request,
    name: str,
    signed: SignedIn,
    data: Data,
    rule: str | None = None,
    severity: str | None = None,
    unit_id: str | None = None,
    officer_id: str | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
) -> Response:
    """The list's CSV: the API's own export, fetched in-process with the session's token, so
    its columns, scoping and cell neutralising are the API's."""
    path = data.export_path(
        signed.actor,
        name,
        rule=_blank(rule),
        severity=_blank(severity),
        unit_id=_blank(unit_id),
        officer_id=_blank(officer_id),
        from_=_day("from", from_),
        to=_day("to", to),
    )
    status, headers, content = await _api_get(request.app.state.parent, path, signed.session.token)
    if status != 200:  # e.g. 503 while a projection is rebuilt: the API's own reason, on a page
        try:
            detail = str(orjson.loads(content).get("detail", ""))
        except (orjson.JSONDecodeError, AttributeError):
            detail = ""
        return render(request, "error.html", signed, status, status=status, title="导出失败", detail=detail)
    return Response(
        content, status_code=status, headers={**headers, "content-disposition": f'attachment; filename="{name}.csv"'}
    )


async def _api_get(parent: Any, path_and_query: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """GET one route of the API app in this process, as the bearer of ``token``."""
    path, _, query = path_and_query.partition("?")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"authorization", f"Bearer {token}".encode()), (b"host", b"console.internal")],
        "client": ("127.0.0.1", 0),
        "server": ("console.internal", 80),
    }
    status = 500
    headers: dict[str, str] = {}
    chunks: list[bytes] = []

    sent = asyncio.Event()
    asked = False

    async def receive() -> dict[str, Any]:
        # The request once; then, as a real server does, nothing until the client goes away
        # (a streamed answer listens for that while it sends).
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await sent.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for k, v in message.get("headers", []):
                if k.lower() in (b"content-type", b"x-projection-position"):
                    headers[k.decode()] = v.decode()
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                sent.set()

    await parent(scope, receive, send)
    return status, headers, b"".join(chunks)


def with_query(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (paging links, filters)."""
    query = {k: v for k, v in request.query_params.items() if k not in changes}
    query.update({k: str(v) for k, v in changes.items() if v not in (None, "")})
    query = {k: v for k, v in query.items() if v != ""}
    return request.url.path + ("?" + urlencode(query) if query else "")
