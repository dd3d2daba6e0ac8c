"""Writers queue: a command that finds another writer's long transaction waits its turn, saying
so, instead of failing with "database is locked" at the busy timeout."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from tests.conftest import add_nato

try:
    from ledger import locking
except ImportError:  # today's main: no waiting beyond the busy timeout
    locking = None  # type: ignore[assignment]


@pytest.fixture
def lock_holder(seeded, workspace, monkeypatch):
    """Another writer's transaction on ./ledger.db (a long batch apply, say), held until the
    returned event is set; the busy timeout made short so the test need not wait 10 s."""
    import ledger.store

    monkeypatch.setattr(ledger.store, "BUSY_TIMEOUT_MS", 50)
    release, holding = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(workspace / "ledger.db", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(10)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    yield release
    release.set()
    thread.join(10)


def test_a_writer_waits_for_another_and_says_so(seeded, lock_holder, monkeypatch):
    if locking is not None:
        told = locking.notify

        def notify(message: str) -> None:
            told(message)
            lock_holder.set()  # the other writer finishes once this one is queued

        monkeypatch.setattr(locking, "notify", notify)
    result = add_nato(seeded)
    assert result.exit_code == 0, result.output
    assert "waiting for another writer" in result.stderr
    assert result.stdout.strip().startswith("FL-")
    assert len(json.loads(seeded("claims", "--json").output)) == 1


def test_a_writer_gives_up_after_waiting_long_with_one_line(seeded, lock_holder, monkeypatch):
    monkeypatch.setattr(locking, "WAIT_S", 0.3)
    result = add_nato(seeded)
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ledger.db is still locked by another writer after ")
    assert last.endswith(" s: try again when it has finished")
    lock_holder.set()
    assert json.loads(seeded("claims", "--json").output) == []
