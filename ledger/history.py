"""The audit trail in words: who did what when, entry by entry, as ``git log`` reads.

Each ledger entry (a row of the ``ledger_entries`` spine) is described from its own row: ``retracted
FL-C75H3V: duplicate``, ``accepted P-… as FL-…``. The hashes stay alongside; nothing here is
stored, it is read from the chain each time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ledger import spine
from ledger.store import Ledger

# The columns each table's description needs (never a source's text or bytes, never a model's
# request or response), and who is acting in it.
COLUMNS: dict[str, str] = {
    "sources": "id, path, title, replaces, ingested_by",
    "model_calls": "id, model, prompt_name, input_tokens, output_tokens, error",
    "proposals": "id, claim, actor, stance, proposer, model",
    "claims": "id, created_by, proposal_id",
    "claim_versions": "id, claim_id, version, text, quote, reviewer, reason",
    "stance_events": "id, claim_id, stance, actor, quote, reviewer, note",
    "verdicts": "id, claim_id, verdict, note, reviewer",
    "status_changes": "id, claim_id, status, successor_id, reason, reviewer",
    "decisions": "id, proposal_id, action, reviewer, reason, claim_id, reverses",
}
WHO = {
    "sources": "ingested_by",
    "claims": "created_by",
    "claim_versions": "reviewer",
    "stance_events": "reviewer",
    "verdicts": "reviewer",
    "status_changes": "reviewer",
    "decisions": "reviewer",
}
SHORT = 60  # characters of claim text shown in a line


def _short(text: str | None, n: int = SHORT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _why(text: str | None) -> str:
    return f": {_short(text)}" if text else ""


def _source(r: dict[str, Any]) -> str:
    extra = f" (replaces {r['replaces']})" if r["replaces"] else ""
    return f"ingested {r['id']} {r['path']}{extra}"


def _model_call(r: dict[str, Any]) -> str:
    if r["error"]:
        return f"model call {r['id']} to {r['model']} failed: {_short(r['error'])}"
    tokens = f", {r['input_tokens'] or 0}+{r['output_tokens'] or 0} tokens"
    return f"called {r['model']} with prompt {r['prompt_name']}{tokens}"


def _version(r: dict[str, Any]) -> str:
    if r["version"] == 1:
        return f"wrote {r['id']}: {_short(r['text'])}"
    why = f" ({_short(r['reason'], 40)})" if r["reason"] else ""
    return f"edited {r['claim_id']} into @{r['version']}{why}: {_short(r['text'])}"


def _status(r: dict[str, Any]) -> str:
    by = f" by {r['successor_id']}" if r["successor_id"] else ""
    return f"{r['status']} {r['claim_id']}{by}{_why(r['reason'])}"


def _decision(r: dict[str, Any]) -> str:
    action, p, c = r["action"], r["proposal_id"], r["claim_id"]
    if action == "accept":
        return f"accepted {p} as {c}"
    if action == "edit":
        return f"accepted {p} with edits as {c}"
    if action == "merge":
        return f"merged {p} into {c}"
    if action == "reject":
        return f"rejected {p}{_why(r['reason'])}"
    if action == "undo":
        return f"undid {r['reverses']} on {p}" + (f" (retracting {c})" if c else "")
    return f"{action} {p}"


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "sources": _source,
    "model_calls": _model_call,
    "proposals": lambda r: (
        f"proposed {r['id']}: {r['stance']} by {r['actor']}: {_short(r['claim'])}"
    ),
    "claims": lambda r: (
        f"created {r['id']}" + (f" from {r['proposal_id']}" if r["proposal_id"] else " by hand")
    ),  # fmt: skip
    "claim_versions": _version,
    "stance_events": lambda r: (
        f"{r['stance']} by {r['actor']} on {r['claim_id']}"
        + (f" — {_short(r['note'])}" if r["note"] else "")
    ),
    "verdicts": lambda r: f"verdict {r['verdict']} on {r['claim_id']}{_why(r['note'])}",
    "status_changes": _status,
    "decisions": _decision,
}


def describe(
    ledger: Ledger, entries: list[dict[str, Any]], *, whole: bool = False
) -> list[dict[str, Any]]:
    """Each entry (``seq``, ``table``, ``row_id``, ``hash``...) with ``who``, ``when`` and
    ``what`` read from its row, and the row as ``row`` (every column with ``whole``, except a
    source's text and bytes and a model call's request and response)."""
    out = []
    for e in entries:
        table = e["table"]
        cols = COLUMNS.get(table, "id")
        if whole and table not in ("sources", "model_calls"):
            cols = "*"
        row = ledger.one(
            f"SELECT {cols}, recorded_at FROM [{table}] WHERE id = ?", [e["row_id"]]
        ) or {"id": e["row_id"], "recorded_at": None}
        when = row.pop("recorded_at")
        if table in DESCRIBE and len(row) > 1:
            what = DESCRIBE[table](row)
        else:
            what = f"{table} {e['row_id']}"
        who = row.get(WHO.get(table, ""), None) or (
            row.get("proposer") or ("model" if table == "model_calls" else None)
        )
        out.append({**e, "who": who or "?", "when": when, "what": what, "row": row})
    return out


def log(ledger: Ledger, limit: int = 20) -> list[dict[str, Any]]:
    """The newest ``limit`` entries, newest first, described."""
    ledger.flush()
    return describe(ledger, spine.entries(ledger.conn, newest_first=True, limit=limit))


class _Rollback(Exception):
    pass


@contextmanager
def recording(ledger: Ledger, *, dry_run: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Run the block in one transaction and fill the yielded list with the entries it appended
    (described, whole rows). With ``dry_run`` the transaction is rolled back: nothing is written,
    but the list says what would have been."""
    appended: list[dict[str, Any]] = []
    try:
        with ledger.transaction():
            before = ledger.head().count
            yield appended
            ledger.flush()
            appended += describe(ledger, spine.entries(ledger.conn, before), whole=True)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
