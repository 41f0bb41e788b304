"""The playground end to end: a compare-mode run streamed through the page's own endpoint.

    .venv/bin/python bench/playground_speed.py                 # 5 models 2→128→128→1, moons 500 points, 10 s
    .venv/bin/python bench/playground_speed.py --threads 2     # torch threads of the training worker

Starts ``reglab serve``'s app under uvicorn in a child process, "presses play" (POST /api/runs with
autoplay, then GET /api/runs/{id}/stream, as the page does) and reads Server-Sent Events for
``--seconds``, while another thread asks GET /api/status every 100 ms. Measures:

- first_frame_s: from the POST to the first frame of a trained epoch (epoch >= 1), boundary grids included;
- fps: frames received per second after that (each frame: >= 1 epoch of every model and a 100 × 100
  boundary grid per model, histograms, verdicts);
- epochs_per_s: epochs every model advances per second;
- status_latency_ms: median latency of the status request during the run (p95 on stderr).

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
threads = int(sys.argv[2]) or None
uvicorn.run(create_app(threads=threads), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(threads)], env={**os.environ})
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=1).status_code == 200:
                time.sleep(2.0)  # let the server's warm-up (scikit-learn import, first dataset) finish
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def poll_status(base: str, stop: threading.Event, latencies: list[float]) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get(f"{base}/api/status").raise_for_status()
            latencies.append(1000 * (time.perf_counter() - start))
            stop.wait(0.1)


def measure(base: str, seconds: float, models: int) -> dict:
    request = {
        "data": {"dataset": "moons", "n_samples": 500, "noise": 0.25},
        "hidden": [128, 128], "epochs": 10000, "batch_size": 32, "autoplay": True,
        "models": [{"penalty": "l2", "lam": lam} for lam in (0, 0.001, 0.01, 0.1, 1, 10)[:models]],
    }  # fmt: skip
    latencies: list[float] = []
    stop = threading.Event()
    with httpx.Client(timeout=30) as client:
        pressed = time.perf_counter()
        run = client.post(f"{base}/api/runs", json=request).json()
        first_any = first_trained = None
        frames, epochs, costs = [], [], []
        with client.stream("GET", f"{base}/api/runs/{run['id']}/stream") as response:
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                frame = json.loads(line[6:])
                now = time.perf_counter()
                first_any = first_any or now
                if frame["epoch"] >= 1 and first_trained is None:
                    first_trained = now
                    poller = threading.Thread(target=poll_status, args=(base, stop, latencies), daemon=True)
                    poller.start()
                if first_trained is not None:
                    frames.append(now)
                    epochs.append(frame["epoch"])
                    costs.append((frame["timing"]["train_ms"], frame["timing"]["frame_ms"], frame["timing"]["epochs"]))
                    assert len(frame["models"]) == models and all(len(m["boundary"]["p"]) > 10000 for m in frame["models"])
                if first_trained is not None and now - first_trained >= seconds:
                    break
        stop.set()
        poller.join()
        client.delete(f"{base}/api/runs/{run['id']}")
    span = frames[-1] - frames[0]
    latencies.sort()
    sys.stderr.write(
        f"first frame (epoch 0) {first_any - pressed:.3f} s; first trained frame {first_trained - pressed:.3f} s; "
        f"{len(frames)} frames, epochs {epochs[0]} → {epochs[-1]} in {span:.2f} s; "
        f"status latency median {statistics.median(latencies):.1f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms "
        f"over {len(latencies)} requests; per frame (median): training {statistics.median(c[0] for c in costs):.1f} ms "
        f"for {statistics.median(c[2] for c in costs):g} epochs, drawing {statistics.median(c[1] for c in costs):.1f} ms\n"
    )
    return {
        "first_frame_s": round(first_trained - pressed, 3),
        "fps": round((len(frames) - 1) / span, 1),
        "epochs_per_s": round((epochs[-1] - epochs[0]) / span, 1),
        "status_latency_ms": round(statistics.median(latencies), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to stream after the first frame")
    parser.add_argument("--models", type=int, default=5, help="compared models (1 to 6)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads of the training worker (0: reglab's thread policy)")
    args = parser.parse_args()
    machine = wl.print_machine()  # the CPU and its matmul peak, beside every figure
    port = free_port()
    server = start_server(port, args.threads)
    try:
        result = measure(f"http://127.0.0.1:{port}", args.seconds, args.models)
    finally:
        server.terminate()
        server.wait(10)
    print(json.dumps({**result, "threads": args.threads, "models": args.models, "machine": machine}))


if __name__ == "__main__":
    main()
