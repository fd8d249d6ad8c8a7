"""Crash safety: a projection worker killed with SIGKILL in the middle of a rebuild, then
restarted, ends with read tables identical to a clean rebuild (on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from sqlalchemy import select

from domain.application import Oversight
from projections import PROJECTIONS
from projections.db import make_engine
from projections.runner import tracking
from scripts.demo import load_demo


def digest(engine: Any) -> str:
    h = hashlib.sha256()
    with engine.connect() as conn:
        for cls in PROJECTIONS.values():
            for table in cls.metadata.sorted_tables:
                if table.name in cls.volatile_tables:
                    continue
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "scripts.cli", *args]


def test_sigkill_mid_rebuild_then_restart_equals_a_clean_rebuild(oversight: Oversight) -> None:
    load_demo(oversight, cases=40)
    url = oversight.store.url
    head = oversight.max_position()
    engine = make_engine(oversight.store)
    env = os.environ | {"OVERSIGHT_CHECKPOINT_EVENTS": "50"}
    try:
        # A rebuild in small pages, killed without warning once it is part-way through.
        proc = subprocess.Popen(
            cli("rebuild", "--db", url, "--page-size", "3"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        killed_at = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with engine.connect() as conn:
                    positions = [p for (p,) in conn.execute(select(tracking.c.position))]
            except Exception:  # noqa: BLE001 - tables are being dropped and created
                positions = []
            if len(positions) == len(PROJECTIONS) and 0 < min(positions) < head // 2:
                proc.send_signal(signal.SIGKILL)
                killed_at = min(positions)
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
        assert killed_at is not None, "the rebuild finished before it could be killed"
        assert proc.returncode == -signal.SIGKILL
        # Restarted, the worker continues from its tracked positions to the head.
        out = subprocess.run(
            cli("project", "--db", url, "--until-head"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        resumed = digest(engine)
        # A clean rebuild from position 0 gives the same tables.
        out = subprocess.run(
            cli("rebuild", "--db", url), env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert out.returncode == 0, out.stderr
        assert digest(engine) == resumed
    finally:
        engine.dispose()
