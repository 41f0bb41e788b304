"""What the page receives of a run: its data once (:func:`run_data`), then its frames as Server-Sent Events.

The stream sends each new frame as a ``data:`` line (a JSON object), and a change of the run's state
that no frame shows as an ``event: status`` (``{"run", "state", "epoch", "waiting"}``): a run that waits
for a free core says so, and a run that ended (cancelled, or its page idle too long) says so before
the stream closes, so that the page closes it instead of reconnecting. A comment line goes out every
:data:`KEEPALIVE_S` seconds while nothing else does, so that a client that went away is noticed.
"""

from __future__ import annotations

import asyncio
import json

from reglab.web.export import current_request, reglab_commands
from reglab.web.plane import INPUTS, raw_points
from reglab.web.session import PlaygroundRun

__all__ = ["KEEPALIVE_S", "events", "run_data"]

KEEPALIVE_S = 5.0  # an SSE comment this often while no frame comes, so a gone client is noticed


def _json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


async def events(run: PlaygroundRun, until_finished: bool):
    """Frames and status events of ``run`` until the run ends (or, with ``until_finished``, until its
    next frame whose state is finished); the run ends when the stream does."""
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()

    def wake() -> None:
        try:
            loop.call_soon_threadsafe(ready.set)
        except RuntimeError:  # the loop has closed: the stream is gone
            pass

    def status() -> str:
        return f"event: status\ndata: {_json({'run': run.id, 'state': run.state, 'epoch': run.epoch, 'waiting': run.waiting})}\n\n"

    waiting = False
    run.attach(wake)
    try:
        while True:
            try:
                await asyncio.wait_for(ready.wait(), timeout=KEEPALIVE_S)
            except TimeoutError:
                if not run.alive:
                    yield status()
                    break
                yield ": keep-alive\n\n"
                continue
            ready.clear()
            if run.waiting != waiting:
                waiting = run.waiting
                yield status()
            frame = run.take()
            if frame is not None:
                yield f"data: {_json(frame)}\n\n"
            if not run.alive:
                yield status()
                break
            if until_finished and frame is not None and frame["state"] == "finished":
                break
    finally:
        run.detach(wake)
        run.cancel()


def run_data(run: PlaygroundRun, features: list[str]) -> dict:
    """What the page draws once per run: points in raw units, the grid's extent, names, and what the page
    needs to run the models itself (input features and their scaling, layer sizes, activation)."""
    split, scaled = run.split, run.features

    def points(part: str) -> list[list[float]]:
        xy = raw_points(split, part)
        y = getattr(split, f"y_{part}").astype(float)
        if split.task == "regression":
            y = y * split.y_scale + split.y_mean
        return [[round(float(a), 5), round(float(b), 5), round(float(c), 5)] for (a, b), c in zip(xy, y)]

    inputs = [
        {"id": name, "label": INPUTS[name], "mean": float(scaled.x_mean[j]), "scale": float(scaled.x_scale[j])}
        for j, name in enumerate(run.inputs)
    ]
    request = current_request(run.request, run.configs, run.lams, run.command_epochs())
    return {
        "id": run.id, "task": split.task, "classes": list(split.class_names), "features": features,
        "score": "r2" if split.task == "regression" else "accuracy", "held_out": "validation" if run.held_out == "val" else "test",
        "grid": {"n": int(run.grid.inputs.shape[0] ** 0.5), "x": run.grid.x_range, "y": run.grid.y_range},
        "target_range": list(run.context.target[:2]), "target_scaling": [float(split.y_mean), float(split.y_scale)],
        "labels": [c.label for c in run.configs], "inputs": inputs, "sizes": list(run.context.sizes), "activation": run.request.activation,
        "draw": "page" if run.context.page_draws else "server",
        "points": {"train": points("train"), "val": points("val"), "test": points("test")},
        "epochs": run.cap, "commands": reglab_commands(request),
    }  # fmt: skip
