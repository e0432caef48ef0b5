"""The `extractor` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from extractor.pipeline import extract_document
from extractor.render import render_result
from models.result import DocumentResult


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Extract the statistical tables of 政府信息公开工作年度报告 into canonical data."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the contract JSON on stdout.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write <stem>.json for each file into this folder.")
def extract(files: tuple[Path, ...], as_json: bool, out: Path | None) -> None:
    """Extract one or more report files. Exit code 1 if any of them failed."""
    console = Console(stderr=as_json)
    any_failed = False
    for path in files:
        result = extract_document(path)
        any_failed |= result.status == "failed"
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"{path.stem}.json"
            target.write_text(_dump(result), encoding="utf-8")
        if as_json:
            sys.stdout.write(_dump(result) + "\n")
        elif out is None:
            render_result(result, console)
        else:
            console.print(f"{path} → {out / (path.stem + '.json')}: {result.status}")
        if result.status == "failed" and (as_json or out is not None):
            click.echo(f"failed: {path}: {result.error}", err=True)
    sys.exit(1 if any_failed else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the result contract."""
    click.echo(json.dumps(DocumentResult.model_json_schema(), ensure_ascii=False, indent=2))


def _dump(result: DocumentResult) -> str:
    return result.model_dump_json(indent=2)


try:  # batch, export and report: the results database
    from extractor.cli_batch import register
except ImportError:  # pragma: no cover - during development of the batch commands
    pass
else:
    register(main)

try:  # the watch folder
    from extractor.cli_watch import register as register_watch
except ImportError:  # pragma: no cover
    pass
else:
    register_watch(main)
try:  # serve: the review app (needs the web extras: fastapi, uvicorn, jinja2)
    from extractor.cli_serve import register as register_serve
except ImportError:  # pragma: no cover
    pass
else:
    register_serve(main)
