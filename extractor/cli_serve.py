"""The `serve` command: the review app over a results database; cli.py adds it.

A thin shell over `extractor.web.create_app(db)`: options, the loopback/token rule, uvicorn.
"""

from __future__ import annotations

import os

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
def serve_command(db: str, host: str, port: int, token: str | None) -> None:
    """Review flagged cells in a browser: http://HOST:PORT/ (API under /api/, docs /docs)."""
    run_server(db, host, port, token or None)


def run_server(db: str, host: str, port: int, token: str | None) -> None:
    """Build the app for `db` and serve it until interrupted (Ctrl-C, SIGTERM)."""
    from extractor.web import security

    if not security.is_loopback(host) and not token:
        raise click.UsageError(
            f"--host {host} would expose the review app beyond this machine: "
            "give --token (or set EXTRACTOR_TOKEN)"
        )
    if not os.path.exists(db) and "://" not in db:
        raise click.UsageError(f"no database at {db}: run `extractor batch … --db {db}` first")
    import uvicorn

    from extractor.web import create_app

    allowed = None if token else [*security.LOOPBACK_NAMES, host]
    app = create_app(db, token=token, allowed_hosts=allowed)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"review app on http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(cli_group: click.Group) -> None:
    cli_group.add_command(serve_command)
