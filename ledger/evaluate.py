"""Score a proposer against gold attributions: a gold file, or the ledger's own review decisions.

A gold file (YAML or JSON, described in docs/proposals.md) lists sources and, per source, the
fragments a proposer should find: the exact words, who takes the stance, the stance, and an
optional stance group (stances on one claim share a group). The proposer runs on those texts in a
temporary ledger, so nothing is written to the user's. A gold fragment is found when a proposal's
span overlaps it.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.corpus import normalise
from ledger.errors import InputError
from ledger.models import Stance
from ledger.store import Ledger


class GoldFragment(BaseModel):
    """One attribution a proposer should find."""

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1, description="Exact words of the source the proposal covers.")
    actor: str | None = None
    stance: Stance = "asserted"
    group: str | None = Field(default=None, description="Stances on one claim share a group.")
    start: int | None = Field(default=None, ge=0, description="Where the quote starts, if twice.")


class GoldSource(BaseModel):
    """A text and its gold fragments."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    text: str | None = None
    title: str | None = None
    gold: list[GoldFragment] = Field(default_factory=list)
    rejected: list[GoldFragment] = Field(default_factory=list)  # spans known to hold nothing

    @model_validator(mode="after")
    def _one_text(self) -> GoldSource:
        if (self.file is None) == (self.text is None):
            raise ValueError("give either file or text")
        return self


class GoldFile(BaseModel):
    """The whole gold file."""

    model_config = ConfigDict(extra="forbid")

    sources: list[GoldSource] = Field(min_length=1)


@dataclass
class _Case:
    title: str
    text: str
    gold: list[tuple[int, int, GoldFragment]]
    rejected: list[tuple[int, int]] = field(default_factory=list)


def load_gold(path: str | Path) -> list[_Case]:
    """Read a gold file; every quote must be found in its text."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        gold = GoldFile.model_validate(data)
    except OSError as e:
        raise InputError(f"{p}: cannot read the gold file ({e.strerror or e})") from e
    except yaml.YAMLError as e:
        raise InputError(f"{p}: not valid YAML or JSON ({str(e).splitlines()[0]})") from e
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise InputError(f"{p}: {where}: {err['msg']} (see docs/proposals.md)") from e
    cases = []
    for i, src in enumerate(gold.sources):
        if src.file is not None:
            f = (p.parent / src.file).resolve()
            try:
                text = f.read_text(encoding="utf-8")
            except OSError as e:
                raise InputError(f"{p}: source {i + 1}: cannot read {src.file}") from e
        else:
            text = src.text or ""
        text = normalise(text)
        title = src.title or src.file or f"source {i + 1}"
        cases.append(
            _Case(
                title,
                text,
                [(*_locate(p, title, text, g), g) for g in src.gold],
                [_locate(p, title, text, g) for g in src.rejected],
            )
        )
    return cases


def _locate(path: Path, title: str, text: str, g: GoldFragment) -> tuple[int, int]:
    start = text.find(g.quote, g.start or 0)
    if start < 0:
        raise InputError(f"{path}: {title}: gold quote not in the text: {g.quote[:60]!r}")
    return start, start + len(g.quote)


def gold_from_reviews(ledger: Ledger) -> list[_Case]:
    """Gold from review decisions: accepted and edited proposals right, rejected ones wrong."""
    rows = ledger.all(
        "SELECT d.decision, d.claim_id, p.start, p.end, p.quote, p.actor, p.stance, d.source_id, "
        "(SELECT changes FROM decisions x WHERE x.proposal_id = p.id ORDER BY x.seq DESC LIMIT 1)"
        " AS changes "
        "FROM proposal_decisions d JOIN proposals p ON p.id = d.proposal_id "
        "WHERE d.decision IN ('accept', 'edit', 'merge', 'reject') AND p.start IS NOT NULL "
        "ORDER BY p.seq"
    )
    if not rows:
        raise InputError("no reviewed proposals in this ledger: review some first")
    cases: dict[str, _Case] = {}
    for r in rows:
        if r["source_id"] not in cases:
            src = ledger.one("SELECT title, path, text FROM sources WHERE id = ?", [r["source_id"]])
            assert src is not None  # a proposal's source is never deleted
            cases[r["source_id"]] = _Case(src["title"] or src["path"], src["text"], [])
        case = cases[r["source_id"]]
        if r["decision"] == "reject":
            case.rejected.append((r["start"], r["end"]))
            continue
        changed = json.loads(r["changes"]) if r["changes"] else {}
        actor = changed.get("actor", {}).get("to", r["actor"])
        stance = changed.get("stance", {}).get("to", r["stance"])
        frag = GoldFragment(quote=r["quote"], actor=actor, stance=stance, group=r["claim_id"])
        case.gold.append((r["start"], r["end"], frag))
    return list(cases.values())


def run_proposer(
    cases: list[_Case], proposer: str, options: dict[str, Any]
) -> list[list[dict[str, Any]]]:
    """Each case's proposals (rows as stored, with ``stance_on``), from a temporary ledger."""
    from ledger.corpus import Document, ingest_document
    from ledger.propose import propose

    with tempfile.TemporaryDirectory(prefix="factledger-eval-") as tmp:
        with Ledger(Path(tmp) / "eval.db", create=True) as ledger:
            ids = []
            for i, case in enumerate(cases):
                raw = case.text.encode("utf-8")
                doc = Document(
                    f"{tmp}/{i}.txt", raw, case.text, "text/plain", {"title": case.title}
                )
                ids.append(ingest_document(ledger, doc, ingested_by="eval").source_id)
            runs = propose(ledger, ids, proposer=proposer, options=options)
    by_id = {r.source_id: r for r in runs}
    out = []
    for sid in ids:
        run = by_id.get(sid)
        rows = [] if run is None else run.proposals
        out.append([p | {"stance_on": run.stance_on.get(p["id"]) if run else None} for p in rows])
    return out


