"""What the LLM proposer asks for and what it accepts: the request schema, the strict answer
model, the article in chunks, and the links checked and renumbered across chunks.

No litellm here: these are plain functions over text and pydantic models, tested on their own.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ledger.models import STANCES
from ledger.propose.base import ProposedClaim

CHUNK_CHARS, OVERLAP = 6000, 400


class LlmOutput(BaseModel):
    """What the model must answer: strict, so "10" is not 10 and unknown keys fail."""

    model_config = ConfigDict(extra="forbid", strict=True)

    claims: list[ProposedClaim]


def chunks(text: str) -> list[str]:
    """Split long text at paragraph breaks into pieces of about CHUNK_CHARS, overlapping."""
    if len(text) <= CHUNK_CHARS:
        return [text]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + CHUNK_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + CHUNK_CHARS // 2, end)
            end = cut if cut != -1 else end
        out.append(text[start:end])
        if end >= len(text):
            break
        start = max(end - OVERLAP, start + 1)
    return out


# The schema sent to the model. Plainer than LlmOutput (no length limits): llama.cpp turns
# maxLength into a grammar so large its server fails to parse it. We validate strictly anyway.
REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "claim": {"type": "string"},
                    "actor": {"type": "string"},
                    "stance": {"type": "string", "enum": list(STANCES)},
                    "quote": {"type": "string"},
                    "rationale": {"type": "string"},
                    "stance_on": {"type": "integer", "minimum": 0},
                    "checkable": {"type": "boolean"},
                },
                "required": ["claim", "actor", "stance", "quote"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["claims"],
    "additionalProperties": False,
}


def response_format(mode: str) -> dict[str, Any] | None:
    """The response_format for a mode: json_schema, json_object with the schema, or none."""
    schema = REQUEST_SCHEMA
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "claims", "schema": schema}}
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


def check_links(claims: list[ProposedClaim]) -> tuple[list[ProposedClaim], list[str]]:
    """Claims with every ``stance_on`` pointing back at an earlier item; a link out of range,
    to itself or forward is dropped (the claim is kept) and named in the failures."""
    out, failures = [], []
    for i, c in enumerate(claims):
        j = c.stance_on
        if j is not None and not 0 <= j < i:
            why = "itself" if j == i else "a later item" if j < len(claims) else "no item"
            failures.append(f"link dropped: item {i} took a stance on {j}, which is {why}")
            c = c.model_copy(update={"stance_on": None})
        out.append(c)
    return out, failures


def merge_chunks(
    results: list[tuple[list[ProposedClaim], str | None]],
) -> tuple[list[ProposedClaim], list[str | None]]:
    """One list from per-chunk answers: duplicates from overlapping chunks are kept once, and each
    chunk's own ``stance_on`` indices are renumbered to positions in the merged list."""
    items: list[ProposedClaim] = []
    calls: list[str | None] = []
    where: dict[tuple[str, str, str, str], int] = {}
    for claims, call_id in results:
        local: list[int] = []  # chunk index -> merged index
        for c in claims:
            key = (c.claim, c.actor, c.stance, c.quote)
            link = local[c.stance_on] if c.stance_on is not None else None
            if key in where:  # overlapping chunks propose the same statement twice
                at = where[key]
                if items[at].stance_on is None and link is not None and link != at:
                    items[at] = items[at].model_copy(update={"stance_on": link})
            else:
                at = where[key] = len(items)
                items.append(c.model_copy(update={"stance_on": link}))
                calls.append(call_id)
            local.append(at)
    return items, calls


def parse(content: str | None) -> list[ProposedClaim]:
    """Validate a model answer; raises ValueError with a short reason."""
    try:
        return LlmOutput.model_validate_json(content or "").claims
    except ValidationError as e:
        first = e.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from e
