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

from ledger.atomic import AlreadyExists, write_text
from ledger.errors import InputError
from ledger.models import Stance
from ledger.review.decisions import decide, effective_decision, get_proposal, pending
from ledger.store import Ledger

HEADER = """\
# factledger review file. For each item set `decision` to accept, edit or reject (or leave it
# pending). You may change claim, actor, stance and quote (the quote must stay the source's exact
# words); a changed item is recorded as an edit. `reason` is optional. `context` is read-only.
# Apply with: factledger review --apply {path}
"""


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
    for p in pending(ledger, source_ids):
        items.append(
            {
                "proposal": p["id"],
                "decision": "pending",
                "claim": p["claim"],
                "actor": p["actor"],
                "stance": p["stance"],
                "quote": p["quote"],
                "reason": None,
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


def _items_with_lines(path: Path) -> list[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{where}: invalid YAML ({getattr(e, 'problem', e)})") from e
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or root is None:
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
                result.pending += 1
                continue
            try:
                get_proposal(ledger, item.proposal)
                if effective_decision(ledger, item.proposal):
                    result.skipped += 1
                    continue
                edits = {k: getattr(item, k) for k in ("claim", "actor", "stance", "quote")}
                action = "reject" if item.decision == "reject" else "accept"
                outcome = decide(
                    ledger, item.proposal, action, reviewer=reviewer, reason=item.reason,
                    edits=None if action == "reject" else edits,
                )  # fmt: skip
            except InputError as e:
                raise InputError(f"{where}: {e}") from e
            result.applied.append((item.proposal, outcome.action, outcome.claim_id))
    return result
