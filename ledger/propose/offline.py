"""The embedded offline proposer: attributed statements found by rules, no network, no model.

pysbd splits sentences (with character offsets); rules written for news style then find who says
what: reporting verbs ("said", "revealed"), stance cues ("dismissed" -> denied, "has not been able
to verify" -> unconfirmed), the actor from titles and appositions ("Kremlin spokesman Dmitry
Peskov" -> "Kremlin (Dmitry Peskov)"), and the content clause, written out as one sentence.
Reported speech in news copy is formulaic enough that rules beat a general parser we would have to
ship and load; text inside quotation marks is masked so quoted words never count as cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.propose.actors import Actors
from ledger.propose.base import ProposedClaim, ProposerInfo

VERSION = "offline-1"

STANCE_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "unconfirmed",
        re.compile(
            r"\b(?:(?:has|have|had) not been able to|(?:does|do|did|could|can|would) not|cannot|"
            r"can't|unable to|declined to|(?:was|were) not able to) "
            r"(?:independently )?(?:confirm|verify)\b"
        ),
    ),
    (
        "denied",
        re.compile(
            r"\b(?:dismissed|denied|denies|rejected|rejects|refuted|"
            r"called (?:it|them) (?:fake|false))\b"
        ),
    ),
    ("disputed", re.compile(r"\b(?:disputed|disputes|contested|contests)\b")),
    ("retracted", re.compile(r"\b(?:retracted|retracts|withdrew)\b")),
    ("confirmed", re.compile(r"(?<!not )\b(?:confirmed|confirms)\b")),
]
REPORTING = re.compile(
    # Nouns that double as verbs ("reports", "claims", "notes", "states") are left out on purpose.
    r"\b(?:said|says|reported|revealed|reveals|stated|warned|warns|noted|"
    r"acknowledged|acknowledges|emphasi[sz]ed|added|told|announced|claimed|suggested|"
    r"estimated|estimates|argued|insisted|alleged|recogni[sz]es|expressed (?:serious |grave )?"
    r"concerns? (?:about|that|over)|expressing)\b"
)
AGENT = re.compile(
    r"\b(?:as highlighted by|according to|as reported by|as noted by|as stated by)\s+"
)
REPORTEDLY = re.compile(r"\b(?:reportedly|allegedly)\s+")
TRAILING = re.compile(
    # "<statement>, the chairman said Friday." / "“<quote>,” he said." — a comma or a closing
    # quotation mark must separate the statement from the speaker.
    r"^(?P<content>.+?)(?:,[”\"]?|[”\"],?)\s+(?P<subj>[^,“”\"]{2,90}?)\s+(?:said|says|stated|"
    r"added|wrote|warned|told reporters)\b(?P<tail>[^,]{0,40})$"
)
CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:he|she|they|but|while|labell?ing|urging|with|expressing)\b)"
    r"|\s+but\s+|;\s+"
)
ANAPHORIC = re.compile(
    r"^(?:these|those|this|such)\s+(?:reports?|claims?|allegations?|accounts?)$", re.I
)
DETERMINER = re.compile(r"^(?:the|these|those|this|that|such)\s+", re.I)
FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|can|may|might|should|must|did|does|do|"
    r"remains?|represents?|demonstrates?|\w+ing to)\b"
)
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


@dataclass
class _Clause:
    start: int  # offsets into the source text
    end: int
    masked: str
    original: str


@dataclass
class OfflineProposer:
    """Rules over one document; keeps the actors seen so far to resolve "he" and "Mr. Cardin"."""

    actors: Actors = field(default_factory=Actors)
    last_claim: str | None = None
    results: list[ProposedClaim] = field(default_factory=list)

    def run(self, text: str) -> list[ProposedClaim]:
        self.actors.prescan(text)
        for start, end in sentences(text):
            self._sentence(text, start, end)
        return self.results

    def _sentence(self, text: str, start: int, end: int) -> None:
        original = text[start:end]
        masked = QUOTED.sub(lambda m: "“" + "x" * (len(m.group()) - 2) + "”", original)
        pos, carried = 0, None
        for brk in [*CLAUSE_BREAK.finditer(masked), None]:
            stop = brk.start() if brk else len(masked)
            clause = _Clause(start + pos, start + stop, masked[pos:stop], original[pos:stop])
            carried = self._clause(clause, carried) or carried
            pos = brk.end() if brk else stop

    def _clause(self, c: _Clause, carried: str | None) -> str | None:
        found = self._trailing(c) or self._leading(c, carried)
        if found is None:
            return None
        actor, stance, content, why = found
        claim = self._claim_text(content, stance)
        if claim is None:
            return actor
        quote = c.original.strip().rstrip(",;")
        self.results.append(
            ProposedClaim(claim=claim, actor=actor, stance=stance, quote=quote, rationale=why)  # type: ignore[arg-type]
        )
        if stance != "asserted" or not self.last_claim:
            self.last_claim = claim
        return actor

    def _trailing(self, c: _Clause) -> tuple[str, str, str, str] | None:
        m = TRAILING.match(c.masked.strip().rstrip("."))
        if not m or not REPORTING.search(c.masked[m.end("subj") :]) and " said" not in c.masked:
            return None
        actor = self.actors.resolve(m.group("subj"))
        if actor is None:
            return None
        lead = len(c.masked) - len(c.masked.lstrip())
        content = c.original[lead : lead + m.end("content")]
        return actor, "asserted", content, "attribution after the statement"

    def _leading(self, c: _Clause, carried: str | None) -> tuple[str, str, str, str] | None:
        stance, cue = "asserted", None
        for name, pattern in STANCE_CUES:
            cue = pattern.search(c.masked)
            if cue:
                stance = name
                break
        verb = REPORTING.search(c.masked)
        agent = AGENT.search(c.masked)
        reportedly = REPORTEDLY.search(c.masked)
        if cue is None and verb is None and agent is None and reportedly is None:
            return None
        first = min((m for m in (cue, verb) if m), key=lambda m: m.start(), default=None)
        if agent:
            actor = self.actors.resolve(c.masked[agent.end() :].strip().rstrip("."))
            content = c.original[first.end() if first else 0 : agent.start()]
            why = "attributed with '" + agent.group().strip() + "'"
        elif first is not None:
            actor = self.actors.resolve(c.masked[: first.start()]) or carried
            content = c.original[(cue or first).end() :]
            why = f"'{(cue or first).group()}'"
        else:
            assert reportedly is not None
            actor = carried or self.actors.last
            content = c.original[: reportedly.start()] + c.original[reportedly.end() :]
            why = "'reportedly': attributed to the preceding source"
        if actor is None:
            return None
        return actor, stance, content, why

    def _claim_text(self, content: str, stance: str) -> str | None:
        text = content.strip().strip(",;:").strip()
        clause = bool(re.match(r"(?:that|as)\s", text))
        text = (
            re.sub(r"^(?:that|as)\s+", "", text).strip().strip('“”"').strip().rstrip(".,").strip()
        )
        if len(text) < 8:
            return None
        if ANAPHORIC.match(text) and self.last_claim:
            return self.last_claim
        if not clause and not FINITE.search(text) and " as " in text and stance == "asserted":
            # "recognizes X as a matter of concern" states that X is a matter of concern.
            text = text.replace(" as ", " is ", 1)
        elif not clause and not FINITE.search(text):
            if stance == "asserted":
                return None  # "emphasized the seriousness of this development": nothing to check
            np = DETERMINER.sub("", text)
            head = np.split(" of ")[0].split()[-1] if np.split() else ""
            verb = "have" if head.endswith("s") and not head.endswith("ss") else "has"
            return f"There {verb} been {np}."
        return text[0].upper() + text[1:] + ("" if text.endswith(("?", "!")) else ".")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets: paragraphs first (pysbd is faster on short inputs), then pysbd."""
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        for s in seg.segment(para.group()):
            spans.append((para.start() + s.start, para.start() + s.start + len(s.sent.rstrip())))
    return spans


def propose_offline(text: str) -> tuple[list[ProposedClaim], ProposerInfo]:
    """Propose the attributed statements in ``text`` (deterministic)."""
    return OfflineProposer().run(text), ProposerInfo(proposer="offline", proposer_version=VERSION)
