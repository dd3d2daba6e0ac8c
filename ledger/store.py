"""The Ledger: open the database, append chained rows in one transaction, read them back.

Every write is one ``BEGIN IMMEDIATE`` transaction with a busy timeout, so two writers queue for
the lock instead of failing with "database is locked" half-way through (a deferred ``BEGIN``
upgrades to a write lock too late and loses writes under contention).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlite_utils import Database

from ledger import catchup, chaining, derived, guards, migrations, spine, tree, walindex
from ledger.appends import Appends
from ledger.errors import InputError, LedgerError
from ledger.locking import begin_immediate

BUSY_TIMEOUT_MS = 10_000
DEFAULT_DB = "ledger.db"
CACHE_KIB = 64 * 1024


@dataclass(frozen=True)
class Head:
    """The chain head: how many entries there are and the hash of the last one."""

    count: int
    hash: str

    def __str__(self) -> str:
        return f"{self.count} entries, head {self.hash}"


def utc_now() -> str:
    """Current UTC time as ISO 8601 with microseconds and a Z."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_db_path() -> str:
    """``FACTLEDGER_DB`` or ``./ledger.db``."""
    return os.environ.get("FACTLEDGER_DB") or DEFAULT_DB


class _Transaction:
    """:meth:`Ledger.transaction`: the outermost one opens and commits; an inner one joins it
    (library functions compose), for two method calls rather than a generator's several."""

    __slots__ = ("_ledger", "_outer")

    def __init__(self, ledger: Ledger):
        self._ledger = ledger
        self._outer: AbstractContextManager[Ledger] | None = None

    def __enter__(self) -> Ledger:
        ledger = self._ledger
        if ledger._depth:
            ledger._depth += 1
            return ledger
        self._outer = ledger._outermost()
        return self._outer.__enter__()

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        if self._outer is None:
            self._ledger._depth -= 1
            return None
        return self._outer.__exit__(typ, exc, tb)


