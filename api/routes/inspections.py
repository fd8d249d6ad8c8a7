"""Random inspections (双随机、一公开): the draw, the results, their publication (I1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ..deps import App, Cmd, CurrentPrincipal
from ..openapi import DrawAnswer
from ..schemas import InspectionIn, InspectionPublicationIn, InspectionResultIn

router = APIRouter(prefix="/v1/inspections", tags=["inspections"])


@router.post("", status_code=201, response_model=DrawAnswer)
def draw(body: InspectionIn, cmd: Cmd) -> Response:
    """Draw targets and inspectors at random from the two registers, reproducibly: the answer
    carries the seed and the assignments {target: [officer ids]}. The same task twice: 409."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.draw_inspection(cmd.actor, **data), 201)


@router.get("/{inspection_id}")
def get_inspection(inspection_id: str, app: App, actor: CurrentPrincipal) -> dict[str, Any]:
    return app.get_inspection(actor, inspection_id)


@router.post("/{inspection_id}/results")
def record_result(inspection_id: str, body: InspectionResultIn, cmd: Cmd) -> Response:
    """A drawn target's inspection: who inspected it, when, and the outcome."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.record_inspection_result(cmd.actor, inspection_id, **data))


@router.post("/{inspection_id}/publications")
def publish(inspection_id: str, body: InspectionPublicationIn, cmd: Cmd) -> Response:
    """The results are made public (一公开)."""
    data = body.model_dump()
    return cmd.run(lambda: cmd.app.publish_inspection_results(cmd.actor, inspection_id, **data))
