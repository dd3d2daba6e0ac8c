"""Serve the ledger with Datasette, and write a self-contained bundle for publishing it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ledger.atomic import write_all
from ledger.errors import InputError
from ledger.publish.metadata import SETTINGS, metadata

BUNDLE_README = """\
# factledger ledger bundle

A consistent snapshot of a factledger ledger ({entries} entries, head `{head}`), taken with
SQLite's backup API, with the Datasette metadata, settings and row counts (`inspect-data.json`)
and the factledger plugin. The folder is a Datasette configuration directory.

Serve it locally (read-only, immutable, with the counts precomputed):

    pip install 'datasette>=0.65,<0.66' pydantic orjson pyyaml python-frontmatter \\
        rapidfuzz sqlite-utils cryptography
    datasette serve .

Publish read-only copies (each serves the same immutable file, so any number can sit behind a CDN;
`datasette publish` and `datasette package` count the rows again while they build the image):

    datasette publish cloudrun ledger.db --metadata metadata.json --plugins-dir plugins \\
        --template-dir templates {installs} \\
        --extra-options "{settings}" --service factledger
    datasette package ledger.db --metadata metadata.json --plugins-dir plugins \\
        --template-dir templates {installs} \\
        --extra-options "{settings}"

Check the snapshot: `factledger --db ledger.db verify --head {head}`.
{transparency}"""
TRANSPARENCY = """
## Checking a claim without the ledger

`checkpoint.txt` is the newsroom's latest signed checkpoint of this ledger ({size} entries) and
`verifier.txt` the key that signed it (compare it with the key the newsroom publishes). Every
claim page shows its proof checked in the browser; to check one yourself, save the page's `.json`
(e.g. `/claims/FL-7K2QH9.json`) and run

    factledger verify-proof FL-7K2QH9.json --checkpoint checkpoint.txt --key verifier.txt

A later checkpoint extends this one if `factledger verify --checkpoint checkpoint.txt` passes on
the later ledger (a consistency proof).
"""
INSTALLS = (
    "pydantic", "orjson", "pyyaml", "python-frontmatter", "rapidfuzz", "sqlite-utils",
    "cryptography",
)  # fmt: skip

PLUGIN_SHIM = '''"""Loads the factledger plugin from its own copy of the package, in plugins/ledger.

`datasette publish` and `datasette package` copy the plugins folder into the image, so the
package travels inside it.
"""
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

try:
    distribution("factledger")  # installed: Datasette loads the plugin through its entry point
except PackageNotFoundError:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ledger.publish import *  # noqa: F401,F403  (every hook, as __all__ names them)
'''


def _settings_flags() -> str:
    return " ".join(
        f"--setting {k} {'on' if v is True else 'off' if v is False else v}"
        for k, v in SETTINGS.items()
    )


def inspect_data(snapshot: Path) -> dict[str, Any]:
    """Datasette's inspect data for an immutable snapshot: its hash, size and row counts."""
    import hashlib

    from ledger.counts import table_counts

    digest = hashlib.sha256()
    with snapshot.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    conn = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    try:
        counts = table_counts(conn) or {}  # the snapshot is migrated: its counts are kept
    finally:
        conn.close()
    return {
        snapshot.stem: {
            "hash": digest.hexdigest(),
            "size": snapshot.stat().st_size,
            "file": snapshot.name,
            "tables": {name: {"count": n} for name, n in counts.items()},
        }
    }


def make_datasette(db_path: str, *, immutable: bool = False) -> Any:
    """A Datasette instance for the ledger, with our metadata and settings."""
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.exists():
        raise InputError(f"no ledger at {db_path}: run 'factledger ingest' first or pass --db PATH")
    if not immutable:
        _migrate(path)
    files = {"immutables": [str(path)]} if immutable else {"files": [str(path)]}
    return Datasette(**files, metadata=metadata(path.stem), settings=SETTINGS)


def _migrate(path: Path) -> None:
    """Apply pending migrations, as every write command does: the pages need the kept counts."""
    from ledger.store import Ledger

    Ledger(path).close()


