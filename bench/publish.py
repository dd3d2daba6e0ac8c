"""Datasette on a large ledger: permalink, filtered table, search and default pages.

Builds a ledger of N claims from variants of the seeds (through the ledger's API), then times
requests through Datasette's own client in this process. The baseline is Datasette's primary-key
row lookup for the same claims (`/DB/claims/ID.json`), measured in the same run.

    python bench/publish.py [--claims N] [--requests R]      # default 1,000,000 claims
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from common import SEEDS, machine
from datasette.app import Datasette

from ledger.claims import append_stance, set_verdict
from ledger.corpus import ingest_document, read_document
from ledger.publish.metadata import QUERIES, TABLES
from ledger.publish.serve import make_datasette, publish_bundle
from ledger.review.decisions import decide
from ledger.spans import find_span
from ledger.store import Ledger

ACTORS = [
    "NATO (Mark Rutte)", "Kremlin (Dmitry Peskov)", "Pentagon", "Sen. Ben Cardin",
    "South Korea's spy agency", "Ukraine's military intelligence", "Kim Jong Un",
    "Lloyd Austin", "Volodymyr Zelensky", "US State Department",
]  # fmt: skip
QUOTES = [
    (
        "current information does not confirm the active engagement of North Korean soldiers",
        "unconfirmed",
    ),
    ("Kremlin spokesman Dmitry Peskov dismissed these reports", "denied"),
    ("the Pentagon has not been able to verify these troop movements", "unconfirmed"),
    ("around 1,500 North Korean soldiers have already been sent to aid Russian forces", "asserted"),
]
SUBJECTS = ["North Korean troops", "North Korean soldiers", "artillery shells", "missiles",
            "special forces", "military engineers", "drone operators", "officers"]  # fmt: skip
PLACES = ["Kursk", "Vladivostok", "Khabarovsk", "Ussuriysk", "Donetsk", "Pokrovsk", "Moscow",
          "Pyongyang", "Wonsan", "Luhansk", "Zaporizhzhia", "Belgorod"]  # fmt: skip


def variant(rng: random.Random, k: int) -> str:
    """A claim in the seeds' manner, with figures, subjects and places varied."""
    return (
        f"About {rng.randint(1, 40) * 500:,} {rng.choice(SUBJECTS)} were moved to "
        f"{rng.choice(PLACES)} by day {k} (dispatch {k % 5000})."
    )


def build(path: Path, n: int) -> list[str]:
    """A ledger of ``n`` claims the way review makes them: proposal, decision, claim, stance.

    One proposal in eleven is rejected, one claim in ten gets a second stance, one in twenty a
    verdict. Written through the ledger's API, 20,000 proposals a transaction. A ledger left
    part-built (an interrupted run) is carried on from where it stopped.
    """
    ledger = Ledger(path)
    spans = []
    for seed in SEEDS:
        src = ingest_document(ledger, read_document(seed), ingested_by="bench")
        text = ledger.one("SELECT text FROM sources WHERE id = ?", [src.source_id])["text"]  # type: ignore[index]
        spans += [(find_span(src.source_id, text, q), s) for q, s in QUOTES if q in text]
    ids = [r["id"] for r in ledger.all("SELECT id FROM claims")]
    k = ledger.one("SELECT count(*) AS n FROM proposals")["n"]  # type: ignore[index]
    rng = random.Random(7 + k)
    while len(ids) < n:
        with ledger.transaction():
            for _ in range(min(20_000, n - len(ids))):
                k += 1
                span, stance = spans[k % len(spans)]
                pid = f"pr-bench-{k}"
                ledger.append("proposals", {
                    "id": pid, **span.columns(), "claim": variant(rng, k),
                    "actor": ACTORS[k % len(ACTORS)], "stance": stance, "anchoring": "exact",
                    "anchor_score": 1.0, "proposer": "offline", "proposer_version": "bench",
                })  # fmt: skip
                if k % 11 == 0:
                    decide(ledger, pid, "reject", reviewer="bench", reason="duplicate")
                    continue
                cid = decide(ledger, pid, "accept", reviewer="bench").claim_id
                assert cid
                if k % 10 == 0:
                    s2, st2 = spans[(k + 1) % len(spans)]
                    append_stance(ledger, cid, s2, stance=st2, actor=ACTORS[(k + 3) % len(ACTORS)],
                                  reviewer="bench", stated_on=None)  # fmt: skip
                if k % 20 == 0:
                    set_verdict(
                        ledger,
                        cid,
                        verdict=("unverified", "mixed", "refuted")[k % 3],
                        reviewer="bench",
                        note=None,
                    )
                ids.append(cid)
    ledger.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ledger.close()
    return ids


