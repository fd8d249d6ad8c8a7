"""Waiting reads do not starve the server: a read that waits for a position the projections
have not reached (read-your-writes) holds no worker thread, so other requests answer at once."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from api.main import create_app
from domain.application import Oversight
from domain.principal import SYSTEM

from .conftest import ADMIN


@contextmanager
def serving(oversight: Oversight, projections: bool) -> Iterator[str]:
    """The app under a real uvicorn server on a free local port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = create_app(oversight=oversight, admin_token=ADMIN, projections=projections)
    srv = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        api.state.engine.dispose()


def test_80_reads_waiting_for_a_future_position_do_not_hold_healthz(oversight: Oversight) -> None:
    token = oversight.grant_principal(SYSTEM, name="auditor", role="auditor")["token"]
    auth = {"Authorization": f"Bearer {token}"}
    # Projections that do not run (as while they are stopped or far behind): a read of the
    # last write's position waits for it.
    future = oversight.max_position()

    async def run(server: str) -> tuple[list[httpx.Response], float, float]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        async with httpx.AsyncClient(base_url=server, timeout=30, limits=limits) as client:
            # 80 reads that wait (at most 5 s) for a position nobody will write …
            waiting = [
                asyncio.create_task(client.get("/v1/cases", params={"min_position": future}, headers=auth))
                for _ in range(80)
            ]
            await asyncio.sleep(0.5)  # … all of them arrived and wait
            assert not any(t.done() for t in waiting)
            # … while the process answers other requests at once.
            t0 = time.perf_counter()
            health = await client.get("/healthz")
            healthz = time.perf_counter() - t0
            assert health.status_code == 200
            t0 = time.perf_counter()
            read = await client.get("/v1/integrity/public-key")
            other = time.perf_counter() - t0
            assert read.status_code == 200
            return list(await asyncio.gather(*waiting)), healthz, other

    with serving(oversight, projections=False) as server:
        answers, healthz, other = asyncio.run(run(server))
    assert healthz < 0.5, f"/healthz took {healthz:.2f} s behind the waiting reads"
    assert other < 0.5, f"a plain read took {other:.2f} s behind the waiting reads"
    # The waiting reads themselves end as API.md says: 503 with Retry-After.
    assert {r.status_code for r in answers} == {503}
    assert all(r.headers.get("Retry-After") for r in answers)


def test_a_waiting_read_answers_as_soon_as_its_write_is_projected(oversight: Oversight) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    token = oversight.grant_principal(SYSTEM, name="auditor", role="auditor")["token"]
    with serving(oversight, projections=True) as server, httpx.Client(base_url=server, timeout=30) as client:
        body = {"code": "W1", "name": "n", "region": "410100", "matters": [], "banks": []}
        written = client.post("/v1/units", json=body, headers=admin).json()
        t0 = time.perf_counter()
        r = client.get(
            "/v1/cases", params={"min_position": written["position"]}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        assert int(r.headers["X-Projection-Position"]) >= written["position"]
        assert time.perf_counter() - t0 < 2.0
