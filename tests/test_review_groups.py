"""Review shows a claim proposal with its linked stance proposals and decides them together."""

from __future__ import annotations

import json

import pexpect
import yaml

from tests.conftest import spawn_review

DEPLOYMENT = "1,500 North Korean"


def _proposed(seeded):
    assert seeded("propose", "--all").exit_code == 0
    proposals = json.loads(seeded("proposals", "--json").output)
    head = next(p for p in proposals if DEPLOYMENT in p["claim"] and not p.get("stance_on"))
    linked = [p for p in proposals if p.get("stance_on") == head["id"]]
    return proposals, head, linked


def _to_deployment_card(child):
    """Skip cards until the deployment claim's card, with its stances listed."""
    while True:
        i = child.expect([r"Claim:  [^\r\n]*1,500 North Korean", r"\[a/e/r/s/m/u/q/\?\] "])
        if i == 0:
            child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
            return
        child.send("s")


def _deployment_claims(seeded):
    claims = json.loads(seeded("claims", "--json").output)
    return [c for c in claims if DEPLOYMENT in c["text"]]


def test_card_lists_linked_stances_and_a_accepts_one_claim_with_three_stance_events(
    seeded, workspace
):
    _, head, linked = _proposed(seeded)
    assert len(linked) == 2
    child = spawn_review(workspace)
    _to_deployment_card(child)
    text = child.before
    assert "1. unconfirmed by Pentagon" in text and "denied by Kremlin" in text
    assert "Summary: asserted by South Korea’s intelligence agency; unconfirmed by Pentagon" in text
    child.send("a")
    child.expect("with 3 stance events")
    child.send("q")
    child.expect(pexpect.EOF)
    claims = _deployment_claims(seeded)
    assert len(claims) == 1
    shown = json.loads(seeded("show", claims[0]["id"], "--json").output)
    assert len(shown["stance_events"]) == 3
    # The linked stances were decided with their claim: they get no cards of their own.
    r = seeded("decide", linked[0]["id"], "reject")
    assert r.exit_code != 0 and "already decided" in r.output


def test_x_rejects_one_stance_and_d_detaches_another(seeded, workspace):
    _, head, linked = _proposed(seeded)
    child = spawn_review(workspace)
    _to_deployment_card(child)
    child.send("x")
    child.expect("Which stance")
    child.sendline("1")
    child.expect(r"\[REJECT\]")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("a")
    child.expect("with 2 stance events")
    child.send("q")
    child.expect(pexpect.EOF)
    claims = _deployment_claims(seeded)
    assert len(claims) == 1
    assert len(json.loads(seeded("show", claims[0]["id"], "--json").output)["stance_events"]) == 2


def test_detach_makes_a_separate_claim_and_u_undoes_the_whole_group(seeded, workspace):
    _, head, linked = _proposed(seeded)
    before = len(json.loads(seeded("claims", "--json").output))
    child = spawn_review(workspace)
    _to_deployment_card(child)
    child.send("d")
    child.expect("Which stance")
    child.sendline("2")
    child.expect(r"\[DETACH")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("a")
    child.expect("with 2 stance events")
    child.expect(r"\] ")
    after = json.loads(seeded("claims", "--json").output)
    assert len(after) == before + 2  # the deployment claim and the detached stance's own claim
    child.send("u")
    child.expect(r"the whole group: 3 decisions undone")
    child.send("q")
    child.expect(pexpect.EOF)
    # Nothing is deleted: both claims the group made are retracted, and all three pending again.
    assert {c["status"] for c in json.loads(seeded("claims", "--json").output)} == {"retracted"}
    r = seeded("decide", head["id"], "reject")
    assert r.exit_code == 0, r.output


