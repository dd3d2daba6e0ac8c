"""The LLM proposer through litellm: any provider or a local OpenAI-compatible server.

This is the only module that imports litellm (3-4 s, and it would fetch its price map from the
network unless LITELLM_LOCAL_MODEL_COST_MAP is set). The article goes to the model as delimited
data; the answer is validated against a strict schema, repaired once, and every call is logged in
``model_calls`` — the log doubles as the cache, so an unchanged re-run makes no model calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ledger import ids
from ledger.errors import InputError, ModelError
from ledger.hashing import canonical_json, sha256_hex
from ledger.models import STANCES
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.propose.prompts import Prompt, load_prompt
from ledger.propose.routing import load_router
from ledger.store import Ledger

VERSION = "llm-1"
CHUNK_CHARS, OVERLAP = 6000, 400
RETRIES = 3
MODES = ("json_schema", "json_object", "prompt")
UNSUPPORTED = "unsupported response_format: "


class LlmOutput(BaseModel):
    """What the model must answer: strict, so "10" is not 10 and unknown keys fail."""

    model_config = ConfigDict(extra="forbid", strict=True)

    claims: list[ProposedClaim]


class UnsupportedMode(Exception):
    """The provider refused this response_format; try the next one."""


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError as e:
        raise ModelError("the LLM proposer needs litellm: pip install 'factledger[llm]'") from e
    litellm.suppress_debug_info = True
    return litellm


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


class Caller:
    """Calls one model with retries, mode fallback and the call log as a cache."""

    def __init__(
        self,
        ledger: Ledger,
        model: str,
        api_base: str | None,
        prompt: Prompt,
        concurrency: int,
        router: dict[str, Any] | None = None,
    ):
        self.ledger, self.model, self.api_base, self.prompt = ledger, model, api_base, prompt
        self.litellm = _litellm()
        self.limit = asyncio.Semaphore(concurrency)
        # Several deployments under one model name: litellm's Router picks one per call.
        self.router = self.litellm.Router(**router) if router else None
        if not api_base and not router:
            env = self.litellm.validate_environment(model=model)
            if not env.get("keys_in_environment", True) and env.get("missing_keys"):
                keys = ", ".join(env["missing_keys"])
                raise ModelError(f"{model} needs {keys} in the environment (or pass --api-base)")
        self.mode = MODES[0] if router or self._may_support_schema() else MODES[1]

    def _may_support_schema(self) -> bool:
        try:
            return bool(self.litellm.supports_response_schema(model=self.model)) or bool(
                self.api_base
            )
        except Exception:  # unknown models raise; try the richest mode and fall back
            return True

    def _request(self, messages: list[dict[str, str]], mode: str) -> dict[str, Any]:
        if mode == "prompt":
            schema = json.dumps(REQUEST_SCHEMA)
            messages = [
                {"role": "system", "content": messages[0]["content"] + "\nJSON schema: " + schema},
                *messages[1:],
            ]
        request: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0}
        fmt = response_format(mode)
        if fmt:
            request["response_format"] = fmt
        if self.api_base:
            request["api_base"] = self.api_base
        return request

    def _cached(self, key: str) -> tuple[str, str] | None:
        """A logged answer to the same request; raises UnsupportedMode if it was refused."""
        row = self.ledger.one(
            "SELECT id, response, error FROM model_calls WHERE cache_key = ? AND "
            "(response IS NOT NULL OR error LIKE ?) ORDER BY seq DESC LIMIT 1",
            [key, f"{UNSUPPORTED}%"],
        )
        if row is None:
            return None
        if row["response"] is None:
            raise UnsupportedMode()
        return row["id"], json.loads(row["response"])["choices"][0]["message"]["content"]

    def _log(
        self, request: dict[str, Any], key: str, response: Any, error: str | None, started: float
    ) -> str:
        call_id = ids.new_row_id("mc")
        usage = getattr(response, "usage", None)
        cost = None
        if response is not None:
            try:
                cost = float(self.litellm.completion_cost(completion_response=response))
            except Exception:  # litellm raises for models without a price
                cost = None
        answer = None if response is None else json.dumps(response.model_dump(), default=str)
        hidden = getattr(response, "_hidden_params", None) or {}
        api_base = self.api_base or (hidden.get("api_base") if self.router else None)
        with self.ledger.transaction():
            self.ledger.append("model_calls", {
                "id": call_id, "model": self.model,
                "resolved_model": getattr(response, "model", None), "api_base": api_base,
                "prompt_name": self.prompt.name, "prompt_hash": self.prompt.hash, "cache_key": key,
                "request": canonical_json(request).decode(),
                "response": answer,
                "input_tokens": getattr(usage, "prompt_tokens", None),
                "output_tokens": getattr(usage, "completion_tokens", None), "cost": cost,
                "duration_ms": int((time.perf_counter() - started) * 1000), "error": error,
            })  # fmt: skip
        return call_id

    async def complete(self, messages: list[dict[str, str]]) -> tuple[str, str]:
        """(call ID, content) for these messages, from the log when already asked."""
        while True:
            request = self._request(messages, self.mode)
            key = sha256_hex(canonical_json(request))
            try:
                cached = self._cached(key)
                if cached:
                    return cached
                return await self._send(request, key)
            except UnsupportedMode:
                if self.mode == MODES[-1]:
                    raise ModelError(f"{self.model} refused every response format") from None
                self.mode = MODES[MODES.index(self.mode) + 1]

    async def _send(self, request: dict[str, Any], key: str) -> tuple[str, str]:
        lit = self.litellm
        api_key = os.environ.get("FACTLEDGER_API_KEY") or (
            "sk-no-key"
            if self.api_base
            and self.model.startswith("openai/")
            and not os.environ.get("OPENAI_API_KEY")
            else None
        )
        for attempt in range(RETRIES + 1):
            started = time.perf_counter()
            try:
                async with self.limit:
                    if self.router is not None:
                        resp = await self.router.acompletion(**request, num_retries=0)
                    else:
                        resp = await lit.acompletion(**request, api_key=api_key, num_retries=0)
            except (lit.RateLimitError, lit.InternalServerError, lit.ServiceUnavailableError) as e:
                if "response_format" in request and "response_format" in str(e):
                    # llama.cpp's server answers 500 to a response_format it does not know.
                    self._log(request, key, None, f"{UNSUPPORTED}{e}"[:500], started)
                    raise UnsupportedMode() from e
                self._log(request, key, None, f"{type(e).__name__}: {e}"[:500], started)
                if attempt == RETRIES and "Connection error" in str(e):
                    where = self.api_base or "the provider"
                    raise ModelError(
                        f"cannot reach {where} for {self.model}: is it running?"
                    ) from e
                if attempt == RETRIES:
                    raise ModelError(
                        f"{self.model}: still failing after {RETRIES} retries ({type(e).__name__})"
                    ) from e
                await asyncio.sleep(
                    float(os.environ.get("FACTLEDGER_BACKOFF_S", "1.0")) * 2**attempt
                )
                continue
            except lit.AuthenticationError as e:
                raise ModelError(
                    f"{self.model}: authentication failed; set the provider's API key "
                    "(e.g. OPENAI_API_KEY)"
                ) from e
            except lit.APIConnectionError as e:
                where = self.api_base or "the provider"
                raise ModelError(
                    f"cannot reach {where} for {self.model}: is it running and reachable?"
                ) from e
            except lit.BadRequestError as e:
                if "response_format" in request:
                    self._log(request, key, None, f"{UNSUPPORTED}{e}"[:500], started)
                    raise UnsupportedMode() from e
                self._log(request, key, None, f"BadRequestError: {e}"[:500], started)
                raise ModelError(f"{self.model} rejected the request: {str(e)[:200]}") from e
            content = resp.choices[0].message.content or ""
            try:
                parse(content)
                invalid = None
            except ValueError as e:  # kept with the raw answer, which stays in `response`
                invalid = f"invalid output: {e}"
            call_id = self._log(request, key, resp, invalid, started)
            return call_id, content
        raise AssertionError("unreachable")

    async def propose_chunk(
        self, messages: list[dict[str, str]]
    ) -> tuple[list[ProposedClaim], str, str | None]:
        """Proposals for one chunk, with one repair round; (claims, last call ID, failure)."""
        call_id, content = await self.complete(messages)
        try:
            return parse(content), call_id, None
        except ValueError as first:
            fix = f"That answer was invalid ({first}). Reply with JSON only, matching the schema."
            repair = [
                *messages,
                {"role": "assistant", "content": content},
                {"role": "user", "content": fix},
            ]
            call_id, content = await self.complete(repair)
            try:
                return parse(content), call_id, None
            except ValueError as second:
                return (
                    [],
                    call_id,
                    f"invalid output after one repair: {second}; raw: {content[:300]!r}",
                )


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

    asyncio.run(run())


def propose_with_llm(
    ledger: Ledger, source: dict[str, Any], **options: Any
) -> tuple[list[ProposedClaim], ProposerInfo]:
    """Ask the model for the attributed claims in one source (options as for propose_many)."""
    out: list[tuple[list[ProposedClaim], ProposerInfo]] = []
    propose_many(ledger, [source], lambda _s, result: out.append(result), **options)
    return out[0]
