"""Integrity: signed checkpoints, inclusion and consistency proofs (RFC 6962), verification."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from domain import access
from domain.errors import InvalidInputError, NotFoundError
from projections import seal as sealing

from ..deps import CurrentPrincipal

router = APIRouter(prefix="/v1/integrity", tags=["integrity"])


def _seal(request: Request) -> sealing.Seal:
    from ..errors import ProjectionUnavailableError

    why = request.app.state.runner.unavailable(("seal",))
    if why is not None:
        raise ProjectionUnavailableError(why)
    s: sealing.Seal = request.app.state.seal
    return s


@router.get("/public-key")
def public_key(request: Request) -> dict[str, Any]:
    """The Ed25519 public key that signs checkpoints (raw 32 bytes, base64). No token needed."""
    pub = _seal(request).key.public_key()
    return {
        "key_id": sealing.key_id(pub),
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(sealing.public_key_bytes(pub)).decode(),
        "message": "b'oversight-checkpoint/v1\\n' + size (8 bytes, big-endian) + root (32 "
        "bytes) + signed_at (UTC, YYYY-MM-DDTHH:MM:SSZ, UTF-8)",
    }


@router.get("/checkpoint")
def checkpoint(request: Request) -> dict[str, Any]:
    """The latest signed checkpoint: tree size, root hash, time, key id, signature. Save it:
    anyone holding it can later prove the log extends it."""
    with request.app.state.engine.connect() as conn:
        cp = sealing.latest_checkpoint(conn)
    if cp is None:
        raise NotFoundError("no checkpoint yet")
    return cp.view()


@router.get("/verify")
def verify(request: Request, actor: CurrentPrincipal) -> dict[str, Any]:
    """Recompute every leaf from the stored events and compare with the signed checkpoints
    (auditors, supervisors). `first_bad_position` locates the first departure."""
    access.require_role(actor, "auditor", "supervisor")
    app = request.app.state.oversight
    return sealing.verify(app.recorder, request.app.state.engine, _seal(request).key.public_key())


@router.get("/inclusion")
def inclusion(
    request: Request, _: CurrentPrincipal, position: Annotated[int, Query(ge=1)], size: Annotated[int, Query(ge=1)]
) -> dict[str, Any]:
    """Proof that the event at a log position is in the tree of the given size."""
    try:
        with request.app.state.engine.connect() as conn:
            return sealing.inclusion(conn, _seal(request).node_level, position, size)
    except LookupError as e:
        raise NotFoundError(str(e)) from None
    except ValueError as e:
        raise InvalidInputError("size", str(e)) from None


@router.get("/consistency")
def consistency(
    request: Request,
    _: CurrentPrincipal,
    first: Annotated[int, Query(alias="from", ge=1)],
    second: Annotated[int, Query(alias="to", ge=1)],
) -> dict[str, Any]:
    """Proof that the tree of size `to` extends the tree of size `from`."""
    try:
        with request.app.state.engine.connect() as conn:
            return sealing.consistency(conn, _seal(request).node_level, first, second)
    except ValueError as e:
        raise InvalidInputError("from", str(e)) from None