def test_rejecting_the_claim_gives_its_stances_cards_of_their_own(seeded, workspace):
    _, head, linked = _proposed(seeded)
    child = spawn_review(workspace)
    _to_deployment_card(child)
    child.send("r")
    child.expect("Reason")
    child.sendline("")
    child.expect(r"rejected|reject: ")
    child.expect(r"Stance: unconfirmed by Pentagon")
    child.expect(r"\[a/e/r/s/m/u/q/\?\] ")
    child.send("a")
    child.expect("accept: FL-")
    child.send("q")
    child.expect(pexpect.EOF)
    # Accepted on its own, the Pentagon's stance is a claim of its own, without the NIS assertion.
    [own] = _deployment_claims(seeded)
    assert own["stance_summary"] == "unconfirmed by Pentagon"
    assert any(
        "Pentagon" in c["stance_summary"] for c in json.loads(seeded("claims", "--json").output)
    )


def _file_with_deployment(seeded, workspace, *stance_decisions):
    _, head, linked = _proposed(seeded)
    assert seeded("review", "--all", "--export", "reviews/batch.yaml").exit_code == 0
    path = workspace / "reviews" / "batch.yaml"
    data = yaml.safe_load(path.read_text())
    ids = [i["proposal"] for i in data["items"]]
    assert not {p["id"] for p in linked} & set(ids), "linked stances are nested, not items"
    item = next(i for i in data["items"] if i["proposal"] == head["id"])
    assert [s["proposal"] for s in item["stances"]] == [p["id"] for p in linked]
    assert [s["actor"] for s in item["stances"]][0] == "Pentagon"
    item["decision"] = "accept"
    for s, d in zip(item["stances"], stance_decisions, strict=False):
        s["decision"] = d
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return data


def test_review_file_nests_stances_and_accepts_one_claim_with_three_stance_events(
    seeded, workspace
):
    data = _file_with_deployment(seeded, workspace)
    assert any(i.get("not_checkable") for i in data["items"])
    first = json.loads(seeded("review", "--apply", "reviews/batch.yaml", "--json").output)
    [claim] = _deployment_claims(seeded)
    assert len(json.loads(seeded("show", claim["id"], "--json").output)["stance_events"]) == 3
    again = json.loads(seeded("review", "--apply", "reviews/batch.yaml", "--json").output)
    assert again["applied"] == [] and again["skipped"] == len(first["applied"])
    assert len(_deployment_claims(seeded)) == 1


def test_review_file_rejects_one_stance_and_detaches_another(seeded, workspace):
    _file_with_deployment(seeded, workspace, "reject", "detach")
    r = seeded("review", "--apply", "reviews/batch.yaml", "--json")
    assert r.exit_code == 0, r.output
    claims = _deployment_claims(seeded)
    head = next(c for c in claims if c["stance_summary"].startswith("asserted"))
    assert len(json.loads(seeded("show", head["id"], "--json").output)["stance_events"]) == 1
    # The detached denial is a claim of its own; the rejected non-verification is on neither.
    own = [c for c in claims if c is not head]
    assert len(own) == 1 and own[0]["stance_summary"].startswith("denied by Kremlin")
    assert "Pentagon" not in head["stance_summary"] + own[0]["stance_summary"]


def test_review_file_with_a_bad_stance_decision_applies_nothing(seeded, workspace):
    _file_with_deployment(seeded, workspace, "maybe")
    r = seeded("review", "--apply", "reviews/batch.yaml")
    assert r.exit_code != 0 and "stances.0.decision" in r.output
    assert json.loads(seeded("claims", "--json").output) == []


def test_help_names_the_stance_keys_and_opinions_are_flagged_on_their_card(seeded, workspace):
    proposals, _, _ = _proposed(seeded)
    assert any(p["checkable"] == 0 and not p.get("stance_on") for p in proposals)
    child = spawn_review(workspace)
    _to_deployment_card(child)
    child.send("?")
    child.expect("x N reject stance N · d N detach stance N")
    child.expect(r"\[a/e/r/s/m/x/d/u/q/\?\] ")
    child.send("q")
    child.expect(pexpect.EOF)
    child = spawn_review(workspace)
    while True:  # skip cards until one is flagged; the queue must hold one
        i = child.expect(
            [r"\[not checkable \(opinion/forecast\)\]", r"/q/\?\] ", "End of the queue"]
        )
        assert i != 2, "no card flagged not checkable"
        if i == 0:
            break
        child.send("s")
    child.send("q")
    child.expect(pexpect.EOF)
