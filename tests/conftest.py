"""Shared fixtures: an isolated workspace with the seed corpus and a fresh ledger database."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.publish.serve import make_datasette

ROOT = Path(__file__).resolve().parent.parent
SEED_A = "000_e74a1e7ff637e6bf.txt"  # Turner / NATO / Pentagon / Kremlin
SEED_B = "003_b91633ba81768c00.txt"  # Washington Times / Cardin


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No FACTLEDGER_* variable from the shell reaches a test: each test sets what it needs."""
    for name in list(os.environ):
        if name.startswith("FACTLEDGER_"):
            monkeypatch.delenv(name)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A temporary folder with a copy of corpus/, as the current directory."""
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FACTLEDGER_REVIEWER", "test-reviewer")
    monkeypatch.delenv("FACTLEDGER_DB", raising=False)
    return tmp_path


@pytest.fixture
def run(workspace):
    """Invoke the CLI as a user would; returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run):
    """A ledger with the seed corpus ingested."""
    result = run("ingest", "corpus/")
    assert result.exit_code == 0, result.output
    return run


@pytest.fixture
def raw_db(workspace):
    """A plain sqlite3 connection to ./ledger.db, as the sqlite3 shell would have."""

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(workspace / "ledger.db")
        conn.isolation_level = None
        return conn

    return connect


@pytest.fixture(scope="module")
def vcr_config():
    """Recorded LLM traffic: never record in CI, never store credentials."""
    return {
        "filter_headers": [
            "authorization",
            "api-key",
            "x-api-key",
            "openai-organization",
            "cookie",
        ],
        "decode_compressed_response": True,
        "match_on": ["method", "scheme", "host", "port", "path", "body"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir():
    return str(ROOT / "cassettes")


NATO_QUOTE = "current information does not confirm the active engagement of North Korean soldiers"
KREMLIN_QUOTE = "Kremlin spokesman Dmitry Peskov dismissed these reports"


def add_nato(run, *extra: str):
    """Add the seed's 'unconfirmed by NATO' claim; returns the result."""
    return run(
        "add",
        "--source",
        f"corpus/{SEED_A}",
        "--quote",
        NATO_QUOTE,
        "--claim",
        "North Korean soldiers are actively engaged in the war against Ukraine.",
        "--actor",
        "NATO (Mark Rutte)",
        "--stance",
        "unconfirmed",
        *extra,
    )


def add_kremlin(run, claim_id: str, actor: str = "Kremlin (Dmitry Peskov)"):
    """Add the seed's 'denied by Kremlin' stance to ``claim_id``; returns the result."""
    return run("stance", claim_id, "--source", f"corpus/{SEED_A}", "--quote", KREMLIN_QUOTE,
               "--actor", actor, "--stance", "denied")  # fmt: skip


@pytest.fixture
def ledger(workspace):
    """A Ledger on ./ledger.db with seed A ingested through the library."""
    from ledger.corpus import ingest_document, read_document
    from ledger.store import Ledger

    led = Ledger(workspace / "ledger.db")
    ingest_document(led, read_document(workspace / "corpus" / SEED_A), ingested_by="t")
    yield led
    led.close()


def span_in(ledger, quote: str = NATO_QUOTE):
    """The span of ``quote`` in the ledger's (first) source."""
    from ledger.spans import find_span

    src = ledger.one("SELECT id, text FROM sources")
    assert src is not None
    return find_span(src["id"], src["text"], quote)


@pytest.fixture
def published(seeded, workspace):
    """A ledger with the seed claims, an edit, a verdict and three conflicting figures, served
    by Datasette (``ds``) with the claim IDs it made."""
    nato = add_nato(seeded).output.strip()
    add_kremlin(seeded, nato)
    seeded("verdict", nato, "unverified")
    figures = {}
    for source, quote, actor, claim in [
        (SEED_A, "close to 11,000 North Korean infantry troops are currently training in eastern Russia",
         "Ukraine’s Defense Intelligence", "Close to 11,000 North Korean troops train in Russia."),
        (SEED_A, "around 1,500 North Korean soldiers have already been sent to aid Russian forces",
         "South Korea’s intelligence agency", "Around 1,500 North Korean troops were sent to Russia."),
        (SEED_B, "North Korea’s deployment of about 3,000 troops to Russia", "Sen. Ben Cardin",
         "North Korea deployed about 3,000 troops to Russia."),
    ]:  # fmt: skip
        figures[actor] = seeded("add", "--source", f"corpus/{source}", "--quote", quote,
                                "--claim", claim, "--actor", actor, "--stance", "asserted").output.strip()  # fmt: skip
    seeded(
        "edit",
        nato,
        "--claim",
        "North Korean soldiers are fighting against Ukraine.",
        "--reason",
        "x",
    )
    ds = make_datasette(str(workspace / "ledger.db"))
    return {"ds": ds, "nato": nato, "figures": figures, "run": seeded}


def get(ds, path):
    """A page through Datasette's own test client."""
    return asyncio.run(ds.client.get(path))


def spawn_review(workspace: Path, **env: str):
    """`factledger review --all` in a pseudo-terminal (pexpect), as a reviewer at a terminal."""
    import os
    import sys

    import pexpect

    full = {**os.environ, "TERM": "xterm", "FACTLEDGER_REVIEWER": "pty-reviewer", **env}
    full.pop("NO_COLOR", None)
    cli = str(Path(sys.executable).with_name("factledger"))
    return pexpect.spawn(cli, ["review", "--all"], cwd=str(workspace), env=full,
                         encoding="utf-8", timeout=20, dimensions=(50, 200))  # fmt: skip
