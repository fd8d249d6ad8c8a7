"""The projection worker of `oversight serve`, watched: restarted when it exits unasked.

A worker that dies (killed for memory, a crash, an operator's mistaken `kill`) would otherwise
leave the read side behind for good: lists waiting on `min_position` answer 503 and the
reports stop moving until someone restarts the server. The supervisor restarts it after a
delay that doubles with each exit in a row (1 s, 2 s, … at most 30 s; back to 1 s once a
worker has run for a minute), logs every exit, and counts the restarts (`/metrics`). While no
worker runs, ``poll()`` answers the last exit code, so `/readyz` answers 503 meanwhile.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("oversight.serve")

FIRST_DELAY = 1.0  # seconds before the first restart
MAX_DELAY = 30.0
STEADY = 60.0  # a worker that ran this long resets the delay


class Supervised:
    """A child process kept running; the parts of ``subprocess.Popen`` the app uses."""

    def __init__(self, argv: Sequence[str], check_every: float = 0.2) -> None:
        self.argv = list(argv)
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._proc = self._spawn()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._watch, args=(check_every,), name="worker-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.argv)  # noqa: S603 - this interpreter, this module

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def poll(self) -> int | None:
        """None while a worker runs; else the exit code of the last one."""
        with self._lock:
            return self._proc.poll()

    def _watch(self, every: float) -> None:
        delay = FIRST_DELAY
        while not self._stopping.wait(every):
            code = self.poll()
            if code is None:
                continue
            if time.monotonic() - self._started >= STEADY:
                delay = FIRST_DELAY
            log.warning("the projection worker exited (%s); restarting it in %.0f s", code, delay)
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._proc = self._spawn()
                self._started = time.monotonic()
                self.restarts += 1
            delay = min(delay * 2, MAX_DELAY)

    def terminate(self) -> None:
        """Stop watching, then ask the worker to stop."""
        self._stopping.set()
        with self._lock:
            if self._proc.poll() is None:
                self._proc.terminate()

    def kill(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._proc.poll() is None:
                self._proc.kill()

    def wait(self, timeout: float | None = None) -> int:
        return self._proc.wait(timeout=timeout)
