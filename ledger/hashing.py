"""Canonical JSON and the hash chain, by row format (``ledger/rowformat.py`` says which columns).

Canonical JSON is sorted keys, UTF-8, no spaces (as in ``llm``'s logs). orjson produces exactly
that with OPT_SORT_KEYS and is several times faster than ``json.dumps(sort_keys=True)``, which
matters because every appended row is encoded once on write and once on verify.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson

from ledger import rowformat

GENESIS = "0" * 64


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` as canonical JSON bytes: sorted keys, UTF-8, no spaces."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@cache
def _plan(
    table: str, fmt: int, newest: int
) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """The hashed columns, as a set, and the table's other columns (dropped from a copy)."""
    hashed = rowformat.hashed_columns(table, fmt)
    return hashed, frozenset(hashed), tuple(c for c in rowformat.columns(table) if c not in hashed)


def canonical_row(table: str, row: dict[str, Any], fmt: int = rowformat.FORMAT) -> bytes:
    """The bytes a row's hash covers: its hashed columns (``fmt``'s), its table and its format.

    The table name is part of the hashed object so a row cannot be moved between tables; from
    format 2 on, so is the format, so a row cannot be re-labelled as another format.
    """
    return canonical_encoder(table, fmt, rowformat.FORMAT)(row)


@cache
def canonical_encoder(table: str, fmt: int, newest: int) -> Callable[[dict[str, Any]], bytes]:
    """:func:`canonical_row` for one table and format, its plan looked up once (``newest``:
    ``rowformat.FORMAT``, part of the cache key), for a pass over many rows."""
    hashed, hashed_set, others = _plan(table, fmt, newest)
    marks: dict[str, Any] = {"_table": table, **({"_format": fmt} if fmt >= 2 else {})}

    def encode(row: dict[str, Any]) -> bytes:
        # Copying the row and dropping what is not hashed is about twice as fast as picking the
        # hashed columns one by one; the pick is the fallback for a row without every column.
        body = dict(row)
        for c in others:
            body.pop(c, None)
        if body.keys() != hashed_set:
            body = {c: row.get(c) for c in hashed}
        body.update(marks)
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)

    return encode


def row_hash(table: str, row: dict[str, Any], fmt: int = rowformat.FORMAT) -> str:
    """The chain hash of one ledger row of format ``fmt``: sha256 over :func:`canonical_row`."""
    return hashlib.sha256(canonical_row(table, row, fmt)).hexdigest()


def left_out_line(table: str, row: dict[str, Any]) -> bytes:
    """One attested line: a format-1 row's fields that format 1 left out of its hash."""
    fields = {c: row.get(c) for c in rowformat.FORMAT_1_LEFT_OUT[table]}
    return canonical_json([row["seq"], table, row["id"], fields]) + b"\n"


def line_digest(line: bytes) -> str:
    """The digest kept for one attested line (``attested_fields.digest``)."""
    return hashlib.sha256(line).hexdigest()


def attestation_hasher() -> Any:
    """The attestation's digest: sha256 over its attested lines' digests (hex), in seq order."""
    return hashlib.sha256()
