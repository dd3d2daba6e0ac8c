"""Files written for a user: never overwritten by surprise, never left half-written."""

import errno
import json
import os
import sqlite3

import pytest

from tests.conftest import add_nato


@pytest.fixture
def full_disk(monkeypatch):
    """Every os.write writes a few bytes, then the disk is full."""

    def write(fd, data):
        if len(data) > 8:
            real_write(fd, bytes(data[:8]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real_write = os.write
    return lambda: monkeypatch.setattr(os, "write", write)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def proposed(seeded):
    assert seeded("propose", "--all").exit_code == 0
    return seeded


def test_review_export_keeps_an_existing_file(proposed, workspace):
    assert proposed("review", "--all", "--export", "reviews/r.yaml").exit_code == 0
    path = workspace / "reviews" / "r.yaml"
    decided = path.read_text().replace("decision: pending", "decision: accept")
    path.write_text(decided)
    r = proposed("review", "--all", "--export", "reviews/r.yaml")
    assert r.exit_code == 1
    assert "reviews/r.yaml already exists" in r.output and "--force" in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert path.read_text() == decided
    r = proposed("review", "--all", "--export", "reviews/r.yaml", "--force")
    # Items are pending again (stances nested under an item are exported "accept", with it).
    assert r.exit_code == 0 and "\n  decision: accept" not in path.read_text()


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--format", "jsonl", "-o", "out.txt"],
        ["render", "report.md", "-o", "out.txt"],
        ["review", "--all", "--export", "out.txt", "--force"],
    ],
)
def test_full_disk_leaves_no_partial_file(proposed, workspace, full_disk, command):
    cid = add_nato(proposed).output.strip()
    (workspace / "report.md").write_text(f"Troops [{cid}].\n")
    (workspace / "out.txt").write_text("what was there before\n")
    full_disk()
    r = proposed(*command)
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: out.txt: cannot write (No space left on device); nothing written"
    ]
    assert (workspace / "out.txt").read_text() == "what was there before\n"
    assert _leftovers(workspace) == []
    os.remove(workspace / "out.txt")
    assert proposed(*command).exit_code == 1
    assert not (workspace / "out.txt").exists() and _leftovers(workspace) == []


def test_dev_full_is_one_line(seeded):
    r = seeded("export", "--format", "csv", "-o", "/dev/full")
    assert r.exit_code == 1
    assert r.output.strip() == "Error: /dev/full: cannot write (No space left on device)"


def test_export_to_a_folder_is_one_line(seeded, workspace):
    (workspace / "out").mkdir()
    r = seeded("export", "--format", "csv", "-o", "out")
    assert r.exit_code in (1, 2) and "out" in r.output and "Traceback" not in r.output


def test_written_file_has_ordinary_permissions(seeded, workspace):
    assert seeded("export", "--format", "csv", "-o", "claims.csv").exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (workspace / "claims.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_publish_on_a_full_disk_leaves_nothing(seeded, workspace, full_disk):
    full_disk()
    r = seeded("publish", "--out", "bundle")
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: bundle/metadata.json: cannot write (No space left on device); nothing published"
    ]
    assert not (workspace / "bundle").exists() and _leftovers(workspace) == []


def test_publish_snapshot_on_a_full_disk_names_the_snapshot(seeded, workspace, monkeypatch):
    real_connect = sqlite3.connect

    def connect(target, *args, **kwargs):
        conn = real_connect(target, *args, **kwargs)
        if str(target).endswith("ledger.db") and "mode=ro" not in str(target):
            if str(workspace / "bundle") in str(target) or ".bundle." in str(target):
                conn.execute("PRAGMA max_page_count = 2")  # SQLite's own 'disk is full'
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    (workspace / "bundle").mkdir()  # an empty folder is fine to publish into
    r = seeded("publish", "--out", "bundle")
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: bundle/ledger.db: cannot write (database or disk is full); nothing published"
    ]
    assert list((workspace / "bundle").iterdir()) == [] and _leftovers(workspace) == []
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    r = seeded("publish", "--out", "bundle", "--json")
    assert r.exit_code == 0, r.output
    assert (workspace / "bundle" / "ledger.db").exists() and json.loads(r.output)["entries"] > 0
