"""The ``graphsvc`` command line."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
import os
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import click

from graphsvc.config import Settings, get_settings
from graphsvc.documents import DocumentKind
from graphsvc.errors import GraphsvcError
from graphsvc.ingest.importer import Importer, ImportReport, import_order
from graphsvc.ingest.records import KINDS
from graphsvc.progress import Progress, data_lines
from graphsvc.store import open_store
from graphsvc.store.connection import embedded_server
from graphsvc.store.embedded import EmbeddedServer

__all__ = ["main"]

log = logging.getLogger("graphsvc")

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _Command(click.Group):
    """Turns graphsvc's own errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GraphsvcError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """graphsvc: graph-based account intelligence for account-based marketing.

    Configuration comes from GRAPHSVC_* environment variables (see the README). With no
    GRAPHSVC_NEO4J_URI, graphsvc runs its embedded ArcadeDB server in GRAPHSVC_DATA_DIR.
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=_LOG_FORMAT)
    logging.getLogger("neo4j").setLevel(logging.WARNING)


@main.command()
@click.option("--demo", is_flag=True, help="Load the shipped demo data set into an empty database.")
@click.option("--host", default=None, help="Interface to listen on (default GRAPHSVC_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default GRAPHSVC_PORT, 8000).")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes behind the one port (default GRAPHSVC_WORKERS: the cores available, at most 4).",
)
def serve(demo: bool, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the GraphQL API (/graphql), /healthz and /readyz.

    With several workers this process starts (or attaches to) the embedded database, applies
    the schema and loads --demo once, then supervises the workers: one that dies is replaced.
    """
    # The command-line options win over the environment everywhere, so the open-mode (no API keys)
    # refusal to listen beyond loopback also covers --host.
    options = {"host": host, "port": port, "workers": workers}
    settings = get_settings().model_copy(update={k: v for k, v in options.items() if v})
    if settings.embedded:
        # Refused here, in one line, rather than from inside uvicorn's startup with a traceback.
        _embedded(settings).refuse_if_in_use()
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.auth import ApiKeys, check_exposure

    # A class named by import path, so that worker processes load it themselves.
    run = partial(
        uvicorn.run,
        http="graphsvc.http_protocol:ConfiguredHttpProtocol",  # header size and request read time bounds
        host=settings.host,
        port=settings.port,
        log_level="info",
    )
    if settings.workers == 1:
        run(create_app(settings, demo=demo))
        return
    # Bad keys, or no keys on a network host, are refused here, before any process starts.
    check_exposure(ApiKeys.parse(settings.api_keys), settings.host)
    # Worker processes read their settings from the environment: it gets the command line's.
    os.environ.update({"GRAPHSVC_HOST": settings.host, "GRAPHSVC_PORT": str(settings.port)})
    server = _embedded(settings) if settings.embedded else None
    if server is not None:
        server.start()
    try:
        asyncio.run(_prepare(settings, server, demo))
        run("graphsvc.app:worker_app", factory=True, workers=settings.workers, log_config=_log_config())
    finally:
        if server is not None:
            server.stop()


async def _prepare(settings: Settings, server: EmbeddedServer | None, demo: bool) -> None:
    """What the workers of ``serve --workers`` find done: the schema applied and the demo data loaded."""
    from graphsvc.demo import load_demo

    async with open_store(settings, server=server) as db:
        if demo:
            await load_demo(db)


def _log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with graphsvc's own loggers as ``main`` sets them up, for worker processes."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["graphsvc"] = {"format": _LOG_FORMAT}
    config["handlers"]["graphsvc"] = {"class": "logging.StreamHandler", "formatter": "graphsvc"}
    level = logging.getLevelName(logging.getLogger().level)
    config["loggers"]["graphsvc"] = {"handlers": ["graphsvc"], "level": level, "propagate": False}
    config["loggers"]["neo4j"] = {"level": "WARNING"}
    return config


@main.group()
def db() -> None:
    """Manage the embedded database of GRAPHSVC_DATA_DIR."""


def _embedded(settings: Settings) -> EmbeddedServer:
    if not settings.embedded:
        raise click.ClickException("GRAPHSVC_NEO4J_URI is set: there is no embedded database to manage")
    return embedded_server(settings)


@db.command("start")
def db_start() -> None:
    """Start the embedded database in the background; other graphsvc commands attach to it.

    Commands and servers attached to it find it again when it is stopped and started.
    """
    server = _embedded(get_settings())
    info = server.start(detached=True)
    click.echo(f"embedded database running: pid {info.pid}, {info.uri}, data in {server.data_dir}")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded database started by ``graphsvc db start``; names the processes still attached."""
    server = _embedded(get_settings())
    click.echo("stopped" if server.stop() else "not running")
    attached = server.attached()
    if attached:
        click.echo(
            f"{len(attached)} graphsvc process(es) attached to it answer DATABASE_UNAVAILABLE (/readyz 503) until "
            "`graphsvc db start` runs again, then reconnect: " + "; ".join(attached),
            err=True,
        )


@db.command("status")
def db_status() -> None:
    """Print whether the embedded database runs, as JSON; exit code 3 when it does not."""
    status = _embedded(get_settings()).status()
    click.echo(json.dumps(status, indent=2))
    if not status["running"]:
        sys.exit(3)


class _IsoTime(click.ParamType):
    """An ISO-8601 time (fractions and offsets too, e.g. a summary's ``as_of``); UTC without an offset."""

    name = "TIME"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time such as 2026-12-01T00:00:00Z", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_JSON_SUMMARY = click.option(
    "--json", "as_json", is_flag=True, help="Print the summary as one JSON document on standard output."
)
_PROGRESS_EVERY = click.option(
    "--progress-every",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="Seconds between progress lines when standard error is not a terminal (0: after every batch).",
)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="Kind of every file (default: from each file name).")
@click.option("--batch-size", type=click.IntRange(1, 50_000), default=None, help="Rows per transaction.")
@click.option("--max-errors", type=int, default=20, show_default=True, help="Row errors to print per file.")
@_JSON_SUMMARY
@_PROGRESS_EVERY
def import_(
    files: tuple[Path, ...],
    kind: str | None,
    batch_size: int | None,
    max_errors: int,
    as_json: bool,
    progress_every: float,
) -> None:
    """Import CSV or NDJSON files of accounts, users, contacts, leads, engagements, opportunities, stage changes.

    Files are imported in dependency order. Valid rows land; each invalid row is reported with
    file, line, field and reason. Progress (rows done of the file's rows, rate, time left) goes to
    standard error: a live bar on a terminal, a line every few seconds otherwise; each file ends
    with a summary line on standard output (with --json, one JSON document instead). Exit code 2
    when any row failed.
    """
    settings = get_settings()
    jobs = import_order(files, kind)
    progress = Progress(every=progress_every)

    results: list[dict[str, object]] = []
    reports: list[ImportReport] = []

    async def run() -> None:
        async with open_store(settings) as store:
            importer = Importer(store, batch_size or settings.import_batch_size)
            for job_kind, path in jobs:
                with progress.task(path.name, total=data_lines(path)) as task:
                    report = await importer.import_file(path, job_kind, progress=task.reach)
                summary = progress.summaries[-1]
                click.echo(
                    f"{report.source}: {report.kind}: {report.imported} imported, {report.failed} failed "
                    f"({summary.line()})",
                    err=as_json,
                )
                for error in report.errors[:max_errors]:
                    click.echo(f"  {error}", err=True)
                if len(report.errors) > max_errors:
                    click.echo(f"  ... and {len(report.errors) - max_errors} more", err=True)
                reports.append(report)
                results.append(
                    {
                        "file": report.source,
                        "kind": report.kind,
                        **summary.as_dict(),
                        "imported": report.imported,
                        "failed": report.failed,
                        "errors": [str(error) for error in report.errors[:max_errors]],
                    }
                )

    asyncio.run(run())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "files": results,
                    "imported": sum(report.imported for report in reports),
                    "failed": sum(report.failed for report in reports),
                    "seconds": round(sum(summary.seconds for summary in progress.summaries), 3),
                }
            )
        )
    if any(report.errors for report in reports):
        sys.exit(2)