def warm(path: Path) -> None:
    """Read the file once into the OS page cache, as a server in steady state has it: otherwise
    the first pages read depend on what the previous run (a 7 GB bundle copy) pushed out. Dirty
    pages are written out first, so the kernel is not still flushing a new bundle meanwhile."""
    os.sync()
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def timed(ds, paths: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    async def run() -> list[float]:
        out = []
        for p in paths:
            t = time.perf_counter()
            r = await ds.client.get(p)
            out.append(time.perf_counter() - t)
            assert r.status_code == 200, (p, r.status_code, r.text[:200])
        return out

    return asyncio.run(run())


def next_page(ds, path: str) -> str:  # type: ignore[no-untyped-def]
    """The path of the page after ``path``, ``_shape=array`` (for timing that page alone)."""

    async def run() -> str:
        r = await ds.client.get(path)
        return str(r.json()["next_url"]).replace("http://localhost", "") + "&_shape=array"

    return asyncio.run(run())


def report(name: str, secs: list[float], target: str = "") -> tuple[float, float]:
    p50 = statistics.median(secs) * 1000
    p95 = statistics.quantiles(secs, n=20)[18] * 1000 if len(secs) >= 20 else max(secs) * 1000
    print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {target} |", flush=True)
    return p50, p95


def measure(ds, sample: list[str], requests: int, label: str) -> None:  # type: ignore[no-untyped-def]
    """Every target of the issue, on one Datasette instance, as a Markdown table."""
    rng = random.Random(1)
    print(f"\n{label}\n\n| request | p50 | p95 (max for 5) | target |\n|---|---|---|---|")
    timed(ds, [f"/ledger/claims/{sample[0]}.json", "/claims/" + sample[0], "/"])  # warm up
    base, _ = report("baseline: row lookup `/ledger/claims/ID.json`",
                     timed(ds, [f"/ledger/claims/{c}.json" for c in sample]))  # fmt: skip
    perma, _ = report("permalink `/claims/ID`", timed(ds, [f"/claims/{c}" for c in sample]))
    print(f"| permalink p50 / row lookup p50 | {perma / base:.2f}x | | <= 2x |")
    actors = [rng.choice(ACTORS) for _ in range(requests)]
    report("filtered JSON `/ledger/stances.json?actor=…&_shape=array`",
           timed(ds, [f"/ledger/stances.json?actor={a}&_shape=array&_size=20" for a in actors]),
           "p95 <= 10 ms")  # fmt: skip
    report("filtered JSON, default shape (count and kept facets)",
           timed(ds, [f"/ledger/stances.json?actor={a}" for a in actors]))  # fmt: skip
    report("facet click: HTML page `/ledger/stances?actor=…`",
           timed(ds, [f"/ledger/stances?actor={a}" for a in actors[:20]]), "<= 50 ms")  # fmt: skip
    report("two filters: HTML page `/ledger/stances?actor=…&stance=denied` (live facets)",
           timed(ds, [f"/ledger/stances?actor={a}&stance=denied" for a in actors[:20]]))  # fmt: skip
    rare = [rng.randint(0, 4999) for _ in range(requests)]
    report("search, rare word `/ledger/current_claims.json?_search=4242&_shape=array`",
           timed(ds, [f"/ledger/current_claims.json?_search={n}&_shape=array" for n in rare]),
           "p95 <= 10 ms")  # fmt: skip
    report("search, two words `_search=Kursk+4242` (HTML page)",
           timed(ds, [f"/ledger/current_claims?_search={rng.choice(PLACES)}+{n}" for n in rare[:20]]))  # fmt: skip
    report("search, a word in 1 claim in 12 `_search=Kursk&_shape=array`",
           timed(ds, [f"/ledger/current_claims.json?_search={p}&_shape=array" for p in PLACES * 4]),
           "p95 <= 10 ms")  # fmt: skip
    report("search, a word in 1 claim in 12, second page (`_next`)",
           timed(ds, [next_page(ds, f"/ledger/current_claims.json?_search={p}") for p in PLACES]))  # fmt: skip
    report("search, a word in 1 claim in 12, HTML page (count and live facets)",
           timed(ds, [f"/ledger/current_claims?_search={p}" for p in PLACES[:5]]))  # fmt: skip
    report("search query, a common word `/ledger/search_claims.json?q=Kursk&_shape=array`",
           timed(ds, [f"/ledger/search_claims.json?q={p}&_shape=array" for p in PLACES * 4]),
           "p95 <= 10 ms")  # fmt: skip
    report("search query, a rare word `/ledger/search_claims.json?q=4242&_shape=array`",
           timed(ds, [f"/ledger/search_claims.json?q={n}&_shape=array" for n in rare]),
           "p95 <= 10 ms")  # fmt: skip
    report("search query, quotes `/ledger/search_quotes.json?q=Peskov&_shape=array`",
           timed(ds, ["/ledger/search_quotes.json?q=Peskov&_shape=array"] * 20), "p95 <= 10 ms")  # fmt: skip
    report("search, a word in a third of quotes `/ledger/stances.json?_search=Peskov&_shape=array`",
           timed(ds, ["/ledger/stances.json?_search=Peskov&_shape=array"] * 20), "p95 <= 10 ms")  # fmt: skip
    report("search, a word in a third of quotes, one actor `…&actor=Pentagon&_shape=array`",
           timed(ds, ["/ledger/stances.json?_search=Peskov&actor=Pentagon&_shape=array"] * 5))  # fmt: skip
    report("search, a word in a third of quotes, HTML page (count and live facets)",
           timed(ds, ["/ledger/stances?_search=Peskov"] * 5))  # fmt: skip
    pages = ["/", "/ledger", *[f"/ledger/{t}" for t in TABLES if not TABLES[t].get("hidden")]]
    pages += [f"/ledger/{q}" for q in QUERIES]
    for page in pages:
        report(f"default page `{page}`", timed(ds, [page] * 5), "<= 50 ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--db", help="Keep the generated ledger here and reuse it on the next run.")
    args = ap.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "ledger.db"
    t = time.perf_counter()
    if path.exists():
        with Ledger(path, readonly=True) as existing:
            ids = [r["id"] for r in existing.all("SELECT id FROM claims")]
    if not path.exists() or len(ids) < args.claims:
        ids = build(path, args.claims)
    print(f"machine: {machine()}", flush=True)
    size = path.stat().st_size / 1e6
    print(f"{len(ids):,} claims in {time.perf_counter() - t:.0f} s ({size:,.0f} MB)", flush=True)
    # Keep only the claims requested: a server does not hold a million IDs, and a list that
    # size makes every garbage collection in the timed requests slower.
    sample = random.Random(1).sample(ids, min(args.requests, len(ids)))
    del ids
    gc.collect()
    if path.stem != "ledger":
        raise SystemExit("name the ledger file ledger.db (the pages are under /ledger)")
    warm(path)
    measure(make_datasette(str(path)), sample, args.requests, "`factledger serve` (live file)")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = publish_bundle(str(path), str(Path(tmp) / "bundle"))
        warm(Path(bundle["out"]) / "ledger.db")
        # Served as its README says (`datasette serve DIR`): a configuration directory.
        ds = Datasette(config_dir=Path(bundle["out"]))
        measure(ds, sample, args.requests, "`factledger publish` bundle (immutable)")


if __name__ == "__main__":
    main()
