"""Sources from the web, against a local HTTP server on 127.0.0.1 that the tests start."""

from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ledger import archive
from ledger.capture import feed_links, ingest_urls
from ledger.fetch import Fetcher
from ledger.store import Ledger
from ledger.verify import verify

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Kremlin dismisses reports of North Korean troops | The Daily Example</title>
<meta property="og:title" content="Kremlin dismisses reports of North Korean troops">
<meta property="og:site_name" content="The Daily Example">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2024-10-23T09:00:00Z">
<link rel="canonical" href="{base}/news/troops">
</head><body><nav>Home | World | Politics</nav><article><h1>Kremlin dismisses reports</h1>
<p>South Korea's intelligence agency said around 1,500 North Korean soldiers had already been
sent to Russia for training, according to a briefing to lawmakers on Friday.</p>
<p>Kremlin spokesman Dmitry Peskov dismissed these reports as fake news and said Moscow had
nothing to add. {extra}</p>
<p>NATO Secretary General Mark Rutte said the alliance could not confirm the reports, and the
Pentagon said it had not been able to verify them independently.</p></article>
<footer>Copyright The Daily Example</footer></body></html>"""

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Example</title>
<item><title>Troops</title><link>{base}/news/troops</link></item>
<item><title>Latin-1</title><link>{base}/news/latin1</link></item>
</channel></rss>"""


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page (no text when a page is '')."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
        page_no, content_no = len(objs) + 1, len(objs) + 2
        kids.append(f"{page_no} 0 R")
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_no} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> "
            ">> >> >>"
        )
        objs.append(f"<< /Length {len(content)} >>\nstream\n{content.decode()}\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


class Site:
    """What the local server serves; tests change ``extra`` to change the article."""

    extra = ""
    robots = "User-agent: *\nDisallow: /private/\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"http://{self.headers['Host']}"
        path = self.path
        if path == "/robots.txt":
            return self._send(200, Site.robots.encode(), "text/plain")
        if path == "/news/troops":
            return self._send(200, ARTICLE.format(base=base, extra=Site.extra).encode())
        if path == "/old-link":
            return self._send(301, headers=[("Location", "/moved")])
        if path == "/moved":
            return self._send(302, headers=[("Location", f"{base}/news/troops")])
        if path == "/loop-a":
            return self._send(302, headers=[("Location", "/loop-b")])
        if path == "/loop-b":
            return self._send(302, headers=[("Location", "/loop-a")])
        if path == "/report.pdf":
            pdf = _pdf(["Page one says 1,500 soldiers were sent.", "Page two: Peskov denied it."])
            return self._send(200, pdf, "application/pdf")
        if path == "/scan.pdf":
            return self._send(200, _pdf(["", ""]), "application/pdf")
        if path == "/feed.xml":
            return self._send(200, FEED.format(base=base).encode(), "application/rss+xml")
        if path == "/news/latin1":
            body = ARTICLE.format(base=base, extra="Caf\u00e9 talk.").replace('charset="utf-8"', "")
            return self._send(200, body.encode("latin-1"), "text/html; charset=iso-8859-1")
        if path == "/bad-charset":
            return self._send(
                200, b"<html><p>caf\xe9 \xff\xfe</p></html>", "text/html; charset=utf-8"
            )
        if path == "/image.png":
            return self._send(200, b"\x89PNG\r\n", "image/png")
        if path == "/huge":
            return self._send(200, b"<p>" + b"x" * 50_000 + b"</p>")
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, b"<p>late</p>")
        if path == "/private/memo":
            return self._send(200, ARTICLE.format(base=base, extra="").encode())
        if path == "/error":
            return self._send(500, b"oops")
        return self._send(404, b"not here")


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda *args: None  # a client that gave up (size cap, timeout)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.db") as led:
        yield led


def _ingest(ledger, urls, **kw):
    lines: list[str] = []
    fetcher = Fetcher(**kw)
    try:
        results = ingest_urls(ledger, urls, ingested_by="t", fetcher=fetcher, report=lines.append)
    finally:
        fetcher.close()
    return results, lines


