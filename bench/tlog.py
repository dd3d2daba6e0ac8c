"""The transparency log: what keeping the Merkle tree costs appends, and proofs at a million.

1. Bulk append of N claims through the API with the tree kept in each transaction, against the
   same appends with the tree's upkeep switched off, in the same process (target: >= 0.9x).
2. A ledger of a real claim followed by a million entries (model_calls rows written directly,
   with random hashes: the tree only reads the entries' hashes): time to sign a checkpoint (target <= 100 ms) and
   to build a claim's inclusion proofs against it (target <= 10 ms), median of several runs.

    python bench/tlog.py [N] [ENTRIES]     # defaults: 30000 claims, 1000000 entries
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SEEDS, machine, peak_rss_mib, timed

from ledger import checkpoint, tlog, tree
from ledger.claims import create_claim
from ledger.corpus import ingest_document, read_document
from ledger.spans import find_span
from ledger.store import Ledger

INSERT = "INSERT INTO model_calls (id, seq, prev_hash, hash, recorded_at) VALUES (?, ?, ?, ?, ?)"
QUOTE = "current information does not confirm the active engagement of North Korean soldiers"


def _ledger(path: Path) -> tuple[Ledger, object]:
    led = Ledger(path)
    src = ingest_document(led, read_document(SEEDS[0]), ingested_by="bench")
    text = led.one("SELECT text FROM sources WHERE id = ?", [src.source_id])["text"]  # type: ignore[index]
    return led, find_span(src.source_id, text, QUOTE)


def _append(led: Ledger, span: object, n: int, tag: str) -> float:
    def run() -> None:
        with led.transaction():
            for i in range(n):
                create_claim(
                    led, span, claim=f"Claim {tag} {i}: North Korean soldiers are engaged.",  # type: ignore[arg-type]
                    actor="NATO (Mark Rutte)", stance="unconfirmed", reviewer="bench",
                )  # fmt: skip

    return timed(run)


def appends(n: int, tmp: Path) -> None:
    keep = tree.catch_up
    with_tree, without = [], []
    for round_ in range(3):  # interleaved, so drift on the machine hits both sides alike
        led, span = _ledger(tmp / f"with-{round_}.db")
        with_tree.append(_append(led, span, n, "t"))
        led.close()
        tree.catch_up = lambda conn: 0  # type: ignore[assignment]
        try:
            led, span = _ledger(tmp / f"without-{round_}.db")
            without.append(_append(led, span, n, "n"))
            led.close()
        finally:
            tree.catch_up = keep
    a, b = min(with_tree), min(without)
    print(f"bulk append, {n} claims ({3 * n} entries), best of 3:")
    print(f"  tree kept:   {a:6.2f} s  {n / a:8.0f} claims/s")
    print(f"  tree off:    {b:6.2f} s  {n / b:8.0f} claims/s")
    print(f"  ratio (throughput with the tree / without): {b / a:.2f}x  (target >= 0.9x)")


def proofs(entries: int, tmp: Path) -> None:
    led, span = _ledger(tmp / "million.db")
    with led.transaction():
        claim_id = create_claim(led, span, claim="North Korean soldiers are engaged in the war.",  # type: ignore[arg-type]
                                actor="NATO (Mark Rutte)", stance="unconfirmed", reviewer="bench")  # fmt: skip
    head = led.head()
    conn = led.conn
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    prev, batch = head.hash, []
    for seq in range(head.count + 1, head.count + entries + 1):
        h = os.urandom(32).hex()
        batch.append((f"x{seq}", seq, prev, h, "2026-01-01T00:00:00.000000Z"))
        prev = h
        if len(batch) == 50_000:
            conn.executemany(INSERT, batch)
            batch.clear()
    conn.executemany(INSERT, batch)
    tree.catch_up(conn)
    conn.execute("COMMIT")
    build = time.perf_counter() - start
    size = led.head().count
    print(f"\nledger of {size} entries (spine and tree built in {build:.1f} s)")
    secret, _ = checkpoint.generate_key("bench.example.org")
    cps, prs = [], []
    note = ""
    for _ in range(7):
        t = time.perf_counter()
        note = tlog.make_checkpoint(led, secret, "bench.example.org/ledger")
        cps.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        result = tlog.prove(led, claim_id, note)
        prs.append((time.perf_counter() - t) * 1000)
    n = len(result["proofs"])
    depth = len(result["proofs"][0]["inclusion_path"])
    print(f"  checkpoint (root, sign, append): median {statistics.median(cps):.1f} ms, "
          f"max {max(cps):.1f} ms  (target <= 100 ms)")  # fmt: skip
    print(f"  prove a claim ({n} entries, {depth} hashes each): median "
          f"{statistics.median(prs):.1f} ms, max {max(prs):.1f} ms  (target <= 10 ms)")  # fmt: skip
    led.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    entries = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    print(machine())
    with tempfile.TemporaryDirectory() as d:
        appends(n, Path(d))
        proofs(entries, Path(d))
    print(f"peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
