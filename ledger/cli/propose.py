"""``factledger propose`` and ``factledger proposals``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ledger.cli import cli, emit_json, json_option, open_ledger

JSON_FIELDS = ("id", "source_id", "start", "end", "quote", "claim", "actor", "stance", "anchoring")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Propose on every current source.")
@click.option(
    "--proposer",
    type=click.Choice(["offline", "llm"]),
    help="offline (default: built in, no network) or llm (default when a model is set).",
)
@click.option(
    "--model", envvar="FACTLEDGER_MODEL", help="A litellm model string (env FACTLEDGER_MODEL)."
)
@click.option("--api-base", help="Base URL of an OpenAI-compatible server.")
@click.option(
    "--router",
    "router",
    type=click.Path(dir_okay=False),
    help="A litellm Router config (YAML/JSON model_list): --model names one of its models.",
)
@click.option(
    "--prompt",
    "prompt_name",
    default="default",
    show_default=True,
    help="Prompt template in prompts/.",
)
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Model calls at once.",
)
@json_option
def propose(
    sources: tuple[str, ...],
    all_sources: bool,
    proposer: str | None,
    model: str | None,
    api_base: str | None,
    router: str | None,
    prompt_name: str,
    concurrency: int,
    as_json: bool,
) -> None:
    """Propose claims found in SOURCES (IDs or paths), or in every source with --all.

    Proposals are stored for review; nothing enters the ledger as a claim until a reviewer
    accepts it. Running again over unchanged sources adds nothing.
    """
    from ledger.propose import default_proposer, proposer_options
    from ledger.propose import propose as run_proposer

    kind = proposer or default_proposer(model or router)
    options = proposer_options(
        kind, model=model, api_base=api_base, prompt_name=prompt_name, concurrency=concurrency,
        router=router,
    )  # fmt: skip
    with open_ledger() as ledger, _progress(len(sources) or None) as advance:
        runs = run_proposer(
            ledger,
            list(sources),
            all_sources=all_sources,
            proposer=kind,
            options=options,
            progress=advance,
        )
    for r in runs:
        if r.skipped:
            click.echo(f"Warning: skipped {r.source_id} ({r.title}): {r.skipped}", err=True)
    if as_json:
        emit_json(
            [
                {k: p.get(k) for k in JSON_FIELDS}
                | {
                    "stance_on": r.stance_on.get(p["id"]),
                    "checkable": p["id"] not in r.not_checkable,
                    "proposer": p["proposer"],
                }
                for r in runs
                for p in r.proposals
            ]
        )
        return
    for r in runs:
        if r.skipped:
            continue
        flags = sum(1 for p in r.proposals if p["anchoring"] in ("fuzzy", "unanchored"))
        note = f", {flags} need a span check" if flags else ""
        links = [f for f in r.failures if "link dropped" in f]
        if len(links) < len(r.failures):
            invalid = len(r.failures) - len(links)
            note += f", {invalid} model answer(s) stayed invalid (kept in model_calls)"
        if links:
            note += f", {len(links)} stance link(s) dropped: they pointed at no earlier claim"
        click.echo(f"{r.source_id}  {r.title}: {len(r.proposals)} proposals ({r.new} new{note})")
        # Proposals stored by an earlier run are not listed again: `factledger proposals` has them.
        for p in r.proposals:
            if p["id"] in r.new_ids:
                on = f" (on {r.stance_on[p['id']]})" if p["id"] in r.stance_on else ""
                flag = " [not checkable]" if p["id"] in r.not_checkable else ""
                click.echo(f"  {p['stance']} by {p['actor']}{on}: {p['claim']}{flag}")
        if r.new < len(r.proposals):
            stored = len(r.proposals) - r.new
            click.echo(f"  ({stored} proposed before: factledger proposals --source {r.source_id})")


class _progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int | None):
        self.total = total
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("proposing", total=self.total)
        return self.advance

    def advance(self, source: dict[str, Any]) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, advance=1, description=source["id"])

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@cli.command()
@click.option("--source", help="Only proposals on this source (ID or path).")
@click.option(
    "--state",
    type=click.Choice(
        ["pending", "accepted", "edited", "rejected", "merged"], case_sensitive=False
    ),
    help="Only proposals in this state.",
)
@json_option
def proposals(source: str | None, state: str | None, as_json: bool) -> None:
    """List stored proposals with their state (pending, accepted, edited, rejected, merged) and
    anchoring."""
    from ledger.propose.listing import list_proposals

    with open_ledger() as ledger:
        rows = list_proposals(ledger, source, state)
    if as_json:
        emit_json(rows)
        return
    for p in rows:
        made = f" as {p['claim_id']}" if p["claim_id"] and p["state"] != "merged" else ""
        made = f" into {p['claim_id']}" if p["state"] == "merged" else made
        flag = "" if p["anchoring"] == "exact" else f" [{p['anchoring']}]"
        flag += " [not checkable]" if p.get("checkable") == 0 else ""
        on = f" (a stance on {p['stance_on']})" if p.get("stance_on") else ""
        click.echo(
            f"{p['id']}  {p['state']}{made}{flag}  {p['stance']} by {p['actor']}{on}: {p['claim']}"
        )
    if not rows:
        click.echo("No proposals" + (f" {state}" if state else "") + ".")
