"""The quick chain pass of ``verify``: one pass driven by the spine that only says whether the
chain, spans, source hashes and attestation hold, as fast as Python can read and hash the rows.

Each table is read as tuples whose first columns are the newest format's hashed columns and the
hash's marks, already in canonical key order: a row of the newest format is hashed as
``orjson.dumps(dict(zip(keys, values)))`` with no copy, no sort and no dropped columns, which is
what :func:`hashing.canonical_row` gives for it (orjson keeps a dict's order; the golden tests
and the naming pass hold the two to the same bytes). A row of an older format, a table the
database lacks columns of, and anything unexpected go the general way or raise: any exception
sends ``verify`` to the naming pass, which names the row. The pass must never accept what the
naming pass refuses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from hashlib import sha256
from typing import Any, Protocol

import orjson

from ledger import hashing, rowformat
from ledger.hashing import GENESIS
from ledger.row_checks import Attested, added_after, check_source
from ledger.spans import CONTEXT

SPINE = f"SELECT seq, tbl, row_id FROM {rowformat.ENTRIES} ORDER BY seq"


class Recheck(Exception):
    """The quick pass saw something wrong (or something it does not take the fast way)."""


class Leaves(Protocol):
    """What takes each entry's hash in order (the stored tree's check)."""

    def add(self, entry_hash: str) -> None: ...


class _Table:
    """How one table's rows are read and hashed by the fast path."""

    def __init__(self, conn: sqlite3.Connection, table: str):
        present = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
        self.table = table
        self.columns = [c for c in rowformat.columns(table) if c in present]
        if table == "sources":
            self.columns = [c for c in self.columns if c not in ("text", "raw")]
        missing = [c for c in rowformat.columns(table) if c not in present]
        # A ledger not yet upgraded to the newest format's columns: every row the general way.
        self.fast = not [c for c in missing if c not in ("text", "raw")]
        newest = rowformat.FORMAT
        hashed = rowformat.hashed_columns(table, newest)
        marks = {"_table": table, "_format": newest}
        self.keys = tuple(sorted((*hashed, *marks)))
        rest = [c for c in self.columns if c not in hashed]
        exprs = [_literal(marks[k]) if k in marks else f"[{k}]" for k in self.keys]
        exprs += [f"[{c}]" for c in rest]
        self.sql = f"SELECT {', '.join(exprs)} FROM [{table}] ORDER BY seq"
        self.names = (*self.keys, *rest)
        at = {name: i for i, name in enumerate(self.names)}
        self.seq, self.id, self.prev = at["seq"], at["id"], at["prev_hash"]
        self.hash = at["hash"]
        self.format = at.get("format", -1)
        self.span = tuple(at[c] for c in rowformat.SPAN) if table in rowformat.SPAN_TABLES else ()
        self.newest = newest

    def rows(self, conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
        return iter(conn.execute(self.sql)) if self.columns else iter(())

    def as_dict(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """The row as the naming pass reads it (contract columns the database lacks: None)."""
        row: dict[str, Any] = dict.fromkeys(rowformat.columns(self.table))
        if self.table == "sources":
            row.pop("text"), row.pop("raw")
        row.update((n, v) for n, v in zip(self.names, values, strict=True) if not n.startswith("_"))
        return row


def _literal(value: object) -> str:
    return str(value) if isinstance(value, int) else "'{}'".format(str(value).replace("'", "''"))


def quick(
    conn: sqlite3.Connection,
    earlier_head: str | None,
    source_text: Any,
    leaves: Leaves | None = None,
) -> tuple[int, str, int]:
    """(count, head hash, unattested rows) if everything holds; raises at the first thing wrong
    without naming it. ``leaves``, if given, takes each entry's hash in order."""
    tables = {t: _Table(conn, t) for t in rowformat.TABLES}
    streams = {t: plan.rows(conn) for t, plan in tables.items()}
    attested = Attested(conn)
    newest = rowformat.FORMAT
    general: dict[tuple[str, int | None], tuple[int, tuple[str, ...], Any]] = {}
    expected_prev: str = GENESIS
    count: Any = 0
    quoted, found = earlier_head or "", earlier_head is None
    dumps = orjson.dumps
    add = leaves.add if leaves is not None else None
    # Each table's stream and positions in one tuple: one lookup an entry, then locals.
    ways = {
        t: (
            plan,
            streams[t].__next__,
            plan.keys,
            plan.seq,
            plan.id,
            plan.prev,
            plan.hash,
            plan.format,
            plan.fast,
            plan.span,
        )
        for t, plan in tables.items()
    }
    for seq, table, row_id in conn.execute(SPINE):
        way = ways.get(table)
        if way is None or seq != count + 1:
            raise Recheck
        plan, pull, keys, i_seq, i_id, i_prev, i_hash, i_format, fast, span = way
        values = pull()  # StopIteration: the spine lists more rows than the table has
        if values[i_seq] != seq or values[i_id] != row_id or values[i_prev] != expected_prev:
            raise Recheck
        digest = values[i_hash]
        fmt = values[i_format] if i_format >= 0 else None
        if fast and type(fmt) is int and fmt == newest:
            if sha256(dumps(dict(zip(keys, values, strict=False)))).hexdigest() != digest:
                raise Recheck
            row = None
        else:
            row = plan.as_dict(values)
            number = _check_general(general, table, row)
        if span:
            start, end, quote = values[span[1]], values[span[2]], values[span[3]]
            text = source_text(values[span[0]])
            prefix, suffix = values[span[4]], values[span[5]]
            # What spans.check_span accepts, never more (an int here must be an int).
            if not (
                isinstance(text, str)
                and type(start) is int
                and type(end) is int
                and 0 <= start < end <= len(text)
                and text[start:end] == quote
                and (prefix is None or text[max(0, start - CONTEXT) : start] == prefix)
                and (suffix is None or text[end : end + CONTEXT] == suffix)
            ):
                raise Recheck
        elif table == "sources":
            check_source(conn, row or plan.as_dict(values), "")
        if row is not None and number == 1:
            attested.row(table, row)
        elif table == "attestations":
            attested.attestation(row or plan.as_dict(values))
        expected_prev, count = digest, seq
        if add is not None:
            add(digest)
        if not found and expected_prev.startswith(quoted):
            found = True
    if any(next(rows, None) is not None for rows in streams.values()):
        raise Recheck
    if not found or next(attested.rows, None) is not None:
        raise Recheck
    return count, expected_prev, attested.unattested


def _check_general(
    plans: dict[tuple[str, int | None], tuple[int, tuple[str, ...], Any]],
    table: str,
    row: dict[str, Any],
) -> int:
    """A row the fast path does not take (an older format, or an odd one): its format's plan,
    looked up once a table and format. Returns the format."""
    fmt = row.get("format")
    # Only an int may share a plan: 2.0 would meet the plan for 2 and hash as 2 here.
    if fmt is not None and type(fmt) is not int:
        raise Recheck
    plan = plans.get((table, fmt))
    if plan is None:
        if fmt is not None and fmt not in rowformat.FORMATS:
            raise Recheck
        number = 1 if fmt is None else fmt
        newest = rowformat.FORMAT
        plan = plans[(table, fmt)] = (
            number,
            added_after(table, number, newest),
            hashing.canonical_encoder(table, number, newest),
        )
    number, added, encode = plan
    for column in added:
        if row.get(column) is not None:
            raise Recheck
    if sha256(encode(row)).hexdigest() != row["hash"]:
        raise Recheck
    return number
