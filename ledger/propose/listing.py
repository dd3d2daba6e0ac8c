"""Read stored proposals."""

from __future__ import annotations

from typing import Any

from ledger.corpus import resolve_source
from ledger.store import Ledger


def list_proposals(ledger: Ledger, source: str | None = None) -> list[dict[str, Any]]:
    """Stored proposals, oldest first, optionally for one source."""
    cols = (
        "id, source_id, start, end, quote, claim, actor, stance, stated_on, rationale, anchoring, "
        "anchor_score, proposer, proposer_version, model, prompt_name, prompt_hash, model_call_id, "
        "recorded_at"
    )
    if source:
        sid = resolve_source(ledger, source)["id"]
        return ledger.all(f"SELECT {cols} FROM proposals WHERE source_id = ? ORDER BY seq", [sid])
    return ledger.all(f"SELECT {cols} FROM proposals ORDER BY seq")
