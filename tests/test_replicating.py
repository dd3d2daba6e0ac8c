"""While `factledger replicate` runs (its lock held, across the exec into Litestream), writers
leave checkpoints to Litestream; once it is gone, even by kill -9, they checkpoint again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger import replicating
from ledger.store import Ledger

pytestmark = pytest.mark.skipif(replicating.fcntl is None, reason="no POSIX locks here")

ROOT = Path(__file__).resolve().parent.parent
# Takes the lock as `factledger replicate` does, then becomes another program (as it becomes
# Litestream): the lock must outlive the exec.
HOLDER = (
    "import os, sys; from ledger import replicating; replicating.hold(sys.argv[1]); "
    "print('held', flush=True); os.execv('/bin/sleep', ['sleep', '60'])"
)


def autocheckpoint(db: Path) -> int:
    """The automatic checkpoint a write transaction on ``db`` commits with, in pages."""
    with Ledger(db) as ledger, ledger.transaction():
        return int(ledger.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


def start_holder(db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    time.sleep(0.2)  # the exec itself
    return holder


def test_writers_do_not_checkpoint_while_a_replicator_holds_the_lock_and_do_after_a_kill(
    tmp_path,
):
    db = tmp_path / "ledger.db"
    Ledger(db).close()
    assert not replicating.running(db)
    assert autocheckpoint(db) == replicating.AUTOCHECKPOINT_PAGES

    holder = start_holder(db)
    try:
        assert replicating.running(db)
        assert autocheckpoint(db) == 0
        with pytest.raises(replicating.ReplicatorRunning):
            replicating.hold(db, wait=0.2)
    finally:
        holder.kill()
        holder.wait()

    assert not replicating.running(db)
    assert autocheckpoint(db) == replicating.AUTOCHECKPOINT_PAGES


def test_a_long_lived_writer_follows_the_replicator_transaction_by_transaction(tmp_path):
    db = tmp_path / "ledger.db"
    with Ledger(db) as ledger:

        def pages() -> int:
            with ledger.transaction():
                return int(ledger.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])

        assert pages() == replicating.AUTOCHECKPOINT_PAGES
        holder = start_holder(db)
        try:
            assert pages() == 0
        finally:
            holder.kill()
            holder.wait()
        assert pages() == replicating.AUTOCHECKPOINT_PAGES


def test_the_replicator_itself_keeps_its_lock_when_it_writes(tmp_path):
    """Testing its own POSIX lock, and closing that test's descriptor, would drop it."""
    db = tmp_path / "ledger.db"
    Ledger(db).close()
    code = (
        "import sys, time; from ledger import replicating; from ledger.store import Ledger; "
        "replicating.hold(sys.argv[1]); L = Ledger(sys.argv[1]); "
        "t = L.transaction(); t.__enter__(); t.__exit__(None, None, None); "
        "print('wrote', flush=True); time.sleep(60)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(db)], env=env,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "wrote"
        assert replicating.running(db)
    finally:
        proc.kill()
        proc.wait()
