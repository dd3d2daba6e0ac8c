"""Datasette publishing through Datasette's own test client: every route, read-only, escaped."""

import asyncio
import json
import re
import subprocess
import sys
from urllib.parse import quote as urlquote

import pytest

from ledger.publish.serve import make_datasette
from tests.conftest import add_kremlin, get
from tests.schemaorg import validate


def test_permalink_page(published):
    ds, nato = published["ds"], published["nato"]
    r = get(ds, f"/claims/{nato}")
    assert r.status_code == 200
    html = r.text
    assert "North Korean soldiers are fighting against Ukraine." in html
    assert (
        '<mark class="fl-quote">current information does not confirm the active engagement' in html
    )
    assert "denied by Kremlin (Dmitry Peskov)" in html and "unverified" in html
    assert "Ledger head when rendered" in html
    head = json.loads(published["run"]("head", "--json").output)["head"]
    assert head in html
    old = get(ds, f"/claims/{nato}@1")
    assert old.status_code == 200 and "Version 1 of 2" in old.text
    assert get(ds, "/claims/FL-222222").status_code == 404


def test_permalink_json_and_jsonld(published, monkeypatch):
    ds, nato = published["ds"], published["nato"]
    data = get(ds, f"/claims/{nato}.json").json()
    assert data["ok"] and data["claim"]["id"] == nato and data["claim"]["current_version"] == 2
    assert data["head"]["entries"] > 0
    r = get(ds, f"/claims/{nato}.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    ld = r.json()
    assert ld["@type"] == "ClaimReview" and ld["reviewRating"]["alternateName"] == "unverified"
    assert ld["url"] == f"http://localhost/claims/{nato}"  # where the page is served
    monkeypatch.setenv("FACTLEDGER_BASE_URL", "https://facts.example.org/")
    assert get(ds, f"/claims/{nato}.jsonld").json()["url"] == (
        f"https://facts.example.org/claims/{nato}"
    )
    assert validate(ld) == []
    assert get(ds, "/claims/FL-222222.json").json()["ok"] is False


@pytest.mark.parametrize(
    "path, message",
    [
        ("/claims/FL-222222", "no claim FL-222222 in this ledger"),
        ("/claims/garbage", "is not a claim ID"),
        ("/claims/FL-222222.xml", "is not a claim ID"),
        ("/claims/FL-222222@0.json", "the version after @ must be a whole number"),
    ],
)
def test_a_wrong_claim_address_gets_a_clear_404_and_no_server_traceback(
    published, capfd, path, message
):
    r = get(published["ds"], path)
    assert r.status_code == 404
    assert message in (r.json()["error"] if path.endswith(".json") else r.text)
    assert get(published["ds"], "/ledger/no_such_table").status_code == 404
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err


def test_a_claim_id_typed_in_lower_case_goes_to_its_page(published):
    nato = published["nato"]
    for suffix in ("", "@1", ".json"):
        r = get(published["ds"], f"/claims/{nato.lower()}{suffix}")
        assert r.status_code == 302 and r.headers["location"] == f"/claims/{nato}{suffix}"


def test_claim_ids_link_to_permalinks(published):
    ds, nato = published["ds"], published["nato"]
    html = get(ds, "/ledger/stances").text
    assert f'<a href="/claims/{nato}">{nato}</a>' in html


@pytest.mark.parametrize(
    "query,params,check",
    [
        ("claims_by_actor", "actor=Kremlin", lambda rows, p: rows[0]["actor"] == "Kremlin (Dmitry Peskov)"),
        ("denied_or_unconfirmed_by", "actor=NATO", lambda rows, p: rows[0]["claim_id"] == p["nato"]),
        ("conflicting_figures", "subject=troops",
         lambda rows, p: {r["actor"] for r in rows} >= set(p["figures"])),
        ("claim_history", "claim_id={nato}", lambda rows, p: [r["event"] for r in rows][:2] == ["version 1", "unconfirmed by NATO (Mark Rutte)"]),
        ("acceptance_rate", "", lambda rows, p: rows == []),
        ("search_claims", "q=fighting", lambda rows, p: [r["claim_id"] for r in rows] == [p["nato"]]),
        ("search_claims", "q=troops", lambda rows, p: len(rows) == 3 and "North Korea deployed about 3,000 troops to Russia." in [r["claim"] for r in rows]),
        ("search_quotes", "q=Peskov", lambda rows, p: [r["status"] for r in rows] == ["denied by Kremlin (Dmitry Peskov)"]),
        ("search_quotes", "q=%22unbalanced", lambda rows, p: rows == []),
        ("search_quotes", "q=%22", lambda rows, p: rows == []),
        ("search_claims", "q=%20%20", lambda rows, p: rows == []),
    ],
)  # fmt: skip
def test_canned_queries(published, query, params, check):
    path = f"/ledger/{query}.json?_shape=array&" + params.format(nato=published["nato"])
    r = get(published["ds"], path)
    assert r.status_code == 200, r.text
    assert check(r.json(), published)
    # Opened with its parameters empty, a query shows its form and no rows, not the whole ledger.
    empty = get(published["ds"], f"/ledger/{query}.json?_shape=array")
    assert empty.status_code == 200 and empty.json() == []


def test_conflicting_figures_lists_each_number_with_who_gave_it(published):
    rows = get(
        published["ds"], "/ledger/conflicting_figures.json?_shape=array&subject=troops"
    ).json()
    got = {r["actor"]: r["claim"] for r in rows}
    assert "11,000" in got["Ukraine’s Defense Intelligence"]
    assert "1,500" in got["South Korea’s intelligence agency"]
    assert "3,000" in got["Sen. Ben Cardin"]


def test_facets_and_search(published):
    ds = published["ds"]
    data = get(ds, "/ledger/stances.json?_facet=stance&_facet=actor").json()
    stances = {f["value"]: f["count"] for f in data["facet_results"]["stance"]["results"]}
    assert stances == {"unconfirmed": 1, "denied": 1, "asserted": 3}
    found = get(ds, "/ledger/current_claims.json?_search=fighting&_shape=array").json()
    assert [r["claim_id"] for r in found] == [published["nato"]]
    quotes = get(ds, "/ledger/stances.json?_search=Peskov&_shape=array").json()
    assert [r["actor"] for r in quotes] == ["Kremlin (Dmitry Peskov)"]
    meta = get(ds, "/-/metadata.json").json()
    assert meta["databases"]["ledger"]["tables"]["current_claims"]["description"]
    # The HTML page names each default facet by its column alone, as Datasette's own facets.
    html = get(ds, "/ledger/stances").text
    for col in ("stance", "actor", "publisher", "source_id"):
        assert re.search(rf'data-column="{col}">\s*<p class="facet-info-name">\s*'
                         rf'<strong>{col}\s*<span class="facet-info-total">', html), col  # fmt: skip
    assert "(counted)" not in html


def test_writes_refused(published, workspace):
    ds = published["ds"]
    before = published["run"]("head", "--json").output
    r = get(ds, "/ledger.json?sql=DELETE+FROM+claims")
    assert r.status_code == 400 and "SELECT" in r.text
    for path in ("/ledger/claims_by_actor", "/ledger/claims", "/-/logout"):
        r = asyncio.run(ds.client.post(path, data={"actor": "x"}))
        assert r.status_code == 405 and "read-only" in r.text
    assert published["run"]("head", "--json").output == before
    assert published["run"]("verify").exit_code == 0


def test_time_limit_stops_a_slow_query(published):
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    from urllib.parse import quote

    r = get(published["ds"], f"/ledger.json?sql={quote(sql)}&_timelimit=50")
    assert r.status_code == 400 and "took too long" in r.text


def test_script_in_article_is_escaped(run, workspace):
    (workspace / "evil.txt").write_text(
        "The agency said <script>alert('pwned')</script> was found on the site.\n"
    )
    run("ingest", "evil.txt")
    cid = run("add", "--source", "evil.txt", "--quote", "<script>alert('pwned')</script> was found",
              "--claim", "A <script> tag was found.", "--actor", "Agency <b>X</b>",
              "--stance", "asserted").output.strip()  # fmt: skip
    ds = make_datasette(str(workspace / "ledger.db"))
    html = get(ds, f"/claims/{cid}").text
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html
    assert "Agency &lt;b&gt;X&lt;/b&gt;" in html
    table = get(ds, "/ledger/stances").text
    assert "<script>alert(" not in table


def test_publish_bundle(published, workspace):
    r = published["run"]("publish", "--out", "bundle", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    bundle = workspace / "bundle"
    assert (bundle / "ledger.db").exists() and (bundle / "metadata.json").exists()
    assert "datasette publish" in (bundle / "README.md").read_text()
    assert not (bundle / "ledger.db-wal").exists()
    check = published["run"]("--db", "bundle/ledger.db", "verify", "--head", out["head"])
    assert check.exit_code == 0, check.output
    again = published["run"]("publish", "--out", "bundle")
    assert again.exit_code == 1 and "not empty" in again.output
    # The folder is a Datasette configuration directory: immutable, counts precomputed.
    from datasette.app import Datasette

    ds = Datasette(config_dir=bundle)
    assert not ds.databases["ledger"].is_mutable
    inspected = json.loads((bundle / "inspect-data.json").read_text())["ledger"]["tables"]
    tables = {t["name"]: t["count"] for t in get(ds, "/ledger.json").json()["tables"]}
    assert tables["stances"] == inspected["stances"]["count"] == 5
    facets = get(ds, "/ledger/stances.json").json()["facet_results"]
    assert sorted(facets) == ["actor", "publisher", "source_id", "stance"]
    page = get(ds, f"/claims/{published['nato']}")
    assert page.status_code == 200 and "Ledger head when rendered" in page.text
    home = get(ds, "/")
    assert "Latest claims" in home.text and "/-/factledger.css" in home.text
    assert get(ds, "/-/factledger.css").status_code == 200
    huge = get(ds, "/ledger.json?sql=" + urlquote("select printf('%.*c', 900000000, 'x')"))
    assert huge.status_code == 400 and huge.json()["error"] == "string or blob too big"
    readme = (bundle / "README.md").read_text()
    assert "--setting suggest_facets off" in readme and "--install sqlite-utils" in readme


def test_bundle_plugin_loads_the_package_inside_the_bundle(published, workspace):
    """Where factledger is not installed (a published image), the plugin uses its own copy."""
    assert published["run"]("publish", "--out", "bundle").exit_code == 0
    shim = workspace / "bundle" / "plugins" / "factledger_plugin.py"
    code = (
        "import importlib.metadata as m, runpy\n"
        "def gone(name):\n    raise m.PackageNotFoundError(name)\n"
        "m.distribution = gone\n"
        f"hooks = runpy.run_path({str(shim)!r})\n"
        "import ledger\n"
        "print(ledger.__file__, sorted(k for k in hooks if not k.startswith('_')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    where, hooks = out.stdout.split(" ", 1)
    assert where.startswith(str(workspace / "bundle" / "plugins" / "ledger"))
    import ledger.publish

    for hook in ledger.publish.__all__:  # every hook, the reader home and the limits among them
        assert f"'{hook}'" in hooks, hook


def test_reader_tables_follow_the_ledger(published, workspace):
    """The trigger-kept current_claims table agrees with the ledger and with a full rebuild."""
    run = published["run"]
    nato = published["nato"]
    first = published["figures"]["Sen. Ben Cardin"]
    run("retract", first, "--reason", "wrong figure")
    run("verdict", nato, "mostly_supported")
    import sqlite3

    from sqlite_utils import Database

    from ledger import readers

    conn = sqlite3.connect(workspace / "ledger.db")
    live = conn.execute("SELECT * FROM current_claims ORDER BY claim_id").fetchall()
    expected = {c["id"]: c for c in json.loads(run("claims", "--json").output)}
    for row in live:
        c = expected[row[0]]
        assert (row[1], row[2], row[3], row[5], row[6]) == (
            c["version"],
            c["text"],
            c["status"],
            c["verdict"],
            c["stance_summary"],
        )
    stances = conn.execute("SELECT count(*) FROM stances").fetchone()[0]
    assert stances == conn.execute("SELECT count(*) FROM stance_events").fetchone()[0]
    conn.close()
    db = Database(workspace / "ledger.db")
    with db.conn:
        readers.rebuild(db)
    rebuilt = (
        sqlite3.connect(workspace / "ledger.db")
        .execute("SELECT * FROM current_claims ORDER BY claim_id")
        .fetchall()
    )
    assert rebuilt == live


def test_default_facets_and_table_counts_come_from_kept_counts(published, raw_db):
    ds, conn = published["ds"], raw_db()
    data = get(ds, "/ledger/stances.json").json()
    for col in ("stance", "actor", "source_id"):
        facet = data["facet_results"][col]
        assert facet["type"] == "counted"
        live = dict(
            conn.execute(f"SELECT {col}, count(*) FROM stances WHERE {col} NOTNULL GROUP BY 1")
        )
        assert {v["value"]: v["count"] for v in facet["results"]} == live
        assert all(f"{col}=" in v["toggle_url"] for v in facet["results"])
    # A source is counted by its ID and shown by its title, as Datasette shows a foreign key.
    titles = dict(conn.execute("SELECT id, title FROM sources"))
    sources = data["facet_results"]["source_id"]["results"]
    assert {v["value"]: v["label"] for v in sources} == {v["value"]: titles[v["value"]]
                                                          for v in sources}  # fmt: skip
    # A filtered page counts its facets live, over the filtered rows only.
    denied = get(ds, "/ledger/stances.json?stance=denied").json()["facet_results"]["actor"]
    assert {v["value"]: v["count"] for v in denied["results"]} == {"Kremlin (Dmitry Peskov)": 1}
    tables = {t["name"]: t["count"] for t in get(ds, "/ledger.json").json()["tables"]}
    for name in ("claims", "stance_events", "stances", "current_claims", "ledger_entries",
                 "claim_versions_fts", "stance_events_fts_docsize", "proposal_decisions"):  # fmt: skip
        assert tables[name] == conn.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0], name
    page = get(ds, "/ledger/current_claims").text
    assert "unverified" in page and "timed out" not in page
    # Counts follow the live ledger: a new stance moves the head, and the numbers with it.
    assert data["filtered_table_rows_count"] == 5
    add_kremlin(published["run"], published["nato"], actor="Kremlin")
    again = get(ds, "/ledger/stances.json").json()
    assert again["filtered_table_rows_count"] == 6
    # A page filtered by one facet value takes its count from the kept counts too.
    for query, n in (("stance=denied", 2), ("actor=Kremlin", 1), ("actor=nobody", 0),
                     ("stance=denied&actor=Kremlin", 1), ("stance__notnull=1", 6)):  # fmt: skip
        count = get(ds, f"/ledger/stances.json?{query}").json()["filtered_table_rows_count"]
        assert count == n, query
    assert {v["value"]: v["count"] for v in again["facet_results"]["stance"]["results"]} == {
        "asserted": 3, "denied": 2, "unconfirmed": 1}  # fmt: skip
    tables = {t["name"]: t["count"] for t in get(ds, "/ledger.json").json()["tables"]}
    assert tables["stances"] == tables["stance_events_fts_docsize"] == 6


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/current_claims.json?_search=troops",
        "/ledger/stances.json?_search=Peskov",
        "/ledger/stances.json?actor=Kremlin+(Dmitry+Peskov)",
        "/ledger/current_claims.json?verdict=unverified",
        "/ledger/stances.json?actor=Kremlin+(Dmitry+Peskov)&stance=denied",
        "/ledger/stances.json?source_id={lawmaker}&stance=asserted",
        "/ledger/stances.json?source_id={lawmaker}",
        "/ledger/stances.json?actor=Kremlin+(Dmitry+Peskov)&source_id={lawmaker}",
        "/ledger/stances.json?publisher=The+Washington+Times&source_id={times}",
        "/ledger/current_claims.json?source_id={lawmaker}",
        "/ledger/current_claims.json?verdict=unverified&status=active",
    ],
)
def test_searches_and_filters_read_rows_in_page_order(published, raw_db, path):
    """Newest first in the index's own order: no sort of every match, however many match."""
    (lawmaker,) = raw_db().execute(
        "SELECT id FROM sources WHERE title = 'US Lawmaker Warns That North Korean Soldiers "
        "Joining Russia Would Cross a Critical Line'"
    )
    (times,) = raw_db().execute("SELECT id FROM sources WHERE publisher = 'The Washington Times'")
    data = get(published["ds"], path.format(lawmaker=lawmaker[0], times=times[0])).json()
    newest = {"current_claims": "search_rowid", "stances": "stance_rowid"}[data["table"]]
    assert data["rows"] and f"order by {newest} desc" in data["query"]["sql"]
    order = [r[data["columns"].index(newest)] for r in data["rows"]]
    assert order == sorted(order, reverse=True)
    conn = raw_db()
    conn.create_function("escape_fts", 1, lambda s: s)
    plan = conn.execute("EXPLAIN QUERY PLAN " + data["query"]["sql"], data["query"]["params"])
    steps = " | ".join(row[-1] for row in plan)
    assert "TEMP B-TREE FOR ORDER BY" not in steps, steps
    assert "USING INDEX" in steps, steps
    # Every filter is answered by the index itself (a pair of facet values included).
    filters = [k for k in data["query"]["params"] if k.startswith("p")]
    assert steps.count("=?") >= len(filters), steps


