"""The review file's format: its header comment and the models an item must match."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ledger.models import Stance

HEADER = """\
# factledger review file. For each item set `decision` to accept, edit or reject (or leave it
# pending). You may change claim, actor, stance and quote (the quote must stay the source's exact
# words); a changed item is recorded as an edit. `reason` is optional. `context` is read-only.
# An item with `confirm_quote: false` was found only fuzzily: check its quote against the source
# and set it to true (or edit the quote) before accepting it; the same for a stance under it.
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
    confirm_quote: bool = False
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
    # An adjudication file: each reviewer's vote (read-only), and whose vote to take.
    votes: dict[str, Any] | None = None
    pick: str | None = None


@dataclass
class ApplyResult:
    """How many decisions a file applied, and how many items it skipped as already decided."""

    applied: list[tuple[str, str, str | None]] = field(default_factory=list)
    skipped: int = 0
    pending: int = 0
    voted: list[tuple[str, str]] = field(default_factory=list)
    adjudication: list[str] = field(default_factory=list)
