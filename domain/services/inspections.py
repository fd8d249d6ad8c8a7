"""Random inspections (双随机、一公开, I1): the draw, its results, their publication."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from .. import access
from ..errors import AlreadyExistsError, InvalidInputError, NotFoundError
from ..inspection import Inspection
from ..officer import Officer
from ..principal import Actor
from ..unit import Unit
from .base import Result, Service, _is_uuid


class InspectionCommands(Service):
    def draw_inspection(
        self,
        actor: Actor,
        *,
        unit_id: str,
        task: str,
        matter_code: str,
        targets_register: list[str],
        inspectors_register: list[str],
        targets: int,
        inspectors_per_target: int = 2,
        seed: str | None = None,
        drawn_at: datetime,
    ) -> Result:
        """Draw targets and inspectors at random from the registers (双随机), reproducibly."""
        self._get(Unit, unit_id, "unit")
        access.require_unit_role(actor, unit_id, *access.CASE_WRITERS)
        for oid in set(inspectors_register):
            o = self._get(Officer, oid, "officer")
            if o.unit_id != unit_id:
                raise InvalidInputError("inspectors_register", f"officer {oid} is not of this unit")
        iid = Inspection.id_for(unit_id, task)
        if self._exists(iid):
            raise AlreadyExistsError(f"inspection task {task!r} already drawn")
        i = Inspection.make_draw(
            by=actor.id,
            at=drawn_at,
            unit_id=unit_id,
            task=task,
            matter_code=matter_code,
            targets_register=targets_register,
            inspectors_register=inspectors_register,
            targets=targets,
            inspectors_per_target=inspectors_per_target,
            seed=seed,
        )
        return self._save(i, extra={"seed": i.seed, "assignments": i.assignments}, created=True)

    def _inspection_cmd(self, actor: Actor, inspection_id: str, fn: Callable[[Inspection], None]) -> Result:
        if not _is_uuid(inspection_id):
            raise NotFoundError(f"inspection {inspection_id} not found")
        iid = UUID(inspection_id)

        def run() -> Result:
            with self._locked(iid):
                i = self._get(Inspection, iid, "inspection")
                access.require_unit_role(actor, i.unit_id, *access.CASE_WRITERS)
                fn(i)
                return self._save(i)

        return self._retrying(run)

    def record_inspection_result(
        self,
        actor: Actor,
        inspection_id: str,
        *,
        target: str,
        inspected_at: datetime,
        officers: list[str],
        outcome: str,
        case_id: str | None = None,
    ) -> Result:
        return self._inspection_cmd(
            actor,
            inspection_id,
            lambda i: i.record_result(
                by=actor.id, at=inspected_at, target=target, officers=officers, outcome=outcome, case_id=case_id
            ),
        )

    def publish_inspection_results(
        self, actor: Actor, inspection_id: str, *, published_at: datetime, channel: str
    ) -> Result:
        return self._inspection_cmd(
            actor, inspection_id, lambda i: i.publish(by=actor.id, at=published_at, channel=channel)
        )

    def get_inspection(self, actor: Actor, inspection_id: str) -> Result:
        i = self._fresh(Inspection, inspection_id, "inspection")
        access.require_case_reader(actor, i.unit_id)
        with self._locked(i.id):
            return i.view()
