"""Review latency: program time from a keypress to the next proposal on screen, 10,000 claims.

Measures, per decision, what `a` costs in the interactive review: the accept (a claim, version,
stance event and decision in one transaction), then drawing the next proposal (rich, colour) with
its passage and the similar-claims search over every claim in the ledger. The baseline is a bare INSERT and
COMMIT of one row with raw sqlite3 on the same database, in the same process.

    python bench/review.py [CLAIMS] [DECISIONS]     # default 10000 claims, 200 decisions
"""

from __future__ import annotations

import io
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SEEDS, machine
from rich.console import Console

from ledger.claims import create_claim
from ledger.corpus import ingest_document, read_document
from ledger.propose import propose
from ledger.review.interactive import Review, Screen
from ledger.spans import find_span
from ledger.store import Ledger


def main(n_claims: int, n_decisions: int) -> None:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    ledger = Ledger(path)
    src = ingest_document(ledger, read_document(SEEDS[0]), ingested_by="bench")
    text = ledger.one("SELECT text FROM sources WHERE id = ?", [src.source_id])["text"]  # type: ignore[index]
    span = find_span(src.source_id, text, "Kremlin spokesman Dmitry Peskov dismissed these reports")
    with ledger.transaction():
        for i in range(n_claims):
            claim = f"Claim {i}: reports of troop movement number {i} are false."
            create_claim(
                ledger, span, claim=claim, actor="Kremlin", stance="denied", reviewer="bench"
            )
    # Enough proposals to decide: the offline proposer's, over variants of the seed.
    for i in range((n_decisions // 10) + 1):
        variant = Path(tempfile.mkdtemp()) / f"v{i}.txt"
        variant.write_text(
            text.replace("11,000", f"{11000 + i:,}").replace("1,500", f"{1500 + i:,}")
        )
        ingest_document(ledger, read_document(variant), ingested_by="bench")
    propose(ledger, [], all_sources=True)
    # The colour screen as on a terminal, drawing into memory so the terminal's own speed and
    # this script's output stay out of the measurement.
    screen = Screen(tty=False, color=True)
    screen.console = Console(file=io.StringIO(), force_terminal=True, width=120)
    review = Review(ledger, None, "bench", screen, lambda s: None)
    timings, cpu = [], []
    for i in range(min(n_decisions, len(review.queue) - 1)):
        t, c = time.perf_counter(), time.process_time()
        review.act("a", i, review.queue[i])
        screen.show(review.render(i + 1, review.queue[i + 1]))
        timings.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("CREATE TABLE bare (id TEXT PRIMARY KEY, text TEXT)")
    bare = []
    for i in range(len(timings)):
        t = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO bare VALUES (?, ?)", [f"b{i}", "x" * 80])
        raw.execute("COMMIT")
        bare.append(time.perf_counter() - t)
    p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
    b50 = statistics.median(bare)
    print(f"machine: {machine()}")
    print(f"ledger: {n_claims:,} claims; {len(timings)} decisions measured")
    print(
        f"keypress to next proposal: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
        "(target < 50 ms)"
    )
    print(f"bare INSERT + COMMIT: p50 {b50 * 1000:.2f} ms; ratio p50 ours / bare {p50 / b50:.1f}")
    # CPU time of this process: what other work on a shared machine adds to wall time stays out.
    c50, c95 = statistics.median(cpu), statistics.quantiles(cpu, n=20)[18]
    print(f"same, CPU time of this process: p50 {c50 * 1000:.1f} ms, p95 {c95 * 1000:.1f} ms")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [10_000, 200][len(args) :]))
