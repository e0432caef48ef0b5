"""The review app's JSON API, pages and access rules, over a real extraction in real SQLite.

Every call of the issue's API table and every bad input it lists; a real `extractor serve`
subprocess for the rules that depend on how the server is bound.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from extractor.export import export
from extractor.pipeline import extract_document
from extractor.store import Store
from extractor.store.tables import decode_number
from extractor.web import create_app
from extractor.web.security import LOOPBACK_NAMES
from models.result import DocumentResult
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "samples" / "real"
TEXT_SAMPLE = ROOT / "samples" / "generated" / "text" / "t07-county-2025-errors.pdf"
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def extracted() -> DocumentResult:
    """A born-digital report whose own arithmetic is wrong: flagged cells, failed checks."""
    result = extract_document(TEXT_SAMPLE)
    assert result.status == "needs_review" and result.flagged_count >= 10
    return result


@pytest.fixture
def db(tmp_path: Path, extracted: DocumentResult) -> str:
    """A fresh database holding the report under its real path, and a copy that is gone."""
    path = str(tmp_path / "results.sqlite")
    with Store(path) as store:
        store.save_result(extracted, [str(TEXT_SAMPLE)])
        gone = tmp_path / "moved.pdf"
        shutil.copy(TEXT_SAMPLE, gone)
        other = extracted.model_copy(deep=True)
        other.document.sha256 = hashlib.sha256(gone.read_bytes() + b"x").hexdigest()
        other.document.path = str(gone)
        other.report.agency = XSS
        store.save_result(other, [str(gone)])
        gone.unlink()  # its file is no longer where the database says
    return path


def client(db: str, token: str | None = None) -> TestClient:
    hosts = None if token else list(LOOPBACK_NAMES)
    return TestClient(create_app(db, token=token, allowed_hosts=hosts), base_url="http://127.0.0.1")


def first_id(api: TestClient) -> int:
    docs = api.get("/api/documents").json()["documents"]
    return next(d["id"] for d in docs if d["path"] == str(TEXT_SAMPLE))


def reviews_in(db: str) -> list[tuple]:
    """The reviews table as SQL sees it (numbers are stored as their exact text)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT document_id, cell_key, reviewer, old_value, new_value, note FROM reviews"
        ).fetchall()
    return [(d, k, who, decode_number(old), decode_number(new), note)
            for d, k, who, old, new, note in rows]


# --- GET /api/documents --------------------------------------------------------------------


def test_documents_list_has_exactly_the_contract_fields(db: str, extracted: DocumentResult):
    api = client(db)
    answer = api.get("/api/documents", params={"status": "needs_review"})
    assert answer.status_code == 200
    documents = answer.json()["documents"]
    assert len(documents) == 2
    for doc in documents:
        assert set(doc) == {"id", "path", "agency", "year", "status", "flagged"}
        assert doc["status"] == "needs_review"
        assert doc["flagged"] == extracted.flagged_count
        assert doc["year"] == 2025
    assert api.get("/api/documents", params={"status": "ok"}).json() == {"documents": []}
    by_agency = api.get("/api/documents", params={"agency": "北湖"}).json()["documents"]
    assert [d["path"] for d in by_agency] == [str(TEXT_SAMPLE)]
    assert api.get("/api/documents", params={"year": 2024}).json() == {"documents": []}
    assert api.get("/api/documents", params={"year": "soon"}).status_code == 422


# --- GET /api/documents/{id} ---------------------------------------------------------------


