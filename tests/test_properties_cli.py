"""Property-based tests (hypothesis) for ingest, add --quote, show and cite on hostile input.

Whatever the file, quote or claim ID: no traceback (the CLI runner re-raises any), exit code 0, 1
or 2 only, and nothing written when the command refuses.
"""

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SEED_A, add_nato

BOUNDED = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.sampled_from(
    ["\x00", "\x1b[8m", "\u202e", "\ufeff", "\r\n", "\x85", "---\n", "title: [", "<html>", "\udcff"]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), NASTY), max_size=8).map("".join)


def _head(workspace):
    db = workspace / "ledger.db"
    if not db.exists():
        return None
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT max(seq) FROM ledger_entries").fetchone()[0]
    finally:
        conn.close()


@BOUNDED
@given(
    body=st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    suffix=st.sampled_from([".txt", ".md", ".html", ".pdf", ".bin"]),
)
def test_ingest_any_file(seeded, workspace, body, suffix):
    path = workspace / f"hostile{suffix}"
    path.write_bytes(body)
    before = _head(workspace)
    r = seeded("ingest", str(path))
    assert r.exit_code in (0, 1), r.output
    if r.exit_code == 1:
        assert r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1
        assert _head(workspace) == before  # refused: nothing written
    path.unlink()


@BOUNDED
@given(quote=TEXT, claim=TEXT)
def test_add_any_quote_and_claim(seeded, workspace, quote, claim):
    before = _head(workspace)
    r = seeded("add", "--source", f"corpus/{SEED_A}", "--quote", quote, "--claim", claim,
               "--actor", "NATO", "--stance", "unconfirmed")  # fmt: skip
    assert r.exit_code in (0, 1, 2), r.output
    if r.exit_code:
        assert _head(workspace) == before


@BOUNDED
@given(
    ref=st.one_of(
        TEXT,
        st.text("FLfl-0123456789ABCDEFGHJKMNPQRSTUVWXYZO@ ", max_size=14),
        st.integers(0, 10**6).map(lambda n: f"FL-222222@{n}"),
    ),
    fmt=st.sampled_from(["markdown", "text", "json"]),
)
def test_show_and_cite_any_claim_id(seeded, workspace, ref, fmt):
    add_nato(seeded)
    before = _head(workspace)
    for args in (["show", ref], ["cite", ref, "--format", fmt]):
        r = seeded(*args)
        assert r.exit_code in (0, 1, 2), (args, r.output)
    assert _head(workspace) == before  # reading never writes
