"""Restore a Litestream replica into a new, verified ledger (latest, or as of a moment).

The replica is restored beside the target and trusted only after :func:`ledger.verify.verify`
has recomputed its whole chain and the derived tables (rebuilt first in the copy when an older
factledger made them); nothing is left at the target otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ledger import derived
from ledger.errors import InputError
from ledger.replicate import (
    _restore_to,
    _unreadable,
    litestream_binary,
    replica_url,
)
from ledger.store import Head, Ledger
from ledger.verify import verify


@dataclass(frozen=True)
class RestoreResult:
    """A restored, verified ledger."""

    path: Path
    head: Head
    earlier_head_found: bool | None


def parse_timestamp(text: str) -> str:
    """An ISO 8601 time (UTC if it names no zone) as the RFC 3339 UTC time Litestream takes."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError as e:
        raise InputError(
            f"timestamp {text!r}: give an ISO 8601 time such as 2026-12-01T21:10:22Z"
        ) from e
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def restore(
    url: str,
    out: str | Path,
    *,
    timestamp: str | None = None,
    earlier_head: str | None = None,
) -> RestoreResult:
    """Restore the replica (latest, or as of ``timestamp``) to a new file ``out`` and verify it.

    ``earlier_head``, a head quoted earlier, must be in the restored chain. Nothing is left at
    ``out`` unless the restored ledger verifies; an existing ``out`` is never overwritten.
    """
    target = Path(out)
    if target.exists():
        raise InputError(f"{target} exists: restore writes a new file; name another path")
    if not target.parent.is_dir():
        raise InputError(f"{target.parent} is not a folder: create it first")
    at = parse_timestamp(timestamp) if timestamp is not None else None
    binary = litestream_binary()
    url = replica_url(url)
    # Restored beside the target, so the final step is a link on the same file system.
    with tempfile.TemporaryDirectory(prefix=".factledger-restore-", dir=target.parent) as tmp:
        restored = Path(tmp) / target.name
        _restore_to(binary, url, restored, at)
        try:
            with Ledger(restored, create=False, readonly=True) as ledger:
                # The chain as it was replicated first, before anything is written to the copy.
                result = verify(ledger, earlier_head, quick=True)
                current = derived.installed_version(ledger.conn) == derived.VERSION
            if not current:
                # A replica an older factledger wrote: its derived tables are rebuilt in the
                # copy (an upgrade, as any write makes), so that they can be checked too.
                Ledger(restored, create=False).close()
            with Ledger(restored, create=False, readonly=True) as ledger:
                result = verify(ledger, earlier_head)
        except sqlite3.DatabaseError as e:
            raise _unreadable(url, e) from e
        _place(restored, target)
    return RestoreResult(target, result.head, result.earlier_head_found)


def _place(restored: Path, target: Path) -> None:
    exists = InputError(f"{target} exists: restore writes a new file; name another path")
    try:
        # A hard link never replaces an existing file, unlike a rename.
        os.link(restored, target)
    except FileExistsError as e:
        raise exists from e
    except OSError:
        # A file system without hard links: a rename, after one more look.
        if target.exists():
            raise exists from None
        os.replace(restored, target)