class Ledger:
    """An open ledger database. Use :meth:`transaction` for every write."""

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False):
        self.path = str(path)
        if not create and not Path(self.path).exists():
            raise InputError(
                f"no ledger at {self.path}: run 'factledger ingest' first or pass --db PATH"
            )
        if readonly:
            conn = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
            )
        else:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        # Autocommit at the driver level: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Indexes on ids and reader columns take random keys; a 64 MiB page cache keeps bulk
        # appends from thrashing once the ledger outgrows SQLite's 2 MiB default.
        if not readonly:
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.db = Database(conn)
        self.conn = conn
        self._tip: tuple[int, str] | None = None  # the head once this transaction appends
        self._appends = Appends()
        self._depth = 0
        self._now = ""
        self._underived = False  # rows flushed in this transaction that derived state lacks
        self._free: dict[str, set[str]] = {}  # IDs checked free in this transaction, by table
        self._batch: dict[str, int] = {}  # how many the last check of each table made
        if not readonly:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            if (
                migrations.migrations.pending(self.db)
                or derived.installed_version(conn) != derived.VERSION
            ):
                with self.transaction():
                    # Re-checked under the write lock: another process may have migrated.
                    migrations.apply(self.db)
                    derived.install(self.db)

    @classmethod
    def reading(cls, conn: sqlite3.Connection, path: str = "") -> Ledger:
        """A read-only Ledger over a connection someone else opened (e.g. Datasette's)."""
        ledger = cls.__new__(cls)
        ledger.path, ledger.conn, ledger.db = path, conn, Database(conn)
        ledger._tip, ledger._depth, ledger._now, ledger._appends = None, 0, "", Appends()
        ledger._underived, ledger._free, ledger._batch = False, {}, {}
        return ledger

    def rebuild_derived(self) -> None:
        """Drop and rebuild every derived table, count and search index from the ledger."""
        with self.transaction():
            migrations.apply(self.db)
            derived.install(self.db, force=True)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[Ledger]:
        """One ``BEGIN IMMEDIATE`` transaction: all appends inside commit together or not at all."""
        return _Transaction(self)

    @contextmanager
    def _outermost(self) -> Iterator[Ledger]:
        replicated = begin_immediate(self.conn, self.path)  # waits its turn behind others
        changes = self.conn.total_changes
        self._depth = 1
        self._appends.clear()
        self._free.clear()
        self._batch.clear()
        # One timestamp per transaction: its rows commit together, so they were recorded together.
        self._now = utc_now()
        self._tip = None
        try:
            yield self
            self.flush()
            # Derived state and the Merkle tree take the new entries in the same transaction,
            # set-wise: a few statements for the whole transaction, not triggers for each row.
            catchup.catch_up(self.conn)
            tree.catch_up(self.conn)
            guards.restore(self.conn, self._appends.lifted)
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            # Only Litestream reads a WAL past what SQLite published; without it a killed
            # commit is simply not made, and readers need not wait out the commit.
            armed = replicated and self.conn.total_changes != changes
            if armed:
                walindex.arm_recovery(self.conn, self.path)  # a killed commit is not lost
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as e:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if not armed:
                    raise
                raise LedgerError(
                    f"{self.path}: the commit failed ({e}) and may still have been kept; "
                    "check the ledger's log before writing it again"
                ) from e
        finally:
            self._tip = None
            self._appends.clear()  # lifted guards too: put back by restore, or by the rollback
            self._underived = False
            self._free.clear()
            self._batch.clear()
            self._depth = 0

    def flush(self) -> None:
        """Write buffered appends (:mod:`ledger.appends`); reads flush first."""
        if self._appends.flush(self.conn):
            self._underived = True

    def exists(self, table: str, row_id: str) -> bool:
        """Whether a row with this ``id`` is in ``table``, counting unflushed appends."""
        if (table, row_id) in self._appends.ids:
            return True
        return (
            self.conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [row_id]).fetchone()
            is not None
        )

    def fresh_id(self, table: str, make: Callable[[], str]) -> str:
        """An ID from ``make`` that no row of ``table`` has, inside the open transaction.

        Candidates are checked in batches that double with each one a transaction asks for
        (one for a single claim, up to 512 for a bulk append): one query instead of one a row.
        They stay free while this transaction holds the write lock and is the only writer."""
        if not self.conn.in_transaction:
            raise RuntimeError("fresh_id outside a transaction")
        free = self._free.get(table)
        if free is None:
            free = self._free[table] = set()
        while not free:
            n = self._batch[table] = min(512, 2 * self._batch.get(table, 0) or 1)
            made = list({make() for _ in range(n)})
            marks = ", ".join("?" for _ in made)
            sql = f"SELECT id FROM [{table}] WHERE id IN ({marks})"
            taken = {r[0] for r in self.conn.execute(sql, made)}
            ids = self._appends.ids
            free.update(m for m in made if m not in taken and (table, m) not in ids)
        return free.pop()

    def head(self) -> Head:
        """The current head: the highest ``seq`` across all ledger tables and its hash."""
        if self._tip is not None:
            return Head(*self._tip)
        return Head(*spine.head(self.conn))

    def _chain(self, table: str, row: dict[str, Any], now: str) -> tuple[Any, ...]:
        if not self.conn.in_transaction:
            raise RuntimeError("append outside a transaction")
        seq, prev = self._tip if self._tip is not None else spine.head(self.conn)
        values, digest = chaining.chained(table, row, seq + 1, prev, now)
        self._tip = (seq + 1, digest)
        return values

    def append(self, table: str, row: dict[str, Any]) -> str:
        """Append one row to ``table`` inside the open transaction; returns its hash.

        The row is written when the transaction commits or the next read flushes it.
        """
        values = self._chain(table, row, self._now)
        assert self._tip is not None
        row_id = row.get("id")
        if self._appends.add(table, values, self._tip[0], row_id, self._tip[1]):
            self.flush()
        if row_id is not None:
            free = self._free.get(table)
            if free:  # an ID given by hand is no longer free
                free.discard(row_id)
        return self._tip[1]

    def append_many(self, table: str, rows: Iterable[dict[str, Any]]) -> int:
        """Append many rows to one table inside the open transaction; returns how many."""
        n = 0
        for row in rows:
            self.append(table, row)
            n += 1
        return n

    # Reading ----------------------------------------------------------------------------------

    def _fresh(self, sql: str) -> None:
        """Write buffered appends; before a read of derived state, derive them too, so a read
        inside a transaction sees the rows appended earlier in it."""
        self.flush()
        if self._underived and catchup.reads_derived(sql):
            catchup.catch_up(self.conn)
            self._underived = False

    def one(self, sql: str, params: Iterable[Any] = ()) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        self._fresh(sql)
        cur = self.conn.execute(sql, tuple(params))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """All rows of a query as dicts."""
        self._fresh(sql)
        cur = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def count(self, table: str) -> int:
        """Number of rows in a table."""
        self._fresh(table)
        return int(self.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
