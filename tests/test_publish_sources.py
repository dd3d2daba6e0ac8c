"""A reader row's source: held as source_id, a reference to sources, shown by the source's title
(Datasette's foreign-key label), filtered and faceted by its ID with exact kept counts."""

from __future__ import annotations

import re
import sqlite3

import pytest

from ledger import derived
from ledger.store import Ledger
from tests.conftest import get


def _sources(conn: sqlite3.Connection) -> tuple[tuple[str, str], str]:
    """((ID, title) of the source with a title, ID of the one without) in the published ledger."""
    rows = conn.execute("SELECT id, title FROM sources ORDER BY title NULLS LAST").fetchall()
    assert [t is None for _, t in rows] == [False, True]
    return rows[0], rows[1][0]


@pytest.mark.parametrize("table", ["stances", "current_claims"])
def test_a_reader_page_shows_each_source_by_its_title(published, raw_db, table):
    ds = published["ds"]
    (titled, title), untitled = _sources(raw_db())
    html = get(ds, f"/ledger/{table}").text
    link = f'<a href="/ledger/sources/{titled}">{title}</a>&nbsp;<em>{titled}</em>'
    assert link in html
    # A source with no title shows its ID alone (Datasette would show the label "None").
    if table == "stances":
        assert f'<a href="/ledger/sources/{untitled}">{untitled}</a>' in html
    assert ">None<" not in html
    rows = get(ds, f"/ledger/{table}.json?_shape=array&_labels=on").json()
    labels = {r["source_id"]["value"]: r["source_id"]["label"] for r in rows}
    assert labels[titled] == title
    assert all("source_title" not in r for r in rows)


def test_the_source_facet_is_labelled_by_title_and_filters_by_id(published, raw_db):
    ds, conn = published["ds"], raw_db()
    (titled, title), untitled = _sources(conn)
    html = get(ds, "/ledger/stances").text
    facet = html[html.index('data-column="source_id"') :]
    facet = facet[: facet.index("</ul>")]
    assert f">{title}</a> 4" in facet and f">{untitled}</a> 1" in facet and "None" not in facet
    for source in (titled, untitled):
        page = get(ds, f"/ledger/stances.json?source_id={source}").json()
        live = conn.execute("SELECT count(*) FROM stances WHERE source_id = ?", [source])
        assert page["filtered_table_rows_count"] == live.fetchone()[0]
        assert {r[page["columns"].index("source_id")] for r in page["rows"]} == {source}
        facets = page["facet_results"]
        chosen = facets["source_id"]["results"]
        assert [(v["value"], v["selected"]) for v in chosen] == [(source, True)]
        assert chosen[0]["label"] == (title if source == titled else None)
        stances = dict(
            conn.execute(
                "SELECT stance, count(*) FROM stances WHERE source_id = ? GROUP BY 1", [source]
            )
        )
        assert {v["value"]: v["count"] for v in facets["stance"]["results"]} == stances
        chosen_html = get(ds, f"/ledger/stances?source_id={source}").text
        assert re.search(rf"<li>{re.escape(title if source == titled else source)} &middot; ",
                         chosen_html), source  # fmt: skip
    claims = get(ds, f"/ledger/current_claims.json?source_id={titled}&_shape=array").json()
    live = conn.execute("SELECT claim_id FROM current_claims WHERE source_id = ?", [titled])
    assert sorted(r["claim_id"] for r in claims) == sorted(r[0] for r in live)


def test_a_source_page_links_to_the_reader_rows_that_quote_it(published, raw_db):
    ds, conn = published["ds"], raw_db()
    (titled, _), _ = _sources(conn)
    html = get(ds, f"/ledger/sources/{titled}").text
    for table in ("stances", "current_claims"):
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [titled]).fetchone()
        link = rf'<a href="/ledger/{table}\?source_id={titled}">\s*{n[0]} rows</a>'
        assert re.search(rf"{link}\s*from source_id in {table}", html), table


def test_the_home_page_and_canned_queries_still_name_the_source(published, raw_db):
    ds = published["ds"]
    (_, title), _ = _sources(raw_db())
    assert title in get(ds, "/").text
    for path in ("claims_by_actor.json?actor=Kremlin", "search_claims.json?q=troops",
                 "search_quotes.json?q=Peskov", "denied_or_unconfirmed_by.json?actor=NATO",
                 "conflicting_figures.json?subject=troops"):  # fmt: skip
        rows = get(ds, f"/ledger/{path}&_shape=array").json()
        assert rows and title in {r["source_title"] for r in rows}, path


