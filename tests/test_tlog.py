"""The transparency log from the command line: keygen, checkpoint, prove, verify-proof."""

from __future__ import annotations

import json
import sqlite3

import pytest

from ledger import merkle, tree
from tests.conftest import SEED_A

QUOTE = "current information does not confirm the active engagement of North Korean soldiers"


@pytest.fixture
def logged(seeded, workspace, monkeypatch):
    """A ledger with one claim, a signing key and a first signed checkpoint."""
    monkeypatch.setenv("FACTLEDGER_ORIGIN", "factcheck.example.org/ledger")
    run = seeded
    r = run(
        "add", "--source", f"corpus/{SEED_A}", "--quote", QUOTE,
        "--claim", "North Korean soldiers are actively engaged in the war against Ukraine.",
        "--actor", "NATO (Mark Rutte)", "--stance", "unconfirmed",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    claim_id = json.loads(run("claims", "--json").output)[0]["id"]
    r = run("keygen", "factcheck.example.org", "-o", "key.txt")
    assert r.exit_code == 0, r.output
    (workspace / "verifier.txt").write_text(r.output)
    r = run("checkpoint", "--key", "key.txt")
    assert r.exit_code == 0, r.output
    (workspace / "cp1.txt").write_text(r.output)
    return run, claim_id


def test_checkpoint_is_a_signed_note_of_the_ledger(logged, workspace):
    run, _ = logged
    note = (workspace / "cp1.txt").read_text()
    origin, size, root_b64 = note.split("\n\n")[0].splitlines()
    assert origin == "factcheck.example.org/ledger"
    conn = sqlite3.connect(workspace / "ledger.db")
    entries = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
    # The checkpoint covers every entry before its own row, which the ledger then records.
    assert int(size) == entries - 1
    assert conn.execute("SELECT tree_size, note FROM checkpoints").fetchone() == (int(size), note)
    import base64

    assert base64.b64decode(root_b64) == tree.recomputed_root(conn, int(size))[1]
    assert run("verify").exit_code == 0


def test_a_proof_verifies_offline_and_fails_when_altered(logged, workspace):
    run, claim_id = logged
    r = run("prove", claim_id, "--json")
    assert r.exit_code == 0, r.output
    proof = json.loads(r.output)
    tables = sorted(p["table"] for p in proof["proofs"])
    assert tables == ["claim_versions", "claims", "stance_events"]
    (workspace / "proof.json").write_text(r.output)
    args = ["--checkpoint", "cp1.txt", "--key", "verifier.txt"]
    r = run("verify-proof", "proof.json", *args)
    assert r.exit_code == 0 and r.output.startswith("ok: 3 entries of"), r.output

    first = proof["proofs"][0]
    for field, value in [
        ("entry", first["entry"][:-1] + ',"reviewer":"someone else"}'),
        (
            "inclusion_path",
            [("0" if h[0] != "0" else "1") + h[1:] for h in first["inclusion_path"]],
        ),
        ("leaf_index", first["leaf_index"] + 1),
    ]:
        bad = json.loads(json.dumps(proof))
        bad["proofs"][0][field] = value
        (workspace / "bad.json").write_text(json.dumps(bad))
        r = run("verify-proof", "bad.json", *args)
        assert r.exit_code == 1 and r.output.startswith("Error: "), (field, r.output)
        assert "Traceback" not in r.output

    # A checkpoint note changed by one byte, or checked with another key, fails.
    note = (workspace / "cp1.txt").read_text()
    origin, size, rest = note.split("\n", 2)
    (workspace / "cp-bad.txt").write_text(f"{origin}\n{int(size) + 1}\n{rest}")
    r = run("verify-proof", "proof.json", "--checkpoint", "cp-bad.txt", "--key", "verifier.txt")
    assert r.exit_code == 1
    other = run("keygen", "factcheck.example.org", "-o", "other.txt").output.strip()
    r = run("verify-proof", "proof.json", "--checkpoint", "cp1.txt", "--key", other)
    assert r.exit_code == 1 and "no signature by factcheck.example.org" in r.output


def test_a_tampered_entry_fails_its_proof_against_the_earlier_checkpoint(logged, workspace):
    run, claim_id = logged
    conn = sqlite3.connect(workspace / "ledger.db")
    conn.isolation_level = None
    # An attacker with the file rewrites a claim and every hash after it, tree included.
    seq = conn.execute("SELECT seq FROM claim_versions").fetchone()[0]
    conn.execute("DROP TRIGGER claim_versions_no_update")
    conn.execute("UPDATE claim_versions SET hash = ? WHERE seq = ?", ["ab" * 32, seq])
    conn.execute("DELETE FROM merkle_nodes")
    conn.execute("BEGIN")
    tree.catch_up(conn)
    conn.execute("COMMIT")
    r = run("prove", claim_id, "--checkpoint", "cp1.txt")
    assert r.exit_code == 1 and "were changed since it was signed" in r.output
    r = run("verify", "--quick", "--checkpoint", "cp1.txt")
    assert r.exit_code == 1


def test_verify_checkpoint_proves_the_ledger_extends_it_and_catches_truncation(logged, workspace):
    run, claim_id = logged
    assert run("verdict", claim_id, "unverified", "--note", "No confirmation yet.").exit_code == 0
    r = run("verify", "--checkpoint", "cp1.txt", "--json")
    assert r.exit_code == 0, r.output
    extends = json.loads(r.output)["extends_checkpoint"]
    conn = sqlite3.connect(workspace / "ledger.db")
    old = int((workspace / "cp1.txt").read_text().split("\n")[1])
    new = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
    assert (extends["old_size"], extends["new_size"]) == (old, new)
    import base64

    old_root = tree.recomputed_root(conn, old)[1]
    path = [bytes.fromhex(h) for h in extends["consistency_path"]]
    assert merkle.verify_consistency(
        old, new, old_root, base64.b64decode(extends["new_root"]), path
    )
    # Truncated back before the checkpoint: refused.
    conn.isolation_level = None
    for t in ("ledger_entries",):
        conn.execute(f"DROP TRIGGER {t}_no_delete")
    conn.execute("DELETE FROM ledger_entries WHERE seq > ?", [old - 2])
    r = run("verify", "--quick", "--checkpoint", "cp1.txt")
    assert r.exit_code == 1


def test_keygen_never_overwrites_and_bad_keys_are_one_line(logged, workspace):
    run, _ = logged
    r = run("keygen", "factcheck.example.org", "-o", "key.txt")
    assert r.exit_code == 1 and "key.txt exists" in r.output
    (workspace / "junk.txt").write_text("not a key\n")
    r = run("checkpoint", "--key", "junk.txt")
    assert r.exit_code == 1 and r.output.startswith("Error: private key")
    r = run("prove", "FL-ZZZZZZ")
    assert r.exit_code == 1 and "no claim FL-ZZZZZZ" in r.output


def test_a_claim_page_json_is_checked_offline_with_the_published_key(logged, workspace):
    run, claim_id = logged
    from ledger.publish.serve import make_datasette
    from tests.conftest import get

    ds = make_datasette(str(workspace / "ledger.db"))
    page = get(ds, f"/claims/{claim_id}.json").json()
    assert page["transparency"]["verifier"] == (workspace / "verifier.txt").read_text().strip()
    (workspace / "page.json").write_text(json.dumps(page))
    r = run("verify-proof", "page.json", "--key", "verifier.txt")
    assert r.exit_code == 0 and r.output.startswith("ok: 3 entries"), r.output
    page["transparency"]["proofs"][0]["inclusion_path"] = "zz"
    (workspace / "page.json").write_text(json.dumps(page))
    r = run("verify-proof", "page.json", "--key", "verifier.txt")
    assert r.exit_code == 1 and "the proof is malformed" in r.output


def test_cite_quotes_the_latest_signed_checkpoint(logged):
    run, claim_id = logged
    out = run("cite", claim_id, "--format", "text").output
    assert "signed checkpoint factcheck.example.org/ledger " in out
    data = json.loads(run("cite", claim_id, "--format", "json").output)
    assert data["checkpoint"]["origin"] == "factcheck.example.org/ledger"


def test_publish_puts_the_checkpoint_and_key_in_the_bundle(logged, workspace):
    run, claim_id = logged
    r = run("publish", "--out", "site")
    assert r.exit_code == 0, r.output
    site = workspace / "site"
    assert (site / "checkpoint.txt").read_text() == (workspace / "cp1.txt").read_text()
    assert (site / "verifier.txt").read_text() == (workspace / "verifier.txt").read_text()
    assert "factledger verify-proof" in (site / "README.md").read_text()
    r = run("prove", claim_id, "--json")
    (workspace / "proof.json").write_text(r.output)
    args = ["--checkpoint", "site/checkpoint.txt", "--key", "site/verifier.txt"]
    assert run("verify-proof", "proof.json", *args).exit_code == 0
