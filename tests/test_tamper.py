"""Tamper tests: change one column of one row, as someone with the file would (triggers dropped),
and `verify` must fail naming the row. Every column of every ledger table, and of every derived
table a reader is shown.

The ledger under test is the 0.1 fixture, upgraded (format 1 rows, an attestation), then grown
with format 2 rows in every table.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import derived, rowformat
from ledger.cli import cli
from ledger.store import Ledger
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, ROOT, SEED_A

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v0.1.db"
DERIVED = (
    "current_claims",
    "stances",
    "proposal_decisions",
    "facet_counts",
    "facet_pair_counts",
    "decision_counts",
)


def _cli(*args: str) -> str:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The upgraded fixture with format 2 rows in every ledger table."""
    here = tmp_path_factory.mktemp("template")
    shutil.copytree(ROOT / "corpus", here / "corpus")
    shutil.copy(FIXTURE, here / "ledger.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(here)
        mp.setenv("FACTLEDGER_REVIEWER", "tamper-test")
        (here / "corpus" / "extra.txt").write_text(
            "NATO said on Monday that North Korean troops had been sent to Kursk. "
            "The Kremlin denied that any foreign soldiers were fighting there.\n"
        )
        _cli("ingest", "corpus/extra.txt")
        out = _cli("add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim",
                   "North Korean soldiers fight for Russia.", "--actor", "NATO", "--stance",
                   "unconfirmed", "--json")  # fmt: skip
        cid = json.loads(out)["id"]
        _cli("stance", cid, "--source", f"corpus/{SEED_A}", "--quote", KREMLIN_QUOTE,
             "--actor", "Kremlin", "--stance", "denied", "--note", "a note")  # fmt: skip
        _cli("verdict", cid, "misleading", "--note", "why")
        _cli("edit", cid, "--claim", "North Korean soldiers fight for Russia in Kursk.",
             "--reason", "more exact")  # fmt: skip
        _cli("propose", "corpus/extra.txt")
        proposals = json.loads(_cli("proposals", "--source", "corpus/extra.txt", "--json"))
        _cli("decide", proposals[0]["id"], "accept", "--reason", "fine")
        _cli("retract", cid, "--reason", "wrong")
        # Team review rows: an assignment, two votes that settle, a setting, a held verdict and
        # its confirmation.
        left = json.loads(_cli("proposals", "--source", "corpus/extra.txt", "--state", "pending",
                               "--json"))  # fmt: skip
        _cli("assign", "--reviewers", "ana,ben", "--overlap", "2", "corpus/extra.txt")
        for name in ("ana", "ben"):
            _cli("decide", left[0]["id"], "accept", "--reviewer", name, "--reason", "ok")
        _cli("config", "require_second_reviewer", "true")
        other = json.loads(_cli("claims", "--json"))[-1]["id"]
        held = json.loads(_cli("verdict", other, "supported", "--note", "seen", "--json"))
        _cli("confirm", held["pending"], "--reviewer", "second")
        with Ledger("ledger.db") as ledger, ledger.transaction():
            ledger.append(
                "model_calls",
                {c: (7 if col.type == "INTEGER" else 0.5 if col.type == "FLOAT" else f"{c}-v")
                 for c, col in rowformat.TABLES["model_calls"].items()},
            )  # fmt: skip
        _cli("keygen", "tamper.example.org", "-o", "key.txt")
        _cli("checkpoint", "--key", "key.txt")
        _cli("verify")
    return here / "ledger.db"


@pytest.fixture
def ledger_copy(template, workspace) -> Path:
    shutil.copy(template, workspace / "ledger.db")
    return workspace / "ledger.db"


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        if name.endswith(("_no_update", "_no_delete")):
            conn.execute(f"DROP TRIGGER [{name}]")
    return conn


def _changed(value):
    if value is None:
        return "x"
    if isinstance(value, bytes):
        return value + b"!"
    if isinstance(value, float):
        return value + 0.25
    if isinstance(value, int):
        return value + 1
    return value + "x"


def _verify(*args: str) -> str:
    r = CliRunner().invoke(cli, ["verify", *args], catch_exceptions=False)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    return r.output


LEDGER_COLUMNS = [(t, c) for t in rowformat.TABLES for c in rowformat.columns(t)]


@pytest.mark.parametrize(("table", "column"), LEDGER_COLUMNS)
def test_a_changed_column_of_a_ledger_row_is_named(ledger_copy, table, column):
    conn = _open(ledger_copy)
    seq, rid, value = conn.execute(
        f"SELECT seq, id, [{column}] FROM [{table}] ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if column == "format":
        assert value in rowformat.FORMATS and value >= 2
    conn.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE seq = ?", [_changed(value), seq])
    out = _verify("--quick")
    assert f"({table} {_changed(rid) if column == 'id' else rid})" in out
    assert f"seq {seq} " in out or f"seq {seq + 1} " in out


@pytest.mark.parametrize("column", ["text", "claim_id", "version", "quote", "seq", "hash"])
def test_a_changed_format_1_row_is_named(ledger_copy, column):
    conn = _open(ledger_copy)
    seq, rid, value = conn.execute(
        f"SELECT seq, id, [{column}] FROM claim_versions WHERE format IS NULL ORDER BY seq LIMIT 1"
    ).fetchone()
    conn.execute(f"UPDATE claim_versions SET [{column}] = ? WHERE seq = ?", [_changed(value), seq])
    assert f"(claim_versions {rid})" in _verify("--quick")


@pytest.mark.parametrize("column", ["seq", "tbl", "row_id", "digest", "attestation_id"])
def test_a_changed_attested_field_is_named(ledger_copy, column):
    conn = _open(ledger_copy)
    seq, rid, value = conn.execute(
        f"SELECT seq, row_id, [{column}] FROM attested_fields ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    conn.execute(f"UPDATE attested_fields SET [{column}] = ? WHERE seq = ?", [_changed(value), seq])
    out = _verify("--quick")
    assert f"(claim_versions {rid})" in out or "(attestations AT-f1-" in out


@pytest.mark.parametrize("column", ["seq", "tbl", "row_id"])
def test_a_changed_spine_entry_is_named(ledger_copy, column):
    conn = _open(ledger_copy)
    seq, tbl, rid, value = conn.execute(
        f"SELECT seq, tbl, row_id, [{column}] FROM ledger_entries ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    conn.execute(f"UPDATE ledger_entries SET [{column}] = ? WHERE seq = ?", [_changed(value), seq])
    assert f"({tbl} {rid})" in _verify("--quick")


def _derived_columns():
    """Every column of every derived table, as this version derives them (the v0.1 fixture's
    tables are older: the upgrade rebuilds them)."""
    kept = derived._derivations()
    return [(t, c.strip()) for t in DERIVED for c in kept[t][1].split(",")]


@pytest.mark.parametrize(("table", "column"), _derived_columns())
def test_a_changed_column_of_a_derived_row_is_named(ledger_copy, table, column):
    pk, key = change_derived_column(_open(ledger_copy), table, column)
    out = _verify()
    assert out.startswith(f"Error: {table} ") and "run 'factledger rebuild'" in out
    if column not in pk:
        assert f"Error: {table} {'/'.join(map(str, key))}: {column} differs from the ledger" in out
    assert CliRunner().invoke(cli, ["verify", "--quick"]).exit_code == 0
    assert CliRunner().invoke(cli, ["rebuild"]).exit_code == 0
    assert CliRunner().invoke(cli, ["verify"]).exit_code == 0


def change_derived_column(conn: sqlite3.Connection, table: str, column: str) -> tuple[list, list]:
    """Change one column of the first row of a derived table; its primary key and that key."""
    pk = _pk(conn, table)
    keys = ", ".join(f"[{k}]" for k in pk)
    where = "WHERE n > 0" if table.endswith("_counts") else ""  # a zero count is no row
    *key, value = conn.execute(
        f"SELECT {keys}, [{column}] FROM [{table}] {where} ORDER BY {keys} LIMIT 1"
    ).fetchone()
    conn.execute(
        f"UPDATE [{table}] SET [{column}] = ? WHERE ({keys}) = ({', '.join('?' for _ in pk)})",
        [_changed(value), *key],
    )
    return pk, key


def _pk(conn: sqlite3.Connection, table: str) -> list[str]:
    cols = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
    return [r[1] for r in sorted(cols, key=lambda r: r[5]) if r[5]]


@pytest.mark.parametrize("table", list(DERIVED))
def test_a_deleted_or_added_derived_row_is_named(ledger_copy, table):
    conn = _open(ledger_copy)
    keys = ", ".join(_pk(conn, table))
    where = "WHERE n > 0" if table.endswith("_counts") else ""  # a zero count is no row
    first = conn.execute(f"SELECT * FROM [{table}] {where} ORDER BY {keys} LIMIT 1").fetchone()
    conn.execute(
        f"DELETE FROM [{table}] WHERE ({keys}) = (SELECT {keys} FROM [{table}] {where} "
        f"ORDER BY {keys} LIMIT 1)"
    )
    assert "missing (the ledger has it)" in _verify()
    placeholders = ", ".join("?" for _ in first)
    extra = [_changed(v) if i == 0 else v for i, v in enumerate(first)]
    conn.execute(f"INSERT INTO [{table}] VALUES ({placeholders})", first)
    conn.execute(f"INSERT INTO [{table}] VALUES ({placeholders})", extra)
    assert "not in the ledger" in _verify()


def test_the_issues_reproduction_now_fails_verify(seeded, workspace):
    """The issue's steps: a claim wording changed from the sqlite3 shell is caught."""
    r = seeded("add", "--source", f"corpus/{SEED_A}", "--quote", NATO_QUOTE, "--claim",
               "North Korean soldiers are actively engaged in the war against Ukraine.",
               "--actor", "NATO (Mark Rutte)", "--stance", "unconfirmed")  # fmt: skip
    cid = r.output.strip()
    assert seeded("verify").exit_code == 0
    proc = subprocess.run(
        ["sqlite3", "ledger.db", "DROP TRIGGER claim_versions_no_update; UPDATE claim_versions "
         "SET text = 'North Korean soldiers are NOT in Russia.'"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    r = seeded("verify")
    assert r.exit_code == 1
    assert f"(claim_versions {cid}@1): hash does not match its contents" in r.output


def test_a_blob_where_text_belongs_is_named(ledger_copy):
    conn = _open(ledger_copy)
    seq, rid = conn.execute("SELECT seq, id FROM stance_events ORDER BY seq LIMIT 1").fetchone()
    conn.execute("UPDATE stance_events SET quote = CAST(quote AS BLOB) WHERE seq = ?", [seq])
    out = _verify("--quick")
    assert f"seq {seq} (stance_events {rid}): quote holds bytes" in out
    conn.execute("UPDATE stance_events SET quote = CAST(quote AS TEXT) WHERE seq = ?", [seq])
    sid = conn.execute("SELECT id FROM sources ORDER BY seq LIMIT 1").fetchone()[0]
    conn.execute("UPDATE sources SET text = CAST(text AS BLOB) WHERE id = ?", [sid])
    assert f"(sources {sid}): source text does not match its text_sha256" in _verify("--quick")


def test_rebuild_restores_the_search_index(ledger_copy):
    conn = _open(ledger_copy)
    match = "SELECT count(*) FROM claim_versions_fts WHERE claim_versions_fts MATCH 'Korean'"
    assert conn.execute(match).fetchone()[0] > 0
    conn.execute("INSERT INTO claim_versions_fts (claim_versions_fts) VALUES ('delete-all')")
    assert conn.execute(match).fetchone()[0] == 0
    conn.close()
    r = CliRunner().invoke(cli, ["rebuild"])
    assert r.exit_code == 0 and r.output.startswith("rebuilt derived tables from ")
    assert sqlite3.connect(ledger_copy).execute(match).fetchone()[0] > 0


def test_verify_checks_a_publish_bundle(ledger_copy, workspace):
    r = CliRunner().invoke(cli, ["publish", "--out", "bundle"])
    assert r.exit_code == 0, r.output
    bundle = workspace / "bundle" / "ledger.db"
    ok = CliRunner().invoke(cli, ["--db", str(bundle), "verify"])
    assert ok.exit_code == 0 and ok.output.startswith("ok: ")
    conn = _open(bundle)
    conn.execute("UPDATE current_claims SET verdict = 'supported' WHERE rowid = 1")
    conn.close()
    r = CliRunner().invoke(cli, ["--db", str(bundle), "verify"])
    assert r.exit_code == 1 and "verdict differs from the ledger" in r.output


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO attested_fields SELECT * FROM attested_fields LIMIT 1",
        "UPDATE attested_fields SET digest = 'x'",
        "DELETE FROM attested_fields",
    ],
)
def test_attested_fields_are_append_only(ledger_copy, statement):
    conn = sqlite3.connect(ledger_copy, isolation_level=None)
    before = conn.execute("SELECT * FROM attested_fields ORDER BY seq").fetchall()
    assert before
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(statement)
    assert conn.execute("SELECT * FROM attested_fields ORDER BY seq").fetchall() == before