@pytest.mark.parametrize(
    "query",
    ["", "stance=denied", "stance=asserted", "actor__exact=Sen.+Ben+Cardin",
     "verdict=unverified", "status=active", "stance__notnull=1", "superseded_by__isnull=1",
     "source_id={lawmaker}", "source_id={untitled}"],
)  # fmt: skip
def test_kept_facets_match_datasettes_own_live_facets(published, raw_db, query):
    """Unfiltered and one-value pages read kept counts; Datasette's own facet agrees (on a
    source's label too: its title, or None where it has none)."""
    ds = published["ds"]
    ids = dict(raw_db().execute("SELECT coalesce(title, ''), id FROM sources"))
    lawmaker = next(v for k, v in ids.items() if k.startswith("US Lawmaker"))
    query = query.format(lawmaker=lawmaker, untitled=ids[""])
    table = "current_claims" if query.startswith(("verdict", "status", "super")) else "stances"
    cols = {"current_claims": ["verdict", "status", "publisher"],
            "stances": ["stance", "actor", "publisher", "source_id"]}[table]  # fmt: skip
    live = "&".join(f"_facet={c}" for c in cols)
    data = get(ds, f"/ledger/{table}.json?{query}&{live}").json()["facet_results"]
    for col in cols:
        pair = {f["type"]: f for f in data.values() if f["name"] == col}
        kept, own = pair["counted"], pair["column"]
        shown = ("value", "label", "count", "selected")
        strip = [{k: v[k] for k in shown} for v in own["results"]]
        assert [{k: v[k] for k in shown} for v in kept["results"]] == strip
        assert [v["toggle_url"] for v in kept["results"]] == [
            v["toggle_url"] for v in own["results"]
        ]
    # They are read from the kept tables, not counted again: scale those and the page follows.
    before = get(ds, f"/ledger/{table}.json?{query}").json()
    conn = raw_db()
    conn.execute("UPDATE facet_counts SET n = n * 10 WHERE col != ''")
    conn.execute("UPDATE facet_pair_counts SET n = n * 10")
    after = get(ds, f"/ledger/{table}.json?{query}").json()
    kept_path = "__" not in query or "__exact" in query  # __notnull and the like: live
    for col in cols:
        counts = [{v["value"]: v["count"] for v in page["facet_results"][col]["results"]}
                  for page in (before, after)]  # fmt: skip
        assert counts[1] == {k: n * (10 if kept_path else 1) for k, n in counts[0].items()}, col
    if "=" in query and kept_path:  # one facet value: its row count is kept too
        assert after["filtered_table_rows_count"] == 10 * before["filtered_table_rows_count"]


