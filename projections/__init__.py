"""Read models built from the event log. Nothing here writes events."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy.engine import Engine

from .audit import Audit
from .case_index import CaseIndex
from .runner import Runner, SqlProjection
from .seal import Seal

PROJECTIONS: dict[str, type[SqlProjection]] = {p.name: p for p in (CaseIndex, Audit, Seal)}


def build_runner(
    recorder: ApplicationRecorder,
    mapper: Mapper[Any],
    engine: Engine,
    only: list[str] | None = None,
    page_size: int = 1000,
) -> Runner:
    names = only or list(PROJECTIONS)
    unknown = [n for n in names if n not in PROJECTIONS]
    if unknown:
        raise ValueError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(PROJECTIONS)}")
    return Runner(recorder, mapper, engine, [PROJECTIONS[n](engine) for n in names], page_size)
