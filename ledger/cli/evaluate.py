"""``factledger eval``: score a proposer on a gold file or on the ledger's own reviews."""

from __future__ import annotations

import click

from ledger.cli import cli, emit_json, json_option, open_ledger


@cli.command("eval")
@click.argument("gold", required=False, type=click.Path(dir_okay=False))
@click.option("--from-reviews", is_flag=True, help="Use this ledger's review decisions as gold.")
@click.option(
    "--proposer",
    type=click.Choice(["offline", "llm"]),
    help="offline (default) or llm (default when a model is set).",
)
@click.option("--model", envvar="FACTLEDGER_MODEL", help="A litellm model string.")
@click.option("--api-base", help="Base URL of an OpenAI-compatible server.")
@click.option("--prompt", "prompt_name", default="default", show_default=True)
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--misses", "show_misses", default=20, show_default=True, help="Misses to list.")
@json_option
def evaluate(
    gold: str | None,
    from_reviews: bool,
    proposer: str | None,
    model: str | None,
    api_base: str | None,
    prompt_name: str,
    concurrency: int,
    show_misses: int,
    as_json: bool,
) -> None:
    """Score a proposer on GOLD (a gold file, see docs/proposals.md) or with --from-reviews.

    The proposer runs on the gold texts in a temporary ledger: nothing is written to yours.
    """
    from ledger.evaluate import evaluate as run_eval
    from ledger.propose import default_proposer, proposer_options

    if (gold is None) == (not from_reviews):
        raise click.UsageError("name a gold file, or pass --from-reviews (not both)")
    kind = proposer or default_proposer(model)
    options = proposer_options(
        kind, model=model, api_base=api_base, prompt_name=prompt_name, concurrency=concurrency
    )
    if from_reviews:
        with open_ledger(readonly=True) as ledger:
            report = run_eval(ledger=ledger, proposer=kind, options=options)
    else:
        report = run_eval(gold_path=gold, proposer=kind, options=options)
    if as_json:
        emit_json(report)
        return
    click.echo(
        f"proposer {kind} on {report['gold_from']}: {report['sources']} sources, "
        f"{report['gold']} gold, {report['proposals']} proposals"
    )
    rows = [
        ("recall", report["recall"]),
        ("precision", report["precision"]),
        ("stance accuracy", report["stance_accuracy"]),
        ("actor accuracy", report["actor_accuracy"]),
        ("links found", report["link_recall"]),
        ("false links", report["false_links"]),
        ("claims standing alone", report["standing_alone"]),
    ]
    for name, value in rows:
        click.echo(f"  {name:<22} {'-' if value is None else f'{value:.3f}'}")
    if report["on_rejected"]:
        click.echo(f"  {'on rejected spans':<22} {report['on_rejected']}")
    for prob, n in sorted(report["wording_problems"].items()):
        click.echo(f"  wording: {prob}: {n}")
    for m in report["misses"][:show_misses]:
        click.echo(f"  missed: {m['source']}: {m['stance']} by {m['actor']}: {m['quote'][:80]!r}")
    for w in report["wrong"][:show_misses]:
        click.echo(
            f"  wrong: {w['source']}: {w['proposed']} (gold {w['gold']}): {w['quote'][:60]!r}"
        )
