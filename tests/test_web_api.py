"""The playground's API through the app's test client: validation, streamed frames, controls, limits."""

import base64
import json
import threading
import time
import warnings

import numpy as np
import pytest

from reglab import regularizers
from reglab.measures.weights import weight_stats
from reglab.web import create_app
from reglab.web.frames import weight_views
from reglab.web.models import LIMITS

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = {"hidden": [4], "batch_size": 64, "data": {"n_samples": 60, "val_size": 0.25}}
FRAME_FIELDS = {"run", "epoch", "state", "reset", "models", "layers", "trace", "marks", "timing"}
MODEL_FIELDS = {
    "index", "label", "lr", "status", "train_score", "held_out_score", "verdict", "reason",
    "weights", "exact_zero", "near_zero",
}  # fmt: skip  (and "boundary" drawn by the server, or "params", the weights for the page to draw it)


@pytest.fixture
def client():
    with TestClient(create_app(idle_timeout=2.0, warm=False)) as c:
        yield c


def run_threads():
    return [t for t in threading.enumerate() if t.name.startswith("reglab-run-")]


def wait_until(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def frames_of(response, count=None, statuses=None):
    """The frames of an event stream (``data:`` lines of unnamed events); status events go to ``statuses``."""
    frames, event = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            doc = json.loads(line[len("data: "):])
            if event is None:
                frames.append(doc)
            elif statuses is not None:
                statuses.append(doc)
            event = None
            if count is not None and len(frames) == count:
                break
    return frames


def create(client, **changes):
    body = {**TINY, **changes}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_short_run_streams_frames_with_the_documented_fields(client):
    meta = create(client, epochs=6, autoplay=True, models=[{"penalty": "l2", "lam": 0.0}, {"penalty": "l2", "lam": 0.1}])
    assert meta["task"] == "binary" and meta["score"] == "accuracy" and meta["held_out"] == "validation"
    assert len(meta["points"]["train"]) + len(meta["points"]["val"]) + len(meta["points"]["test"]) == 60
    with client.stream("GET", f"/api/runs/{meta['id']}/stream?until=finished") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = frames_of(response)
    assert FRAME_FIELDS <= set(frames[0]) and frames[0]["epoch"] == 0 and frames[0]["reset"]
    last = frames[-1]
    assert last["state"] == "finished" and last["epoch"] == 6
    assert [row["epoch"] for f in frames for row in f["trace"]] == [1, 2, 3, 4, 5, 6]  # no epoch lost between frames
    for row in (r for f in frames for r in f["trace"]):
        for m in row["models"].values():
            assert m["loss"] == pytest.approx(m["data_loss"] + m["penalty"], rel=1e-5)
            assert {"score", "val_data_loss", "val_score"} <= set(m)
    rows = [r["models"] for f in frames for r in f["trace"]]
    assert all(m["0"]["penalty"] == 0 for m in rows) and all(m["1"]["penalty"] > 0 for m in rows)  # λ = 0 adds nothing
    assert meta["draw"] == "page" and meta["sizes"] == [2, 4, 1]  # a network this small is drawn by the page
    for model in last["models"]:
        assert set(model) == MODEL_FIELDS | {"params"}
        assert model["verdict"] in ("overfitting", "good fit", "underfitting") and model["reason"].endswith(".")
        weights = np.frombuffer(base64.b64decode(model["params"]), dtype="<f4")
        assert weights.size == 2 * 4 + 4 + 4 * 1 + 1 and np.isfinite(weights).all()
    assert [len(layer["counts"]) for layer in last["layers"]] == [2, 2]  # one histogram per model, per layer


def test_weight_views_match_numpy():
    rng = np.random.default_rng(0)
    import torch

    kernels = {i: ([torch.from_numpy(rng.normal(size=(3, 7)).astype(np.float32)), torch.zeros(7, 1)], []) for i in range(2)}
    kernels[1][0][0][0, :3] = torch.tensor([0.0, 5e-4, -2e-3])
    views = weight_views(kernels)
    for k in range(2):
        w = kernels[k][0][0].numpy()
        stats = weight_stats(w)
        box = views["layers"][0]["boxes"][k]
        assert box == pytest.approx([stats["whisker_low"], stats["q1"], stats["median"], stats["q3"], stats["whisker_high"]], rel=1e-6)
        m = max(abs(kernels[j][0][0].numpy()).max() for j in range(2))
        counts, _ = np.histogram(w.astype(np.float64), bins=np.linspace(-m, m, 42))
        assert views["layers"][0]["counts"][k] == counts.tolist()
        every = np.concatenate([kernels[k][0][0].numpy().ravel(), np.zeros(7)])
        assert views["zeros"][k] == {"weights": 28, "exact_zero": int((every == 0).sum()), "near_zero": int((abs(every) < 1e-3).sum())}
    assert views["zeros"][1]["exact_zero"] == 8 and views["zeros"][1]["near_zero"] == 9


def test_pause_step_and_cancel(client):
    meta = create(client, epochs=50)
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:
        lines = response.iter_lines()
        first = frames_of(_Lines(lines), 1)[0]
        assert first["epoch"] == 0 and client.get(run).json()["state"] == "paused"
        assert client.post(f"{run}/control", json={"action": "step"}).status_code == 200
        (stepped,) = frames_of(_Lines(lines), 1)
        assert stepped["epoch"] == 1 and [r["epoch"] for r in stepped["trace"]] == [1]
        client.post(f"{run}/control", json={"action": "play"})
        assert frames_of(_Lines(lines), 1)[0]["epoch"] > 1
        client.post(f"{run}/control", json={"action": "pause"})
        paused_at = client.get(run).json()["epoch"]
        time.sleep(0.3)
        assert client.get(run).json()["epoch"] == paused_at
        assert client.delete(run).json() == {"id": meta["id"], "state": "cancelled"}
    assert client.get(run).status_code == 404
    assert wait_until(lambda: not run_threads())


class _Lines:
    """Wraps a shared line iterator so successive reads continue where the last one stopped."""

    def __init__(self, lines):
        self.lines = lines

    def iter_lines(self):
        return self.lines


def test_lambda_changed_mid_run_takes_effect(client):
    meta = create(client, epochs=40, models=[{"penalty": "l2", "lam": 0.0}])
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:
        lines = _Lines(response.iter_lines())
        frames_of(lines, 1)
        for _ in range(3):
            client.post(f"{run}/control", json={"action": "step"})
            (before,) = frames_of(lines, 1)
        assert before["trace"][-1]["models"]["0"]["penalty"] == 0
        changed = client.post(f"{run}/hyperparameters", json={"model": 0, "lam": 0.5})
        assert changed.status_code == 200 and changed.json()["label"] == "l2(λ=0.5)" and changed.json()["epoch"] == 3
        (shown,) = frames_of(lines, 1)  # the change is shown at once, on the weights it goes on from
        assert shown["epoch"] == 3 and shown["trace"] == [] and shown["models"][0]["label"] == "l2(λ=0.5)"
        client.post(f"{run}/control", json={"action": "step"})
        (after,) = frames_of(lines, 1)
        exported = client.get(f"{run}/export").json()
    row = after["trace"][-1]["models"]["0"]
    assert after["epoch"] == 4 and row["penalty"] > 0
    assert after["marks"] == [{"epoch": 3, "model": 0, "text": "l2(λ=0), lr 0.01 → l2(λ=0.5), lr 0.01"}]
    assert exported["configs"][0]["penalty"] == {"kind": "l2", "lam": 0.5} and exported["epoch"] == 4
    assert len(exported["history"]["0"]["penalty"]) == 4 and exported["history"]["0"]["penalty"][2] == 0
    assert exported["commands"][0].startswith("reglab train --dataset moons --n-samples 60 ")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"hidden": [LIMITS["neurons"] + 1]}, "hidden.0"),
        ({"hidden": [4] * (LIMITS["layers"] + 1)}, "hidden"),
        ({"data": {"n_samples": LIMITS["samples"] + 1}}, "data.n_samples"),
        ({"epochs": LIMITS["epochs_cap"] + 1}, "epochs"),
        ({"models": [{}] * (LIMITS["models"] + 1)}, "models"),
        ({"models": [{"lam": -0.1}]}, "models.0.lam"),
        ({"models": [{"penalty": "l3"}]}, "models.0.penalty"),
        ({"data": {"dataset": "/etc/passwd"}}, "data.dataset"),
        ({"data": {"noise": "much"}}, "data.noise"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_limits_and_bad_values_are_refused_with_422_naming_the_field(client, body, field):
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    doc = response.json()
    assert ".".join(str(p) for p in doc["detail"][0]["loc"][1:]) == field
    assert doc["message"].startswith(f"The '{field}' field is invalid: ")
    assert not run_threads()


def test_patience_without_validation_data_is_refused(client):
    response = client.post("/api/runs", json={"data": {"val_size": 0}, "models": [{"patience": 5}]})
    assert response.status_code == 422
    assert response.json()["message"] == "The 'patience' field needs validation data: set data.val_size > 0. Got val_size=0 instead."


def test_a_good_upload_trains_and_bad_uploads_are_refused(client):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 2))
    table = "a,b,label\n" + "\n".join(f"{u:.4f},{v:.4f},{'yes' if u > 0 else 'no'}" for u, v in x)
    upload = client.post("/api/uploads", content=table.encode())
    assert upload.status_code == 200, upload.text
    assert upload.json()["features"] == ["a", "b"] and upload.json()["rows"] == 40
    meta = create(client, data={"dataset": "upload", "upload": upload.json()["id"], "val_size": 0})
    assert meta["features"] == ["a", "b"] and meta["classes"] == ["no", "yes"] and meta["held_out"] == "test"
    bad = {
        b"a,b\n1,2\n": "The uploaded CSV must have exactly 3 columns (two numeric features, then the label). Got 2 columns instead.",
        b"a,b,label\n" + b"1,x,0\n" * 30: (
            "Column 'b' of the uploaded CSV must hold finite numbers only. Got text, gaps or infinite values instead."
        ),
        b"a,b,label\n1,2,0\n": "The uploaded CSV must have 20 to 5000 rows. Got 1 rows instead.",
        b"\xff\xfe\x00": (
            "The uploaded file must be a UTF-8 CSV table with a header row. Got unreadable content instead (UnicodeDecodeError)."
        ),
    }
    for body, message in bad.items():
        response = client.post("/api/uploads", content=body)
        assert response.status_code == 422 and response.json()["message"] == message
    too_big = client.post("/api/uploads", content=b"0" * (LIMITS["upload_bytes"] + 1))
    assert too_big.status_code == 413
    unknown = client.post("/api/runs", json={"data": {"dataset": "upload", "upload": "0" * 16}})
    assert unknown.status_code == 422 and "upload the CSV again" in unknown.json()["message"]


