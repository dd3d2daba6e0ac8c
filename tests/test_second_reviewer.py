"""The second-reviewer rule: verdicts, retractions and supersessions wait for another reviewer."""

from __future__ import annotations

import json

from tests.conftest import add_nato


def _claim(run) -> str:
    r = add_nato(run, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["id"]


def _show(run, cid):
    return json.loads(run("show", cid, "--json").output)


def test_a_verdict_waits_for_a_different_reviewer(seeded):
    cid = _claim(seeded)
    assert seeded("config", "require_second_reviewer", "true").exit_code == 0
    r = seeded("verdict", cid, "refuted", "--note", "NATO says so", "--reviewer", "ana", "--json")
    assert r.exit_code == 0, r.output
    hold = json.loads(r.output)["pending"]
    shown = _show(seeded, cid)
    assert shown["verdict"] == "unreviewed" and [h["id"] for h in shown["pending"]] == [hold]
    assert "Pending: verdict refuted by ana" in seeded("show", cid).output
    # The same reviewer cannot be the second one: still pending.
    r = seeded("confirm", hold, "--reviewer", "ana")
    assert r.exit_code == 1 and "second, different reviewer" in r.output
    assert _show(seeded, cid)["verdict"] == "unreviewed"
    r = seeded("confirm", hold, "--reviewer", "ben")
    assert r.exit_code == 0, r.output
    shown = _show(seeded, cid)
    assert shown["verdict"] == "refuted" and shown["pending"] == []
    assert shown["verdicts"][-1]["reviewer"] == "ana"
    assert seeded("confirm", hold, "--reviewer", "chen").exit_code == 1  # once only
    assert seeded("verify").exit_code == 0


def test_retraction_and_supersession_are_held_too(seeded):
    cid = _claim(seeded)
    other = json.loads(
        seeded("add", "--source", "corpus/000_e74a1e7ff637e6bf.txt", "--quote",
               "Kremlin spokesman Dmitry Peskov dismissed these reports", "--claim",
               "The Kremlin dismissed the reports.", "--actor", "Kremlin", "--stance", "denied",
               "--json").output
    )["id"]  # fmt: skip
    seeded("config", "require_second_reviewer", "yes")
    r = seeded("supersede", cid, other, "--reason", "newer", "--reviewer", "ana")
    assert r.exit_code == 0 and "pending until a second reviewer" in r.output
    assert _show(seeded, cid)["status"] == "active"
    hold = _show(seeded, cid)["pending"][0]["id"]
    assert seeded("confirm", hold, "--reviewer", "ben").exit_code == 0
    assert _show(seeded, cid)["superseded_by"] == other
    r = seeded("retract", other, "--reason", "wrong", "--reviewer", "ben")
    assert _show(seeded, other)["status"] == "active"
    seeded("config", "require_second_reviewer", "false")
    assert seeded("retract", other, "--reason", "wrong").exit_code == 0
    assert _show(seeded, other)["status"] == "retracted"


def test_the_verdict_flag_asks_for_a_second_reviewer_without_the_setting(seeded):
    cid = _claim(seeded)
    r = seeded("verdict", cid, "supported", "--second-reviewer", "--reviewer", "ana")
    assert r.exit_code == 0 and "factledger confirm" in r.output
    assert _show(seeded, cid)["verdict"] == "unreviewed"
    assert seeded("verdict", cid, "mixed").exit_code == 0  # the setting is off: at once
    assert _show(seeded, cid)["verdict"] == "mixed"


def test_config_refuses_unknown_names_and_values(seeded):
    r = seeded("config", "require_second", "true")
    assert r.exit_code == 1 and "unknown setting" in r.output
    r = seeded("config", "require_second_reviewer", "maybe")
    assert r.exit_code == 1 and "true or false" in r.output
    assert "require_second_reviewer = false" in seeded("config").output


def test_the_claim_page_shows_a_pending_verdict(seeded, workspace):
    from ledger.publish.serve import make_datasette
    from tests.conftest import get

    cid = _claim(seeded)
    seeded("verdict", cid, "mostly supported", "--second-reviewer", "--reviewer", "ana")
    ds = make_datasette(str(workspace / "ledger.db"))
    html = get(ds, f"/claims/{cid}").text
    assert "Pending:</strong> verdict mostly supported by ana" in html
