"""A reader's query cannot outrun the time limit inside one function call (issue 17, item 4)."""

import asyncio
import sqlite3
from urllib.parse import quote

import pytest

from ledger.publish.connection import LENGTH_LIMIT
from tests.conftest import get


def _sql(ds, sql):
    return get(ds, f"/ledger.json?sql={quote(sql)}&_shape=array")


@pytest.mark.parametrize(
    "sql",
    [
        "select length(printf('%.*c', 900000000, 'x'))",
        "select length(format('%900000000c', 'x'))",
        "select length(printf('%.*c%.*c', 600000, 'x', 600000, 'y'))",
        "select length(zeroblob(900000000))",
        "select length(replace(printf('%.*c', 1000000, 'x'), 'x', printf('%.*c', 100, 'y')))",
    ],
)
def test_a_huge_string_is_refused_at_once_with_sqlites_own_message(published, sql):
    r = _sql(published["ds"], sql)
    assert r.status_code == 400
    assert r.json()["error"] == "string or blob too big"


def test_every_connection_is_capped_and_keeps_the_schema_untrusted(published):
    db = published["ds"].databases["ledger"]

    def settings(conn):
        return (
            conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH),
            conn.execute("PRAGMA trusted_schema").fetchone()[0],
        )

    assert asyncio.run(db.execute_fn(settings)) == (LENGTH_LIMIT, 0)
    assert LENGTH_LIMIT <= 64 * 1024 * 1024


@pytest.mark.parametrize(
    "args",
    ["'%05.1f|%-6s|%d|%x|%q', 3.14159, 'ab', 42, 255, 'it''s'", "'%.*c', 5, 'x'", "NULL",
     "'%s and %s', 'one'", "'%,d', 1234567", "'100%% sure'", "'%!.3g', 2.0"],
)  # fmt: skip
def test_printf_answers_as_sqlite_does(published, args):
    want = sqlite3.connect(":memory:").execute(f"select printf({args})").fetchone()[0]
    r = _sql(published["ds"], f"select printf({args}) as v")
    assert r.status_code == 200, r.text
    assert r.json() == [{"v": want}]


def test_the_largest_source_a_ledger_can_hold_is_still_read(run, workspace):
    from ledger.corpus import MAX_BYTES
    from ledger.publish.serve import make_datasette

    para = "The ministry said the troops had arrived at the border on Monday. "
    (workspace / "big.txt").write_text(para * (MAX_BYTES // len(para)))
    assert run("ingest", "big.txt").exit_code == 0
    ds = make_datasette(str(workspace / "ledger.db"))
    r = _sql(ds, "select length(text) as n, length(raw) as b from sources order by text")
    assert r.status_code == 200, r.text[:200]
    assert r.json()[0]["b"] > MAX_BYTES - len(para)
