"""Shared fixtures: an isolated workspace with the seed corpus and a fresh ledger database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED_A = "000_e74a1e7ff637e6bf.txt"  # Turner / NATO / Pentagon / Kremlin
SEED_B = "003_b91633ba81768c00.txt"  # Washington Times / Cardin


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
