"""The cues the offline proposer reads: reporting verbs and nouns, stance verbs, attribution frames.

Written for news style in general, not for any one article: every reporting verb in every tense
and person, the "according to X" frames on either side of the statement, inverted speech tags
("…, said Ambassador Mohib."), and stance verbs (refused to confirm, would not comment ->
unconfirmed; admitted -> confirmed; dismissed, rejected, "wrong to suggest" -> denied).
Patterns run on text whose quotations are masked, so quoted words never count as cues.
"""

from __future__ import annotations

import re

# Verb stems with their inflections; "report", "claim", "state", "note", "estimate", "find" and
# "show" double as nouns, so a determiner in front of them rules the verb reading out.
_VERBS = (
    r"sa(?:y|ys|id|ying)|t(?:ell|ells|old)|stat(?:es|ed)|claim(?:s|ed)?|report(?:s|ed)?|"
    r"announc(?:e|es|ed)|add(?:s|ed)|not(?:es|ed)|explain(?:s|ed)?|warn(?:s|ed)?|"
    r"argu(?:e|es|ed)|insist(?:s|ed)?|alleg(?:e|es|ed)|suggest(?:s|ed)?|estimat(?:e|es|ed)|"
    r"reveal(?:s|ed)?|wr(?:ite|ites|ote)|assert(?:s|ed)?|maintain(?:s|ed)|contend(?:s|ed)?|"
    r"stress(?:es|ed)|emphasi[sz](?:e|es|ed)|observ(?:e|es|ed)|conclud(?:e|es|ed)|"
    r"predict(?:s|ed)?|believ(?:e|es|ed)|think|thinks|thought|conced(?:e|es|ed)|"
    r"declar(?:e|es|ed)|comment(?:s|ed)|remark(?:s|ed)|repl(?:y|ies|ied)|respond(?:s|ed)|"
    r"testif(?:y|ies|ied)|tweet(?:s|ed)|show(?:s|ed)?|found|finds?|indicat(?:e|es|ed)|"
    r"rul(?:es|ed)|accus(?:e|es|ed)|recogni[sz](?:e|es|ed)|highlight(?:s|ed)|"
    r"expressed (?:serious |grave |deep )?concerns? (?:about|that|over)|expressing|"
    r"point(?:s|ed)? out|ha(?:s|ve) learned|recall(?:s|ed)|read|reads|quot(?:es|ed)|"
    r"cit(?:es|ed)|recommend(?:s|ed)?|stating|writing|telling|reporting|claiming|noting|"
    r"arguing|warning|explaining|insisting|continued(?=:)|tweeted|commented|reason(?:s|ed)|"
    r"theori[sz](?:e|es|ed)|speculat(?:e|es|ed)|came to the conclusion|(?:is|are|was|were) "
    r"concerned|fear(?:s|ed)?(?= that)|hop(?:e|es|ed)(?= that)|doubt(?:s|ed)?(?= that)"
)
REPORTING = re.compile(rf"\b(?:{_VERBS})\b")
# A determiner before "reports" or "claims" makes it a noun. Checked on the few words before a
# match, not as look-behinds in REPORTING, which would run at every position (7 times slower).
_NOUN_BEFORE = re.compile(
    r"\b(?:the|a|an|these|those|such|his|her|their|its|no|of|to|our|my|your|in|on|at|by|"
    r"for|from|with)\s+$",
    re.I,
)


def reporting(masked: str) -> list[re.Match[str]]:
    """The reporting verbs in ``masked`` that are not nouns ("the report", "in remarks")."""
    return [
        m
        for m in REPORTING.finditer(masked)
        if not _NOUN_BEFORE.search(masked, max(0, m.start() - 8), m.start())
    ]


