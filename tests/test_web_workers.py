"""The playground with worker processes, as ``reglab serve`` runs it: runs train in other processes, and
the server answers for them as for its own (streams, commands, owners, idle pages, refusals)."""

import json
import threading
import time
import warnings

import pytest

from reglab.web import create_app
from reglab.web.app import OWNER_HEADER

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = {"hidden": [4], "batch_size": 64, "data": {"n_samples": 60, "val_size": 0.25}}
PAGE = {OWNER_HEADER: "c" * 32}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(idle_timeout=2.0, workers=2)) as c:
        end = time.monotonic() + 60
        while c.get("/api/status").json()["workers"]["ready"] < 1 and time.monotonic() < end:
            time.sleep(0.1)
        yield c


def frames(response, statuses=None):
    """Frames of an event stream as they come; status events go to ``statuses``."""
    kind = "frame"
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: "):
            doc = json.loads(line[len("data: "):])
            if kind == "frame":
                yield doc
            elif statuses is not None:
                statuses.append(doc)
            kind = "frame"


def test_a_run_trains_in_a_worker_process_and_answers_as_a_local_one(client):
    meta = client.post("/api/runs", json={**TINY, "epochs": 4, "autoplay": True}, headers=PAGE).json()
    run = f"/api/runs/{meta['id']}"
    assert meta["draw"] == "page" and meta["sizes"] == [2, 4, 1]
    assert not [t for t in threading.enumerate() if t.name.startswith("reglab-run-")]  # not in this process
    with client.stream("GET", f"{run}/stream?owner={PAGE[OWNER_HEADER]}") as response:
        seen = frames(response)
        points = []  # every curve point reaches the page once, in order, across the frames it took
        for last in seen:
            points += [r["epoch"] for r in last["trace"]]
            if last["state"] == "finished":
                break
        assert last["epoch"] == 4 and points == [1, 2, 3, 4]
        changed = client.post(f"{run}/hyperparameters", json={"model": 0, "penalty": "l2", "lam": 0.5}, headers=PAGE)
        assert changed.json() == {"model": 0, "epoch": 4, "label": "l2(λ=0.5)", "lr": 0.01}
        shown = next(seen)
        assert shown["marks"] == [{"epoch": 4, "model": 0, "text": "none, lr 0.01 → l2(λ=0.5), lr 0.01"}]
        assert client.post(f"{run}/settings", json={"dropout": 0.1}, headers=PAGE).json()["changed"] == "dropout 0 → 0.1"
        assert client.post(f"{run}/control", json={"action": "play"}, headers=PAGE).json()["state"] == "playing"
        again = next(f for f in seen if f["state"] == "finished" and f["epoch"] > 4)
        exported = client.get(f"{run}/export", headers=PAGE).json()
    assert again["epoch"] == 8 and exported["epoch"] == 8
    assert "--lam 0.5" in exported["commands"][0] and "--dropout 0.1" in exported["commands"][0]
    assert client.post(f"{run}/control", json={"action": "play"}).status_code in (403, 404)  # another page's, or ended


def test_refusals_of_a_worker_come_back_in_words(client):
    unknown = client.post("/api/runs", json={**TINY, "data": {"dataset": "upload", "upload": "0" * 16}})
    assert unknown.status_code == 422 and "upload the CSV again" in unknown.json()["message"]
    meta = client.post("/api/runs", json={**TINY, "optimizer": "adam", "models": [{"lr": 10.0}], "autoplay": True}).json()
    with client.stream("GET", f"/api/runs/{meta['id']}/stream") as response:
        last = next(f for f in frames(response) if f["state"] == "finished")
        played = client.post(f"/api/runs/{meta['id']}/control", json={"action": "play"})
    assert last["models"][0]["status"] == "diverged" and played.status_code == 409
    assert played.json()["message"] == "Every model diverged: lower the learning rate or λ, then press ⟲ Reset to train again."


def test_a_pages_runs_replace_each_other_and_a_hidden_page_ends_its_run(client):
    first = client.post("/api/runs", json=TINY, headers=PAGE).json()["id"]
    second = client.post("/api/runs", json={**TINY, "autoplay": True}, headers=PAGE).json()["id"]
    ids = [r["id"] for r in client.get("/api/status").json()["runs"]]
    assert second in ids and first not in ids
    statuses = []
    start = time.monotonic()
    with client.stream("GET", f"/api/runs/{second}/stream?owner={PAGE[OWNER_HEADER]}") as response:
        for _ in frames(response, statuses):  # no heartbeat: the page is hidden
            pass
    assert statuses[-1]["state"] == "cancelled" and time.monotonic() - start < 6.0


def test_runs_spread_over_the_worker_processes_and_all_progress():
    with TestClient(create_app(idle_timeout=60.0, workers=2)) as client:
        pages = [{OWNER_HEADER: f"{k:032x}"} for k in range(1, 5)]
        for page in pages:
            assert client.post("/api/runs", json={**TINY, "autoplay": True}, headers=page).status_code == 200
        status = client.get("/api/status").json()
        assert status["workers"]["started"] == 2 and status["owners"] == 4  # one worker per core here, no more
        end = time.monotonic() + 30
        while time.monotonic() < end and not all(r["epoch"] > 0 for r in client.get("/api/status").json()["runs"]):
            time.sleep(0.1)
        runs = client.get("/api/status").json()["runs"]
        assert len(runs) == 4 and all(r["epoch"] > 0 for r in runs)  # every run trained, on either process


def test_a_worker_that_dies_ends_its_runs_and_the_next_run_gets_a_new_one():
    app = create_app(idle_timeout=60.0, workers=1)
    with TestClient(app) as client:
        run = client.post("/api/runs", json={**TINY, "autoplay": True}, headers=PAGE).json()["id"]
        (worker,) = app.state.workers._workers
        worker.process.kill()
        end = time.monotonic() + 10
        while client.get(f"/api/runs/{run}", headers=PAGE).status_code != 404 and time.monotonic() < end:
            time.sleep(0.05)
        assert client.get(f"/api/runs/{run}", headers=PAGE).status_code == 404  # ended with its process
        again = client.post("/api/runs", json={**TINY, "epochs": 2, "autoplay": True}, headers=PAGE)
        assert again.status_code == 200
        with client.stream("GET", f"/api/runs/{again.json()['id']}/stream?owner={PAGE[OWNER_HEADER]}&until=finished") as response:
            assert [f["epoch"] for f in frames(response)][-1] == 2
