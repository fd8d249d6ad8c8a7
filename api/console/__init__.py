"""The oversight console: server-rendered pages (Jinja2) in the API's process, under /console.

It is a sub-application mounted on the API app, so that its errors are pages (not
problem+json) and it stays out of the API's OpenAPI document. It reads through
``data.ConsoleData`` only; sessions and CSRF are in ``session.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import (
    AuthenticationError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    OversightError,
)

from ..errors import ProjectionLagError, ProjectionUnavailableError
from . import labels
from .data import ConsoleData
from .routes import router, with_query
from .session import CsrfError, Sessions, SignInRequiredError

log = logging.getLogger("oversight.console")
HERE = Path(__file__).parent
#: no script or style from anywhere else, no framing, forms post only here
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def create_console(parent: FastAPI) -> FastAPI:
    """The console app for an API app made by ``api.main.create_app`` (it shares its
    application service, read engine, projection runner and seal)."""
    console = FastAPI(title="Enforcement Oversight console", openapi_url=None, docs_url=None, redoc_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    labels.install(templates.env)
    templates.env.globals["with_query"] = with_query
    st = parent.state
    console.state.parent = parent
    console.state.oversight = st.oversight
    console.state.data = ConsoleData(st.oversight, st.engine, st.runner, st.seal)
    console.state.sessions = Sessions(st.seal.key)
    console.state.templates = templates
    console.include_router(router)
    console.mount("/static", StaticFiles(directory=str(HERE / "static")), name="console_static")

    def page(request: Request, status: int, title: str, detail: str, **extra: Any) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"me": None, "nav": [], "csrf": None, "status": status, "title": title, "detail": detail, **extra},
            status_code=status,
        )

    @console.exception_handler(SignInRequiredError)
    async def _sign_in(request: Request, exc: SignInRequiredError) -> Response:
        if request.method != "GET":
            response: Response = page(request, 401, "需要登录", exc.reason or "请先用 API 令牌登录控制台")
        else:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            url = f"{request.url_for('console_sign_in')}?next={quote(target)}"
            if exc.reason:
                url += "&reason=expired"
            response = RedirectResponse(url, status_code=303)
        Sessions.clear(response)
        return response

    @console.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        return page(request, 403, "表单校验失败", str(exc))

    @console.exception_handler(OversightError)
    async def _domain(request: Request, exc: OversightError) -> Response:
        if isinstance(exc, ForbiddenError):
            rule = f"（{exc.rule}，{exc.citation}）" if exc.rule else ""
            return page(request, 403, "无权查看", f"您的角色或单位不能查看此页面：{exc.message}{rule}")
        if isinstance(exc, NotFoundError):
            return page(request, 404, "未找到", exc.message)
        if isinstance(exc, InvalidInputError):
            return page(request, 422, "输入有误", exc.message, field=exc.field)
        if isinstance(exc, AuthenticationError):
            return await _sign_in(request, SignInRequiredError(exc.message))
        return page(request, 409, "无法完成", exc.message)

    @console.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return page(request, 422, "输入有误", fields)

    @console.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return page(request, exc.status_code, "未找到" if exc.status_code == 404 else "请求有误", str(exc.detail))

    @console.exception_handler(ProjectionUnavailableError)
    @console.exception_handler(ProjectionLagError)
    async def _building(request: Request, exc: Exception) -> Response:
        response = page(request, 503, "读模型暂不可用", str(exc))
        response.headers["Retry-After"] = "30"
        return response

    @console.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/console/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        else:
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold case content
        return response

    return console
