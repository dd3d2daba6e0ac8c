"""The ledger's Merkle tree as stored state: its complete subtrees in ``merkle_nodes``.

Derived from the entries' hashes (read from their rows, :mod:`ledger.spine`) like the search
index: kept in the same transaction as the entries (:func:`catch_up`), rebuilt with everything
else derived, and checked against the chain by ``verify``. Only subtrees of 16 leaves or more
are stored: a smaller one is hashed again from its entries when a proof needs it (at most 16
hashes read in one merged range query), so an append adds one row for every 16 entries instead
of two for each, and a proof still reads O(log n) rows.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
from collections.abc import Iterator

from ledger import merkle, spine
from ledger.errors import IntegrityError

NODES = "merkle_nodes"
FIX = "run 'factledger rebuild'"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {NODES} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID"
)
LOW = 4  # the smallest stored subtree has 2**LOW leaves
BLOCK = 1 << LOW
INSERT = f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)"
PROBLEM = f"{NODES}: the stored tree differs from the ledger; {FIX}"


_sha256 = hashlib.sha256


def block_root(entry_hashes: list[str]) -> bytes:
    """The root of the perfect subtree over a block of entries (their hashes, hex; a power of
    two of them): RFC 9162's leaf and node hashes written out, because it runs for every entry
    on each append and each verify."""
    level = [_sha256(b"\x00" + bytes.fromhex(h)).digest() for h in entry_hashes]
    while len(level) > 1:
        pairs = zip(level[0::2], level[1::2], strict=True)
        level = [_sha256(b"\x01" + left + right).digest() for left, right in pairs]
    return level[0]


def node_reader(
    conn: sqlite3.Connection, fresh: dict[tuple[int, int], bytes] | None = None
) -> merkle.Node:
    """Read a complete subtree's hash: small ones from their entries, larger ones as stored
    (``fresh`` first: computed but not yet written), or from their halves if not stored yet."""

    def node(level: int, index: int) -> bytes:
        if level < LOW:
            hashes = list(spine.hashes(conn, index << level, 1 << level))
            if len(hashes) != 1 << level:
                raise IntegrityError(f"ledger_entries: entries {index << level}+ are missing")
            return block_root(hashes)
        if fresh is not None and (level, index) in fresh:
            return fresh[(level, index)]
        row = conn.execute(
            f"SELECT hash FROM {NODES} WHERE level = ? AND idx = ?", [level, index]
        ).fetchone()
        if row is None:  # the stored tree lags (a ledger written without it): derive it
            return merkle.node_hash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1))
        return bytes(row[0])

    return node


def covered(conn: sqlite3.Connection) -> int:
    """How many leaves the stored subtrees cover (a multiple of 16)."""
    row = conn.execute(f"SELECT max(idx) FROM {NODES} WHERE level = ?", [LOW]).fetchone()
    return 0 if row is None or row[0] is None else (int(row[0]) + 1) << LOW


def _new_nodes(
    hashes: Iterator[str], n: int, node: merkle.Node, fresh: dict[tuple[int, int], bytes]
) -> Iterator[tuple[int, int, bytes]]:
    """The subtrees entries after the first ``n`` complete, in order; each also kept in
    ``fresh``, which ``node`` reads first."""
    block: list[str] = []
    for entry_hash in hashes:
        block.append(entry_hash)
        if len(block) < BLOCK:
            continue
        level, index, value = LOW, n >> LOW, block_root(block)
        fresh[(level, index)] = value
        yield level, index, value
        while index & 1:
            value = merkle.node_hash(node(level, index - 1), value)
            level, index = level + 1, index >> 1
            fresh[(level, index)] = value
            yield level, index, value
        n += BLOCK
        block = []


def catch_up(conn: sqlite3.Connection, written: tuple[int, list[str]] | None = None) -> int:
    """Store the subtrees that entries appended since the last call complete; returns how many
    leaves are covered. The caller holds the write transaction. ``written``: (the first seq,
    the hashes) of the last entries, just written by the caller, so they need not be read back.
    A database whose derived state is not installed yet (mid-migration) has no tree to keep.
    """
    try:
        n = covered(conn)
    except sqlite3.OperationalError:
        return 0
    hashes: Iterator[str] = spine.hashes(conn, n)
    if written is not None and written[0] > n:
        first, mine = written
        hashes = itertools.chain(spine.hashes(conn, n, first - 1 - n), mine)
    fresh: dict[tuple[int, int], bytes] = {}
    rows: list[tuple[int, int, bytes]] = []
    for row in _new_nodes(hashes, n, node_reader(conn, fresh), fresh):
        rows.append(row)
        if len(rows) >= 4096:
            conn.executemany(INSERT, rows)
            rows.clear()
            # Only the right edge is read again; the rest is written and can go.
            n = (row[1] + 1) << row[0]
            for key in [k for k in fresh if k[1] < (n >> k[0]) - 1]:
                del fresh[key]
    conn.executemany(INSERT, rows)
    return covered(conn)


def recomputed_root(conn: sqlite3.Connection, tree_size: int | None = None) -> tuple[int, bytes]:
    """(size, root) recomputed from the chain's entry hashes, trusting no stored node."""
    limit = -1 if tree_size is None else tree_size
    return merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for h in spine.hashes(conn, 0, limit))