def serve(db_path: str, *, host: str, port: int, open_browser: bool) -> None:
    """Run Datasette on the ledger until interrupted."""
    import uvicorn

    ds = make_datasette(db_path)
    url = f"http://{host}:{port}/"
    print(
        f"Serving {db_path} at {url} (claim pages at {url}claims/ID); Ctrl-C to stop.", flush=True
    )
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def permalink_warning() -> str | None:
    """Why permalinks would not reach a reader of a published copy, or None: they point at
    this machine unless FACTLEDGER_BASE_URL names where the ledger is published."""
    from urllib.parse import urlsplit

    from ledger.reports import base_url

    base = base_url()
    host = (urlsplit(base).hostname or "").lower()
    if host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        return (
            f"permalinks point at {base}, this machine: set FACTLEDGER_BASE_URL to the address "
            "the bundle will be served at before citing, rendering or exporting for readers"
        )
    return None


def publish_bundle(db_path: str, out: str) -> dict[str, Any]:
    """Write a snapshot, metadata, plugin and README to ``out``; returns what was written.

    The bundle is built in a temporary folder beside ``out`` and renamed into place, so a
    failure (a full disk) leaves nothing behind and names the file that could not be written.
    """
    from ledger.atomic import new_directory

    src = Path(db_path)
    if not src.exists():
        raise InputError(f"no ledger at {db_path}: nothing to publish")
    with new_directory(out) as tmp:
        with _bundle_part(out, "ledger.db"):
            head = _snapshot(src, tmp / "ledger.db")
        for name, data in (
            ("metadata.json", metadata("ledger")),
            ("settings.json", SETTINGS),
            ("inspect-data.json", inspect_data(tmp / "ledger.db")),
        ):
            with _bundle_part(out, name):
                _put(tmp / name, json.dumps(data, indent=2))
        package = Path(__file__).resolve().parent.parent
        with _bundle_part(out, "plugins/ledger"):
            shutil.copytree(
                package, tmp / "plugins" / "ledger", ignore=shutil.ignore_patterns("__pycache__")
            )
        with _bundle_part(out, "templates"):
            shutil.copytree(package / "publish" / "templates", tmp / "templates")
        with _bundle_part(out, "plugins/factledger_plugin.py"):
            _put(tmp / "plugins" / "factledger_plugin.py", PLUGIN_SHIM)
        checkpoint = _latest_checkpoint(tmp / "ledger.db")
        if checkpoint:
            for name, text in (("checkpoint.txt", checkpoint[0]), ("verifier.txt", checkpoint[1])):
                with _bundle_part(out, name):
                    _put(tmp / name, text.rstrip("\n") + "\n")
        readme = BUNDLE_README.format(
            entries=head.count,
            head=head.hash,
            installs=" ".join(f"--install {p}" for p in INSTALLS),
            settings=_settings_flags(),
            transparency=TRANSPARENCY.format(size=checkpoint[2]) if checkpoint else "",
        )
        with _bundle_part(out, "README.md"):
            _put(tmp / "README.md", readme)
    warning = permalink_warning()
    return {"out": str(Path(out)), "entries": head.count, "head": head.hash,
            "warnings": [warning] if warning else []}  # fmt: skip


def _latest_checkpoint(db: Path) -> tuple[str, str, int] | None:
    """(note, verifier key, tree size) of the snapshot's newest checkpoint, if any."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT note, verifier, tree_size FROM checkpoints ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def _snapshot(src: Path, snapshot: Path) -> Any:
    """Copy the ledger to ``snapshot`` with SQLite's backup API; returns its head."""
    from ledger.store import Ledger

    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(snapshot)
    try:
        with target:
            source.backup(target)  # a consistent snapshot even while others write
    finally:
        target.close()
        source.close()
    _migrate(snapshot)  # a ledger from an older factledger gets the schema the pages need
    target = sqlite3.connect(snapshot)
    try:
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal/-shm
    finally:
        target.close()
    with Ledger(snapshot, readonly=True) as ledger:
        return ledger.head()


@contextlib.contextmanager
def _bundle_part(out: str, name: str) -> Iterator[None]:
    """Name the bundle file that failed, as the user will look for it, not its temporary path."""
    try:
        yield
    except (OSError, sqlite3.Error) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise InputError(f"{Path(out) / name}: cannot write ({reason}); nothing published") from e


def _put(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        write_all(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