_TOKEN = re.compile(r"[A-Za-z][\w-]{2,}")
_STOP = {"the", "and", "for", "said", "says", "spokesman", "spokeswoman", "spokesperson"}


def _tokens(actor: str | None) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(actor or "")} - _STOP


def actor_matches(gold: str | None, proposed: str) -> bool:
    """The gold actor's words all in the proposed actor, or the other way round."""
    g, p = _tokens(gold), _tokens(proposed)
    return bool(g and p) and (g <= p or p <= g)


def score(cases: list[_Case], proposals: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Recall, precision, stance and actor accuracy, link accuracy, wording checks and misses."""
    from ledger.propose.wording import stands_alone

    n_gold = found = stance_ok = actor_ok = actor_n = 0
    n_prop = on_gold = on_rejected = 0
    gold_links = pred_links = right_links = 0
    problems: dict[str, int] = {}
    standing = 0
    misses, wrong = [], []
    for case, props in zip(cases, proposals, strict=True):
        root = {p["id"]: p.get("stance_on") or p["id"] for p in props}
        matched: list[tuple[GoldFragment, str]] = []
        for s, e, g in case.gold:
            n_gold += 1
            best = max(
                props,
                key=lambda p: _overlap(s, e, p.get("start"), p.get("end")),
                default=None,
            )
            if best is None or _overlap(s, e, best.get("start"), best.get("end")) == 0:
                misses.append(
                    {"source": case.title, "quote": g.quote, "actor": g.actor, "stance": g.stance}
                )
                continue
            found += 1
            matched.append((g, root[best["id"]]))
            stance_ok += best["stance"] == g.stance
            if g.actor:
                actor_n += 1
                actor_ok += actor_matches(g.actor, best["actor"])
            if best["stance"] != g.stance or (
                g.actor and not actor_matches(g.actor, best["actor"])
            ):
                wrong.append(
                    {
                        "source": case.title,
                        "quote": g.quote,
                        "gold": f"{g.stance} by {g.actor}",
                        "proposed": f"{best['stance']} by {best['actor']}",
                    }
                )
        for i, (a, ra) in enumerate(matched):
            for b, rb in matched[i + 1 :]:
                same = a.group is not None and a.group == b.group
                linked = ra == rb
                gold_links += same
                pred_links += linked
                right_links += same and linked
        for p in props:
            n_prop += 1
            span = (p.get("start"), p.get("end"))
            on_gold += any(_overlap(s, e, *span) for s, e, _ in case.gold)
            on_rejected += any(_overlap(s, e, *span) for s, e in case.rejected)
            found_problems = stands_alone(p["claim"], p["quote"])
            standing += not found_problems
            for prob in found_problems:
                problems[prob] = problems.get(prob, 0) + 1

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    return {
        "sources": len(cases),
        "gold": n_gold,
        "proposals": n_prop,
        "recall": ratio(found, n_gold),
        "precision": ratio(on_gold, n_prop),
        "on_rejected": on_rejected,
        "stance_accuracy": ratio(stance_ok, found),
        "actor_accuracy": ratio(actor_ok, actor_n),
        "link_recall": ratio(right_links, gold_links),
        "false_links": ratio(pred_links - right_links, pred_links),
        "standing_alone": ratio(standing, n_prop),
        "wording_problems": problems,
        "misses": misses,
        "wrong": wrong,
    }


def _overlap(s: int, e: int, ps: int | None, pe: int | None) -> int:
    if ps is None or pe is None:
        return 0
    return max(0, min(e, pe) - max(s, ps))


def evaluate(
    *,
    gold_path: str | None = None,
    ledger: Ledger | None = None,
    proposer: str = "offline",
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Score ``proposer`` on a gold file, or (with ``ledger``) on that ledger's review decisions."""
    if gold_path is not None:
        cases = load_gold(gold_path)
    elif ledger is not None:
        cases = gold_from_reviews(ledger)
    else:
        raise InputError("name a gold file, or score against the ledger's reviews")
    report = score(cases, run_proposer(cases, proposer, options or {}))
    report["proposer"] = proposer
    report["gold_from"] = gold_path or "reviews"
    return report