def difference(conn: sqlite3.Connection) -> str | None:
    """One line if a stored subtree is not what the chain gives, or one is missing; else None.

    Every stored subtree is derived again from the entries' hashes, in one pass, and compared
    with the stored ones in the order they complete (then by level), so only the right edge of
    the tree is held in memory however long the ledger is."""
    check = Check(conn)
    try:
        for entry_hash in spine.hashes(conn, 0, max(check.n, 0)):
            check.add(entry_hash)
    except (IntegrityError, sqlite3.DatabaseError):
        return PROBLEM
    return check.result()


class Check:
    """The stored tree's check, fed one entry hash at a time, in order: by :func:`difference`,
    or by a pass that reads them anyway (verify's chain pass)."""

    def __init__(self, conn: sqlite3.Connection):
        self.problem: str | None = None
        self.n = self.done = 0
        self.block: list[str] = []
        self.edge: dict[tuple[int, int], bytes] = {}
        self.stored: Iterator[tuple[int, int, bytes]] = iter(())
        try:
            self.n = covered(conn)
            self.stored = iter(
                conn.execute(
                    f"SELECT level, idx, hash FROM {NODES} ORDER BY (idx + 1) << level, level"
                )
            )
        except sqlite3.OperationalError:
            self.n = -1  # not installed yet (a ledger from before it): nothing to check
        except sqlite3.DatabaseError:
            self.problem = PROBLEM

    def add(self, entry_hash: str) -> None:
        """Take the next entry's hash."""
        if self.done >= self.n or self.problem is not None:
            return
        self.block.append(entry_hash)
        if len(self.block) < BLOCK:
            return
        try:
            level, index, value = LOW, self.done >> LOW, block_root(self.block)
            self._compare(level, index, value)
            while index & 1:
                value = merkle.node_hash(self.edge[(level, index - 1)], value)
                level, index = level + 1, index >> 1
                self._compare(level, index, value)
        except (ValueError, TypeError, KeyError, sqlite3.DatabaseError):
            self.problem = PROBLEM
        self.done += BLOCK
        self.block = []

    def _compare(self, level: int, index: int, value: bytes) -> None:
        self.edge[(level, index)] = value
        theirs = next(self.stored, None)
        if theirs is None or (level, index, value) != (theirs[0], theirs[1], bytes(theirs[2])):
            raise KeyError(level, index)
        # A node is read once more, as the left sibling of the next at its level.
        self.edge.pop((level, index - 2), None)

    def result(self) -> str | None:
        """One line if a stored subtree is not what the hashes given make, or is missing."""
        if self.n < 0:
            return None
        if self.problem is None and self.done < self.n:
            self.problem = PROBLEM
        if self.problem is None:
            try:
                extra = next(self.stored, None) is not None
            except sqlite3.DatabaseError:
                extra = True
            if extra:
                self.problem = PROBLEM
        return self.problem


def check_nodes(conn: sqlite3.Connection) -> None:
    """Raise IntegrityError if the stored tree disagrees with the chain it is derived from."""
    problem = difference(conn)
    if problem:
        raise IntegrityError(problem)
