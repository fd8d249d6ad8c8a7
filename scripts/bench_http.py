"""HTTP benchmark: a real `oversight serve` process driven by 1, 8 and 32 concurrent clients,
on SQLite and on PostgreSQL, against the database's raw rate for single-row INSERT
transactions of the same row size, measured in the same run.

Each client is an officer of one of a few units (its own principal and token). It files a case
(POST /v1/cases), collects two pieces of evidence (POST /v1/cases/{id}/evidence) and serves the
notice (POST /v1/cases/{id}/notices), then files the next case: a command mix of 1/4 filing,
1/2 evidence, 1/4 notice. Every gate runs as it does for any client, with read-your-writes
untouched; the projections run as `oversight serve` runs them by default, in its child process
(BENCH_HTTP_PROJECTIONS=thread runs them in a thread of the server, worker in a separate
`oversight project`). Clients are closed-loop (one
request in flight each) and run in this process, on a minimal asyncio HTTP/1.1 keep-alive
client, so the load generator costs little of the machine's CPU next to the server; its CPU use
is printed.

Figures per client count: commands/s over the measured window (after a warm-up), p50 and p99
latency (request sent to answer read), the ratio of commands/s to the raw INSERT rate, the CPU
the server and the clients used (100 % = one core), the 1-minute load average before the level
(the machine may be shared), and the mean time a request spent inside the server's middleware
(its /metrics, warm-up included). Between levels the projections catch up; their lag at the end
of each level is printed. The raw rate is measured after the server stopped, on the same
database file or schema, with the mean stored size of this run's events.

Targets (the issue): >= 1,000 commands/s at 32 clients on both databases with p99 < 100 ms, and
p50 < 2 ms for one client. They are reported, not enforced: the exit status is 0 either way.

Environment:
  BENCH_HTTP_SECONDS    measured seconds per client count (default 10)
  BENCH_HTTP_WARMUP     warm-up seconds before each measurement (default 2)
  BENCH_HTTP_CLIENTS    client counts, comma-separated (default 1,8,32)
  BENCH_HTTP_DBS        databases, comma-separated: sqlite, postgres (default both)
  BENCH_HTTP_UNITS      units the clients are spread over (default 4)
  BENCH_HTTP_IDEMPOTENCY  1: every command carries an Idempotency-Key (default), 0: none
  BENCH_HTTP_PROJECTIONS  serve: the projections run as `oversight serve` runs them by default
                          (its child process); thread: `serve --projections-in-process`, in a
                          thread of the API process; worker: `serve --no-projections` beside
                          one `oversight project` process (the README's separate workers)
  BENCH_HTTP_RAW_N      single-row INSERT transactions per raw round, 3 rounds (default 1500)
  BENCH_HTTP_PROFILE_DIR  if set: py-spy records the server (raw folded stacks) during the
                          largest client count, into this directory
  BENCH_HTTP_PROFILE_FLAGS  py-spy flags (default "--threads --nonblocking --rate 100": on-CPU
                          samples per thread, without pausing the server; add "--idle" for
                          wall time, waits included)
  BENCH_HTTP_KEEP_LOG   1: keep the server log (printed path) instead of deleting the temp dir
  OVERSIGHT_BENCH_POSTGRES_URL  PostgreSQL (default postgresql://postgres@127.0.0.1:5432/test);
                        the run uses a fresh schema and drops it at the end

Last line: one JSON object of the figures.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from scripts.bench_write import raw_pg, raw_sqlite  # noqa: E402

PG_URL = os.environ.get("OVERSIGHT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_HTTP_WARMUP", "2"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_HTTP_CLIENTS", "1,8,32").split(",")]
DBS = os.environ.get("BENCH_HTTP_DBS", "sqlite,postgres").split(",")
UNITS = int(os.environ.get("BENCH_HTTP_UNITS", "4"))
IDEMPOTENCY = os.environ.get("BENCH_HTTP_IDEMPOTENCY", "1") == "1"
RAW_N = int(os.environ.get("BENCH_HTTP_RAW_N", "1500"))
PROFILE_DIR = os.environ.get("BENCH_HTTP_PROFILE_DIR")
PROFILE_FLAGS = os.environ.get("BENCH_HTTP_PROFILE_FLAGS", "--threads --nonblocking --rate 100")
KEEP_LOG = os.environ.get("BENCH_HTTP_KEEP_LOG") == "1"
PROJECTIONS = os.environ.get("BENCH_HTTP_PROJECTIONS", "serve")
PROJ_LABEL = {
    "serve": "the server's child process (the default)",
    "thread": "a thread of the server",
    "worker": "a separate worker process",
}
if PROJECTIONS not in ("serve", "thread", "worker"):
    raise SystemExit("BENCH_HTTP_PROJECTIONS: serve, thread or worker")

TARGET_CPS_32 = 1000.0
TARGET_P99_32_MS = 100.0
TARGET_P50_1_MS = 2.0

# Business times of the workload: an ordinary working week in March 2026 (China time).
FILED_AT = "2026-03-02T09:00:00+08:00"
COLLECTED_AT = "2026-03-02T11:00:00+08:00"
SERVED_AT = "2026-03-03T10:00:00+08:00"


# ------------------------------------------------------------------ the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signing_key(path: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log_path: str
    worker: subprocess.Popen[bytes] | None = None

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.proc.pid)

    def worker_cpu_seconds(self) -> float:
        return _cpu_seconds(self.worker.pid) if self.worker is not None else 0.0

    def stop(self) -> None:
        _stop(self.proc, signal.SIGINT)
        if self.worker is not None:
            _stop(self.worker, signal.SIGTERM)


def start_server(db_url: str, tmp: str, admin_token: str) -> Server:
    key = os.path.join(tmp, "signing.key")
    _signing_key(key)
    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            "OVERSIGHT_ADMIN_TOKEN": admin_token,
            "OVERSIGHT_SIGNING_KEY": key,
        }
    )
    log_path = os.path.join(tmp, "server.log")
    log = open(log_path, "wb")  # the children write to it
    serve = [sys.executable, "-m", "scripts.cli", "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)]
    if PROJECTIONS == "worker":
        serve.append("--no-projections")
    elif PROJECTIONS == "thread":
        serve.append("--projections-in-process")
    proc = subprocess.Popen(serve, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    server = Server(proc, f"http://127.0.0.1:{port}", log_path)
    if PROJECTIONS == "worker":
        project = [sys.executable, "-m", "scripts.cli", "project", "--db", db_url, "--poll", "0.05"]
        server.worker = subprocess.Popen(project, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    log.close()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server was not ready within 90 s; see {log_path}")


# ------------------------------------------------------------------ registry data over HTTP
@dataclass
class Officer:
    token: str
    officer_id: str
    partner_id: str
    head_id: str
    unit_id: str


def _post(c: httpx.Client, path: str, token: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    r = c.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
    if r.status_code != expect:
        raise RuntimeError(f"setup: POST {path} answered {r.status_code}: {r.text}")
    out: dict[str, Any] = r.json()
    return out


def _officer(c: httpx.Client, admin: str, unit_id: str, name: str, kind: str = "officer") -> str:
    body = {"name": name, "unit_id": unit_id, "kind": kind, "employment": "established", "legal_qualification": False}
    oid: str = _post(c, "/v1/officers", admin, body, 201)["id"]
    _post(c, f"/v1/officers/{oid}/exams", admin, {"taken_on": "2024-11-01", "passed": True, "score": 88})
    cert = {
        "number": "豫" + oid[:8],
        "fields": ["MR"],
        "areas": ["4101"],
        "valid_from": "2025-01-01",
        "valid_until": "2028-12-31",
    }
    _post(c, f"/v1/officers/{oid}/certificates", admin, cert)
    _post(c, f"/v1/officers/{oid}/validations", admin, {"year": 2026, "passed": True, "on": "2026-01-10"})
    _post(c, f"/v1/officers/{oid}/trainings", admin, {"on": "2025-06-01", "hours": 60, "topic": "行政执法培训"})
    return oid


def setup_registry(base: str, admin: str, clients: int) -> list[Officer]:
    """UNITS units, each with a unit head and (clients / UNITS, at least 2) certified officers;
    one officer principal per client. Client i acts with the next officer of its unit."""
    tag = uuid.uuid4().hex[:6]
    per_unit = max(2, -(-clients // UNITS))
    out: list[Officer] = []
    with httpx.Client(base_url=base, timeout=30) as c:
        units = []
        for u in range(UNITS):
            body = {
                "code": f"HB-{tag}-{u}",
                "name": f"压测市场监管局{u}",
                "region": "410100",
                "matters": ["MR-0101"],
                "banks": [f"BANK-{tag}-{u}"],
            }
            unit_id: str = _post(c, "/v1/units", admin, body, 201)["id"]
            head = _officer(c, admin, unit_id, f"负责人{u}", "unit_head")
            officers = [_officer(c, admin, unit_id, f"执法员{u}-{k}") for k in range(per_unit)]
            units.append((unit_id, head, officers))
        for i in range(clients):
            unit_id, head, officers = units[i % UNITS]
            k = (i // UNITS) % len(officers)
            me, partner = officers[k], officers[(k + 1) % len(officers)]
            body = {"name": f"bench-{i}", "role": "officer", "unit_id": unit_id, "officer_id": me}
            token: str = _post(c, "/v1/principals", admin, body, 201)["token"]
            out.append(Officer(token, me, partner, head, unit_id))
    return out


# ------------------------------------------------------------------ a small HTTP/1.1 client
class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time (a closed-loop client)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def post(self, path: str, headers: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s"
            % (path.encode(), self.host.encode(), len(body), headers, body)
        )
        reader = self.reader
        status = int((await reader.readuntil(b"\r\n")).split(None, 2)[1])
        length, chunked, close = 0, False, False
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            data = b"".join(parts)
        else:
            data = await reader.readexactly(length)
        if close:
            self.close()
        return status, data


@dataclass
class Level:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def _client(
    i: int, who: Officer, host: str, port: int, tag: str, t_start: float, t_end: float, out: Level
) -> None:
    conn = Connection(host, port)
    auth = b"Authorization: Bearer %s\r\n" % who.token.encode()
    officers = [who.officer_id, who.partner_id]
    seq = 0

    async def send(kind: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        nonlocal seq
        seq += 1
        headers = auth + (b"Idempotency-Key: %s-%d-%d\r\n" % (tag.encode(), i, seq) if IDEMPOTENCY else b"")
        raw = orjson.dumps(body)
        t0 = time.perf_counter()
        try:
            status, data = await conn.post(path, headers, raw)
        except (OSError, asyncio.IncompleteReadError) as e:
            conn.close()
            status, data = 0, repr(e).encode()
        t1 = time.perf_counter()
        if t0 >= t_start and t1 <= t_end:
            if status in (200, 201):
                out.latencies.append(t1 - t0)
                out.counts[kind] = out.counts.get(kind, 0) + 1
            else:
                key = f"{kind} {status}"
                out.errors[key] = out.errors.get(key, 0) + 1
        if status not in (200, 201):
            if len(out.errors) <= 3 and t1 <= t_end:
                print(f"  client {i}: {kind} answered {status}: {data[:300]!r}", file=sys.stderr)
            return None
        answer: dict[str, Any] = orjson.loads(data)
        return answer

    try:
        n = 0
        while time.perf_counter() < t_end:
            n += 1
            filed = await send(
                "file",
                "/v1/cases",
                {
                    "unit_id": who.unit_id,
                    "case_no": f"H-{tag}-{i}-{n}",
                    "matter_code": "MR-0101",
                    "party": {"kind": "organisation", "name": "某商贸有限公司", "id_number": f"91410100{i:04d}{n:06d}"},
                    "source": "inspection",
                    "summary": "销售不合格产品",
                    "occurred_on": "2026-02-20",
                    "discovered_on": "2026-03-01",
                    "filed_at": FILED_AT,
                    "approved_by": who.head_id,
                    "handlers": officers,
                    "procedure": "general",
                    "major": False,
                    "complex": False,
                },
            )
            if filed is None:
                await asyncio.sleep(0.01)
                continue
            cid = filed["id"]
            for k in range(2):
                if time.perf_counter() >= t_end:
                    return
                await send(
                    "evidence",
                    f"/v1/cases/{cid}/evidence",
                    {
                        "kind": "physical",
                        "description": "抽样产品",
                        "sha256": _sha(f"{cid}/{k}"),
                        "collected_at": COLLECTED_AT,
                        "officers": officers,
                        "certificate_shown": True,
                    },
                )
            if time.perf_counter() >= t_end:
                return
            await send(
                "notice",
                f"/v1/cases/{cid}/notices",
                {
                    "served_at": SERVED_AT,
                    "officers": officers,
                    "facts": "销售不合格产品",
                    "reasons": "抽检产品不合格，违反产品质量法",
                    "legal_basis": "《产品质量法》第四十九条",
                    "proposed": [{"type": "fine", "amount": "20000.00"}],
                    "hearing_right": False,
                },
            )
    finally:
        conn.close()


async def _drive(who: list[Officer], base: str, tag: str) -> tuple[Level, float]:
    host, port = base.removeprefix("http://").split(":")
    out = Level()
    t_start = time.perf_counter() + WARMUP
    t_end = t_start + SECONDS
    await asyncio.gather(*(_client(i, w, host, int(port), tag, t_start, t_end, out) for i, w in enumerate(who)))
    return out, t_start


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


# ------------------------------------------------------------------ projections and profile
def _lag(c: httpx.Client, admin: str) -> int:
    r = c.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
    lags = [int(line.rsplit(" ", 1)[1]) for line in r.text.splitlines() if line.startswith("oversight_projection_lag")]
    return max(lags, default=0)


def _served(base: str, admin: str) -> tuple[float, float]:
    """The server's own request-time sum and count (its metrics middleware, all requests)."""
    r = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {admin}"}, timeout=30)
    found = {
        k: float(v)
        for k, v in (line.split() for line in r.text.splitlines() if line.startswith("oversight_request_seconds"))
    }
    return found.get("oversight_request_seconds_sum", 0.0), found.get("oversight_request_seconds_count", 0.0)


