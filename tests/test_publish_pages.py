"""What the publishing plugin keeps between pages (publish/catalog.py) stays true to the file."""

import asyncio
import sqlite3

from datasette.app import Datasette

from ledger.publish.metadata import metadata
from tests.conftest import get


def _tables(ds):
    return {t["name"]: t for t in get(ds, "/ledger.json").json()["tables"]}


def test_database_page_describes_every_table_as_sqlite_does(published, raw_db):
    ds = published["ds"]
    first, again = _tables(ds), _tables(ds)  # the second page is served from what was kept
    assert first == again
    conn = raw_db()
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert set(first) == set(names)
    for name in names:
        info = conn.execute(f"PRAGMA table_xinfo([{name}])").fetchall()
        assert first[name]["columns"] == [c[1] for c in info], name
        pks = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]]
        assert first[name]["primary_keys"] == pks, name
    assert first["claim_versions"]["fts_table"] == "claim_versions_fts"
    assert first["claims"]["fts_table"] is None
    assert first["claims"]["count"] == conn.execute("SELECT count(*) FROM claims").fetchone()[0]


def test_database_page_follows_a_schema_change_while_serving(published, raw_db):
    ds = published["ds"]
    assert "reader_notes" not in _tables(ds)
    conn = raw_db()
    conn.execute("CREATE TABLE reader_notes (id INTEGER PRIMARY KEY, body TEXT)")
    assert _tables(ds)["reader_notes"]["columns"] == ["id", "body"]
    conn.execute("ALTER TABLE reader_notes ADD COLUMN author TEXT")
    conn.execute("INSERT INTO reader_notes (body, author) VALUES ('x', 'y')")
    assert _tables(ds)["reader_notes"]["columns"] == ["id", "body", "author"]
    rows = get(ds, "/ledger/reader_notes.json?_shape=array").json()
    assert rows == [{"id": 1, "body": "x", "author": "y"}]


def test_a_table_closed_in_metadata_stays_closed_on_every_page(published, workspace):
    meta = metadata("ledger")
    meta["databases"]["ledger"]["tables"]["sources"]["allow"] = {"id": "editor"}
    ds = Datasette(files=[str(workspace / "ledger.db")], metadata=meta)
    for _ in range(2):  # the second round reads the kept permission answers
        assert get(ds, "/ledger/sources").status_code == 403
        # SQLite names are case-insensitive: another spelling names the same closed table.
        check = ds.permission_allowed(None, "view-table", ("ledger", "SOURCES"), default=True)
        assert asyncio.run(check) is False
        assert "sources" not in _tables(ds)
        assert get(ds, "/ledger/claims").status_code == 200


def test_a_ledger_served_alongside_another_database_keeps_each_apart(published, workspace):
    other = workspace / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE claims (id TEXT PRIMARY KEY, note TEXT, extra INTEGER)")
    ds = Datasette(files=[str(workspace / "ledger.db"), str(other)])
    for _ in range(2):
        other_tables = {t["name"]: t for t in get(ds, "/other.json").json()["tables"]}
        assert other_tables["claims"]["columns"] == ["id", "note", "extra"]
        assert "note" not in _tables(ds)["claims"]["columns"]
