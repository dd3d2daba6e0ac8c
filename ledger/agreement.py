"""Agreement between reviewers in team review: observed agreement, Cohen's kappa, Krippendorff's
alpha, on the decision (accept / edit / reject) and on the stance. Formulas: docs/agreement.md.

The ratings are each reviewer's latest vote on each proposal (settle.py). An item is a proposal
with at least two ratings; for the stance, a reject has no stance, so it is left out (a missing
value). Figures that are undefined (no item, or every rating in one category) are None.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any

from ledger.errors import InputError
from ledger.review.settle import LATEST
from ledger.store import Ledger

# Rated units: {proposal id: {reviewer: category}}.
Units = dict[str, dict[str, str]]
GROUPS = {"proposer": "proposer", "model": "model", "prompt": "prompt_name"}


def percent_agreement(units: Units) -> tuple[float | None, int]:
    """The share of items (units with two or more ratings) on which every rating is the same."""
    items = [set(r.values()) for r in units.values() if len(r) >= 2]
    if not items:
        return None, 0
    return sum(len(v) == 1 for v in items) / len(items), len(items)


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two raters over the same items: (p_o - p_e) / (1 - p_e)."""
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return None if p_e == 1 else (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(units: Units) -> float | None:
    """Krippendorff's alpha, nominal: 1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c n_k, with
    the coincidences o_ck over units of m_u >= 2 ratings, each pair weighted 1 / (m_u - 1)."""
    o: dict[tuple[str, str], float] = {}
    for ratings in units.values():
        values = list(ratings.values())
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[(c, k)] = o.get((c, k), 0.0) + 1 / (m - 1)
    n_c: dict[str, float] = {}
    for (c, _), w in o.items():
        n_c[c] = n_c.get(c, 0.0) + w
    n = sum(n_c.values())
    disagree = sum(w for (c, k), w in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if n == 0 or expected == 0:
        return None
    return 1 - (n - 1) * disagree / expected


def pairs(units: Units) -> list[dict[str, Any]]:
    """Each pair of reviewers: the items both rated, observed agreement and Cohen's kappa."""
    reviewers = sorted({r for ratings in units.values() for r in ratings})
    out = []
    for a, b in combinations(reviewers, 2):
        both = [(r[a], r[b]) for r in units.values() if a in r and b in r]
        if not both:
            continue
        xs, ys = [x for x, _ in both], [y for _, y in both]
        out.append({
            "a": a, "b": b, "items": len(both),
            "observed": sum(x == y for x, y in both) / len(both), "kappa": cohen_kappa(xs, ys),
        })  # fmt: skip
    return out


def figures(units: Units) -> dict[str, Any]:
    """Every figure for one dimension (decision or stance) of a set of units."""
    observed, items = percent_agreement(units)
    return {"items": items, "observed": observed, "alpha": krippendorff_alpha(units),
            "pairs": pairs(units)}  # fmt: skip


def _votes(ledger: Ledger) -> list[dict[str, Any]]:
    return ledger.all(
        f"SELECT v.proposal_id, v.reviewer, v.action, v.stance, p.proposer, p.model, "
        f"p.prompt_name FROM ({LATEST}) v JOIN proposals p ON p.id = v.proposal_id ORDER BY v.seq"
    )


def _units(votes: list[dict[str, Any]]) -> tuple[Units, Units]:
    decision: Units = {}
    stance: Units = {}
    for v in votes:
        decision.setdefault(v["proposal_id"], {})[v["reviewer"]] = v["action"]
        if v["action"] != "reject":
            stance.setdefault(v["proposal_id"], {})[v["reviewer"]] = v["stance"]
    return decision, stance


def reviewer_counts(ledger: Ledger) -> list[dict[str, Any]]:
    """Each reviewer: proposals voted on, settled by agreement, adjudicated, and overturned in
    adjudication (their vote was not the one that stood)."""
    return ledger.all(COUNTS_SQL)


COUNTS_SQL = """
SELECT v.reviewer,
  count(*) AS decided,
  sum(s.how = 'agreed') AS agreed,
  sum(s.how = 'adjudicated') AS adjudicated,
  sum(s.how = 'adjudicated' AND v.id NOT IN (SELECT value FROM json_each(s.upheld)))
    AS overturned
FROM (SELECT v.* FROM votes v WHERE v.seq = (SELECT max(w.seq) FROM votes w
      WHERE w.proposal_id = v.proposal_id AND w.reviewer = v.reviewer)) v
LEFT JOIN settlements s ON s.proposal_id = v.proposal_id
GROUP BY v.reviewer ORDER BY v.reviewer
"""


def report(ledger: Ledger, by: str | None = None) -> dict[str, Any]:
    """Agreement figures over all votes, or per group (``by`` reviewer, proposer, model or
    prompt), with per-reviewer counts."""
    votes = _votes(ledger)
    counts = [
        {k: r[k] or 0 if k != "reviewer" else r[k] for k in r} for r in reviewer_counts(ledger)
    ]
    if by is None:
        decision, stance = _units(votes)
        return {"decision": figures(decision), "stance": figures(stance), "reviewers": counts}
    if by == "reviewer":
        decision, stance = _units(votes)
        groups = []
        for c in counts:
            name = c["reviewer"]
            mine = {
                dim: [p for p in figures(u)["pairs"] if name in (p["a"], p["b"])]
                for dim, u in (("decision", decision), ("stance", stance))
            }
            groups.append({"group": name, **c, "pairs": mine})
        return {"by": by, "groups": groups}
    if by not in GROUPS:
        raise InputError(f"cannot group agreement by {by!r}: use reviewer, proposer, model, prompt")
    col = GROUPS[by]
    keys = list(dict.fromkeys(v[col] for v in votes))
    groups = []
    for key in keys:
        decision, stance = _units([v for v in votes if v[col] == key])
        groups.append({"group": key, "decision": figures(decision), "stance": figures(stance)})
    return {"by": by, "groups": groups, "reviewers": counts}


# The same figures in SQL, for Datasette's canned queries (rounded to 3 decimals there): each
# reviewer's latest vote, as (on, proposal, reviewer, value) for the decision and the stance.
RATED = """WITH latest AS (SELECT v.* FROM votes v WHERE v.seq = (SELECT max(w.seq) FROM votes w
    WHERE w.proposal_id = v.proposal_id AND w.reviewer = v.reviewer)),
  rated AS (SELECT 'decision' AS dim, proposal_id, reviewer, action AS val FROM latest
    UNION ALL SELECT 'stance', proposal_id, reviewer, stance FROM latest
    WHERE action != 'reject'),
  paired AS (SELECT r.dim, r.reviewer AS a, s.reviewer AS b, r.val AS x, s.val AS y
    FROM rated r JOIN rated s ON s.dim = r.dim AND s.proposal_id = r.proposal_id
    AND r.reviewer < s.reviewer),
  units AS (SELECT dim, proposal_id, count(*) AS m FROM rated GROUP BY 1, 2
    HAVING count(*) >= 2),
  o AS (SELECT r.dim, r.val AS c, s.val AS k, sum(1.0 / (u.m - 1)) AS w FROM rated r
    JOIN rated s ON s.dim = r.dim AND s.proposal_id = r.proposal_id AND s.reviewer != r.reviewer
    JOIN units u ON u.dim = r.dim AND u.proposal_id = r.proposal_id GROUP BY 1, 2, 3),
  nc AS (SELECT dim, c, sum(w) AS n FROM o GROUP BY 1, 2)
"""
PAIRS_SQL = (
    RATED
    + """SELECT n.dim AS "on", n.a, n.b, n.items, round(n.observed, 3) AS observed,
  CASE WHEN e.expected = 1 THEN NULL
    ELSE round((n.observed - e.expected) / (1 - e.expected), 3) END AS kappa
FROM (SELECT dim, a, b, count(*) AS items, avg(x = y) AS observed FROM paired GROUP BY 1, 2, 3) n
JOIN (SELECT mx.dim, mx.a, mx.b, sum(mx.c * coalesce(my.c, 0)) * 1.0
        / ((SELECT count(*) FROM paired p WHERE p.dim = mx.dim AND p.a = mx.a AND p.b = mx.b)
           * (SELECT count(*) FROM paired p WHERE p.dim = mx.dim AND p.a = mx.a AND p.b = mx.b))
        AS expected
      FROM (SELECT dim, a, b, x AS k, count(*) AS c FROM paired GROUP BY 1, 2, 3, 4) mx
      LEFT JOIN (SELECT dim, a, b, y AS k, count(*) AS c FROM paired GROUP BY 1, 2, 3, 4) my
        ON my.dim = mx.dim AND my.a = mx.a AND my.b = mx.b AND my.k = mx.k
      GROUP BY 1, 2, 3) e ON e.dim = n.dim AND e.a = n.a AND e.b = n.b
ORDER BY 1, 2, 3"""
)
ALPHA_SQL = (
    RATED
    + """SELECT d.dim AS "on",
  (SELECT count(*) FROM units u WHERE u.dim = d.dim) AS items,
  (SELECT round(avg(same), 3) FROM (SELECT count(DISTINCT r.val) = 1 AS same FROM rated r
    JOIN units u ON u.dim = r.dim AND u.proposal_id = r.proposal_id WHERE r.dim = d.dim
    GROUP BY r.proposal_id)) AS observed,
  CASE WHEN coalesce(d.e, 0) = 0 THEN NULL ELSE round(1 - (d.n - 1) * d.d / d.e, 3) END AS alpha
FROM (SELECT t.dim,
        (SELECT sum(w) FROM o WHERE o.dim = t.dim) AS n,
        (SELECT coalesce(sum(w), 0) FROM o WHERE o.dim = t.dim AND c != k) AS d,
        (SELECT sum(x.n * y.n) FROM nc x JOIN nc y ON x.dim = y.dim AND x.c != y.c
         WHERE x.dim = t.dim) AS e
      FROM (SELECT 'decision' AS dim UNION ALL SELECT 'stance') t) d
ORDER BY 1"""
)
