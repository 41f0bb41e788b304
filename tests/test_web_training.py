"""Training in the playground runs on until paused: the epochs cap pauses it, Play goes on, and every change
(a model's, the shared settings', after a pause, the cap or an early stop) goes on from the current
weights, marked, with the matching command following; input features and the linear activation."""

import base64
import json
import time
import warnings

import numpy as np
import pytest
import torch

from reglab.data import load
from reglab.engine import StackTrainer
from reglab.web import create_app
from reglab.web.changes import carried_over
from reglab.web.export import current_request, reglab_commands
from reglab.web.models import RunRequest

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = {"hidden": [4], "batch_size": 64, "data": {"n_samples": 60, "val_size": 0.25}}


@pytest.fixture
def client():
    with TestClient(create_app(idle_timeout=30.0, warm=False)) as c:
        yield c


class Stream:
    """The frames of a run's event stream, read as they are needed (a keep-alive comment every 5 s lets a
    read give up after ``timeout`` seconds without a frame)."""

    def __init__(self, response, timeout: float = 30.0):
        self.lines, self.timeout = response.iter_lines(), timeout

    def next_frame(self) -> dict:
        kind, end = "frame", time.monotonic() + self.timeout
        for line in self.lines:
            if time.monotonic() > end:
                raise AssertionError(f"no frame came within {self.timeout} s")
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: "):
                if kind == "frame":
                    return json.loads(line[len("data: ") :])
                kind = "frame"
        raise AssertionError("the stream ended")

    def until(self, condition) -> dict:
        while not condition(frame := self.next_frame()):
            pass
        return frame


def create(client, **changes):
    response = client.post("/api/runs", json={**TINY, **changes})
    assert response.status_code == 200, response.text
    return response.json()


def step(client, run, stream, epoch):
    assert client.post(f"/api/runs/{run}/control", json={"action": "step"}).status_code == 200
    return stream.until(lambda f: f["epoch"] == epoch)


def test_a_run_without_a_cap_trains_until_paused(client):
    meta = create(client, autoplay=True)
    assert meta["epochs"] is None
    with client.stream("GET", f"/api/runs/{meta['id']}/stream") as response:
        frame = Stream(response).until(lambda f: f["epoch"] >= 40)
        assert frame["state"] == "playing"
        client.post(f"/api/runs/{meta['id']}/control", json={"action": "pause"})
        status = client.get(f"/api/runs/{meta['id']}").json()
    assert status["state"] == "paused" and status["epochs"] is None and status["epoch"] >= 40


def test_the_cap_pauses_the_run_and_play_goes_on_to_its_next_multiple(client):
    meta = create(client, epochs=3, autoplay=True)
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:
        stream = Stream(response)
        first = stream.until(lambda f: f["state"] == "finished")
        assert first["epoch"] == 3 and client.get(run).json()["state"] == "finished"
        assert client.post(f"{run}/control", json={"action": "play"}).json()["state"] == "playing"
        again = stream.until(lambda f: f["state"] == "finished")
        assert again["epoch"] == 6
        # a change after the cap goes on from the current weights, marked at its epoch
        before = client.get(f"{run}/export").json()
        changed = client.post(f"{run}/hyperparameters", json={"model": 0, "penalty": "l2", "lam": 0.5})
        assert changed.status_code == 200 and changed.json() == {"model": 0, "epoch": 6, "label": "l2(λ=0.5)", "lr": 0.01}
        after = client.get(f"{run}/export").json()
        assert after["weights"] == before["weights"] and after["epoch"] == 6
        stepped = step(client, meta["id"], stream, 7)
    assert stepped["marks"] == [{"epoch": 6, "model": 0, "text": "none, lr 0.01 → l2(λ=0.5), lr 0.01"}]
    assert stepped["trace"][-1]["models"]["0"]["penalty"] > 0
    assert "--penalty l2" in after["commands"][0] and "--lam 0.5" in after["commands"][0] and "--epochs 3" in after["commands"][0]
    assert after["configs"][0]["penalty"] == {"kind": "l2", "lam": 0.5} and after["configs"][0]["epochs"] == 3


