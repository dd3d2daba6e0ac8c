"""Run a proposer over sources and store its proposals (append-only), anchored in the text.

Proposals are suggestions with full provenance; nothing becomes a claim until a reviewer accepts
it. Proposal IDs are content hashes, so running the same proposer over the same source again adds
nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ledger.anchoring import anchor_quote
from ledger.controls import visible
from ledger.corpus import resolve_source
from ledger.errors import InputError, ModelError
from ledger.hashing import canonical_json, sha256_hex
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.store import Ledger

PROPOSERS = ("offline", "llm")


@dataclass
class SourceRun:
    """What one source produced: every proposal (new or already stored) and how many were new."""

    source_id: str
    title: str
    proposals: list[dict[str, Any]] = field(default_factory=list)
    new: int = 0
    new_ids: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    # Not stored yet (the proposals table has no column for them): proposal ID -> the ID of the
    # proposal it takes a stance on, and the IDs flagged as having nothing checkable.
    stance_on: dict[str, str] = field(default_factory=dict)
    not_checkable: set[str] = field(default_factory=set)
    skipped: str | None = None  # why the proposer could not run on this source


def default_proposer(model: str | None) -> str:
    """``llm`` when a model is named (``--model`` or FACTLEDGER_MODEL), else ``offline``."""
    return "llm" if (model or os.environ.get("FACTLEDGER_MODEL")) else "offline"


def proposer_options(kind: str, **llm: Any) -> dict[str, Any]:
    """The options a proposer of ``kind`` takes: the LLM's settings (model, api_base, prompt_name,
    concurrency, router), none for the offline proposer."""
    return dict(llm) if kind == "llm" else {}


def proposal_id(source_id: str, info: ProposerInfo, p: ProposedClaim) -> str:
    """A content hash: the same proposer saying the same thing about the same source."""
    key = {
        "source": source_id,
        "proposer": info.proposer,
        "version": info.proposer_version,
        "model": info.model,
        "prompt": info.prompt_hash,
        "claim": p.claim,
        "actor": p.actor,
        "stance": p.stance,
        "quote": p.quote,
    }
    return "P-" + sha256_hex(canonical_json(key))[:16]


def select_sources(ledger: Ledger, refs: list[str], all_sources: bool) -> list[dict[str, Any]]:
    """The source rows named by ID or path, or every current source with ``--all``."""
    if all_sources:
        # A source that another replaced is history; propose on the current text only.
        return ledger.all(
            "SELECT * FROM sources WHERE id NOT IN "
            "(SELECT replaces FROM sources WHERE replaces IS NOT NULL) ORDER BY seq"
        )
    if not refs:
        raise InputError("name sources to propose on (IDs or paths), or pass --all")
    return [resolve_source(ledger, r) for r in refs]


def _runner(kind: str, options: dict[str, Any]) -> Callable[..., None]:
    """``run(ledger, sources, done)``: the proposer over every source, ``done(source, result)``
    as each ends (the LLM proposer runs all sources' calls concurrently)."""
    if kind == "offline":
        from ledger.propose.offline import propose_offline

        def offline(ledger: Ledger, sources: list[dict[str, Any]], done: Callable) -> None:
            for source in sources:
                done(source, lambda s=source: propose_offline(s["text"]))

        return offline
    if kind == "llm":
        try:
            from ledger.propose.llm import propose_many
        except ImportError as e:
            raise ModelError("the LLM proposer needs litellm: pip install 'factledger[llm]'") from e
        if not options.get("model") and not options.get("router"):
            raise InputError("--proposer llm needs --model (or FACTLEDGER_MODEL)")

        def llm(ledger: Ledger, sources: list[dict[str, Any]], done: Callable) -> None:
            propose_many(ledger, sources, lambda s, result: done(s, lambda: result), **options)

        return llm
    raise InputError(f"unknown proposer {kind!r}: use one of {', '.join(PROPOSERS)}")


def store_proposals(
    ledger: Ledger, source: dict[str, Any], items: list[ProposedClaim], info: ProposerInfo
) -> SourceRun:
    """Anchor and append one source's proposals in one transaction; existing ones are kept."""
    run = SourceRun(source["id"], source["title"] or source["path"])
    params = canonical_json(info.params).decode()
    # A model's (or an old source's) control characters are stored as visible marks.
    items = [
        item.model_copy(
            update={
                k: visible(v, oneline=k in ("claim", "actor"))
                for k, v in item.model_dump().items()
                if isinstance(v, str) and v
            }
        )
        for item in items
    ]
    ids = [proposal_id(source["id"], info, item) for item in items]
    with ledger.transaction():
        run.failures = list(info.failures)
        for i, item in enumerate(items):
            pid = ids[i]
            if item.stance_on is not None and item.stance_on < len(ids) and item.stance_on != i:
                run.stance_on[pid] = ids[item.stance_on]
            if not item.checkable:
                run.not_checkable.add(pid)
            anchored = anchor_quote(source["id"], source["text"], item.quote)
            span = anchored.span.columns() if anchored.span else {"quote": item.quote}
            row = {
                "id": pid,
                **span,
                "source_id": source["id"],
                "claim": item.claim,
                "actor": item.actor,
                "stance": item.stance,
                "stated_on": source["published"],
                "rationale": item.rationale,
                "anchoring": anchored.anchoring,
                "anchor_score": anchored.score,
                "proposer": info.proposer,
                "proposer_version": info.proposer_version,
                "model": info.model,
                "prompt_name": info.prompt_name,
                "prompt_hash": info.prompt_hash,
                "params": params,
                "model_call_id": info.item_calls[i] if info.item_calls else info.model_call_id,
                "stance_on": run.stance_on.get(pid),
                "checkable": 0 if pid in run.not_checkable else 1,
            }
            if not ledger.exists("proposals", pid):
                ledger.append("proposals", row)
                run.new += 1
                run.new_ids.add(pid)
            run.proposals.append(row)
    return run


def propose(
    ledger: Ledger,
    refs: list[str],
    *,
    all_sources: bool = False,
    proposer: str = "offline",
    options: dict[str, Any] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[SourceRun]:
    """Run ``proposer`` over the selected sources and store what it proposes."""
    sources = list({s["id"]: s for s in select_sources(ledger, refs, all_sources)}.values())
    runner = _runner(proposer, options or {})
    runs: dict[str, SourceRun] = {}

    def done(source: dict[str, Any], result: Callable[[], Any]) -> None:
        try:
            items, info = result()
            runs[source["id"]] = store_proposals(ledger, source, items, info)
        except (ValidationError, ValueError, RecursionError) as e:
            # One source the proposer cannot handle must not stop the batch: it is skipped and
            # named, and nothing of it is stored (store_proposals is one transaction).
            reason = str(e).splitlines()[0][:200]
            title = source["title"] or source["path"]
            runs[source["id"]] = SourceRun(source["id"], title, skipped=reason)
        if progress:
            progress(source)

    runner(ledger, sources, done)
    # In the order asked for, whichever finished first (a source named twice runs once).
    return [runs[s["id"]] for s in sources if s["id"] in runs]
