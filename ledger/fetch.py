"""Fetch a web page or PDF the way a careful archivist would, keeping what was served.

httpx does the HTTP; redirects are followed here, one hop at a time, so each hop is recorded
and a loop is caught; bodies are streamed against a size cap; robots.txt is honoured (the
standard library's parser) unless the caller says otherwise. Every failure is one line naming
the URL.
"""

from __future__ import annotations

import datetime as dt
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ledger import __version__
from ledger.archive import Capture, Response
from ledger.errors import InputError

USER_AGENT = f"factledger/{__version__} (fact-checking provenance ledger; archives what it reads)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
TIMEOUT_S = 20.0
HTML_TYPES = ("text/html", "application/xhtml+xml")
ACCEPTED = (*HTML_TYPES, "application/pdf", "text/plain")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


class FetchError(InputError):
    """A URL could not be fetched or is not something we ingest."""


@dataclass
class Fetcher:
    """One session's HTTP client, robots.txt cache and limits."""

    timeout: float = TIMEOUT_S
    max_bytes: int = MAX_BYTES
    ignore_robots: bool = False
    transport: httpx.BaseTransport | None = None
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            timeout=self.timeout,
            follow_redirects=False,
            # Identity encoding: the archived body is then the article bytes themselves.
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
            transport=self.transport,
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()

    def fetch(self, url: str, accepted: tuple[str, ...] = ACCEPTED) -> Capture:
        """Fetch ``url``, following redirects; the final response is a 200 of an accepted type."""
        _check_url(url)
        capture, seen = Capture(), {url}
        current = url
        while True:
            self._check_robots(url, current)
            response = self._get(url, current)
            capture.hops.append(response)
            if response.status in (301, 302, 303, 307, 308):
                location = dict((k.lower(), v) for k, v in response.headers).get("location")
                if not location:
                    raise FetchError(f"{url}: redirect {response.status} without a Location")
                current = urljoin(current, location)
                _check_url(current)
                if current in seen:
                    raise FetchError(f"{url}: redirect loop at {current}")
                if len(capture.hops) > MAX_REDIRECTS:
                    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
                seen.add(current)
                continue
            if response.status != 200:
                raise FetchError(f"{url}: the server answered {response.status} {response.reason}")
            ctype = content_type(response)
            if ctype not in accepted:
                kinds = "a feed" if accepted is FEED_TYPES else "HTML, PDF or plain text"
                raise FetchError(f"{url}: content type {ctype or '(none)'} is not {kinds}")
            return capture

    def _get(self, url: str, current: str) -> Response:
        date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            with self.client.stream("GET", current) as r:
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"{url}: {declared} bytes is over the {self.max_bytes} limit")
                body = bytearray()
                for chunk in r.iter_raw():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(f"{url}: over the {self.max_bytes} byte limit")
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in r.headers.raw]
                return Response(current, r.status_code, r.reason_phrase, headers, bytes(body), date)
        except httpx.TimeoutException:
            raise FetchError(f"{url}: timed out after {self.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise FetchError(f"{url}: cannot connect ({type(e).__name__}: {e})") from None

    def _check_robots(self, url: str, current: str) -> None:
        if self.ignore_robots:
            return
        parts = urlsplit(current)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._robots:
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                r = self.client.get(key + "/robots.txt")
                if r.status_code == 200:
                    parser = urllib.robotparser.RobotFileParser()
                    parser.parse(r.text.splitlines())
            except httpx.HTTPError:
                parser = None  # no robots.txt to be had: nothing forbids the fetch
            self._robots[key] = parser
        parser = self._robots[key]
        if parser is not None and not parser.can_fetch(USER_AGENT, current):
            raise FetchError(
                f"{url}: robots.txt of {parts.netloc} disallows it (ingest it with ignore-robots "
                "only if you have the right to)"
            )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{url}: only http and https URLs can be fetched")


def content_type(response: Response) -> str:
    """The response's media type, lower case, without parameters."""
    value = dict((k.lower(), v) for k, v in response.headers).get("content-type", "")
    return value.split(";")[0].strip().lower()


def charset(response: Response) -> str | None:
    """The charset the response declares in its Content-Type, if any."""
    value = dict((k.lower(), v) for k, v in response.headers).get("content-type", "")
    for param in value.split(";")[1:]:
        name, _, v = param.partition("=")
        if name.strip().lower() == "charset":
            return v.strip().strip('"').lower() or None
    return None