# Reporting verbs that come after the speaker in an inverted tag: "…,” said Ambassador Mohib."
TAG_VERB = (
    r"said|says|say|report|estimate|believe|think|argue|added|adds|told|stated|wrote|writes|explained|noted|claimed|claims|asked|"
    r"warned|insisted|argued|continued|replied|observed|admitted|announced|tweeted|reported"
)
INVERTED = re.compile(
    rf"^(?P<content>.+?)(?:,[”\"’]?|[”\"’],?|\.[”\"’]?)\s+(?:{TAG_VERB})\s+"
    r"(?P<subj>[^,;“”\"]{2,120}?)(?P<tail>,[^,]{0,160})?\.?$"
)
TRAILING = re.compile(
    # "<statement>, the chairman said Friday." / "“<quote>,” he said." — a comma or a closing
    # quotation mark must separate the statement from the speaker.
    r"^(?P<content>.+?)(?:,[”\"’]?|[”\"’],?)\s+(?P<subj>[^,“”\"]{2,120}?)\s+"
    rf"(?:also\s+)?(?:{TAG_VERB}|says|believes|thinks|estimates|suggests|shows|finds|found|"
    r"warns|argues|told reporters)\b"
    r"(?P<tail>[^,]{0,80})$"
)
AGENT = re.compile(
    r"\b(?:as highlighted by|according to|as reported by|as noted by|as stated by|"
    r"in the words of|as quoted by|citing)\s+"
)
# "According to X, <statement>": the agent runs to the first comma.
INITIAL_AGENT = re.compile(
    r"^(?:[A-Z][a-z]+,\s+)?(?:According to|As reported by|In the words of|As \w+ (?:told|said "
    r"to) [^,]{2,60}?|Citing)\s+(?P<agent>[^,]{2,150}?(?:,\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)"
    r"{0,3}(?=,))?),\s+(?P<content>.{8,})$"
)
# Without a comma: "According to Rathbun the property was returned …".
INITIAL_AGENT_BARE = re.compile(
    r"^According to\s+(?P<agent2>(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,5})\s+"
    r"(?P<content2>(?:the|a|an|over|about|some|more|nearly|almost|\d)\b.{8,})$"
)
# A quotation credited after a dash: "“Document found on street not secret” — The Canadian Press,
# August 15, 2008" or "“…a long game.” - Matthew Ingram".
DASH_CREDIT = re.compile(
    r"^(?P<content>[“\"][^“”\"]{8,}[”\"])\s*[—–-]\s*(?P<subj>[A-Z][^,“”\"]{1,80})(?:,[^“”\"]{0,40})?$"
)
REPORTEDLY = re.compile(r"\b(?:reportedly|allegedly|purportedly|supposedly)\s+")
STANCE_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "unconfirmed",
        re.compile(
            r"\b(?:(?:has|have|had) not been able to|(?:does|do|did|could|can|would|will) not|"
            r"cannot|can't|couldn't|won't|wouldn't|didn't|doesn't|unable to|declined to|"
            r"refused to|(?:was|were|is|are) not able to|(?:has|have|had) not|would neither) "
            r"(?:independently |immediately |publicly |yet |officially )?"
            r"(?:confirm|verify|comment|say|disclose|discuss|reveal)\b|\bno comment\b|"
            r"\bdeclined (?:to )?comment\b"
        ),
    ),
    (
        "denied",
        re.compile(
            r"\b(?:dismissed|dismisses|denied|denies|deny|rejected|rejects|refuted|refutes|"
            r"repudiated|called (?:it|them|this|the \w+) (?:fake|false|untrue|baseless)|"
            r"(?:was|is|it was|it is) wrong to suggest|branded (?:it|them|the \w+) "
            r"(?:false|untrue|fake))\b"
        ),
    ),
    (
        "disputed",
        re.compile(
            r"\b(?:disputed|disputes|contested|contests|(?:challenged|questioned) (?:the|these|"
            r"those|this|that|whether|claims?|reports?))\b"
        ),
    ),
    ("retracted", re.compile(r"\b(?:retracted|retracts|withdrew|withdraws)\b")),
    (
        "confirmed",
        re.compile(
            r"(?<!not )(?<!n't )\b(?:confirmed|confirms|admitted|admits|acknowledged|"
            r"acknowledges|conceded|concedes)\b"
        ),
    ),
]
# A stance taken on something already said: "dismissed these reports", "denied this".
ANAPHORIC = re.compile(
    r"^(?:(?:these|those|this|such|the|that|earlier|recent|media|press|news)\s+)*"
    r"(?:(?:[\w’'-]+\s+){0,2}(?:reports?|claims?|allegations?|accounts?|suggestions?|"
    r"rumou?rs?|movements?|stories|story|assertions?|accusations?|figures?|numbers?|"
    r"estimates?|findings|version)|it|this|that|them)$",
    re.I,
)
# A definite object that may name something reported before: "refused to confirm the
# resignations". Linked when an earlier claim shares its words; else worded as a claim of its own.
DEFINITE = re.compile(r"^(?:the|these|those|such)\s+(?:[\w’'-]+\s+){0,2}[\w-]+$", re.I)
QUOTED = re.compile(r"“[^”]{0,1500}”|\"[^\"\n]{0,1500}\"")


