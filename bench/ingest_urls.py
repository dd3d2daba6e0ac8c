"""Ingesting web pages concurrently: 50 articles from a local server that answers each after a
fixed latency, at --concurrency 8, against the ideal time (ceil(50 / 8) x latency).

    python bench/ingest_urls.py [PAGES] [CONCURRENCY] [LATENCY_S]    # defaults: 50 8 0.5
"""

from __future__ import annotations

import http.server
import math
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import machine

from ledger.capture import ingest_urls
from ledger.fetch import Fetcher
from ledger.store import Ledger

LATENCY = 0.5
PAGE = """<!doctype html><html lang="en"><head><title>Report {n}</title>
<meta property="og:site_name" content="Bench Daily"></head><body><article>
<p>Officials said on Monday that {n} North Korean soldiers had been sent to Russia for training,
according to a briefing to lawmakers. The Kremlin dismissed the reports as fake news.</p>
<p>NATO said it could not confirm the reports, and the Pentagon said it had not been able to
verify them independently. Analysts said the deployment could change the war.</p>
</article></body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/robots.txt":
            body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            time.sleep(LATENCY)
            body, ctype = PAGE.format(n=self.path.strip("/")).encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    global LATENCY
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    LATENCY = float(sys.argv[3]) if len(sys.argv) > 3 else LATENCY
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/{n}" for n in range(1000, 1000 + pages)]
    print(machine())
    with tempfile.TemporaryDirectory() as d, Ledger(Path(d) / "ledger.db") as ledger:
        fetcher = Fetcher()
        start = time.perf_counter()
        results = ingest_urls(ledger, urls, ingested_by="bench", fetcher=fetcher,
                              concurrency=concurrency)  # fmt: skip
        wall = time.perf_counter() - start
        fetcher.close()
    server.shutdown()
    ideal = math.ceil(pages / concurrency) * LATENCY
    assert len(results) == pages
    print(f"{pages} pages, concurrency {concurrency}, {LATENCY:g} s latency a page:")
    print(
        f"  wall {wall:.2f} s, ideal {ideal:.2f} s: {wall / ideal:.2f}x the ideal (target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
