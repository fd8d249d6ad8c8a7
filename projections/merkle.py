"""RFC 6962 Merkle tree hashing (section 2.1), with the tree built incrementally.

leaf hash = SHA-256(0x00 ‖ entry); node hash = SHA-256(0x01 ‖ left ‖ right); the tree over
n leaves splits at k, the largest power of two smaller than n. A log entry is one stored
event: its originator id, version, topic and stored state bytes, each length-prefixed so the
encoding is unambiguous.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256
from uuid import UUID

EMPTY_ROOT = sha256(b"").digest()


def entry_bytes(originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    oid = originator_id.bytes if isinstance(originator_id, UUID) else str(originator_id).encode()
    # An intruder may even change a column's type (SQLite turns blob || text into text):
    # hash whatever is there, so verification reports it instead of failing.
    data = state.encode() if isinstance(state, str) else bytes(state)
    parts = (oid, str(version).encode(), str(topic).encode(), data)
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """k: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The right edge of the tree: the roots of its perfect subtrees, largest first."""

    def __init__(self, nodes: list[tuple[int, bytes]] | None = None, size: int = 0) -> None:
        self.nodes: list[tuple[int, bytes]] = nodes or []  # (level, hash)
        self.size = size

    def append(self, leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        """Add a leaf; ``on_node(level, index, hash)`` hears of each perfect subtree completed."""
        level, h = 0, leaf
        index = self.size
        nodes = self.nodes
        while nodes and nodes[-1][0] == level:
            _, left = nodes.pop()
            h = node_hash(left, h)
            level += 1
            index >>= 1
            if on_node is not None:
                on_node(level, index, h)
        nodes.append((level, h))
        self.size += 1

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        h = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            h = node_hash(left, h)
        return h


def decompose(n: int) -> list[tuple[int, int]]:
    """The perfect subtrees [start, start + 2**level) that make up the right edge of n leaves."""
    out = []
    start = 0
    for level in range(n.bit_length() - 1, -1, -1):
        if n & (1 << level):
            out.append((start, level))
            start += 1 << level
    return out


Subtree = Callable[[int, int], bytes]


def inclusion_path(m: int, a: int, b: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 2.1.1 PATH(m, D[a:b]): the audit path of leaf m (relative to a)."""
    n = b - a
    if n <= 1:
        return []
    k = split(n)
    if m < k:
        return inclusion_path(m, a, a + k, subtree) + [subtree(a + k, b)]
    return inclusion_path(m - k, a + k, b, subtree) + [subtree(a, a + k)]


def consistency_proof(m: int, n: int, subtree: Subtree) -> list[bytes]:
    """RFC 6962 2.1.2 PROOF(m, D[n])."""
    if not 0 < m <= n:
        raise ValueError("consistency needs 0 < from <= to")
    return _subproof(m, 0, n, True, subtree)


def _subproof(m: int, a: int, b: int, complete: bool, subtree: Subtree) -> list[bytes]:
    n = b - a
    if m == n:
        return [] if complete else [subtree(a, b)]
    k = split(n)
    if m <= k:
        return _subproof(m, a, a + k, complete, subtree) + [subtree(a + k, b)]
    return _subproof(m - k, a + k, b, False, subtree) + [subtree(a, a + k)]
