"""Claims worded to stand alone: one sentence a reader understands without the article.

From the content clause of an attribution: the frame ("that", quotation marks) comes off, hedges
("reportedly", "may") and figures stay, an opening pronoun or "these troops" is replaced by what
it refers to earlier in the document, quotation marks are balanced, and the sentence gets a
capital and a full stop. Opinions, forecasts and demands are flagged: nothing there to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|can|may|might|should|must|did|does|do|"
    r"remains?|represents?|demonstrates?|shows?|\w+ing to|been|being|"
    r"(?:rais|caus|mak|tak|giv|us|becom|continu|mean|includ|requir|increas|decreas|involv|"
    r"receiv|leav|mov|serv|chang|reduc|produc|provid|prov|believ|hop|plac)(?:e|es|ed)|"
    r"(?:confirm|need|want|help|allow|plan|expect|lack|seem|appear|contain|happen|kill|"
    r"wound|injur|suffer|work|call|look|turn|start|end|report|claim|warn|sign|fail|seek|"
    r"remain|return|contact|attack|arrest|charg|accus|own|attend|visit|wish|offer|open|"
    r"consider|deliver|develop|differ|show|spend|support|want|reach)(?:s|ed)?|"
    r"left|went|came|got|made|took|gave|found|saw|told|said|kept|held|met|paid|sent|spent|"
    r"lost|won|ran|began|brought|bought|built|felt|knew|thought|wrote|led|fell|rose)\b"
)
DETERMINER = re.compile(r"^(?:the|these|those|this|that|such)\s+", re.I)
OPENING_PRONOUN = re.compile(r"^(?P<p>He|She|It|They|His|Her|Its|Their)\b(?P<rest>.*)$", re.S)
DEMONSTRATIVE = re.compile(r"^(?:These|Those|This|That|The)\s+(?P<noun>[a-z]+)\b", re.S)
# Nouns that stand for each other when "these troops" looks back for its referent.
KIN = [{"troops", "soldiers", "forces", "personnel"}, {"company", "firm"}, {"ships", "vessels"}]
NOT_CHECKABLE = re.compile(
    # Case-sensitive with the capitals spelled out: re.I makes this search three times slower.
    r"\b(?:[Ss]hould|[Mm]ust|ought to|need to|needs to|calls? for|called for|urg(?:e|es|ed|ing)|"
    r"demand(?:s|ed)?|hopes?|wants?|[Ww]ill|[Ww]ould|[Cc]ould(?! have)|[Mm]ight(?! have)|"
    r"[Mm]ay(?! have)|I think|[Ww]e think|[Ii]n my view|believe)\b"
)
AUX = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|could|can|may|might|should|must)\b")
GERUND = re.compile(
    r"^(?P<np>[A-Z][^,]*(?:, [^,]+,)?)\s+(?P<hedge>(?:allegedly|reportedly|possibly)\s+)?"
    r"(?P<g>[a-z]+ing)\b"
)
FIGURE = re.compile(r"\d(?:[\d,.]*\d)?")


@dataclass
class Wording:
    """What the content clause becomes: the claim, and whether anything in it can be checked."""

    claim: str
    checkable: bool


def referent(noun: str, before: str) -> str | None:
    """The last noun phrase in ``before`` with a capitalised modifier and the same head noun."""
    kin = next((k for k in KIN if noun in k), {noun})
    heads = "|".join(sorted(kin))
    window = before[-3000:]  # a referent is near: bounded look-back keeps this linear
    np = rf"((?:[A-Z][\w’'-]*\s+){{1,3}}(?:[a-z]+\s+)?(?:{heads}))\b"
    # A counted phrase ("1,500 North Korean soldiers") is what "these troops" most often means.
    counted = re.findall(
        rf"(?:\d[\d,.]*|thousands of|hundreds of|some|several|many)\s+{np}", window
    )
    if counted:
        return str(counted[-1])
    found = re.findall(rf"\b{np}", window)
    return str(found[-1]) if found else None


def standalone(text: str, person: str | None, subject: str | None, before: str) -> str | None:
    """``text`` with an opening pronoun or demonstrative replaced, or None when unresolved."""
    m = OPENING_PRONOUN.match(text)
    if m:
        p, rest = m.group("p"), m.group("rest")
        name = person if p in ("He", "She", "His", "Her") else subject
        if not name:
            return None  # "They represent our aspirations": no one to put in their place
        if p in ("His", "Her", "Its", "Their"):
            name += "’s"
        return name + rest
    m = DEMONSTRATIVE.match(text)
    if m and m.group().split()[0] != "The":
        ref = referent(m.group("noun"), before)
        if ref is None:
            # A statement in its own right stays, flagged by the stand-alone checks; a stance
            # on "this situation" with nothing to refer to says nothing.
            return None  # "They represent our aspirations": no one to put in their place
        phrase = (
            ref
            if ref.split()[-1] == m.group("noun")
            else ref.rsplit(" ", 1)[0] + " " + m.group("noun")
        )
        return "The " + phrase + text[m.end() :]
    return text


def balance_quotes(text: str) -> str:
    """Drop an unmatched curly or straight quotation mark rather than leave it open."""
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text


def word_claim(
    content: str,
    stance: str,
    *,
    person: str | None,
    subject: str | None,
    before: str,
    framed: bool = False,
) -> Wording | None:
    """The claim for one content clause, or None when there is no proposition to propose."""
    text = content.strip().strip(",;:").strip()
    clause = framed or bool(re.match(r"(?:that|as|whether|if)\s", text))
    text = re.sub(r"^(?:that|as|whether|if)\s+", "", text).strip()
    text = text.strip('“”"').strip().rstrip(".,;:").strip()
    text = re.sub(r"^[-–—•*'‘’\s]+(?=\w)", "", text)  # a list dash or stray quote mark
    if len(text.split()) < 3 or re.match(r"(?:This|That|It|These|Those),", text):
        return None  # "Institutional recipients", "That, as the parents came…": fragments
    if len(text) < 8 or (
        stance != "asserted" and re.match(r"(?:how|why|what|when|where|which|who)\b", text, re.I)
    ):
        return None  # "would not say how many bids were received": a question, nothing claimed
    if not clause and not FINITE.search(text) and " as " in text and stance == "asserted":
        # "recognizes X as a matter of concern" states that X is a matter of concern.
        text = text.replace(" as ", " is ", 1)
    elif (
        not clause
        and not AUX.search(text)
        and (g := GERUND.match(text))
        and len(g.group("np").split()) <= 8
    ):
        # "concerns about North Korea allegedly preparing to deploy": North Korea is preparing.
        np = g.group("np")
        be = "are" if np.split()[-1].endswith("s") and not np.endswith(("ss", ",")) else "is"
        text = f"{np} {be} {g.group('hedge') or ''}{g.group('g')}{text[g.end() :]}"
    elif not clause and not FINITE.search(text):
        if stance == "asserted":
            return None  # "emphasized the seriousness of this development": nothing to check
        np = DETERMINER.sub("", text)
        head = np.split(" of ")[0].split()[-1] if np.split() else ""
        verb = "have" if head.endswith("s") and not head.endswith("ss") else "has"
        text = f"There {verb} been {np}"
    text = text[0].upper() + text[1:]
    resolved = standalone(text, person, subject, before)
    if resolved is None:
        return None
    text = balance_quotes(resolved).strip()
    if len(text) < 8:
        return None
    if not text.endswith((".", "?", "!")):
        text += "."
    return Wording(text, checkable=not NOT_CHECKABLE.search(text) and not text.endswith("?"))


def stands_alone(claim: str, quote: str) -> list[str]:
    """A copy editor's checks on a proposed claim: the problems found (empty when none)."""
    problems = []
    first = claim.lstrip("[(“\"‘'")[:1]
    if not first.isupper() and not first.isdigit():
        problems.append("no capital")
    if not claim.rstrip('”"’').endswith((".", "?", "!")):
        problems.append("no full stop")
    if claim.count("“") != claim.count("”") or claim.count('"') % 2:
        problems.append("unbalanced quotes")
    if re.match(r"(?:He|She|It|They|This|These|Those|That|His|Her|Its|Their)\b", claim):
        problems.append("opening pronoun or anaphor")
    if (
        re.match(r"(?:(?:Adding|Telling|Saying|Noting) that|And|But)\b", claim)
        or len(claim.split()) < 3
    ):
        problems.append("fragment")
    if set(FIGURE.findall(quote)) - set(FIGURE.findall(claim)) and len(quote) < len(claim) * 2:
        problems.append("figure dropped")
    return problems
