"""Team review: ``assign``, ``agreement``, ``config`` and ``confirm``."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli import cli, emit_json, json_option, open_ledger, reviewer, reviewer_option


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Assign proposals on every source.")
@click.option("--reviewers", required=True, help="The reviewers, comma-separated: ana,ben,chen.")
@click.option(
    "--overlap", type=click.IntRange(min=1), default=2, show_default=True,
    help="How many reviewers decide each proposal.",
)  # fmt: skip
@reviewer_option
@json_option
def assign(
    sources: tuple[str, ...], all_sources: bool, reviewers: str, overlap: int,
    reviewer: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Route each pending proposal to OVERLAP of the reviewers, balanced and deterministic.

    A proposal assigned to two or more reviewers is settled when they agree ('review --reviewer
    NAME' shows NAME's queue); a disagreement is adjudicated ('review --adjudicate')."""
    from ledger.corpus import resolve_source
    from ledger.review.assign import assign as do_assign
    from ledger.review.assign import parse_reviewers

    if not sources and not all_sources:
        raise click.UsageError("name the sources to assign, or pass --all")
    names = parse_reviewers(reviewers)
    with open_ledger() as ledger:
        source_ids = [resolve_source(ledger, s)["id"] for s in sources] or None
        out = do_assign(ledger, names, overlap, source_ids=source_ids,
                        assigned_by=reviewer_name(reviewer))  # fmt: skip
    if as_json:
        emit_json({"batch": out.batch, "queues": out.queues, "already_assigned": out.skipped})
        return
    for name, queue in out.queues.items():
        click.echo(f"{name}: {len(queue)} proposals")
    if out.skipped:
        click.echo(f"{out.skipped} proposals were assigned already")


def reviewer_name(name: str | None) -> str:
    return reviewer(name)


@cli.command()
@click.option(
    "--by", type=click.Choice(["reviewer", "proposer", "model", "prompt"]),
    help="Figures per reviewer, proposer, model or prompt.",
)  # fmt: skip
@json_option
def agreement(by: str | None, as_json: bool) -> None:
    """Agreement between reviewers: observed agreement, Cohen's kappa per pair of reviewers and
    Krippendorff's alpha, on the decision and on the stance (see docs/agreement.md)."""
    from ledger.agreement import report

    with open_ledger() as ledger:
        data = report(ledger, by)
    if as_json:
        emit_json(data)
        return
    if by is None:
        _figures("all", data)
    elif by == "reviewer":
        for g in data["groups"]:
            click.echo(
                f"{g['group']}: decided {g['decided']}, agreed {g['agreed']}, adjudicated "
                f"{g['adjudicated']}, overturned {g['overturned']}"
            )
            for dim in ("decision", "stance"):
                for p in g["pairs"][dim]:
                    click.echo(f"  {dim} with {_other(p, g['group'])}: {_pair(p)}")
        return
    else:
        for g in data["groups"]:
            _figures(f"{by} {g['group']}", g)
    for r in data["reviewers"]:
        click.echo(
            f"{r['reviewer']}: decided {r['decided']}, agreed {r['agreed']}, "
            f"overturned {r['overturned']}"
        )


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _other(p: dict[str, Any], name: str) -> str:
    return p["b"] if p["a"] == name else p["a"]


def _pair(p: dict[str, Any]) -> str:
    return f"{p['items']} items, observed {_num(p['observed'])}, kappa {_num(p['kappa'])}"


def _figures(label: str, data: dict[str, Any]) -> None:
    for dim in ("decision", "stance"):
        f = data[dim]
        click.echo(
            f"{label} · {dim}: {f['items']} items, all agree {_num(f['observed'])}, "
            f"alpha {_num(f['alpha'])}"
        )
        for p in f["pairs"]:
            click.echo(f"  {p['a']} / {p['b']}: {_pair(p)}")


@cli.command()
@click.argument("name", required=False)
@click.argument("value", required=False)
@reviewer_option
@json_option
def config(name: str | None, value: str | None, reviewer: str | None, as_json: bool) -> None:
    """Show the ledger's settings, or set NAME to VALUE (a new chained row), e.g.
    'factledger config require_second_reviewer true'."""
    from ledger import settings

    with open_ledger() as ledger:
        if name is None:
            values = settings.all_values(ledger)
        elif value is None:
            values = {name: settings.get(ledger, name)}
        else:
            values = {
                name: settings.set_value(ledger, name, value, reviewer=reviewer_name(reviewer))
            }
    if as_json:
        emit_json(values)
        return
    for k, v in values.items():
        click.echo(f"{k} = {v}")


@cli.command()
@click.argument("hold_id")
@reviewer_option
@json_option
def confirm(hold_id: str, reviewer: str | None, as_json: bool) -> None:
    """Confirm, as a second reviewer, a verdict, retraction or supersession held for one: it
    takes effect now ('factledger show CLAIM' lists what is pending)."""
    from ledger.holds import confirm as do_confirm

    with open_ledger() as ledger:
        h = do_confirm(ledger, hold_id, reviewer=reviewer_name(reviewer))
    if as_json:
        emit_json({"confirmed": hold_id, "id": h["claim_id"], "kind": h["kind"]})
        return
    what = f"verdict {h['value']}" if h["kind"] == "verdict" else h["kind"]
    click.echo(f"{h['claim_id']}: {what} confirmed, now in effect")
