"""Reading commands: sources, source, show, claims."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli import cli, emit_json, json_option, open_ledger
from ledger.controls import visible_all


@cli.command()
@json_option
def sources(as_json: bool) -> None:
    """List the sources in the ledger."""
    from ledger.views import list_sources

    with open_ledger() as ledger:
        rows = list_sources(ledger)
    if as_json:
        emit_json(rows)
        return
    for r in visible_all(rows):
        meta = " · ".join(x for x in (r["publisher"], r["published"]) if x)
        click.echo(f"{r['id']}  {r['title'] or r['path']}" + (f"  ({meta})" if meta else ""))
    if not rows:
        click.echo("No sources yet: run 'factledger ingest corpus/'.")


@cli.command()
@click.argument("claim_ref")
@json_option
def show(claim_ref: str, as_json: bool) -> None:
    """Show a claim (ID, or ID@N for version N): versions, stances, verdict, provenance."""
    from ledger.views import get_claim

    with open_ledger() as ledger:
        c = get_claim(ledger, claim_ref)
    if as_json:
        emit_json(c)
        return
    c = visible_all(c)  # text from articles, models and reviewers: no terminal escapes
    status = c["status"] + (f" by {c['superseded_by']}" if c["superseded_by"] else "")
    click.echo(f"{c['ref']}  (version {c['version']} of {c['current_version']}, {status})")
    click.echo(f"  {c['text']}")
    click.echo(f"Verdict: {c['verdict']}")
    if c["verdicts"]:
        v = c["verdicts"][-1]
        click.echo(
            f"  by {v['reviewer']} at {v['recorded_at']}" + (f": {v['note']}" if v["note"] else "")
        )
    click.echo("Stances:")
    for s in c["stance_events"]:
        date = s["stated_on"] or "undated"
        title = s["source_title"] or s["source_path"]
        page = f", p. {s['page']}" if s.get("page") else ""
        click.echo(
            f"  {s['stance']} by {s['actor']} — {date} — “{s['quote']}” "
            f"({s['source_id']}: {title}{page})"
        )
        if s.get("changed"):
            click.echo(f"    {_changed(s['changed'])}")
    click.echo("Versions:")
    for v in c["versions"]:
        why = f" — {v['reason']}" if v["reason"] else ""
        click.echo(f"  @{v['version']}  {v['recorded_at']} by {v['reviewer']}: {v['text']}{why}")
    origin = f"proposal {c['proposal_id']}" if c["proposal_id"] else "added by hand"
    click.echo(f"Provenance: {origin}, by {c['created_by']} at {c['created_at']}")
    if c["status_reason"]:
        click.echo(f"Status reason: {c['status_reason']}")
    for h in c.get("pending", []):
        what = f"verdict {h['value']}" if h["kind"] == "verdict" else h["kind"]
        what += f" by {h['successor_id']}" if h["successor_id"] else ""
        click.echo(f"Pending: {what} by {h['reviewer']}, until a second reviewer confirms it "
                   f"(factledger confirm {h['id']})")  # fmt: skip


def _changed(changed: dict[str, Any]) -> str:
    where = "the quote is still in it" if changed["quote_found"] else "the quote is NOT in it"
    return (
        f"the source changed since: {changed['source_id']} (retrieved {changed['retrieved']}) "
        f"replaces it, and {where}"
    )


@cli.command()
@click.option("--status", help="Only claims with this status: active, retracted, superseded.")
@click.option("--verdict", help="Only claims with this verdict, e.g. unverified, refuted.")
@click.option("--actor", help="Only claims with a stance by this actor (part of the name).")
@click.option("--stance", help="Only claims with this stance (with --actor: by that actor).")
@click.option("--source", help="Only claims quoting this source (ID or path).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option
def claims(
    status: str | None,
    verdict: str | None,
    actor: str | None,
    stance: str | None,
    source: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List claims with their status summary and verdict, optionally filtered."""
    from ledger.claim_filter import find_claims

    with open_ledger() as ledger:
        rows = find_claims(
            ledger,
            status=status,
            verdict=verdict,
            actor=actor,
            stance=stance,
            source=source,
            limit=limit,
        )
    if as_json:
        emit_json(rows)
        return
    for r in visible_all(rows):
        click.echo(f"{r['id']}@{r['version']}  [{r['verdict']}, {r['status']}]  {r['text']}")
        if r["stance_summary"]:
            click.echo(f"    {r['stance_summary']}")
    if not rows:
        filtered = any(x is not None for x in (status, verdict, actor, stance, source))
        click.echo(
            "No claims match."
            if filtered
            else "No claims yet: add one with 'factledger add' or review proposals."
        )


@cli.command()
@click.argument("source_ref", metavar="SRC")
@click.option("--grep", "words", help="Only the lines with these words, and where they are.")
@json_option
def source(source_ref: str, words: str | None, as_json: bool) -> None:
    """Print a source's text (SRC: a source ID or the path it was ingested from) with line
    numbers, to copy a quote's exact words from.

    --grep WORDS prints only the lines that contain WORDS (quote marks, dashes, spaces and case
    folded) and, for each match, its character offsets and the source's own words.
    """
    from ledger.source_text import source_text

    with open_ledger(readonly=True) as ledger:
        s = source_text(ledger, source_ref, words)
    if as_json:
        emit_json(s)
        return
    s = visible_all(s)
    meta = " · ".join(x for x in (s["title"], s["publisher"], s["published"]) if x)
    click.echo(f"{s['id']}  {s['path']}" + (f"  ({meta})" if meta else ""))
    width = len(str(s["lines"][-1]["line"])) if s["lines"] else 1
    by_line: dict[int, list[dict[str, Any]]] = {}
    for m in s.get("matches", []):
        by_line.setdefault(m["line"], []).append(m)
    for line in s["lines"]:
        click.echo(f"{line['line']:>{width}}  {line['text']}")
        for m in by_line.get(line["line"], []):
            click.echo(f"{'':>{width}}  ^ characters {m['start']}-{m['end']}: “{m['quote']}”")
