"""The database goes away under a running server, then comes back: every request meanwhile is
answered within the connect timeout (503 problem+json with Retry-After, never held, never
another 5xx), nothing half-done is recorded, and the server works again without a restart.
PostgreSQL only: the outage is a TCP relay in front of it, cut and restored."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from domain.application import Oversight
from domain.principal import SYSTEM

from .test_receipts import _free_port

CONNECT_TIMEOUT = 2  # OVERSIGHT_PG_CONNECT_TIMEOUT for the server under test


class Relay:
    """A TCP relay to the database that can be cut (every connection closed, new ones closed
    as soon as they arrive) and restored, as a network or database outage would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.socks: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            socks, self.socks = self.socks, []
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _through(url: str, port: int) -> str:
    u = urlparse(url)
    return u._replace(netloc=f"{u.username or 'postgres'}@127.0.0.1:{port}").geturl()


def _case(officer: dict[str, Any], n: str) -> dict[str, Any]:
    return {
        "unit_id": officer["unit_id"],
        "case_no": f"OUT-{n}",
        "matter_code": officer["matter_code"],
        "party": {"kind": "organisation", "name": "某公司", "id_number": f"91410100OUT{n}"},
        "source": "inspection",
        "summary": "销售不合格产品",
        "occurred_on": "2026-02-20",
        "discovered_on": "2026-03-01",
        "filed_at": "2026-03-02T09:00:00+08:00",
        "approved_by": officer["approved_by"],
        "handlers": officer["handlers"],
        "procedure": "general",
        "major": False,
        "complex": False,
    }


def _officer(app: Oversight) -> tuple[str, dict[str, Any]]:
    """A unit, its head and two certified officers: an officer's token and what a filing names."""
    from domain import clock
    from scripts.demo import UnitStory

    s = UnitStory(app, code="O-" + os.urandom(2).hex(), name="停电测试局")
    try:
        token = app.grant_principal(SYSTEM, name="o", role="officer", unit_id=s.unit, officer_id=s.zhang)["token"]
        return str(token), {
            "unit_id": s.unit,
            "matter_code": s.matter,
            "approved_by": s.head,
            "handlers": [s.zhang, s.li],
        }
    finally:
        s.engine.dispose()
        clock.set_clock(None)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_database_outage_is_answered_503_at_once_and_the_server_recovers(oversight: Oversight) -> None:
    app = oversight
    token, officer = _officer(app)
    relay = Relay(app.store.pg_host or "127.0.0.1", app.store.pg_port)
    port = _free_port()
    env = os.environ | {"OVERSIGHT_PG_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT)}
    url = _through(app.store.url, relay.port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--db", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, timeout=60) as h:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if h.get("/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            assert h.post("/v1/cases", json=_case(officer, "1"), headers=auth).status_code == 201

            relay.cut()
            for method, path, body in (
                ("POST", "/v1/cases", _case(officer, "2")),
                ("GET", "/v1/cases?limit=5", None),
                ("GET", "/readyz", None),
            ):
                t0 = time.monotonic()
                r = h.request(method, path, json=body, headers=auth)
                took = time.monotonic() - t0
                assert r.status_code == 503, (path, r.status_code, r.text[:300])
                assert r.headers["content-type"].startswith("application/problem+json"), path
                assert "Retry-After" in r.headers, path
                # within a few connect timeouts (a statement whose connection failed is tried
                # 3 times), never held for the outage's length
                assert took < 8 * CONNECT_TIMEOUT, (path, took)

            relay.restore()
            deadline = time.monotonic() + 60
            while True:
                r = h.post("/v1/cases", json=_case(officer, "3"), headers=auth)
                if r.status_code == 201:
                    break
                assert r.status_code == 503, r.text[:300]
                assert time.monotonic() < deadline, "the server did not recover"
                time.sleep(0.5)
            position = r.json()["position"]
            listed = h.get(f"/v1/cases?limit=100&min_position={position}", headers=auth)
            assert listed.status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        relay.close()
    numbers = {c["case_no"] for c in listed.json()["items"]}
    assert {"OUT-1", "OUT-3"} <= numbers
    assert "OUT-2" not in numbers  # refused with 503 during the outage: not recorded
