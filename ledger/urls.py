"""Addresses a reader may follow: only ``http`` and ``https`` URLs with a host.

A source's ``url`` comes from an article's metadata, written by whoever wrote the article. Shown as
a link on a claim page or exported in ClaimReview, a ``javascript:`` or ``data:`` address would run
in the reader's browser, so ingest refuses it and every page and export leaves out any such
address already in a ledger.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ledger.errors import InputError

SCHEMES = ("http", "https")


def http_url(url: Any) -> str | None:
    """``url`` when it is an absolute http(s) address with a host, else None."""
    if not isinstance(url, str):
        return None
    # Browsers drop these characters anywhere in an address ("java\tscript:"), so none may be in
    # one we pass on; a URL we accept never needs them.
    if url != url.strip() or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host
        return None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return None
    return url


def require_http_url(path: str | Path, meta: dict[str, str | None]) -> dict[str, str | None]:
    """``meta`` unchanged when its ``url`` is empty or http(s); else InputError naming ``path``."""
    url = meta.get("url")
    if url is not None and http_url(url) is None:
        shown = url if len(url) <= 60 else url[:57] + "..."
        raise InputError(
            f"{path}: metadata url {shown!r} is not an http(s) address; "
            "fix or remove the url in its front matter or .meta.yaml"
        )
    return meta
