"""Bulk append of claims with spans through the ledger's API, against raw sqlite3.executemany.

Two raw sides write the same rows (claims, claim_versions, stance_events with their chain
columns), their values precomputed, in one transaction each:

- into the same schema, with their spine rows and the insert guards lifted as a bulk flush
  lifts them, then the same set-wise catch-up of derived state and Merkle tree before COMMIT: the ratio is what our validation, span building, canonical
  JSON and hashing cost;
- into plain tables (the same columns, a primary key, no other index, no trigger): the ratio is
  everything the ledger adds, derived state (reader tables, counts, search index) included.

    python bench/append.py [N] [ROUNDS]   # default 100000 claims, 3 rounds; claims/s, both ratios
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from common import SEEDS, machine, timed

from ledger import catchup, guards, rowformat, tree
from ledger.appends import SPINE_INSERT
from ledger.claims import create_claim
from ledger.corpus import ingest_document, read_document
from ledger.spans import find_span
from ledger.store import CACHE_KIB, Ledger

# The plain side takes about 2 s and moves by a quarter from run to run on a shared machine:
# several rounds, each on fresh files, and the ratio of their medians.
ROUNDS = 3
QUOTE = "current information does not confirm the active engagement of North Korean soldiers"


def one_round(n: int) -> tuple[float, float, float]:
    """One build of each side on fresh files: (API, raw same schema, plain tables) seconds."""
    tmp = Path(tempfile.mkdtemp())
    api = Ledger(tmp / "api.db")
    src = ingest_document(api, read_document(SEEDS[0]), ingested_by="bench")
    text = api.one("SELECT text FROM sources WHERE id = ?", [src.source_id])["text"]  # type: ignore[index]
    span = find_span(src.source_id, text, QUOTE)

    def through_api() -> None:
        with api.transaction():
            for i in range(n):
                create_claim(
                    api,
                    span,
                    claim=f"Claim number {i}: North Korean soldiers are engaged in the war.",
                    actor="NATO (Mark Rutte)",
                    stance="unconfirmed",
                    reviewer="bench",
                )

    api_s = timed(through_api)

    # The raw side: copy the API's schema and source row, then executemany the same rows.
    raw_path = tmp / "raw.db"
    Ledger(raw_path).close()
    tables = ("claims", "claim_versions", "stance_events")
    rows = {
        t: api.conn.execute(
            "SELECT {} FROM [{}] ORDER BY seq".format(
                ", ".join(f"[{c}]" for c in rowformat.columns(t)), t
            )
        ).fetchall()
        for t in tables
    }
    # Since m012 the ledger writes the spine rows itself (no trigger): so does the raw side.
    entries = api.conn.execute(
        f"SELECT seq, tbl, row_id FROM {rowformat.ENTRIES} WHERE tbl IN {tables} ORDER BY seq"
    ).fetchall()
    api.close()
    raw = sqlite3.connect(raw_path, isolation_level=None)
    raw.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # the same settings as the ledger's own
    raw.execute("ATTACH ? AS api", [str(tmp / "api.db")])
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("INSERT INTO main.sources SELECT * FROM api.sources")
    raw.execute("COMMIT")

    def through_raw() -> None:
        raw.execute("BEGIN IMMEDIATE")
        lifted: dict[str, str] = {}  # as the ledger's bulk flush does
        guards.lift(raw, [*tables, rowformat.ENTRIES], lifted)
        for t in tables:
            cols = rowformat.columns(t)
            raw.executemany(
                "INSERT INTO [{}] ({}) VALUES ({})".format(
                    t, ", ".join(f"[{c}]" for c in cols), ", ".join("?" * len(cols))
                ),
                rows[t],
            )
        raw.executemany(SPINE_INSERT, entries)
        catchup.catch_up(raw)
        tree.catch_up(raw)
        guards.restore(raw, lifted)
        raw.execute("COMMIT")

    raw_s = timed(through_raw)

    plain = sqlite3.connect(tmp / "plain.db", isolation_level=None)
    plain.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    plain.execute("PRAGMA journal_mode = WAL")
    for t in tables:
        cols = ", ".join(
            f"[{c}] {col.type}{' PRIMARY KEY' if c == 'id' else ''}"
            for c, col in {**rowformat.TABLES[t], **rowformat.CHAIN}.items()
        )
        plain.execute(f"CREATE TABLE [{t}] ({cols})")

    def into_plain() -> None:
        plain.execute("BEGIN IMMEDIATE")
        for t in tables:
            cols = rowformat.columns(t)
            plain.executemany(
                "INSERT INTO [{}] ({}) VALUES ({})".format(
                    t, ", ".join(f"[{c}]" for c in cols), ", ".join("?" * len(cols))
                ),
                rows[t],
            )
        plain.execute("COMMIT")

    plain_s = timed(into_plain)
    raw.close()
    plain.close()
    shutil.rmtree(tmp)
    return api_s, raw_s, plain_s


def main(n: int, rounds: int = ROUNDS) -> None:
    print(f"machine: {machine()}")
    print(f"claims: {n} (3 chained rows each: claim, version, stance event); {rounds} rounds")
    results = []
    for k in range(rounds):
        api_s, raw_s, plain_s = one_round(n)
        results.append((api_s, raw_s, plain_s))
        print(
            f"round {k + 1}: ledger API {api_s:.2f} s ({n / api_s:,.0f} claims/s); raw, same "
            f"schema and catch-up {raw_s:.2f} s; plain tables {plain_s:.2f} s; "
            f"plain / API {plain_s / api_s:.3f}"
        )
    api_m, raw_m, plain_m = (statistics.median(r[i] for r in results) for i in range(3))
    print(f"median: ledger API {api_m:.2f} s, {n / api_m:,.0f} claims/s")
    print(f"median: raw executemany, same schema, triggers and catch-up: {raw_m:.2f} s")
    print(f"median: raw executemany, plain tables: {plain_m:.2f} s, {n / plain_m:,.0f} claims/s")
    print(f"ratio of medians raw (same schema) / API: {raw_m / api_m:.2f}")
    print(f"ratio of medians plain tables / API (target >= 0.25): {plain_m / api_m:.3f}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS,
    )
