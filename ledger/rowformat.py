"""The row format contract: each ledger table's columns, which are hashed, and since which format.

This module imports nothing of ours, so that the contract cannot change because other code did.
A row records the format it was hashed with (its ``format`` column; NULL for rows written before
the column existed, which are format 1). A row of format N is hashed over exactly the columns of
format N, so a column added later (``since`` N+1) is not part of an older row's hash, and the
older row keeps verifying; ``verify`` checks that such a column is NULL in the older row.

To add a nullable column to a ledger table: one literal ``ALTER TABLE ... ADD COLUMN`` migration,
and one entry here with ``since=FORMAT + 1`` (FORMAT follows). Add a golden row for the new format
in tests/test_rowformat.py.

Format 1 (factledger 0.1) hashed every listed column, NULLs included, except any column named
``text`` or ``raw`` in any table: right for the source's text and bytes (their sha256 columns are
hashed), wrong for ``claim_versions.text``, the claim itself. Format 2 hashes every column except
``sources.text`` and ``sources.raw``, and marks its hashed object with ``_format`` so that a row
cannot be re-labelled as another format with the same hash.
"""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    """A ledger column: its SQL type, the first format that has it, and whether it is hashed."""

    type: str
    since: int = 1
    hashed: bool = True


ENTRIES = "ledger_entries"
# Chain columns, after a table's own columns. ``hash`` is never hashed; ``format`` is hashed as
# the ``_format`` key from format 2 on.
CHAIN: dict[str, Column] = {
    "seq": Column("INTEGER"),
    "prev_hash": Column("TEXT"),
    "hash": Column("TEXT", hashed=False),
    "recorded_at": Column("TEXT"),
    "format": Column("INTEGER", since=2, hashed=False),
}

T, INT, F = Column("TEXT"), Column("INTEGER"), Column("FLOAT")
SPAN: dict[str, Column] = {
    "source_id": T,
    "start": INT,
    "end": INT,
    "quote": T,
    "prefix": T,
    "suffix": T,
}

