import json

from ledger.ids import ALPHABET, CLAIM_RE
from tests.conftest import KREMLIN_QUOTE, NATO_QUOTE, SEED_A, SEED_B, add_kremlin, add_nato


def test_add_nato_and_kremlin_show_and_verify(seeded):
    nato = add_nato(seeded)
    assert nato.exit_code == 0, nato.output
    cid = nato.output.strip()
    assert CLAIM_RE.match(cid)
    assert not set(cid[3:]) - set(ALPHABET)
    kremlin = add_kremlin(seeded, cid)
    assert kremlin.exit_code == 0, kremlin.output
    shown = seeded("show", cid)
    assert "unconfirmed by NATO (Mark Rutte)" in shown.output
    assert "denied by Kremlin (Dmitry Peskov)" in shown.output
    assert f"“{NATO_QUOTE}”" in shown.output
    data = json.loads(seeded("show", cid, "--json").output)
    assert (
        data["stance_summary"]
        == "unconfirmed by NATO (Mark Rutte); denied by Kremlin (Dmitry Peskov)"
    )
    span = data["stance_events"][1]
    assert span["quote"] == KREMLIN_QUOTE
    verified = seeded("verify")
    assert verified.exit_code == 0 and verified.output.startswith("ok: ")


def test_add_json_returns_claim_with_id(seeded):
    data = json.loads(add_nato(seeded, "--json", "--verdict", "unverified").output)
    assert CLAIM_RE.match(data["id"])
    assert data["verdict"] == "unverified"
    assert data["span"]["quote"] == NATO_QUOTE
    assert data["versions"][0]["reviewer"] == "test-reviewer"


def test_quote_not_in_source_refused_with_nearest_passage(seeded):
    result = seeded(
        "add",
        "--source",
        f"corpus/{SEED_A}",
        "--quote",
        "current information does confirm the engagement",
        "--claim",
        "Something happened here.",
        "--actor",
        "NATO",
        "--stance",
        "confirmed",
    )
    assert result.exit_code == 1
    assert "quote not found" in result.output and "nearest passage" in result.output
    assert "current information does not confirm the active" in result.output
    assert json.loads(seeded("claims", "--json").output) == []


def test_ambiguous_quote_needs_occurrence(seeded):
    args = [
        "add",
        "--source",
        f"corpus/{SEED_B}",
        "--quote",
        "Mr. Cardin said",
        "--claim",
        "North Korea deployed about 3,000 troops to Russia.",
        "--actor",
        "Sen. Ben Cardin",
        "--stance",
        "asserted",
    ]
    result = seeded(*args)
    assert result.exit_code == 1 and "--occurrence" in result.output
    ok = seeded(*args, "--occurrence", "2", "--json")
    assert ok.exit_code == 0, ok.output
    span = json.loads(ok.output)["span"]
    text = open(f"corpus/{SEED_B}", encoding="utf-8").read()
    second = text.find("Mr. Cardin said", text.find("Mr. Cardin said") + 1)
    assert (span["start"], span["quote"]) == (second, "Mr. Cardin said")


def test_unknown_stance_and_source(seeded):
    bad = add_nato(seeded, "--verdict", "probably")
    assert bad.exit_code == 1 and "unknown verdict" in bad.output
    r = seeded(
        "add",
        "--source",
        "nowhere.txt",
        "--quote",
        "x",
        "--claim",
        "Some claim.",
        "--actor",
        "A",
        "--stance",
        "asserted",
    )
    assert r.exit_code == 1 and "no source 'nowhere.txt'" in r.output
    r = seeded(
        "add",
        "--source",
        f"corpus/{SEED_A}",
        "--quote",
        NATO_QUOTE,
        "--claim",
        "Some claim.",
        "--actor",
        "A",
        "--stance",
        "rumoured",
    )
    assert r.exit_code == 1 and "unknown stance 'rumoured'" in r.output


def test_edit_makes_new_version_and_at_n_names_it(seeded):
    cid = add_nato(seeded).output.strip()
    r = seeded(
        "edit", cid, "--claim", "North Korean troops are fighting Ukraine.", "--reason", "shorter"
    )
    assert r.output.strip() == f"{cid}@2"
    v1 = json.loads(seeded("show", f"{cid}@1", "--json").output)
    v2 = json.loads(seeded("show", cid, "--json").output)
    assert v1["text"].startswith("North Korean soldiers are actively")
    assert v2["text"] == "North Korean troops are fighting Ukraine."
    assert v2["current_version"] == 2 and len(v2["versions"]) == 2
    missing = seeded("show", f"{cid}@3")
    assert missing.exit_code == 1 and "no version 3" in missing.output


def test_retract_and_supersede(seeded):
    a = add_nato(seeded).output.strip()
    b = add_nato(seeded).output.strip()
    assert seeded("supersede", a, b, "--reason", "duplicate").exit_code == 0
    assert json.loads(seeded("show", a, "--json").output)["superseded_by"] == b
    assert seeded("retract", b, "--reason", "source withdrew it").exit_code == 0
    assert json.loads(seeded("show", b, "--json").output)["status"] == "retracted"
    again = seeded("retract", b, "--reason", "twice")
    assert again.exit_code == 1 and "already retracted" in again.output
    # A withdrawn claim is not edited: the refusal says what to do, and writes nothing.
    head = seeded("head").output
    edit = seeded("edit", b, "--claim", "Troops are fighting.", "--reason", "x")
    assert (
        edit.exit_code == 1
        and f"{b} is retracted" in edit.output
        and "factledger add" in edit.output
    )
    edit = seeded("edit", a, "--claim", "Troops are fighting.", "--reason", "x")
    assert edit.exit_code == 1 and f"{a} is superseded by {b}: edit that claim" in edit.output
    assert seeded("head").output == head


def test_bad_claim_id(seeded):
    r = seeded("show", "FL-0OIL11")
    assert r.exit_code == 1 and "is not a claim ID" in r.output
    r = seeded("show", "FL-222222")
    assert r.exit_code == 1 and "no claim FL-222222" in r.output


def test_reviewer_identity_precedence(seeded, monkeypatch):
    monkeypatch.setenv("FACTLEDGER_REVIEWER", "env-person")
    data = json.loads(add_nato(seeded, "--json").output)
    assert data["created_by"] == "env-person"
    data = json.loads(add_nato(seeded, "--json", "--reviewer", "flag-person").output)
    assert data["created_by"] == "flag-person"


def test_missing_db_for_reading(run):
    r = run("--db", "absent.db", "claims")
    assert r.exit_code == 1 and "no ledger at absent.db" in r.output


def test_log_lists_newest_entries_first(seeded):
    cid = add_nato(seeded).output.strip()
    rows = json.loads(seeded("log", "--json", "-n", "3").output)
    assert [r["table"] for r in rows] == ["stance_events", "claim_versions", "claims"]
    assert rows[2]["row_id"] == cid and rows[1]["row_id"] == f"{cid}@1"
    assert rows[0]["prev_hash"] == rows[1]["hash"]
    head = json.loads(seeded("head", "--json").output)
    assert head["head"] == rows[0]["hash"] and head["entries"] == rows[0]["seq"]