def test_a_value_shared_by_two_columns_is_selected_only_in_its_own(published, raw_db):
    """An actor named like a source ID: filtering by the actor selects no source."""
    source = raw_db().execute("SELECT source_id FROM stances WHERE actor LIKE 'Kremlin%'")
    source = source.fetchone()[0]
    assert add_kremlin(published["run"], published["nato"], actor=source).exit_code == 0
    page = get(published["ds"], f"/ledger/stances.json?actor={urlquote(source)}&_facet=source_id")
    facets = page.json()["facet_results"].values()
    pair = {f["type"]: f for f in facets if f["name"] == "source_id"}
    assert pair["counted"]["results"] == pair["column"]["results"]
    assert [(v["value"], v["selected"]) for v in pair["counted"]["results"]] == [(source, False)]
    actor = next(f for f in facets if f["name"] == "actor" and f["type"] == "counted")
    assert [(v["value"], v["selected"]) for v in actor["results"]] == [(source, True)]


def test_another_database_served_alongside_keeps_datasettes_counts(published, workspace):
    """Tables that share a reader table's name in another database are counted live."""
    import sqlite3

    from datasette.app import Datasette

    other = workspace / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE stances (id INTEGER PRIMARY KEY, actor TEXT)")
        conn.executemany("INSERT INTO stances (actor) VALUES (?)", [("a",), ("a",), ("b",)])
    ds = Datasette(files=[str(workspace / "ledger.db"), str(other)])
    r = get(ds, "/other/stances.json?_facet_counted=actor")
    assert r.status_code == 200, r.text
    facet = r.json()["facet_results"]["actor"]
    assert {v["value"]: v["count"] for v in facet["results"]} == {"a": 2, "b": 1}
    tables = {t["name"]: t["count"] for t in get(ds, "/other.json").json()["tables"]}
    assert tables["stances"] == 3


