"""Model calls through litellm: retries, response-format fallback, and the call log as cache.

This is the only module that imports litellm (3-4 s, and it would fetch its price map from the
network unless LITELLM_LOCAL_MODEL_COST_MAP is set). Every call, answered or failed, is a
``model_calls`` row — the log doubles as the cache, so an unchanged re-run makes no model calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from ledger import ids
from ledger.errors import ModelError
from ledger.hashing import canonical_json, sha256_hex
from ledger.propose.answers import REQUEST_SCHEMA, parse, response_format
from ledger.propose.base import ProposedClaim
from ledger.propose.prompts import Prompt
from ledger.store import Ledger

RETRIES = 3
MODES = ("json_schema", "json_object", "prompt")
UNSUPPORTED = "unsupported response_format: "


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
