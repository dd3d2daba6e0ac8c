"""``factledger verify`` over a large ledger: rows/s and peak memory, against a plain baseline.

Builds a ledger of N entries (claims with spans: 3 entries per claim) through the ledger's API,
then runs verify in a child process at two sizes (N/10 and N entries) to show that its peak memory
stays flat: the whole check (chain, spans, source hashes and every derived table derived again),
and ``--quick`` (no derived tables). Its time is compared with a naive baseline run in the same
process on the same file: raw sqlite3 reading every row of every ledger table and plain
hashlib.sha256 over each row's values. Target: verify (chain + derived) at most 2x the baseline.

    python bench/verify.py [ENTRIES]     # default 1,000,000
"""

from __future__ import annotations

import hashlib
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
from ledger.store import Ledger
from ledger.verify import verify
t = time.perf_counter()
with Ledger(sys.argv[1], readonly=True) as ledger:
    r = verify(ledger, quick=sys.argv[2] == "quick")
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


def main(entries: int) -> None:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    print(f"machine: {machine()}")
    for size in (entries // 10, entries):
        t = time.perf_counter()
        build(path, size)
        print(f"built {size:,} entries in {time.perf_counter() - t:.0f} s")
        base = baseline(path)  # first, so that every run below reads a warm page cache
        n, quick, quick_rss = run_verify(path, "quick")
        n, secs, rss = run_verify(path)
        wide = baseline(path, (*TABLES, *DERIVED))
        print(
            f"verify (chain + derived): {n:,} entries in {secs:.1f} s = {n / secs:,.0f} rows/s, "
            f"peak RSS {rss:.0f} MiB; --quick {quick:.1f} s, peak RSS {quick_rss:.0f} MiB; "
            f"baseline (sqlite3 + hashlib) {base:.1f} s; verify/baseline {secs / base:.2f}x "
            f"(target <= 2), quick/baseline {quick / base:.2f}x; baseline over ledger and "
            f"derived rows {wide:.1f} s, verify/that {secs / wide:.2f}x"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
