"""A writer killed after its commit reached the WAL but before SQLite published it in the
wal-index (-shm), while another process keeps the database open: the transaction is kept (by
SQLite's recovery, on the next open, for a factledger writer; by the next factledger writer for
any other) instead of overwritten, because a replicator reading the WAL file (Litestream) may
already have shipped it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from ledger import spine, walindex
from ledger.claims import create_claim
from ledger.spans import find_span
from ledger.store import Ledger
from ledger.verify import verify
from ledger.walindex import unpublished

ROOT = Path(__file__).resolve().parent.parent
QUOTE = "Kremlin spokesman Dmitry Peskov dismissed these reports"


def add_claim(ledger: Ledger, text: str) -> tuple[int, str]:
    src = ledger.one("SELECT id, text FROM sources ORDER BY seq LIMIT 1")
    span = find_span(src["id"], src["text"], QUOTE, None)
    with ledger.transaction():
        create_claim(ledger, span, claim=text, actor="Kremlin", stance="denied", reviewer="t")
    head = ledger.head()
    return head.count, head.hash


def killed_writer(db: str, text: str, armed: str) -> None:
    """Commit a claim, then put back the wal-index header as it was just before ``COMMIT``: the
    state a writer leaves when killed after writing (and syncing) its frames, before publishing
    them. ``armed`` "yes": a factledger writer; "no": any other SQLite writer (nothing done
    before ``COMMIT``). Prints the head it committed. Run in its own process, like a writer."""
    arm = walindex.arm_recovery
    header = []

    def before_commit(conn: sqlite3.Connection, path: str) -> None:
        if armed == "yes":
            arm(conn, path)
        fd = walindex._open_fd_of(path + "-shm")  # SQLite's own: never close it
        assert fd is not None
        header.append(os.pread(fd, 96, 0))

    walindex.arm_recovery = before_commit
    with Ledger(db) as ledger:
        count, digest = add_claim(ledger, text)
    # Every connection of this process is closed: opening the -shm here drops no one's locks.
    with open(f"{db}-shm", "r+b") as shm:
        shm.write(header[-1])
    print(count, digest)


def in_a_process(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )


def start_keeper(db: str) -> subprocess.Popen[str]:
    """Another process keeping the database open, as Litestream does, so that no connection
    runs SQLite's recovery on opening it, and holding the replicator's lock as Litestream does
    under ``factledger replicate``; a line on its stdin ends its read transaction."""
    keeper = in_a_process(
        "import sqlite3, sys; from ledger import replicating; lock = replicating.hold(sys.argv[1]);"
        "c = sqlite3.connect(sys.argv[1]); c.execute('BEGIN');"
        "c.execute('SELECT count(*) FROM ledger_entries').fetchone(); print('open', flush=True);"
        "sys.stdin.readline(); c.execute('COMMIT'); print('idle', flush=True); sys.stdin.read()",
        db,
    )
    assert keeper.stdout is not None and keeper.stdout.readline() == "open\n"
    return keeper


def kill_a_writer_mid_commit(db: str, armed: str) -> tuple[int, str]:
    writer = in_a_process(
        "import sys; from tests.test_walindex import killed_writer; killed_writer(*sys.argv[1:])",
        db,
        "The claim whose writer died mid-commit.",
        armed,
    )
    out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    count, digest = out.split()
    return int(count), digest


def test_a_killed_factledger_commit_is_recovered_by_the_next_reader(seeded, workspace):
    db = str(workspace / "ledger.db")
    keeper = start_keeper(db)
    try:
        killed = kill_a_writer_mid_commit(db, armed="yes")
        with Ledger(db, create=False, readonly=True) as reader:
            assert (reader.head().count, reader.head().hash) == killed
            assert verify(reader).head.hash == killed[1]
    finally:
        keeper.communicate("", timeout=30)


def test_a_commit_its_writer_never_published_is_kept_by_the_next_writer(seeded, workspace):
    db = str(workspace / "ledger.db")
    keeper = start_keeper(db)
    try:
        with Ledger(db, create=False, readonly=True) as reader:
            before = (reader.head().count, reader.head().hash)
        killed = kill_a_writer_mid_commit(db, armed="no")  # not a factledger writer
        assert killed[0] > before[0]

        with Ledger(db, create=False, readonly=True) as reader:
            assert (reader.head().count, reader.head().hash) == before  # nobody sees it yet
        with Ledger(db) as ledger:
            after = add_claim(ledger, "The next writer's claim.")
            entries = {e["seq"]: e["hash"] for e in spine.entries(ledger.conn)}
            assert entries[killed[0]] == killed[1]  # the killed writer's head is in the chain
            assert after[0] > killed[0]
            claims = {r[0] for r in ledger.conn.execute("SELECT claim FROM current_claims")}
            assert {"The claim whose writer died mid-commit.", "The next writer's claim."} <= claims
            assert verify(ledger).head.hash == after[1]
            assert ledger.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        keeper.communicate("", timeout=30)


def test_a_commit_already_published_is_left_alone(seeded, workspace):
    db = workspace / "ledger.db"
    with Ledger(db) as ledger:
        add_claim(ledger, "An ordinary claim.")
        ledger.conn.execute("BEGIN IMMEDIATE")
        assert unpublished(ledger.conn, str(db)) is None
        ledger.conn.execute("ROLLBACK")


def test_replicate_truncates_the_wal_only_after_keeping_a_killed_commit(seeded, workspace):
    from ledger.replicate import truncate_wal

    db = str(workspace / "ledger.db")
    keeper = start_keeper(db)
    try:
        killed = kill_a_writer_mid_commit(db, armed="no")
        assert keeper.stdin is not None and keeper.stdout is not None
        keeper.stdin.write("end\n")
        keeper.stdin.flush()
        assert keeper.stdout.readline() == "idle\n"  # still open, no longer reading
        assert Path(f"{db}-wal").stat().st_size > 0
        truncate_wal(db)
        assert Path(f"{db}-wal").stat().st_size == 0  # Litestream will see it and snapshot
        with Ledger(db, create=False, readonly=True) as reader:
            assert (reader.head().count, reader.head().hash) == killed
            assert verify(reader).head.hash == killed[1]
    finally:
        keeper.communicate("", timeout=30)


def test_only_a_replicated_ledger_spoils_the_header_before_commit(seeded, workspace, monkeypatch):
    """Readers wait out a commit whose header is spoilt: only worth it where Litestream reads."""
    from ledger import replicating

    db = str(workspace / "ledger.db")
    armed: list[str] = []
    monkeypatch.setattr(walindex, "arm_recovery", lambda conn, path: armed.append(path))
    with Ledger(db) as ledger:
        add_claim(ledger, "Not replicated.")
        assert armed == []
        fd = replicating.hold(db)
        assert fd is not None
        try:
            add_claim(ledger, "Replicated.")
        finally:
            os.close(fd)
            replicating._held.discard(replicating.marker(db))
        assert armed == [db]


def test_the_guards_find_the_wal_index_through_a_symlink(seeded, workspace):
    """SQLite puts -wal and -shm beside the real file; the guards must look there too."""
    db = workspace / "ledger.db"
    link = workspace / "link.db"
    link.symlink_to(db)
    with Ledger(str(link)) as ledger:
        add_claim(ledger, "Through a link.")
        assert not Path(f"{link}-shm").exists() and Path(f"{db}-shm").exists()
        ledger.conn.execute("BEGIN IMMEDIATE")
        walindex.arm_recovery(ledger.conn, str(link))
        spoilt = Path(f"{db}-shm").read_bytes()[48 + 12]
        ledger.conn.execute("ROLLBACK")
    assert spoilt == 0
