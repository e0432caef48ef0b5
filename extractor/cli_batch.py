"""The `batch`, `export` and `report` commands; extractor/cli.py adds them with `register(main)`.

Also runnable on its own (``python -m extractor.cli_batch batch …``), which the tests and
benchmarks use so that they do not depend on the rest of the command line.
"""

from __future__ import annotations

import signal
import sys
import threading

# Ctrl-Cs that came before `batch` could act on them (see `batch_command`). Run as
# ``python -m extractor.cli_batch batch …``, start counting at once, before the imports below.
_ctrl_c: list[int] = []
if __name__ == "__main__" and sys.argv[1:2] == ["batch"]:
    signal.signal(signal.SIGINT, lambda signum, _frame: _ctrl_c.append(signum))

import click  # noqa: E402
from rich.console import Console  # noqa: E402

DEFAULT_DB = "results.sqlite"


@click.command("batch")
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file or URL.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [all cores].")
@click.option("--force", is_flag=True, help="Extract again documents already in the database.")
@click.option("--retry-failed", is_flag=True, help="Extract again documents stored as failed.")
@click.option(
    "--timeout", type=float, default=600.0, show_default=True, help="Seconds per document."
)
@click.option("--no-progress", is_flag=True, help="No progress bar (failures still printed).")
@click.option(
    "--scheduler",
    help="Run on Dask: tcp://HOST:PORT of a running `dask scheduler`, or local[:N] to start "
    "N worker processes here. Without it, a local process pool (--jobs).",
)
@click.option(
    "--ship", is_flag=True, help="With --scheduler: send each file's bytes to the workers."
)
@click.option(
    "--memory-limit",
    help="With --scheduler local[:N]: memory per worker, e.g. 2GiB (over it the worker is "
    "replaced and the document tried elsewhere). A cluster's workers set their own.",
)
@click.option("--extractor", "extractor_spec", hidden=True, default=None)
def batch_command(
    paths: tuple[str, ...],
    db: str,
    jobs: int | None,
    force: bool,
    retry_failed: bool,
    timeout: float,
    no_progress: bool,
    scheduler: str | None,
    ship: bool,
    memory_limit: str | None,
    extractor_spec: str | None,
) -> None:
    """Extract every report under PATH... (folders, globs, files) into a database.

    Re-running skips documents already stored (by content); after Ctrl-C or a crash a
    re-run finishes the rest.
    """
    # From here on a Ctrl-C is only counted, never raised: raised inside the imports below
    # (inside code that dataclasses run through `exec()`) it would make the interpreter
    # kill itself with SIGINT at exit, whatever this command then does; `run_batch` counts
    # them the same way while it runs.
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGINT, lambda signum, _frame: _ctrl_c.append(signum))

    from extractor.batch import DEFAULT_EXTRACTOR, run_batch

    if (ship or memory_limit) and not scheduler:
        raise click.UsageError("--ship and --memory-limit go with --scheduler")
    dask = None
    if scheduler:
        from extractor.runs.dask import DaskCluster

        try:
            dask = DaskCluster(
                scheduler,
                extractor_spec or DEFAULT_EXTRACTOR,
                timeout or None,
                ship=ship,
                memory_limit=memory_limit,
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--scheduler") from None
    summary = None
    if not _ctrl_c:
        try:
            summary = run_batch(
                paths,
                db,
                jobs=jobs,
                force=force,
                progress=not no_progress,
                retry_failed=retry_failed,
                extractor=extractor_spec or DEFAULT_EXTRACTOR,
                timeout=timeout or None,
                console=Console(stderr=True),
                scheduler=dask,
            )
        except RuntimeError as exc:  # e.g. a scheduler that cannot be reached
            raise click.ClickException(str(exc)) from None
    interrupted = bool(_ctrl_c) or summary is None or summary.interrupted
    # The outcome is decided: a Ctrl-C while it is printed or the interpreter exits is
    # ignored. (SIG_IGN, not a Python handler: the interpreter puts those back to the
    # default as it shuts down, and a Ctrl-C then would kill it.) This command ends the
    # process, so the old handler is not put back.
    if main_thread:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = Console()
    if interrupted:
        out.print(
            "[yellow]interrupted[/yellow]: the database holds every finished document; "
            "run the same command again to finish the rest"
        )
    if summary is None:
        sys.exit(130)
    out.print(
        f"{summary.processed} extracted: [green]{summary.ok} ok[/green], "
        f"[yellow]{summary.needs_review} needs review[/yellow], "
        f"[red]{summary.failed} failed[/red]; {summary.flagged_cells} flagged cells"
    )
    skipped = []
    if summary.already_stored:
        skipped.append(f"{summary.already_stored} already in the database")
    if summary.duplicate_names:
        skipped.append(f"{summary.duplicate_names} duplicate names of the same content")
    if summary.unsupported:
        skipped.append(f"{summary.unsupported} unsupported files")
    if skipped:
        out.print("skipped: " + ", ".join(skipped))
    if summary.failed_checks:
        rules = ", ".join(f"{rule} ×{n}" for rule, n in summary.failed_checks.most_common())
        out.print(f"failed checks by rule: {rules}")
    if summary.processed:
        out.print(
            f"{summary.seconds:.1f} s · {summary.docs_per_minute:.0f} documents/min · "
            f"{summary.pages_per_minute:.0f} pages/min"
        )
    if summary.scheduler:
        where = f"ran on: {summary.scheduler}"
        if summary.dashboard:
            where += f" · dashboard {summary.dashboard}"
        out.print(where, highlight=False, soft_wrap=True)
    if interrupted:
        sys.exit(130)


@click.command("export")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file or URL.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet", "jsonl"]), required=True
)
@click.option("--out", "out_path", required=True, help="Output file (csv/parquet: the stem).")
@click.option(
    "--status",
    type=click.Choice(["ok", "needs_review", "reviewed", "failed"]),
    help="Only this status.",
)
@click.option("--year", type=int, help="Only reports on this year.")
@click.option("--agency", help="Only agencies whose name contains this.")
def export_command(
    db: str, fmt: str, out_path: str, status: str | None, year: int | None, agency: str | None
) -> None:
    """Export the database as long and wide tables (or result JSON, one per line)."""
    from extractor.export import export

    for path in export(db, out_path, fmt, status=status, year=year, agency=agency):
        click.echo(str(path))


@click.command("report")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file or URL.")
@click.option("--html", "html_path", help="Also write a self-contained HTML report here.")
def report_command(db: str, html_path: str | None) -> None:
    """Summarise the database per agency and year: status, failed rules, flagged cells."""
    from extractor.report import build_report, print_report, write_html

    data = build_report(db)
    print_report(data)
    if html_path:
        click.echo(str(write_html(data, html_path)))


def register(cli_group: click.Group) -> None:
    """Add batch, export and report to the main command group."""
    for command in (batch_command, export_command, report_command):
        cli_group.add_command(command)


@click.group()
def main() -> None:
    """Batch extraction, exports and reports (also available under `extractor`)."""


register(main)

if __name__ == "__main__":
    main()