def test_a_run_ends_when_its_client_goes_away(client):
    meta = create(client, epochs=5000, autoplay=True)
    with client.stream("GET", f"/api/runs/{meta['id']}/stream") as response:
        frames = frames_of(response, 3)
        assert frames[-1]["epoch"] > 0 and run_threads()
    assert wait_until(lambda: not run_threads())
    assert client.get(f"/api/runs/{meta['id']}").status_code == 404


def test_a_run_never_streamed_ends_after_the_idle_timeout(client):
    create(client, epochs=5000, autoplay=True)
    assert run_threads()
    assert wait_until(lambda: not run_threads(), timeout=10.0)


def test_page_and_assets_are_served_by_the_app(client):
    page = client.get("/")
    assert page.status_code == 200 and 'id="boundaries"' in page.text
    assets = ("app.js", "runs.js", "edits.js", "mirror.js", "settings.js", "views.js", "charts.js", "forward.js", "graph.js", "style.css")
    for name in assets:
        assert f'"/static/{name}"' in page.text and client.get(f"/static/{name}").status_code == 200
    assert "http" not in page.text.replace("http-equiv", "")
    options = client.get("/api/options").json()
    assert options["limits"] == LIMITS and options["idle_timeout_s"] == 2.0
    vocabulary = client.get("/api/vocabulary").json()
    assert regularizers.CONVERSIONS["playground"] in vocabulary["convention"]
    assert list(vocabulary["inputs"]) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]


