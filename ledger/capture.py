"""Sources from the web: a URL fetched into a WARC record, its article text and metadata.

The pinned bytes of a fetched source (``raw``, covered by ``raw_sha256``) are the WARC record
of what was served; the stored text is what trafilatura extracts from the HTML (or pypdf from a
PDF). Fetching a URL again adds nothing when the served body is unchanged, and a new source
that ``replaces`` the old one when it changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ledger import archive
from ledger.corpus import Document, IngestResult, _clean_meta, ingest_document, normalise
from ledger.errors import InputError
from ledger.fetch import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, charset, content_type
from ledger.pdf import pdf_text
from ledger.store import Ledger


@dataclass
class Fetched:
    """One URL's outcome: a document ready to ingest, or the one-line reason it is not."""

    url: str
    document: Document | None = None
    error: str | None = None


META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)


def _decode(url: str, body: bytes, declared: str | None) -> str:
    """The body as text in the charset the server declared, else the page's own, else UTF-8."""
    if declared is None:
        m = META_CHARSET.search(body[:4096])
        declared = m.group(1).decode("ascii").lower() if m else None
    name = declared or "utf-8"
    try:
        return body.decode(name)
    except LookupError:
        raise FetchError(f"{url}: unknown charset {name!r}") from None
    except UnicodeDecodeError as e:
        raise FetchError(f"{url}: the body does not decode as {name} (byte {e.start})") from None


def document(url: str, capture: archive.Capture) -> Document:
    """Turn a capture into a Document whose raw bytes are its WARC record."""
    import trafilatura

    final = capture.final
    ctype = content_type(final)
    meta: dict[str, Any] = {"url": final.url, "retrieved": final.date}
    pages, language = None, None
    if ctype == "application/pdf":
        text, pages = pdf_text(url, final.body)
    elif ctype in HTML_TYPES:
        html = _decode(url, final.body, charset(final))
        text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
        m = trafilatura.extract_metadata(html, default_url=final.url)
        if m is not None:
            language = m.language
            meta.update(
                title=m.title, author=m.author, publisher=m.sitename, published=m.date,
                url=m.url if m.url and m.url.startswith(("http://", "https://")) else final.url,
            )  # fmt: skip
        meta["retrieved"] = final.date
    else:
        text = _decode(url, final.body, charset(final))
    text = normalise(text)
    if not text.strip():
        raise FetchError(f"{url}: no article text found")
    return Document(
        url, archive.write(capture), text, archive.MEDIA_TYPE, _clean_meta(meta),
        language=language or _html_lang(final), pages=pages,
    )  # fmt: skip


HTML_LANG = re.compile(rb"""<html[^>]*\slang=["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)""", re.I)


def _html_lang(response: archive.Response) -> str | None:
    """The page's declared language (``<html lang>``), else its Content-Language header."""
    m = HTML_LANG.search(response.body[:4096])
    if m:
        return m.group(1).decode("ascii")
    return dict((k.lower(), v) for k, v in response.headers).get("content-language")


def fetch_all(urls: Iterable[str], fetcher: Fetcher, concurrency: int = 4) -> Iterator[Fetched]:
    """Fetch and extract URLs concurrently; yields each outcome in the order given."""

    def one(url: str) -> Fetched:
        try:
            return Fetched(url, document(url, fetcher.fetch(url)))
        except InputError as e:
            return Fetched(url, error=str(e))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        yield from pool.map(one, list(urls))


def _same_payload(ledger: Ledger, url: str, doc: Document) -> str | None:
    previous = ledger.one(
        "SELECT id, raw, media_type FROM sources WHERE path = ? ORDER BY seq DESC LIMIT 1", [url]
    )
    if previous is None or previous["media_type"] != archive.MEDIA_TYPE:
        return None
    old = archive.read(bytes(previous["raw"])).final.body
    return str(previous["id"]) if old == archive.read(doc.raw).final.body else None


def ingest_urls(
    ledger: Ledger,
    urls: Iterable[str],
    *,
    ingested_by: str,
    fetcher: Fetcher,
    concurrency: int = 4,
    report: Callable[[str], None] = lambda line: None,
) -> list[IngestResult]:
    """Fetch each URL and ingest it as a source, each in its own transaction.

    A URL that fails is reported (one line) and skipped; the others still go in.
    """
    results = []
    for item in fetch_all(urls, fetcher, concurrency):
        if item.document is None:
            report(str(item.error))
            continue
        unchanged = _same_payload(ledger, item.url, item.document)
        if unchanged:
            results.append(IngestResult(item.url, unchanged, "unchanged"))
            continue
        results.append(ingest_document(ledger, item.document, ingested_by=ingested_by))
    return results


def unseen(ledger: Ledger, links: Iterable[str]) -> list[str]:
    """The links no source was fetched from yet, in order, each once."""
    return [
        u for u in dict.fromkeys(links)
        if ledger.one("SELECT 1 FROM sources WHERE path = ?", [u]) is None
    ]  # fmt: skip


def feed_links(url: str, fetcher: Fetcher) -> list[str]:
    """The article links of an RSS or Atom feed, newest first as the feed lists them."""
    import feedparser

    capture = fetcher.fetch(url, FEED_TYPES)
    parsed = feedparser.parse(capture.final.body)
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"{url}: not an RSS or Atom feed")
    return [e.link for e in parsed.entries if getattr(e, "link", "").startswith(("http", "https"))]
