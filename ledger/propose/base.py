"""What every proposer returns, and the provenance recorded with its proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledger.models import Stance


class ProposedClaim(BaseModel):
    """One suggested claim: validated strictly, because it may come from a model."""

    model_config = ConfigDict(extra="forbid", strict=True)

    claim: str = Field(min_length=3, max_length=2000, description="One self-contained sentence.")
    actor: str = Field(min_length=1, max_length=300, description="Who takes the stance.")
    stance: Stance
    quote: str = Field(min_length=1, max_length=5000, description="Exact words from the source.")
    rationale: str | None = Field(default=None, max_length=2000)
    stance_on: int | None = Field(
        default=None,
        ge=0,
        description="Index, in the same answer, of the claim this one takes a stance on.",
    )
    checkable: bool = Field(
        default=True, description="False for an opinion, forecast or demand: nothing to check."
    )


@dataclass
class ProposerInfo:
    """Provenance of a batch of proposals: which proposer, model and prompt made them."""

    proposer: str
    proposer_version: str
    model: str | None = None
    prompt_name: str | None = None
    prompt_hash: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    model_call_id: str | None = None
    item_calls: list[str | None] = field(default_factory=list)  # per proposal, when several calls
    failures: list[str] = field(default_factory=list)  # model answers that stayed invalid
