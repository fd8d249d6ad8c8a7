"""Idempotency-Key after a crash: the answer is recorded in the transaction of the command's
events (domain/receipts.py), so a retry replays a committed command and runs one that never
committed; never "still in progress". On SQLite and PostgreSQL, in process and with a real
server killed by SIGKILL under load."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from api.deps import fingerprint
from domain.application import Oversight
from domain.calendar import CHINA
from domain.errors import AlreadyExistsError
from domain.principal import SYSTEM
from domain.receipts import RECEIPT, Receipt

from .conftest import World, at, day


def _app(w: World) -> Oversight:
    app: Oversight = w.c.app.state.oversight  # type: ignore[attr-defined]
    return app


def _case(w: World, n: str) -> dict[str, Any]:
    return {
        "unit_id": w.unit_id,
        "case_no": f"R-{n}",
        "matter_code": "MR-0101",
        "party": {"kind": "organisation", "name": "某公司", "id_number": "91410100MA" + n[:6]},
        "source": "inspection",
        "summary": "销售不合格产品",
        "occurred_on": "2026-02-20",
        "discovered_on": "2026-03-01",
        "filed_at": at(day(0), 9),
        "approved_by": w.head,
        "handlers": [w.zhang, w.li],
        "procedure": "general",
        "major": False,
        "complex": False,
    }


def test_a_retry_replays_the_committed_answer_and_records_nothing(world: World) -> None:
    w, c = world, world.c
    body = _case(w, "A1")
    key = {"Idempotency-Key": "file-A1", **w.officer_h}
    first = c.post("/v1/cases", json=body, headers=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    head = _app(w).max_position()
    again = c.post("/v1/cases", json=body, headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _app(w).max_position() == head
    other = c.post("/v1/cases", json=_case(w, "A2"), headers=key)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    # another principal's key is another key
    theirs = {"Idempotency-Key": "file-A1", **w.head_h}
    assert c.post("/v1/cases", json=_case(w, "A3"), headers=theirs).status_code == 201


def test_a_command_that_committed_before_the_process_died_is_replayed(world: World) -> None:
    """As if the server died between the commit and its answer: the command ran with its
    receipt and nothing else was written; the retry finds the answer in the store."""
    w, c = world, world.c
    app = _app(w)
    body = _case(w, "B1")

    token = w.officer_h["Authorization"].split()[1]
    actor = app.authenticate(token)
    raw = orjson.dumps(body)
    receipt = Receipt(actor.id, "crash-B1", fingerprint("POST", "/v1/cases", raw), 201)
    reset = RECEIPT.set(receipt)
    try:
        answer = app.file_case(actor, **_parsed_case(body))
    finally:
        RECEIPT.reset(reset)
    assert receipt.recorded == answer  # written in the events' transaction, position included
    headers = {"Idempotency-Key": "crash-B1", "Content-Type": "application/json", **w.officer_h}
    r = c.post("/v1/cases", content=raw, headers=headers)
    assert r.status_code == 201 and r.headers["Idempotent-Replayed"] == "true" and r.json() == answer


def _parsed_case(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    out["filed_at"] = datetime.fromisoformat(body["filed_at"])
    out["occurred_on"] = date.fromisoformat(body["occurred_on"])
    out["discovered_on"] = date.fromisoformat(body["discovered_on"])
    return out


def test_a_refused_command_leaves_no_receipt_and_its_retry_runs_again(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    act = {
        "type": "inspection",
        "occurred_at": at(day(0), 10),
        "officers": [w.zhang, w.aux],  # A1: an auxiliary is not a second officer
        "certificate_shown": True,
    }
    key = {"Idempotency-Key": "act-1", **w.officer_h}
    assert c.post(f"/v1/cases/{cid}/acts", json=act, headers=key).status_code == 409
    assert c.post(f"/v1/cases/{cid}/acts", json=act, headers=key).status_code == 409  # ran again, refused again
    fixed = dict(act, officers=[w.zhang, w.li])
    r = c.post(f"/v1/cases/{cid}/acts", json=fixed, headers={"Idempotency-Key": "act-2", **w.officer_h})
    assert r.status_code == 200


def _granting(app: Oversight, key: str, name: str, token: str) -> dict[str, Any]:
    receipt = Receipt(SYSTEM.id, key, fingerprint("POST", "/v1/principals", name.encode()), 201)
    held = RECEIPT.set(receipt)
    try:
        return app.grant_principal(SYSTEM, name=name, role="auditor", token=token)
    finally:
        RECEIPT.reset(held)


def test_the_receipt_and_the_events_commit_together_or_not_at_all(oversight: Oversight) -> None:
    """One transaction records the receipt, the events and the answer with its position: the
    stored answer is the command's; a key that has an answer records no event; events that
    cannot be recorded (the record exists) leave no receipt for their key."""
    app = oversight
    first = _granting(app, "grant-1", "甲", "tok-" + uuid.uuid4().hex)
    stored = app.find_receipt(SYSTEM.id, "grant-1")
    assert stored is not None and stored.status == 201
    assert orjson.loads(stored.body) == first and first["position"] == app.max_position()
    head = app.max_position()
    with pytest.raises(AlreadyExistsError):  # the key's row is there: the insert fails
        _granting(app, "grant-1", "乙", "tok-" + uuid.uuid4().hex)
    assert app.max_position() == head
    twin = "tok-" + uuid.uuid4().hex
    _granting(app, "grant-2", "丙", twin)
    head = app.max_position()
    with pytest.raises(AlreadyExistsError):  # the same token names the same principal
        _granting(app, "grant-3", "丁", twin)
    assert app.find_receipt(SYSTEM.id, "grant-3") is None and app.max_position() == head


def test_two_requests_with_one_key_at_once_record_once(world: World) -> None:
    w, c = world, world.c
    cid = w.file()
    act = {"type": "inspection", "occurred_at": at(day(0), 10), "officers": [w.zhang, w.li], "certificate_shown": True}
    headers = {"Idempotency-Key": "same", **w.officer_h}
    before = w.version(f"/v1/cases/{cid}")
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(4)

    def go() -> None:
        barrier.wait()
        answers.append(c.post(f"/v1/cases/{cid}/acts", json=act, headers=headers))

    threads = [threading.Thread(target=go) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r.status_code for r in answers) == [200] * 4
    assert len({r.text for r in answers}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in answers) == 1
    assert w.version(f"/v1/cases/{cid}") == before + 1


# ------------------------------------------------------------------ SIGKILL under load
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def _setup(app: Oversight) -> tuple[str, list[str]]:
    """A unit, two certified officers, an officer's token and 8 cases to act on."""
    from scripts.demo import UnitStory

    s = UnitStory(app, code="K-" + uuid.uuid4().hex[:4], name="崩溃测试局")
    try:
        token = app.grant_principal(SYSTEM, name="k", role="officer", unit_id=s.unit, officer_id=s.zhang)["token"]
        s.base = date(2026, 3, 2)
        cases = [s.file() for _ in range(8)]
    finally:
        s.engine.dispose()
        from domain import clock

        clock.set_clock(None)
    return token, cases


