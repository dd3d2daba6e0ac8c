"""Waiting for the write lock: a writer queues behind another's long transaction (a batch
``review --apply``, a big ingest) instead of failing with "database is locked".

SQLite's busy timeout is one wait; past it ``BEGIN IMMEDIATE`` is retried, after one line on
stderr saying why the command is quiet, until ``WAIT_S`` has passed.
"""

from __future__ import annotations

import sqlite3
import sys
import time

from ledger import replicating, walindex
from ledger.errors import LedgerError

WAIT_S = 600.0  # a writer gives up after waiting this long for the others


def notify(message: str) -> None:
    """Tell the person waiting why nothing happens (stderr: stdout may be a pipe of results)."""
    print(message, file=sys.stderr, flush=True)


def _locked(error: sqlite3.OperationalError) -> bool:
    # SQLITE_PROTOCOL: the wal-index was being republished for longer than SQLite retries
    # (a long commit of a replicated ledger, see ledger.walindex): wait, as for a lock.
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_PROTOCOL) or "locked" in str(error)


def begin_immediate(conn: sqlite3.Connection, path: str) -> bool:
    """``BEGIN IMMEDIATE``, waiting in turns of the connection's busy timeout while another
    writer holds the lock; a clear error once ``WAIT_S`` has passed.

    Holding the lock, it first takes over a commit a killed writer left unpublished in the WAL
    (see :mod:`ledger.walindex`), so that no write ever overwrites it, and turns the automatic
    checkpoint off while a replicator runs (see :mod:`ledger.replicating`). Returns whether a
    replicator runs.
    """
    started = time.monotonic()
    told = taken = False
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if not _locked(e):
                raise
            waited = time.monotonic() - started
            if waited >= WAIT_S:
                raise LedgerError(
                    f"{path} is still locked by another writer after {waited:.0f} s: "
                    "try again when it has finished"
                ) from e
            if not told:
                notify(f"waiting for another writer… ({path} is locked by a long write)")
                told = True
            time.sleep(0.01)  # SQLite can answer busy without waiting: never spin
            continue
        if walindex.unpublished(conn, path) is None:
            return replicating.set_autocheckpoint(conn, path)
        if taken:
            conn.execute("ROLLBACK")
            raise LedgerError(
                f"{path}: SQLite did not recover the commit an interrupted writer left in its "
                "WAL; stop every process using the ledger, then open it again"
            )
        walindex.hand_to_recovery(conn, path)
        taken = True
        notify(f"{path}: a writer was killed while committing; its complete transaction is kept")
