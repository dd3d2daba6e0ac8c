"""The interactive review session: one card per proposal, one key per decision (as Prodigy).

The terminal itself (keys, colour, clearing, the highlighted passage) is in screen.py. A card
shows the passage with the quote highlighted, the quote again on its own line, the claim, "stance
by actor", the proposer and its flags, similar claims, and the progress; what the last key did is
shown at the top of the next card. A proposal anchored only fuzzily is accepted or merged only
once the reviewer confirms the source's words (or edits them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ledger.claims import status_of
from ledger.controls import describe, visible
from ledger.errors import LedgerError
from ledger.models import Stance
from ledger.review import grouping
from ledger.review.decisions import Outcome, get_proposal, pending, undo_last
from ledger.review.screen import Screen, passage
from ledger.review.settle import queue as pending_for
from ledger.review.settle import record as decide
from ledger.store import Ledger

HELP = (
    "a accept · e edit · r reject · s skip · m merge into a similar claim · u undo · q quit · "
    "? help"
)
GROUP_HELP = (
    "With stances listed under the claim: a accepts the claim and every listed stance (one "
    "claim, one stance event each) · x N reject stance N · d N detach stance N (a claim of its "
    "own) · pressing x or d again on the same N restores it · u undoes the whole group"
)


class EditForm(BaseModel):
    """What a reviewer may change in $EDITOR."""

    model_config = ConfigDict(extra="forbid")

    claim: str
    actor: str
    stance: Stance
    quote: str

    @field_validator("claim", "actor", "quote")
    @classmethod
    def _no_controls(cls, v: str) -> str:
        problem = describe(v)
        if problem:
            raise ValueError(f"has a {problem}")
        return v


@dataclass
class Summary:
    """What a review session did."""

    decided: dict[str, int] = field(default_factory=dict)
    remaining: int = 0


def edit_in_editor(p: dict[str, Any], editor: Callable[[str], str | None]) -> dict[str, str] | None:
    """Open the proposal as YAML in $EDITOR until it is valid; None if the reviewer cancels."""
    form = {k: p[k] for k in ("claim", "actor", "stance", "quote")}
    text = yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)
    error = ""
    while True:
        header = "# Edit the proposal; the quote must be the source's exact words.\n"
        if p["anchoring"] == "fuzzy":
            header += "# The quote was found only fuzzily: check it against the source.\n"
        header += "# Save an empty file to cancel.\n" + (f"# Error: {error}\n" if error else "")
        edited = editor(header + text)
        if edited is None or not edited.strip() or edited.strip() == header.strip():
            return None
        try:
            data = yaml.safe_load(edited)
            return EditForm.model_validate(data).model_dump()
        except (yaml.YAMLError, ValidationError) as e:
            error = (
                str(e).splitlines()[0]
                if isinstance(e, yaml.YAMLError)
                else (
                    "; ".join(
                        f"{'.'.join(map(str, x['loc'])) or 'form'}: {x['msg']}" for x in e.errors()
                    )
                )
            )
            text = (
                "\n".join(line for line in edited.splitlines() if not line.startswith("# ")) + "\n"
            )


class Review:
    """One review session over the pending proposals."""

    def __init__(self, ledger: Ledger, source_ids: list[str] | None, reviewer: str, screen: Screen,
                 editor: Callable[[str], str | None]):  # fmt: skip
        self.ledger, self.reviewer, self.screen, self.editor = ledger, reviewer, screen, editor
        self.source_ids = source_ids
        # In team review, the reviewer's own queue; each decision may be a vote (settle.py).
        # A claim proposal's linked stances are shown on its card, not as cards of their own.
        mine = {p["id"] for p in pending_for(ledger, reviewer, source_ids)}
        self.queue = [
            head for head, _ in grouping.grouped_queue(ledger, source_ids) if head["id"] in mine
        ]
        # Per card: what the reviewer chose for each listed stance (x reject, d detach).
        self.choices: dict[str, grouping.StanceChoice] = {}
        self.undo_sizes: list[int] = []  # decisions per step, so u undoes a group as one
        self.total = len(self.queue)
        self.texts: dict[str, dict[str, Any]] = {}
        self.summary = Summary()
        self.notices: list[tuple[str, str]] = []

    def source(self, source_id: str) -> dict[str, Any]:
        if source_id not in self.texts:
            self.texts[source_id] = (
                self.ledger.one(
                    "SELECT id, title, path, text FROM sources WHERE id = ?", [source_id]
                )
                or {}
            )
        return self.texts[source_id]

    def similar(self, claim: str) -> list[tuple[str, str, float]]:
        """Existing claims that look like the same claim: candidates from the full-text index
        (bm25, so this stays fast at any ledger size), ranked by rapidfuzz token-set ratio >= 60."""
        from rapidfuzz import fuzz, process

        words = list(dict.fromkeys(w for w in re.findall(r"\w+", claim.lower()) if len(w) > 3))
        if not words:
            return []
        rows = self.ledger.all(
            "SELECT v.claim_id, v.text FROM claim_versions_fts f "
            "JOIN claim_versions v ON v.rowid = f.rowid WHERE claim_versions_fts MATCH ? "
            "ORDER BY rank LIMIT 40",
            [" OR ".join(f'"{w}"' for w in words[:16])],
        )
        # A retracted or superseded claim is no place to merge a stance into.
        active = {
            c
            for c in {r["claim_id"] for r in rows}
            if status_of(self.ledger, c)["status"] == "active"
        }
        candidates = {r["claim_id"]: r["text"] for r in rows if r["claim_id"] in active}
        hits = process.extract(
            claim, candidates, scorer=fuzz.token_set_ratio, limit=3, score_cutoff=60
        )
        return [(key, text, score) for text, score, key in hits]

    def render(self, i: int, p: dict[str, Any]) -> list[tuple[str, str]]:
        """The card for one proposal."""
        src = self.source(p["source_id"])
        flag = "" if p["anchoring"] == "exact" else f" [{p['anchoring'].upper()}"
        flag += f" {p['anchor_score']}]" if p["anchor_score"] is not None else ("]" if flag else "")
        who = p["proposer"] + (f" {p['model']} · prompt {p['prompt_name']}" if p["model"] else "")
        title = visible(src.get("title") or src.get("path") or "", oneline=True)
        quote = visible(p["quote"], oneline=True)
        lines = [
            ("bold", f"{self.screen.progress(i, self.total)}  {p['source_id']} — {title}"),
            ("dim", visible(f"proposed by {who}{flag}", oneline=True)),
        ]
        if p["start"] is not None:
            lines.append(
                (
                    "markup" if self.screen.color else "",
                    passage(src["text"], p["start"], p["end"], self.screen.color),
                )
            )
            if p["anchoring"] == "fuzzy":
                lines.append(("bold yellow", f"Quote (found only fuzzily: check it):  “{quote}”"))
            else:
                lines.append(("bold", f"Quote:  “{quote}”"))
        else:
            lines.append(("bold red", f"UNANCHORED quote (not in the source): “{quote}”"))
        lines += [
            ("bold", f"Claim:  {visible(p['claim'], oneline=True)}"),
            ("bold", visible(f"Stance: {p['stance']} by {p['actor']}", oneline=True)),
        ]
        if not grouping.is_checkable(p):
            lines.append(("bold magenta", f"[{grouping.NOT_CHECKABLE}]"))
        lines += self.render_group(p)
        for n, (cid, text, score) in enumerate(self.similar(p["claim"]), start=1):
            lines.append(
                ("yellow", f"  similar {n}: {cid} ({score:.0f}) {visible(text, oneline=True)}")
            )
        return lines  # fmt: skip

    def render_group(self, p: dict[str, Any]) -> list[tuple[str, str]]:
        """The pending stance proposals linked to the card's claim, numbered, and the status
        summary accepting the card would make."""
        group = grouping.linked(self.ledger, p["id"])
        if not group:
            return []
        lines = [("bold", "Stances proposed on this claim (x N reject · d N detach):")]
        for n, s in enumerate(group, start=1):
            mark = {"reject": "  [REJECT]", "detach": "  [DETACH: a claim of its own]"}.get(
                self.choices.get(s["id"], "accept"), ""
            )
            flag = "" if grouping.is_checkable(s) else f"  [{grouping.NOT_CHECKABLE}]"
            lines.append((
                "cyan",
                visible(f"  {n}. {s['stance']} by {s['actor']} — “{s['quote']}”{mark}{flag}",
                        oneline=True),
            ))  # fmt: skip
        kept = [s for s in group if self.choices.get(s["id"], "accept") == "accept"]
        lines.append(("bold", visible(f"Summary: {grouping.summary_line(p, kept)}", oneline=True)))
        return lines

    def note(self, style: str, text: str) -> None:
        """Something to tell the reviewer at the top of the next card."""
        self.notices.append((style, text))

    def run(self) -> Summary:
        """Loop until the reviewer quits; at the end of the queue the last decision can still
        be undone."""
        i, p = 0, dict[str, Any]()
        while i >= 0:
            notices, self.notices = self.notices, []
            if i < len(self.queue) and self.waits_for_its_claim(self.queue[i]):
                self.notices = notices
                i += 1
                continue
            if i < len(self.queue):
                if self.queue[i] is not p:
                    self.choices = {}
                self.screen.card(notices, self.render(i, p := self.queue[i]))
                grouped = bool(grouping.linked(self.ledger, p["id"]))
                key = self.screen.key("[a/e/r/s/m/x/d/u/q/?] " if grouped else "[a/e/r/s/m/u/q/?] ")
            else:
                end = f"End of the queue ({self.total} proposals)."
                self.screen.card(notices, [("bold", end)])
                key = self.screen.key("[u undo the last decision / q quit] ")
                if key != "u":
                    break
            try:
                i = self.act(key, i, p)
            except LedgerError as e:
                self.note("bold red", f"Error: {e}")
        if self.notices:
            self.screen.show(self.notices)
        self.summary.remaining = len(pending_for(self.ledger, self.reviewer, self.source_ids))
        return self.summary

    def waits_for_its_claim(self, p: dict[str, Any]) -> bool:
        """A stance proposal whose claim proposal is pending again is shown under that card."""
        on = p.get("stance_on")
        return bool(on) and any(q["id"] == on for q in pending(self.ledger, self.source_ids))

    def count(self, action: str) -> None:
        self.summary.decided[action] = self.summary.decided.get(action, 0) + 1

    def confirm_fuzzy(self, p: dict[str, Any]) -> str:
        """For a quote found only fuzzily: 'y' (the reviewer confirms the source's words), 'e'
        (edit them) or '' (back to the card)."""
        stance = visible(f"{p['stance']} by {p['actor']}", oneline=True)
        self.screen.show([
            ("bold yellow", f"The quote was found only fuzzily (score {p['anchor_score']}). "
                            "The source's words are:"),
            ("bold", f"  “{visible(p['quote'], oneline=True)}”"),
            ("bold yellow", f"Do they show “{stance}”?"),
        ])  # fmt: skip
        key = self.screen.key("[y confirm the quote / e edit it / any other key: back] ")
        return key if key in ("y", "e") else ""

    def undo(self, i: int) -> int:
        size = self.undo_sizes.pop() if self.undo_sizes else 1
        if size > 1:
            outs = grouping.undo_group(
                self.ledger, size, reviewer=self.reviewer, source_ids=self.source_ids
            )
            for out in outs:
                self.count("undo")
                self.note("yellow", f"undone: {out.summary}")
            undone = outs[-1]
            self.note("yellow", f"(the whole group: {size} decisions undone)")
        else:
            undone = undo_last(self.ledger, reviewer=self.reviewer, source_ids=self.source_ids)
            self.count("undo")
            self.note("yellow", f"undone: {undone.summary}")
        self.choices = {}
        back = next(
            (k for k, q in enumerate(self.queue[:i]) if q["id"] == undone.proposal_id), None
        )
        if back is not None:
            return back
        # Decided in an earlier session: bring the proposal back into this one.
        self.queue.insert(i, get_proposal(self.ledger, str(undone.proposal_id)))
        self.total += 1
        return i

    def edit(self, i: int, p: dict[str, Any]) -> Outcome | None:
        edits = edit_in_editor(p, self.editor)
        if edits is None:
            self.note("dim", "edit cancelled")
            return None
        confirmed = False
        if p["anchoring"] == "fuzzy" and edits["quote"] == p["quote"]:
            if self.confirm_fuzzy(p) != "y":
                self.note("dim", "not decided: the fuzzily found quote was not confirmed")
                return None
            confirmed = True
        return decide(self.ledger, p["id"], "edit", reviewer=self.reviewer, edits=edits,
                      confirm_quote=confirmed)  # fmt: skip

    def act(self, key: str, i: int, p: dict[str, Any]) -> int:
        """Apply one key; returns the next index (-1 to quit)."""
        if key == "q":
            return -1
        if key == "s":
            return i + 1
        if key == "u":
            return self.undo(i)
        if key in ("x", "d"):
            return self.choose_stance(key, i, p)
        confirmed = False
        if key in ("a", "m") and p["anchoring"] == "fuzzy":
            answer = self.confirm_fuzzy(p)
            if not answer:
                self.note("dim", "not decided: the fuzzily found quote was not confirmed")
                return i
            key, confirmed = (key, True) if answer == "y" else ("e", False)
        out: Outcome | None
        group = grouping.linked(self.ledger, p["id"])
        if key == "a" and group:
            return self.accept_group(i, p, group, confirmed)
        if key == "a":
            out = decide(self.ledger, p["id"], "accept", reviewer=self.reviewer,
                         confirm_quote=confirmed)  # fmt: skip
        elif key == "r":
            reason = self.screen.ask("Reason (optional)") or None
            out = decide(self.ledger, p["id"], "reject", reviewer=self.reviewer, reason=reason)
        elif key == "e":
            out = self.edit(i, p)
        elif key == "m":
            hits = self.similar(p["claim"])
            if not hits:
                self.note("dim", "no similar claim to merge into")
                return i
            choice = self.screen.ask(f"Merge into which similar claim (1-{len(hits)})") or "1"
            if not choice.isdigit() or not 1 <= int(choice) <= len(hits):
                return i
            target = hits[int(choice) - 1][0]
            out = decide(self.ledger, p["id"], "merge", reviewer=self.reviewer,
                         merge_into=target, confirm_quote=confirmed)  # fmt: skip
        else:
            self.note("", HELP)
            self.note("", GROUP_HELP)
            return i
        if out is None:
            return i
        self.undo_sizes.append(1)
        self.release_group(i, p, group)
        self.count(out.action)
        again = " (the same claim, brought back)" if out.reinstated else ""
        if out.action == "voted":  # team review: say who is still to vote, never how
            self.note("green", f"vote on {p['id']} recorded: {out.summary}")
        else:
            self.note("green", f"{out.action}: {out.claim_id or p['id']}{again}")
        return i + 1

    def choose_stance(self, key: str, i: int, p: dict[str, Any]) -> int:
        """``x N`` / ``d N``: mark listed stance N to be rejected / detached (again: restore)."""
        group = grouping.linked(self.ledger, p["id"])
        if not group:
            self.note("dim", "no stances are listed under this claim")
            return i
        choice = self.screen.ask(f"Which stance (1-{len(group)})")
        if not choice.isdigit() or not 1 <= int(choice) <= len(group):
            self.note("dim", f"no stance {choice!r}: give a number from 1 to {len(group)}")
            return i
        sid = group[int(choice) - 1]["id"]
        want: grouping.StanceChoice = "reject" if key == "x" else "detach"
        if self.choices.get(sid) == want:
            del self.choices[sid]
            self.note("dim", f"stance {choice} will be accepted with the claim again")
        else:
            self.choices[sid] = want
            self.note("yellow", f"stance {choice} will be {want}ed when you accept (a)")
        return i

    def accept_group(
        self, i: int, p: dict[str, Any], group: list[dict[str, Any]], confirmed: bool
    ) -> int:
        """One transaction: the claim, then each listed stance as chosen."""
        choices = {s["id"]: self.choices.get(s["id"], "accept") for s in group}
        outs = grouping.decide_group(self.ledger, p["id"], choices, reviewer=self.reviewer,
                                     confirm_quote=confirmed)  # fmt: skip
        self.undo_sizes.append(len(outs))
        for out in outs:
            self.count(out.action)
        head = outs[0]
        merged = sum(1 for o in outs[1:] if o.action == "merge")
        self.note("green", f"{head.action}: {head.claim_id} with {merged + 1} stance events")
        for o in outs[1:]:
            if o.action != "merge":
                self.note("green", f"{o.action}: {o.claim_id or o.proposal_id} ({o.summary})")
        self.choices = {}
        return i + 1

    def release_group(self, i: int, p: dict[str, Any], group: list[dict[str, Any]]) -> None:
        """Stances listed under a claim decided on its own get cards of their own next."""
        still = {q["id"] for q in grouping.linked(self.ledger, p["id"])}
        queued = {q["id"] for q in self.queue}
        for n, s in enumerate(x for x in group if x["id"] in still and x["id"] not in queued):
            self.queue.insert(i + 1 + n, s)
            self.total += 1
