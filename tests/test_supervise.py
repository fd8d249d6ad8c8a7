"""The projection worker's supervisor: a worker that exits is started again, later each time
it exits in a row; stopping the supervisor stops the worker and starts no other."""

from __future__ import annotations

import sys
import time

from scripts import supervise
from scripts.supervise import Supervised


def test_a_worker_that_keeps_exiting_is_restarted_later_each_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(supervise, "FIRST_DELAY", 0.2)
    w = Supervised([sys.executable, "-c", "raise SystemExit(3)"], check_every=0.01)
    seen: list[float] = []  # when each restart was seen
    try:
        deadline = time.monotonic() + 20
        while len(seen) < 3:
            assert time.monotonic() < deadline, f"restarted {w.restarts} times"
            if w.restarts > len(seen):
                seen.append(time.monotonic())
            time.sleep(0.005)
    finally:
        w.terminate()
    # the delays double (0.2, 0.4, 0.8 s), whatever the worker's own start-up takes
    first, second = seen[1] - seen[0], seen[2] - seen[1]
    assert second > first + 0.2, (first, second)
    n = w.restarts
    time.sleep(1.0)
    assert w.restarts == n  # stopped: no other is started


def test_a_running_worker_is_left_alone_and_stopped_with_the_supervisor() -> None:
    w = Supervised([sys.executable, "-c", "import time; time.sleep(60)"], check_every=0.02)
    time.sleep(0.3)
    assert w.poll() is None and w.restarts == 0
    w.terminate()
    assert w.wait(timeout=10) != 0
    time.sleep(0.3)
    assert w.restarts == 0
