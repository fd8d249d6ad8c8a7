"""Integrity: a sealing projection over every stored event, signed checkpoints, proofs and
verification (DESIGN.md "Integrity").

Every stored event, in notification order, is a leaf of an RFC 6962 Merkle tree. The leaf
hashes are stored, and so are the roots of perfect subtrees from ``node_level`` up (default 8:
one node per 256 leaves), so a proof reads O(log n) rows and at most a few blocks of 256 leaves,
never the whole log. Checkpoints (size, root, time) are signed with Ed25519 every N events, and
whenever the sealed head moved and the last checkpoint is T seconds old (default 1), also between
pages, so an event recorded a second ago already has an inclusion proof. Verification recomputes
every leaf from the stored event rows, so an edit made directly in the database is found and
located.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from .db import bulk_insert
from .merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    decompose,
    entry_bytes,
    inclusion_path,
    leaf_hash,
    node_hash,
    split,
)
from .runner import Item, SqlProjection
from .types import AwareDateTime

DEFAULT_KEY_PATH = os.path.join("var", "signing.key")

metadata = MetaData()
leaves = Table(
    "p_seal_v1_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("hash", LargeBinary(32), nullable=False),
)
nodes = Table(
    "p_seal_v1_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)
checkpoints = Table(
    "p_seal_v1_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("signed_at", AwareDateTime, nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
)


# ------------------------------------------------------------------ keys and signatures
def load_signing_key(path: str | None = None) -> Ed25519PrivateKey:
    """The Ed25519 key from ``OVERSIGHT_SIGNING_KEY`` (a PEM file); when unset, one is
    generated on first start at var/signing.key with 0600 permissions."""
    env_path = path or os.environ.get("OVERSIGHT_SIGNING_KEY")
    key_path = env_path or DEFAULT_KEY_PATH
    if not os.path.exists(key_path):
        if env_path:
            raise FileNotFoundError(f"OVERSIGHT_SIGNING_KEY: no key file at {key_path}")
        os.makedirs(os.path.dirname(key_path) or ".", exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        return key
    with open(key_path, "rb") as f:
        loaded = serialization.load_pem_private_key(f.read(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key_path} is not an Ed25519 private key")
    return loaded


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def utc_stamp(t: datetime) -> str:
    """The canonical form of a checkpoint's time: UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ``."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkpoint_message(size: int, root: bytes, signed_at: datetime) -> bytes:
    """What a checkpoint signature covers (documented in the README)."""
    return b"oversight-checkpoint/v1\n" + size.to_bytes(8, "big") + root + utc_stamp(signed_at).encode()


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: bytes
    signed_at: datetime
    key_id: str
    signature: bytes

    def view(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": self.root.hex(),
            "signed_at": utc_stamp(self.signed_at),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
        }

    @classmethod
    def from_view(cls, d: dict[str, Any]) -> Checkpoint:
        return cls(
            size=int(d["size"]),
            root=bytes.fromhex(d["root"]),
            signed_at=datetime.fromisoformat(d["signed_at"].replace("Z", "+00:00")),
            key_id=d["key_id"],
            signature=base64.b64decode(d["signature"]),
        )

    def signature_ok(self, public: Ed25519PublicKey) -> bool:
        try:
            public.verify(self.signature, checkpoint_message(self.size, self.root, self.signed_at))
        except InvalidSignature:
            return False
        return True


# ------------------------------------------------------------------ reading the tree
class TreeReader:
    """Subtree hashes from the stored leaves and nodes (RFC 6962 MTH of D[a:b])."""

    def __init__(self, conn: Connection, node_level: int) -> None:
        self.conn = conn
        self.node_level = node_level

    def size(self) -> int:
        n = self.conn.execute(select(func.max(leaves.c.idx))).scalar()
        return 0 if n is None else int(n) + 1

    def leaf_range(self, a: int, b: int) -> list[bytes]:
        rows = (
            self.conn.execute(select(leaves.c.hash).where(leaves.c.idx >= a, leaves.c.idx < b).order_by(leaves.c.idx))
            .scalars()
            .all()
        )
        if len(rows) != b - a:
            raise LookupError(f"leaves {a}..{b} are not all sealed")
        return [bytes(r) for r in rows]

    def subtree(self, a: int, b: int) -> bytes:
        n = b - a
        if n == 1:
            return self.leaf_range(a, b)[0]
        if n & (n - 1) == 0 and a % n == 0:
            level = n.bit_length() - 1
            if level >= self.node_level:
                h = self.conn.execute(
                    select(nodes.c.hash).where(nodes.c.level == level, nodes.c.idx == a >> level)
                ).scalar()
                if h is None:
                    raise LookupError(f"node {level}/{a >> level} is missing")
                return bytes(h)
            layer = self.leaf_range(a, b)
            while len(layer) > 1:
                layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
            return layer[0]
        k = split(n)
        return node_hash(self.subtree(a, a + k), self.subtree(a + k, b))

    def root(self, size: int) -> bytes:
        return EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def frontier(self, size: int) -> Frontier:
        return Frontier([(level, self.subtree(a, a + (1 << level))) for a, level in decompose(size)], size)

    def index_of(self, position: int) -> int | None:
        i = self.conn.execute(select(leaves.c.idx).where(leaves.c.position == position)).scalar()
        return None if i is None else int(i)

    def position_of(self, idx: int) -> int | None:
        p = self.conn.execute(select(leaves.c.position).where(leaves.c.idx == idx)).scalar()
        return None if p is None else int(p)