def test_serve_refuses_a_port_in_use_in_one_line(capsys):
    import socket

    import reglab.cli.serving  # noqa: F401  (registers 'serve')
    from reglab.cli import execute

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert execute(["serve", "--port", str(port)]) == 2
    expected = f"reglab: error: The '--port' option names a port in use on 127.0.0.1. Got {port} instead; pick another with --port.\n"
    assert capsys.readouterr().err == expected


def test_serve_warns_about_a_non_local_host(capsys):
    import reglab.cli.serving  # noqa: F401
    from reglab.cli import execute

    assert execute(["serve", "--host", "192.0.2.1", "--port", "8000"]) == 2  # TEST-NET-1: never an address of this machine
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("reglab: warning: serving on 192.0.2.1, reachable from other machines;")
    assert err[1].startswith("reglab: error: The '--host' option must be an address of this machine. Got '192.0.2.1' instead (")
    assert len(err) == 2


def test_boundary_bytes_match_the_numpy_model():
    import torch

    from reglab.data import load
    from reglab.engine import StackTrainer
    from reglab.measures.boundary import predict_proba
    from reglab.web.frames import model_weights
    from reglab.web.models import RunRequest
    from reglab.web.plane import boundary_images, plane_grid

    models = [{}, {"penalty": "l1", "lam": 0.05}]
    request = RunRequest.model_validate({**TINY, "hidden": [5, 3], "activation": "tanh", "epochs": 2, "models": models})
    split = load(request.data.data_config())
    trainer = StackTrainer(request.run_configs(), [split, split])
    next(trainer.epochs())
    trainer.prune(1)  # one model read from the live stack, one from its outcome
    weights = model_weights(trainer)
    grid = plane_grid(split, n=12)
    images = boundary_images(weights, "tanh", "binary", grid, (0.0, 1.0, 0.0, 1.0))
    for i, (kernels, biases) in weights.items():
        expected = predict_proba(grid.inputs.numpy(), [k.numpy() for k in kernels], [b.numpy() for b in biases], "tanh", "binary")
        got = np.frombuffer(base64.b64decode(images[i]["p"]), dtype=np.uint8)
        assert np.abs(got.astype(int) - np.round(expected * 255)).max() <= 1  # float32 against float64
    assert torch.equal(weights[1][0][0], torch.from_numpy(trainer.outcomes[1].kernels[0].astype(np.float32)))


