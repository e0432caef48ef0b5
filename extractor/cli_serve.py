"""The `serve` command: the review app over a results database; cli.py adds it.

A thin shell over `extractor.web.create_app(db)`: options, the loopback/token rule, uvicorn;
with `--watch INBOX` a watcher (`extractor.watch.start_background`) fills the same database
beside it, so a small office runs intake and review as one command.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from extractor.cli_batch import DEFAULT_DB


@click.command("serve")
@click.option("--db", default=DEFAULT_DB, show_default=True, help="Database file or URL.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="EXTRACTOR_TOKEN",
    help="Access token every request must carry (required beyond loopback) [EXTRACTOR_TOKEN].",
)
@click.option(
    "--watch",
    "inbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also watch this folder: reports dropped in are extracted into the database.",
)
@click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --watch: move each file, once stored, to ARCHIVE/processed or ARCHIVE/failed.",
)
@click.option("--jobs", type=click.IntRange(1), help="With --watch: worker processes.")
def serve_command(
    db: str,
    host: str,
    port: int,
    token: str | None,
    inbox: Path | None,
    archive: Path | None,
    jobs: int | None,
) -> None:
    """Review flagged cells in a browser: http://HOST:PORT/ (API under /api/, docs /docs)."""
    if archive is not None and inbox is None:
        raise click.UsageError("--archive goes with --watch INBOX")
    run_server(db, host, port, token or None, inbox=inbox, archive=archive, jobs=jobs)


def run_server(
    db: str,
    host: str,
    port: int,
    token: str | None,
    *,
    inbox: Path | None = None,
    archive: Path | None = None,
    jobs: int | None = None,
) -> None:
    """Build the app for `db` and serve it until interrupted (Ctrl-C, SIGTERM)."""
    from extractor.web import security

    if not security.is_loopback(host) and not token:
        raise click.UsageError(
            f"--host {host} would expose the review app beyond this machine: "
            "give --token (or set EXTRACTOR_TOKEN)"
        )
    if inbox is None and not os.path.exists(db) and "://" not in db:
        raise click.UsageError(f"no database at {db}: run `extractor batch … --db {db}` first")
    if inbox is not None and not inbox.is_dir():
        raise click.UsageError(f"--watch {inbox}: no such folder")
    import uvicorn

    from extractor.store import Store
    from extractor.web import create_app

    Store(db).close()  # create or migrate it once, before the app and the watcher share it
    watcher = None
    if inbox is not None:
        from extractor.watch import WatchOptions, start_background

        watcher = start_background(WatchOptions(inbox=inbox, db=db, archive=archive, jobs=jobs))
        click.echo(f"watching {inbox} for reports", err=True)
    allowed = None if token else [*security.LOOPBACK_NAMES, host]
    app = create_app(db, token=token, allowed_hosts=allowed)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"review app on http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if watcher is not None:
            watcher.stop()  # the documents in progress are finished and stored


def register(cli_group: click.Group) -> None:
    cli_group.add_command(serve_command)
