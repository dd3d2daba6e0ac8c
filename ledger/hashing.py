"""Canonical JSON and the hash chain.

Canonical JSON is sorted keys, UTF-8, no spaces (as in ``llm``'s logs). orjson produces exactly
that with OPT_SORT_KEYS and is several times faster than ``json.dumps(sort_keys=True)``, which
matters because every appended row is encoded once on write and once on verify.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

GENESIS = "0" * 64

# Columns that are not part of a row's canonical JSON: the hash itself, and large content that is
# covered by its own sha256 column instead (sources.text by text_sha256, sources.raw by raw_sha256).
EXCLUDED = frozenset({"hash", "text", "raw"})


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` as canonical JSON bytes: sorted keys, UTF-8, no spaces."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def row_hash(table: str, row: dict[str, Any]) -> str:
    """The chain hash of one ledger row: sha256 over its canonical JSON, which includes prev_hash.

    The table name is part of the hashed object so a row cannot be moved between tables.
    """
    body = {k: v for k, v in row.items() if k not in EXCLUDED}
    body["_table"] = table
    return hashlib.sha256(canonical_json(body)).hexdigest()
