"""The ledger's Merkle tree, as RFC 9162 (Certificate Transparency v2) section 2.1 defines it.

Leaves are the ledger entries' 32-byte hashes in ``seq`` order: leaf = SHA-256(0x00 || hash),
node = SHA-256(0x01 || left || right). The tree is kept as its complete, aligned subtrees
(``level``, ``index``): the subtree of 2**level leaves starting at leaf index * 2**level. A new
leaf adds at most log2(n) of them, and any RFC subtree hash, inclusion path or consistency proof
reads O(log n) of them, so proofs stay cheap at any size.

No library fits: the CT libraries on PyPI either verify only (no incremental tree over our own
storage) or pull in a whole log server. The algorithms here are short and are tested against a
from-scratch reference implementation of the RFC's recursive definitions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

Node = Callable[[int, int], bytes]  # (level, index) -> the stored hash of that complete subtree


def leaf_hash(entry_hash: bytes) -> bytes:
    """RFC 9162 leaf hash of one ledger entry's 32-byte hash."""
    return hashlib.sha256(b"\x00" + entry_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def new_nodes(size: int, leaf: bytes, node: Node) -> list[tuple[int, int, bytes]]:
    """The complete subtrees that appending ``leaf`` (as leaf number ``size``) completes.

    ``node`` reads the subtrees already stored; the result is (level, index, hash) rows to store.
    """
    rows = [(0, size, leaf)]
    level, index, current = 0, size, leaf
    while index & 1:
        current = node_hash(node(level, index - 1), current)
        level, index = level + 1, index >> 1
        rows.append((level, index, current))
    return rows


def subtree(start: int, end: int, node: Node) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces (``start`` aligned)."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return node(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(subtree(start, start + k, node), subtree(start + k, end, node))


def root(size: int, node: Node) -> bytes:
    """The root hash of the first ``size`` leaves."""
    return subtree(0, size, node)


def root_of(leaves: Iterable[bytes]) -> tuple[int, bytes]:
    """(size, root) of a stream of leaf hashes, in O(log n) memory: recomputed from scratch."""
    stack: list[tuple[int, bytes]] = []  # perfect subtrees, largest first: (leaves, hash)
    n = 0
    for leaf in leaves:
        n += 1
        size, current = 1, leaf
        while stack and stack[-1][0] == size:
            current = node_hash(stack.pop()[1], current)
            size *= 2
        stack.append((size, current))
    if not stack:
        return 0, EMPTY_ROOT
    current = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        current = node_hash(left, current)
    return n, current


def inclusion_path(index: int, size: int, node: Node) -> list[bytes]:
    """RFC 9162 PATH(index, D[size]): the audit path of leaf ``index``, leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            path.append(subtree(start + k, end, node))
            end = start + k
        else:
            path.append(subtree(start, start + k, node))
            start, m = start + k, m - k
    path.reverse()
    return path


def consistency_path(old: int, new: int, node: Node) -> list[bytes]:
    """RFC 9162 PROOF(old, D[new]): shows the tree of ``new`` leaves extends that of ``old``."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from {old} to {new} leaves")
    proof: list[bytes] = []
    start, end, m, complete = 0, new, old, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree(start + k, end, node))
            end = start + k
        else:
            proof.append(subtree(start, start + k, node))
            start, m, complete = start + k, m - k, False
    if not complete:
        proof.append(subtree(start, end, node))
    proof.reverse()
    return proof


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``path`` prove ``leaf`` is leaf ``index`` of the tree ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Iterable[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``proof`` show the tree ``new_root`` extends ``old_root``?"""
    path = list(proof)
    if not 0 < old <= new:
        return False
    if old == new:
        return not path and old_root == new_root
    if not path:
        return False
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
