"""Batch on a real Dask cluster (scheduler + 2 worker processes) into a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.pipeline import extract_document
from extractor.store import Store
from tests.servers import query
from tests.test_batch import REAL, html_variants, stored

ROOT = Path(__file__).resolve().parent.parent


def slow_or_extract(path: str):  # noqa: ANN201 - the workers' extractor, by import path
    """The real pipeline, except that a file named *slow* never finishes on its own."""
    if "slow" in Path(path).name:
        while True:
            time.sleep(0.05)
    return extract_document(path)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
            os.environ.get("PYTHONPATH")]))}  # fmt: skip


def batch(*args: str) -> list[str]:
    return [sys.executable, "-m", "extractor.cli_batch", "batch", *args, "--no-progress"]


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    tmp_path: Path, dask_cluster, postgres_url: str  # noqa: ANN001
) -> None:
    """The issue's bar: 40 reports, 2 workers, one `kill -9`ed mid-batch, into PostgreSQL."""
    paths = html_variants(tmp_path / "in", 40)
    cmd = batch(str(tmp_path / "in"), "--db", postgres_url, "--scheduler", dask_cluster.address)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    from distributed import Client

    with Client(dask_cluster.address, timeout=30) as client:
        deadline = time.monotonic() + 120
        busy: list[str] = []
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                done = len(stored(postgres_url))
            except Exception:  # noqa: BLE001 - the schema is still being created
                done = 0
            busy = [w for w, tasks in client.processing().items() if tasks]
            if done >= 6 and busy:
                break
            time.sleep(0.05)
        assert busy and proc.poll() is None, "the batch finished before a worker could be killed"
        pids = client.run(os.getpid)
        os.kill(pids[busy[0]], signal.SIGKILL)  # a worker with a document in progress
        killed_at = len(stored(postgres_url))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert killed_at < len(paths)
    rows = stored(postgres_url)
    assert len(rows) == len({sha for sha, _ in rows}) == len(paths)
    assert {status for _, status in rows} == {"ok"}  # the killed worker's document was rerun
    assert query(postgres_url, "select count(*) from document_paths") == [(len(paths),)]
    per_doc = query(postgres_url, "select count(*) from cells group by document_id")
    assert len(per_doc) == len(paths) and len({n for (n,) in per_doc}) == 1
    assert "dashboard http" in out
    again = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "0 extracted" in again.stdout and f"{len(paths)} already in the database" in again.stdout
    assert len(stored(postgres_url)) == len(paths)
    dask_cluster.wait_for_workers()  # the nanny replaced the killed worker


