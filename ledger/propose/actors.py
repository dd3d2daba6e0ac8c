"""Who is speaking: turn the subject of a reporting verb into a stable actor name.

"Kremlin spokesman Dmitry Peskov" -> "Kremlin (Dmitry Peskov)"; "NATO Secretary-General Mark
Rutte" -> "NATO (Mark Rutte)"; "Sen. Ben Cardin, Maryland Democrat" -> "Sen. Ben Cardin", and later
"Mr. Cardin" or "he" -> the same actor. Names seen earlier in the document win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ORG_ROLES = (
    r"spokesman|spokeswoman|spokesperson|Secretary-General|Secretary General|official|officials|"
    r"chief|Chief|Director|director|(?:[A-Z][a-z]+ )?Minister|"
    r"minister|President|ambassador|Ambassador|press secretary|commander|chief executive|"
    r"Chief Executive|executive|chairman|Chairman|chairwoman|CEO|founder|Founder"
)
PERSON_ROLES = (
    r"Congressman|Congresswoman|Senator|Sen\.|Rep\.|Representative|Deputy Secretary of State|"
    r"Secretary of State|Secretary|General|Gen\.|Governor|Gov\.|Mayor|analyst|researcher|"
    r"broadcaster|newspaper|news agency"
)
NAME = r"[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,2}"
TITLED = re.compile(
    rf"^(?:(?P<org>.+?)\s+)?(?P<role>{ORG_ROLES}|{PERSON_ROLES})\s+(?P<name>{NAME})$"
)
HONORIFIC = re.compile(
    r"^(?P<hon>Mr\.|Mrs\.|Ms\.|Dr\.|Sen\.|Rep\.|Gov\.|Gen\.)\s+(?P<name>" + NAME + ")$"
)
ADJECTIVES = {
    "Ukrainian": "Ukraine",
    "Russian": "Russia",
    "American": "US",
    "U.S.": "US",
    "South Korean": "South Korea",
    "North Korean": "North Korea",
    "Chinese": "China",
    "British": "UK",
    "French": "France",
    "German": "Germany",
}
GROUPS = re.compile(
    r"^(?:analysts|officials|experts|diplomats|witnesses|residents|observers)$", re.I
)
# A lower-case subject still names an actor when it ends in an institution ("the shipping company").
INSTITUTION = re.compile(
    r"^(?:[a-z][\w’'-]*\s+){0,3}(?:company|ministry|government|police|army|agency|military|court|"
    r"committee|council|department|office|firm|authorities|officials?|spokes(?:man|woman|person)|"
    r"union|embassy|broadcaster|newspaper|prosecutors?|investigators|mayor|minister|president|"
    r"governor|chairman|chairwoman|chair|director|chief|coach|manager|secretary|senator|judge|"
    r"prosecution|defen[cs]e|lawyers?|attorneys?|researchers?|scientists?|authors?|report|study|"
    r"studies|survey|poll|findings|results|figures|data|statement|letter|website|site|sources?|"
    r"media|experts?|analysts?|witnesses|residents|doctors|teachers?|students?|organi[sz]ers|"
    r"spokespeople|board|group|campaigners|activists|critics|opponents|supporters|church|"
    r"regulator|watchdog|party|administration|owner|operator|hospital|university|school|"
    r"team|club|league|federation|association|institute|center|centre|bank|airline|authority|"
    r"service|services|body|trust|commission|inspectorate|fund|regulator|engineers|workers|"
    r"staff|employees|officers|soldiers|pilots|nurses|parents|pupils|victims|families|editor|"
    r"editors|curator|professor|reporter|correspondent|poster|posters|blogger|writer|users?|"
    r"member|members|coach|player|players|fans|scholars|economists|historians)$"
)
# What follows a speaker's name in a tag is not part of it: "Bolden to the gathered crowd".
_AFTER_NAME = re.compile(
    r"(?<=[A-Za-z])\s+(?:to\s+(?:the|a|an|reporters|journalists)|in (?:remarks|an interview|a "
    r"statement) to)\b[^,]*$"
)
_ROLE_NAME = re.compile(rf"\b(?:{ORG_ROLES}|{PERSON_ROLES})[ \t]+{NAME}")
_LEAD = re.compile(
    # "Ukrainian public broadcaster": an adjective before the role, never a verb or a particle.
    r"(?<![\w’'])(?:[A-Z][\w’'-]*[ \t]+)?(?:(?!(?:said|says|told|added|noted|wrote|asked|warned|"
    r"and|or|the|by|to|of|with|from|for|as|at|in|on)\b)[a-z]+[ \t]+)?$"
)
RELATIVE = re.compile(
    r"\b(?:which|who|whom|whose|where|when)\b|^(?:[Mm]any|[Ss]ome|[Mm]ost|[Ff]ew)\s"
)
PRONOUNS = {"he", "she", "He", "She"}
NEUTER = {"it", "It", "they", "They"}  # the last actor named, person or not
PREPOSITIONAL = re.compile(r"^(?:In|During|At|On|After|Before|Since|Following|From|Amid)\s")
AUXILIARY = re.compile(
    r"(?:\s+(?:have|has|had|is|are|was|were|also|later|earlier|then|now|again|previously|still|"
    r"repeatedly|had been|\w+ly))+$"
)
INTRO = re.compile(
    r"^(?:in contrast|similarly|interestingly|however|meanwhile|following this|"
    r"adding to the situation|while|but|and|also|still)\b[,\s]*",
    re.I,
)


@dataclass
class Actors:
    """Actors seen in one document, by surname, so later mentions resolve to the first."""

    by_surname: dict[str, str] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)  # actors known to be people
    last_person: str | None = None
    last: str | None = None

    def prescan(self, text: str) -> None:
        """Learn the full, titled names in a document before resolving short mentions."""
        # Found from the role word on, then widened by up to two words before it: a pattern
        # that starts with optional words would be tried at every position of the text.
        for m in _ROLE_NAME.finditer(text):
            lead = _LEAD.search(text, max(0, m.start() - 60), m.start())
            start = lead.start() if lead else m.start()
            saved = self.last_person, self.last
            self.resolve(text[start : m.end()])
            self.last_person, self.last = saved

    def _remember(self, actor: str, name: str | None) -> str:
        if name:
            self.persons.add(actor)
            self.by_surname.setdefault(name.split()[-1], actor)
            self.last_person = self.by_surname[name.split()[-1]]
            actor = self.last_person
        self.last = actor
        return actor

    def resolve_agent(self, agent: str) -> str | None:
        """The actor after "according to": the slot names a source, so any short noun phrase
        does ("the fire service"), not only the names and institutions ``resolve`` knows."""
        actor = self.resolve(agent)
        if actor is None:
            words = re.sub(r"^(?:the|a|an)\s+", "", agent.strip(), flags=re.I).split()
            if 0 < len(words) <= 6 and not RELATIVE.search(agent):
                actor = self._remember(" ".join(words)[0].upper() + " ".join(words)[1:], None)
        return actor

    def resolve(self, subject: str) -> str | None:
        """The actor named by ``subject`` (the words before a reporting verb), or None."""
        chunk = _best_chunk(subject)
        if chunk is None:
            return None
        if chunk in PRONOUNS:
            # No titled person yet: a one-word name just used ("Paris claims … She also claims").
            last = self.last or ""
            return self.last_person or (last if last[:1].isupper() and " " not in last else None)
        if chunk in NEUTER:
            return self.last
        m = HONORIFIC.match(chunk)
        if m:
            surname = m.group("name").split()[-1]
            known = self.by_surname.get(surname)
            actor = self._remember(known or chunk, None if known else m.group("name"))
            self.last_person = actor
            return actor
        m = TITLED.match(chunk)
        if m:
            org, role, name = m.group("org"), m.group("role"), m.group("name")
            if (
                org
                and org.isalpha()
                and org.istitle()
                and org not in ADJECTIVES
                and role[0].isupper()
                and not role.endswith(".")
            ):
                # "Interior Minister", "Defense Secretary": one title, not an organisation.
                org, role = None, f"{org} {role}"
            org = ADJECTIVES.get(org, org) if org else None
            if org and re.fullmatch(ORG_ROLES, role):
                return self._remember(f"{org} ({name})", name)
            if role in ("Sen.", "Rep.", "Gov.", "Gen."):
                return self._remember(f"{role} {name}", name)
            title = f"{org} {role}" if org else role
            return self._remember(f"{name} ({title})", name)
        words = chunk.split()
        if RELATIVE.search(chunk):
            return None  # "the case on which the Court", "images Wikinews observed": no speaker
        if len(words) == 1 and words[0] in self.by_surname:
            self.last_person = self.by_surname[words[0]]
            return self._remember(self.last_person, None)
        if GROUPS.match(chunk):
            return self._remember(chunk[0].upper() + chunk[1:], None)
        if not any(w[:1].isupper() for w in words):
            if INSTITUTION.match(chunk):
                return self._remember(chunk[0].upper() + chunk[1:], None)
            return None
        if len(words) in (2, 3) and all(w[:1].isupper() for w in words) and "’s" not in chunk:
            if not any(w in ("House", "Committee", "Ministry", "Agency", "Council") for w in words):
                return self._remember(chunk, chunk)
        return self._remember(chunk[0].upper() + chunk[1:], None)


def _best_chunk(subject: str) -> str | None:
    """The comma-separated chunk that names the speaker: appositions and intro phrases lose."""
    subject = _AFTER_NAME.sub("", subject)
    chunks = [c.strip() for c in subject.replace("“", ",").replace("”", ",").split(",")]
    best, best_score = None, 0.0
    for chunk in chunks:
        chunk = INTRO.sub("", chunk).strip()
        chunk = AUXILIARY.sub("", re.sub(r"^(?:the|The)\s+", "", chunk)).strip()
        if not chunk or len(chunk) > 90 or chunk.endswith(" that") or PREPOSITIONAL.match(chunk):
            continue
        words = chunk.split()
        score: float = sum(1 for w in words if w[:1].isupper())
        if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and words[0] != "The":
            score += 2.5  # "Cynthia Thompson, curator at the University of Arkansas": the name
        if chunk in PRONOUNS or chunk in NEUTER or GROUPS.match(chunk) or INSTITUTION.match(chunk):
            score = max(score, 1)
        if HONORIFIC.match(chunk) or TITLED.match(chunk):
            score += 3
        if score >= best_score and score > 0:
            best, best_score = chunk, score
    return best


ROLE_WORDS = re.compile(r"Minister|Secretary|President|Director|Congress|Chief|Governor|Mayor")


def person_name(actor: str | None) -> str | None:
    """The person an opening "He" stands for: "Kurt Campbell (Deputy Secretary of State)" ->
    "Kurt Campbell"; "Kremlin (Dmitry Peskov)" -> "Dmitry Peskov"."""
    m = re.match(r"^(.+?) \((.+)\)$", actor or "")
    if not m:
        return actor
    outer, inner = m.groups()
    looks_named = all(w[:1].isupper() for w in inner.split()) and len(inner.split()) <= 3
    return inner if looks_named and not ROLE_WORDS.search(inner) else outer
