"""Offline proposer throughput on a >= 5 MB corpus of seed variants, against plain splitting.

The baseline is the sentence segmentation the proposer itself starts with (sentencex over the same
lines, in the same process), so the ratio shows what the attribution rules add on top; pysbd, the
segmenter used before, is timed on a slice for comparison. Also times one 1 MB article written as a
single paragraph (issue 17: it took over 60 s before).

    python bench/propose.py [MEGABYTES]     # default 5
"""

from __future__ import annotations

import re
import sys
import time

from common import SEEDS, machine

from ledger.propose.offline import propose_offline
from ledger.propose.sentences import sentences

NAMES = ["Mark Rutte", "Dmitry Peskov", "Ben Cardin", "Mike Turner", "Kurt Campbell"]
OTHERS = ["Ana Silva", "Jon Berg", "Lea Roux", "Omar Haddad", "Mia Koval"]


def corpus(megabytes: float) -> list[str]:
    """Variants of the seeds: numbers and names changed so no two documents are the same."""
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    docs, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        text = seeds[i % len(seeds)]
        figure = f"{(i % 97 + 1) * 100:,}"
        text = re.sub(r"\d{1,3}(?:,\d{3})+", figure, text)
        for a, b in zip(NAMES, OTHERS, strict=True):
            if (i // len(seeds)) % 2:
                text = text.replace(a, b)
        docs.append(text)
        size += len(text)
        i += 1
    return docs


def main(megabytes: float) -> None:
    docs = corpus(megabytes)
    chars = sum(len(d) for d in docs)
    t = time.perf_counter()
    for d in docs:
        sentences(d)
    base = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    found = sum(len(propose_offline(d)[0]) for d in docs)
    ours, ours_cpu = time.perf_counter() - t, time.process_time() - cpu
    print(f"machine: {machine()}")
    print(f"corpus: {len(docs)} documents, {chars / 1e6:.1f} M characters; {found} proposals")
    print(f"offline proposer: {ours:.1f} s = {chars / ours:,.0f} characters/s")
    # On a shared machine wall time includes waiting for a core; CPU time is what the work costs.
    print(f"  CPU time: {ours_cpu:.1f} s = {chars / ours_cpu:,.0f} characters/s")
    print(f"sentencex segmentation alone: {base:.2f} s = {chars / base:,.0f} characters/s")
    print(f"ratio (proposer time / segmentation time): {ours / base:.1f}")
    try:
        import pysbd  # the segmenter used before; not a dependency any more
    except ImportError:
        print("pysbd: not installed (pip install pysbd to compare)")
    else:
        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        sample = docs[: max(1, len(docs) // 50)]
        t = time.perf_counter()
        for d in sample:
            for line in d.splitlines():
                seg.segment(line)
        slow = time.perf_counter() - t
        print(f"pysbd on {len(sample)} documents: {sum(map(len, sample)) / slow:,.0f} characters/s")
    one = " ".join(d.replace("\n", " ") for d in docs)[:1_000_000]
    t = time.perf_counter()
    n = len(propose_offline(one)[0])
    print(f"one 1 MB paragraph: {time.perf_counter() - t:.2f} s, {n} proposals")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