def test_document_is_the_result_contract_plus_id(db: str, extracted: DocumentResult):
    api = client(db)
    doc_id = first_id(api)
    answer = api.get(f"/api/documents/{doc_id}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["id"] == doc_id
    parsed = DocumentResult.model_validate(data)  # the contract's own model accepts it
    assert parsed.status == "needs_review"
    assert [c.key for c in parsed.cells] == [c.key for c in extracted.cells]
    assert [c.value for c in parsed.cells] == [c.value for c in extracted.cells]
    assert parsed.flagged_count == extracted.flagged_count
    assert all(cell["version"] for cell in data["cells"])
    assert api.get("/api/documents/999").status_code == 404
    assert api.get("/api/documents/abc").status_code == 422


# --- GET /api/documents/{id}/cells/{key}/image -------------------------------------------


def test_cell_image_is_a_png_of_the_page_around_the_cell(db: str, extracted: DocumentResult):
    api = client(db)
    doc_id = first_id(api)
    cell = next(c for c in extracted.cells if c.flagged and c.bbox)
    answer = api.get(f"/api/documents/{doc_id}/cells/{cell.key}/image")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"
    image = np.asarray(Image.open(BytesIO(answer.content)).convert("RGB")).astype(int)
    x0, top, x1, bottom = cell.bbox
    px = 150 / 72  # crops are rendered at 150 dpi
    red = np.argwhere(abs(image - (220, 30, 30)).sum(axis=2) < 40)
    assert len(red), "the cell is outlined"
    outline_w = red[:, 1].max() - red[:, 1].min()
    outline_h = red[:, 0].max() - red[:, 0].min()
    assert abs(outline_w - (x1 - x0) * px) < 12 and abs(outline_h - (bottom - top) * px) < 12
    # more than the cell: its row label to the left and the headers above are in view
    assert red[:, 1].min() > 150 * px / 2 and image.shape[0] > 3 * (bottom - top) * px
    unknown = api.get(f"/api/documents/{doc_id}/cells/applications.nope.total/image")
    assert unknown.status_code == 404
    assert api.get("/api/documents/999/cells/x/image").status_code == 404


def test_a_missing_file_is_said_and_review_by_value_still_works(db: str):
    api = client(db)
    docs = api.get("/api/documents").json()["documents"]
    gone = next(d for d in docs if d["path"] != str(TEXT_SAMPLE))
    doc = api.get(f"/api/documents/{gone['id']}").json()
    cell = next(c for c in doc["cells"] if c["flagged"])
    image = api.get(f"/api/documents/{gone['id']}/cells/{cell['key']}/image")
    assert image.status_code == 404
    assert "no longer at" in image.json()["detail"]
    page = api.get(f"/documents/{gone['id']}")
    assert page.status_code == 200 and "no longer at" in page.text
    decided = api.post(
        f"/api/documents/{gone['id']}/cells/{cell['key']}/review",
        json={"value": cell["value"], "reviewer": "ann", "note": None},
    )
    assert decided.status_code == 200


# --- POST /api/documents/{id}/cells/{key}/review -----------------------------------------


def test_a_decision_is_stored_and_the_rules_rerun(db: str):
    api = client(db)
    doc_id = first_id(api)
    before = api.get(f"/api/documents/{doc_id}").json()
    cells = {c["key"]: c for c in before["cells"]}
    failed = [c for c in before["checks"] if not c["ok"] and c["rule"] == "appeals.group_total"]
    assert failed and failed[0]["scope"] == "litigation_direct"
    total = "appeals.litigation_direct.total"
    parts = [k for k in failed[0]["keys"] if k != total]
    assert cells[total]["flagged"]
    correct = sum(cells[k]["value"] or 0 for k in parts)

    answer = api.post(
        f"/api/documents/{doc_id}/cells/{total}/review",
        json={"value": correct, "reviewer": "ann", "note": "sum of the row",
              "version": cells[total]["version"]},
    )
    assert answer.status_code == 200
    after = answer.json()
    cell = next(c for c in after["cells"] if c["key"] == total)
    assert (cell["value"], cell["source"], cell["flagged"]) == (correct, "review", False)
    old = cells[total]["value"]
    assert cell["review"]["reviewer"] == "ann" and cell["review"]["old_value"] == old
    rerun = next(c for c in after["checks"] if c["rule"] == "appeals.group_total"
                 and c["scope"] == "litigation_direct")
    assert rerun["ok"]  # the rule re-ran on the reviewed value
    for key in parts:  # their only doubt was that rule: no longer flagged
        part = next(c for c in after["cells"] if c["key"] == key)
        assert "rule:appeals.group_total" not in part["reasons"]
    assert reviews_in(db) == [(doc_id, total, "ann", old, correct, "sum of the row")]
    assert api.get(f"/api/documents/{doc_id}").json() == after  # what is stored is answered


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"value": "12", "reviewer": "ann"}, "number or null"),
        ({"value": "twelve", "reviewer": "ann"}, "number or null"),
        ({"value": -3, "reviewer": "ann"}, "negative"),
        ({"value": 2.5, "reviewer": "ann"}, "whole number"),
        ({"value": True, "reviewer": "ann"}, "number or null"),
        ({"value": [1], "reviewer": "ann"}, "number or null"),
        ({"value": 1}, "reviewer"),
        ({"reviewer": "ann"}, "value"),
        ({"value": 1, "reviewer": ""}, "reviewer"),
    ],
)
def test_a_value_of_the_wrong_kind_is_422_and_changes_nothing(db: str, body: dict, reason: str):
    api = client(db)
    doc_id = first_id(api)
    before = api.get(f"/api/documents/{doc_id}").json()
    key = next(c["key"] for c in before["cells"] if c["flagged"])
    answer = api.post(f"/api/documents/{doc_id}/cells/{key}/review", json=body)
    assert answer.status_code == 422
    assert reason in json.dumps(answer.json())
    assert reviews_in(db) == []
    assert api.get(f"/api/documents/{doc_id}").json() == before


