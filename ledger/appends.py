"""The rows a transaction appends, buffered and written together at each flush.

Each table's rows go in with one executemany, which costs about half as much a row as one
execute each; then their rows in the ``ledger_entries`` spine, together (a trigger a row cost
more than the row's own insert, docs/performance.md); then their hashes into the Merkle tree,
from memory rather than read back from the rows. A flush of many rows lifts the insert guards of
the tables it writes first (:mod:`ledger.guards`); the Ledger puts them back before it commits.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ledger import guards, rowformat, tree

SPINE_INSERT = f"INSERT INTO {rowformat.ENTRIES} (seq, tbl, row_id) VALUES (?, ?, ?)"
FLUSH_ROWS = 5000  # bounds the memory that buffered appends take in a long transaction


class Appends:
    """One transaction's buffered appends. :meth:`clear` at its start and end."""

    __slots__ = ("rows", "ids", "entries", "hashes", "lifted", "_sql")

    def __init__(self) -> None:
        self._sql: dict[str, str] = {}
        self.rows: dict[str, list[tuple[Any, ...]]] = {}  # by table, in append order
        self.ids: set[tuple[str, str]] = set()  # (table, id) of every buffered row
        self.entries: list[tuple[int, str, str]] = []  # their spine rows: seq, table, id
        self.hashes: list[str] = []  # their hashes, in seq order
        self.lifted: dict[str, str] = {}  # insert guards a flush dropped: name, SQL

    def clear(self) -> None:
        """Forget everything buffered (a commit wrote it, or a rollback undid it)."""
        self.rows.clear()
        self.ids.clear()
        self.entries = []
        self.hashes = []
        self.lifted.clear()

    def add(self, table: str, values: tuple[Any, ...], seq: int, row_id: Any, digest: str) -> bool:
        """Buffer one chained row (``values`` as stored); returns whether a flush is due."""
        rows = self.rows.get(table)
        if rows is None:
            rows = self.rows[table] = []
        rows.append(values)
        self.entries.append((seq, table, row_id))
        self.hashes.append(digest)
        if row_id is not None:
            self.ids.add((table, row_id))
        return len(self.ids) >= FLUSH_ROWS

    def flush(self, conn: sqlite3.Connection) -> bool:
        """Write everything buffered inside the caller's transaction; returns whether any row
        was written."""
        if not self.entries:
            return False
        if len(self.entries) >= guards.LIFT_ROWS:
            guards.lift(conn, [*self.rows, rowformat.ENTRIES], self.lifted)
        # In ledger order (sources before claims before stances ...), so seq order too.
        for table in [t for t in rowformat.TABLES if t in self.rows]:
            conn.executemany(self._insert(table), self.rows[table])
        # SPINE_INSERT is read here, not bound at import: a test of an older schema replaces it.
        conn.executemany(SPINE_INSERT, self.entries)
        tree.catch_up(conn, (self.entries[0][0], self.hashes))
        self.rows.clear()
        self.ids.clear()
        self.entries = []
        self.hashes = []
        return True

    def _insert(self, table: str) -> str:
        sql = self._sql.get(table)
        if sql is None:
            cols = rowformat.columns(table)
            sql = self._sql[table] = "INSERT INTO [{}] ({}) VALUES ({})".format(
                table, ", ".join(f"[{c}]" for c in cols), ", ".join("?" for _ in cols)
            )
        return sql
