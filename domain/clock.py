"""The clock events are recorded by. Production reads the system clock; a test (or a replay
of a historical scenario) sets another one that implements the same function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _clock()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Use ``fn`` as the clock (None: the system clock again)."""
    global _clock
    _clock = fn or (lambda: datetime.now(UTC))