def test_malformed_json_unknown_document_and_key(db: str):
    api = client(db)
    doc_id = first_id(api)
    key = "applications.total.total"
    url = f"/api/documents/{doc_id}/cells/{key}/review"
    bad = api.post(
        url, content=b'{"value": 3, "reviewer": ', headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422
    body = {"value": 3, "reviewer": "ann"}
    assert api.post(f"/api/documents/999/cells/{key}/review", json=body).status_code == 404
    missing = api.post(f"/api/documents/{doc_id}/cells/applications.nope/review", json=body)
    assert missing.status_code == 404 and "no cell" in missing.json()["detail"]
    assert reviews_in(db) == []


def test_a_decision_on_a_cell_changed_since_shown_is_refused(db: str):
    ann, bob = client(db), client(db)
    doc_id = first_id(ann)
    shown = ann.get(f"/api/documents/{doc_id}").json()  # both see the same page
    cell = next(c for c in shown["cells"] if c["flagged"])
    url = f"/api/documents/{doc_id}/cells/{cell['key']}/review"
    first = bob.post(url, json={"value": 5, "reviewer": "bob", "version": cell["version"]})
    assert first.status_code == 200
    second = ann.post(url, json={"value": 7, "reviewer": "ann", "version": cell["version"]})
    assert second.status_code == 409
    assert "changed by bob since it was shown" in second.json()["detail"]
    assert [r[2:] for r in reviews_in(db)] == [("bob", cell["value"], 5, None)]
    now = next(c for c in ann.get(f"/api/documents/{doc_id}").json()["cells"]
               if c["key"] == cell["key"])
    again = ann.post(url, json={"value": 7, "reviewer": "ann", "version": now["version"]})
    assert again.status_code == 200  # decided on what is there now: accepted
    assert [r[2:] for r in reviews_in(db)][-1] == ("ann", 5, 7, None)


def test_deciding_every_flag_makes_the_document_reviewed_and_exports_carry_it(
    db: str, tmp_path: Path, extracted: DocumentResult
):
    api = client(db)
    doc_id = first_id(api)
    doc = api.get(f"/api/documents/{doc_id}").json()
    blank_key = None
    for _ in range(200):
        pending = [c for c in doc["cells"] if c["flagged"]]
        if not pending:
            break
        cell = pending[0]
        value = cell["value"]
        if blank_key is None and value == 0:
            blank_key, value = cell["key"], None  # a person marks one cell blank
        answer = api.post(
            f"/api/documents/{doc_id}/cells/{cell['key']}/review",
            json={"value": value, "reviewer": "ann", "version": cell["version"]},
        )
        assert answer.status_code == 200
        doc = answer.json()
    assert doc["status"] == "reviewed"
    failed = [c for c in doc["checks"] if not c["ok"]]
    assert failed and all(c["blame"] == "source" for c in failed)  # the report's own errors
    listed = api.get("/api/documents", params={"status": "reviewed"}).json()["documents"]
    assert [(d["id"], d["flagged"]) for d in listed] == [(doc_id, 0)]

    out = export(db, tmp_path / "out.csv", "csv", status="reviewed")
    with out[0].open(encoding="utf-8-sig") as fh:
        rows = {r["key"]: r for r in csv.DictReader(fh)}
    assert blank_key is not None
    blank = rows[blank_key]
    assert (blank["value"], blank["source"], blank["reviewed_by"]) == ("", "review", "ann")
    assert blank["original_value"] == "0" and blank["flagged"] == "False"
    flagged_keys = {c.key for c in extracted.cells if c.flagged}
    assert {k for k, r in rows.items() if r["source"] == "review"} == flagged_keys

    with Store(db) as store:  # a forced re-extraction of the same file keeps the reviews
        store.save_result(extracted, [str(TEXT_SAMPLE)])
        assert store.load_document(doc_id).result.status == "reviewed"


# --- pages, escaping, access --------------------------------------------------------------


def test_pages_escape_untrusted_labels(db: str):
    api = client(db)
    queue = api.get("/", params={"status": "needs_review"})
    assert queue.status_code == 200
    assert XSS not in queue.text and "&lt;img src=x onerror=" in queue.text
    gone = next(d for d in api.get("/api/documents").json()["documents"] if d["agency"] == XSS)
    page = api.get(f"/documents/{gone['id']}")
    assert XSS not in page.text and "&lt;img src=x onerror=" in page.text
    assert "<img src=x" not in page.text.replace("\\u003c", "<").split("doc-data")[0]


def test_page_view_draws_every_cell_of_the_page(db: str, extracted: DocumentResult):
    api = client(db)
    doc_id = first_id(api)
    page_no = next(c.page for c in extracted.cells if c.page)
    on_page = [c for c in extracted.cells if c.page == page_no and c.bbox]
    view = api.get(f"/documents/{doc_id}/pages/{page_no}")
    assert view.status_code == 200
    assert view.text.count('<a class="box ') == len(on_page)
    image = api.get(f"/api/documents/{doc_id}/pages/{page_no}/image")
    assert image.status_code == 200 and image.content[:4] == b"\x89PNG"
    assert api.get(f"/api/documents/{doc_id}/pages/99/image").status_code == 404


def test_without_a_token_only_loopback_host_names_are_answered(db: str):
    api = client(db)
    assert api.get("/api/documents", headers={"host": "evil.example"}).status_code == 400
    assert api.get("/api/documents", headers={"host": "localhost:8000"}).status_code == 200


def test_a_post_from_another_site_is_refused(db: str):
    api = client(db)
    doc_id = first_id(api)
    url = f"/api/documents/{doc_id}/cells/applications.total.total/review"
    body = {"value": 1, "reviewer": "mallory"}
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        answer = api.post(url, json=body, headers=headers)
        assert answer.status_code == 403
    assert api.post(url, json=body, headers={"origin": "http://127.0.0.1"}).status_code == 200
    assert len(reviews_in(db)) == 1


def test_with_a_token_every_request_needs_it(db: str):
    api = client(db, token="s3cret")
    doc_id = 1
    for url in ("/", "/api/documents", f"/api/documents/{doc_id}", f"/documents/{doc_id}",
                "/static/review.js", "/docs", "/openapi.json"):
        assert api.get(url).status_code == 401, url
        assert api.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
    page = api.get("/", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'name="token"' in page.text  # the login form
    bearer = {"authorization": "Bearer s3cret"}
    assert api.get("/api/documents", headers=bearer).status_code == 200
    url = f"/api/documents/{doc_id}/cells/applications.total.total/review"
    assert api.post(url, json={"value": 1, "reviewer": "x"}).status_code == 401
    assert api.post(url, json={"value": 1, "reviewer": "x"}, headers=bearer).status_code == 200


def test_login_form_sets_a_session_and_posts_need_the_csrf_token(db: str):
    api = client(db, token="s3cret")
    form = api.get("/login")
    csrf = api.cookies.get("extractor_csrf")
    assert form.status_code == 200 and csrf and csrf in form.text
    assert api.post("/login", data={"token": "s3cret", "csrf": "forged"}).status_code == 403
    assert api.post("/login", data={"token": "wrong", "csrf": csrf}).status_code == 401
    logged = api.post("/login", data={"token": "s3cret", "csrf": csrf}, follow_redirects=False)
    assert logged.status_code == 303 and api.cookies.get("extractor_session")
    assert api.get("/api/documents").status_code == 200  # the cookie is enough to read
    url = "/api/documents/1/cells/applications.total.total/review"
    assert api.post(url, json={"value": 1, "reviewer": "x"}).status_code == 403
    ok = api.post(url, json={"value": 1, "reviewer": "x"}, headers={"x-csrf-token": csrf})
    assert ok.status_code == 200


def test_schema_allows_reviewed():
    run = subprocess.run(
        [sys.executable, "-m", "extractor", "schema"], capture_output=True, text=True,
        env=_env(), check=True,
    )
    schema = json.loads(run.stdout)
    assert "reviewed" in schema["properties"]["status"]["enum"]


# --- the real server --------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("EXTRACTOR_TOKEN", None)
    return env


def test_serve_refuses_to_bind_beyond_loopback_without_a_token(db: str):
    run = subprocess.run(
        [sys.executable, "-m", "extractor", "serve", "--db", db, "--host", "0.0.0.0"],
        capture_output=True, text=True, env=_env(), timeout=120,
    )
    assert run.returncode != 0
    assert "--token" in run.stderr


def test_serve_beyond_loopback_answers_nothing_without_the_token(db: str):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", db, "--host", "0.0.0.0",
         "--port", str(port)],
        env={**_env(), "EXTRACTOR_TOKEN": "t0ken"}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                first = httpx.get(base + "/api/documents", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert first.status_code == 401
        for url in ("/", "/documents/1", "/api/documents/1", "/static/style.css"):
            assert httpx.get(base + url).status_code == 401
        good = httpx.get(base + "/api/documents", headers={"authorization": "Bearer t0ken"})
        assert good.status_code == 200 and len(good.json()["documents"]) == 2
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_pages_work_offline(db: str):
    """Nothing is loaded from another host: no CDN, no web font, no external script."""
    api = client(db)
    doc_id = first_id(api)
    for url in ("/", f"/documents/{doc_id}", f"/documents/{doc_id}/pages/2", "/docs", "/login"):
        text = api.get(url).text
        assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text) is None, url
        assert "@import" not in text
    api_docs = api.get("/docs").text
    assert "POST /api/documents/{document_id}/cells/{key}/review" in api_docs


def test_serve_with_a_watch_folder_extracts_dropped_reports_into_the_queue(tmp_path: Path):
    """`serve --watch INBOX`: a report dropped in shows up in the review app's API, is
    archived once stored, and stopping the server stops its watcher."""
    inbox, archive, db = tmp_path / "inbox", tmp_path / "archive", str(tmp_path / "w.sqlite")
    inbox.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", db, "--port", str(port),
         "--watch", str(inbox), "--archive", str(archive), "--jobs", "1"],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        shutil.copy(REAL / "pingtan_2024.html", inbox / "平潭 2024.html")
        deadline = time.monotonic() + 180
        documents: list = []
        while not documents:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "the dropped report never reached the app"
            time.sleep(0.5)
            try:
                documents = httpx.get(base + "/api/documents", timeout=5).json()["documents"]
            except httpx.TransportError:
                continue
        assert documents[0]["path"].endswith("平潭 2024.html")
        assert documents[0]["year"] == 2024
        while not (archive / "processed" / "平潭 2024.html").exists():
            assert time.monotonic() < deadline, "the stored report was not archived"
            time.sleep(0.3)
        assert list(inbox.iterdir()) == []
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert children, "the watcher runs in a child process of the server"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    assert server.returncode in (0, -15), server.stderr.read().decode()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in children):
        assert time.monotonic() < deadline, "the watcher outlived the server"
        time.sleep(0.2)