def test_an_article_is_archived_with_what_was_served(site, ledger, tmp_path):
    Site.extra = ""
    (result,), lines = _ingest(ledger, [f"{site}/old-link"])
    assert lines == [] and result.status == "added"
    src = ledger.one("SELECT * FROM sources WHERE id = ?", [result.source_id])
    assert src["title"] == "Kremlin dismisses reports of North Korean troops"
    assert src["publisher"] == "The Daily Example" and src["author"] == "Jane Reporter"
    assert src["published"] == "2024-10-23" and src["url"] == f"{site}/news/troops"
    assert "Peskov dismissed these reports" in src["text"] and "Copyright" not in src["text"]
    assert src["media_type"] == archive.MEDIA_TYPE
    capture = archive.read(bytes(src["raw"]))
    # Both redirects and the final answer, each with its status and headers.
    assert [(h.url, h.status) for h in capture.hops] == [
        (f"{site}/old-link", 301),
        (f"{site}/moved", 302),
        (f"{site}/news/troops", 200),
    ]
    final = capture.final
    assert dict(final.headers)["Content-Type"] == "text/html; charset=utf-8"
    assert archive.record_digests(bytes(src["raw"]))[-1] == archive.payload_digest(final.body)
    assert hashlib.sha256(bytes(src["raw"])).hexdigest() == src["raw_sha256"]
    verify(ledger)
    # warcio's own validator accepts the stored record.
    record = tmp_path / "record.warc.gz"
    record.write_bytes(bytes(src["raw"]))
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run(
        [str(warcio), "check", "-v", str(record)], capture_output=True, text=True
    )
    assert check.returncode == 0 and "digest pass" in check.stdout, check.stdout + check.stderr


def test_a_page_fetched_again_unchanged_adds_nothing_and_changed_replaces(site, ledger):
    Site.extra = ""
    (first,), _ = _ingest(ledger, [f"{site}/news/troops"])
    (again,), _ = _ingest(ledger, [f"{site}/news/troops"])
    assert (again.status, again.source_id) == ("unchanged", first.source_id)
    Site.extra = "Update: Moscow later said nothing more."
    try:
        (changed,), _ = _ingest(ledger, [f"{site}/news/troops"])
    finally:
        Site.extra = ""
    assert changed.status == "replaced" and changed.replaces == first.source_id
    assert ledger.count("sources") == 2
    verify(ledger)


def test_a_pdf_keeps_its_pages_and_a_scan_is_refused(site, ledger):
    (pdf,), lines = _ingest(ledger, [f"{site}/report.pdf", f"{site}/scan.pdf"])
    text = ledger.one("SELECT text FROM sources WHERE id = ?", [pdf.source_id])["text"]
    assert text == "Page one says 1,500 soldiers were sent.\n\nPage two: Peskov denied it."
    assert lines == [f"{site}/scan.pdf: the PDF has no text layer (a scan?); OCR it first"]


def test_a_feed_lists_its_articles(site):
    fetcher = Fetcher()
    try:
        assert feed_links(f"{site}/feed.xml", fetcher) == [
            f"{site}/news/troops",
            f"{site}/news/latin1",
        ]
    finally:
        fetcher.close()


def test_a_declared_charset_is_used(site, ledger):
    (result,), lines = _ingest(ledger, [f"{site}/news/latin1"])
    assert lines == []
    assert "Caf\u00e9 talk." in ledger.one("SELECT text FROM sources")["text"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "the server answered 404 Not Found"),
        ("/error", "the server answered 500 Internal Server Error"),
        ("/loop-a", "redirect loop at"),
        ("/image.png", "content type image/png is not HTML, PDF or plain text"),
        ("/huge", "is over the 10000 limit"),
        ("/bad-charset", "does not decode as utf-8"),
        ("/private/memo", "robots.txt of 127.0.0.1"),
        ("/slow", "timed out after 0.5 s"),
    ],
)
def test_bad_urls_get_one_line_and_the_others_still_go_in(site, ledger, path, message):
    Site.extra = ""
    results, lines = _ingest(
        ledger,
        [f"{site}{path}", f"{site}/news/troops"],
        max_bytes=10_000 if path == "/huge" else 10 * 2**20,
        timeout=0.5,
    )
    assert len(lines) == 1 and lines[0].startswith(f"{site}{path}: ") and message in lines[0]
    assert "\n" not in lines[0]
    assert [r.status for r in results] == ["added"]


def test_unreachable_host_is_one_line(ledger):
    results, lines = _ingest(ledger, ["http://127.0.0.1:9/nothing"], timeout=2)
    assert results == [] and lines[0].startswith("http://127.0.0.1:9/nothing: cannot connect")


