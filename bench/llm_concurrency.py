"""The LLM proposer's concurrency: 200 sources against a local fake server, 1 s per call.

Every source is one chunk, so the ideal is ceil(200 / concurrency) seconds; the ratio to it shows
what the orchestration (all chunks of all sources in flight, bounded) costs.

    python bench/llm_concurrency.py [SOURCES] [CONCURRENCY]   # default 200 16
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import machine

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.propose import llm  # noqa: E402
from ledger.store import Ledger  # noqa: E402
from tests.fake_openai import completion  # noqa: E402

PORT, LATENCY = 8797, 1.0
ANSWER = json.dumps({"claims": [{"claim": "Officials said something checkable.",
                                 "actor": "Officials", "stance": "asserted", "quote": "said"}]})  # fmt: skip


class Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(LATENCY)
        raw = json.dumps(completion(ANSWER)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    conc = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sources = [{"id": f"src-{i}", "text": f"Source {i}: officials said so.", "title": str(i)}
               for i in range(n)]  # fmt: skip
    done: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(str(Path(tmp) / "ledger.db"))
        llm._litellm()  # the one-time import (3-4 s) is not part of the calls' time
        started = time.perf_counter()
        llm.propose_many(
            ledger, sources, lambda s, _r: done.append(s["id"]),
            model="openai/gpt-4o-mini", api_base=f"http://127.0.0.1:{PORT}/v1", concurrency=conc,
        )  # fmt: skip
        took = time.perf_counter() - started
        calls = ledger.count("model_calls")
    server.shutdown()
    ideal = math.ceil(n / conc) * LATENCY
    print(machine())
    print(f"{n} sources, {calls} calls, concurrency {conc}: {took:.1f} s; ideal {ideal:.0f} s")
    print(f"ratio to ideal: {took / ideal:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
