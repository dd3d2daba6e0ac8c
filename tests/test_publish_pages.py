"""What the publishing plugin keeps between pages (publish/catalog.py) stays true to the file."""

import asyncio
import re
import sqlite3
from urllib.parse import quote as urlquote

import pytest
from datasette.app import Datasette

from ledger.publish.metadata import SETTINGS, metadata
from tests.conftest import KREMLIN_QUOTE, SEED_A, get


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


def test_made_up_table_names_fill_no_memory(published):
    ds = published["ds"]
    _tables(ds)
    kept = ds.databases["ledger"].factledger_catalog
    before = len(kept.answers)
    for i in range(30):
        assert get(ds, f"/ledger/nosuch{i}/1").status_code in (400, 404)
        assert get(ds, f"/ledger/nosuch{i}.json").status_code == 404
    assert len(kept.answers) == before
    assert _tables(ds) and len(kept.answers) == before


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


PLACES = ["Kursk", "Moscow", "Donetsk", "Belgorod"]
ACTORS = ["NATO", "Pentagon", "Kremlin", "Seoul", "Kyiv"]


@pytest.fixture
def searchable(seeded, workspace):
    """240 claims and 240 stances: a place in every fourth, five actors, a few claims edited
    (their old versions stay in the search index but not among current claims)."""
    from ledger.claims import add_claim, edit_claim
    from ledger.store import Ledger

    with Ledger(workspace / "ledger.db") as ledger:
        ids = []
        for i in range(240):
            ids.append(add_claim(
                ledger, source=f"corpus/{SEED_A}", quote=KREMLIN_QUOTE, actor=ACTORS[i % 5],
                claim=f"Troops moved to {PLACES[i % 4]} on day {i}.", stance="denied",
                reviewer="t",
            ))  # fmt: skip
        for i in range(0, 240, 7):
            edit_claim(ledger, ids[i], text=f"Troops left {PLACES[(i + 1) % 4]} on day {i}.",
                       reason="x", reviewer="t")  # fmt: skip
    # ?_trace=1 lists the SQL each page ran.
    settings = {**SETTINGS, "trace_debug": True}
    return Datasette(files=[str(workspace / "ledger.db")], metadata=metadata("ledger"),
                     settings=settings)  # fmt: skip


def all_pages(ds, path):
    """Every row of a table page and the pages after it, as Datasette's JSON gives them."""
    rows, traced = [], []
    while path:
        data = get(ds, path + "&_trace=1").json()
        rows += data["rows"]
        traced += [t["sql"] for t in data["_trace"]["traces"] if t["type"] == "sql"]
        path = data["next_url"] and data["next_url"].replace("http://localhost", "")
    return rows, traced


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/current_claims.json?_search=Kursk&_size=7",
        # A filter that passes over most matches: the index is asked again for more.
        "/ledger/current_claims.json?_search=Kursk&stance_summary__contains=NATO&_size=3",
        "/ledger/current_claims.json?_search=day&_sort=search_rowid&_size=50",
        "/ledger/current_claims.json?_search=Donetsk&_sort=search_rowid&_size=2",  # oldest first
        "/ledger/current_claims.json?_search=Moscow&_sort=claim&_size=9",  # another order
        "/ledger/current_claims.json?_search=Troops+left&_size=4",
        "/ledger/current_claims.json?_search=nowhere&_size=4",
        "/ledger/stances.json?_search=Peskov+dismissed&actor=Seoul&_size=5",
        "/ledger/stances.json?_search=Kremlin&_sort_desc=stance_rowid&_size=30",
    ],
)
def test_search_pages_are_exactly_datasettes_own(searchable, monkeypatch, path):
    """Every page of search results, read from the index in page order, is the page
    Datasette's own query gives, through filters, other orders and every later page."""
    from ledger.publish import search

    rows, traced = all_pages(searchable, path)
    monkeypatch.setattr(search, "search_page", lambda sql: None)
    plain, plain_traced = all_pages(searchable, path)
    assert rows == plain
    assert plain_traced and not any("order by rowid" in sql for sql in plain_traced)
    if "nowhere" in path:
        assert rows == []
    else:
        assert len(rows) > int(path.rsplit("_size=", 1)[1])  # more than one page
    bounded = [sql for sql in traced if " match escape_fts(:search) order by rowid " in sql]
    assert bool(bounded) == ("_sort=claim" not in path)