def test_serve_and_publish_bring_an_older_ledger_up_to_date(workspace, run):
    """A ledger made before the kept counts is migrated, not served with broken pages."""
    import sqlite_utils

    from ledger.migrations import migrations

    path = workspace / "ledger.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m004_counts_and_proposal_decisions")
    db.close()
    r = run("publish", "--out", "bundle")
    assert r.exit_code == 0, r.output
    inspected = json.loads((workspace / "bundle" / "inspect-data.json").read_text())["ledger"]
    assert "facet_counts" in inspected["tables"] and inspected["tables"]["stances"] == {"count": 0}
    ds = make_datasette(str(path))
    assert get(ds, "/ledger/stances.json").status_code == 200
    applied = {m.name for m in migrations.applied(sqlite_utils.Database(path))}
    assert "m005_reader_page_indexes" in applied


def test_a_ledger_served_as_claims_keeps_its_pages_and_the_claim_pages(published, workspace):
    """`factledger --db claims.db serve`: /claims/TABLE is the table, /claims/ID the claim."""
    import shutil

    shutil.copy(workspace / "ledger.db", workspace / "claims.db")
    ds = make_datasette(str(workspace / "claims.db"))
    nato = published["nato"]
    rows = get(ds, "/claims/current_claims.json?_shape=array").json()
    assert nato in [r["claim_id"] for r in rows]
    assert get(ds, "/claims/stances").status_code == 200
    assert get(ds, f"/claims/{nato}").status_code == 200
    assert get(ds, f"/claims/{nato.lower()}.json").headers["location"] == f"/claims/{nato}.json"
    assert "no claim FL-222222" in get(ds, "/claims/FL-222222").text