def test_robots_can_be_ignored(site, ledger):
    results, lines = _ingest(ledger, [f"{site}/private/memo"], ignore_robots=True)
    assert lines == [] and results[0].status == "added"


def test_ingest_urls_and_a_feed_from_the_command_line(site, run, workspace):
    Site.extra = ""
    (workspace / "urls.txt").write_text(f"# to check\n{site}/news/troops\n{site}/missing\n")
    result = run("ingest", "--urls", "urls.txt", f"{site}/report.pdf")
    assert result.exit_code == 1
    assert f"Error: {site}/missing: the server answered 404 Not Found" in result.output
    assert "added     src-" in result.output and f"{site}/news/troops" in result.output
    # The feed's article already fetched is not fetched again; the new one goes in.
    result = run("ingest", "--feed", f"{site}/feed.xml", "--json")
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in json.loads(result.output)] == [f"{site}/news/latin1"]
    assert run("verify").exit_code == 0


def test_a_local_pdf_file_is_ingested(run, workspace):
    (workspace / "report.pdf").write_bytes(_pdf(["Page one says 1,500 soldiers were sent."]))
    (workspace / "scan.pdf").write_bytes(_pdf([""]))
    result = run("ingest", "report.pdf", "scan.pdf")
    assert result.exit_code == 1
    assert "added" in result.output and "report.pdf" in result.output
    assert "scan.pdf: the PDF has no text layer (a scan?); OCR it first" in result.output


def test_export_warc_passes_warcio_check(site, run, workspace):
    Site.extra = ""
    assert run("ingest", "corpus/", f"{site}/old-link").exit_code == 0
    result = run("export", "--format", "warc", "-o", "sources.warc.gz")
    assert result.exit_code == 0, result.output
    warcio = Path(sys.executable).with_name("warcio")
    out = workspace / "sources.warc.gz"
    check = subprocess.run([str(warcio), "check", "-v", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    # Two seed files and the article with its two redirects.
    assert check.stdout.count("WARC-Record-ID") == 5, check.stdout
    seeds = [p.read_bytes() for p in sorted((workspace / "corpus").glob("*.txt"))]
    from warcio.archiveiterator import ArchiveIterator

    with out.open("rb") as f:
        payloads = [
            r.content_stream().read() for r in ArchiveIterator(f) if r.rec_type == "resource"
        ]
    assert payloads == seeds


def test_a_claim_on_a_page_that_changed_says_so(site, run, workspace):
    from ledger.publish.serve import make_datasette
    from tests.conftest import get

    Site.extra = ""
    url = f"{site}/news/troops"
    assert run("ingest", url).exit_code == 0
    quote = "Kremlin spokesman Dmitry Peskov dismissed these reports as fake news"
    r = run("add", "--source", url, "--quote", quote, "--claim",
            "North Korean troops are in Russia.", "--actor", "Kremlin (Dmitry Peskov)",
            "--stance", "denied")  # fmt: skip
    assert r.exit_code == 0, r.output
    cid = r.output.strip()
    assert "the source changed since" not in run("show", cid).output
    Site.extra = "Update: Moscow later said nothing more."
    try:
        assert "replaced" in run("ingest", url).output
    finally:
        Site.extra = ""
    out = run("show", cid).output
    assert "the source changed since: src-" in out and "the quote is still in it" in out
    ds = make_datasette(str(workspace / "ledger.db"))
    page = get(ds, f"/claims/{cid}").text
    assert "The source changed since this was recorded" in page
    assert "the quoted words are still in it" in page


def test_a_claim_in_a_pdf_knows_its_page(run, workspace):
    pages = ["The ministry said 1,500 soldiers were sent.", "Peskov denied the reports."]
    (workspace / "report.pdf").write_bytes(_pdf(pages))
    assert run("ingest", "report.pdf").exit_code == 0
    r = run("add", "--source", "report.pdf", "--quote", "Peskov denied the reports",
            "--claim", "North Korean soldiers were sent to Russia.", "--actor", "Kremlin",
            "--stance", "denied", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["id"]
    shown = json.loads(run("show", cid, "--json").output)
    assert shown["stance_events"][0]["page"] == 2
    assert "report.pdf, p. 2)" in run("show", cid).output