# The ledger tables, in the order they were introduced and in which a transaction writes them.
TABLES: dict[str, dict[str, Column]] = {
    "sources": {
        "id": T,
        "path": T,
        "title": T,
        "publisher": T,
        "author": T,
        "url": T,
        "published": T,
        "retrieved": T,
        "media_type": T,
        "size_bytes": INT,
        "raw_sha256": T,
        "text_sha256": T,
        "replaces": T,
        "ingested_by": T,
        "language": Column("TEXT", since=3),
        # Where each page starts in the text (JSON list of offsets), for a PDF.
        "pages": Column("TEXT", since=3),
        # Covered by text_sha256 and raw_sha256, which are hashed; verify recomputes both.
        "text": Column("TEXT", hashed=False),
        "raw": Column("BLOB", hashed=False),
    },
    "model_calls": {
        "id": T,
        "model": T,
        "resolved_model": T,
        "api_base": T,
        "prompt_name": T,
        "prompt_hash": T,
        "cache_key": T,
        "request": T,
        "response": T,
        "input_tokens": INT,
        "output_tokens": INT,
        "cost": F,
        "duration_ms": INT,
        "error": T,
    },
    "proposals": {
        "id": T,
        "run_id": T,
        **SPAN,
        "claim": T,
        "actor": T,
        "stance": T,
        "stated_on": T,
        "rationale": T,
        "anchoring": T,
        "anchor_score": F,
        "proposer": T,
        "proposer_version": T,
        "model": T,
        "prompt_name": T,
        "prompt_hash": T,
        "params": T,
        "model_call_id": T,
        # The proposal this one takes a stance on (a stance proposal attached to a claim).
        "stance_on": Column("TEXT", since=3),
        # 0 for an opinion, forecast or demand (nothing to check); NULL where not judged.
        "checkable": Column("INTEGER", since=3),
    },
    "claims": {"id": T, "created_by": T, "proposal_id": T},
    "claim_versions": {
        "id": T,
        "claim_id": T,
        "version": INT,
        "text": T,
        **SPAN,
        "reviewer": T,
        "reason": T,
        "proposal_id": T,
        "decision_id": T,
    },
    "stance_events": {
        "id": T,
        "claim_id": T,
        "stance": T,
        "actor": T,
        **SPAN,
        "stated_on": T,
        "reviewer": T,
        "note": T,
        "proposal_id": T,
        "decision_id": T,
    },
    "verdicts": {"id": T, "claim_id": T, "verdict": T, "note": T, "reviewer": T},
    "status_changes": {
        "id": T,
        "claim_id": T,
        "status": T,
        "successor_id": T,
        "reason": T,
        "reviewer": T,
    },
    "decisions": {
        "id": T,
        "proposal_id": T,
        "action": T,
        "reviewer": T,
        "reason": T,
        "changes": T,
        "claim_id": T,
        "reverses": T,
    },
    # One entry per upgrade: its digest covers the fields an older format left out of the hash.
    "attestations": {
        "id": Column("TEXT", since=2),
        "from_format": Column("INTEGER", since=2),
        "through_seq": Column("INTEGER", since=2),
        "rows": Column("INTEGER", since=2),
        "fields": Column("TEXT", since=2),
        "digest": Column("TEXT", since=2),
    },
    # A signed checkpoint of the transparency log: tree size, Merkle root and the signed note.
    "checkpoints": {
        "id": Column("TEXT", since=3),
        "origin": Column("TEXT", since=3),
        "tree_size": Column("INTEGER", since=3),
        "root_hash": Column("TEXT", since=3),
        "note": Column("TEXT", since=3),
        # The verifier key that signed the note (readers compare it with the published one).
        "verifier": Column("TEXT", since=3),
    },
    # A proposal routed to one reviewer (team review); ``batch`` names the assign run.
    "assignments": {
        "id": Column("TEXT", since=3),
        "proposal_id": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
        "batch": Column("TEXT", since=3),
        "assigned_by": Column("TEXT", since=3),
    },
    # A reviewer's decision on a proposal assigned to several reviewers, before it is settled.
    "votes": {
        "id": Column("TEXT", since=3),
        "proposal_id": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
        "action": Column("TEXT", since=3),
        "claim": Column("TEXT", since=3),
        "actor": Column("TEXT", since=3),
        "stance": Column("TEXT", since=3),
        "quote": Column("TEXT", since=3),
        "reason": Column("TEXT", since=3),
        "confirm_quote": Column("INTEGER", since=3),
    },
    # How a proposal with votes was settled: the decision, the votes it resolves, those upheld.
    "settlements": {
        "id": Column("TEXT", since=3),
        "proposal_id": Column("TEXT", since=3),
        "decision_id": Column("TEXT", since=3),
        "how": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
        "votes": Column("TEXT", since=3),
        "upheld": Column("TEXT", since=3),
    },
    # A ledger setting (the latest row for a name wins), e.g. require_second_reviewer.
    "settings": {
        "id": Column("TEXT", since=3),
        "name": Column("TEXT", since=3),
        "value": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
    },
    # A verdict, retraction or supersession held until a second, different reviewer confirms it.
    "holds": {
        "id": Column("TEXT", since=3),
        "claim_id": Column("TEXT", since=3),
        "kind": Column("TEXT", since=3),
        "value": Column("TEXT", since=3),
        "successor_id": Column("TEXT", since=3),
        "note": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
    },
    # A second reviewer's confirmation of a hold, and the row it made take effect.
    "confirmations": {
        "id": Column("TEXT", since=3),
        "hold_id": Column("TEXT", since=3),
        "reviewer": Column("TEXT", since=3),
        "effect_id": Column("TEXT", since=3),
    },
}

SPAN_TABLES = ("claim_versions", "stance_events")

# The newest format: the one new rows are written with.
FORMAT = max(c.since for cols in (*TABLES.values(), CHAIN) for c in cols.values())
FORMATS = tuple(range(1, FORMAT + 1))

# Format 1 left these out of the hash although nothing else covered them (an upgrade attests
# them): hashed from format 2 on, not by format 1.
FORMAT_1_LEFT_OUT: dict[str, tuple[str, ...]] = {"claim_versions": ("text",)}


def columns(table: str) -> tuple[str, ...]:
    """Every stored column of ``table``: its own, then the chain columns."""
    return (*TABLES[table], *CHAIN)


def hashed_columns(table: str, fmt: int) -> tuple[str, ...]:
    """The columns a row of ``table`` written with format ``fmt`` is hashed over, in order."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown row format {fmt}")
    cols = {**TABLES[table], **CHAIN}
    if fmt == 1:
        return tuple(
            c
            for c, col in cols.items()
            if col.since == 1 and c not in ("text", "raw", "hash", "format")
        )
    return tuple(c for c, col in cols.items() if col.since <= fmt and col.hashed)


def added_after(table: str, fmt: int) -> tuple[str, ...]:
    """Columns of ``table`` that a row of format ``fmt`` was written without (must be NULL)."""
    return tuple(c for c, col in {**TABLES[table], **CHAIN}.items() if col.since > fmt)
