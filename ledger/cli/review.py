"""``factledger review``, ``factledger decide`` and ``factledger acceptance``."""

from __future__ import annotations

import click

from ledger.cli import cli, emit_json, json_option, open_ledger, reviewer, reviewer_option


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Review proposals on every source.")
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False),
    help="Write pending proposals to a review file (YAML).",
)
@click.option(
    "--apply",
    "apply_paths",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="Apply the decisions in review files (--apply a.yaml b.yaml ...: one transaction).",
)
@click.option(
    "--adjudicate", is_flag=True, help="Settle the disagreements of team review (or --export them)."
)
@click.option("--force", is_flag=True, help="With --export: overwrite an existing review file.")
@reviewer_option
@json_option
def review(
    sources: tuple[str, ...],
    all_sources: bool,
    export_path: str | None,
    apply_paths: tuple[str, ...],
    adjudicate: bool,
    force: bool,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Review proposals: accept, edit, reject or merge each one.

    Interactive by default, one key per action: a accept, e edit (in $EDITOR), r reject, s skip,
    m merge into a similar existing claim, u undo, q quit, ? help. On a claim listed with the
    stances proposed on it, x N / d N mark stance N to be rejected / detached, and a, e and m
    decide the claim with every stance not marked. Quit any time; the next run
    resumes with the undecided proposals. When stdin is not a terminal it reads one line per
    key; after r the next line is the reason (empty for none), after m the similar claim's
    number. With --export FILE it writes the pending proposals to a review file instead, and
    --apply FILE [FILE...] applies review files' decisions in one transaction.

    Team review (after 'factledger assign'): --reviewer NAME reviews NAME's queue only, blind to
    the others' votes; --adjudicate settles the proposals whose reviewers disagree.
    """
    from ledger.corpus import resolve_source

    who = _who(reviewer)
    if apply_paths:
        # `--apply a.yaml b.yaml`: the files after the first arrive as arguments.
        _apply(who, [*apply_paths, *sources], as_json)
        return
    with open_ledger() as ledger:
        source_ids = [resolve_source(ledger, s)["id"] for s in sources] or None
        if export_path:
            from ledger.atomic import AlreadyExists
            from ledger.review.files import export_file

            try:
                n = export_file(ledger, export_path, source_ids, overwrite=force,
                                reviewer=reviewer and who, adjudicate=adjudicate)  # fmt: skip
            except AlreadyExists as e:
                raise click.ClickException(f"{e}, or pass --force to overwrite it") from e
            emit_json({"file": export_path, "items": n}) if as_json else click.echo(
                f"wrote {n} pending proposals to {export_path}"
            )
            return
        if adjudicate:
            from ledger.review.adjudication import Adjudication
            from ledger.review.screen import Screen

            adj = Adjudication(ledger, who, Screen.for_terminal(), _editor)
            if not adj.queue:
                click.echo("Nothing to adjudicate: no disagreement is waiting.")
                return
            n = adj.run()
            click.echo(f"Adjudicated {n}; {len(adj.queue) - n} still waiting.")
            return
        from ledger.review.interactive import Review, Screen

        session = Review(ledger, source_ids, who, Screen.for_terminal(), _editor)
        if not session.queue:
            click.echo("Nothing to review: no pending proposals. Run 'factledger propose --all'.")
            return
        summary = session.run()
    done = ", ".join(f"{n} {a}" for a, n in sorted(summary.decided.items())) or "no decisions"
    click.echo(f"Review: {done}; {summary.remaining} pending.")


def _apply(who: str, paths: list[str], as_json: bool) -> None:
    from ledger.review.files import apply_files

    with open_ledger() as ledger:
        result = apply_files(ledger, list(paths), reviewer=who)
    if as_json:
        keys = ("proposal", "action", "claim_id")
        applied = [dict(zip(keys, a, strict=True)) for a in result.applied]
        votes = [{"proposal": p, "reviewer": r} for p, r in result.voted]
        emit_json({"applied": applied, "voted": votes, "skipped": result.skipped,
                   "pending": result.pending, "adjudication": result.adjudication})  # fmt: skip
        return
    for proposal, action, claim_id in result.applied:
        click.echo(f"{action:7} {proposal}" + (f" -> {claim_id}" if claim_id else ""))
    for proposal, voter in result.voted:
        click.echo(f"vote    {proposal} by {voter}")
    click.echo(
        f"applied {len(result.applied)}, votes {len(result.voted)}, already decided "
        f"{result.skipped}, still pending {result.pending}"
        + (f", waiting for adjudication {len(result.adjudication)}" if result.adjudication else "")
    )


def _editor(text: str) -> str | None:
    return click.edit(text, extension=".yaml", require_save=False)


def _who(name: str | None) -> str:
    return reviewer(name)


@cli.command()
@click.argument("proposal_id")
@click.argument("action", type=click.Choice(["accept", "reject", "merge"]))
@click.option("--into", "merge_into", help="With merge: the claim ID to attach the stance to.")
@click.option("--claim", "claim_text", help="Accept with this claim text instead (an edit).")
@click.option("--actor", help="Accept with this actor instead (an edit).")
@click.option("--stance", help="Accept with this stance instead (an edit).")
@click.option("--quote", help="Accept with this exact quote instead (an edit).")
@click.option("--reason", help="Why (kept with the decision).")
@click.option(
    "--confirm-quote", is_flag=True, help="You checked a fuzzily found quote against the source."
)
@click.option(
    "--detach",
    is_flag=True,
    help="A stance proposed on another proposal's claim becomes a claim of its own.",
)
@reviewer_option
@json_option
def decide(
    proposal_id: str,
    action: str,
    merge_into: str | None,
    claim_text: str | None,
    actor: str | None,
    stance: str | None,
    quote: str | None,
    reason: str | None,
    confirm_quote: bool,
    detach: bool,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Decide one proposal from a script: accept (optionally edited), reject, or merge --into ID.

    A proposal whose quote was found only fuzzily needs --confirm-quote (or an edited --quote).
    Accepting a stance proposed on another proposal adds it to the claim that proposal became
    (when that one was accepted), unless --detach. In team review the decision is a vote."""
    from ledger.review.settle import record as do_decide

    edits = {
        k: v
        for k, v in (("claim", claim_text), ("actor", actor), ("stance", stance), ("quote", quote))
        if v is not None
    }
    with open_ledger() as ledger:
        out = do_decide(ledger, proposal_id, action, reviewer=_who(reviewer), reason=reason,
                        edits=edits or None, merge_into=merge_into,
                        confirm_quote=confirm_quote, detach=detach)  # fmt: skip
    if as_json:
        emit_json({"decision_id": out.decision_id, "action": out.action, "claim_id": out.claim_id})
    else:
        click.echo(f"{out.action} {proposal_id}" + (f" -> {out.claim_id}" if out.claim_id else ""))


@cli.command()
@json_option
def acceptance(as_json: bool) -> None:
    """Acceptance rate of proposals by proposer, model and prompt."""
    from ledger.review.decisions import acceptance_rates

    with open_ledger() as ledger:
        rows = acceptance_rates(ledger)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        who = r["proposer"] + (f" {r['model']} {r['prompt_name']}" if r["model"] else "")
        click.echo(
            f"{who}: {r['acceptance_rate']:.0%} of {r['decided']} (accepted {r['accepted']}, "
            f"edited {r['edited']}, merged {r['merged']}, rejected {r['rejected']})"
        )
