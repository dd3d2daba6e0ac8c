"""The embedded offline proposer: attributed statements found by rules, no network, no model.

Sentences come from sentencex (ledger/propose/sentences.py); the cues in ledger/propose/cues.py
find who says what — a reporting verb in any tense, "according to X" on either side, an inverted
tag ("…, said Ambassador Mohib."), a stance verb; ledger/propose/actors.py names the speaker
("Kremlin spokesman Dmitry Peskov" -> "Kremlin (Dmitry Peskov)"); ledger/propose/wording.py words
the content as a claim that stands alone; ledger/propose/linking.py attaches a stance on "these
reports" to the claim it is about. Reported speech in news copy is formulaic enough that rules
beat a general parser we would have to ship and load. Every step is linear in the text: sentences
are bounded in length, look-backs in characters, and a source in proposals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.propose.actors import Actors, person_name
from ledger.propose.base import ProposedClaim, ProposerInfo
from ledger.propose.cues import (
    ADJUNCT_THAT,
    AGENT,
    ANAPHORIC,
    ANY_CUE,
    CLAUSAL,
    CLAUSE_BREAK,
    CLAUSE_IN_TAIL,
    DASH_CREDIT,
    DEFINITE,
    INITIAL_AGENT,
    INITIAL_AGENT_BARE,
    INVERTED,
    OBJECT_NP,
    REPORT_CUE,
    REPORTEDLY,
    SUBJECT_START,
    TAGGED,
    TELL,
    TOLD_WHOM,
    TRAILING,
    denial,
    first_stance,
    mask_quotes,
    reporting,
)
from ledger.propose.linking import Item, link
from ledger.propose.sentences import sentences
from ledger.propose.wording import word_claim

VERSION = "offline-2"
MAX_PROPOSALS = 5000  # per source: a bound on the work and on what a reviewer is handed


@dataclass
class _Found:
    actor: str
    stance: str
    content: str
    why: str
    cue: str
    anaphor: str | None = None
    framed: bool = False  # the content is a whole statement ("According to X, …"; "…, X said")


@dataclass
class OfflineProposer:
    """Rules over one document; keeps the actors seen so far to resolve "he" and "Mr. Cardin"."""

    text: str = ""
    actors: Actors = field(default_factory=Actors)
    results: list[ProposedClaim] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    subject: str | None = None  # the last named non-person subject, for an opening "It"
    quoting: str | None = None  # the speaker of the quotation the last sentence ended in
    introduced: str | None = None  # the speaker of a statement introduced with a colon

    def run(self, text: str) -> list[ProposedClaim]:
        self.text = text
        self.actors.prescan(text)
        for start, end in sentences(text):
            if len(self.results) >= MAX_PROPOSALS:
                break
            self._sentence(start, end)
        link(self.items)
        # A stance on "this" or "the reports" that found nothing to attach to says nothing.
        keep = [
            i
            for i, it in enumerate(self.items)
            if it.anaphor is None or it.definite or it.stance_on is not None
        ]
        new_index = {old: new for new, old in enumerate(keep)}
        out = []
        for i in keep:
            it = self.items[i]
            on = new_index.get(it.stance_on) if it.stance_on is not None else None
            out.append(self.results[i].model_copy(update={"claim": it.claim, "stance_on": on}))
        return out

    def _sentence(self, start: int, end: int) -> None:
        original = self.text[start:end]
        masked = mask_quotes(original)
        speaker, self.quoting = self.quoting, None
        colon, self.introduced = self.introduced, None
        if colon:
            # "She continued:" / "the Church denied these allegations:" then the statement.
            said = _Found(
                colon, "asserted", original, "introduced with a colon", "said", framed=True
            )
            self._add(said, original, start)
            return
        credited = original[:1] in '“"' and DASH_CREDIT.match(original)
        if not speaker and not credited and not ANY_CUE.search(masked):
            return
        whole = self._frames(masked, original)
        if whole is not None:
            self._add(whole, original, start)
            return
        if speaker and original[:1] in '“"' and masked.count("x") > 0.8 * len(masked) - 4:
            # A quotation running on from the last sentence's speaker.
            quoted = _Found(speaker, "asserted", original, "continues the quotation", "said")
            self._add(quoted, original, start)
            return
        pos, carried = 0, None
        for brk in [*CLAUSE_BREAK.finditer(masked), None]:
            stop = brk.start() if brk else len(masked)
            part, text = masked[pos:stop], original[pos:stop]
            found = self._frames(part, text) or self._leading(part, text, carried)
            if found is None and brk is None and part.rstrip().endswith(":"):
                verb = TAGGED.search(part) or next(iter(reporting(part)), None)
                who = self.actors.resolve(part[: verb.start()]) if verb else None
                self.introduced = who or carried if verb else None
            if found:
                carried = found.actor
                self._add(found, text, start + pos)
            pos = brk.end() if brk else stop

    def _frames(self, masked: str, original: str) -> _Found | None:
        """Attributions framing the whole sentence: initial "According to X,", tags at the end."""
        body = masked.rstrip().rstrip(".,;")
        m = INITIAL_AGENT.match(body)
        if m is None or len(m.group("agent").split()) > 8:
            m = INITIAL_AGENT_BARE.match(body) or m
        if m:
            g = "" if "agent" in m.re.groupindex else "2"
            actor = self.actors.resolve_agent(m.group("agent" + g))
            if actor:
                content = original[m.start("content" + g) : m.end("content" + g)]
                why = "attributed with 'according to'"
                return _Found(actor, "asserted", content, why, "according to", framed=True)
        m = DASH_CREDIT.match(original.strip())
        if m:
            actor = self.actors.resolve_agent(m.group("subj"))
            if actor:
                why = "quotation credited after a dash"
                return _Found(actor, "asserted", m.group("content"), why, "", framed=True)
        if not TAGGED.search(body):
            return None
        m = INVERTED.match(body)
        if (
            m
            and SUBJECT_START.match(m.group("subj"))
            and not reporting(body[: m.end("content")][-60:])
        ):
            actor = self.actors.resolve(m.group("subj"))
            if actor:
                content = original[: m.end("content")]
                self.quoting = actor if content.lstrip()[:1] in '“"' else None
                why = "attribution after the statement"
                stance, content = denial(content)
                return _Found(actor, stance, content, why, "said", framed=True)
        m = TRAILING.match(body)
        if m and not CLAUSE_IN_TAIL.search(m.group("tail")):
            actor = self.actors.resolve(m.group("subj"))
            if actor:
                content = original[: m.end("content")]
                self.quoting = actor if content.lstrip()[:1] in '“"' else None
                why = "attribution after the statement"
                stance, content = denial(content)
                return _Found(actor, stance, content, why, "said", framed=True)
        return None

    def _leading(self, masked: str, original: str, carried: str | None) -> _Found | None:
        stance, cue = first_stance(masked)
        verbs = reporting(masked)
        agent = AGENT.search(masked)
        reportedly = REPORTEDLY.search(masked)
        if cue is None and not verbs and agent is None and reportedly is None:
            return None
        candidates = sorted([m for m in (cue, *verbs) if m], key=lambda m: m.start())
        if agent and (not candidates or candidates[0].start() < agent.start()):
            actor = self.actors.resolve_agent(masked[agent.end() :].strip().rstrip("."))
            first = candidates[0] if candidates else None
            content = original[first.end() if first else 0 : agent.start()]
            word = agent.group().strip().lower()
            return self._found(actor, stance, content, f"attributed with '{word}'", word)
        for first in candidates:
            # The stance cue wins over a reporting verb after it ("denied … saying").
            use = cue if cue is not None and cue.start() >= first.start() else first
            actor = self.actors.resolve(masked[: first.start()]) or carried
            found = self._found(
                actor, stance, original[use.end() :], f"'{use.group()}'", use.group()
            )
            if found:
                return found
        if reportedly is not None and not candidates:
            # The hedge stays in the claim: "were reportedly transferred".
            why = "'reportedly': attributed to the preceding source"
            return self._found(carried or self.actors.last, stance, original, why, "")
        return None

    def _found(
        self, actor: str | None, stance: str, content: str, why: str, word: str
    ) -> _Found | None:
        if actor is None:
            return None
        bare = content.strip().strip(",;:.").strip()
        if stance != "asserted":  # "would not comment on the reports"
            bare = re.sub(r"^(?:on|about|to)\s+", "", bare)
            content = bare
        adjunct = ADJUNCT_THAT.match(bare)
        if adjunct:  # "announced on Friday that …": the time or place before "that" goes
            content = bare = bare[adjunct.end() :]
        if word in TELL and (told := TOLD_WHOM.match(bare)):
            content = bare = bare[told.end() :]  # "told the paper that …"
        # Verbs that take a statement ("the results show the camp kept its majority"): what
        # follows is a clause unless it is plainly a noun phrase ("the start of …").
        framed = word.lower() in CLAUSAL and not OBJECT_NP.match(bare)
        anaphor = None
        if stance != "asserted":
            # "dismissed the report as speculation": the object is what the stance is on.
            obj = re.sub(r"\s+(?:as|by|in|on)\s.*$", "", bare)
            anaphor = obj if ANAPHORIC.match(obj) or DEFINITE.match(obj) else None
        if anaphor is None and (
            # "about 9,000 voters", "by 2050, …" are quantities and times, not objects.
            re.match(r"(?:of|for|to|in|on|at|from|by|about|with)\s(?!\d)", bare) or len(bare) < 8
        ):
            return None  # "alarming reports of …": the cue word was a noun
        return _Found(actor, stance, content, why, word, anaphor, framed=framed)

    def _add(self, f: _Found, quote_text: str, offset: int) -> None:
        # "Paris claims she was sent": a pronoun opening the content is most often the speaker.
        speaker_is_person = self.actors.last_person == f.actor or f.actor in self.actors.persons
        person = f.actor if speaker_is_person else self.actors.last_person
        before = self.text[max(0, offset - 3000) : offset]
        definite = f.anaphor is not None and not ANAPHORIC.match(f.anaphor)
        if f.anaphor is not None and not definite:
            claim, checkable = f.anaphor, True  # replaced by the claim it points to, if found
        else:
            w = word_claim(
                f.content,
                f.stance,
                person=person_name(person),
                # "Two former engineers say they raised …", "the company said its vessel …":
                # an opening "they" or "it" is most often the speaker itself.
                subject=self.subject if speaker_is_person else f.actor,
                before=before,
                framed=f.framed,
            )
            if w is None and not definite:
                return
            # A definite object with no wording of its own ("the resignations") lives only if
            # linking finds what it refers to, like "these reports".
            definite = definite and w is not None
            claim, checkable = (w.claim, w.checkable) if w else (f.anaphor or "", True)
        quote = quote_text.strip().rstrip(",;")
        if not quote or len(claim) > 2000:
            return
        if (
            not f.actor.startswith(("Sen.", "Rep."))
            and "(" not in f.actor
            and not person == f.actor
        ):
            # "It" later stands for a named organisation ("IBM"), not "a spokesman".
            if not re.match(r"(?:A|An|The)\s", f.actor) and not f.actor.endswith("s"):
                self.subject = f.actor
        self.results.append(
            ProposedClaim(
                claim=claim,
                actor=f.actor[:300],
                stance=f.stance,  # type: ignore[arg-type]
                quote=quote,
                rationale=f.why[:2000],
                checkable=checkable,
            )
        )
        reported = bool(f.cue) and (f.anaphor is None)
        self.items.append(
            Item(
                claim=claim,
                stance=f.stance,
                actor=f.actor,
                reported=reported,
                checkable=checkable,
                report_cue=bool(REPORT_CUE.match(f.cue.lower())),
                anaphor=f.anaphor,
                definite=definite,
            )
        )


def propose_offline(text: str) -> tuple[list[ProposedClaim], ProposerInfo]:
    """Propose the attributed statements in ``text`` (deterministic)."""
    return OfflineProposer().run(text), ProposerInfo(proposer="offline", proposer_version=VERSION)


__all__ = ["VERSION", "OfflineProposer", "propose_offline", "sentences"]