@main.command()
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    default=None,
    help="Evaluation time (UTC when no offset is given); default now.",
)
@_JSON_SUMMARY
@_PROGRESS_EVERY
def recompute(as_of: datetime | None, as_json: bool, progress_every: float) -> None:
    """Rescore everything: match leads, infer roles, score persons and accounts, write back.

    Progress counts the phases done (read, match, compute, grade, write, read model, stages).
    """
    from graphsvc.scores.recompute import PHASES, recompute_graph

    moment = None if as_of is None else as_of.replace(tzinfo=as_of.tzinfo or UTC)
    progress = Progress(every=progress_every)

    async def run() -> None:
        async with open_store(get_settings()) as store:
            with progress.task("recompute", total=len(PHASES), unit="phases") as task:
                report = await recompute_graph(store, moment, progress=lambda phase: task.update(1))
        if as_json:
            click.echo(json.dumps({**dataclasses.asdict(report), "as_of": report.as_of.isoformat()}))
            return
        click.echo(
            f"recomputed {report.accounts} accounts, {report.persons} persons, {report.engagements} engagements "
            f"at {report.as_of.isoformat()}; {report.matched_leads} leads matched "
            f"({report.matches_changed} matches and {report.roles_changed} inferred roles changed), "
            f"{report.stage_changes} account stages changed"
        )
        click.echo("seconds: " + ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in report.seconds.items()))

    asyncio.run(run())


