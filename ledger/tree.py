"""The ledger's Merkle tree as stored state: complete subtrees in ``merkle_nodes``.

Derived from ``ledger_entries`` like the search index: caught up when a checkpoint or a proof
needs it, rebuilt with everything else derived, and checked against the chain by ``verify``.
"""

from __future__ import annotations

import sqlite3

from ledger import merkle
from ledger.errors import IntegrityError

NODES = "merkle_nodes"
FIX = "run 'factledger rebuild'"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {NODES} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
    "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID"
)


def node_reader(
    conn: sqlite3.Connection, fresh: dict[tuple[int, int], bytes] | None = None
) -> merkle.Node:
    """Read stored subtrees (``fresh`` first: those computed but not yet written)."""

    def node(level: int, index: int) -> bytes:
        if fresh is not None and (level, index) in fresh:
            return fresh[(level, index)]
        row = conn.execute(
            f"SELECT hash FROM {NODES} WHERE level = ? AND idx = ?", [level, index]
        ).fetchone()
        if row is None:
            raise IntegrityError(
                f"{NODES} lacks subtree ({level}, {index}): run 'factledger rebuild'"
            )
        return bytes(row[0])

    return node


def size(conn: sqlite3.Connection) -> int:
    """How many leaves the stored tree has."""
    row = conn.execute(f"SELECT max(idx) FROM {NODES} WHERE level = 0").fetchone()
    return 0 if row is None or row[0] is None else int(row[0]) + 1


def catch_up(conn: sqlite3.Connection) -> int:
    """Add the entries appended since the tree was last caught up; returns the tree size.

    The caller holds the write transaction. A database whose derived state is not installed yet
    (mid-migration) has no tree to keep: nothing to do.
    """
    try:
        n = size(conn)
    except sqlite3.OperationalError:
        return 0
    fresh: dict[tuple[int, int], bytes] = {}
    node = node_reader(conn, fresh)
    rows: list[tuple[int, int, bytes]] = []
    cur = conn.execute("SELECT seq, hash FROM ledger_entries WHERE seq > ? ORDER BY seq", [n])
    for seq, entry_hash in cur:
        if seq != n + 1:
            raise IntegrityError(f"ledger_entries: seq {n + 1} is missing")
        for level, index, value in merkle.new_nodes(
            n, merkle.leaf_hash(bytes.fromhex(entry_hash)), node
        ):
            fresh[(level, index)] = value
            rows.append((level, index, value))
        n += 1
        if len(fresh) > 4096:
            # Only the right edge is read again; keep it, write the rest.
            conn.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)", rows)
            rows.clear()
            fresh = {k: v for k, v in fresh.items() if k[1] >= (n >> k[0]) - 1}
            node = node_reader(conn, fresh)
    conn.executemany(f"INSERT INTO {NODES} (level, idx, hash) VALUES (?, ?, ?)", rows)
    return n


def recomputed_root(conn: sqlite3.Connection, tree_size: int | None = None) -> tuple[int, bytes]:
    """(size, root) recomputed from the chain's entry hashes, trusting no stored node."""
    limit = -1 if tree_size is None else tree_size
    cur = conn.execute("SELECT hash FROM ledger_entries ORDER BY seq LIMIT ?", [limit])
    return merkle.root_of(merkle.leaf_hash(bytes.fromhex(h)) for (h,) in cur)


def difference(conn: sqlite3.Connection) -> str | None:
    """One line if the stored tree disagrees with the chain it is derived from, else None."""
    n = size(conn)
    try:
        same = not n or merkle.root(n, node_reader(conn)) == recomputed_root(conn, n)[1]
    except (IntegrityError, ValueError, TypeError):
        same = False
    return None if same else f"{NODES}: the stored tree differs from the ledger; {FIX}"


def check_nodes(conn: sqlite3.Connection) -> None:
    """Raise IntegrityError if the stored tree disagrees with the chain it is derived from."""
    problem = difference(conn)
    if problem:
        raise IntegrityError(problem)