@pytest.mark.parametrize(
    "path, column, word",
    [
        (
            "/ledger/current_claims.json?_search_text=Donetsk&_size=4&_shape=objects",
            "claim",
            "Donetsk",
        ),
        ("/ledger/stances.json?_search_actor=Seoul&_size=9&_shape=objects", "actor", "Seoul"),
        ("/ledger/current_claims.json?%5Fsearch_text=Belgorod&_shape=objects", "claim", "Belgorod"),
        ("/ledger/current_claims.json?_search_quote=nowhere&_shape=objects", "quote", "nowhere"),
    ],
)
def test_a_column_search_finds_the_rows_that_match(searchable, raw_db, path, column, word):
    """Datasette 0.65 matches ?_search_COLUMN= on rowid, not the table's search key: on the
    reader tables that would list other rows."""
    rows, _ = all_pages(searchable, path)
    table = path.split("/")[2].split(".")[0]
    want = raw_db().execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?", [f"%{word}%"])
    assert len(rows) == want.fetchone()[0]
    assert all(word in r[column] for r in rows)


MATCHING = "search_rowid in (select rowid from claim_versions_fts where claim_versions_fts match "


@pytest.mark.parametrize(
    "sql, query",
    [
        ("select claim from current_claims where rowid in (select rowid from claim_versions_fts "
         "where text match 'Donetsk') order by rowid limit 5", "&_search_text=x"),
        ("select claim from current_claims where rowid in (select rowid from claim_versions_fts "
         "where text match 'Donetsk') order by rowid limit 5", "&_search_text=x&key=%73ql"),
        (f"select count(*) from current_claims where {MATCHING}:search) order by search_rowid "
         "limit 1", "&search=Kursk"),
        (f"select publisher from current_claims where {MATCHING}:search) group by publisher "
         "order by search_rowid limit 3", "&search=Kursk"),
        (f"select claim from current_claims where not {MATCHING}:search) order by search_rowid "
         "desc limit 3", "&search=day"),
        (f"select claim from current_claims where claim like '%(%' or {MATCHING}:search) "
         "order by search_rowid desc limit 3", "&search=Kursk"),
    ],
)  # fmt: skip
def test_own_sql_is_run_as_written(searchable, raw_db, sql, query):
    """A reader's own SQL is never changed, even when it looks like a search page or a column
    search (however its query string is spelled)."""
    from ledger.publish.search import search_page

    assert search_page(sql) is None
    key = "%73ql" if "key=%73ql" in query else "sql"  # "sql", spelled with an escape
    r = get(searchable, f"/ledger.json?{key}={urlquote(sql)}&_shape=array{query}")
    assert r.status_code == 200, r.text
    conn = raw_db()
    conn.create_function("escape_fts", 1, lambda s: s)
    params = {"search": query.rsplit("=", 1)[1]} if "&search=" in query else {}
    want = [list(row) for row in conn.execute(sql, params)]
    assert [list(row.values()) for row in r.json()] == want


def test_a_search_with_too_many_matches_reports_live_facets_timed_out_without_running_them(
    searchable, monkeypatch
):
    """Facets over every match of a common word cannot finish in time: they are listed as
    timed out at once, from the page's own count; a narrower search still gets them."""
    from ledger.publish import facets

    monkeypatch.setattr(facets, "LIVE_FACET_ROWS", 100)

    def page(path):
        data = get(searchable, path + "&_trace=1").json()
        grouped = [t["sql"] for t in data["_trace"]["traces"]
                   if t["type"] == "sql" and "count(*) as count" in t["sql"]]  # fmt: skip
        return data, grouped

    wide, grouped = page("/ledger/current_claims.json?_search=day")  # all 240 claims
    assert wide["filtered_table_rows_count"] == 240
    assert wide["facet_results"] == {} and grouped == []
    html = get(searchable, "/ledger/current_claims?_search=day").text
    assert re.search(r"These facets timed out: (verdict|status|publisher)", html)
    narrow, grouped = page("/ledger/current_claims.json?_search=Kursk")
    assert sorted(narrow["facet_results"]) == ["publisher", "status", "verdict"]
    assert len(grouped) == 3
    assert narrow["facet_results"]["verdict"]["results"][0]["count"] == len(
        all_pages(searchable, "/ledger/current_claims.json?_search=Kursk&_size=100")[0]
    )
    # A page filtered by columns, not a search, keeps its live facets, whatever its size.
    plain, grouped = page("/ledger/stances.json?stance=denied&actor__not=NATO")
    assert plain["filtered_table_rows_count"] > 100 and grouped and plain["facet_results"]
