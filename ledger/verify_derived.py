"""The derived half of ``verify``: every derived table against its derivation from the ledger.

:func:`derived.first_difference` is the reference: it reads each table beside its derivation in
key order and names the first row that differs, but it hands every row of both to Python. Here
each reader table is first compared inside SQLite, with the same derivation SQL, in aggregate
queries that return one row each (the kept counts, a few rows each, as the reference compares
them); only when something differs does the reference run, to name the row. An aggregate query
runs in one ``sqlite3_step``, which releases the GIL, so the comparison can run in a thread
(:class:`Beside`) on its own read connection while the chain is checked on the other core.
"""

from __future__ import annotations

import sqlite3
import threading
from itertools import zip_longest
from pathlib import Path
from typing import Any

from ledger import derived, readers, rowformat, tree
from ledger.store import BUSY_TIMEOUT_MS


def _same(column: str) -> str:
    # Stricter than Python's ==, never looser: IS compares with affinity, typeof rules out a
    # text '5' meeting an integer 5. (1 and 1.0 fail here though Python calls them equal; the
    # reference then decides.)
    return f"(d.[{column}] IS k.[{column}] AND typeof(d.[{column}]) = typeof(k.[{column}]))"


def _table_matches(conn: sqlite3.Connection, table: str, spec: Any) -> bool:
    """Whether ``table`` holds exactly the rows its derivation gives, as a multiset.

    Two queries decide it. The join of each derived row with the kept rows of its key gives J
    join rows, M distinct kept rows among them, and whether any derived row found no kept row or
    one that differs; the kept side gives K rows and U distinct keys. With no such derived row
    and J = M = K = U: keys unique on the kept side leave each derived row exactly one kept row,
    equal to it; J = M makes that match one-to-one and M = K covers every kept row.
    """
    key, cols, derive, where = spec
    names = [c.strip() for c in cols.split(",")]
    with_chain = (
        f"WITH raw({cols}) AS ({derive}), chain AS (SELECT * FROM raw {where}), "
        f"kept AS (SELECT rowid AS _kept_row, {cols} FROM [{table}] {where}) "
    )
    on = " AND ".join(f"k.[{c}] = d.[{c}]" for c in key)
    same = " AND ".join(_same(c) for c in names)
    # LIMIT -1 keeps the derivation a co-routine: flattened into the join, each of its
    # correlated subqueries would run once for every column reference in the comparison.
    joined, bad, matched = conn.execute(
        f"{with_chain} SELECT count(*), count(*) FILTER (WHERE k.[{key[0]}] IS NULL "
        f"OR NOT ({same})), count(DISTINCT k._kept_row) "
        f"FROM (SELECT * FROM chain LIMIT -1) d LEFT JOIN kept k ON {on}"
    ).fetchone()
    if bad or joined != matched:
        return False
    keys = ", ".join(f"[{c}]" for c in key)
    # On the table itself: through the CTE the DISTINCT would not use the key's index.
    kept, unique = conn.execute(
        f"SELECT (SELECT count(*) FROM [{table}] {where}), "
        f"(SELECT count(*) FROM (SELECT DISTINCT {keys} FROM [{table}] {where}))"
    ).fetchone()
    return bool(kept == unique == matched)


def _rows_match(conn: sqlite3.Connection, table: str, spec: Any) -> bool:
    """The reference's own comparison of one table, for the kept counts: a few rows each, but
    derived by GROUP BY over whole reader tables, which the four numbers would run three times."""
    key, cols, derive, where = spec
    order = ", ".join(key)
    chain = conn.execute(
        f"WITH chain({cols}) AS ({derive}) SELECT * FROM chain {where} ORDER BY {order}"
    )
    kept = conn.execute(f"SELECT {cols} FROM [{table}] {where} ORDER BY {order}")
    return all(a == b for a, b in zip_longest(chain, kept))


def _matches(conn: sqlite3.Connection, tables: tuple[str, ...]) -> bool:
    """Whether each of these derived tables matches the ledger, decided inside SQLite."""
    specs, readers_tables = derived._derivations(), readers.derivations()
    try:
        return all(
            (_table_matches if table in readers_tables else _rows_match)(conn, table, specs[table])
            for table in tables
        )
    except sqlite3.DatabaseError:
        return False  # the reference names the table that cannot be read


# Every kept table is compared beside the chain (aggregate queries: SQLite work off the GIL);
# the search index after the chain, on its own connection, while they may still be compared
# (its rows go through Python, which would hold the GIL against the chain pass).
KEPT = tuple(derived._derivations())


def tables_difference(conn: sqlite3.Connection, beside: Beside | None = None) -> str | None:
    """None when every derived table matches the ledger (decided inside SQLite); else what
    :func:`derived.first_difference` says. ``beside``: the kept tables' comparison already
    running beside (waited for here, or stopped if anything here fails)."""
    try:
        searched = derived.search_difference(conn)
        if beside is None:
            same = _matches(conn, KEPT)
        else:
            same, beside = beside.result(), None
    finally:
        if beside is not None:
            beside.cancel()
    if not same:
        return derived.first_difference(conn)
    # Matching tables with a lagging watermark would be counted twice by the next write.
    return searched or derived.lag(conn)


def difference(conn: sqlite3.Connection) -> str | None:
    """What :func:`derived.first_difference` says: the tables first, then the stored tree."""
    return tables_difference(conn) or tree.difference(conn)


def _snapshot(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """What two read transactions must both see to be reading the same state: the schema and
    the last entry (the ledger only grows, and derived state changes with it or the schema)."""
    schema = conn.execute("PRAGMA schema_version").fetchone()
    last = conn.execute(
        f"SELECT seq, tbl, row_id FROM {rowformat.ENTRIES} ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (*schema, last)


class Beside:
    """The kept tables' comparison in a thread, on its own read connection, in the same
    snapshot as the caller's read transaction (:meth:`start` returns None when it cannot be
    had). The stored tree and the search index are left to the caller: their Python work would
    hold the GIL against the chain pass."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.outcome: tuple[bool, BaseException | None] = (False, None)
        self.thread = threading.Thread(target=self._run, name="verify-derived", daemon=True)

    @classmethod
    def start(cls, path: str, main: sqlite3.Connection) -> Beside | None:
        """Open ``path`` again and start checking, if the new connection reads the snapshot
        ``main`` (already in its read transaction) reads; else None: check in sequence."""
        if not path or path == ":memory:" or not Path(path).is_file():
            return None
        try:
            conn = sqlite3.connect(
                f"{Path(path).resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
        except sqlite3.Error:
            return None
        try:
            conn.isolation_level = None
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("BEGIN")
            # A writer may commit between the two first reads; then the two disagree.
            if _snapshot(conn) != _snapshot(main):
                conn.close()
                return None
        except sqlite3.Error:
            conn.close()
            return None
        side = cls(conn)
        side.thread.start()
        return side

    def _run(self) -> None:
        try:
            self.outcome = (_matches(self.conn, KEPT), None)
        except BaseException as e:  # handed to the caller's thread by result()
            self.outcome = (False, e)

    def result(self) -> bool:
        """Wait for the check; whether the kept tables match the ledger."""
        self.thread.join()
        self.conn.close()
        found, error = self.outcome
        if error is not None:
            raise error
        return found

    def cancel(self) -> None:
        """Stop the check (the chain already failed) and close its connection."""
        self.conn.interrupt()
        self.thread.join()
        self.conn.close()
