"""Read-your-writes without holding a worker thread.

A read with ``min_position`` waits until the projections it reads processed that position.
Waiting in a worker thread (``time.sleep`` in a loop) let 80 such reads occupy the whole
thread pool, so that even ``/healthz`` waited for them. Here every waiting read awaits an
``asyncio.Condition`` instead, and one poller per process reads the projections' positions
(one query, in a thread of its own limiter, so it never waits behind the requests it serves)
and wakes them. Without waiters nothing polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI

log = logging.getLogger("oversight.api")

#: seconds between polls while reads wait: short at first, so a write just made is seen at once
FIRST_POLL = 0.005
LAST_POLL = 0.05


class PositionWatch:
    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.positions: dict[str, int] = {}
        self._cond = asyncio.Condition()
        self._waiting = 0
        self._poller: asyncio.Task[None] | None = None
        self._limiter = anyio.CapacityLimiter(1)
        self.loop = asyncio.get_running_loop()

    def _reached(self, names: Sequence[str]) -> int:
        return min((self.positions.get(n, 0) for n in names), default=0)

    async def _read(self, own_thread: bool = True) -> None:
        limiter = self._limiter if own_thread else None
        self.positions = await anyio.to_thread.run_sync(self.runner.positions, limiter=limiter)

    async def _poll(self) -> None:
        delay = FIRST_POLL
        try:
            while self._waiting:
                self.runner.wake.set()  # an embedded runner looks at the log now
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_POLL)
                try:
                    await self._read()
                except Exception:  # noqa: BLE001 - a failed poll leaves the waiters to time out
                    log.warning("reading projection positions failed", exc_info=True)
                    continue
                async with self._cond:
                    self._cond.notify_all()
        finally:
            self._poller = None

    async def wait(self, names: Sequence[str], position: int, timeout: float) -> tuple[bool, int]:
        """(reached, the position reached) once the named projections processed ``position``,
        or after ``timeout`` seconds."""
        await self._read(own_thread=False)  # a brief query, in the request's thread pool
        if self._reached(names) >= position:
            return True, self._reached(names)
        deadline = self.loop.time() + timeout
        self._waiting += 1
        try:
            if self._poller is None:
                self._poller = asyncio.create_task(self._poll())
            async with self._cond:
                while self._reached(names) < position:
                    remaining = deadline - self.loop.time()
                    if remaining <= 0:
                        return False, self._reached(names)
                    try:
                        await asyncio.wait_for(self._cond.wait(), remaining)
                    except TimeoutError:
                        return False, self._reached(names)
            return True, self._reached(names)
        finally:
            self._waiting -= 1


def watch(app: FastAPI) -> PositionWatch:
    """The app's watch, made in the running event loop (a test client may run several)."""
    w: PositionWatch | None = getattr(app.state, "position_watch", None)
    if w is None or w.loop is not asyncio.get_running_loop():
        w = app.state.position_watch = PositionWatch(app.state.runner)
    return w
