"""Writers queue: the longest wait with 6 concurrent batch appliers and 6 adders.

Six `factledger review --apply FILE` (each FILE accepting ITEMS proposals, one transaction each)
and six `factledger add` run at once as separate processes on one ledger, as a newsroom's
reviewers would. Each process's wait is its wall time minus the same command's time alone on a
copy of the ledger. Every process must succeed: none may fail with "database is locked".

    python bench/writers.py [ITEMS]     # default 500 proposals per review file
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import ROOT, SEEDS, machine

APPLIERS = ADDERS = 6
QUOTE = "Kremlin spokesman Dmitry Peskov dismissed these reports"


def factledger(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "ledger", "--db", str(db), *args]


def build(work: Path, items: int) -> tuple[Path, str, list[Path]]:
    """A ledger with proposals on many variants of the seeds, and one review file per applier,
    each accepting ``items`` proposals on its own sources."""
    from ledger.corpus import ingest_document, read_document
    from ledger.propose import propose
    from ledger.store import Ledger

    db = work / "ledger.db"
    corpus = work / "corpus"
    corpus.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    ledger = Ledger(db)
    seed = ingest_document(ledger, read_document(SEEDS[0]), ingested_by="bench").source_id
    files: list[Path] = []
    for a in range(APPLIERS):
        sources: list[str] = []
        pending = 0
        i = 0
        while pending < items:
            text = texts[i % len(texts)].replace("11,000", f"{11000 + a * 10000 + i:,}")
            path = corpus / f"a{a}_{i}.txt"
            path.write_text(text.replace("1,500", f"{1500 + a * 10000 + i:,}"), encoding="utf-8")
            src = ingest_document(ledger, read_document(path), ingested_by="bench")
            sources.append(src.source_id)
            pending += sum(run.new for run in propose(ledger, [src.source_id]))
            i += 1
        out = work / f"apply{a}.yaml"
        subprocess.run(
            factledger(db, "review", *sources, "--export", str(out)),
            check=True, capture_output=True, env=ENV,
        )  # fmt: skip
        doc = yaml.safe_load(out.read_text(encoding="utf-8"))
        kept = doc["items"][:items]
        for item in kept:
            anchored = item["context"]["anchoring"] != "unanchored"
            item["decision"] = "accept" if anchored else "reject"
        doc["items"] = kept
        out.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files.append(out)
    ledger.close()
    return db, seed, files


def adder(db: Path, seed: str, n: int) -> list[str]:
    return factledger(
        db, "add", "--source", seed, "--quote", QUOTE, "--claim",
        f"Reports number {n} of North Korean troops in Russia are false.",
        "--actor", "Kremlin (Dmitry Peskov)", "--stance", "denied", "--reviewer", f"adder{n}",
    )  # fmt: skip


def alone(db: Path, cmd_of_db) -> float:
    """Wall seconds of one command on a copy of the ledger, with nobody else writing."""
    copy = db.with_name("alone.db")
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the WAL's pages too, which a file copy would miss
    t = time.perf_counter()
    done = subprocess.run(cmd_of_db(copy), capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd_of_db(copy)[3:5])}: {done.stderr.strip()}")
    copy.unlink()
    return elapsed


# PYTHONPATH picks the code measured (this checkout by default; another to compare).
ENV = {
    **os.environ,
    "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT),
    "FACTLEDGER_REVIEWER": "bench",
}


def main(items: int) -> None:
    work = Path(tempfile.mkdtemp())
    db, seed, files = build(work, items)
    apply_alone = alone(db, lambda d: factledger(d, "review", "--apply", str(files[0])))
    add_alone = alone(db, lambda d: adder(d, seed, 999))
    cmds = [("apply", factledger(db, "review", "--apply", str(f))) for f in files]
    cmds += [("add", adder(db, seed, n)) for n in range(ADDERS)]
    # Interleaved, so adders arrive while batches hold the lock.
    order = [c for pair in zip(cmds[:APPLIERS], cmds[APPLIERS:], strict=True) for c in pair]
    started, procs = [], []
    for kind, cmd in order:
        started.append(time.perf_counter())
        procs.append((kind, subprocess.Popen(cmd, env=ENV, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True)))  # fmt: skip
    waits: dict[str, list[float]] = {"apply": [], "add": []}
    told = failed = 0
    for t0, (kind, proc) in zip(started, procs, strict=True):
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            failed += 1
            print(f"FAILED {kind}: {err.strip().splitlines()[-1]}")
        told += "waiting for another writer" in err
        waits[kind].append(wall - (apply_alone if kind == "apply" else add_alone))
    print(f"machine: {machine()}")
    print(f"{APPLIERS} appliers x {items} accepts (one transaction each) + {ADDERS} adders")
    print(f"alone: apply {apply_alone:.1f} s, add {add_alone:.2f} s")
    for kind, ws in waits.items():
        print(f"{kind}: longest wait {max(ws):.1f} s, mean {sum(ws) / len(ws):.1f} s")
    print(f"processes that said 'waiting for another writer': {told}; failed: {failed}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
