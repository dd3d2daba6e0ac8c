"""Stances proposed on another proposal attach to the claim it became when accepted."""

from __future__ import annotations

import json


def _accept_all(run, *extra):
    for p in json.loads(run("proposals", "--json").output):
        r = run("decide", p["id"], "accept", *extra)
        assert r.exit_code == 0, r.output


def test_seed_denial_and_non_verification_attach_to_the_deployment_claim(seeded):
    assert seeded("propose", "--all").exit_code == 0
    proposals = json.loads(seeded("proposals", "--json").output)
    linked = [p for p in proposals if p.get("stance_on")]
    assert linked, "the offline proposer links stances on the seeds"
    # Stored with the proposal, as is whether it has anything to check.
    flagged = [p for p in proposals if p["checkable"] == 0]
    assert flagged and all(p["checkable"] in (0, 1) for p in proposals)
    assert "[not checkable]" in seeded("proposals").output
    _accept_all(seeded)
    claims = json.loads(seeded("claims", "--json").output)
    deployment = [c for c in claims if "1,500" in c["text"]]
    assert len(deployment) == 1, [c["text"] for c in claims]
    summary = deployment[0]["stance_summary"]
    assert summary.startswith("asserted by South Korea’s intelligence agency")
    assert "unconfirmed by Pentagon" in summary and "denied by Kremlin (Dmitry Peskov)" in summary
    # No second claim with the same wording was made for the linked stances.
    texts = [c["text"] for c in claims]
    assert len(texts) == len(set(texts))
    assert seeded("verify").exit_code == 0


def test_detach_makes_a_linked_stance_a_claim_of_its_own(seeded):
    assert seeded("propose", "--all").exit_code == 0
    proposals = json.loads(seeded("proposals", "--json").output)
    linked = next(p for p in proposals if p.get("stance_on"))
    r = seeded("decide", linked["stance_on"], "accept", "--json")
    target_claim = json.loads(r.output)["claim_id"]
    r = seeded("decide", linked["id"], "accept", "--detach", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["claim_id"] != target_claim
