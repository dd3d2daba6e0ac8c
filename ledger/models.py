"""Vocabularies and the pydantic models for data that crosses a boundary."""

from __future__ import annotations

import re
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

# Lengths (in characters) of what a person states; ``plainly_valid`` checks the same ones.
ACTOR_LEN = (1, 300)
QUOTE_LEN = (1, 5000)
CLAIM_LEN = (3, 2000)

Stance = Literal["asserted", "confirmed", "unconfirmed", "denied", "disputed", "retracted"]


class StanceInput(BaseModel):
    """One actor's stance shown by a quote: validated before it reaches the ledger."""

    model_config = ConfigDict(extra="forbid", strict=True)

    actor: str = Field(min_length=ACTOR_LEN[0], max_length=ACTOR_LEN[1])
    stance: Stance
    quote: str = Field(min_length=QUOTE_LEN[0], max_length=QUOTE_LEN[1])

    @field_validator("actor", "quote")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v


class ClaimInput(StanceInput):
    """A claim as a person states it, with its first stance."""

    claim: str = Field(min_length=CLAIM_LEN[0], max_length=CLAIM_LEN[1])

    @field_validator("claim")
    @classmethod
    def _claim_not_blank(cls, v: str) -> str:
        if len(v.strip()) < 3:
            raise ValueError("must be a sentence, not blank")
        return v


_SURROGATE = re.compile("[\ud800-\udfff]")  # no valid string to pydantic (not UTF-8)


def _plain(text: object, lengths: tuple[int, int], least: int = 1) -> bool:
    return (
        type(text) is str
        and lengths[0] <= len(text) <= lengths[1]
        and len(text.strip()) >= least
        and (text.isascii() or _SURROGATE.search(text) is None)
    )


def plainly_valid(claim: object, actor: object, stance: object, quote: object) -> bool:
    """Whether :class:`ClaimInput` (:class:`StanceInput` for a ``claim`` of None) takes these
    values, decided without building the model (a bulk append checks every claim): True only
    for values it takes; for any other the model is what names the fault."""
    return (
        type(stance) is str
        and stance in STANCES
        and _plain(actor, ACTOR_LEN)
        and _plain(quote, QUOTE_LEN)
        and (claim is None or _plain(claim, CLAIM_LEN, least=3))
    )


def render_stance(stance: str, actor: str) -> str:
    """``denied by Kremlin``."""
    return f"{stance} by {actor}"