def _as_version_4(path) -> None:
    """Give the ledger at ``path`` the reader tables and counts of derived version 4: a copy of
    the source's title in every reader row, counted and page-indexed on stances, no source_id
    counts or pair indexes."""
    conn = sqlite3.connect(path, isolation_level=None)
    title = "(SELECT title FROM sources WHERE id = source_id)"
    for table in ("stances", "current_claims"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN source_title TEXT")
        conn.execute(f"UPDATE {table} SET source_title = {title}")
    for by in ("stance", "actor", "publisher"):
        conn.execute(f"DROP INDEX idx_stances_{by}_source_id_page")
        conn.execute(
            f"CREATE INDEX idx_stances_{by}_source_title_page "
            f"ON stances ({by}, source_title, stance_rowid)"
        )
    conn.execute(
        "CREATE INDEX idx_stances_source_title_page ON stances (source_title, stance_rowid)"
    )
    conn.execute("DELETE FROM facet_counts WHERE tbl = 'stances' AND col = 'source_id'")
    conn.execute(
        "DELETE FROM facet_pair_counts WHERE tbl = 'stances' AND 'source_id' IN (by_col, col)"
    )
    conn.execute(
        "INSERT INTO facet_counts SELECT 'stances', 'source_title', source_title, count(*) "
        "FROM stances WHERE source_title NOTNULL GROUP BY 3"
    )
    for other in ("stance", "actor", "publisher"):
        for a, b in ((other, "source_title"), ("source_title", other)):
            conn.execute(
                f"INSERT INTO facet_pair_counts SELECT 'stances', '{a}', {a}, '{b}', {b}, "
                f"count(*) FROM stances WHERE {a} NOTNULL AND {b} NOTNULL GROUP BY 3, 5"
            )
    conn.execute("PRAGMA user_version = 4")
    conn.close()


def test_a_ledger_at_the_previous_derived_version_is_rebuilt_on_open(published, workspace, run):
    path = workspace / "ledger.db"
    _as_version_4(path)
    old = sqlite3.connect(path)
    assert old.execute("SELECT count(*) FROM facet_counts WHERE col = 'source_title'").fetchone()
    old.close()
    # Read-only, verify leaves it as it is: the chain verifies, but derived tables it cannot
    # check fail it, naming what to do (they would otherwise pass unchecked, to any reader).
    r = run("verify")
    assert r.exit_code == 1, r.output
    assert "at derived version 4; this one derives version 5 and cannot check them: run " in (
        r.output
    )
    assert "'factledger rebuild', then verify again (the chain verified)" in r.output
    assert run("verify", "--quick").exit_code == 0
    with Ledger(path) as led:
        conn = led.conn
        assert derived.installed_version(conn) == derived.VERSION == 5
        for table in ("stances", "current_claims"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            assert "source_title" not in cols and "source_id" in cols
            keys = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
            assert [(k[2], k[3], k[4]) for k in keys] == [("sources", "source_id", "id")]
        schema = " ".join(
            r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql NOTNULL")
        )
        assert "source_title" not in schema
        assert conn.execute("SELECT count(*) FROM facet_pair_counts WHERE "
                            "'source_title' IN (by_col, col)").fetchone() == (0,)  # fmt: skip
        kept = dict(conn.execute(
            "SELECT value, n FROM facet_counts WHERE tbl = 'stances' AND col = 'source_id'"))  # fmt: skip
        live = dict(conn.execute("SELECT source_id, count(*) FROM stances GROUP BY 1"))
        assert kept == live and sum(kept.values()) == 5
        pairs = conn.execute(
            "SELECT by_value, value, n FROM facet_pair_counts WHERE tbl = 'stances' "
            "AND by_col = 'source_id' AND col = 'stance' ORDER BY 1, 2"
        ).fetchall()
        assert (
            pairs
            == conn.execute(
                "SELECT source_id, stance, count(*) FROM stances GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
        )
        assert derived.first_difference(conn) is None
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {
            f"idx_stances_{c}_source_id_page" for c in ("stance", "actor", "publisher")
        } <= names
    r = run("verify")
    assert r.exit_code == 0 and "cannot check" not in r.output, r.output
    assert '"derived_checked": true' in run("verify", "--json").output