# One search tells whether a sentence has any cue at all; most of those that have none are skipped
# after it. Stance cues start with one of these stems.
ANY_CUE = re.compile(
    rf"\b(?:{_VERBS}|[Aa]ccording|as highlighted|as reported|as noted|as stated|in the words|"
    r"[Ii]n the words|as quoted|[Cc]iting|[Rr]eportedly|[Aa]llegedly|purportedly|supposedly|"
    r"confirm|verify|comment|disclose|dismiss|den(?:y|ies|ied)|reject|refut|repudiat|disput|"
    r"contest|"
    r"challeng|question|retract|withdr|admit|acknowledg|conced|wrong to suggest|branded|called)"
)
# The stems every stance cue starts with: one cheap search before the five stance patterns.
_STANCE_STEM = re.compile(
    r"\b(?:confirm|verify|comment|say|disclose|discuss|reveal|dismiss|den(?:y|ies|ied)|reject|"
    r"refut|repudiat|disput|contest|challeng|question|retract|withdr|admit|acknowledg|conced|wrong|branded|called)"
)
_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+|twice\s+|also\s+)?$")


def first_stance(masked: str) -> tuple[str, re.Match[str] | None]:
    """The stance a clause takes by its cue, and the cue; ``asserted`` when there is none."""
    if _STANCE_STEM.search(masked) is None:
        return "asserted", None
    for name, pattern in STANCE_CUES:  # in order of precedence: "denied … confirmed" is a denial
        for cue in pattern.finditer(masked):
            # "had been denied visas", "was confirmed as": a passive is an event, not a stance.
            if not _PASSIVE.search(masked, max(0, cue.start() - 16), cue.start()):
                return name, cue
    return "asserted", None


def mask_quotes(text: str) -> str:
    """``text`` with what is inside quotation marks replaced by x's (offsets unchanged)."""
    return QUOTED.sub(lambda m: m.group()[0] + "x" * (len(m.group()) - 2) + m.group()[-1], text)


# ---- clause frames: what the offline proposer reads around a cue ----
CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:he|she|they|but|while|labell?ing|urging|with|expressing|adding|saying)\b)"
    r"|\s+but\s+|;\s+"
)
TAGGED = re.compile(
    rf"\b(?:{TAG_VERB}|believes|thinks|estimates|continued|suggests|shows|finds|found|warns|"
    r"argues)\b"
)
ADJUNCT_THAT = re.compile(
    r"^(?:on|in|at|last|this|yesterday|today|earlier|later|during|after|before|to)\b[^,;“”\"]{0,50}?"
    r",?\s+that\s+"
)
# An inverted tag names its speaker: "said Ambassador Mohib", "said the post", not "noted that …".
SUBJECT_START = re.compile(r"(?:[A-Z]|(?:the|a|an|one|his|her|their|its)\s)(?!hat\b)")
# A denial in the speaker's own words: "“It is wrong to suggest that …,” the minister said."
DENIAL_IN_QUOTE = re.compile(
    r"^\W*(?:it is|it's|it was) (?:wrong|false|untrue|not true|nonsense) "
    r"(?:to (?:suggest|say|claim) )?that\b|^\W*there is no truth in\b",
    re.I,
)
# "…, and South Korea says the broadcasts will continue": a statement, not "said Friday".
CLAUSE_IN_TAIL = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|can|could|may|might|should|must)\b"
)
CLAUSAL = {
    "show", "shows", "showed", "found", "finds", "suggest", "suggests", "suggested", "indicate",
    "indicates", "indicated", "estimate", "estimates", "estimated", "believe", "believes",
    "believed", "think", "thinks", "thought", "say", "says", "said", "claim", "claims", "claimed",
    "argue", "argues", "argued", "conclude", "concluded", "reveal", "reveals", "revealed", "warn",
    "warns", "warned", "stated", "states", "insist", "insists", "insisted", "noted", "notes",
    "added", "adds", "told", "tells", "wrote", "writes", "admitted", "admits", "alleged",
    "find", "observed", "observes", "reasoned", "theorized", "theorised", "speculated",
}  # fmt: skip
OBJECT_NP = re.compile(
    r"^(?:the|a|an|his|her|its|their|this|that|these|those)\s+(?:[\w-]+\s+){0,2}"
    r"(?:of|for|to|on|about|from|with)\b|^\W*\w+\W*$",
    re.I,
)
TELL = {"told", "tells", "tell", "telling", "warned", "assured", "informed", "reminded"}
TOLD_WHOM = re.compile(r"^[^,;“”\"]{1,60}?\s+that\s+")
REPORT_CUE = re.compile(
    r"^(?:reported|reports|revealed|reveals|said|says|told|announced|claimed|claims|alleged|"
    r"according to|stated|wrote)$"
)


def denial(content: str) -> tuple[str, str]:
    """A quoted "It is wrong to suggest that X" denies X: the stance, and what it is on."""
    m = DENIAL_IN_QUOTE.search(content)
    return ("denied", content[m.end() :]) if m else ("asserted", content)
