"""The playground's FastAPI application: one page, its static files, and a JSON API.

====================================  ========================================================
``GET  /``                            the page (``static/index.html``); ``/static/*`` its files
``GET  /api/vocabulary``              the names a request may give (datasets, activations, optimizers, penalties,
                                      L1 methods, input features) and the λ convention: the page's choices
``GET  /api/options``                 the playground's limits, a request's defaults and the idle timeout
``GET  /api/status``                  the server: its runs (state, epoch, waiting), owners, cores, worker processes
``POST /api/uploads``                 a CSV table as the raw body → ``{"id", "features", ...}``
``POST /api/runs``                    a :class:`~reglab.web.models.RunRequest` → the run's data
``GET  /api/runs/{id}``               the run's state and epoch
``GET  /api/runs/{id}/stream``        Server-Sent Events: frames, and status events (``?until=finished``)
``POST /api/runs/{id}/heartbeat``     the run's page is there and visible
``POST /api/runs/{id}/control``       play, pause, step, reset
``POST /api/runs/{id}/hyperparameters``  λ, penalty, L1 method or learning rate of one model
``POST /api/runs/{id}/settings``      the settings every model shares (:class:`~reglab.web.models.TrainingChange`)
``GET  /api/runs/{id}/export``        configs, weights, history and matching command lines
``DELETE /api/runs/{id}``             ends the run
====================================  ========================================================

A page sends its owner token (32 hexadecimal digits it makes when it loads) in the
:data:`OWNER_HEADER` header, or as ``?owner=`` where it cannot set a header (its event stream): its new
run replaces its previous one (:mod:`reglab.web.registry`), and a run made with an owner answers only
requests that carry it (403 otherwise). A bad request value gets 422 with ``detail`` (pydantic's
list, without the inputs) and ``message``, one line naming the field, the value received and what was
expected (:mod:`reglab.web.refusals`); every other refusal is ``{"detail", "message"}`` with the same
line. A body over :data:`REQUEST_BYTES` (an upload over its own limit) gets 413; with
``allowed_hosts``, a request whose Host header names another host gets 400 (:mod:`reglab.web.guards`).
At most ``max_runs`` runs are alive at once, however many requests arrive together; one more gets 429.
The runs share the server's cores in turn (:mod:`reglab.web.budget`). A stream that ends because its
client went away ends its run.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reglab.errors import ReglabError
from reglab.runs.threads import available_cores
from reglab.web.budget import CoreBudget
from reglab.web.guards import BodyLimit, HostGuard
from reglab.web.models import LIMITS, UPLOAD, Control, HyperparameterChange, RunRequest, TrainingChange, vocabulary
from reglab.web.plane import load_plane, warm_up
from reglab.web.refusals import error_detail, one_line, refusal, shown
from reglab.web.registry import RunLimitReached, RunRegistry, Superseded
from reglab.web.session import PlaygroundRun, RunGone
from reglab.web.streaming import events, run_data
from reglab.web.uploads import UploadStore
from reglab.web.workers import WorkerPool

__all__ = ["OWNER_HEADER", "create_app"]

STATIC = Path(__file__).with_name("static")
RUN_ID = PathParam(pattern=r"^[0-9a-f]{16}$")
REQUEST_BYTES = 64 * 1024  # a JSON request's body; the largest valid one (6 models, 8 layers) is under 4 KiB
OWNER_HEADER = "X-Reglab-Owner"
_OWNER = re.compile(r"[0-9a-f]{32}")


def owner_of(request: Request) -> str | None:
    """The owner token a request carries (its :data:`OWNER_HEADER` header, else its ``owner`` query parameter), if any."""
    value = request.headers.get(OWNER_HEADER, request.query_params.get("owner"))
    if value is not None and not _OWNER.fullmatch(value):
        raise HTTPException(
            422, f"The '{OWNER_HEADER}' header must be 32 hexadecimal digits (a page makes one when it loads). Got {shown(value)} instead."
        )
    return value


def create_app(
    *, idle_timeout: float = 30.0, cores: int | None = None, workers: int = 0, max_runs: int = LIMITS["runs"], warm: bool = True,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:  # fmt: skip
    """The playground application. ``idle_timeout``: seconds a run lives without its client (a page's
    heartbeat, or for a run without an owner an attached stream); ``workers``: at most this many worker
    processes train the runs, one core each (:mod:`reglab.web.workers`; ``reglab serve`` starts one per
    core), or with 0 the runs train in threads of this process, ``cores`` of them in turn (None: the cores
    this process may use); ``max_runs``: runs alive at once;
    ``warm``: load a dataset in the background at start-up so the first run starts fast;
    ``allowed_hosts``: the host names a request's Host header may give, with any port (None: no check,
    for a test client or an application that checks hosts in front of this one; ``reglab serve`` always
    passes its bound address, the loopback names and its ``--allow-host`` names)."""
    runs = RunRegistry(max_runs)
    budget = CoreBudget(cores or available_cores())
    pool = WorkerPool(workers, idle_timeout) if workers else None
    uploads = UploadStore()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if pool is not None:
            pool.start()  # one worker, warmed up in its process
        elif warm:
            threading.Thread(target=warm_up, name="reglab-warm-up", daemon=True).start()
        yield
        for run in runs.remove_all():
            run.cancel(wait=5.0)
        if pool is not None:
            pool.close()
        uploads.close()

    app = FastAPI(title="reglab playground", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runs, app.state.budget, app.state.workers = runs, budget, pool
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

    @app.exception_handler(Superseded)
    async def superseded(request: Request, exc: Superseded) -> JSONResponse:
        return refusal(409, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return refusal(exc.status_code, str(exc.detail), exc.headers)

    def find(run_id: str, owner: str | None) -> PlaygroundRun:
        run = runs.find(run_id)
        if run is None:
            raise HTTPException(404, f"Run {run_id} does not exist or has ended; start a new one.")
        if run.owner is not None and owner != run.owner:
            raise HTTPException(403, f"Run {run_id} belongs to another page; a page reaches only its own run.")
        return run

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/vocabulary")
    def names() -> dict:
        return vocabulary()

    @app.get("/api/options")
    def options() -> dict:
        return {"limits": LIMITS, "defaults": RunRequest().model_dump(), "idle_timeout_s": idle_timeout}

    @app.get("/api/status")
    def status() -> dict:
        alive = runs.alive()
        cores = pool.size if pool is not None else budget.cores
        workers = pool.counts() if pool is not None else None
        return {"runs": [r.status() for r in alive], "owners": runs.owners(), "limit": runs.limit, "cores": cores, "workers": workers}

    @app.post("/api/uploads")
    async def upload(request: Request) -> dict:
        return await asyncio.to_thread(uploads.add, await request.body())  # at most LIMITS["upload_bytes"]: BodyLimit

    @app.post("/api/runs")
    def create(request: RunRequest, owner: str | None = Depends(owner_of)) -> dict:
        with runs.reserve(owner) as place:  # RunLimitReached (429) before anything is loaded; the owner's last run ends
            path = uploads.path(request.data.upload) if request.data.dataset == UPLOAD else None
            features = uploads.features(request.data.upload) if path else ["x0", "x1"]
            if pool is not None:
                run, meta = pool.create(request, path, owner, features)
            else:
                run = PlaygroundRun(request, load_plane(request, path), idle_timeout=idle_timeout, budget=budget, owner=owner)
                meta = run_data(run, features)
            place.fill(run)  # Superseded (409) when the owner asked for a newer run meanwhile
        return meta

    @app.get("/api/runs/{run_id}")
    def run_status(run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        return find(run_id, owner).status()

    @app.get("/api/runs/{run_id}/stream")
    async def stream(
        run_id: str = RUN_ID, until: Literal["ended", "finished"] = "ended", owner: str | None = Depends(owner_of)
    ) -> StreamingResponse:
        run = find(run_id, owner)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(run, until == "finished"), media_type="text/event-stream", headers=headers)

    @app.post("/api/runs/{run_id}/heartbeat")
    def heartbeat(run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        run = find(run_id, owner)
        run.heard()
        return run.status()

    async def answer(run: PlaygroundRun, kind: str, payload=None):
        try:
            return await asyncio.wait_for(asyncio.wrap_future(run.command(kind, payload)), timeout=30.0)
        except RunGone as exc:
            raise HTTPException(404, str(exc)) from None
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from None

    @app.post("/api/runs/{run_id}/control")
    async def control(body: Control, run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        return await answer(find(run_id, owner), body.action)

    @app.post("/api/runs/{run_id}/hyperparameters")
    async def change(body: HyperparameterChange, run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        return await answer(find(run_id, owner), "change", body)

    @app.post("/api/runs/{run_id}/settings")
    async def settings(body: TrainingChange, run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        return await answer(find(run_id, owner), "settings", body)

    @app.get("/api/runs/{run_id}/export")
    async def export(run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        run = find(run_id, owner)
        snapshot = await answer(run, "snapshot")
        return {"schema_version": 1, "kind": "reglab-playground", "request": run.request.model_dump(), **snapshot}

    @app.delete("/api/runs/{run_id}")
    def end(run_id: str = RUN_ID, owner: str | None = Depends(owner_of)) -> dict:
        find(run_id, owner)
        run = runs.remove(run_id)  # a run whose stream already ended it is ended again, quietly
        if run is None:
            raise HTTPException(404, f"Run {run_id} does not exist or has ended; start a new one.")
        run.cancel(wait=5.0)
        return {"id": run_id, "state": "cancelled"}

    return app
