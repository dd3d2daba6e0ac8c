"""The chain's entries in ``seq`` order, with their hashes, read from the ledger rows themselves.

Since m010 the ``ledger_entries`` spine holds only ``seq``, ``tbl`` and ``row_id``: it orders the
entries across tables and its primary key refuses a second entry at one position (a fork). Each
entry's ``prev_hash`` and ``hash`` are read from its own row, the one they are hashed in, by a
merge of every ledger table's ``seq`` index (SQLite merges a compound SELECT ordered by ``seq``
without sorting). This works on a spine from before m010 too (a ledger ``verify`` reads without
upgrading it), and skips ledger tables a not yet upgraded ledger does not have.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from ledger import rowformat
from ledger.errors import IntegrityError
from ledger.hashing import GENESIS

ENTRIES = rowformat.ENTRIES


def tables(conn: sqlite3.Connection) -> list[str]:
    """The ledger tables this database holds, in the contract's order."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in rowformat.TABLES if t in present]


SHORT = 64  # a range this short reads only the tables the spine names for it


def _merged(
    conn: sqlite3.Connection, cols: str, where: str, order: str, names: list[str] | None = None
) -> str:
    arms = [
        f"SELECT seq, {cols.format(t=t)} FROM [{t}] WHERE {where}" for t in names or tables(conn)
    ]
    return " UNION ALL ".join(arms) + f" ORDER BY seq {order}"


def hashes(conn: sqlite3.Connection, after: int = 0, limit: int = -1) -> Iterator[str]:
    """The hashes of the entries after the first ``after``, in order (``limit`` of them).

    A short range (a proof's small subtrees) reads only the tables its spine rows name: one or
    two index seeks instead of one into every table. A spine row naming the wrong table then
    leaves its leaf out, which the tree reports as missing entries."""
    names = None
    if 0 <= limit <= SHORT:
        named = conn.execute(
            f"SELECT DISTINCT tbl FROM {ENTRIES} WHERE seq > ? AND seq <= ?", [after, after + limit]
        )
        names = [t for (t,) in named if t in rowformat.TABLES]
        if not names:
            return
    sql = _merged(conn, "hash", "seq > :after AND seq <= :last", "", names)
    last = after + limit if limit >= 0 else 1 << 62
    for _, h in conn.execute(sql, {"after": after, "last": last}):
        yield h


def entries(
    conn: sqlite3.Connection, after: int = 0, *, newest_first: bool = False, limit: int = -1
) -> list[dict[str, Any]]:
    """Entries after the first ``after`` as dicts (seq, table, row_id, prev_hash, hash)."""
    cols = "'{t}', id, prev_hash, hash"
    sql = _merged(conn, cols, "seq > :after", ("DESC " if newest_first else "") + "LIMIT :limit")
    keys = ("seq", "table", "row_id", "prev_hash", "hash")
    rows = conn.execute(sql, {"after": after, "limit": limit})
    return [dict(zip(keys, r, strict=True)) for r in rows]


def hash_at(conn: sqlite3.Connection, seq: int) -> str | None:
    """The hash of entry ``seq`` (found through the spine), or None if there is no such entry."""
    row = conn.execute(f"SELECT tbl FROM {ENTRIES} WHERE seq = ?", [seq]).fetchone()
    if row is None or row[0] not in rowformat.TABLES:
        return None
    found = conn.execute(f"SELECT hash FROM [{row[0]}] WHERE seq = ?", [seq]).fetchone()
    return None if found is None else str(found[0])


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(count, hash) of the last entry; (0, GENESIS) for an empty ledger. Raises IntegrityError
    if the spine's last entry has no row (nothing may be chained onto a hash we cannot read)."""
    row = conn.execute(f"SELECT seq, tbl, row_id FROM {ENTRIES} ORDER BY seq DESC LIMIT 1")
    last = row.fetchone()
    if last is None:
        return 0, GENESIS
    digest = hash_at(conn, last[0])
    if digest is None:
        raise IntegrityError(
            f"seq {last[0]} ({last[1]} {last[2]}): listed in {ENTRIES} but missing from "
            f"{last[1]} (deleted); run 'factledger verify'"
        )
    return int(last[0]), digest
