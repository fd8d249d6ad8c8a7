"""The FastAPI app. `create_app()` wires the application service, errors and routes."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from domain.application import Oversight
from projections import build_runner
from projections.db import make_engine

from . import errors, guards, inputs, openapi
from .console import create_console
from .routes import admin, audits, cases, fines, inspections, integrity

log = logging.getLogger("oversight")


class Metrics:
    """Counts requests by method and status and sums their time; an unhandled error becomes a
    500 problem+json. Plain ASGI: no task group or body queue per request."""

    def __init__(self, app: Any, counts: Counter[tuple[str, int]], latency: dict[str, float]) -> None:
        self.app = app
        self.counts = counts
        self.latency = latency

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = [0]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if status[0]:  # the answer had begun: nothing more can be sent
                raise
            response = errors.problem(500, "internal error; nothing was recorded")
            status[0] = response.status_code
            await response(scope, receive, send)
        finally:
            self.counts[(str(scope.get("method")), status[0])] += 1
            self.latency["sum"] += time.perf_counter() - t0
            self.latency["count"] += 1


def create_app(
    db_url: str | None = None,
    admin_token: str | None = None,
    oversight: Oversight | None = None,
    projections: bool = True,
    worker: Any = None,
) -> FastAPI:
    """``projections``: run the projection runner in this process. ``worker``: a child process
    that runs them instead (``subprocess.Popen`` or ``scripts.supervise.Supervised``, which
    restarts it); ``/readyz`` answers 503 while it is not running, and it is stopped with the
    app."""
    app_service = oversight or Oversight(db_url)
    token = admin_token if admin_token is not None else os.environ.get("OVERSIGHT_ADMIN_TOKEN")
    if token:
        app_service.ensure_admin(token)
    engine = make_engine(app_service.store, reports=True)
    runner_engine = make_engine(app_service.store)
    runner = build_runner(app_service.recorder, app_service.mapper, runner_engine)
    app_service.listeners.append(runner.wake.set)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if projections:
            runner.start()
        yield
        runner.stop()
        if worker is not None:  # also when it has exited: a supervisor then starts no other
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except Exception:  # noqa: BLE001 - it is killed then
                worker.kill()
        engine.dispose()
        runner_engine.dispose()

    api = FastAPI(
        title="Enforcement Oversight",
        version="0.1.0",
        description="The whole-process record (全过程记录) of administrative law enforcement: "
        "an append-only event log with gate rules (RULES.md) and oversight reports.",
        lifespan=lifespan,
        dependencies=[Depends(inputs.check_query)],
    )
    api.state.oversight = app_service
    api.state.engine = engine
    api.state.runner = runner
    api.state.seal = next(p for p in runner.projections if p.name == "seal")
    errors.install(api)
    openapi.install(api)
    # Roles before bodies: every command's guard runs before its body is validated.
    command = [Depends(guards.command_guard)]
    for r in (admin.principals, admin.units, admin.officers, admin.benchmarks, cases.router, fines.router):
        api.include_router(r, dependencies=command)
    api.include_router(inspections.router, dependencies=command)
    api.include_router(integrity.router)
    api.include_router(audits.router, dependencies=[Depends(guards.report_guard)])
    api.include_router(audits.public)
    api.mount("/console", create_console(api))

    # A body over the limit is refused before anything reads it (inside the metrics middleware,
    # whose task group would wrap the refusal raised while the body streams in).
    api.add_middleware(inputs.BodyLimit)
    counts: Counter[tuple[str, int]] = Counter()
    latency: dict[str, float] = {"sum": 0.0, "count": 0.0}

    api.add_middleware(Metrics, counts=counts, latency=latency)

    @api.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, Any]:
        """The process is up."""
        return {"ok": True}

    @api.get("/readyz", tags=["operations"])
    def readyz() -> Response:
        """The store is reachable."""
        try:
            pos = app_service.max_position()
        except Exception as e:  # noqa: BLE001 - readiness reports any store failure
            return errors.problem(503, f"store unreachable: {type(e).__name__}", headers={"Retry-After": "5"})
        if projections and (runner.error is not None or not runner.running()):
            return errors.problem(503, "projections are not running", headers={"Retry-After": "5"})
        if worker is not None and worker.poll() is not None:
            return errors.problem(
                503,
                f"the projection worker exited ({worker.returncode})"
                + ("; it is being restarted" if hasattr(worker, "restarts") else ""),
                headers={"Retry-After": "5"},
            )
        for s in runner.states():
            if s.state == "building":
                return errors.problem(503, runner.unavailable((s.name,)) or "building", headers={"Retry-After": "30"})
            if s.state == "superseded":
                return errors.problem(
                    503, f"projection {s.name} v{s.version} is superseded by v{s.serving}: this process runs older code"
                )
        counts = runner.fault_counts()
        body: dict[str, Any] = {"ok": True, "position": pos}
        if counts:  # served, but these events are not in the reports as recorded
            body["fault_count"] = sum(counts.values())
            body["faults"] = [
                {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in f.items()} for f in runner.faults(20)
            ]
        return JSONResponse(body)

    @api.get(
        "/metrics", tags=["operations"], dependencies=[Depends(guards.admin_guard)], response_class=PlainTextResponse
    )
    def metrics() -> PlainTextResponse:
        """Prometheus text: request counts and latencies, events appended. Admin token."""
        lines = ["# TYPE oversight_requests_total counter"]
        for (method, status), n in sorted(counts.items()):
            lines.append(f'oversight_requests_total{{method="{method}",status="{status}"}} {n}')
        lines += [
            "# TYPE oversight_request_seconds summary",
            f"oversight_request_seconds_sum {latency['sum']:.6f}",
            f"oversight_request_seconds_count {int(latency['count'])}",
            "# TYPE oversight_events_appended gauge",
            f"oversight_events_appended {app_service.max_position()}",
            "# TYPE oversight_projection_position gauge",
        ]
        head = app_service.max_position()
        for s in runner.states():
            lines.append(f'oversight_projection_position{{projection="{s.name}",version="{s.version}"}} {s.position}')
            lines.append(f'oversight_projection_lag{{projection="{s.name}",version="{s.version}"}} {head - s.position}')
            lines.append(f'oversight_projection_serving{{projection="{s.name}",version="{s.serving}"}} 1')
        if worker is not None and hasattr(worker, "restarts"):
            lines.append("# TYPE oversight_projection_worker_restarts counter")
            lines.append(f"oversight_projection_worker_restarts {worker.restarts}")
        lines.append("# TYPE oversight_projection_faults gauge")
        for (name, version, action), n in sorted(runner.fault_counts().items()):
            lines.append(
                f'oversight_projection_faults{{projection="{name}",version="{version}",action="{action}"}} {n}'
            )
        return PlainTextResponse("\n".join(lines) + "\n")

    return api
