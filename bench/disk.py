"""Disk per claim, and what takes it: a ledger built as bench/publish.py builds it, measured with
SQLite's ``dbstat``, against the same ledger built with the migrations before m010 (the spine
storing each entry's prev_hash and hash again, both UNIQUE) in the same process.

    python bench/disk.py [N]      # default 20,000 claims (each build takes about a minute)
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import publish
from common import machine, timed

from ledger import appends, migrations, rowformat

READERS = ("current_claims", "stances", "proposal_decisions")
# Text a claim's rows hold more than once (measured, not removed): sums of length().
COPIES = {
    "span text (quote, prefix, suffix) in proposals, claim_versions, stance_events": [
        f"SELECT sum(length(quote) + length(prefix) + length(suffix)) FROM {t}"
        for t in ("proposals", "claim_versions", "stance_events")
    ],
    "claim and quote text copied into the reader tables": [
        "SELECT sum(length(claim) + length(quote)) FROM current_claims",
        "SELECT sum(length(quote)) FROM stances",
        "SELECT sum(length(claim) + length(quote)) FROM proposal_decisions",
    ],
    "prev_hash and hash (hex) in the ledger rows": [
        f"SELECT sum(length(prev_hash) + length(hash)) FROM [{t}]" for t in rowformat.TABLES
    ],
}


def kind(name: str, obj_type: str, table: str) -> str:
    """The part of the ledger a b-tree belongs to."""
    if table == rowformat.ENTRIES:
        return "spine (ledger_entries and its indexes)"
    if table in rowformat.TABLES or table == "attested_fields":
        return "ledger tables" if obj_type == "table" else "ledger indexes"
    if table in READERS:
        if obj_type == "table":
            return "reader tables"
        return "reader page indexes" if name.endswith("_page") else "reader indexes, other"
    if "_fts" in table:
        return "search index (fts)"
    if table == "merkle_nodes":
        return "merkle tree"
    return "counts, schema, migrations"


def measure(path: Path) -> tuple[dict[str, int], int, int, dict[str, int]]:
    """(bytes by kind, claims, file bytes, bytes of each kind of copied text)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    objects = {
        n: (t, tb) for t, n, tb in conn.execute("SELECT type, name, tbl_name FROM sqlite_master")
    }
    sizes: dict[str, int] = {}
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        k = kind(name, *objects.get(name, ("table", name)))
        sizes[k] = sizes.get(k, 0) + size
    claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    copies = {k: sum(conn.execute(q).fetchone()[0] or 0 for q in qs) for k, qs in COPIES.items()}
    conn.close()
    return sizes, claims, path.stat().st_size, copies


def build_before_m010(path: Path, n: int) -> None:
    """The same ledger, written by this code with the migrations up to m009 only."""
    everything = migrations.migrations
    before = migrations.Migrations("factledger")
    before._migrations = [m for m in everything._migrations if m.name < "m010"]
    migrations.migrations = before
    # Before m012 a trigger a row wrote the spine: this code leaves it to them on that schema.
    spine_insert = appends.SPINE_INSERT
    appends.SPINE_INSERT = "INSERT INTO ledger_entries (seq, tbl, row_id) SELECT ?, ?, ? WHERE 0"
    try:
        publish.build(path, n)
    finally:
        migrations.migrations = everything
        appends.SPINE_INSERT = spine_insert


def main(n: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    t_old = timed(lambda: build_before_m010(tmp / "before.db", n))
    t_new = timed(lambda: publish.build(tmp / "after.db", n))
    (old, claims, old_file, _), (new, claims2, new_file, copies) = (
        measure(tmp / "before.db"),
        measure(tmp / "after.db"),
    )
    assert claims == claims2 == n
    print(machine())
    print(f"\n{n:,} claims (bench/publish.py's build), bytes a claim:\n")
    print("| part | before m010 | after m010 |")
    print("|---|---|---|")
    for k in sorted(old, key=lambda k: -old[k]):
        print(f"| {k} | {old[k] / n:,.0f} | {new.get(k, 0) / n:,.0f} |")
    print(f"| **file** | **{old_file / n:,.0f}** | **{new_file / n:,.0f}** |")
    print(f"\nratio after / before: {new_file / old_file:.2f}  (target: 2,500 bytes a claim)")
    print(f"build time: {t_old:.1f} s before, {t_new:.1f} s after (ratio {t_new / t_old:.2f})")
    conn = sqlite3.connect(tmp / "after.db")
    conn.execute("VACUUM")
    conn.close()
    print(f"after VACUUM: {(tmp / 'after.db').stat().st_size / n:,.0f} bytes a claim")
    print("\nText stored more than once, or redundant, in the new ledger (bytes a claim):")
    for k, v in copies.items():
        print(f"  {k}: {v / n:,.0f}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
