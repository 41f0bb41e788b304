"""The playground end to end: runs streamed through the page's own endpoints, one client or many at once.

    .venv/bin/python bench/playground_speed.py                       # 5 models 2→128→128→1, moons 500 points, 10 s
    .venv/bin/python bench/playground_speed.py --clients 30          # 30 pages at once, each the page's default run
    .venv/bin/python bench/playground_speed.py --clients 30 --workers 0    # the same, every run in the server's own process
    .venv/bin/python bench/playground_speed.py --frame-costs         # what one frame costs the server, drawn there or not

Starts ``reglab serve``'s app under uvicorn in a child process (with one worker process per core, as
``reglab serve`` does, unless ``--workers`` says otherwise) and "presses play" as the page does
(POST /api/runs with autoplay, then GET /api/runs/{id}/stream), reading Server-Sent Events for
``--seconds``. With one client (the default workload: a 5-model compare of 2→128→128→1, which the server
draws) it measures:

- first_frame_s: from the POST to the first frame of a trained epoch (epoch >= 1), boundaries included;
- fps: frames received per second after that (each frame: >= 1 epoch of every model, its boundaries
  or weights, histograms, verdicts);
- epochs_per_s: epochs every model advances per second;
- status_latency_ms: median latency of GET /api/status every 100 ms during the run (p95 on stderr).

With ``--clients N`` (default workload: the page's default run, 2→8→8→1 on 500 points, whose boundary the
page draws from the streamed weights), N clients start together, and it measures each client's frames per
second (min, median, max) and epochs per second, and the server's CPU share: the CPU seconds of its
process and its worker processes over the window, divided by the window and the cores.

``--frame-costs`` starts no server: it times, in this process with one thread, what the server spends on
one frame of a run (training a frame's epochs, then building the frame with the boundaries drawn by the
server, or with the weights for the page to draw), for a few networks.

Details go to stderr; the last line on stdout is one JSON object. Numbers go into bench/RESULTS.md by
hand, with the command that produced them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx

import workloads as wl  # bench/ is on the path: this script's own folder

SERVER = """
import sys, uvicorn
from reglab.web import create_app
port, cores, workers = int(sys.argv[1]), int(sys.argv[2]) or None, int(sys.argv[3])
uvicorn.run(create_app(cores=cores, workers=workers, max_runs=256), host="127.0.0.1", port=port, log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, cores: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(cores), str(workers)], env={**os.environ})
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            workers = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=1).json()["workers"]
            if workers is None or workers["ready"] >= 1:  # the first worker has warmed up (scikit-learn, a dataset)
                time.sleep(2.0 if workers is None else 0.5)  # a server without workers warms up in a thread
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU seconds so far of process ``pid`` (all its threads) and, with ``children``, of its child processes."""

    def own(p: int) -> float:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    if not children:
        return own(pid)
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return own(pid) + sum(own(c) for c in children)


def poll_status(base: str, stop: threading.Event, latencies: list[float]) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get(f"{base}/api/status").raise_for_status()
            latencies.append(1000 * (time.perf_counter() - start))
            stop.wait(0.1)


def request_of(hidden: list[int], models: int) -> dict:
    return {
        "data": {"dataset": "moons", "n_samples": 500, "noise": 0.25},
        "hidden": hidden, "batch_size": 32, "autoplay": True,
        "models": [{"penalty": "l2", "lam": lam} for lam in (0, 0.001, 0.01, 0.1, 1, 10)[:models]],
    }  # fmt: skip


def stream(base: str, request: dict, seconds: float, start: threading.Barrier | None = None, received: list | None = None) -> dict:
    """One client: presses play and reads frames for ``seconds`` after its first trained frame (their times
    also go to ``received`` as they come)."""
    if start is not None:
        start.wait()
    with httpx.Client(timeout=60) as client:
        pressed = time.perf_counter()
        run = client.post(f"{base}/api/runs", json=request).json()
        first_trained, frames, epochs, costs = None, [] if received is None else received, [], []
        with client.stream("GET", f"{base}/api/runs/{run['id']}/stream") as response:
            event = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: "):]
                    continue
                if not line.startswith("data: ") or event is not None:
                    event = None
                    continue
                frame = json.loads(line[6:])
                now = time.perf_counter()
                if frame["epoch"] >= 1 and first_trained is None:
                    first_trained = now
                if first_trained is not None:
                    frames.append(now)
                    epochs.append(frame["epoch"])
                    costs.append((frame["timing"]["train_ms"], frame["timing"]["frame_ms"], frame["timing"]["epochs"]))
                    assert len(frame["models"]) == len(request["models"])
                    if now - first_trained >= seconds:
                        break
        client.delete(f"{base}/api/runs/{run['id']}")
    span = frames[-1] - frames[0]
    return {
        "first_frame_s": first_trained - pressed, "fps": (len(frames) - 1) / span, "epochs_per_s": (epochs[-1] - epochs[0]) / span,
        "epochs": epochs[-1],
        "train_ms": statistics.median(c[0] for c in costs), "frame_ms": statistics.median(c[1] for c in costs),
        "epochs_per_frame": statistics.median(c[2] for c in costs), "draw": run["draw"],
    }  # fmt: skip


def measure_one(base: str, seconds: float, hidden: list[int], models: int) -> dict:
    latencies: list[float] = []
    stop = threading.Event()
    poller = threading.Thread(target=poll_status, args=(base, stop, latencies), daemon=True)
    poller.start()
    result = stream(base, request_of(hidden, models), seconds)
    stop.set()
    poller.join()
    latencies.sort()
    sys.stderr.write(
        f"first trained frame {result['first_frame_s']:.3f} s; {result['fps']:.1f} frames/s, {result['epochs_per_s']:.1f} epochs/s; "
        f"status latency median {statistics.median(latencies):.1f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms; "
        f"per frame (median): training {result['train_ms']:.1f} ms for {result['epochs_per_frame']:g} epochs, "
        f"building {result['frame_ms']:.1f} ms (boundaries drawn by the {result['draw']})\n"
    )
    return {
        "first_frame_s": round(result["first_frame_s"], 3), "fps": round(result["fps"], 1),
        "epochs_per_s": round(result["epochs_per_s"], 1), "status_latency_ms": round(statistics.median(latencies), 1),
        "draw": result["draw"],
    }  # fmt: skip


def measure_many(base: str, pid: int, seconds: float, hidden: list[int], models: int, clients: int, cores: int) -> dict:
    start = threading.Barrier(clients + 1)
    results: list[dict] = [{}] * clients
    received: list[list[float]] = [[] for _ in range(clients)]

    def client(k: int) -> None:
        results[k] = stream(base, request_of(hidden, models), seconds, start, received[k])

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    time.sleep(1.0)  # every client has pressed play and got its first frames
    cpu0, own0, wall0 = cpu_seconds(pid), cpu_seconds(pid, children=False), time.perf_counter()
    frames0 = sum(len(f) for f in received)
    time.sleep(max(0.5, seconds - 1.5))
    cpu1, own1, wall1 = cpu_seconds(pid), cpu_seconds(pid, children=False), time.perf_counter()
    frames1 = sum(len(f) for f in received)
    for t in threads:
        t.join()
    fps = sorted(r["fps"] for r in results)
    epochs = sorted(r["epochs_per_s"] for r in results)
    share = (cpu1 - cpu0) / (wall1 - wall0) / cores
    serving_ms = 1000 * (own1 - own0) / max(1, frames1 - frames0)  # the server process itself (HTTP, streams), per frame sent
    sys.stderr.write(
        f"{clients} clients on {cores} cores: frames/s per client min {fps[0]:.1f}, median {statistics.median(fps):.1f}, "
        f"max {fps[-1]:.1f}; {sum(fps):.0f} frames/s in all; epochs/s per client min {epochs[0]:.0f}, median "
        f"{statistics.median(epochs):.0f}, {sum(epochs):.0f} in all; server CPU {share:.0%} of the cores (its own process "
        f"{serving_ms:.2f} ms of CPU per frame sent); first trained frame "
        f"median {statistics.median(r['first_frame_s'] for r in results):.2f} s; per frame (median) training "
        f"{statistics.median(r['train_ms'] for r in results):.1f} ms, building {statistics.median(r['frame_ms'] for r in results):.1f} ms "
        f"(boundaries drawn by the {results[0]['draw']})\n"
    )
    return {
        "clients": clients, "fps_min": round(fps[0], 1), "fps_median": round(statistics.median(fps), 1), "fps_total": round(sum(fps), 1),
        "epochs_per_s_min": round(epochs[0], 1), "epochs_per_s_total": round(sum(epochs), 1),
        "server_cpu_share": round(share, 3), "serving_cpu_ms_per_frame": round(serving_ms, 3), "draw": results[0]["draw"],
    }  # fmt: skip


def frame_costs() -> list[dict]:
    """Per frame, in ms, one thread: training a frame's epochs (FRAME_INTERVAL), building the frame as the
    server does (weights for the page to draw, or boundaries drawn here on the run's grid), and building it
    with every boundary drawn here on the full 100 × 100 grid (JSON encoding included in both)."""
    import dataclasses

    import torch

    from reglab.data import load
    from reglab.engine import StackTrainer
    from reglab.web import frames
    from reglab.web.models import RunRequest
    from reglab.web.plane import GRID, plane_grid
    from reglab.web.session import FRAME_INTERVAL

    torch.set_num_threads(1)
    rows = []
    for hidden, models in (([8, 8], 1), ([8, 8], 5), ([16, 16], 1), ([128, 128], 5)):
        request = RunRequest.model_validate(request_of(hidden, models))
        split = load(request.data.data_config())
        trainer = StackTrainer(request.run_configs(), [split] * models)
        next(trainer.epochs())  # the first epoch allocates its buffers
        start, epochs = time.perf_counter(), 0
        for _ in trainer.epochs():
            epochs += 1
            if time.perf_counter() - start >= FRAME_INTERVAL:
                break
        train_ms = 1000 * (time.perf_counter() - start)
        run = frames.frame_context("bench", request, split, split)  # as the server runs it
        server = dataclasses.replace(run, page_draws=False, grid=plane_grid(split, split, n=GRID))  # every boundary drawn here, 100 × 100
        inputs = frames.snapshot(trainer, run, 1, "playing", epochs, 0.0, False)
        cost = {}
        for name, context in (("run", run), ("server", server)):
            frames.build_frame(inputs, context)
            start = time.perf_counter()
            for _ in range(10):
                frame = frames.build_frame(inputs, context)
                json.dumps(frame, separators=(",", ":"))
            cost[name] = 100 * (time.perf_counter() - start)
        drawn = "page" if run.page_draws else f"server, {int(run.grid.inputs.shape[0] ** 0.5)}²"
        row = {"hidden": hidden, "models": models, "drawn_by": drawn, "train_ms": round(train_ms, 1), "epochs": epochs,
               "frame_ms": round(cost["run"], 2), "frame_ms_server_draws_100": round(cost["server"], 2)}  # fmt: skip
        sys.stderr.write(f"{row}\n")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to stream after the first frame")
    parser.add_argument("--clients", type=int, default=1, help="clients streaming at once (1: the compare measurement)")
    parser.add_argument("--models", type=int, default=None, help="compared models per run (default: 5 for one client, 1 for many)")
    parser.add_argument("--hidden", default=None, help="hidden layers (default: 128,128 for one client, 8,8 for many)")
    parser.add_argument("--cores", type=int, default=0, help="the server's core budget (0: the cores this process may use)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core; 0: none, threads)")
    parser.add_argument("--frame-costs", action="store_true", help="time one frame's parts in this process; no server")
    args = parser.parse_args()
    if args.frame_costs:
        machine = wl.print_machine()
        print(json.dumps({"frame_costs": frame_costs(), "machine": machine}))
        return
    many = args.clients > 1
    models = args.models or (1 if many else 5)
    hidden = [int(h) for h in (args.hidden or ("8,8" if many else "128,128")).split(",")]
    machine = wl.print_machine()  # the CPU and its matmul peak, beside every figure
    cores = args.cores or len(os.sched_getaffinity(0))
    workers = cores if args.workers is None else args.workers
    port = free_port()
    server = start_server(port, args.cores, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        if many:
            result = measure_many(base, server.pid, args.seconds, hidden, models, args.clients, cores)
        else:
            result = measure_one(base, args.seconds, hidden, models)
    finally:
        server.terminate()
        server.wait(10)
    print(json.dumps({**result, "models": models, "hidden": hidden, "cores": cores, "workers": workers, "machine": machine}))


if __name__ == "__main__":
    main()