def _catch_up(base: str, admin: str, timeout: float = 120) -> tuple[int, float]:
    """The projections' lag now, and the seconds they took to reach the head."""
    t0 = time.perf_counter()
    with httpx.Client(base_url=base, timeout=30) as c:
        first = lag = _lag(c, admin)
        while lag > 0 and time.perf_counter() - t0 < timeout:
            time.sleep(0.2)
            lag = _lag(c, admin)
    return first, time.perf_counter() - t0


def _py_spy(pid: int, seconds: float, out: str) -> subprocess.Popen[bytes] | None:
    exe = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(exe):
        print(f"  (no py-spy at {exe}: not profiling)")
        return None
    cmd = [exe, "record", "--pid", str(pid), "--duration", str(int(seconds))]
    cmd += ["--format", "raw", *PROFILE_FLAGS.split(), "-o", out]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


# ------------------------------------------------------------------ one database
def _row_bytes(kind: str, db_url: str, schema: str | None) -> int:
    """The mean stored size of an event's state in this run's store (for the raw INSERTs)."""
    if kind == "sqlite":
        import sqlite3

        con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        try:
            (size,) = con.execute("SELECT avg(length(state)) FROM stored_events").fetchone()
        finally:
            con.close()
    else:
        with psycopg.connect(PG_URL, autocommit=True) as con:
            row = con.execute(f'SELECT avg(length(state)) FROM "{schema}".oversight_events').fetchone()  # noqa: S608
            size = row[0] if row else 0
    return int(size or 0)