def test_a_model_that_stopped_early_trains_again_when_played_or_changed(client):
    meta = create(client, optimizer="adam", models=[{"patience": 1, "lr": 0.5}], autoplay=True)
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:
        stream = Stream(response)
        stopped = stream.until(lambda f: f["state"] == "finished")
        assert stopped["models"][0]["status"] == "early_stopped" and stopped["epoch"] == 2
        assert client.post(f"{run}/control", json={"action": "play"}).json()["state"] == "playing"
        again = stream.until(lambda f: f["epoch"] > 2 and f["state"] == "finished")  # with patience 1 it stops again soon
        assert again["marks"] == [{"epoch": 2, "model": 0, "text": "trains again from its weights"}]
        changed = client.post(f"{run}/hyperparameters", json={"model": 0, "lr": 0.01})
        assert changed.status_code == 200 and changed.json()["lr"] == 0.01
        assert client.get(run).json()["state"] == "paused"  # taken up again, waiting for Play


def test_a_diverged_model_cannot_go_on_and_says_so(client):
    meta = create(client, optimizer="adam", models=[{"lr": 10.0}], autoplay=True)
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:  # the run lives while its stream is open
        last = Stream(response).until(lambda f: f["state"] == "finished")
        changed = client.post(f"{run}/hyperparameters", json={"model": 0, "lr": 0.001})
        played = client.post(f"{run}/control", json={"action": "play"})
    assert last["models"][0]["status"] == "diverged"
    assert changed.status_code == 409 and changed.json()["message"] == (
        f"Model 1 diverged at epoch {last['epoch']}: its weights blew up, so there is nothing to go on from. "
        "Press ⟲ Reset to train again with new settings."
    )
    assert played.status_code == 409
    assert played.json()["message"] == "Every model diverged: lower the learning rate or λ, then press ⟲ Reset to train again."


def test_shared_settings_change_mid_run_from_the_current_weights(client):
    meta = create(client, models=[{"penalty": "l2", "lam": 0.01}, {"penalty": "l2", "lam": 0.1}])
    run = f"/api/runs/{meta['id']}"
    with client.stream("GET", f"{run}/stream") as response:
        stream = Stream(response)
        stream.next_frame()
        for epoch in (1, 2, 3):
            step(client, meta["id"], stream, epoch)
        before = client.get(f"{run}/export").json()
        answer = client.post(f"{run}/settings", json={"dropout": 0.3, "batch_size": 16, "optimizer": "sgd", "patience": 0})
        assert answer.status_code == 200
        assert answer.json()["changed"] == "optimizer adam → sgd, batch 64 → 16, dropout 0 → 0.3"
        after = client.get(f"{run}/export").json()
        stepped = step(client, meta["id"], stream, 4)
        exported = client.get(f"{run}/export").json()
    assert after["weights"] == before["weights"]  # the change itself moves no weight
    assert [c["dropout"] for c in after["configs"]] == [0.3, 0.3] and {c["optimizer"] for c in after["configs"]} == {"sgd"}
    assert stepped["marks"] == [{"epoch": 3, "model": None, "text": "optimizer adam → sgd, batch 64 → 16, dropout 0 → 0.3"}]
    assert len(exported["history"]["0"]["loss"]) == 4  # one history, going on
    command = exported["commands"][0]
    assert command.startswith("reglab sweep ") and "--optimizer sgd --batch-size 16 --epochs 4" in command and "--dropout 0.3" in command
    refused = client.post(f"{run}/settings", json={"dropout": 2})
    assert refused.status_code == 422 and refused.json()["message"].startswith("The 'dropout' field is invalid: ")


@pytest.mark.parametrize("changes, kept", [({"dropout": 0.2}, True), ({"optimizer": "sgd"}, False)])
def test_a_trainer_carried_over_goes_on_as_the_original_would(changes, kept):
    """Adam's moments go on across a change that keeps the optimizer (here dropout) and start afresh with another."""
    request = RunRequest.model_validate({**TINY, "optimizer": "adam", "models": [{}, {"penalty": "l1", "lam": 0.01}]})
    split = load(request.data.data_config())
    original = StackTrainer(request.run_configs(), [split, split])
    steps = original.epochs()
    next(steps), next(steps)
    same = carried_over(original, original.configs)
    changed = carried_over(original, [c.replace(**changes) for c in original.configs])
    assert torch.equal(same.stack.params, original.stack.params) and torch.equal(changed.stack.params, original.stack.params)
    before, after = original.optimizer.state_dict(), changed.optimizer.state_dict()
    if kept:
        assert after["step_count"] == before["step_count"] > 0
        assert torch.equal(after["moment1"], before["moment1"]) and torch.equal(after["moment2"], before["moment2"])
    else:
        assert after["step_count"] == 0 and not torch.any(after["moment1"])
    next(steps)
    next(same.epochs())
    assert torch.equal(same.stack.params, original.stack.params)  # bit for bit: weights, moments, generators
    assert same.history == original.history and same.epoch == original.epoch == 3


