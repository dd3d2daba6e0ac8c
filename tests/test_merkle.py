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


def test_the_stored_tree_gives_the_reference_roots_and_proofs():
    """The tree kept in SQLite (subtrees of 16+ leaves stored, smaller ones hashed from their
    entries), caught up at uneven moments, against the reference, for sizes 1..100."""
    import random
    import sqlite3

    from ledger import tree

    conn = sqlite3.connect(":memory:")
    # The tree reads each entry's hash from its ledger row (one table is enough here), short
    # ranges from the tables the spine names.
    conn.execute("CREATE TABLE claims (id TEXT, seq INTEGER UNIQUE, hash TEXT)")
    conn.execute("CREATE TABLE ledger_entries (seq INTEGER PRIMARY KEY, tbl TEXT, row_id TEXT)")
    conn.execute(tree.CREATE)
    entries = [_h(f"e{i}".encode()) for i in range(100)]
    rng = random.Random(7)
    for size in range(1, 101):
        conn.execute(
            "INSERT INTO claims VALUES (?, ?, ?)", [f"c{size}", size, entries[size - 1].hex()]
        )
        conn.execute("INSERT INTO ledger_entries VALUES (?, 'claims', ?)", [size, f"c{size}"])
        if rng.random() < 0.3:
            tree.catch_up(conn)
        node = tree.node_reader(conn)
        assert merkle.root(size, node) == mth(entries[:size]), size
        m = rng.randrange(size)
        assert merkle.inclusion_path(m, size, node) == path(m, entries[:size])
        old = rng.randrange(1, size + 1)
        assert merkle.consistency_path(old, size, node) == subproof(old, entries[:size], True)
    tree.catch_up(conn)
    assert tree.covered(conn) == 96 and tree.difference(conn) is None
    conn.execute("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 5 AND idx = 0")
    assert tree.difference(conn) == (
        "merkle_nodes: the stored tree differs from the ledger; run 'factledger rebuild'"
    )
