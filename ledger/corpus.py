"""Read corpus files into sources and ingest them into the ledger.

Plain text and Markdown may carry YAML front matter (python-frontmatter) or a sidecar
``NAME.meta.yaml`` (so a seed's bytes stay untouched). HTML goes through trafilatura for the
article text and metadata; the raw bytes and their sha256 are kept either way. The stored text is
normalised only for newlines and Unicode NFC.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from ledger.controls import describe, visible
from ledger.errors import InputError
from ledger.hashing import sha256_hex
from ledger.store import Ledger
from ledger.urls import require_http_url

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB: far above any article, small enough to stay in memory
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
META_FIELDS = ("title", "publisher", "author", "url", "published", "retrieved")
SIDECAR = ".meta.yaml"


@dataclass
class Document:
    """A file read and normalised, ready to become a source."""

    path: str
    raw: bytes
    text: str
    media_type: str
    meta: dict[str, str | None] = field(default_factory=dict)
    language: str | None = None
    pages: list[int] | None = None  # where each PDF page starts in ``text``


@dataclass
class IngestResult:
    """What happened to one file: ``added``, ``unchanged`` or ``replaced``."""

    path: str
    source_id: str
    status: str
    replaces: str | None = None


def normalise(text: str) -> str:
    """Newlines to ``\\n`` and Unicode NFC; nothing else changes."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def iter_files(paths: list[str]) -> Iterator[Path]:
    """Expand folders (sorted, recursively) into corpus files; sidecars are not documents."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not child.name.endswith(SIDECAR)
                    and not child.name.startswith(".")
                    and child.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
                ):
                    yield child
        else:
            yield path


def _clean_meta(data: dict[str, Any]) -> dict[str, str | None]:
    meta: dict[str, str | None] = {}
    for key in META_FIELDS:
        value = data.get(key)
        if isinstance(value, dt.date):
            value = value.isoformat()
        meta[key] = str(value).strip() if value not in (None, "") else None
    return meta


def _sidecar(path: Path) -> dict[str, Any]:
    side = path.with_name(path.name.rsplit(".", 1)[0] + SIDECAR)
    if not side.exists():
        return {}
    try:
        data = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise InputError(f"{side}: invalid metadata YAML ({str(e).splitlines()[0]})") from e
    if not isinstance(data, dict):
        raise InputError(f"{side}: metadata must be a YAML mapping of field: value")
    return data


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw:
        raise InputError(f"{path}: binary file (contains NUL bytes); only text and HTML go in")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: not valid UTF-8 (byte {e.start}); convert it with iconv first"
        ) from e


def _check_name(path: Path) -> None:
    """Refuse a file name that cannot be stored (not UTF-8) or shown (control characters)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError as e:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise InputError(
            f"{shown}: the file name is not valid UTF-8; rename it to ingest it"
        ) from e
    problem = describe(str(path))
    if problem:
        raise InputError(f"{visible(str(path))}: the file name has a {problem}; rename it")


def _check_text(path: Path, text: str, meta: dict[str, str | None]) -> None:
    """Refuse text or metadata a terminal would act on instead of showing (see controls)."""
    problem = describe(text)
    if problem:
        raise InputError(
            f"{path}: {problem}; remove it (it could hide or reorder text on a reviewer's screen)"
        )
    for key, value in meta.items():
        problem = describe(value or "")
        if problem:
            raise InputError(f"{path}: metadata {key} has a {problem}; remove it")


def read_document(path: Path) -> Document:
    """Read one file into a Document, or raise InputError naming the file and the reason."""
    _check_name(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .pdf"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size} bytes is over the {MAX_BYTES} byte limit")
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from e
    if not raw.strip():
        raise InputError(f"{path}: empty file")
    meta_in: dict[str, Any] = {}
    pages: list[int] | None = None
    if suffix in PDF_SUFFIXES:
        from ledger.pdf import pdf_text

        text, pages = pdf_text(path, raw)
        media_type = "application/pdf"
    elif suffix in HTML_SUFFIXES:
        decoded = _decode(path, raw)
        text, meta_in, media_type = _extract_html(path, decoded), _html_meta(decoded), "text/html"
    else:
        decoded = _decode(path, raw)
        text, media_type = decoded, "text/markdown" if suffix != ".txt" else "text/plain"
        if decoded.startswith("---"):
            import frontmatter

            try:
                post = frontmatter.loads(decoded)
            except Exception as e:  # python-frontmatter raises yaml and value errors alike
                raise InputError(f"{path}: invalid front matter ({str(e).splitlines()[0]})") from e
            text, meta_in = post.content, dict(post.metadata)
    meta_in.update({k: v for k, v in _sidecar(path).items() if v not in (None, "")})
    text = normalise(text)
    if not text.strip():
        raise InputError(f"{path}: no text after removing front matter or markup")
    meta = require_http_url(path, _clean_meta(meta_in))
    _check_text(path, text, meta)
    return Document(str(path), raw, text, media_type, meta, pages=pages)


def _extract_html(path: Path, html: str) -> str:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    if not text:
        raise InputError(f"{path}: no article text found in the HTML")
    return str(text)


def _html_meta(html: str) -> dict[str, Any]:
    import trafilatura

    m = trafilatura.extract_metadata(html)
    if m is None:
        return {}
    return {
        "title": m.title,
        "author": m.author,
        "publisher": m.sitename,
        "url": m.url,
        "published": m.date,
    }


def _stored_path(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def ingest_document(ledger: Ledger, doc: Document, *, ingested_by: str) -> IngestResult:
    """Add one document as a source, in its own transaction.

    The same bytes again are a no-op that returns the existing source; changed bytes at a path
    already ingested become a new source that ``replaces`` the previous one.
    """
    raw_sha = sha256_hex(doc.raw)
    path = _stored_path(doc.path)
    with ledger.transaction():
        existing = ledger.one("SELECT id FROM sources WHERE raw_sha256 = ?", [raw_sha])
        if existing:
            return IngestResult(path, existing["id"], "unchanged")
        previous = ledger.one(
            "SELECT id FROM sources WHERE path = ? ORDER BY seq DESC LIMIT 1", [path]
        )
        source_id = "src-" + raw_sha[:12]
        ledger.append(
            "sources",
            {
                "id": source_id,
                "path": path,
                **doc.meta,
                "retrieved": doc.meta.get("retrieved") or dt.date.today().isoformat(),
                "media_type": doc.media_type,
                "size_bytes": len(doc.raw),
                "raw_sha256": raw_sha,
                "text_sha256": sha256_hex(doc.text.encode("utf-8")),
                "replaces": previous["id"] if previous else None,
                "ingested_by": ingested_by,
                "language": doc.language,
                "pages": orjson.dumps(doc.pages).decode() if doc.pages else None,
                "text": doc.text,
                "raw": doc.raw,
            },
        )
    status = "replaced" if previous else "added"
    return IngestResult(path, source_id, status, previous["id"] if previous else None)


def resolve_source(ledger: Ledger, ref: str) -> dict[str, Any]:
    """A source row by its ID, or by the path it was ingested from (the latest at that path)."""
    row = ledger.one("SELECT * FROM sources WHERE id = ?", [ref])
    if row is None:
        row = ledger.one(
            "SELECT * FROM sources WHERE path = ? ORDER BY seq DESC LIMIT 1", [_stored_path(ref)]
        )
    if row is None:
        from ledger.errors import NotFound

        raise NotFound(
            f"no source {ref!r}: pass a source ID (see 'factledger sources') or an ingested path"
        )
    return row
