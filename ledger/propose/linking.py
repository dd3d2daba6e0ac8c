"""Stances attach to claims: a denial of "these reports" is a stance on the report it denies.

Within one source, a stance whose object is an anaphor ("dismissed these reports", "has not been
able to verify these troop movements", "denied this") attaches to the latest earlier claim that
it can refer to; a stance whose content restates an earlier claim attaches to that claim. The
stance then carries the claim's own wording, so a reviewer sees one claim with all its stances.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.propose.wording import KIN

_WORD = re.compile(r"[a-z]{4,}")
_STOP = {"that", "this", "these", "those", "with", "from", "have", "been", "were", "will", "into"}
REPORT_NOUNS = re.compile(
    r"\b(?:reports?|claims?|allegations?|accounts?|stories|story|rumou?rs?|suggestions?|figures?|"
    r"numbers?|estimates?|findings|version|"
    r"assertions?|accusations?|it|this|that|them)\b",
    re.I,
)


_FACTUAL = re.compile(r"\b(?:reports?|accounts?|stories|story|movements?)\b", re.I)


@dataclass
class Item:
    """What linking needs to know of one proposal."""

    claim: str
    stance: str
    reported: bool  # stated with a cue (not only "reportedly" after another's words)
    checkable: bool = True
    actor: str = ""
    report_cue: bool = False  # "reported", "said", "according to": a report "these reports" means
    anaphor: str | None = None  # the stance's object when it points back ("these reports")
    definite: bool = False  # the anaphor is only a definite noun phrase ("the resignations")
    stance_on: int | None = None


def _words(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(text.lower()):
        if w in _STOP:
            continue
        w = w.rstrip("s")
        for kin in KIN:
            if w + "s" in kin or w in kin:
                w = sorted(kin)[0]
        out.add(w[:6])  # a crude stem: "resigned" and "resignations" meet at "resign"
    return out


LOOK_BACK = 40  # proposals: what "these reports" answers is near, and the bound keeps this linear


def link(items: list[Item]) -> None:
    """Set ``stance_on`` on each stance that takes a position on an earlier claim."""
    words: dict[int, set[str]] = {}

    def _words_of(j: int) -> set[str]:
        if j not in words:
            # "rejected the union's account": the speaker's name counts as the topic too.
            words[j] = _words(items[j].claim + " " + items[j].actor)
        return words[j]

    for i, it in enumerate(items):
        if it.stance == "asserted":
            continue
        low = max(0, i - LOOK_BACK)
        roots = [j for j in range(i - 1, low - 1, -1) if items[j].stance_on is None]
        target = None
        if it.anaphor is not None:
            topic = _words(REPORT_NOUNS.sub(" ", it.anaphor))
            # "These reports" are of facts; "that claim" or "this" may be a forecast or opinion.
            reports = bool(_FACTUAL.search(it.anaphor))
            for j in roots:
                cand = items[j]
                if cand.stance != "asserted" or not cand.reported:
                    continue
                # "these troop movements" names its topic: a checkable claim about it. "That
                # claim" or "these reports" names none: the last report, checkable or not.
                if it.definite:
                    if cand.checkable and topic & _words_of(j):
                        target = j
                        break
                    continue
                if not topic and cand.report_cue and (cand.checkable or not reports):
                    target = j
                    break
                if cand.checkable and topic & _words_of(j):
                    target = j
                    break
        else:
            mine = _words(it.claim)
            for j in roots:
                theirs = _words_of(j)
                if mine and theirs and len(mine & theirs) / len(mine | theirs) >= 0.6:
                    target = j
                    break
        if target is not None:
            it.stance_on = target
            it.claim = items[target].claim
