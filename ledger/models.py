"""Vocabularies and the pydantic models for data that crosses a boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Stances an actor can take on a claim, rendered "denied by Kremlin". Extend here.
STANCES = ("asserted", "confirmed", "unconfirmed", "denied", "disputed", "retracted")

# The reviewers' own editorial rating, mapped onto schema.org ClaimReview (ratingValue 1-5).
VERDICTS = (
    "unreviewed",
    "unverified",
    "supported",
    "mostly_supported",
    "mixed",
    "misleading",
    "refuted",
)
VERDICT_RATING: dict[str, int | None] = {
    "unreviewed": None,
    "unverified": None,
    "refuted": 1,
    "misleading": 2,
    "mixed": 3,
    "mostly_supported": 4,
    "supported": 5,
}

Stance = Literal["asserted", "confirmed", "unconfirmed", "denied", "disputed", "retracted"]


class StanceInput(BaseModel):
    """One actor's stance shown by a quote: validated before it reaches the ledger."""

    model_config = ConfigDict(extra="forbid", strict=True)

    actor: str = Field(min_length=1, max_length=300)
    stance: Stance
    quote: str = Field(min_length=1, max_length=5000)

    @field_validator("actor", "quote")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v


class ClaimInput(StanceInput):
    """A claim as a person states it, with its first stance."""

    claim: str = Field(min_length=3, max_length=2000)

    @field_validator("claim")
    @classmethod
    def _claim_not_blank(cls, v: str) -> str:
        if len(v.strip()) < 3:
            raise ValueError("must be a sentence, not blank")
        return v


def render_stance(stance: str, actor: str) -> str:
    """``denied by Kremlin``."""
    return f"{stance} by {actor}"
