"""Migrations: an empty database migrates once, and the schema is what the ledger expects."""

import sqlite_utils

from ledger.migrations import TABLES, migrations
from ledger.store import Ledger


def test_migrate_empty_database(tmp_path):
    path = tmp_path / "empty.db"
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    applied = [m.name for m in migrations.applied(db)]
    assert applied == [m.name for m in migrations._migrations]
    for table, columns in TABLES.items():
        cols = set(db[table].columns_dict)
        assert set(columns) | {"seq", "prev_hash", "hash", "recorded_at"} <= cols
    triggers = {t.name for t in db.triggers}
    assert {f"{t}_no_update" for t in TABLES} <= triggers
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "again.db"
    Ledger(path).close()
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    names = [m.name for m in migrations.applied(db)]
    assert len(names) == len(set(names))
