"""The review app's routes: parse the request, call the store or the review service, render.

Pages (server-rendered, Jinja2 with autoescape) and the JSON API under /api/ that the
pages' script and other scripts call. `create_app(db)` builds the app for one database;
`extractor serve` (cli_serve.py) runs it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from extractor import review
from extractor.store import CellChangedError, Store, StoredDocument, UnknownCellError
from extractor.web import crops, security
from extractor.web.layout import labels_by_key, table_views

HERE = Path(__file__).parent
STATUSES = ("needs_review", "reviewed", "ok", "failed")
# A document's file is identified by its sha256 and a crop's URL names the cell's row: the
# same URL always shows the same pixels, so the browser may keep them.
IMAGE_CACHE = {"Cache-Control": "private, max-age=3600"}
SortKey = Literal["flagged", "agency", "year", "status", "path"]


class ReviewBody(BaseModel):
    """A decision on one cell. `value`: the number the page shows, or null for a blank."""

    value: Any = Field(description="a number (int or decimal) or null for a blank cell")
    reviewer: str = Field(min_length=1, max_length=120)
    note: str | None = Field(default=None, max_length=2000)
    version: str | None = Field(
        default=None,
        max_length=40,
        description="the cell's `version` when it was shown: refused (409) if it changed",
    )


def create_app(
    db: str | Path,
    token: str | None = None,
    allowed_hosts: list[str] | None = None,
) -> FastAPI:
    """The review app over the database `db` (a file path or SQLAlchemy URL).

    `token`: required on every request when set. `allowed_hosts`: Host header names the
    app answers (None: any; the CLI passes the loopback names when there is no token).
    """
    store = Store(db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    # FastAPI's own /docs loads Swagger UI from a CDN: this app works offline, so /docs is
    # a plain page rendered from the same OpenAPI description (/openapi.json).
    app = FastAPI(
        title="extractor review", version="1", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.store = store
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context["csrf"] = security.csrf_token(request)
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def login_page(request: Request, error: str | None) -> Response:
        return page(request, "login.html", error=error)

    security.install(app, token, allowed_hosts, login_page)

    def load(document_id: int) -> StoredDocument:
        doc = review.load(store, document_id)
        if doc is None:
            raise HTTPException(404, f"no document {document_id}")
        return doc

    # --- pages ---------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def queue_page(
        request: Request,
        status: str | None = Query(None, max_length=20),
        agency: str | None = Query(None, max_length=200),
        year: int | None = None,
        sort: SortKey = "flagged",
        desc: bool = True,
    ) -> Response:
        entries = store.review_queue(status=status or None, year=year, agency=agency or None)
        entries = _sorted(entries, sort, desc)
        counts = {s: 0 for s in STATUSES}
        for entry in store.review_queue():
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return page(
            request, "queue.html", entries=entries, counts=counts, statuses=STATUSES,
            status=status or "", agency=agency or "", year=year, sort=sort, desc=desc,
        )

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, document_id: int) -> Response:
        doc = load(document_id)
        cells = {c.key: (c, r) for c, r in doc.effective_cells()}
        fmt = doc.result.report.format
        file_error = _file_error(doc)
        pages = sorted({c.page for c, _ in cells.values() if c.page})
        tables = table_views(list(cells), fmt)
        return page(
            request, "document.html", doc=doc, cells=cells, tables=tables,
            labels=labels_by_key(tables), failed=doc.result.failed_checks,
            pending=review.pending_keys(doc), file_error=file_error, pages=pages,
            doc_json=review.document_json(doc),
        )

    @app.get(
        "/documents/{document_id}/pages/{number}",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def page_view(request: Request, document_id: int, number: int) -> Response:
        doc = load(document_id)
        boxes = [
            (c, r) for c, r in doc.effective_cells() if c.page == number and c.bbox is not None
        ]
        size, file_error = None, _file_error(doc)
        fmt = doc.result.report.format
        if file_error is None:
            try:
                size = crops.page_size(crops.locate_file(doc.paths, doc.sha256), number)
            except (IndexError, ValueError, OSError) as exc:
                file_error = f"page {number} cannot be shown: {exc}"
        keys = [c.key for c, _ in doc.effective_cells()]
        labels = {k: " · ".join(v) for k, v in labels_by_key(table_views(keys, fmt)).items()}
        return page(
            request, "page.html", doc=doc, number=number, boxes=boxes, size=size,
            file_error=file_error, labels=labels,
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return page(request, "api_docs.html", spec=app.openapi())

    @app.get(security.LOGIN_PATH, response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request) -> Response:
        return login_page(request, None)

    @app.post(security.LOGIN_PATH, include_in_schema=False)
    def login(
        request: Request,
        token_field: str = Form("", alias="token", max_length=500),
        csrf: str = Form("", max_length=100),
    ) -> Response:
        cookie = request.cookies.get(security.CSRF_COOKIE, "")
        if not cookie or csrf != cookie:
            return page(request, "login.html", 403, error="the form expired: try again")
        if token is None:
            return RedirectResponse("/", status_code=303)
        if not security.token_matches(token_field, token):
            return page(request, "login.html", 401, error="wrong token")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            security.SESSION_COOKIE, security.session_value(token), httponly=True,
            samesite="strict",
        )
        return response

    # --- API -----------------------------------------------------------------------------

    @app.get("/api/documents")
    def api_documents(
        status: str | None = Query(None, max_length=20),
        agency: str | None = Query(None, max_length=200),
        year: int | None = None,
        sort: SortKey = "agency",
        desc: bool = False,
    ) -> dict[str, list[dict[str, Any]]]:
        """Documents (filtered): id, path, agency, year, status, flagged (not yet decided)."""
        entries = _sorted(store.review_queue(status=status, year=year, agency=agency), sort, desc)
        return {"documents": [entry.__dict__ for entry in entries]}

    @app.get("/api/documents/{document_id}")
    def api_document(document_id: int) -> JSONResponse:
        """The result contract object with reviews applied, plus `id`."""
        return JSONResponse(review.document_json(load(document_id)))

    @app.get(
        "/api/documents/{document_id}/cells/{key}/image",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}}},
    )
    def api_cell_image(document_id: int, key: str) -> Response:
        """The page around the cell (its row label and column header in view), as PNG."""
        doc = load(document_id)
        cells = doc.result.cell_map()
        cell = cells.get(key)
        if cell is None:
            raise HTTPException(404, f"document {document_id} has no cell {key}")
        if cell.page is None or cell.bbox is None:
            raise HTTPException(404, f"cell {key} has no position on a page")
        path = _file_or_404(doc)
        table = [
            crops.Box(c.page, *c.bbox)
            for c in cells.values()
            if c.page == cell.page and c.bbox and c.key.split(".")[0] == key.split(".")[0]
        ]
        try:
            png = crops.cell_crop_png(path, crops.Box(cell.page, *cell.bbox), table)
        except (IndexError, ValueError, OSError) as exc:
            raise HTTPException(404, f"page {cell.page} cannot be rendered: {exc}") from exc
        return Response(png, media_type="image/png", headers=IMAGE_CACHE)

    @app.get(
        "/api/documents/{document_id}/pages/{number}/image",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}}},
    )
    def api_page_image(document_id: int, number: int) -> Response:
        """A whole page as PNG (the page view draws the cells' boxes over it)."""
        path = _file_or_404(load(document_id))
        try:
            png = crops.page_png(path, number)
        except (IndexError, ValueError, OSError) as exc:
            raise HTTPException(404, f"page {number} cannot be rendered: {exc}") from exc
        return Response(png, media_type="image/png", headers=IMAGE_CACHE)

    @app.post("/api/documents/{document_id}/cells/{key}/review")
    def api_review(document_id: int, key: str, body: ReviewBody) -> JSONResponse:
        """Decide one cell; answers the updated document (checks re-run on reviewed values)."""
        decision = review.Decision(key, body.value, body.reviewer, body.note, body.version)
        try:
            doc = review.decide(store, document_id, decision)
        except UnknownCellError as exc:
            raise HTTPException(404, str(exc)) from exc
        except review.InvalidValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        except CellChangedError as exc:
            return JSONResponse(
                {"detail": str(exc), "current_version": exc.current}, status_code=409
            )
        # already JSON-safe: straight to JSON (FastAPI's generic encoder costs ~5× more)
        return JSONResponse(review.document_json(doc))

    return app


def _sorted(entries: list, sort: str, desc: bool) -> list:
    def key(entry: Any) -> tuple:
        value = getattr(entry, sort)
        return (value is None, value if value is not None else 0, entry.id)

    ordered = sorted(entries, key=key)
    if desc:
        missing = [e for e in ordered if getattr(e, sort) is None]
        ordered = [e for e in ordered if getattr(e, sort) is not None][::-1] + missing
    return ordered


def _file_error(doc: StoredDocument) -> str | None:
    try:
        crops.locate_file(doc.paths, doc.sha256)
    except crops.FileMissingError as exc:
        return str(exc)
    return None


def _file_or_404(doc: StoredDocument) -> Path:
    try:
        return crops.locate_file(doc.paths, doc.sha256)
    except crops.FileMissingError as exc:
        raise HTTPException(404, str(exc)) from exc
