"""WARC records of what a web server served: the pinned bytes of a source fetched by URL.

A fetched source's ``raw`` is a small WARC file (gzip members, one ``response`` record per hop:
each redirect, then the final answer), written and read with ``warcio``. Digests are SHA-256
(warcio's default is SHA-1), so a record's ``WARC-Payload-Digest`` can be compared with our own
hashes.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

MEDIA_TYPE = "application/warc"


class _Sha256Writer(WARCWriter):
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


@dataclass
class Response:
    """One HTTP answer as served: the URL asked for, status, headers, body and time."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    date: str  # ISO 8601, UTC, as WARC-Date wants it


@dataclass
class Capture:
    """A fetch: the redirects followed and the final response."""

    hops: list[Response] = field(default_factory=list)

    @property
    def final(self) -> Response:
        """The last response (the one whose body is the article)."""
        return self.hops[-1]


def write(capture: Capture) -> bytes:
    """The capture as WARC bytes: one gzip-compressed ``response`` record per hop."""
    buf = io.BytesIO()
    writer = _Sha256Writer(buf, gzip=True)
    for hop in capture.hops:
        http = StatusAndHeaders(f"{hop.status} {hop.reason}", hop.headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            hop.url,
            "response",
            payload=io.BytesIO(hop.body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": hop.date},
        )
        writer.write_record(record)
    return buf.getvalue()


def read(raw: bytes) -> Capture:
    """Parse WARC bytes written by :func:`write` back into a Capture."""
    capture = Capture()
    for record in ArchiveIterator(io.BytesIO(raw)):
        if record.rec_type != "response":
            continue
        http = record.http_headers
        status, _, reason = http.statusline.partition(" ")
        capture.hops.append(
            Response(
                record.rec_headers.get_header("WARC-Target-URI"),
                int(status),
                reason,
                list(http.headers),
                record.content_stream().read(),
                record.rec_headers.get_header("WARC-Date"),
            )
        )
    return capture


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` value of a body: ``sha256:`` and base32."""
    return "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode()


def record_digests(raw: bytes) -> list[str]:
    """The ``WARC-Payload-Digest`` header of each record in ``raw``."""
    return [
        r.rec_headers.get_header("WARC-Payload-Digest")
        for r in ArchiveIterator(io.BytesIO(raw))
        if r.rec_type == "response"
    ]


def export_sources(rows: Iterable[dict[str, Any]]) -> bytes:
    """Every source as WARC: a fetched source's own records as they were pinned, and a
    ``resource`` record of the original bytes for a source read from a file."""
    buf = io.BytesIO()
    writer = _Sha256Writer(buf, gzip=True)
    for row in rows:
        raw = bytes(row["raw"])
        if row["media_type"] == MEDIA_TYPE:
            buf.write(raw)
            continue
        record = writer.create_warc_record(
            row["url"] or f"urn:factledger:source:{row['id']}",
            "resource",
            payload=io.BytesIO(raw),
            warc_content_type=row["media_type"] or "application/octet-stream",
            warc_headers_dict={
                "WARC-Date": _warc_date(row["retrieved"] or row["recorded_at"]),
                "WARC-Source-URI": f"file:{row['path']}",
            },
        )
        writer.write_record(record)
    return buf.getvalue()


def _warc_date(value: str) -> str:
    """A WARC-Date from an ISO date or timestamp."""
    if len(value) == 10:
        return value + "T00:00:00Z"
    return value[:19] + "Z"
