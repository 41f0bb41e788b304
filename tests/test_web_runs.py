"""The playground's runs on the server: one per page (its owner), ended when the page is hidden or gone,
and the cores shared in turn by many runs, none refused below the cap."""

import json
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from reglab.runs import threads
from reglab.web import create_app
from reglab.web.app import OWNER_HEADER
from reglab.web.budget import CoreBudget
from reglab.web.models import RunRequest
from reglab.web.plane import load_plane
from reglab.web.session import PlaygroundRun

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = {"hidden": [4], "batch_size": 64, "data": {"n_samples": 60, "val_size": 0.25}}
PAGE_A, PAGE_B = "a" * 32, "b" * 32


def run_threads():
    return [t for t in threading.enumerate() if t.name.startswith("reglab-run-")]


def wait_until(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def events(response):
    """``(kind, document)`` of each event of a stream as it comes: ``frame`` or ``status``."""
    kind = "frame"
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[len("event: ") :]
        elif line.startswith("data: "):
            yield kind, json.loads(line[len("data: ") :])
            kind = "frame"


def create(client, owner=None, **changes):
    headers = {OWNER_HEADER: owner} if owner else {}
    response = client.post("/api/runs", json={**TINY, **changes}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# one run per page ------------------------------------------------------------------------------------


def test_a_pages_new_run_replaces_its_last_and_only_its_owner_reaches_it():
    with TestClient(create_app(idle_timeout=30.0, warm=False)) as client:
        first = create(client, PAGE_A)["id"]
        second = create(client, PAGE_A)["id"]
        other = create(client, PAGE_B)["id"]
        status = client.get("/api/status").json()
        assert sorted(r["id"] for r in status["runs"]) == sorted([second, other]) and status["owners"] == 2
        assert set(status) == {"runs", "owners", "limit", "cores", "workers"}  # states and counts, never a run's data or owner
        assert status["workers"] is None  # runs train in threads of the test's process
        assert client.get(f"/api/runs/{first}", headers={OWNER_HEADER: PAGE_A}).status_code == 404
        refused = client.post(f"/api/runs/{other}/control", json={"action": "play"}, headers={OWNER_HEADER: PAGE_A})
        message = f"Run {other} belongs to another page; a page reaches only its own run."
        assert refused.status_code == 403 and refused.json() == {"detail": message, "message": message}
        assert client.delete(f"/api/runs/{other}").status_code == 403  # no owner is no owner of it either
        assert client.get(f"/api/runs/{other}/stream?owner={PAGE_A}").status_code == 403
        assert client.delete(f"/api/runs/{other}?owner={PAGE_B}").status_code == 200  # a page's keepalive DELETE
        bad = client.post("/api/runs", json=TINY, headers={OWNER_HEADER: "page-one"})
        assert bad.status_code == 422 and bad.json()["message"] == (
            f"The '{OWNER_HEADER}' header must be 32 hexadecimal digits (a page makes one when it loads). Got 'page-one' instead."
        )
    assert wait_until(lambda: not run_threads())


def test_one_page_sending_many_runs_at_once_keeps_exactly_one(monkeypatch):
    import reglab.data

    load = reglab.data.load

    def slow_load(config):  # a slow build widens the window between a place's reservation and its run
        time.sleep(0.05)
        return load(config)

    monkeypatch.setattr(reglab.data, "load", slow_load)
    with TestClient(create_app(idle_timeout=30.0, warm=False, max_runs=4)) as client:
        barrier = threading.Barrier(12)

        def post(_):
            barrier.wait()
            return client.post("/api/runs", json=TINY, headers={OWNER_HEADER: PAGE_A})

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(post, range(12)))
        assert {a.status_code for a in answers} <= {200, 409}  # a replaced request is superseded, never refused for room
        alive = client.get("/api/status").json()["runs"]
        assert len(alive) == 1 and alive[0]["id"] in {a.json()["id"] for a in answers if a.status_code == 200}
        assert wait_until(lambda: len(run_threads()) == 2)  # the replaced runs' threads have ended
        for answer in answers:
            if answer.status_code == 409:
                assert answer.json()["message"] == "This page asked for a newer run while this one was being made; the newer one is kept."


def test_a_hidden_page_ends_its_run_even_with_its_stream_open():
    with TestClient(create_app(idle_timeout=1.0, warm=False)) as client:
        run = create(client, PAGE_A, autoplay=True, epochs=None)["id"]
        start = time.monotonic()
        with client.stream("GET", f"/api/runs/{run}/stream?owner={PAGE_A}") as response:
            seen = list(events(response))  # the page takes every frame, but sends no heartbeat: it is hidden
        kind, last = seen[-1]
        assert kind == "status" and last["state"] == "cancelled" and 0.9 < time.monotonic() - start < 4.0
        assert sum(k == "frame" for k, _ in seen) > 1  # it trained while the page was still counted as there
    assert wait_until(lambda: not run_threads())


def test_a_visible_page_keeps_its_run_with_heartbeats():
    with TestClient(create_app(idle_timeout=0.6, warm=False)) as client:
        run = create(client, PAGE_A)["id"]
        for _ in range(8):  # 2 s, three idle timeouts
            assert client.post(f"/api/runs/{run}/heartbeat", headers={OWNER_HEADER: PAGE_A}).json()["state"] == "paused"
            time.sleep(0.25)
        assert wait_until(lambda: client.get(f"/api/runs/{run}", headers={OWNER_HEADER: PAGE_A}).status_code == 404, timeout=5.0)


# the cores shared in turn ------------------------------------------------------------------------------


def test_the_budget_hands_out_its_cores_in_turn():
    budget, holding, most, lock = CoreBudget(2), [0], [0], threading.Lock()
    turns = {k: 0 for k in range(6)}

    def work(k):
        for _ in range(30):
            slots = budget.acquire(want=2)
            with lock:
                holding[0] += slots
                most[0] = max(most[0], holding[0])
            time.sleep(0.002)
            with lock:
                holding[0] -= slots
                turns[k] += 1
                ahead = max(turns.values()) - min(turns.values())
            budget.release(slots)
            assert ahead <= 6  # round-robin: no asker gets far ahead of another

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] <= 2 and set(turns.values()) == {30}
    alone = budget.acquire(want=2)  # nobody waits: a lone asker takes every free core
    assert alone == 2 and budget.acquire(want=1, give_up=lambda: True) == 0
    budget.release(alone)


