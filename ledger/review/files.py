"""Review files: pending proposals as human-editable YAML in reviews/, applied in one go.

The file is meant for batch work and for git: a reviewer sets ``decision`` on each item (and may
edit ``claim``, ``actor``, ``stance``, ``quote``), then ``factledger review --apply`` applies every
decision in one transaction. A bad item is named with its line and nothing is applied; applying
the same file again adds nothing, because decided proposals are skipped.

In team review a file carries its reviewer (``reviewer:``) and holds only their queue; several
reviewers' files apply together, each item as that reviewer's vote, and votes that disagree go to
adjudication. An adjudication file (``adjudicate: true``) lists each reviewer's vote beside the
item; its ``pick`` names the vote to take, or its decision and fields are the adjudicator's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode

from ledger.atomic import AlreadyExists, write_text
from ledger.errors import InputError, LedgerError
from ledger.review import settle
from ledger.review.decisions import Outcome, effective_decision, get_proposal
from ledger.review.fileformat import HEADER, ApplyResult, ReviewItem, StanceItem
from ledger.review.grouping import grouped_queue, is_checkable
from ledger.review.yamlload import load
from ledger.store import Ledger

__all__ = [
    "HEADER",
    "ApplyResult",
    "ReviewItem",
    "StanceItem",
    "apply_file",
    "apply_files",
    "export_file",
]


def _item(p: dict[str, Any], values: dict[str, Any] | None = None) -> dict[str, Any]:
    values = values or p
    return {
        "proposal": p["id"],
        "decision": "pending",
        **{k: values[k] for k in ("claim", "actor", "stance", "quote")},
        "reason": None,
        **({"confirm_quote": False} if p["anchoring"] == "fuzzy" else {}),
        "context": {
            "source": p["source_id"],
            "anchoring": p["anchoring"],
            "proposer": p["proposer"] + (f" {p['model']}" if p["model"] else ""),
            "rationale": p["rationale"],
        },
    }


def _vote_view(v: dict[str, Any]) -> dict[str, Any]:
    if v["action"] == "reject":
        return {"decision": "reject", "reason": v["reason"]}
    keys = ("claim", "actor", "stance", "quote", "reason")
    return {"decision": v["action"], **{k: v[k] for k in keys}}


def export_file(
    ledger: Ledger,
    path: str | Path,
    source_ids: list[str] | None = None,
    *,
    overwrite: bool = False,
    reviewer: str | None = None,
    adjudicate: bool = False,
) -> int:
    """Write the pending proposals to ``path``; returns how many items it holds. With
    ``reviewer``: that reviewer's queue, and the file names them; with ``adjudicate``: the
    adjudication queue, each item with every reviewer's vote.

    An existing file may hold decisions not applied yet: it is kept (AlreadyExists) unless
    ``overwrite``. The file is written whole or not at all.
    """
    head: dict[str, Any] = {}
    if adjudicate:
        head["adjudicate"] = True
        items = []
        for it in settle.adjudication_queue(ledger):
            item = _item(it["proposal"])
            item["votes"] = {v["reviewer"]: _vote_view(v) for v in it["votes"]}
            item["pick"] = None
            items.append(item)
    elif reviewer is not None:
        head["reviewer"] = reviewer
        items = _grouped_items(ledger, source_ids, settle.queue(ledger, reviewer, source_ids))
    else:
        items = _grouped_items(ledger, source_ids, None)
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
    header = HEADER.format(path=path)
    if adjudicate:
        header += ADJUDICATE_HEADER
    body = yaml.safe_dump({**head, "items": items}, sort_keys=False, allow_unicode=True, width=100)
    write_text(out, header + body, overwrite=overwrite)
    return len(items)


ADJUDICATE_HEADER = """\
# Adjudication: each item shows every reviewer's vote under `votes`. Set `pick` to the reviewer
# whose vote stands, or set `decision` (and edit the fields) to decide it yourself.
"""


def _stance_entry(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "proposal": s["id"], "decision": "accept", "actor": s["actor"], "stance": s["stance"],
        "quote": s["quote"], **({"confirm_quote": False} if s["anchoring"] == "fuzzy" else {}),
        **({} if is_checkable(s) else {"not_checkable": True}),
    }  # fmt: skip


def _grouped_items(
    ledger: Ledger, source_ids: list[str] | None, queue: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """Items with the stances proposed on each nested under it; with ``queue`` (a reviewer's),
    only its proposals, and a stance whose claim is not in it as an item of its own."""
    mine = None if queue is None else {p["id"] for p in queue}
    items, nested = [], set()
    for p, group in grouped_queue(ledger, source_ids):
        group = [s for s in group if mine is None or s["id"] in mine]
        if mine is not None and p["id"] not in mine:
            continue
        item = _item(p)
        if not is_checkable(p):
            item["not_checkable"] = True
        if group:
            item["stances"] = [_stance_entry(s) for s in group]
            nested |= {s["id"] for s in group}
        items.append(item)
    nested |= {i["proposal"] for i in items}
    # In the reviewer's queue, but under a claim that is not (voted on already, say).
    items += [_item(p) for p in queue or [] if p["id"] not in nested]
    return items


def _apply_stances(
    ledger: Ledger, item: ReviewItem, reviewer: str, result: ApplyResult, where: str
) -> None:
    """Each listed stance after its claim: accepted onto the claim the item became (or, the
    claim rejected, as a claim of its own), detached, or rejected; decided ones are skipped.
    Under team review each is the reviewer's vote, as the item's is."""
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
            # As the item's own decision: under team review, the reviewer's vote.
            if st.decision == "reject":
                out = settle.record(
                    ledger, st.proposal, "reject", reviewer=reviewer, reason=st.reason
                )
            else:
                edits = {k: getattr(st, k) for k in ("actor", "stance", "quote")}
                out = settle.record(
                    ledger, st.proposal, "accept", reviewer=reviewer, reason=st.reason,
                    edits=edits, detach=st.decision == "detach", confirm_quote=st.confirm_quote,
                )  # fmt: skip
        except LedgerError as e:
            raise InputError(f"{where}: stance {n}: {e}") from e
        _count(result, st.proposal, reviewer, out)


def _count(result: ApplyResult, proposal: str, reviewer: str, out: Outcome) -> None:
    if out.action != "voted":
        result.applied.append((proposal, out.action, out.claim_id))
    elif out.summary == settle.SAME_VOTE:
        result.skipped += 1
    else:
        result.voted.append((proposal, reviewer))


def _load(path: Path) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    root, data = load(path)
    if (
        not isinstance(root, MappingNode)
        or not isinstance(data, dict)
        or not isinstance(data.get("items"), list)
    ):
        raise InputError(
            f"{path}: expected a mapping with an `items:` list (see reviews/README.md)"
        )
    unknown = set(data) - {"items", "reviewer", "adjudicate"}
    if unknown:
        raise InputError(
            f"{path}: unknown key {sorted(unknown)[0]!r}: expected items, reviewer, adjudicate"
        )
    if "reviewer" in data and (not isinstance(data["reviewer"], str) or not data["reviewer"]):
        raise InputError(f"{path}: `reviewer:` must be a name")
    items_node = next(v for k, v in root.value if k.value == "items")
    return data, [
        (node.start_mark.line + 1, item)
        for node, item in zip(items_node.value, data["items"], strict=True)
    ]


def apply_file(ledger: Ledger, path: str | Path, *, reviewer: str) -> ApplyResult:
    """Apply every decision in the file in one transaction, or none if any item is bad."""
    return apply_files(ledger, [path], reviewer=reviewer)


def apply_files(ledger: Ledger, paths: list[str | Path], *, reviewer: str) -> ApplyResult:
    """Apply several review files in one transaction (each item as its file's reviewer, else
    ``reviewer``), or nothing if any item is bad. Applying them again adds nothing."""
    result = ApplyResult()
    with ledger.transaction():
        for path in map(Path, paths):
            _apply_one(ledger, path, reviewer, result)
        result.adjudication = [i["proposal"]["id"] for i in settle.adjudication_queue(ledger)]
    return result


def _apply_one(ledger: Ledger, path: Path, default: str, result: ApplyResult) -> None:
    head, items = _load(path)
    who = head.get("reviewer") or default
    for n, (line, raw) in enumerate(items, start=1):
        where = f"{path}:{line}: item {n}"
        try:
            item = ReviewItem.model_validate(raw)
        except ValidationError as e:
            err = e.errors()[0]
            field_name = ".".join(str(x) for x in err["loc"]) or "item"
            raise InputError(f"{where}: {field_name}: {err['msg']}") from e
        if item.pick and not head.get("adjudicate"):
            raise InputError(f"{where}: pick: only an adjudication file picks a vote")
        if item.decision == "pending" and not item.pick:
            result.pending += 1 + len(item.stances)
            continue
        try:
            get_proposal(ledger, item.proposal)
            if effective_decision(ledger, item.proposal):
                result.skipped += 1
                _apply_stances(ledger, item, who, result, where)
                continue
            edits = {k: getattr(item, k) for k in ("claim", "actor", "stance", "quote")}
            action = "reject" if item.decision == "reject" else "accept"
            if head.get("adjudicate"):
                outcome = settle.adjudicate(
                    ledger, item.proposal, reviewer=default, pick=item.pick,
                    action=None if item.pick else action, reason=item.reason,
                    edits=None if action == "reject" else edits, confirm_quote=item.confirm_quote,
                )  # fmt: skip
            else:
                outcome = settle.record(
                    ledger, item.proposal, action, reviewer=who, reason=item.reason,
                    edits=None if action == "reject" else edits, confirm_quote=item.confirm_quote,
                )  # fmt: skip
        except LedgerError as e:
            raise InputError(f"{where}: {e}") from e
        _count(result, item.proposal, who, outcome)
        _apply_stances(ledger, item, who, result, where)
