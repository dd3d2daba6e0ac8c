"""Reading commands as a careful reader uses them: source text to copy quotes from, proposals
with their state, claims filtered, a verdict's note, and a log that says who did what."""

import json

from tests.conftest import KREMLIN_QUOTE, SEED_A, SEED_B, add_kremlin, add_nato


def test_source_prints_numbered_lines_and_grep_offsets_to_copy_from(seeded):
    text = open(f"corpus/{SEED_A}", encoding="utf-8").read()
    r = seeded("source", f"corpus/{SEED_A}")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("src-") and f"corpus/{SEED_A}" in lines[0]
    assert lines[1] == " 1  " + text.split("\n")[0]
    r = seeded("source", f"corpus/{SEED_A}", "--grep", "kremlin SPOKESMAN dmitry peskov")
    assert r.exit_code == 0, r.output
    start = text.index(KREMLIN_QUOTE)
    assert f"characters {start}-{start + 31}: “Kremlin spokesman Dmitry Peskov”" in r.output
    assert "17  In contrast, Kremlin spokesman" in r.output
    assert len(r.output.splitlines()) == 3  # heading, the one line, its match
    # Straight quotes find the source's curly ones, and show them to copy.
    sid = lines[0].split()[0]
    data = json.loads(seeded("source", sid, "--grep", "Ukraine's Defense", "--json").output)
    (m,) = data["matches"]
    assert m["quote"] == "Ukraine’s Defense" == text[m["start"] : m["end"]]
    assert [x["line"] for x in data["lines"]] == [m["line"]] == [5]
    # What the reviewer copied goes in as is.
    ok = seeded("add", "--source", sid, "--quote", m["quote"], "--claim",
                "Ukraine's Defense Intelligence reported on the troops.", "--actor", "Ukraine",
                "--stance", "asserted")  # fmt: skip
    assert ok.exit_code == 0 and "note:" not in ok.output


def test_source_refuses_unknown_source_and_missing_words_in_one_line(seeded):
    r = seeded("source", "nowhere.txt")
    assert r.exit_code == 1 and "no source 'nowhere.txt'" in r.output
    r = seeded("source", f"corpus/{SEED_A}", "--grep", "Kremlin spokesperson")
    assert r.exit_code == 1 and r.output.count("\n") == 1
    assert "is not in source" in r.output and 'Kremlin spokesman Dmitry"' in r.output


def _proposals(run, *args):
    return json.loads(run("proposals", "--json", *args).output)


def test_proposals_show_and_filter_by_state(seeded):
    assert seeded("propose", "--all").exit_code == 0
    ps = _proposals(seeded)
    assert {p["state"] for p in ps} == {"pending"}
    a, b, c, d = (p["id"] for p in ps[:4])
    claim = seeded("decide", a, "accept", "--json")
    cid = json.loads(claim.output)["claim_id"]
    assert seeded("decide", b, "reject", "--reason", "not a claim").exit_code == 0
    assert seeded("decide", c, "merge", "--into", cid).exit_code == 0
    assert (
        seeded("decide", d, "accept", "--claim", "North Korean troops moved by ship.").exit_code
        == 0
    )
    states = {p["id"]: (p["state"], p["claim_id"]) for p in _proposals(seeded)}
    assert states[a] == ("accepted", cid) and states[b] == ("rejected", None)
    assert states[c] == ("merged", cid) and states[d][0] == "edited"
    out = seeded("proposals").output
    assert f"{a}  accepted as {cid}" in out and f"{c}  merged into {cid}" in out
    assert f"{b}  rejected" in out
    assert [p["id"] for p in _proposals(seeded, "--state", "merged")] == [c]
    assert [p["id"] for p in _proposals(seeded, "--state", "Rejected")] == [b]
    pending = _proposals(seeded, "--state", "pending")
    assert len(pending) == len(ps) - 4 and all(p["state"] == "pending" for p in pending)
    # Undo makes the last decision's proposal pending again.
    assert seeded("review", "--all", input="u\nq\n").exit_code == 0
    assert {p["id"]: p["state"] for p in _proposals(seeded)}[d] == "pending"
    bad = seeded("proposals", "--state", "maybe")
    assert bad.exit_code == 2 and "maybe" in bad.output


