"""``factledger verify`` over a large ledger: rows/s and peak memory, against a plain baseline.

Builds a ledger of N entries (claims with spans: 3 entries per claim) through the ledger's API,
then runs verify in a child process at two sizes (N/10 and N entries) to show that its peak memory
stays flat: the whole check (chain, spans, source hashes and every derived table derived again)
as ``factledger verify`` runs it (derived tables compared on a second connection beside the
chain), the same check in sequence on one connection (what verify does when it cannot have a
second connection in the same snapshot; it shows the cost with no second core free), and
``--quick`` (no derived tables). Its time is compared with a naive baseline run in the same
process on the same file: raw sqlite3 reading every row of every ledger table and plain
hashlib.sha256 over each row's values. Target: verify (chain + derived) at most 2x the baseline.
Each line gives the machine's load average before it: the machine is shared.

    python bench/verify.py [ENTRIES] [--db PATH]   # default 1,000,000; --db keeps the ledger
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import SEEDS, machine

from ledger import derived
from ledger.claims import create_claim
from ledger.corpus import ingest_document, read_document
from ledger.rowformat import TABLES
from ledger.spans import find_span
from ledger.store import Ledger

QUOTE = "Kremlin spokesman Dmitry Peskov dismissed these reports"
# VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts from its parent's peak.
CHILD = """
import sys, time
from ledger import verify as v
from ledger.store import Ledger
if sys.argv[2] == "sequential":
    v.Beside.start = lambda *a: None
t = time.perf_counter()
with Ledger(sys.argv[1], readonly=True) as ledger:
    r = v.verify(ledger, quick=sys.argv[2] == "quick")
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(r.head.count, time.perf_counter() - t, hwm)
"""


def build(path: Path, entries: int) -> None:
    """Grow the ledger at ``path`` to at least ``entries`` entries."""
    ledger = Ledger(path)
    if ledger.count("sources") == 0:
        ingest_document(ledger, read_document(SEEDS[0]), ingested_by="bench")
    src = ledger.one("SELECT id, text FROM sources")
    assert src is not None
    span = find_span(src["id"], src["text"], QUOTE)
    while ledger.head().count < entries:
        with ledger.transaction():
            for i in range(min(10_000, (entries - ledger.head().count + 2) // 3)):
                create_claim(
                    ledger,
                    span,
                    claim=f"Claim {i}: the reports are fake news.",
                    actor="Kremlin (Dmitry Peskov)",
                    stance="denied",
                    reviewer="bench",
                )
    ledger.close()


def run_verify(path: Path, mode: str = "full") -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


DERIVED = derived.TABLES  # the derived tables verify compares, read by the baseline too


def baseline(path: Path, tables: tuple[str, ...] = tuple(TABLES)) -> float:
    import sqlite3

    conn = sqlite3.connect(path)
    t = time.perf_counter()
    for table in tables:
        order = "ORDER BY seq" if table in TABLES else ""
        for row in conn.execute(f"SELECT * FROM [{table}] {order}"):
            hashlib.sha256(repr(row).encode()).hexdigest()
    return time.perf_counter() - t


def main(entries: int, db: str | None) -> None:
    path = Path(db) if db else Path(tempfile.mkdtemp()) / "bench.db"
    print(f"machine: {machine()}")
    for size in (entries,) if db else (entries // 10, entries):
        t = time.perf_counter()
        build(path, size)
        print(f"built {size:,} entries in {time.perf_counter() - t:.0f} s")
        load = os.getloadavg()[0]
        base = baseline(path)  # first, so that every run below reads a warm page cache
        n, quick, quick_rss = run_verify(path, "quick")
        n, secs, rss = run_verify(path)
        n, seq, seq_rss = run_verify(path, "sequential")
        wide = baseline(path, (*TABLES, *DERIVED))
        print(
            f"load {load:.1f}: verify (chain + derived): {n:,} entries in {secs:.1f} s = "
            f"{n / secs:,.0f} rows/s, peak RSS {rss:.0f} MiB; in sequence {seq:.1f} s, "
            f"peak RSS {seq_rss:.0f} MiB; --quick {quick:.1f} s, peak RSS {quick_rss:.0f} MiB; "
            f"baseline (sqlite3 + hashlib) {base:.1f} s; verify/baseline {secs / base:.2f}x "
            f"(target <= 2), in sequence {seq / base:.2f}x, quick/baseline {quick / base:.2f}x; "
            f"baseline over ledger and derived rows {wide:.1f} s, verify/that {secs / wide:.2f}x; "
            f"load after {os.getloadavg()[0]:.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    args = sys.argv[1:]
    db = None
    if "--db" in args:
        i = args.index("--db")
        db = args[i + 1]
        del args[i : i + 2]
    main(int(args[0]) if args else 1_000_000, db)
