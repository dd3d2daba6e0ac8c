"""Whether a replicator runs for a ledger, told by a POSIX lock beside it, and the writers'
automatic checkpoint turned off while one does.

Litestream 0.5.17 builds the snapshot it uploads as it starts from the database file plus the WAL.
A writer's automatic checkpoint copying pages into that file meanwhile can leave it a snapshot
SQLite calls malformed (see "A damaged replica" in docs/replication.md). Litestream checkpoints
the WAL itself, between its own reads, so while it runs the writers need not.

``factledger replicate`` takes an exclusive lock on ``LEDGER-replicating`` and keeps it across
the exec into Litestream, so the lock lives exactly as long as the replicator (``kill -9``
included). Each write transaction tests it once, holding the write lock. The file is never
removed: a lock on a removed file would not be seen by a writer opening the new one.
"""

from __future__ import annotations

import os
import sqlite3
import time

try:
    import fcntl
except ImportError:  # Windows: no POSIX locks; writers always checkpoint
    fcntl = None  # type: ignore[assignment]

AUTOCHECKPOINT_PAGES = 1000  # SQLite's default, kept whenever nobody replicates
# Markers this process holds. It must not test those: a POSIX lock never conflicts with its own
# process, and closing the descriptor of the test would drop the lock held.
_held: set[str] = set()


class ReplicatorRunning(Exception):
    """Another replicator holds the lock."""


def marker(db_path: str | os.PathLike[str]) -> str:
    """The file whose lock says a replicator runs for this ledger (beside the real file, as
    SQLite puts the WAL: a ledger reached through a symlink has one marker)."""
    return os.path.realpath(db_path) + "-replicating"


def hold(db_path: str | os.PathLike[str], wait: float = 2.0) -> int | None:
    """Take the replicator's lock and return its descriptor, inheritable across ``exec``.

    Raises :class:`ReplicatorRunning` if another process keeps it past ``wait`` seconds (a
    writer testing it holds it for an instant only).
    """
    if fcntl is None:
        return None
    fd = os.open(marker(db_path), os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise ReplicatorRunning(marker(db_path)) from None
            time.sleep(0.01)
    os.set_inheritable(fd, True)
    _held.add(marker(db_path))
    return fd


def running(db_path: str | os.PathLike[str]) -> bool:
    """Whether a replicator holds the lock for this ledger now."""
    if fcntl is None:
        return False
    if _held and marker(db_path) in _held:
        return True
    try:
        fd = os.open(marker(db_path), os.O_RDONLY)
    except FileNotFoundError:
        return False  # never replicated: the usual case, one failed open
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock, if taken (it is on this file only)
    return False


def set_autocheckpoint(conn: sqlite3.Connection, db_path: str) -> bool:
    """Off while a replicator runs, SQLite's default otherwise; called holding the write lock,
    so a replicator starting later waits for this transaction before Litestream starts.
    Returns whether a replicator runs."""
    replicated = bool(db_path) and running(db_path)
    pages = 0 if replicated else AUTOCHECKPOINT_PAGES
    conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
    return replicated