def latest_checkpoint(conn: Connection) -> Checkpoint | None:
    row = conn.execute(select(checkpoints).order_by(checkpoints.c.size.desc()).limit(1)).mappings().first()
    return None if row is None else _cp(row)


def _cp(row: Any) -> Checkpoint:
    return Checkpoint(int(row["size"]), bytes(row["root"]), row["signed_at"], row["key_id"], bytes(row["signature"]))


# ------------------------------------------------------------------ the sealing projection
class Seal(SqlProjection):
    name = "seal"
    version = 1
    metadata = metadata
    volatile_tables = frozenset({"p_seal_v1_checkpoints"})

    def __init__(
        self,
        engine: Engine,
        key: Ed25519PrivateKey | None = None,
        node_level: int | None = None,
        every_events: int | None = None,
        every_seconds: float | None = None,
    ) -> None:
        super().__init__(engine)
        self.key = key or load_signing_key()
        self.key_id = key_id(self.key.public_key())
        self.node_level = (
            node_level if node_level is not None else int(os.environ.get("OVERSIGHT_SEAL_NODE_LEVEL", "8"))
        )
        self.every_events = every_events or int(os.environ.get("OVERSIGHT_CHECKPOINT_EVENTS", "1000"))
        self.every_seconds = (
            every_seconds if every_seconds is not None else float(os.environ.get("OVERSIGHT_CHECKPOINT_SECONDS", "1"))
        )
        self._frontier: Frontier | None = None
        self._last_cp: tuple[int, float] = (0, 0.0)

    def apply(self, conn: Connection, items: Sequence[Item]) -> None:
        try:
            self._apply(conn, items)
        except BaseException:
            self._frontier = None  # the transaction rolls back: reload from the store next time
            raise

    def _apply(self, conn: Connection, items: Sequence[Item]) -> None:
        reader = TreeReader(conn, self.node_level)
        size = reader.size()
        if self._frontier is None or self._frontier.size != size:
            self._frontier = reader.frontier(size)
            cp = latest_checkpoint(conn)
            self._last_cp = (cp.size if cp else 0, time.monotonic())
        frontier = self._frontier
        leaf_rows: list[tuple[int, int, bytes]] = []
        node_rows: list[tuple[int, int, bytes]] = []
        min_level = self.node_level

        def on_node(level: int, idx: int, h: bytes) -> None:
            if level >= min_level:
                node_rows.append((level, idx, h))

        for it in items:
            n = it.notification
            h = leaf_hash(entry_bytes(n.originator_id, n.originator_version, n.topic, n.state))
            leaf_rows.append((frontier.size, it.position, h))
            frontier.append(h, on_node)
        bulk_insert(conn, leaves, leaf_rows)
        bulk_insert(conn, nodes, node_rows)
        last_size, last_time = self._last_cp
        if (
            last_size == 0
            or frontier.size - last_size >= self.every_events
            or (frontier.size > last_size and time.monotonic() - last_time >= self.every_seconds)
        ):
            self._sign(conn, frontier.size, frontier.root())

    def idle(self, engine: Engine) -> float | None:
        """Between pages: sign the sealed head if it moved since the last checkpoint and that
        is older than ``every_seconds`` (so a checkpoint is at most about that far behind).
        Returns the seconds until it may next be due, or None if nothing waits to be signed."""
        if self._frontier is None:  # e.g. just started, at the head already: what is sealed?
            with engine.connect() as conn:
                reader = TreeReader(conn, self.node_level)
                self._frontier = reader.frontier(reader.size())
                cp = latest_checkpoint(conn)
            self._last_cp = (cp.size if cp else 0, 0.0)  # as old as can be
        frontier = self._frontier
        last_size, last_time = self._last_cp
        if frontier.size <= last_size:
            return None
        wait = self.every_seconds - (time.monotonic() - last_time)
        if wait > 0:
            return wait
        try:
            with engine.begin() as conn:
                reader = TreeReader(conn, self.node_level)
                cp = latest_checkpoint(conn)
                if reader.size() != frontier.size or (cp is not None and cp.size >= frontier.size):
                    self._frontier = None  # another worker sealed or signed meanwhile: reload
                    return None
                self._sign(conn, frontier.size, frontier.root())
        except IntegrityError:  # another worker signed the same size first
            self._frontier = None
        return None

    def _sign(self, conn: Connection, size: int, root: bytes) -> None:
        signed_at = datetime.now(UTC).replace(microsecond=0)
        sig = self.key.sign(checkpoint_message(size, root, signed_at))
        conn.execute(
            checkpoints.insert().values(size=size, root=root, signed_at=signed_at, key_id=self.key_id, signature=sig)
        )
        self._last_cp = (size, time.monotonic())


