"""The insert guards a bulk write lifts inside its own write transaction, and puts back.

Every ledger table and the spine carry a BEFORE INSERT trigger that refuses a row whose id or seq
is already taken (``INSERT OR REPLACE`` would otherwise swap a row: REPLACE deletes without
firing the DELETE trigger). Any per-row trigger costs each insert a trigger program, more than
the insert of one of these narrow rows itself (docs/performance.md). The Ledger's own rows need
no such check: it writes with plain INSERT, never OR REPLACE, ids it checked free and seqs after
the head; the primary keys, unique indexes and the spine's primary key refuse a clash anyway.

So a flush of many rows drops the insert guards of the tables it writes and creates them again,
from the SQL SQLite stored for them, before its transaction commits. No one can see or use the
ledger without them meanwhile: other connections read only committed states, and every other
writer (the ``sqlite3`` shell included) waits for the write lock this transaction holds. A
rollback, or a process killed before COMMIT, leaves them as they were.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

LIFT_ROWS = 1000  # a flush this large lifts the guards; a review decision's few rows keep them
SUFFIX = "_no_replace"


def lift(conn: sqlite3.Connection, tables: Iterable[str], lifted: dict[str, str]) -> None:
    """Drop the insert guard of each of ``tables``, recording its SQL in ``lifted`` (name: SQL)
    for :func:`restore`. The caller holds the write transaction."""
    for table in tables:
        name = table + SUFFIX
        if name in lifted:
            continue
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]
        ).fetchone()
        if row is None:
            continue  # a ledger older than its guards (mid-upgrade): nothing to put back
        lifted[name] = row[0]
        conn.execute(f"DROP TRIGGER [{name}]")


def restore(conn: sqlite3.Connection, lifted: dict[str, str]) -> None:
    """Create again every guard :func:`lift` dropped, exactly as it was stored."""
    for sql in lifted.values():
        conn.execute(sql)
    lifted.clear()