def test_sigkill_under_load_then_every_in_flight_retry_is_answered_once(oversight: Oversight) -> None:
    app = oversight
    token, cases = _setup(app)
    case = app.get_case(SYSTEM, cases[0])
    officers = case["handlers"]
    url = app.store.url
    port = _free_port()
    proc = _serve(url, port)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    stop = threading.Event()
    lock = threading.Lock()
    sent: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (case, body)
    answered: dict[str, int] = {}
    t0 = datetime(2026, 3, 2, 10, tzinfo=CHINA)

    def client(i: int) -> None:
        cid = cases[i]
        n = 0
        with httpx.Client(base_url=base, timeout=10) as h:
            while not stop.is_set():
                n += 1
                key = f"k{i}-{n}"
                body = {
                    "type": "inspection",
                    "occurred_at": (t0 + timedelta(minutes=n)).isoformat(),
                    "officers": officers,
                    "certificate_shown": True,
                }
                with lock:
                    sent[key] = (cid, body)
                try:
                    r = h.post(f"/v1/cases/{cid}/acts", json=body, headers={"Idempotency-Key": key, **auth})
                except httpx.HTTPError:
                    return  # the server is gone: this request is in flight
                with lock:
                    answered[key] = r.status_code

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    time.sleep(2.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for th in threads:
        th.join()
    assert answered and all(code == 200 for code in answered.values()), answered
    in_flight = [k for k in sent if k not in answered]
    assert in_flight, "no request was in flight at the kill"

    proc = _serve(url, port)
    try:
        retried: dict[str, httpx.Response] = {}
        with httpx.Client(base_url=base, timeout=30) as h:
            for key in in_flight + list(answered)[:20]:
                cid, body = sent[key]
                retried[key] = h.post(f"/v1/cases/{cid}/acts", json=body, headers={"Idempotency-Key": key, **auth})
            assert {k: r.status_code for k, r in retried.items() if r.status_code != 200} == {}
            assert all(retried[k].headers.get("Idempotent-Replayed") == "true" for k in list(answered)[:20])
            # Every key that was answered, now or before, recorded exactly one act.
            acts = {cid: 0 for cid in cases}
            for cid in cases:
                got = h.get(f"/v1/cases/{cid}", headers=auth).json()
                acts[cid] = got["acts"]
        keys_by_case: dict[str, int] = {cid: 0 for cid in cases}
        for key in set(answered) | set(in_flight):
            keys_by_case[sent[key][0]] += 1
        assert acts == keys_by_case
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _children(pid: int) -> list[int]:
    """The process's children, whichever of its threads started them."""
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
    except FileNotFoundError:
        pass
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_the_projection_worker_is_watched_restarted_and_never_outlives_the_server(oversight: Oversight) -> None:
    """`serve` runs the projections in a child process: a command's position is projected
    (read-your-writes through the child), /readyz says when the child is gone, the server
    starts a new one (the read side catches up, /metrics counts the restart), and a server
    killed by SIGKILL leaves no child behind."""
    app = oversight
    token, cases = _setup(app)
    port = _free_port()
    proc = _serve(app.store.url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        children = _children(proc.pid)
        assert len(children) == 1, children
        head = app.max_position()
        r = httpx.get(f"{base}/v1/cases?min_position={head}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200 and int(r.headers["X-Projection-Position"]) >= head
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        os.kill(children[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while httpx.get(f"{base}/readyz", timeout=5).status_code != 503:
            assert time.monotonic() < deadline, "readyz did not notice the worker had gone"
            time.sleep(0.1)
        assert "projection worker exited" in httpx.get(f"{base}/readyz", timeout=5).json()["detail"]
        # a new worker, and what was recorded while none ran is projected
        unit = app.register_unit(SYSTEM, code="RESTART", name="n", region="1", matters=[], banks=[])
        deadline = time.monotonic() + 20
        while httpx.get(f"{base}/readyz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "the worker was not restarted"
            time.sleep(0.1)
        again = _children(proc.pid)
        assert len(again) == 1 and again != children, (children, again)
        head = app.max_position()
        assert unit["position"] == head
        r = httpx.get(f"{base}/v1/cases?min_position={head}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200 and int(r.headers["X-Projection-Position"]) >= head
        admin = app.grant_principal(SYSTEM, name="ops", role="admin")["token"]
        metrics = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {admin}"}, timeout=5).text
        assert "oversight_projection_worker_restarts 1" in metrics
    finally:
        proc.kill()
        proc.wait()
    # and a worker whose server was SIGKILLed stops by itself
    proc = _serve(app.store.url, port)
    children = _children(proc.pid)
    assert len(children) == 1, children
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while _alive(children[0]):
        assert time.monotonic() < deadline, "the projection worker outlived its server"
        time.sleep(0.1)
