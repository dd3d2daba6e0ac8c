"""A scripted OpenAI-compatible server on 127.0.0.1, used only to RECORD cassettes.

Each request to /v1/chat/completions pops the next (status, body) from the script; a body that is
a str is sent as the message content of a normal completion. Tests replay the recorded cassettes
with record mode "none", so this server never runs in CI.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PORT = 8799
BASE = f"http://127.0.0.1:{PORT}/v1"


def completion(content: str, model: str = "gpt-4o-mini") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1730000000,
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 812, "completion_tokens": 64, "total_tokens": 876},
    }  # fmt: skip


class FakeOpenAI:
    """Start with a script; stop when done. ``requests`` keeps what was received."""

    def __init__(self, script: list[tuple[int, Any]]):
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                status, payload = outer.script.pop(0)
                data = completion(payload) if isinstance(payload, str) else payload
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
