"""The playground's FastAPI application: one page, its static files, and a JSON API.

====================================  ========================================================
``GET  /``                            the page (``static/index.html``); ``/static/*`` its files
``GET  /api/options``                 limits, datasets and the λ convention
``GET  /api/status``                  the server: runs training now
``POST /api/uploads``                 a CSV table as the raw body → ``{"id", "features", ...}``
``POST /api/runs``                    a :class:`~reglab.web.models.RunRequest` → the run's data
``GET  /api/runs/{id}``               the run's state and epoch
``GET  /api/runs/{id}/stream``        Server-Sent Events, one ``data:`` JSON frame per event (``?until=finished``)
``POST /api/runs/{id}/control``       play, pause, step, reset
``POST /api/runs/{id}/hyperparameters``  λ, penalty, L1 method or learning rate of one model
``GET  /api/runs/{id}/export``        configs, weights, history and matching command lines
``DELETE /api/runs/{id}``             ends the run
====================================  ========================================================

A bad request value gets 422 with ``detail`` (pydantic's list, without the inputs) and ``message``,
one line naming the field, the value received and what was expected (:mod:`reglab.web.refusals`); every
other refusal is ``{"detail", "message"}`` with the same line. A body over :data:`REQUEST_BYTES` (an
upload over its own limit) gets 413; with ``allowed_hosts``, a request whose Host header names another
host gets 400 (:mod:`reglab.web.guards`). At most ``LIMITS["runs"]`` runs train at once, however many
requests arrive together (:mod:`reglab.web.registry`); one more gets 429. A stream that ends because
its client went away ends its run.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reglab.errors import ReglabError
from reglab.web.export import reglab_commands
from reglab.web.frames import raw_points
from reglab.web.guards import BodyLimit, HostGuard
from reglab.web.models import DATASETS, LIMITS, Control, HyperparameterChange, RunRequest
from reglab.web.refusals import error_detail, one_line, refusal
from reglab.web.registry import RunLimitReached, RunRegistry
from reglab.web.session import PlaygroundRun, RunGone
from reglab.web.uploads import UploadStore

__all__ = ["create_app"]

STATIC = Path(__file__).with_name("static")
RUN_ID = PathParam(pattern=r"^[0-9a-f]{16}$")
REQUEST_BYTES = 64 * 1024  # a JSON request's body; the largest valid one (6 models, 8 layers) is under 4 KiB
KEEPALIVE_S = 5.0  # an SSE comment this often while no frame comes, so a gone client is noticed
CONVENTION = (
    "L2(λ) adds λ·Σw² and L1(λ) adds λ·Σ|w| to the batch-mean data loss (Keras), over hidden kernels "
    "(the output's too when asked), never biases. TF Playground's rate = 2λ; PyTorch SGD weight_decay = 2λ; "
    "scikit-learn alpha = 2λ·batch_size."
)


def create_app(
    *, idle_timeout: float = 30.0, threads: int | None = None, warm: bool = True, allowed_hosts: Iterable[str] | None = None
) -> FastAPI:
    """The playground application. ``idle_timeout``: seconds a run waits for a stream before it ends;
    ``threads``: torch intra-op threads of the training workers (None: reglab's thread policy, which
    follows the machine's load between epochs, see :mod:`reglab.engine.threads`);
    ``warm``: load a dataset in the background at start-up so the first run starts fast;
    ``allowed_hosts``: the host names a request's Host header may give, with any port (None: no check,
    for a test client or an application that checks hosts in front of this one; ``reglab serve`` always
    passes its bound address, the loopback names and its ``--allow-host`` names)."""
    runs = RunRegistry(LIMITS["runs"])
    uploads = UploadStore()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            threading.Thread(target=_warm_up, name="reglab-warm-up", daemon=True).start()
        yield
        for run in runs.remove_all():
            run.cancel(wait=5.0)
        uploads.close()

    app = FastAPI(title="reglab playground", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runs = runs
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, default=(REQUEST_BYTES, "request body"), paths={"/api/uploads": (LIMITS["upload_bytes"], "uploaded CSV")})
    if allowed_hosts is not None:
        app.add_middleware(HostGuard, allowed=allowed_hosts)  # added last: checked first

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(jsonable_encoder({"detail": error_detail(exc), "message": one_line(exc)}), status_code=422)

    @app.exception_handler(ReglabError)
    async def refused(request: Request, exc: ReglabError) -> JSONResponse:
        return refusal(422, str(exc))

    @app.exception_handler(RunLimitReached)
    async def full(request: Request, exc: RunLimitReached) -> JSONResponse:
        return refusal(429, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return refusal(exc.status_code, str(exc.detail), exc.headers)

    def find(run_id: str) -> PlaygroundRun:
        run = runs.find(run_id)
        if run is None:
            raise HTTPException(404, f"Run {run_id} does not exist or has ended; start a new one.")
        return run

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/options")
    def options() -> dict:
        return {"limits": LIMITS, "datasets": list(DATASETS), "convention": CONVENTION, "defaults": RunRequest().model_dump()}

    @app.get("/api/status")
    def status() -> dict:
        return {"runs": [r.status() for r in runs.alive()], "limit": runs.limit}

    @app.post("/api/uploads")
    async def upload(request: Request) -> dict:
        return await asyncio.to_thread(uploads.add, await request.body())  # at most LIMITS["upload_bytes"]: BodyLimit

    @app.post("/api/runs")
    def create(request: RunRequest) -> dict:
        from reglab.data import load

        with runs.reserve() as place:  # RunLimitReached (429) before anything is loaded
            path = uploads.path(request.data.upload) if request.data.dataset == "upload" else None
            split = load(request.data.data_config(path))
            if split.n_features != 2:
                raise ReglabError(f"The playground draws 2-D data only. Got {split.n_features} features instead.")
            run = PlaygroundRun(request, split, idle_timeout=idle_timeout, threads=threads)
            place.fill(run)
        return _run_data(run, uploads.features(request.data.upload) if path else ["x0", "x1"])

    @app.get("/api/runs/{run_id}")
    def run_status(run_id: str = RUN_ID) -> dict:
        return find(run_id).status()

    @app.get("/api/runs/{run_id}/stream")
    async def stream(run_id: str = RUN_ID, until: Literal["ended", "finished"] = "ended") -> StreamingResponse:
        run = find(run_id)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(_events(run, until == "finished"), media_type="text/event-stream", headers=headers)

    async def answer(run: PlaygroundRun, kind: str, payload=None):
        try:
            return await asyncio.wait_for(asyncio.wrap_future(run.command(kind, payload)), timeout=30.0)
        except RunGone as exc:
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None

    @app.post("/api/runs/{run_id}/control")
    async def control(body: Control, run_id: str = RUN_ID) -> dict:
        return await answer(find(run_id), body.action)

    @app.post("/api/runs/{run_id}/hyperparameters")
    async def change(body: HyperparameterChange, run_id: str = RUN_ID) -> dict:
        return await answer(find(run_id), "change", body)

    @app.get("/api/runs/{run_id}/export")
    async def export(run_id: str = RUN_ID) -> dict:
        run = find(run_id)
        snapshot = await answer(run, "snapshot")
        document = {"schema_version": 1, "kind": "reglab-playground", "request": run.request.model_dump()}
        return {**document, "commands": reglab_commands(run.request), **snapshot}

    @app.delete("/api/runs/{run_id}")
    def end(run_id: str = RUN_ID) -> dict:
        run = runs.remove(run_id)  # a run whose stream already ended it is ended again, quietly
        if run is None:
            raise HTTPException(404, f"Run {run_id} does not exist or has ended; start a new one.")
        run.cancel(wait=5.0)
        return {"id": run_id, "state": "cancelled"}

    return app


async def _events(run: PlaygroundRun, until_finished: bool):
    """Frames of ``run`` as Server-Sent Events until the run ends (or, with ``until_finished``, until its
    last epoch's frame); the run ends when the stream does."""
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()

    def wake() -> None:
        try:
            loop.call_soon_threadsafe(ready.set)
        except RuntimeError:  # the loop has closed: the stream is gone
            pass

    run.attach(wake)
    try:
        while True:
            try:
                await asyncio.wait_for(ready.wait(), timeout=KEEPALIVE_S)
            except TimeoutError:
                if not run.alive:
                    break
                yield ": keep-alive\n\n"
                continue
            ready.clear()
            frame = run.take()
            if frame is not None:
                yield f"data: {json.dumps(frame, separators=(',', ':'))}\n\n"
            if not run.alive or until_finished and frame is not None and frame["state"] == "finished":
                break
    finally:
        run.detach(wake)
        run.cancel()


def _run_data(run: PlaygroundRun, features: list[str]) -> dict:
    """What the page draws once per run: points in raw units, the grid's extent, names."""
    split = run.split

    def points(part: str) -> list[list[float]]:
        xy = raw_points(split, part)
        y = getattr(split, f"y_{part}").astype(float)
        if split.task == "regression":
            y = y * split.y_scale + split.y_mean
        return [[round(float(a), 5), round(float(b), 5), round(float(c), 5)] for (a, b), c in zip(xy, y)]

    return {
        "id": run.id, "task": split.task, "classes": list(split.class_names), "features": features,
        "score": "r2" if split.task == "regression" else "accuracy", "held_out": "validation" if run.held_out == "val" else "test",
        "grid": {"n": int(run.grid.inputs.shape[0] ** 0.5), "x": run.grid.x_range, "y": run.grid.y_range},
        "target_range": run.target_range, "labels": [c.label for c in run.configs],
        "points": {"train": points("train"), "val": points("val"), "test": points("test")},
        "epochs": run.request.epochs, "commands": reglab_commands(run.request),
    }  # fmt: skip


def _warm_up() -> None:
    """Imports scikit-learn and draws a dataset once, so that pressing play is fast."""
    from reglab.config import DataConfig
    from reglab.data import load

    load(DataConfig())
