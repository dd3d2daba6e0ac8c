"""The Merkle tree against RFC 9162's recursive definitions, written out here from scratch."""

from __future__ import annotations

import hashlib

import pytest

from ledger import merkle

SIZES = range(1, 65)


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# The reference: RFC 9162 section 2.1.1, 2.1.3.1 and 2.1.4.1, word for word.
def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


ENTRIES = [_h(str(i).encode()) for i in range(max(SIZES))]


@pytest.fixture(scope="module")
def tree():
    """Every complete subtree of the 64 leaves, built one append at a time."""
    nodes: dict[tuple[int, int], bytes] = {}
    for i, entry in enumerate(ENTRIES):
        for level, index, value in merkle.new_nodes(
            i, merkle.leaf_hash(entry), lambda lv, ix: nodes[(lv, ix)]
        ):
            nodes[(level, index)] = value
    return lambda level, index: nodes[(level, index)]


@pytest.mark.parametrize("size", SIZES)
def test_incremental_root_matches_the_reference(tree, size):
    assert merkle.root(size, tree) == mth(ENTRIES[:size])


@pytest.mark.parametrize("size", [0, *SIZES])
def test_streamed_root_matches_the_reference(size):
    leaves = (merkle.leaf_hash(e) for e in ENTRIES[:size])
    assert merkle.root_of(leaves) == (size, mth(ENTRIES[:size]))


def test_empty_tree_root():
    assert merkle.root(0, lambda lv, ix: b"") == mth([])


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_verifies_and_fails_when_altered(tree, size):
    root = merkle.root(size, tree)
    for m in range(size):
        proof = merkle.inclusion_path(m, size, tree)
        assert proof == path(m, ENTRIES[:size])
        leaf = merkle.leaf_hash(ENTRIES[m])
        assert merkle.verify_inclusion(m, size, leaf, proof, root)
        flipped_leaf = bytes([leaf[0] ^ 1]) + leaf[1:]
        assert not merkle.verify_inclusion(m, size, flipped_leaf, proof, root)
        assert not merkle.verify_inclusion(m, size, leaf, proof, bytes([root[0] ^ 0x80]) + root[1:])
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = bad[i][:31] + bytes([bad[i][31] ^ 1])
            assert not merkle.verify_inclusion(m, size, leaf, bad, root)
        if size > 1:
            assert not merkle.verify_inclusion((m + 1) % size, size, leaf, proof, root)
        assert not merkle.verify_inclusion(m, size, leaf, [*proof, root], root)


@pytest.mark.parametrize("new", SIZES)
def test_every_consistency_proof_verifies_and_fails_when_altered(tree, new):
    new_root = merkle.root(new, tree)
    for old in range(1, new + 1):
        old_root = merkle.root(old, tree)
        proof = merkle.consistency_path(old, new, tree)
        assert proof == subproof(old, ENTRIES[:new], True)
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)
        flip = bytes([old_root[0] ^ 1]) + old_root[1:]
        assert not merkle.verify_consistency(old, new, flip, new_root, proof)
        assert not merkle.verify_consistency(old, new, old_root, flip, proof)
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = bytes([bad[i][0] ^ 0x40]) + bad[i][1:]
            assert not merkle.verify_consistency(old, new, old_root, new_root, bad)
        if old < new:
            # A proof from a later tree back to an earlier one (a truncated log) never verifies.
            assert not merkle.verify_consistency(new, old, new_root, old_root, proof)


def test_proofs_refuse_leaves_outside_the_tree(tree):
    with pytest.raises(ValueError):
        merkle.inclusion_path(8, 8, tree)
    with pytest.raises(ValueError):
        merkle.consistency_path(9, 8, tree)
