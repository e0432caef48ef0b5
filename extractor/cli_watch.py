"""The `watch` command; extractor/cli.py adds it with `register(main)`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click


@click.command("watch")
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", required=True, help="Database file or URL (the one `batch` uses).")
@click.option("--archive", type=click.Path(file_okay=False, path_type=Path),
              help="Move each file, once stored, to DIR/processed/ or DIR/failed/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write <stem>.json (the result contract) for each file here.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [all cores].")
@click.option("--poll", type=click.FloatRange(min=0.1),
              help="Look for changes every SECONDS instead of file events (network shares).")
@click.option("--settle", type=click.FloatRange(min=0.0), default=2.0, show_default=True,
              help="Seconds a file's size and mtime must stay unchanged before it is taken.")
@click.option("--once", is_flag=True, help="Process what is in the inbox now, then exit.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append a line per event (taken, stored, archived, failed) to this file.")
@click.option("--timeout", type=float, default=600.0, show_default=True,
              help="Seconds per document.")
def watch_command(
    inbox: Path, db: str, archive: Path | None, out: Path | None, jobs: int | None,
    poll: float | None, settle: float, once: bool, log_file: Path | None, timeout: float,
) -> None:
    """Extract every report dropped into INBOX (and its sub-folders) into the database.

    Each document is stored once by its content; Ctrl-C or SIGTERM finishes the documents
    in progress and exits; after a crash, run it again: nothing is lost or duplicated.
    """
    from extractor.watch import WatchOptions, run_watch

    if not inbox.is_dir():
        raise click.BadParameter(f"{inbox} is not a folder", param_hint="INBOX")
    errors = logging.StreamHandler(sys.stderr)
    errors.setLevel(logging.WARNING)
    errors.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("extractor.watch").addHandler(errors)
    options = WatchOptions(inbox=inbox, db=db, archive=archive, out=out, jobs=jobs, poll=poll,
                           settle=settle, once=once, log_file=log_file,
                           timeout=timeout or None)
    counts = run_watch(options)
    click.echo(f"{counts.done} stored, {counts.failed} failed, "
               f"{counts.skipped} already in the database")


def register(cli_group: click.Group) -> None:
    cli_group.add_command(watch_command)
