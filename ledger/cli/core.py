"""Writing commands: ingest, add, stance, edit, retract, supersede, verdict."""

from __future__ import annotations

from typing import Any

import click

from ledger.cli import (
    cli,
    dry_run_option,
    emit_json,
    json_option,
    open_ledger,
    report_appended,
    reviewer,
    reviewer_option,
)

STANCE_HELP = "asserted, confirmed, unconfirmed, denied, disputed or retracted."


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--urls", "urls_file", type=click.File("r"), help="A file of URLs, one a line.")
@click.option("--feed", "feeds", multiple=True, help="An RSS or Atom feed: ingest its articles.")
@click.option("--concurrency", default=4, show_default=True, help="URLs fetched at once.")
@click.option("--timeout", default=20.0, show_default=True, help="Seconds to wait for a server.")
@click.option("--ignore-robots", is_flag=True, help="Fetch even where robots.txt disallows it.")
@reviewer_option
@json_option
def ingest(
    paths: tuple[str, ...],
    urls_file: Any,
    feeds: tuple[str, ...],
    concurrency: int,
    timeout: float,
    ignore_robots: bool,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Ingest files, folders of them, or web pages and PDFs by URL, as sources.

    Files: .txt, .md, .html and .pdf; metadata from YAML front matter or a NAME.meta.yaml
    sidecar. A URL (http or https) is fetched, following redirects, honouring robots.txt, up to
    10 MiB, and kept as a WARC record of what was served; title, author, publisher and dates
    come from the page. Each file or URL goes in in its own transaction: a bad one is reported
    on one line and skipped, the others in the same call still go in, and the exit code is 1.
    The same bytes again are a no-op; changed bytes at the same path or URL become a new source
    that replaces the old one.
    """
    from ledger.capture import feed_links, ingest_urls, unseen
    from ledger.corpus import ingest_document, iter_files, read_document
    from ledger.errors import LedgerError
    from ledger.fetch import Fetcher

    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    files = [p for p in paths if p not in urls]
    if urls_file is not None:
        urls += [line.strip() for line in urls_file if line.strip() and not line.startswith("#")]
    if not (files or urls or feeds):
        raise click.UsageError("give files, folders, URLs, --urls FILE or --feed URL")
    who = _reviewer(reviewer)
    failed, results = 0, []

    def problem(line: str) -> None:
        nonlocal failed
        failed += 1
        click.echo(f"Error: {line}", err=True)

    def done(result: Any) -> None:
        results.append(result.__dict__)
        if not as_json:
            extra = f" (replaces {result.replaces})" if result.replaces else ""
            click.echo(f"{result.status:9} {result.source_id}  {result.path}{extra}")

    with open_ledger(create=True) as ledger:
        for path in iter_files(files):
            try:
                done(ingest_document(ledger, read_document(path), ingested_by=who))
            except LedgerError as e:
                problem(str(e))
        if urls or feeds:
            fetcher = Fetcher(timeout=timeout, ignore_robots=ignore_robots)
            try:
                for feed in feeds:
                    try:
                        urls += unseen(ledger, feed_links(feed, fetcher))
                    except LedgerError as e:
                        problem(str(e))
                for result in ingest_urls(
                    ledger, dict.fromkeys(urls), ingested_by=who, fetcher=fetcher,
                    concurrency=concurrency, report=problem,
                ):  # fmt: skip
                    done(result)
            finally:
                fetcher.close()
    if as_json:
        emit_json(results)
    if failed:
        raise SystemExit(1)


def _reviewer(name: str | None) -> str:
    return reviewer(name)


def claim_options(f: Any) -> Any:
    """--source, --quote, --occurrence shared by add, stance and edit."""
    f = click.option(
        "--occurrence",
        type=click.IntRange(min=1),
        help="Which occurrence of an ambiguous quote (1-based).",
    )(f)
    f = click.option("--quote", help="The exact words in the source that show it.")(f)
    f = click.option("--source", help="Source ID, or the path the source was ingested from.")(f)
    return f


@cli.command()
@claim_options
@click.option(
    "--claim", "claim_text", required=True, help="The claim, as one self-contained sentence."
)
@click.option(
    "--actor", required=True, help="Who takes the stance, e.g. 'Kremlin (Dmitry Peskov)'."
)
@click.option("--stance", required=True, help=STANCE_HELP)
@click.option("--verdict", help="Your verdict, e.g. unverified, supported, refuted.")
@reviewer_option
@dry_run_option
@json_option
def add(
    source: str | None,
    quote: str | None,
    occurrence: int | None,
    claim_text: str,
    actor: str,
    stance: str,
    verdict: str | None,
    reviewer: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Add a claim by hand, anchored to a quote in a source; prints its claim ID.

    The quote may differ from the source in quote marks, dashes, spaces or case (the source's
    own characters are stored, and a note says so). See 'factledger source SRC' for its text.
    """
    from ledger.claims import add_claim
    from ledger.history import recording
    from ledger.views import get_claim

    if not source or not quote:
        raise click.UsageError("add needs --source and --quote")
    with open_ledger() as ledger:
        with recording(ledger, dry_run=dry_run) as appended:
            cid = add_claim(
                ledger,
                source=source,
                quote=quote,
                claim=claim_text,
                actor=actor,
                stance=stance,
                verdict=verdict,
                occurrence=occurrence,
                reviewer=_reviewer(reviewer),
            )
        if report_appended(appended, dry_run=dry_run, as_json=as_json, quote=quote):
            return
        if as_json:
            emit_json(get_claim(ledger, cid))
        else:
            click.echo(cid)


@cli.command()
@click.argument("claim_ref")
@claim_options
@click.option("--actor", required=True, help="Who takes the stance.")
@click.option("--stance", required=True, help=STANCE_HELP)
@click.option("--note", help="A note for other reviewers.")
@reviewer_option
@dry_run_option
@json_option
def stance(
    claim_ref: str,
    source: str | None,
    quote: str | None,
    occurrence: int | None,
    actor: str,
    stance: str,
    note: str | None,
    reviewer: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Add a stance event, such as 'denied by Kremlin', with its own quote to a claim."""
    from ledger.claims import add_stance
    from ledger.history import recording

    if not source or not quote:
        raise click.UsageError("stance needs --source and --quote")
    with open_ledger() as ledger, recording(ledger, dry_run=dry_run) as appended:
        sid = add_stance(
            ledger,
            claim_ref,
            source=source,
            quote=quote,
            actor=actor,
            stance=stance,
            occurrence=occurrence,
            note=note,
            reviewer=_reviewer(reviewer),
        )
    if report_appended(appended, dry_run=dry_run, as_json=as_json, quote=quote):
        return
    claim_id = appended[-1]["row"]["claim_id"]
    emit_json({"id": sid, "claim_id": claim_id}) if as_json else click.echo(sid)


@cli.command()
@click.argument("claim_ref")
@click.option("--claim", "claim_text", help="The new claim text.")
@claim_options
@click.option("--reason", required=True, help="Why the claim changes.")
@reviewer_option
@dry_run_option
@json_option
def edit(
    claim_ref: str,
    claim_text: str | None,
    source: str | None,
    quote: str | None,
    occurrence: int | None,
    reason: str,
    reviewer: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Write a new version of a claim (the old versions stay)."""
    from ledger.claims import edit_claim
    from ledger.history import recording

    with open_ledger() as ledger, recording(ledger, dry_run=dry_run) as appended:
        n = edit_claim(
            ledger,
            claim_ref,
            text=claim_text,
            source=source,
            quote=quote,
            occurrence=occurrence,
            reason=reason,
            reviewer=_reviewer(reviewer),
        )
    if report_appended(appended, dry_run=dry_run, as_json=as_json, quote=quote):
        return
    claim_id = appended[-1]["row"]["claim_id"]
    emit_json({"id": claim_id, "version": n}) if as_json else click.echo(f"{claim_id}@{n}")


@cli.command()
@click.argument("claim_ref")
@click.option("--reason", required=True, help="Why the claim is retracted.")
@reviewer_option
@dry_run_option
@json_option
def retract(
    claim_ref: str, reason: str, reviewer: str | None, dry_run: bool, as_json: bool
) -> None:
    """Retract a claim (a new row; the claim stays readable and citable as retracted)."""
    from ledger.claims import retract as do_retract
    from ledger.history import recording

    with open_ledger() as ledger, recording(ledger, dry_run=dry_run) as appended:
        held = _held(ledger, "retract", claim_ref, reviewer=_reviewer(reviewer), note=reason)
        if not held:
            do_retract(ledger, claim_ref, reason=reason, reviewer=_reviewer(reviewer))
    if held:
        return _report_hold(appended, dry_run, as_json)
    if report_appended(appended, dry_run=dry_run, as_json=as_json):
        return
    claim_id = appended[-1]["row"]["claim_id"]
    msg = {"id": claim_id, "status": "retracted"}
    emit_json(msg) if as_json else click.echo(f"{claim_id} retracted")


@cli.command()
@click.argument("old_ref")
@click.argument("new_ref")
@click.option("--reason", required=True, help="Why the new claim replaces the old one.")
@reviewer_option
@dry_run_option
@json_option
def supersede(
    old_ref: str, new_ref: str, reason: str, reviewer: str | None, dry_run: bool, as_json: bool
) -> None:
    """Mark claim OLD as superseded by claim NEW."""
    from ledger.claims import supersede as do_supersede
    from ledger.history import recording

    with open_ledger() as ledger, recording(ledger, dry_run=dry_run) as appended:
        held = _held(ledger, "supersede", old_ref, reviewer=_reviewer(reviewer), note=reason,
                     successor=new_ref)  # fmt: skip
        if not held:
            new_id = do_supersede(ledger, old_ref, new_ref, reason=reason,
                                  reviewer=_reviewer(reviewer))  # fmt: skip
    if held:
        return _report_hold(appended, dry_run, as_json)
    if report_appended(appended, dry_run=dry_run, as_json=as_json):
        return
    old_id = appended[-1]["row"]["claim_id"]
    msg = {"id": old_id, "status": "superseded", "successor_id": new_id}
    emit_json(msg) if as_json else click.echo(f"{old_id} superseded by {new_id}")


@cli.command()
@click.argument("claim_ref")
@click.argument("verdict")
@click.option("--note", help="Why: the evidence behind the verdict.")
@click.option(
    "--second-reviewer", is_flag=True, help="Takes effect only once another reviewer confirms it."
)
@reviewer_option
@dry_run_option
@json_option
def verdict(
    claim_ref: str,
    verdict: str,
    note: str | None,
    second_reviewer: bool,
    reviewer: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record your verdict on a claim: unreviewed, unverified, supported, mostly_supported,
    mixed, misleading or refuted (case, spaces and hyphens do not matter: "mostly supported")."""
    from ledger.claims import set_verdict
    from ledger.history import recording

    with open_ledger() as ledger, recording(ledger, dry_run=dry_run) as appended:
        held = _held(ledger, "verdict", claim_ref, reviewer=_reviewer(reviewer), note=note,
                     value=verdict, asked=second_reviewer)  # fmt: skip
        if not held:
            set_verdict(ledger, claim_ref, verdict, note=note, reviewer=_reviewer(reviewer))
    if held:
        return _report_hold(appended, dry_run, as_json)
    if report_appended(appended, dry_run=dry_run, as_json=as_json):
        return
    row = appended[-1]["row"]
    msg = {"id": row["claim_id"], "verdict": row["verdict"]}
    emit_json(msg) if as_json else click.echo(f"{row['claim_id']}: {row['verdict']}")


def _held(ledger: Any, kind: str, ref: str, *, asked: bool = False, **kw: Any) -> bool:
    """Under the second-reviewer rule (or when asked), hold the change instead; True if held."""
    from ledger import holds

    if not (asked or holds.required(ledger)):
        return False
    holds.hold(ledger, kind, ref, **kw)
    return True


def _report_hold(appended: list[dict[str, Any]], dry_run: bool, as_json: bool) -> None:
    if report_appended(appended, dry_run=dry_run, as_json=as_json):
        return
    row = appended[-1]["row"]
    if as_json:
        emit_json({"id": row["claim_id"], "pending": row["id"], "kind": row["kind"]})
        return
    click.echo(
        f"{row['claim_id']}: {row['kind']} pending until a second reviewer confirms it: "
        f"factledger confirm {row['id']}"
    )
