"""Review files: pending proposals as human-editable YAML in reviews/, applied in one go.

The file is meant for batch work and for git: a reviewer sets ``decision`` on each item (and may
edit ``claim``, ``actor``, ``stance``, ``quote``), then ``factledger review --apply`` applies every
decision in one transaction. A bad item is named with its line and nothing is applied; applying
the same file again adds nothing, because decided proposals are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from yaml.nodes import MappingNode

from ledger.atomic import AlreadyExists, write_text
from ledger.errors import InputError, LedgerError
from ledger.models import Stance
from ledger.review.decisions import decide, effective_decision, get_proposal
from ledger.review.grouping import grouped_queue, is_checkable
from ledger.review.yamlload import load
from ledger.store import Ledger

HEADER = """\
# factledger review file. For each item set `decision` to accept, edit or reject (or leave it
# pending). You may change claim, actor, stance and quote (the quote must stay the source's exact
# words); a changed item is recorded as an edit. `reason` is optional. `context` is read-only.
# An item with `confirm_quote: false` was found only fuzzily: check its quote against the source
# and set it to true (or edit the quote) before accepting it.
# Stances proposed on an item's claim are listed under it in `stances:`; each has its own
# `decision`: accept (a stance event on the item's claim), detach (a claim of its own), reject,
# or pending. `not_checkable: true` marks an opinion or forecast: nothing to check.
# Apply with: factledger review --apply {path}
"""


class StanceItem(BaseModel):
    """A stance proposed on the item's claim, decided with it."""

    model_config = ConfigDict(extra="forbid")

    proposal: str
    decision: Literal["pending", "accept", "reject", "detach"] = "accept"
    actor: str
    stance: Stance
    quote: str
    reason: str | None = None
    not_checkable: bool = False


class ReviewItem(BaseModel):
    """One item of a review file."""

    model_config = ConfigDict(extra="forbid")

    proposal: str
    decision: Literal["pending", "accept", "edit", "reject"] = "pending"
    claim: str
    actor: str
    stance: Stance
    quote: str
    reason: str | None = None
    confirm_quote: bool = False
    not_checkable: bool = False
    stances: list[StanceItem] = []
    context: dict[str, Any] | None = None


@dataclass
class ApplyResult:
    """How many decisions a file applied, and how many items it skipped as already decided."""

    applied: list[tuple[str, str, str | None]] = field(default_factory=list)
    skipped: int = 0
    pending: int = 0


def export_file(
    ledger: Ledger,
    path: str | Path,
    source_ids: list[str] | None = None,
    *,
    overwrite: bool = False,
) -> int:
    """Write the pending proposals to ``path``; returns how many items it holds.

    An existing file may hold decisions not applied yet: it is kept (AlreadyExists) unless
    ``overwrite``. The file is written whole or not at all.
    """
    items = []
    for p, group in grouped_queue(ledger, source_ids):
        items.append(
            {
                "proposal": p["id"],
                "decision": "pending",
                "claim": p["claim"],
                "actor": p["actor"],
                "stance": p["stance"],
                "quote": p["quote"],
                "reason": None,
                **({"confirm_quote": False} if p["anchoring"] == "fuzzy" else {}),
                **({} if is_checkable(p) else {"not_checkable": True}),
                **({"stances": [_stance_entry(s) for s in group]} if group else {}),
                "context": {
                    "source": p["source_id"],
                    "anchoring": p["anchoring"],
                    "proposer": p["proposer"] + (f" {p['model']}" if p["model"] else ""),
                    "rationale": p["rationale"],
                },
            }
        )
    out = Path(path)
    if not overwrite and out.exists():
        raise AlreadyExists(
            f"{path} already exists and may hold decisions not applied yet: apply it or choose "
            "another name"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out.parent}: cannot create ({e.strerror or e})") from e
    body = yaml.safe_dump({"items": items}, sort_keys=False, allow_unicode=True, width=100)
    write_text(out, HEADER.format(path=path) + body, overwrite=overwrite)
    return len(items)


def _stance_entry(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "proposal": s["id"], "decision": "accept", "actor": s["actor"], "stance": s["stance"],
        "quote": s["quote"], **({} if is_checkable(s) else {"not_checkable": True}),
    }  # fmt: skip


def _apply_stances(
    ledger: Ledger, item: ReviewItem, reviewer: str, result: ApplyResult, where: str
) -> None:
    """Each listed stance after its claim: accepted onto the claim the item became (or, the
    claim rejected, as a claim of its own), detached, or rejected; decided ones are skipped."""
    for n, st in enumerate(item.stances, start=1):
        if st.decision == "pending":
            result.pending += 1
            continue
        try:
            p = get_proposal(ledger, st.proposal)
            if p["stance_on"] != item.proposal:
                raise InputError(f"proposal {st.proposal} takes no stance on {item.proposal}")
            if effective_decision(ledger, st.proposal):
                result.skipped += 1
                continue
            if st.decision == "reject":
                out = decide(ledger, st.proposal, "reject", reviewer=reviewer, reason=st.reason)
            else:
                edits = {k: getattr(st, k) for k in ("actor", "stance", "quote")}
                out = decide(
                    ledger, st.proposal, "accept", reviewer=reviewer, reason=st.reason,
                    edits=edits, detach=st.decision == "detach",
                )  # fmt: skip
        except LedgerError as e:
            raise InputError(f"{where}: stance {n}: {e}") from e
        result.applied.append((st.proposal, out.action, out.claim_id))


def _items_with_lines(path: Path) -> list[tuple[int, Any]]:
    root, data = load(path)
    if (
        not isinstance(root, MappingNode)
        or not isinstance(data, dict)
        or not isinstance(data.get("items"), list)
    ):
        raise InputError(
            f"{path}: expected a mapping with an `items:` list (see reviews/README.md)"
        )
    items_node = next(v for k, v in root.value if k.value == "items")
    return [
        (node.start_mark.line + 1, item)
        for node, item in zip(items_node.value, data["items"], strict=True)
    ]


def apply_file(ledger: Ledger, path: str | Path, *, reviewer: str) -> ApplyResult:
    """Apply every decision in the file in one transaction, or none if any item is bad."""
    path = Path(path)
    result = ApplyResult()
    with ledger.transaction():
        for n, (line, raw) in enumerate(_items_with_lines(path), start=1):
            where = f"{path}:{line}: item {n}"
            try:
                item = ReviewItem.model_validate(raw)
            except ValidationError as e:
                err = e.errors()[0]
                field_name = ".".join(str(x) for x in err["loc"]) or "item"
                raise InputError(f"{where}: {field_name}: {err['msg']}") from e
            if item.decision == "pending":
                result.pending += 1 + len(item.stances)
                continue
            try:
                get_proposal(ledger, item.proposal)
                if effective_decision(ledger, item.proposal):
                    result.skipped += 1
                    _apply_stances(ledger, item, reviewer, result, where)
                    continue
                edits = {k: getattr(item, k) for k in ("claim", "actor", "stance", "quote")}
                action = "reject" if item.decision == "reject" else "accept"
                outcome = decide(
                    ledger, item.proposal, action, reviewer=reviewer, reason=item.reason,
                    edits=None if action == "reject" else edits, confirm_quote=item.confirm_quote,
                )  # fmt: skip
            except LedgerError as e:
                raise InputError(f"{where}: {e}") from e
            result.applied.append((item.proposal, outcome.action, outcome.claim_id))
            _apply_stances(ledger, item, reviewer, result, where)
    return result
