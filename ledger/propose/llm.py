"""The LLM proposer through litellm: any provider, a local OpenAI-compatible server, or
several deployments through litellm's Router.

The article goes to the model as delimited data, in chunks whose calls all run concurrently
(bounded by ``concurrency``) across every source; each answer is validated against a strict
schema and repaired once (answers.py); calls, retries and the call log are in calls.py.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from typing import Any

from ledger.errors import InputError
from ledger.propose.answers import (
    CHUNK_CHARS,
    OVERLAP,
    REQUEST_SCHEMA,
    LlmOutput,
    check_links,
    chunks,
    merge_chunks,
    parse,
    response_format,
)
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.propose.calls import MODES, RETRIES, UNSUPPORTED, Caller, UnsupportedMode, _litellm
from ledger.propose.prompts import Prompt, load_prompt
from ledger.propose.routing import load_router
from ledger.store import Ledger

__all__ = [
    "CHUNK_CHARS", "MODES", "OVERLAP", "REQUEST_SCHEMA", "RETRIES", "UNSUPPORTED", "Caller",
    "LlmOutput", "ProposedClaim", "UnsupportedMode", "_litellm", "check_links", "chunks",
    "merge_chunks", "parse", "propose_many", "propose_source", "propose_with_llm",
    "response_format",
]  # fmt: skip

VERSION = "llm-1"


async def propose_source(
    caller: Caller, prompt: Prompt, source: dict[str, Any]
) -> tuple[list[ProposedClaim], ProposerInfo]:
    """Ask the caller's model for the attributed claims in one source, all chunks at once."""
    fields = {k: str(source.get(k) or "unknown") for k in ("title", "publisher", "published")}
    jobs = [
        caller.propose_chunk(prompt.messages(**fields, article=part))
        for part in chunks(source["text"])
    ]
    results = list(await asyncio.gather(*jobs))
    failures = [f for _, _, f in results if f]
    checked: list[tuple[list[ProposedClaim], str | None]] = []
    for n, (claims, call_id, _) in enumerate(results):
        claims, dropped = check_links(claims)
        failures += [f"chunk {n}: {d}" if len(results) > 1 else d for d in dropped]
        checked.append((claims, call_id))
    items, calls = merge_chunks(checked)
    info = ProposerInfo(
        proposer="llm", proposer_version=VERSION, model=caller.model, prompt_name=prompt.name,
        prompt_hash=prompt.hash,
        params={"temperature": 0, "api_base": caller.api_base, "mode": caller.mode},
        model_call_id=results[-1][1] if results else None, item_calls=calls, failures=failures,
    )  # fmt: skip
    if caller.router is not None:
        info.params["router"] = True
    return items, info


def propose_many(
    ledger: Ledger,
    sources: list[dict[str, Any]],
    done: Callable[[dict[str, Any], tuple[list[ProposedClaim], ProposerInfo]], None],
    *,
    model: str | None,
    api_base: str | None = None,
    prompt_name: str = "default",
    concurrency: int = 4,
    router: str | None = None,
) -> None:
    """Propose on every source, with the calls of all chunks of all sources in flight together
    (at most ``concurrency`` at once); ``done(source, result)`` is called as each source ends.

    ``router`` names a litellm Router config file whose deployments serve ``model``."""
    prompt = load_prompt(prompt_name)
    settings = None
    if router:
        model, settings = load_router(router, model)
    if not model:
        raise InputError("the LLM proposer needs a model name (or a router config)")
    caller = Caller(ledger, model, api_base, prompt, concurrency, settings)

    async def one(source: dict[str, Any]) -> None:
        done(source, await propose_source(caller, prompt, source))

    async def run() -> None:
        await asyncio.gather(*(one(s) for s in sources))

    with warnings.catch_warnings():
        # A fatal error (a model that cannot be reached) ends the run and asyncio cancels the
        # calls still in flight; litellm makes its provider coroutine before awaiting it, so a
        # call cancelled in between is garbage that Python reports on stderr after our one-line
        # error. Only that report is silenced.
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        asyncio.run(run())


def propose_with_llm(
    ledger: Ledger, source: dict[str, Any], **options: Any
) -> tuple[list[ProposedClaim], ProposerInfo]:
    """Ask the model for the attributed claims in one source (options as for propose_many)."""
    out: list[tuple[list[ProposedClaim], ProposerInfo]] = []
    propose_many(ledger, [source], lambda _s, result: out.append(result), **options)
    return out[0]