def test_conflicting_figures_on_the_seeds_with_their_proposals_accepted(seeded, workspace):
    """As the README says: the seeds proposed, every proposal accepted, then subject=troops."""
    assert seeded("propose", "--all").exit_code == 0
    for p in json.loads(seeded("proposals", "--json").output):
        r = seeded("decide", p["id"], "accept")
        assert r.exit_code == 0, r.output
    ds = make_datasette(str(workspace / "ledger.db"))
    rows = get(ds, "/ledger/conflicting_figures.json?_shape=array&subject=troops").json()
    assert [(r["figure"], r["actor"], r["stance"]) for r in rows] == [
        ("1,500", "South Korea’s intelligence agency", "asserted"),
        ("3,000", "Sen. Ben Cardin", "asserted"),
        ("11,000", "Ukraine’s Defense Intelligence", "asserted"),
    ]
    # Who else took a stance on the figure's claim: the Kremlin denied the 1,500 report.
    assert "denied by Kremlin (Dmitry Peskov)" in rows[0]["status_summary"]
    assert all(
        (r["source_title"] or r["publisher"]) and r["claim_id"].startswith("FL-") for r in rows
    )
    # "soldiers" finds the same figures; a subject no claim counts finds none.
    soldiers = get(ds, "/ledger/conflicting_figures.json?_shape=array&subject=soldiers").json()
    assert [r["figure"] for r in soldiers] == ["1,500", "3,000", "11,000"]
    for subject in ("ships", "%22", "%21%21"):
        path = f"/ledger/conflicting_figures.json?_shape=array&subject={subject}"
        assert get(ds, path).json() == [], subject