def run(kind: str) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix=f"bench_http_{kind}_")
    schema = None
    if kind == "sqlite":
        db_url = f"sqlite:///{tmp}/bench.db"
    else:
        schema = "bench_http_" + uuid.uuid4().hex[:8]
        db_url = f"{PG_URL.split('?')[0]}?schema={schema}"
    admin = secrets.token_urlsafe(24)
    out: dict[str, Any] = {"levels": {}}
    server = None
    try:
        server = start_server(db_url, tmp, admin)
        who = setup_registry(server.base, admin, max(CLIENTS))
        _catch_up(server.base, admin)
        print(
            f"{kind}: server pid {server.proc.pid} at {server.base}, {UNITS} units, {max(CLIENTS)} principals, "
            f"projections: {PROJ_LABEL[PROJECTIONS]}"
        )
        for n in CLIENTS:
            tag = uuid.uuid4().hex[:6]
            spy = None
            if PROFILE_DIR and n == max(CLIENTS):
                os.makedirs(PROFILE_DIR, exist_ok=True)
                spy = _py_spy(server.proc.pid, WARMUP + SECONDS, os.path.join(PROFILE_DIR, f"server_{kind}_{n}.txt"))
            load = os.getloadavg()[0]
            served0 = _served(server.base, admin)
            cpu0, worker0, client0 = server.cpu_seconds(), server.worker_cpu_seconds(), time.process_time()
            wall0 = time.perf_counter()
            level, _ = asyncio.run(_drive(who[:n], server.base, tag))
            wall = time.perf_counter() - wall0
            server_cpu = (server.cpu_seconds() - cpu0) / wall
            worker_cpu = (server.worker_cpu_seconds() - worker0) / wall
            served1 = _served(server.base, admin)
            served_ms = 1000 * (served1[0] - served0[0]) / max(1.0, served1[1] - served0[1] - 1)
            client_cpu = (time.process_time() - client0) / wall
            if spy is not None and spy.wait(timeout=60):
                print(f"  py-spy exited with {spy.returncode} (flags: {PROFILE_FLAGS})")
            lag, drain = _catch_up(server.base, admin)
            done = len(level.latencies)
            fig = {
                "commands_per_s": round(done / SECONDS, 1),
                "p50_ms": round(_pct(level.latencies, 0.50) * 1000, 2),
                "p99_ms": round(_pct(level.latencies, 0.99) * 1000, 2),
                "commands": done,
                "mix": level.counts,
                "errors": sum(level.errors.values()),
                "server_mean_ms": round(served_ms, 2),
                "server_cpu": round(server_cpu, 2),
                "client_cpu": round(client_cpu, 2),
                "load_avg_1m_before": round(load, 2),
                "projection_lag_at_end": lag,
                "projection_catch_up_s": round(drain, 2),
            }
            if server.worker is not None:
                fig["projection_worker_cpu"] = round(worker_cpu, 2)
            if level.errors:
                fig["error_kinds"] = level.errors
            out["levels"][str(n)] = fig
            worker = f"   worker {worker_cpu:.0%}" if server.worker else ""
            print(
                f"  {n:3d} clients: {fig['commands_per_s']:7.0f} commands/s   p50 {fig['p50_ms']:6.2f} ms   "
                f"p99 {fig['p99_ms']:7.2f} ms   (in the server {served_ms:.1f} ms)   errors {fig['errors']}\n"
                f"               CPU server {server_cpu:.0%}   clients {client_cpu:.0%}{worker}   load {load:.1f}"
                f"   projection lag {lag} (caught up in {drain:.1f} s)"
            )
        server.stop()
        server = None
        size = _row_bytes(kind, db_url, schema)
        raw = []
        for _ in range(3):
            if kind == "sqlite":
                raw.append(raw_sqlite(f"{tmp}/bench.db", RAW_N, size))
            else:
                assert schema is not None
                raw.append(raw_pg(PG_URL.split("?")[0], schema, RAW_N, size))
        out["raw_insert_tps"] = round(statistics.median(raw), 1)
        out["raw_insert_rounds"] = [round(r, 1) for r in raw]
        out["row_bytes"] = size
        for fig in out["levels"].values():
            fig["ratio_to_raw"] = round(fig["commands_per_s"] / out["raw_insert_tps"], 3)
        print(f"  raw single-row INSERT: {out['raw_insert_tps']:.0f} tx/s (row {size} B, median of 3 x {RAW_N})")
        top, one = out["levels"].get("32"), out["levels"].get("1")
        out["targets"] = {
            "cps_32_ge_1000": bool(top and top["commands_per_s"] >= TARGET_CPS_32 and not top["errors"]),
            "p99_32_lt_100ms": bool(top and top["p99_ms"] < TARGET_P99_32_MS),
            "p50_1_lt_2ms": bool(one and one["p50_ms"] < TARGET_P50_1_MS),
        }
        out["targets"]["all"] = all(out["targets"].values())
    finally:
        if server is not None:
            server.stop()
        if schema:
            with psycopg.connect(PG_URL.split("?")[0], autocommit=True) as con:
                con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if KEEP_LOG:
            print(f"  server log: {tmp}/server.log")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    figures: dict[str, Any] = {
        "seconds": SECONDS,
        "warmup": WARMUP,
        "clients": CLIENTS,
        "units": UNITS,
        "idempotency_keys": IDEMPOTENCY,
        "projections": PROJECTIONS,
        "cpus": os.cpu_count(),
    }
    for kind in DBS:
        figures[kind] = run(kind)
        for name, ok in figures[kind]["targets"].items():
            if name != "all":
                print(f"  target {name}: {'met' if ok else 'NOT met'}")
    figures["targets_met"] = all(figures[k]["targets"]["all"] for k in DBS)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