@pytest.mark.parametrize("cores", [1, 3], ids=["worker-process", "three-cores"])  # a worker process's budget has one core
def test_a_run_trains_with_the_threads_its_budget_gives_and_nothing_else_sets_them(monkeypatch, cores):
    set_to, ticked = [], []
    set_num_threads = torch.set_num_threads
    monkeypatch.setattr(torch, "set_num_threads", lambda n: (set_to.append((threading.current_thread().name, n)), set_num_threads(n)))
    monkeypatch.setattr(threads.GOVERNOR, "tick", lambda *args, **kwargs: ticked.append(threading.current_thread().name))
    request = RunRequest.model_validate({**TINY, "epochs_per_frame": 1})
    run = PlaygroundRun(request, load_plane(request, None), budget=CoreBudget(cores))
    try:
        for _ in range(3):
            run.command("step").result(timeout=30)
        assert wait_until(lambda: run.epoch == 3 and run.take() is not None)
    finally:
        run.cancel(wait=5.0)
    worker, drawer = f"reglab-run-{run.id}", f"reglab-run-{run.id}-frames"
    assert {n for name, n in set_to if name == worker} == {cores}  # alone on the budget: every core, each frame
    assert [n for name, n in set_to if name == drawer] == [1] and {name for name, _ in set_to} == {worker, drawer}
    assert ticked == []  # the engine and the playground never tick the command line's governor


def test_a_run_that_waits_for_a_core_says_so_and_starts_by_itself():
    app = create_app(idle_timeout=30.0, warm=False, cores=1)
    with TestClient(app) as client:
        held = app.state.budget.acquire()  # every core is busy elsewhere
        run = create(client, PAGE_A, autoplay=True)["id"]
        statuses = []
        with client.stream("GET", f"/api/runs/{run}/stream?owner={PAGE_A}") as response:
            for kind, doc in events(response):
                if kind == "status":
                    statuses.append(doc)
                    if doc["waiting"]:
                        assert client.get(f"/api/runs/{run}", headers={OWNER_HEADER: PAGE_A}).json()["waiting"] is True
                        app.state.budget.release(held)
                elif doc["epoch"] > 0:
                    break
        assert statuses[0]["waiting"] is True and statuses[1]["waiting"] is False and doc["epoch"] > 0


def test_many_clients_all_progress_and_none_is_refused_below_the_cap():
    clients, seconds = 8, 3.0
    app = create_app(idle_timeout=30.0, warm=False, cores=2, max_runs=clients)
    with TestClient(app) as client:
        owners = [f"{k:032x}" for k in range(clients)]
        runs = [create(client, owner, autoplay=True)["id"] for owner in owners]
        assert client.post("/api/runs", json=TINY).status_code == 429  # the cap holds
        barrier = threading.Barrier(clients)

        def watch(k):
            barrier.wait()
            end, frames = time.monotonic() + seconds, []
            with client.stream("GET", f"/api/runs/{runs[k]}/stream?owner={owners[k]}") as response:
                for kind, doc in events(response):
                    if kind == "frame":
                        frames.append(doc["epoch"])
                    if time.monotonic() > end:
                        break
            return frames

        with ThreadPoolExecutor(clients) as pool:
            seen = list(pool.map(watch, range(clients)))
        status = client.get("/api/status").json()
    assert status["cores"] == 2
    for frames in seen:
        assert len(frames) >= 5 and frames[-1] >= 5  # every run trained and streamed, none starved
    rates = sorted(len(f) for f in seen)
    assert rates[0] >= rates[-1] / 4  # in turn: the slowest run is not far behind the fastest