def test_claimreview_is_served_only_for_a_claim_with_a_verdict(published):
    ds, cid = published["ds"], published["figures"]["Sen. Ben Cardin"]
    r = get(ds, f"/claims/{cid}.jsonld")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error == f"{cid}@1 has no verdict yet: ClaimReview is published once it has one"
    page = get(ds, f"/claims/{cid}")
    assert page.status_code == 200
    assert "application/ld+json" not in page.text and ".jsonld" not in page.text
    assert published["run"]("verdict", cid, "mostly_supported").exit_code == 0
    ld = get(ds, f"/claims/{cid}.jsonld")
    assert ld.status_code == 200 and ld.json()["reviewRating"]["ratingValue"] == 4
    assert "application/ld+json" in get(ds, f"/claims/{cid}").text


@pytest.mark.parametrize(
    "base, warned",
    [(None, True), ("http://localhost:8001", True), ("http://127.0.0.1:9000/", True),
     ("https://facts.example.org", False)],
)  # fmt: skip
def test_publish_warns_when_permalinks_would_point_at_this_machine(
    published, monkeypatch, base, warned
):
    if base is None:
        monkeypatch.delenv("FACTLEDGER_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("FACTLEDGER_BASE_URL", base)
    r = published["run"]("publish", "--out", "bundle")
    assert r.exit_code == 0, r.output
    warnings = [line for line in r.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == (1 if warned else 0), r.output
    if warned:
        assert "FACTLEDGER_BASE_URL" in warnings[0]
        assert (base or "http://127.0.0.1:8001").rstrip("/") in warnings[0]
    data = json.loads(published["run"]("publish", "--out", "again", "--json").output)
    assert len(data["warnings"]) == (1 if warned else 0)
