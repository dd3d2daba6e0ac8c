"""Verify the ledger: recompute the chain, re-check every span and every source hash.

Rows are streamed from each table in ``seq`` order and merged, so memory stays flat however long
the ledger is; source texts are cached a few at a time for the span checks.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from typing import Any

from ledger import migrations
from ledger.errors import InputError, IntegrityError
from ledger.hashing import GENESIS, row_hash, sha256_hex
from ledger.spans import check_span
from ledger.store import Head, Ledger


@dataclass
class VerifyResult:
    """A verified ledger: its head, and whether an earlier head was found in it."""

    head: Head
    earlier_head_found: bool | None = None


def _stream(ledger: Ledger, table: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    cols = [*migrations.TABLES[table], *migrations.CHAIN]
    if table == "sources":
        cols.remove("text")
        cols.remove("raw")
    cur = ledger.conn.execute(
        "SELECT {} FROM [{}] ORDER BY seq".format(", ".join(f"[{c}]" for c in cols), table)
    )
    for values in cur:
        row = dict(zip(cols, values, strict=True))
        yield row["seq"], table, row


def _label(table: str, row: dict[str, Any]) -> str:
    return f"seq {row.get('seq')} ({table} {row.get('id')})"


# Hex characters a quoted head needs: 128 bits, so that nobody rewriting the ledger can grind out
# a new entry whose hash starts the same way (48 bits take hours on a GPU).
SHORT_HEAD = 32


def verify(ledger: Ledger, earlier_head: str | None = None) -> VerifyResult:
    """Check everything; raise IntegrityError naming the first row that disagrees.

    ``earlier_head`` is a head hash quoted earlier, whole or its first 32 or more hex characters
    (as ``factledger cite`` prints it); the ledger must still contain that entry.
    """
    if earlier_head is not None:
        earlier_head = earlier_head.strip().removeprefix("sha256:").strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{SHORT_HEAD},64}}", earlier_head):
            raise InputError(
                f"--head {earlier_head!r}: give a head hash as `factledger head` prints it "
                f"(64 hex characters, or at least its first {SHORT_HEAD})"
            )

    @lru_cache(maxsize=64)
    def source_text(source_id: str) -> str | None:
        row = ledger.conn.execute("SELECT text FROM sources WHERE id = ?", [source_id]).fetchone()
        return None if row is None else row[0]

    quoted = earlier_head or ""
    merged = heapq.merge(*(_stream(ledger, t) for t in migrations.TABLES), key=lambda r: r[0])
    spine = ledger.conn.execute(
        f"SELECT seq, tbl, row_id, prev_hash, hash FROM {migrations.ENTRIES} ORDER BY seq"
    )
    expected_prev: str = GENESIS
    count, found = 0, earlier_head is None
    for item, entry in zip_longest(merged, spine):
        if item is None:
            raise IntegrityError(
                f"seq {entry[0]} ({entry[1]} {entry[2]}): listed in {migrations.ENTRIES} but "
                f"missing from {entry[1]} (deleted)"
            )
        seq, table, row = item
        where = _label(table, row)
        if seq != count + 1:
            if entry is not None and entry[0] == count + 1:
                raise IntegrityError(
                    f"seq {entry[0]} ({entry[1]} {entry[2]}): missing from {entry[1]} (deleted)"
                )
            problem = "is a duplicate" if seq <= count else f"follows seq {count}: rows are missing"
            raise IntegrityError(f"{where}: {problem}")
        if row["prev_hash"] != expected_prev:
            raise IntegrityError(f"{where}: prev_hash does not match the hash of seq {count}")
        if row_hash(table, row) != row["hash"]:
            raise IntegrityError(f"{where}: hash does not match its contents (row was altered)")
        if table == "sources":
            _check_source(ledger, row, where)
        elif table in migrations.SPAN_TABLES:
            text = source_text(row["source_id"])
            if text is None:
                raise IntegrityError(f"{where}: its source {row['source_id']} is missing")
            mismatch = check_span(text, row)
            if mismatch:
                raise IntegrityError(f"{where}: {mismatch}")
        if entry is None or tuple(entry) != (seq, table, row["id"], row["prev_hash"], row["hash"]):
            raise IntegrityError(f"{where}: disagrees with {migrations.ENTRIES}")
        expected_prev, count = str(row["hash"]), seq
        if not found and str(row["hash"]).startswith(quoted):
            found = True
    head = Head(count, expected_prev)
    if not found:
        raise IntegrityError(
            f"earlier head {earlier_head} is not in this ledger ({head}): "
            "it was truncated or rewritten since that head was quoted"
        )
    return VerifyResult(head, None if earlier_head is None else True)


def _check_source(ledger: Ledger, row: dict[str, Any], where: str) -> None:
    text, raw = ledger.conn.execute(
        "SELECT text, raw FROM sources WHERE id = ?", [row["id"]]
    ).fetchone()
    if sha256_hex(text.encode("utf-8")) != row["text_sha256"]:
        raise IntegrityError(f"{where}: source text does not match its text_sha256")
    if raw is None or sha256_hex(bytes(raw)) != row["raw_sha256"]:
        raise IntegrityError(f"{where}: source bytes do not match their raw_sha256")