# input features and the linear activation ---------------------------------------------------------


def test_input_features_are_computed_from_the_raw_points_and_the_grid_alike(client):
    from reglab.measures.boundary import predict_proba
    from reglab.web.frames import model_weights
    from reglab.web.plane import boundary_images, raw_points

    inputs = ["x1", "x2sq", "x1x2", "sinx1"]
    meta = create(client, inputs=inputs, hidden=[5], activation="tanh")
    assert [f["id"] for f in meta["inputs"]] == inputs and meta["sizes"] == [4, 5, 1]
    run = client.app.state.runs.find(meta["id"])
    raw = raw_points(run.split, "train")
    a, b = raw[:, 0], raw[:, 1]
    features = np.column_stack([a, b * b, a * b, np.sin(a)])
    mean, scale = features.mean(axis=0), features.std(axis=0)
    assert [f["mean"] for f in meta["inputs"]] == pytest.approx(mean.tolist())
    assert [f["scale"] for f in meta["inputs"]] == pytest.approx(scale.tolist())
    assert np.allclose(run.features.X_train, (features - mean) / scale, atol=1e-6)
    n, (x0, x1), (y0, y1) = meta["grid"]["n"], meta["grid"]["x"], meta["grid"]["y"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    grid = np.column_stack([gx.ravel(), gy.ravel() ** 2, gx.ravel() * gy.ravel(), np.sin(gx.ravel())])
    assert np.allclose(run.grid.inputs.numpy(), (grid - mean) / scale, atol=1e-6)
    deadline = time.monotonic() + 30
    while getattr(run, "trainer", None) is None and time.monotonic() < deadline:  # its worker thread builds it
        time.sleep(0.01)
    weights = model_weights(run.trainer)
    images = boundary_images(weights, "tanh", "binary", run.grid, (0.0, 1.0, 0.0, 1.0))
    kernels, biases = weights[0]
    expected = predict_proba((grid - mean) / scale, [k.numpy() for k in kernels], [v.numpy() for v in biases], "tanh", "binary")
    got = np.frombuffer(base64.b64decode(images[0]["p"]), dtype=np.uint8)
    assert np.abs(got.astype(int) - np.round(expected * 255)).max() <= 1
    assert "# the playground's inputs were x₁, x₂², x₁x₂, sin x₁; the command line trains on x₁, x₂" in meta["commands"]


def test_duplicate_or_no_inputs_are_refused(client):
    twice = client.post("/api/runs", json={**TINY, "inputs": ["x1", "x1"]})
    assert twice.status_code == 422
    assert twice.json()["message"] == "The 'inputs' field must name each input feature once. Got ['x1', 'x1'] instead."
    none = client.post("/api/runs", json={**TINY, "inputs": []})
    assert none.status_code == 422 and none.json()["message"].startswith("The 'inputs' field is invalid: ")


def test_the_linear_activation_is_the_identity_forward_and_backward():
    from reglab.engine.stack import StackedMLP

    torch.manual_seed(0)
    stack = StackedMLP((3, 4, 2, 1), 2, "linear", dtype=torch.float64)
    stack.init_glorot([torch.Generator().manual_seed(k) for k in range(2)])
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    ws = stack.workspace(5, False)
    out = stack.forward(x, ws).clone()
    w = [k.detach().clone().requires_grad_() for k in stack.kernels]
    b = [v.detach().clone().requires_grad_() for v in stack.biases]
    h = x
    for layer in range(3):
        h = torch.baddbmm(b[layer].unsqueeze(1), h, w[layer])  # no activation between the layers
    assert torch.allclose(out, h.detach())
    grad_out = torch.randn_like(out)
    stack.grads.zero_()
    stack.backward(x, grad_out, ws)
    (h * grad_out).sum().backward()
    for layer in range(3):
        assert torch.allclose(stack.kernel_grads[layer], w[layer].grad) and torch.allclose(stack.bias_grads[layer], b[layer].grad)


def test_the_commands_follow_the_current_settings():
    request = RunRequest.model_validate({**TINY, "models": [{"penalty": "l2", "lam": 0.1}]})
    configs = [c.replace(dropout=0.2, lr=0.05) for c in request.run_configs()]
    line = reglab_commands(current_request(request, configs, [0.1], 120))[0]
    assert "--epochs 120" in line and "--dropout 0.2" in line and "--lr 0.05" in line and "--lam 0.1" in line
