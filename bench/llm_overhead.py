"""The LLM proposer's overhead per model call, against a bare ``litellm.completion`` call.

Both sides use litellm's ``mock_response`` (no network, no model), so what is measured is the
proposer's own work per call: prompt loading and filling, the cache lookup in ``model_calls``,
strict validation of the answer, cost lookup and the logged ledger row in its own transaction.
Every source text differs, so the proposer side never answers from its cache.

    python bench/llm_overhead.py [N]      # default 300 calls per side; prints ms/call and ratio
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import tempfile
from pathlib import Path

from common import SEEDS, machine, timed

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-used")  # mock_response sends nothing

import litellm  # noqa: E402

from ledger.propose import llm  # noqa: E402
from ledger.store import Ledger  # noqa: E402

MODEL = "openai/gpt-4o-mini"  # a priced model, so the cost lookup is part of the path
ANSWER = json.dumps(
    {
        "claims": [
            {
                "claim": "North Korean soldiers are actively engaged in the war against Ukraine.",
                "actor": "NATO (Mark Rutte)",
                "stance": "unconfirmed",
                "quote": "current information does not confirm the active engagement",
            }
        ]
    }
)


def main(n: int) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    sources = [{"id": f"src-{i}", "text": f"{text}\n[variant {i}]", "title": "t"} for i in range(n)]
    messages = [{"role": "user", "content": text}]
    ledger = Ledger(Path(tempfile.mkdtemp()) / "bench.db")

    # The proposer calls litellm.acompletion; give every call the same mock answer.
    real = litellm.acompletion
    litellm.acompletion = functools.partial(real, mock_response=ANSWER)

    def bare() -> None:
        for _ in range(n):
            litellm.completion(model=MODEL, messages=messages, mock_response=ANSWER)

    def bare_async() -> None:  # the same litellm call the proposer makes, one event loop each
        for _ in range(n):
            asyncio.run(real(model=MODEL, messages=messages, mock_response=ANSWER))

    def proposer() -> None:
        for src in sources:
            claims, _ = llm.propose_with_llm(ledger, src, model=MODEL, api_base=None)
            assert len(claims) == 1

    bare()  # warm-up: litellm's lazy imports and the first event loop
    base_s = timed(bare)
    async_s = timed(bare_async)
    ours_s = timed(proposer)
    litellm.acompletion = real
    logged = ledger.count("model_calls")
    assert logged == n, f"expected {n} logged calls, got {logged}"
    print(machine())
    print(f"bare litellm.completion(mock_response): {base_s / n * 1000:.2f} ms/call")
    print(f"bare asyncio.run(litellm.acompletion):  {async_s / n * 1000:.2f} ms/call")
    print(f"propose_with_llm (mock_response):       {ours_s / n * 1000:.2f} ms/call")
    print(f"overhead ratio: {ours_s / base_s:.2f}x  ({(ours_s - base_s) / n * 1000:.2f} ms/call)")
    print(f"of which litellm's async path: {async_s / base_s:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
