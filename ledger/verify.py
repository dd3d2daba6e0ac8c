"""Verify the ledger: recompute the chain, re-check every span and every source hash, check the
attestations of fields an older row format left out, and derive every reader table again.

Rows are streamed from each table in ``seq`` order and merged, so memory stays flat however long
the ledger is; source texts are cached a few at a time for the span checks.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import zip_longest
from operator import itemgetter
from typing import Any

from ledger import hashing, migrations, rowformat, verify_derived
from ledger.errors import InputError, IntegrityError
from ledger.hashing import GENESIS, sha256_hex
from ledger.spans import check_span
from ledger.store import Head, Ledger
from ledger.verify_derived import Beside

ENTRIES = rowformat.ENTRIES


@dataclass
class VerifyResult:
    """A verified ledger: its head, whether an earlier head was found in it, how many rows were
    written under format 1 with no attestation yet, and whether derived tables were checked."""

    head: Head
    earlier_head_found: bool | None = None
    unattested: int = 0
    derived_checked: bool = False


def _stream(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    present = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
    cols = [c for c in rowformat.columns(table) if c in present]
    if table == "sources":
        cols = [c for c in cols if c not in ("text", "raw")]
    if not cols:
        return  # a table a newer format added, in a ledger not yet upgraded
    missing = dict.fromkeys(c for c in rowformat.columns(table) if c not in present)
    cur = conn.execute(
        "SELECT {} FROM [{}] ORDER BY seq".format(", ".join(f"[{c}]" for c in cols), table)
    )
    for values in cur:
        row = dict(zip(cols, values, strict=True))
        if missing:
            row = {**missing, **row}
            if table == "sources":
                row.pop("text", None), row.pop("raw", None)
        yield row["seq"], table, row


def _label(table: str, row: dict[str, Any]) -> str:
    return f"seq {row.get('seq')} ({table} {row.get('id')})"


# Hex characters a quoted head needs: 128 bits, so that nobody rewriting the ledger can grind out
# a new entry whose hash starts the same way (48 bits take hours on a GPU).
SHORT_HEAD = 32


def verify(ledger: Ledger, earlier_head: str | None = None, *, quick: bool = False) -> VerifyResult:
    """Check everything; raise IntegrityError naming the first row that disagrees.

    ``earlier_head`` is a head hash quoted earlier, whole or its first 32 or more hex characters
    (as ``factledger cite`` prints it); the ledger must still contain that entry. ``quick``
    leaves out deriving the reader tables and counts again.
    """
    if earlier_head is not None:
        earlier_head = earlier_head.strip().removeprefix("sha256:").strip().lower()
        if not re.fullmatch(rf"[0-9a-f]{{{SHORT_HEAD},64}}", earlier_head):
            raise InputError(
                f"--head {earlier_head!r}: give a head hash as `factledger head` prints it "
                f"(64 hex characters, or at least its first {SHORT_HEAD})"
            )
    conn = ledger.conn
    # One read transaction: every stream, and the derived check, read the same snapshot even
    # while a writer appends.
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    side: Beside | None = None
    try:
        problem = migrations.record_problem(conn)
        if problem:
            raise IntegrityError(f"{problem}; restore the ledger from a copy")
        # The derived tables are compared on a second connection in the same snapshot, beside
        # the chain (SQLite work, off the GIL); in sequence when that snapshot cannot be had.
        if not quick and own:
            side = Beside.start(ledger.path, conn)
        head, unattested = _verify_chain(conn, earlier_head)
        if not quick:
            beside, side = side, None
            difference = beside.result() if beside else verify_derived.difference(conn)
            if difference:
                raise IntegrityError(difference)
    finally:
        if side is not None:  # the chain failed first: its row is the one to name
            side.cancel()
        if own and conn.in_transaction:
            conn.execute("COMMIT")
    return VerifyResult(head, None if earlier_head is None else True, unattested, not quick)


class _Attested:
    """The running check of what format 1 left out, against ``attested_fields``."""

    def __init__(self, conn: sqlite3.Connection):
        try:
            self.rows: Iterator[tuple[Any, ...]] = iter(
                conn.execute(
                    "SELECT seq, tbl, row_id, digest, attestation_id FROM attested_fields "
                    "ORDER BY seq"
                )
            )
        except sqlite3.OperationalError:  # a ledger from before m007
            self.rows = iter(())
        self.digest, self.count, self.unattested, self.done = hashing.attestation_hasher(), 0, 0, 0
        self.by: set[str] = set()

    def row(self, table: str, row: dict[str, Any]) -> None:
        if self.done:
            raise IntegrityError(
                f"{_label(table, row)}: written with row format 1 after the ledger's upgrade"
            )
        if table not in rowformat.FORMAT_1_LEFT_OUT:
            return
        mine = hashing.line_digest(hashing.left_out_line(table, row))
        kept = next(self.rows, None)
        if kept is None:
            self.unattested += 1
            return
        fields = ", ".join(f"{table}.{c}" for c in rowformat.FORMAT_1_LEFT_OUT[table])
        if tuple(kept[:3]) != (row["seq"], table, row["id"]):
            raise IntegrityError(
                f"{_label(table, row)}: missing from attested_fields (it lists seq {kept[0]})"
            )
        if kept[3] != mine:
            raise IntegrityError(
                f"{_label(table, row)}: {fields} differs from what the upgrade attested "
                "(changed after it)"
            )
        self.digest.update(str(kept[3]).encode("ascii"))
        self.count += 1
        self.by.add(kept[4])

    def attestation(self, row: dict[str, Any]) -> None:
        if row["from_format"] != 1 or self.unattested:
            raise IntegrityError(
                f"{_label('attestations', row)}: does not cover the format 1 rows before it"
            )
        named = self.by <= {row["id"]}
        if not named or (self.count, self.digest.hexdigest()) != (row["rows"], row["digest"]):
            raise IntegrityError(
                f"{_label('attestations', row)}: attested_fields differ from what it attested"
            )
        self.done += 1


def _verify_chain(conn: sqlite3.Connection, earlier_head: str | None) -> tuple[Head, int]:
    @lru_cache(maxsize=64)
    def source_text(source_id: str) -> Any:
        row = conn.execute("SELECT text FROM sources WHERE id = ?", [source_id]).fetchone()
        return None if row is None else row[0]

    quoted = earlier_head or ""
    merged = heapq.merge(*(_stream(conn, t) for t in rowformat.TABLES), key=itemgetter(0))
    spine = conn.execute(f"SELECT seq, tbl, row_id, prev_hash, hash FROM {ENTRIES} ORDER BY seq")
    attested = _Attested(conn)
    expected_prev: str = GENESIS
    count, found = 0, earlier_head is None
    for item, entry in zip_longest(merged, spine):
        if item is None:
            raise IntegrityError(
                f"seq {entry[0]} ({entry[1]} {entry[2]}): listed in {ENTRIES} but "
                f"missing from {entry[1]} (deleted)"
            )
        seq, table, row = item
        if seq != count + 1:
            if entry is not None and entry[0] == count + 1:
                raise IntegrityError(
                    f"seq {entry[0]} ({entry[1]} {entry[2]}): missing from {entry[1]} (deleted)"
                )
            problem = "is a duplicate" if seq <= count else f"follows seq {count}: rows are missing"
            raise IntegrityError(f"{_label(table, row)}: {problem}")
        if row["prev_hash"] != expected_prev:
            raise IntegrityError(
                f"{_label(table, row)}: prev_hash does not match the hash of seq {count}"
            )
        try:
            fmt = _check_row(conn, table, row, source_text)
        except (TypeError, ValueError, AttributeError, UnicodeError) as e:
            raise IntegrityError(
                f"{_label(table, row)}: holds a value of an unexpected type ({e})"
            ) from None
        if fmt == 1:
            attested.row(table, row)
        elif table == "attestations":
            attested.attestation(row)
        if entry is None or tuple(entry) != (seq, table, row["id"], row["prev_hash"], row["hash"]):
            raise IntegrityError(f"{_label(table, row)}: disagrees with {ENTRIES}")
        expected_prev, count = str(row["hash"]), seq
        if not found and str(row["hash"]).startswith(quoted):
            found = True
    head = Head(count, expected_prev)
    if not found:
        raise IntegrityError(
            f"earlier head {earlier_head} is not in this ledger ({head}): "
            "it was truncated or rewritten since that head was quoted"
        )
    if next(attested.rows, None) is not None:
        raise IntegrityError("attested_fields lists rows the ledger does not have")
    return head, attested.unattested


@cache
def _added_after(table: str, fmt: int, newest: int) -> tuple[str, ...]:
    # ``newest`` (rowformat.FORMAT) is part of the key: the contract only grows between releases.
    return tuple(c for c in rowformat.added_after(table, fmt) if c != "format")


def _check_row(conn: sqlite3.Connection, table: str, row: dict[str, Any], source_text: Any) -> int:
    """Check one row's hash, format and content; returns its format."""
    fmt = 1 if row.get("format") is None else row["format"]
    if fmt not in rowformat.FORMATS:
        raise IntegrityError(f"{_label(table, row)}: unknown row format {fmt!r}")
    for column in _added_after(table, fmt, rowformat.FORMAT):
        if row.get(column) is not None:
            raise IntegrityError(
                f"{_label(table, row)}: {column} holds a value, "
                f"but row format {fmt} has no {column}"
            )
    try:
        digest = hashing.row_hash(table, row, fmt)
    except TypeError:
        column = next((c for c, v in row.items() if not isinstance(v, str | int | float)), "?")
        if column == "?" or row[column] is None:
            raise
        kind = type(row[column]).__name__
        raise IntegrityError(
            f"{_label(table, row)}: {column} holds {kind} where text or a number belongs"
        ) from None
    if digest != row["hash"]:
        raise IntegrityError(
            f"{_label(table, row)}: hash does not match its contents (row was altered)"
        )
    if table == "sources":
        _check_source(conn, row, _label(table, row))
    elif table in rowformat.SPAN_TABLES:
        text = source_text(row["source_id"])
        if text is None:
            raise IntegrityError(f"{_label(table, row)}: its source {row['source_id']} is missing")
        if not isinstance(text, str):
            raise IntegrityError(f"{_label(table, row)}: its source's text is not text")
        mismatch = check_span(text, row)
        if mismatch:
            raise IntegrityError(f"{_label(table, row)}: {mismatch}")
    return int(fmt)


def _check_source(conn: sqlite3.Connection, row: dict[str, Any], where: str) -> None:
    text, raw = conn.execute("SELECT text, raw FROM sources WHERE id = ?", [row["id"]]).fetchone()
    if not isinstance(text, str) or sha256_hex(text.encode("utf-8")) != row["text_sha256"]:
        raise IntegrityError(f"{where}: source text does not match its text_sha256")
    if not isinstance(raw, bytes) or sha256_hex(raw) != row["raw_sha256"]:
        raise IntegrityError(f"{where}: source bytes do not match their raw_sha256")