def test_ship_sends_the_bytes_where_workers_cannot_see_the_files(
    tmp_path: Path, dask_cluster  # noqa: ANN001
) -> None:
    """Relative paths from the client's folder mean nothing on the workers (another cwd),
    as on a cluster without shared storage: --ship makes them work."""
    html_variants(tmp_path / "in", 4)
    common = ["in", "--scheduler", dask_cluster.address]
    blind = subprocess.run(batch(*common, "--db", "blind.sqlite"), cwd=tmp_path, env=env(),
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert blind.returncode == 0 and "4 failed" in blind.stdout  # failures do not stop a batch
    assert "does not exist" in blind.stderr
    shipped = subprocess.run(batch(*common, "--db", "shipped.sqlite", "--ship"), cwd=tmp_path,
                             env=env(), capture_output=True, text=True, timeout=300)  # fmt: skip
    assert shipped.returncode == 0, shipped.stderr
    with Store(tmp_path / "shipped.sqlite") as store:
        docs = store.load_documents()
    assert len(docs) == 4 and all(d.result.status == "ok" for d in docs)
    assert sorted(d.paths[0] for d in docs) == [f"in/report-{i:03d}.html" for i in range(4)]
    assert all(len(d.result.cells) > 100 for d in docs)
    # every worker of a cluster the project did not start got the allocator's setting
    # (without it, Dask's MALLOC_TRIM_THRESHOLD_ costs the documents 25% more CPU)
    from distributed import Client

    with Client(dask_cluster.address, timeout=30) as client:
        tuned = client.run(lambda dask_worker: "extractor-tune-allocator" in dask_worker.plugins)
    assert len(tuned) == 2 and all(tuned.values())


def test_a_runaway_document_times_out_on_a_worker_and_the_worker_goes_on(
    tmp_path: Path, dask_cluster  # noqa: ANN001
) -> None:
    folder = tmp_path / "in"
    html_variants(folder, 3)
    (folder / "slow.html").write_bytes((REAL / "pingtan_2025.html").read_bytes())
    pids = dask_cluster.worker_pids()
    db = tmp_path / "r.sqlite"
    cmd = batch(str(folder), "--db", str(db), "--scheduler", dask_cluster.address,
                "--timeout", "3", "--extractor", "tests.test_dask:slow_or_extract")  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 failed" in done.stdout
    assert f"{folder / 'slow.html'}: extraction took longer than 3 s" in done.stderr
    assert sorted(s for _, s in stored(db)) == ["failed", "ok", "ok", "ok"]
    assert dask_cluster.worker_pids() == pids  # no worker died or was replaced


def test_local_cluster_gives_the_pool_s_results(tmp_path: Path) -> None:
    """`--scheduler local:2` starts its own two workers; the results equal `--jobs 2`'s."""
    inputs = [REAL / "hzq2023.pdf", REAL / "pingtan_2024.html", REAL / "pingtan_2025.html"]
    results = {}
    for name, option in (("pool", ["--jobs", "2"]), ("dask", ["--scheduler", "local:2"])):
        db = tmp_path / f"{name}.sqlite"
        cmd = batch(*map(str, inputs), "--db", str(db), *option)
        done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
        with Store(db) as store:
            results[name] = {
                d.sha256: (d.result.status, [c.model_dump() for c in d.result.cells])
                for d in store.load_documents()
            }
        if name == "dask":
            assert "Dask local cluster, 2 worker processes" in done.stdout
            assert "dashboard http" in done.stdout
    assert len(results["pool"]) == 3 and results["pool"] == results["dask"]


def hog_or_extract(path: str):  # noqa: ANN201 - the workers' extractor, by import path
    """The real pipeline, except that a file named *hog* takes memory until it is stopped."""
    if "hog" in Path(path).name:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 2**20))
            time.sleep(0.05)
    return extract_document(path)


@pytest.mark.slow
def test_a_document_over_the_memory_limit_fails_and_the_others_go_through(tmp_path: Path) -> None:
    """Over `--memory-limit` the nanny replaces the worker and Dask tries the document again;
    after Dask's allowed failures it is stored as failed with the reason."""
    folder = tmp_path / "in"
    html_variants(folder, 3)
    (folder / "hog.html").write_bytes((REAL / "pingtan_2025.html").read_bytes())
    db = tmp_path / "r.sqlite"
    cmd = batch(str(folder), "--db", str(db), "--scheduler", "local:2", "--memory-limit",
                "1200MiB", "--extractor", "tests.test_dask:hog_or_extract")  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0 and "1 failed" in done.stdout, done.stderr
    assert f"{folder / 'hog.html'}: the Dask workers running this file died" in done.stderr
    assert sorted(s for _, s in stored(db)) == ["failed", "ok", "ok", "ok"]


@pytest.mark.slow
def test_ctrl_c_on_a_local_cluster_stops_cleanly_and_a_rerun_finishes(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches the whole process group, the local workers included:
    they ignore it, the documents in progress are stored, the re-run does the rest."""
    paths = html_variants(tmp_path / "in", 30)
    db = tmp_path / "r.sqlite"
    cmd = batch(str(tmp_path / "in"), "--db", str(db), "--scheduler", "local:2")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if db.exists() and len(stored(db)) >= 3:
                break
        except Exception:  # noqa: BLE001 - the schema is still being created
            pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130 and "interrupted" in out and "Traceback" not in err, err
    kept = len(stored(db))
    assert 3 <= kept < len(paths)
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and f"{kept} already in the database" in done.stdout
    rows = stored(db)
    assert len(rows) == len({sha for sha, _ in rows}) == len(paths)