def _ids(run, *args):
    return [c["id"] for c in json.loads(run("claims", "--json", *args).output)]


def test_claims_filter_by_status_actor_stance_verdict_and_source(seeded):
    nato = add_nato(seeded).output.strip()
    add_kremlin(seeded, nato)
    cardin = seeded("add", "--source", f"corpus/{SEED_B}", "--quote",
                    "North Korea’s deployment of about 3,000 troops to Russia", "--claim",
                    "North Korea deployed about 3,000 troops to Russia.", "--actor",
                    "Sen. Ben Cardin", "--stance", "asserted").output.strip()  # fmt: skip
    gone = add_nato(seeded).output.strip()
    seeded("retract", gone, "--reason", "duplicate")
    seeded("verdict", cardin, "mostly supported", "--note", "Two reports agree.")
    assert _ids(seeded) == [nato, cardin, gone]
    assert _ids(seeded, "--status", "retracted") == [gone]
    assert _ids(seeded, "--status", "active") == [nato, cardin]
    assert _ids(seeded, "--actor", "kremlin") == [nato]
    assert _ids(seeded, "--stance", "denied") == [nato]
    assert _ids(seeded, "--actor", "Kremlin", "--stance", "asserted") == []
    assert _ids(seeded, "--actor", "NATO", "--stance", "unconfirmed") == [nato, gone]
    assert _ids(seeded, "--verdict", "Mostly-Supported") == [cardin]
    assert _ids(seeded, "--verdict", "unreviewed") == [nato, gone]
    assert _ids(seeded, "--source", f"corpus/{SEED_B}") == [cardin]
    assert _ids(seeded, "--source", f"corpus/{SEED_A}", "--status", "active") == [nato]
    assert seeded("claims", "--actor", "nobody").output == "No claims match.\n"
    for args, word in ((["--status", "gone"], "unknown status"),
                       (["--verdict", "probably"], "unknown verdict"),
                       (["--stance", "rumoured"], "unknown stance"),
                       (["--source", "nowhere.txt"], "no source")):  # fmt: skip
        r = seeded("claims", *args)
        assert r.exit_code == 1 and word in r.output


def test_show_prints_the_verdict_note_and_reviewer(seeded):
    cid = add_nato(seeded).output.strip()
    seeded("verdict", cid, "unverified", "--note", "No independent confirmation yet.",
           "--reviewer", "Ana Ruiz")  # fmt: skip
    out = seeded("show", cid).output
    verdict = out[out.index("Verdict:") :].splitlines()
    assert verdict[0] == "Verdict: unverified"
    assert verdict[1].startswith("  by Ana Ruiz at 20")
    assert verdict[1].endswith(": No independent confirmation yet.")


def test_log_says_who_did_what_when(seeded):
    nato = add_nato(seeded, "--reviewer", "Ana Ruiz").output.strip()
    seeded("retract", nato, "--reason", "duplicate", "--reviewer", "Ben Ode")
    seeded("propose", "--all")
    p = json.loads(seeded("proposals", "--json").output)[0]["id"]
    accepted = json.loads(seeded("decide", p, "accept", "--json").output)["claim_id"]
    out = seeded("log", "-n", "30").output
    lines = out.splitlines()
    assert lines[0].startswith("20") and lines[0].endswith(" UTC  test-reviewer")
    assert f"accepted {p} as {accepted}" in lines[1]
    assert any(f"retracted {nato}: duplicate" in x for x in lines)
    i = next(i for i, x in enumerate(lines) if f"retracted {nato}: duplicate" in x)
    assert lines[i - 1].endswith("UTC  Ben Ode")
    assert any(f"created {nato} by hand" in x for x in lines)
    assert any("unconfirmed by NATO (Mark Rutte) on " + nato in x for x in lines)
    # Each entry keeps its number and (shortened) hash; --json keeps its fields.
    rows = json.loads(seeded("log", "--json", "-n", "30").output)
    assert set(rows[0]) == {"seq", "table", "row_id", "prev_hash", "hash"}
    assert f"#{rows[0]['seq']:<6} {rows[0]['hash'][:12]}  accepted {p}" in out