# ------------------------------------------------------------------ verification
def _stored_events(recorder: ApplicationRecorder, page: int = 10_000) -> Iterator[Any]:
    start = 0
    while True:
        batch = recorder.select_notifications(start=start, limit=page, inclusive_of_start=False)
        if not batch:
            return
        yield from batch
        start = batch[-1].id


def _stored_leaves(engine: Engine, page: int = 20_000) -> Iterator[tuple[int, bytes]]:
    start = -1
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(leaves.c.idx, leaves.c.position, leaves.c.hash)
                .where(leaves.c.idx > start)
                .order_by(leaves.c.idx)
                .limit(page)
            ).all()
        if not rows:
            return
        for r in rows:
            yield int(r.position), bytes(r.hash)
        start = int(rows[-1].idx)


def verify(
    recorder: ApplicationRecorder, engine: Engine, public: Ed25519PublicKey, against: Checkpoint | None = None
) -> dict[str, Any]:
    """Recompute every leaf from the stored event rows; compare with the stored leaves and
    with the signed checkpoints (the latest, or ``against``, e.g. one saved earlier).

    ``first_bad_position`` is the log position where the recomputed log first departs from
    what was sealed (an edited, deleted or reordered event, or the start of a truncation).
    """
    with engine.connect() as conn:
        cps = [_cp(r) for r in conn.execute(select(checkpoints).order_by(checkpoints.c.size)).mappings()]
    target = against or (cps[-1] if cps else None)
    result: dict[str, Any] = {
        "ok": True,
        "size": target.size if target else 0,
        "first_bad_position": None,
        "checked": 0,
        "reason": None,
    }
    if target is not None and not target.signature_ok(public):
        result.update(ok=False, reason="the checkpoint's signature does not verify")
        return result
    wanted = {c.size: c for c in cps}
    if target is not None:
        wanted[target.size] = target
    frontier = Frontier()
    stored = _stored_leaves(engine)
    first_bad: int | None = None
    bad_checkpoint: Checkpoint | None = None
    last_good_size = 0
    events = _stored_events(recorder)
    while True:
        try:
            n = next(events, None)
        except Exception as e:  # noqa: BLE001 - a row the store cannot even read is tampering too
            result.update(ok=False, reason=f"a stored row cannot be read: {type(e).__name__}: {e}")
            first_bad = first_bad or next(stored, (None,))[0]
            break
        if n is None:
            break
        h = leaf_hash(entry_bytes(n.originator_id, n.originator_version, n.topic, n.state))
        s = next(stored, None)
        if s is None:
            break  # appended but not yet sealed: nothing to compare with
        if first_bad is None and (s[0] != n.id or s[1] != h):
            first_bad = s[0]
        frontier.append(h)
        cp = wanted.get(frontier.size)
        if cp is not None:
            if frontier.root() != cp.root:
                bad_checkpoint = bad_checkpoint or cp
            elif bad_checkpoint is None:
                last_good_size = frontier.size
    result["checked"] = frontier.size
    missing = next(stored, None)
    if missing is not None and first_bad is None:
        first_bad = missing[0]  # sealed events no longer in the log (deleted or truncated)
    if target is not None and frontier.size < target.size and bad_checkpoint is None:
        bad_checkpoint = target
    if first_bad is None and bad_checkpoint is not None:
        # The stored leaves were rewritten too: the first signed checkpoint that fails
        # brackets the damage; report the first position after the last good one.
        with engine.connect() as conn:
            first_bad = TreeReader(conn, 0).position_of(last_good_size)
    if first_bad is not None or bad_checkpoint is not None:
        result.update(ok=False, first_bad_position=first_bad, reason="the stored log departs from what was sealed")
    return result


# ------------------------------------------------------------------ proofs
def inclusion(conn: Connection, node_level: int, position: int, size: int) -> dict[str, Any]:
    reader = TreeReader(conn, node_level)
    idx = reader.index_of(position)
    if idx is None:
        raise LookupError(f"position {position} is not sealed")
    if not idx < size <= reader.size():
        raise ValueError(f"size must be greater than the leaf index {idx} and at most {reader.size()}")
    path = inclusion_path(idx, 0, size, reader.subtree)
    return {
        "position": position,
        "leaf_index": idx,
        "size": size,
        "leaf_hash": reader.leaf_range(idx, idx + 1)[0].hex(),
        "root": reader.root(size).hex(),
        "audit_path": [h.hex() for h in path],
    }


def consistency(conn: Connection, node_level: int, first: int, second: int) -> dict[str, Any]:
    reader = TreeReader(conn, node_level)
    if not 0 < first <= second <= reader.size():
        raise ValueError(f"need 0 < from <= to <= {reader.size()}")
    proof = consistency_proof(first, second, reader.subtree)
    return {
        "from": first,
        "to": second,
        "from_root": reader.root(first).hex(),
        "to_root": reader.root(second).hex(),
        "proof": [h.hex() for h in proof],
    }
