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


def test_every_upsert_names_its_conflict_target(tmp_path):
    """SQLite before 3.35 (the images `datasette publish` builds) rejects a bare ON CONFLICT."""
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    db = sqlite_utils.Database(path)
    triggers = [t.sql for t in db.triggers if "ON CONFLICT" in t.sql]
    assert triggers
    for sql in triggers:
        assert "ON CONFLICT DO" not in sql, sql
