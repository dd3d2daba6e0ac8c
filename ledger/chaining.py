"""One appended row as stored: its columns in ``rowformat.columns`` order, chained onto a head.

The per-table work (the blank row, the columns an append may give, the canonical encoder) is
done once per table and kept while the table's contract is the same object (a test may grow a
table or the format), so a bulk append pays only for the row itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from ledger import rowformat
from ledger.hashing import canonical_encoder

_TAIL = ("seq", "prev_hash", "hash", "recorded_at", "format")  # the chain columns, as stored


class _Plan(NamedTuple):
    columns: dict[str, rowformat.Column]  # the table's contract, as rowformat.TABLES has it
    chain: dict[str, rowformat.Column]
    format: int
    blank: dict[str, Any]  # every stored column, None, in rowformat.columns order
    known: frozenset[str]  # the columns an appended row may give (``recorded_at`` too, for imports)
    encode: Callable[[dict[str, Any]], bytes]  # hashing's canonical encoder for the format
    # Every hashed column and the hash's marks, in canonical (sorted) key order, marks filled
    # in, and a getter of the stored columns up to prev_hash from it; None for a table with a
    # stored column that is not hashed (a source's text and bytes).
    canonical: tuple[dict[str, Any], Callable[[dict[str, Any]], tuple[Any, ...]]] | None


_PLANS: dict[str, _Plan] = {}


def _plan(table: str) -> _Plan:
    columns, fmt = rowformat.TABLES[table], rowformat.FORMAT
    plan = _PLANS.get(table)
    if (
        plan is None
        or plan.columns is not columns
        or plan.chain is not rowformat.CHAIN
        or plan.format != fmt
    ):
        plan = _PLANS[table] = _Plan(
            columns,
            rowformat.CHAIN,
            fmt,
            dict.fromkeys(rowformat.columns(table)),
            frozenset(columns) | {"recorded_at"},
            canonical_encoder(table, fmt, fmt),
            _sorted(table, fmt),
        )
    return plan


def _sorted(
    table: str, fmt: int
) -> tuple[dict[str, Any], Callable[[dict[str, Any]], tuple[Any, ...]]] | None:
    hashed = rowformat.hashed_columns(table, fmt)
    stored = rowformat.columns(table)
    own = stored[: -len(_TAIL)]
    if stored[-len(_TAIL) :] != _TAIL or set(own) - set(hashed) or fmt < 2:
        return None
    marks = {"_table": table, "_format": fmt}
    keys = sorted((*hashed, *marks))
    return {k: marks.get(k) for k in keys}, itemgetter(*own, "seq", "prev_hash")


def chained(
    table: str, row: dict[str, Any], seq: int, prev_hash: str, now: str
) -> tuple[tuple[Any, ...], str]:
    """The values of ``row`` as entry ``seq`` of the chain after ``prev_hash`` (recorded ``now``
    unless it says when), in ``rowformat.columns`` order, and its hash; ValueError for a column
    ``table`` does not have."""
    plan = _plan(table)
    if not row.keys() <= plan.known:
        unknown = row.keys() - plan.known
        raise ValueError(f"unknown columns for {table}: {sorted(unknown)}")
    if plan.canonical is not None:
        blank, stored = plan.canonical
        # Filled in place, a copy of the sorted blank keeps its key order: orjson then writes
        # the canonical bytes with no sort and no copy dropping what is not hashed, which is
        # what hashing.canonical_row gives (the golden tests and verify hold them equal).
        body = blank.copy()
        body.update(row)
        body["seq"] = seq
        body["prev_hash"] = prev_hash
        recorded = body["recorded_at"] = body["recorded_at"] or now
        digest = hashlib.sha256(orjson.dumps(body)).hexdigest()
        return (*stored(body), digest, recorded, plan.format), digest
    # A copy of the blank row takes the given values in place: the row as stored, and what is
    # hashed, in one dict.
    full = plan.blank.copy()
    full.update(row)
    full["seq"] = seq
    full["prev_hash"] = prev_hash
    full["recorded_at"] = full["recorded_at"] or now
    full["format"] = plan.format
    # The hash is not hashed, so it is filled in last: row_hash, its encoder looked up once.
    full["hash"] = digest = hashlib.sha256(plan.encode(full)).hexdigest()
    return tuple(full.values()), digest