@main.command()
@click.option("--accounts", type=click.IntRange(1), required=True, help="How many accounts.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed; same seed, same files.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@_JSON_SUMMARY
@_PROGRESS_EVERY
def generate(accounts: int, seed: int, out: Path, as_json: bool, progress_every: float) -> None:
    """Write a realistic, deterministic data set as CSV files (one per kind).

    Progress counts the rows written of the rows planned.
    """
    from graphsvc.datagen import generate as generate_data

    progress = Progress(every=progress_every)
    counts = generate_data(out, accounts=accounts, seed=seed, progress=progress)
    if as_json:
        click.echo(json.dumps({"rows": counts, **progress.summaries[-1].as_dict()}))
        return
    for kind, count in counts.items():
        click.echo(f"{kind}: {count}")
    click.echo(progress.summaries[-1].line())


@main.command()
@click.argument("kind", type=click.Choice(["accounts", "leads"]))
@click.option("--format", "file_format", type=click.Choice(["csv", "ndjson"]), default="csv", show_default=True)
@click.option(
    "--changed-since",
    type=_IsoTime(),
    default=None,
    help="Only rows changed at or after this ISO-8601 time (UTC without an offset); the README says what a change is.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--page-size", type=click.IntRange(1, 10_000), default=None, help="Rows read per page (default 500).")
@_JSON_SUMMARY
@_PROGRESS_EVERY
def export(
    kind: str,
    file_format: str,
    changed_since: datetime | None,
    output: Path | None,
    page_size: int | None,
    as_json: bool,
    progress_every: float,
) -> None:
    """Export accounts or leads with the figures the API gives now, for a CRM sync.

    \b
    graphsvc export accounts --format ndjson > accounts.ndjson
    graphsvc export leads --format csv --changed-since 2026-12-01T00:00:00 --output leads.csv

    Rows are streamed in id order, a page at a time, so memory stays bounded. The summary (and
    progress) go to standard error, or the summary to standard output with --output.
    """
    from graphsvc.export import PAGE_SIZE, count_rows, export_rows, writer

    progress = Progress(every=progress_every)

    async def run(out: TextIO) -> datetime:
        now = datetime.now(UTC)
        write = writer(kind, file_format, out)
        async with open_store(get_settings()) as store:
            total = await count_rows(store, kind, changed_since)
            with progress.task(f"export {kind}", total=total) as task:
                async for row in export_rows(store, kind, now, changed_since, page_size or PAGE_SIZE):
                    write(row)
                    task.update(1)
        return now

    if output is None:
        now = asyncio.run(run(sys.stdout))
        sys.stdout.flush()
    else:
        with output.open("w", encoding="utf-8", newline="") as file:
            now = asyncio.run(run(file))
    summary = progress.summaries[-1]
    if as_json:
        line = json.dumps({"kind": kind, "format": file_format, "as_of": now.isoformat(), **summary.as_dict()})
    else:
        line = f"{summary.line()}, figures as of {now.isoformat()}"
    click.echo(line, err=output is None)


_MOMENT = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"])


@main.command()
@click.argument("lead_id", required=False)
@click.option("--dry-run", is_flag=True, help="Decide without storing anything (the round robin does not move).")
@click.option("--backtest", is_flag=True, help="Replay the leads created since --since through the rules in force.")
@click.option("--since", type=_MOMENT, default=None, help="With --backtest: first creation time replayed (UTC).")
def route(lead_id: str | None, dry_run: bool, backtest: bool, since: datetime | None) -> None:
    """Route one lead and print the decision, or backtest the routing rules in force.

    \b
    graphsvc route LEAD_ID [--dry-run]
    graphsvc route --backtest --since 2026-10-01

    The backtest is a dry run: it prints how many leads would go down each path, by which rule,
    to whom, and how that differs from the decisions stored for them.
    """
    from graphsvc.routing.backtest import backtest as replay
    from graphsvc.routing.backtest import format_backtest
    from graphsvc.routing.engine import route_lead

    if backtest == (lead_id is not None):
        raise click.UsageError("give either a LEAD_ID or --backtest")
    if backtest != (since is not None):
        raise click.UsageError("--since goes with --backtest, and --backtest needs it")
    if backtest and dry_run:
        raise click.UsageError("a backtest is always a dry run; leave out --dry-run")

    async def run() -> str:
        async with open_store(get_settings()) as store:
            if since is not None:
                return format_backtest(await replay(store, since.replace(tzinfo=since.tzinfo or UTC)))
            assert lead_id is not None
            return (await route_lead(store, lead_id, dry_run=dry_run)).describe()

    click.echo(asyncio.run(run()))


@main.command("sla-sweep")
def sla_sweep_() -> None:
    """Escalate or recycle every routing decision past its SLA, once (graphsvc serve sweeps periodically)."""
    from graphsvc.routing.sla import sla_sweep

    async def run() -> None:
        async with open_store(get_settings()) as store:
            report = await sla_sweep(store)
        click.echo(
            f"{report.overdue} overdue at {report.at.isoformat()}: "
            f"{len(report.escalated)} escalated, {len(report.recycled)} recycled"
        )
        for decision in report.escalated:
            click.echo(f"  escalated {decision.escalated_from} -> {decision.id} ({decision.assignee_id})")
        for decision in report.recycled:
            click.echo(f"  recycled {decision.id} (lead {decision.lead_id})")

    asyncio.run(run())


@main.group()
def documents() -> None:
    """Show, set and activate versions of the configuration documents.

    The kinds are scoring, icp, committees, roles and routing; version 1 of each is the shipped
    default. Setting or activating a version puts it in force on every graphsvc instance and then
    recomputes everything (as graphsvc recompute), so stored scores, coverage and stages follow.
    """


_DOCUMENT_KIND = click.argument("kind", type=click.Choice([kind.value for kind in DocumentKind]))


def _saved(version: Any) -> str:
    return version.saved_at.isoformat().replace("+00:00", "Z")


def _changed(change: Any) -> str:
    version, report = change.version, change.recompute
    return (
        f"{version.kind} version {version.version} is in force (saved {_saved(version)}); recomputed "
        f"{report.accounts} accounts and {report.persons} persons, {report.stage_changes} account stages changed"
    )


@documents.command("show")
@_DOCUMENT_KIND
@click.option("--version", "version", type=int, default=None, help="The version to print (default: the one in force).")
@click.option("--json", "as_json", is_flag=True, help="Print every version, newest first, as one JSON document.")
def documents_show(kind: str, version: int | None, as_json: bool) -> None:
    """Print a document as YAML (the one in force, or --version), its versions listed as comments.

    The output can be edited and given back to graphsvc documents set: delete its version line to
    save it as the next version.
    """
    import yaml

    from graphsvc.document_versions import document_versions, unknown_version

    async def run() -> list[Any]:
        async with open_store(get_settings()) as store:
            return await document_versions(store, kind)

    versions = asyncio.run(run())
    if as_json:
        listed = [
            {"kind": v.kind, "version": v.version, "active": v.active, "savedAt": _saved(v), "document": v.document}
            for v in versions
        ]
        click.echo(json.dumps(listed, indent=2))
        return
    chosen = [v for v in versions if (v.version == version if version is not None else v.active)]
    if not chosen:
        assert version is not None, "a kind always has a version in force"
        raise unknown_version(kind, version, versions)
    click.echo(f"# {kind} version {chosen[0].version}{', in force' if chosen[0].active else ''}")
    for listed in versions:
        click.echo(f"#   version {listed.version}: saved {_saved(listed)}{', in force' if listed.active else ''}")
    click.echo(yaml.safe_dump(chosen[0].document, sort_keys=False, allow_unicode=True), nl=False)


@documents.command("set")
@_DOCUMENT_KIND
@click.argument("file", type=click.File("r", encoding="utf-8"))
def documents_set(kind: str, file: TextIO) -> None:
    """Validate a document (YAML or JSON FILE, - for standard input), put it in force, recompute.

    Without a version the document gets the next one. An invalid document is refused with every
    violation, one a line, and the one in force stays (exit code 1).
    """
    from graphsvc.document_versions import set_document
    from graphsvc.documents import DocumentInvalid, document_data

    async def run() -> Any:
        data = document_data(kind, file.read())
        async with open_store(get_settings()) as store:
            return await set_document(store, kind, data)

    try:
        change = asyncio.run(run())
    except DocumentInvalid as invalid:
        lines = [f"{path or '(document)'}: {message}" for path, message in invalid.violations]
        raise click.ClickException("\n".join([f"invalid {kind} document; the one in force stays:", *lines])) from None
    click.echo(_changed(change))


@documents.command("activate")
@_DOCUMENT_KIND
@click.argument("version", type=int)
def documents_activate(kind: str, version: int) -> None:
    """Put a stored VERSION back in force (roll back or forward), then recompute."""
    from graphsvc.document_versions import activate_document

    async def run() -> Any:
        async with open_store(get_settings()) as store:
            return await activate_document(store, kind, version)

    click.echo(_changed(asyncio.run(run())))


@main.group()
def report() -> None:
    """Write reports as CSV files."""


@report.command("scorecard")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write.")
@click.option("--window-days", type=click.IntRange(1), default=90, show_default=True, help="Window length in days.")
@click.option("--as-of", type=_MOMENT, default=None, help="End of the window (UTC without an offset); default now.")
def report_scorecard(out: Path, window_days: int, as_of: datetime | None) -> None:
    """Write the program scorecard and the scorecards of every target account as one CSV file.

    Columns: scope (program or account), subject (funnel section or account id), name, metric, value.
    """
    from graphsvc.scorecards.report import write_scorecard_report

    moment = None if as_of is None else as_of.replace(tzinfo=as_of.tzinfo or UTC)

    async def run() -> tuple[int, int]:
        async with open_store(get_settings()) as store:
            with out.open("w", newline="", encoding="utf-8") as file:
                return await write_scorecard_report(store, file, window_days, moment)

    rows, accounts = asyncio.run(run())
    click.echo(f"wrote {rows} rows (the program scorecard and {accounts} target accounts) to {out}")
