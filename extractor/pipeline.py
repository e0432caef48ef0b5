"""One document, file to result: read → grids → canonical cells → rules → flags.

`extract_document` never raises for a bad input: a file that cannot be processed
comes back with status "failed" and an error a person can act on.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from extractor.errors import ExtractionError, NoTablesFoundError
from extractor.limits import is_out_of_memory, out_of_memory
from extractor.metadata import find_metadata
from extractor.reconcile.cells import build_cells
from extractor.reconcile.flags import confirm_placements, judge_failed_checks
from extractor.reconcile.layout import detect_layout
from extractor.reconcile.mapping import read_tables
from extractor.reconcile.reading import Reading
from extractor.reconcile.rules import run_rules
from extractor.sources.base import TITLE_PAGES, SourceDocument
from extractor.sources.load import read_source
from extractor.sources.pictures import PICTURES_NOT_SAVED
from extractor.sources.reread import describe, pages_to_reread, reread_by_ocr
from models.result import DocumentInfo, DocumentResult, ReportInfo

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def extract_document(path: str | Path) -> DocumentResult:
    path = Path(path)
    started = time.perf_counter()
    info = DocumentInfo(path=str(path), sha256="")
    try:
        if not path.is_file():
            raise ExtractionError(f"{path} does not exist or is not a file")
        info.sha256 = file_sha256(path)
        result = _extract(path, info)
    except ExtractionError as exc:
        result = DocumentResult(document=info, status="failed", error=str(exc))
    except FileNotFoundError:
        result = _failed(info, f"{path.name} disappeared before it could be read (moved or "
                               "deleted while waiting); put it back to have it read")
    except PermissionError as exc:
        result = _failed(info, f"{path.name} cannot be read: permission denied ({exc.strerror}); "
                               "give this program read access to it")
    except MemoryError:
        result = _failed(info, out_of_memory(path.name))
    except RecursionError:
        result = _failed(info, f"{path.name} is nested too deeply to read (a damaged or "
                               "hostile file); re-download or re-export it")
    except Exception as exc:  # a bug of ours must not end a batch: report it, keep going
        if is_out_of_memory(exc):  # a native library's own allocation failure
            result = _failed(info, out_of_memory(path.name))
            result.timings["total"] = round(time.perf_counter() - started, 4)
            return result
        log.exception("unexpected error on %s", path)
        result = _failed(
            info,
            f"internal error while reading {path.name}: {type(exc).__name__}: {exc} "
            "(please report this file)",
        )
    result.timings["total"] = round(time.perf_counter() - started, 4)
    return result


def _failed(info: DocumentInfo, error: str) -> DocumentResult:
    return DocumentResult(document=info, status="failed", error=error)


def _extract(path: Path, info: DocumentInfo) -> DocumentResult:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    source = read_source(path)
    timings["read"] = round(time.perf_counter() - clock, 4)
    info.pages, info.kind = source.page_count, source.kind  # type: ignore[assignment]

    clock = time.perf_counter()
    reading = read_tables([grid for page in source.pages for grid in page.grids])
    source, reading, reread_note = _reread_by_ocr(path, source, reading, timings)
    info.kind = source.kind  # type: ignore[assignment]
    clock += timings.get("reread_ocr", 0.0)  # counted on its own
    notes = [note for page in source.pages for note in page.notes] + reread_note
    if not reading.values:
        raise NoTablesFoundError(_no_tables_message(path, source, notes))
    meta = find_metadata(_title_text(source))
    layout = detect_layout(reading, meta.year)
    cells, stray = build_cells(reading, layout)
    checks = run_rules({c.key: c.value for c in cells})
    confirm_placements(cells, checks)
    judge_failed_checks(cells, checks)
    timings["reconcile"] = round(time.perf_counter() - clock, 4)

    missing_tables = {"disclosure", "applications", "appeals"} - reading.tables_seen
    warnings = [*notes, *reading.warnings, *stray]
    warnings += [f"table {t} not found" for t in sorted(missing_tables)]
    flagged = any(c.flagged for c in cells) or any(not c.ok for c in checks)
    return DocumentResult(
        document=info,
        report=ReportInfo(agency=meta.agency, year=meta.year, format=layout.format),
        status="needs_review" if flagged else "ok",
        cells=cells,
        checks=checks,
        warnings=warnings,
        timings=timings,
    )


def _reread_by_ocr(
    path: Path, source: SourceDocument, reading: Reading, timings: dict[str, float]
) -> tuple[SourceDocument, Reading, list[str]]:
    """A trusted-looking text layer that gave no table (or lost one) is read again by OCR;
    the second reading is kept only when it finds more tables (or values) than the first."""
    missing = bool({"disclosure", "applications", "appeals"} - reading.tables_seen)
    found_on = {found.page for found in reading.values.values()}
    numbers = pages_to_reread(source, found_on, missing)
    if not numbers:
        return source, reading, []
    clock = time.perf_counter()
    second = reread_by_ocr(path, source, numbers)
    again = read_tables([grid for page in second.pages for grid in page.grids])
    timings["reread_ocr"] = round(time.perf_counter() - clock, 4)
    better = (len(again.tables_seen) > len(reading.tables_seen)
              or (again.tables_seen >= reading.tables_seen
                  and len(again.values) > len(reading.values)))
    if not better:
        return source, reading, []
    return second, again, [describe(numbers)]


def _title_text(source: SourceDocument) -> str:
    parts: list[str] = []
    for page in source.pages[:TITLE_PAGES]:
        parts.append(page.text)
        parts.extend(grid.context for grid in page.grids[:1])
    return "\n".join(parts)


def _no_tables_message(path: Path, source: SourceDocument, notes: list[str]) -> str:
    unsaved = [note for note in notes if PICTURES_NOT_SAVED in note]
    if unsaved:  # a web page whose tables were pictures left behind
        return f"{path.name}: {PICTURES_NOT_SAVED} ({unsaved[0].split(';')[0]})"
    if notes and all(p.reading == "ocr" and not p.grids for p in source.pages):
        return f"{path.name}: no statistical table could be read ({'; '.join(notes[:3])})"
    return (
        f"{path.name} has none of the annual report's statistical tables "
        "(二、主动公开 / 三、收到和处理申请 / 四、行政复议和诉讼); "
        "is it a 政府信息公开工作年度报告?"
    )