def test_export_gives_the_matching_sweep_for_a_lambda_ladder():
    from reglab.web.export import reglab_commands
    from reglab.web.models import RunRequest

    ladder = RunRequest.model_validate({"epochs": 1000, "models": [{"penalty": "l2", "lam": lam} for lam in (0, 0.001, 0.01, 0.1, 1)]})
    assert reglab_commands(ladder) == [
        "reglab sweep --dataset moons --n-samples 500 --noise 0.25 --test-size 0.3 --val-size 0.2 --seed 0 --hidden 8,8 --activation relu "
        "--optimizer adam --batch-size 32 --epochs 1000 --penalty l2 --l1-method proximal --weight-decay 0 --dropout 0 --lr 0.01 "
        "--lam 0,0.001,0.01,0.1,1"
    ]
    penalties = RunRequest.model_validate({"models": [{"penalty": p} for p in ("none", "l1", "l2", "l1l2")]})
    tail = "--lam 0.01 --l1-method proximal --weight-decay 0 --dropout 0 --lr 0.01 --penalty none,l1,l2,l1l2"
    assert reglab_commands(penalties)[0].endswith(tail)
    swapped = RunRequest.model_validate({"inputs": ["x2", "x1"]})  # the plain inputs in another order: nothing to say
    assert not [line for line in reglab_commands(swapped) if line.startswith("# the playground's inputs")]
    squared = RunRequest.model_validate({"inputs": ["x1sq", "x1", "x2"]})
    assert "# the playground's inputs were x₁, x₂, x₁²; the command line trains on x₁, x₂" in reglab_commands(squared)


@pytest.mark.parametrize("dataset, keys, score", [("blobs", {"label", "conf"}, "accuracy"), ("regression", {"value"}, "r2")])
def test_multiclass_and_regression_frames(client, dataset, keys, score):
    meta = create(client, epochs=2, autoplay=True, hidden=[64, 64], data={**TINY["data"], "dataset": dataset})
    assert meta["score"] == score and meta["draw"] == "server"  # 10,000 grid points × 4,300 multiply-adds: the server draws
    with client.stream("GET", f"/api/runs/{meta['id']}/stream?until=finished") as response:
        last = frames_of(response)[-1]
    (model,) = last["models"]
    assert set(model["boundary"]) == keys
    assert all(len(base64.b64decode(v)) == 100 * 100 for v in model["boundary"].values())
    if dataset == "blobs":
        labels = np.frombuffer(base64.b64decode(model["boundary"]["label"]), np.uint8)
        assert meta["classes"] == ["0", "1", "2"] and set(labels.tolist()) <= {0, 1, 2}
    else:
        assert meta["target_range"][0] < meta["target_range"][1] and model["verdict"] in ("overfitting", "good fit", "underfitting")
