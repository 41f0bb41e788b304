"""The stacked engine against oracles: autograd, finite differences, NumPy and hand-worked steps."""

import io

import numpy as np
import pytest
import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackTrainer
from reglab.engine.objective import data_loss, penalty_gradient_
from reglab.errors import DataError
from reglab.measures import hidden_activations
from reglab.regularizers import L1, L1L2, L2, NoPenalty
from reglab.rules import ACTIVATIONS
from reglab.runs import Run, train_runs

MOONS = DataConfig(dataset="moons", n_samples=80, noise=0.2, val_size=0.25)
BLOBS = DataConfig(dataset="blobs", n_samples=90, n_classes=3, noise=0.5)
REGRESSION = DataConfig(dataset="regression", n_samples=80, noise=0.1)


def small(**kw):
    base = dict(hidden=(6, 5), epochs=3, batch_size=16)
    return RunConfig(**{**base, **kw})


# the oracle's activations, in plain differentiable torch (a test holds that they are reglab.rules.ACTIVATIONS)
AUTOGRAD_ACTIVATIONS = {
    "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": torch.nn.functional.gelu, "linear": lambda a: a,
}  # fmt: skip


def autograd_objective(trainer, x, y, masks=None):
    """Per-model batch-mean data loss + penalty, written with plain autograd ops, model by model."""
    stack, totals = trainer.stack, []
    kernels = [k.detach().clone().requires_grad_() for k in stack.kernels]
    biases = [b.detach().clone().requires_grad_() for b in stack.biases]
    for m, i in enumerate(trainer.active):
        cfg = trainer.configs[i]
        a = x[m]
        for layer in range(stack.n_layers):
            a = a @ kernels[layer][m] + biases[layer][m]
            if layer < stack.n_layers - 1:
                a = AUTOGRAD_ACTIVATIONS[cfg.activation](a)
                if masks is not None:
                    a = a * masks[layer][m]
        if trainer.task == "binary":
            data = torch.nn.functional.binary_cross_entropy_with_logits(a[:, 0], y[m].to(a.dtype))
        elif trainer.task == "multiclass":
            data = torch.nn.functional.cross_entropy(a, y[m])
        else:
            data = torch.mean((a[:, 0] - y[m]) ** 2)
        flags = [True] * (stack.n_layers - 1) + [cfg.regularize_output]
        pen = sum(
            cfg.penalty.l1 * kernels[k][m].abs().sum() + cfg.penalty.l2 * (kernels[k][m] ** 2).sum()
            for k in range(stack.n_layers)
            if flags[k]
        )
        totals.append(data + pen)
    torch.stack(totals).sum().backward()
    return torch.stack(totals).detach(), [k.grad for k in kernels], [b.grad for b in biases]


def batch_of(trainer, size=12):
    idx = torch.arange(size)
    x = trainer.data.X["train"][idx].expand(len(trainer.active), -1, -1).contiguous()
    y = trainer.data.y["train"][idx].expand(len(trainer.active), -1).contiguous()
    return x, y


GRADIENT_CASES = [((MOONS, BLOBS, REGRESSION)[k % 3], activation) for k, activation in enumerate(ACTIVATIONS)]  # every task


def test_the_oracle_knows_every_activation():
    assert tuple(AUTOGRAD_ACTIVATIONS) == ACTIVATIONS


@pytest.mark.parametrize("data, activation", GRADIENT_CASES)
def test_gradients_match_autograd(data, activation):
    penalties = [NoPenalty(), L2(lam=0.3), L1(lam=0.2), L1L2(l1=0.1, l2=0.4)]
    configs = [
        small(activation=activation, penalty=p, l1_method="subgradient", regularize_output=(k == 3), seed=k)
        for k, p in enumerate(penalties)
    ]
    split = load(data)
    trainer = StackTrainer(configs, [split] * 4, dtype=torch.float64)
    x, y = batch_of(trainer)
    trainer.forward_backward(x, y)
    _, kernel_grads, bias_grads = autograd_objective(trainer, x, y)
    for mine, ref in zip(trainer.stack.kernel_grads + trainer.stack.bias_grads, kernel_grads + bias_grads):
        torch.testing.assert_close(mine, ref, rtol=1e-10, atol=1e-12)


def test_gradients_with_dropout_match_autograd():
    configs = [small(dropout=0.5, penalty=L2(lam=0.1), seed=1), small(dropout=0.2, seed=2)]
    split = load(MOONS)
    trainer = StackTrainer(configs, [split] * 2, dtype=torch.float64)
    x, y = batch_of(trainer)
    ws = trainer.stack.workspace(x.shape[1], dropout=True)
    gen = torch.Generator().manual_seed(0)
    for mask in ws.mask:
        keep = torch.rand(mask.shape, generator=gen, dtype=torch.float64)
        mask.copy_((keep >= torch.tensor([0.5, 0.2]).view(-1, 1, 1)) / torch.tensor([0.5, 0.8]).view(-1, 1, 1))
    trainer.forward_backward(x, y, ws, dropout=True)
    _, kernel_grads, bias_grads = autograd_objective(trainer, x, y, masks=ws.mask)
    for mine, ref in zip(trainer.stack.kernel_grads + trainer.stack.bias_grads, kernel_grads + bias_grads):
        torch.testing.assert_close(mine, ref, rtol=1e-10, atol=1e-12)


def test_gradients_match_finite_differences():
    configs = [small(activation="tanh", penalty=L1L2(l1=0.05, l2=0.2), l1_method="subgradient", seed=3)]
    trainer = StackTrainer(configs, [load(MOONS)], dtype=torch.float64)
    x, y = batch_of(trainer)
    trainer.forward_backward(x, y)
    analytic = trainer.stack.grads.clone()
    params, eps = trainer.stack.params, 1e-6

    def objective():
        out = trainer.stack.forward(x)
        _, loss, _ = data_loss(trainer.task, out, y)
        return float(loss[0] / x.shape[1] + trainer.penalty_values()[0])

    for j in torch.randperm(params.numel(), generator=torch.Generator().manual_seed(0))[:40].tolist():
        keep = params[j].item()
        params[j] = keep + eps
        up = objective()
        params[j] = keep - eps
        down = objective()
        params[j] = keep
        assert analytic[j].item() == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


def test_one_sgd_step_with_l2_by_hand():
    """Full batch, SGD lr 0.1, L2 λ=0.05 on the hidden kernel: w ← w − lr·(∂L/∂w + 2λw)."""
    data = DataConfig(dataset="moons", n_samples=20, noise=0.2)
    config = RunConfig(hidden=(3,), optimizer="sgd", lr=0.1, penalty=L2(lam=0.05), epochs=1, batch_size=None)
    split = load(data)
    trainer = StackTrainer([config], [split], dtype=torch.float64)
    (w1, w2), (b1, b2) = trainer.stack.model_arrays(0)
    X, y = split.X_train.astype(np.float64), split.y_train.astype(np.float64)
    n = len(X)
    z1 = X @ w1 + b1
    h = np.maximum(z1, 0)
    p = 1 / (1 + np.exp(-(h @ w2 + b2)[:, 0]))
    dz2 = ((p - y) / n)[:, None]
    g_w2, g_b2 = h.T @ dz2, dz2.sum(0)
    dz1 = (dz2 @ w2.T) * (z1 > 0)
    g_w1, g_b1 = X.T @ dz1, dz1.sum(0)
    expected = [w1 - 0.1 * (g_w1 + 2 * 0.05 * w1), b1 - 0.1 * g_b1, w2 - 0.1 * g_w2, b2 - 0.1 * g_b2]
    trainer.run()
    outcome = trainer.outcomes[0]
    got = [outcome.kernels[0], outcome.biases[0], outcome.kernels[1], outcome.biases[1]]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_one_sgd_step_with_proximal_l1_by_hand():
    """SGD then soft-threshold: w ← sign(v)·max(|v| − lr·λ, 0) with v = w − lr·∂L/∂w, on the hidden kernel only."""
    data = DataConfig(dataset="moons", n_samples=20, noise=0.2)
    config = RunConfig(hidden=(3,), optimizer="sgd", lr=0.5, penalty=L1(lam=0.3), epochs=1, batch_size=None)
    split = load(data)
    trainer = StackTrainer([config], [split], dtype=torch.float64)
    x = trainer.data.X["train"].unsqueeze(0)
    y = trainer.data.y["train"].unsqueeze(0)
    (w1, w2), _ = trainer.stack.model_arrays(0)
    trainer.forward_backward(x, y)
    (g1, g2), _ = [[g[0].numpy().copy() for g in trainer.stack.kernel_grads], None]
    trainer.run()
    step = w1 - 0.5 * g1
    expected = np.sign(step) * np.maximum(np.abs(step) - 0.5 * 0.3, 0)
    np.testing.assert_allclose(trainer.outcomes[0].kernels[0], expected, rtol=1e-12, atol=1e-15)
    assert np.count_nonzero(expected == 0) > 0
    np.testing.assert_allclose(trainer.outcomes[0].kernels[1], w2 - 0.5 * g2, rtol=1e-12)  # output: not penalised


def test_sgd_l2_half_lambda_equals_decoupled_decay():
    """Plain SGD: L2(λ/2) adds λw to the gradient, exactly the decoupled decay lr·λ·w."""
    base = dict(hidden=(16, 16), optimizer="sgd", lr=0.05, epochs=5, batch_size=16, seed=4)
    runs = [Run(RunConfig(**base, penalty=L2(lam=0.02)), MOONS), Run(RunConfig(**base, weight_decay=0.04), MOONS)]
    penalised, decayed = train_runs(runs, dtype=torch.float64)
    for a, b in zip(penalised.kernels + penalised.biases, decayed.kernels + decayed.biases):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # with Adam the two are different algorithms (AdamW vs Adam + L2)
    adam = dict(base, optimizer="adam", lr=0.01)
    adam_l2, adamw = train_runs([Run(RunConfig(**adam, penalty=L2(lam=0.02)), MOONS), Run(RunConfig(**adam, weight_decay=0.04), MOONS)])
    assert np.abs(adam_l2.kernels[0] - adamw.kernels[0]).max() > 1e-3


def test_no_bias_is_ever_penalised_or_decayed():
    everything = dict(penalty=L1L2(l1=5.0, l2=5.0), regularize_output=True, weight_decay=0.5, optimizer="sgd", lr=0.1)
    configs = [small(**everything, l1_method=m) for m in ("proximal", "subgradient")]
    trainer = StackTrainer(configs, [load(MOONS)] * 2, dtype=torch.float64)
    for b in trainer.stack.biases:
        b.fill_(3.0)
    before_pen = trainer.penalty_values().clone()
    for b in trainer.stack.biases:
        b.fill_(-7.0)
    torch.testing.assert_close(trainer.penalty_values(), before_pen)  # biases do not enter the penalty
    penalty_gradient_(trainer.stack.kernels, trainer.stack.kernel_grads, trainer.coefficients)
    assert all(bool((g == 0).all()) for g in trainer.stack.bias_grads)
    assert all(bool((g != 0).any()) for g in trainer.stack.kernel_grads)
    trainer.optimizer.step(trainer.stack, trainer.coefficients)  # zero data gradient: only penalty, decay and proximal steps act
    assert all(bool((b == -7.0).all()) for b in trainer.stack.biases)


@pytest.mark.parametrize("kind, norm", [("l2", "sum_sq"), ("l1", "l1")])
def test_larger_lambda_gives_smaller_norms(kind, norm):
    lams = [0.0, 1e-3, 1e-2, 1e-1]
    penalty = {"l1": L1, "l2": L2}[kind]
    runs = [Run(small(hidden=(32, 32), epochs=40, penalty=penalty(lam=lam), seed=0), MOONS) for lam in lams]
    results = train_runs(runs)
    norms = [r.weight_stats()[0][norm] + r.weight_stats()[1][norm] for r in results]
    assert norms == sorted(norms, reverse=True), norms


def test_proximal_l1_gives_exact_zeros_and_subgradient_does_not():
    runs = [Run(small(hidden=(32, 32), epochs=60, lr=0.01, penalty=L1(lam=0.01), l1_method=m), MOONS) for m in ("proximal", "subgradient")]
    proximal, subgradient = train_runs(runs)
    assert proximal.weight_stats()[1]["exact_zero"] > 0.3
    assert subgradient.weight_stats()[1]["exact_zero"] == 0.0
    assert subgradient.weight_stats()[1]["near_zero"] > 0.05  # hovering near zero, not at it


def test_model_in_stack_matches_model_trained_alone():
    configs = [small(hidden=(32, 32), epochs=5, penalty=L2(lam=0.01 * k), lr=0.002 + 0.001 * k, seed=k) for k in range(8)]
    split = load(MOONS)
    stacked = StackTrainer(configs, [split] * 8).run()
    for k in (0, 5):
        alone = StackTrainer([configs[k]], [split]).run()[0]
        for a, b in zip(alone.kernels + alone.biases, stacked[k].kernels + stacked[k].biases):
            # float32 rounding differs with the batch size of the matmuls; 1e-5 relative, or ~1 ulp of tiny values
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("optimizer, lr", [("adam", 0.01), ("sgd", 0.1)])
def test_l1_and_decay_on_some_models_of_a_stack_leave_every_model_as_alone(optimizer, lr):
    # sign, the soft threshold and the decay run only over the models that carry them; each model still equals itself alone
    penalties = [(L1(lam=0.01), "proximal", 0.0), (L2(lam=0.01), "proximal", 0.0), (L1L2(l1=0.003, l2=0.01), "subgradient", 0.0),
                 (L1(lam=0.003), "subgradient", 0.0), (L2(lam=0.0), "proximal", 0.0), (L2(lam=0.0), "proximal", 0.3)]  # fmt: skip
    penalties += [(L2(lam=0.0), "proximal", 0.0)] * 4  # plain models: each L1 or decay is on at most a quarter of the stack
    configs = [
        small(hidden=(16, 16), epochs=6, optimizer=optimizer, lr=lr, penalty=p, l1_method=m, weight_decay=wd, seed=k)
        for k, (p, m, wd) in enumerate(penalties)
    ]
    split = load(MOONS)
    trainer = StackTrainer(configs, [split] * len(configs), dtype=torch.float64)
    c = trainer.coefficients  # few enough models carry each: the gathering paths are the ones tested
    assert all(rows is not None for rows in (c.l1_prox_rows[0], c.l1_sub_rows[0], c.decay_rows[0]))
    stacked = trainer.run()
    for k, config in enumerate(configs):
        alone = StackTrainer([config], [split], dtype=torch.float64).run()[0]
        for a, b in zip(alone.kernels + alone.biases, stacked[k].kernels + stacked[k].biases):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    assert (stacked[0].kernels[1] == 0).any() and not (stacked[1].kernels[1] == 0).any()


def test_same_seed_same_result_bit_for_bit_and_other_seed_differs():
    def once(seed):
        return train_runs([Run(small(dropout=0.2, input_noise=0.1, seed=seed), MOONS)])[0]

    a, b, c = once(7), once(7), once(8)
    assert a.history == b.history
    assert all(np.array_equal(x, y) for x, y in zip(a.kernels, b.kernels))
    assert not np.array_equal(a.kernels[0], c.kernels[0])


def test_dropout_is_on_in_training_and_off_in_evaluation():
    split = load(MOONS)
    trainer = StackTrainer([small(hidden=(200,), dropout=0.4)], [split], dtype=torch.float64)
    rows, _, masks = trainer.data.draw_epoch(trainer.generators, trainer.active, trainer.coefficients, trainer.sizes[1:-1])
    kept = masks[0].double().mean().item()
    assert 0.55 < kept < 0.65  # keep probability 0.6
    # evaluation is deterministic and equals a NumPy forward pass without dropout
    (kernels, biases) = trainer.stack.model_arrays(0)
    hidden = hidden_activations(split.X_val, kernels, biases, "relu")[-1]
    logits = hidden @ kernels[-1] + biases[-1]
    y = split.y_val
    expected = np.mean(np.logaddexp(0, logits[:, 0]) - y * logits[:, 0])
    first = trainer.evaluate("val")["data_loss"].item()
    assert first == pytest.approx(expected, rel=1e-10)
    assert trainer.evaluate("val")["data_loss"].item() == first


def test_divergence_is_isolated_to_its_model():
    fine = small(hidden=(16,), optimizer="sgd", lr=0.05, epochs=6, seed=1)
    wild = small(hidden=(16,), optimizer="sgd", lr=1e6, epochs=6, seed=2)
    data = DataConfig(dataset="regression", n_samples=80, noise=0.1, standardize=False)
    together = train_runs([Run(fine, data), Run(wild, data)])
    alone = train_runs([Run(fine, data)])[0]
    assert together[1].diverged and together[1].diverged_epoch is not None
    assert together[1].to_dict()["hint"] == (
        "the loss became NaN or infinite, or exploded (over 100 × a constant prediction's or 1000 × the first epoch's): "
        "lower the learning rate (or λ), or standardise the features"
    )
    assert together[1].to_dict()["test"] == {"loss": None, "penalty": None, "data_loss": None, "r2": None, "rmse": None}
    assert not together[0].diverged and together[0].epochs_run == 6
    np.testing.assert_allclose(together[0].kernels[0], alone.kernels[0], rtol=1e-5, atol=1e-7)


def test_early_stopping_restores_best_weights_and_freezes_the_model():
    configs = [small(hidden=(64, 64), epochs=200, lr=0.02, patience=3, seed=0), small(hidden=(64, 64), epochs=200, lr=0.02, seed=0)]
    results = train_runs([Run(c, MOONS) for c in configs])
    stopped, full = results
    assert stopped.stopped_early and stopped.epochs_run < 200
    assert full.epochs_run == 200 and not full.stopped_early
    history = stopped.history["val_data_loss"]
    assert len(history) == stopped.epochs_run
    assert stopped.best_epoch == int(np.argmin(history)) + 1
    assert stopped.val["data_loss"] == pytest.approx(min(history), rel=1e-5)


def test_prune_leaves_the_other_models_untouched():
    configs = [small(hidden=(16,), epochs=5, seed=s) for s in range(3)]
    split = load(MOONS)
    reference = StackTrainer(configs, [split] * 3, dtype=torch.float64).run()
    trainer = StackTrainer(configs, [split] * 3, dtype=torch.float64)
    for report in trainer.epochs():
        if report.epoch == 2:
            trainer.prune(1)
    assert trainer.outcomes[1].status == "pruned" and trainer.outcomes[1].epochs_run == 2
    for k in (0, 2):
        np.testing.assert_allclose(trainer.outcomes[k].kernels[0], reference[k].kernels[0], rtol=1e-10)


def test_hyperparameters_change_between_epochs():
    split = load(MOONS)
    trainer = StackTrainer([small(hidden=(32,), epochs=30, seed=0)], [split])
    norms = []
    for report in trainer.epochs():
        norms.append(float(trainer.stack.kernels[0].square().sum()))
        if report.epoch == 10:
            trainer.set_hyperparameters(0, penalty=L2(lam=1.0), lr=0.01)
    assert trainer.configs[0].penalty == L2(lam=1.0) and trainer.configs[0].lr == 0.01
    assert norms[-1] < 0.5 * norms[9]
    history = trainer.outcomes[0].history["penalty"]
    assert history[9] == 0.0 and history[10] > 0.0


def test_state_round_trip_resumes_exactly():
    configs = [small(hidden=(16, 8), epochs=8, dropout=0.3, patience=50, seed=s, penalty=L1(lam=0.01)) for s in range(2)]
    split = load(MOONS)
    straight = StackTrainer(configs, [split] * 2).run()
    first = StackTrainer(configs, [split] * 2)
    for report in first.epochs():
        if report.epoch == 3:
            break
    buffer = io.BytesIO()
    torch.save(first.state_dict(), buffer)
    buffer.seek(0)
    resumed = StackTrainer(configs, [split] * 2)
    resumed.load_state_dict(torch.load(buffer))
    outcomes = resumed.run()
    for k in range(2):
        assert outcomes[k].history == straight[k].history
        for a, b in zip(outcomes[k].kernels, straight[k].kernels):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "data, keys",
    [
        (BLOBS, {"loss", "data_loss", "penalty", "accuracy"}),
        (REGRESSION, {"loss", "data_loss", "penalty", "r2", "rmse"}),
        (DataConfig(dataset="wine"), {"loss", "data_loss", "penalty", "accuracy"}),
    ],
)
def test_multiclass_and_regression_train_end_to_end(data, keys):
    result = train_runs([Run(small(epochs=30, lr=0.01), data)])[0]
    assert set(result.test) == keys
    assert result.train[result.score_name] > (0.5 if data.dataset != "regression" else 0.3)
    assert result.verdict() in {"overfitting", "good fit", "underfitting"}


def test_regression_rmse_is_in_original_units():
    data = DataConfig(dataset="diabetes")
    result = train_runs([Run(small(epochs=20, lr=0.01), data)])[0]
    split = load(data)
    # rmse = sqrt(mse of the standardised target) × the target's scale
    assert result.test["rmse"] == pytest.approx(np.sqrt(result.test["data_loss"]) * split.y_scale, rel=1e-5)
    assert split.y_scale > 10


def test_interrupted_sweep_resumes_from_its_checkpoint(tmp_path):
    runs = [Run(small(hidden=h, epochs=6, seed=s), MOONS) for h in ((8,), (4, 4)) for s in range(2)]
    straight = train_runs(runs)
    path = tmp_path / "sweep.ckpt"

    def interrupt(group, report):
        if group == 1 and report.epoch == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_runs(runs, on_epoch=interrupt, checkpoint=path)
    assert path.exists()
    seen = []
    resumed = train_runs(runs, on_epoch=lambda g, r: seen.append((g, r.epoch)), checkpoint=path)
    assert seen[0] == (1, 4)  # the first stack was not trained again; the second went on from epoch 3
    assert not path.exists()
    for a, b in zip(resumed, straight):
        assert a.history == b.history
        assert all(np.array_equal(x, y) for x, y in zip(a.kernels, b.kernels))


def test_checkpoint_of_other_runs_is_refused(tmp_path):
    path = tmp_path / "sweep.ckpt"
    with pytest.raises(KeyboardInterrupt):
        train_runs([Run(small(), MOONS)], on_epoch=lambda g, r: (_ for _ in ()).throw(KeyboardInterrupt), checkpoint=path)
    with pytest.raises(DataError) as info:
        train_runs([Run(small(seed=9), MOONS)], checkpoint=path)
    assert str(info.value) == (
        f"The checkpoint '{path}' belongs to other runs (another command or other options): remove it to start over, "
        "or run the command that wrote it."
    )


def test_json_weights_count_dead_units_on_the_training_data():
    from reglab.measures import dead_relu_units

    result = train_runs([Run(small(hidden=(16, 8), epochs=5), MOONS)])[0]
    doc = result.to_dict()
    expected = dead_relu_units(load(MOONS).X_train, result.kernels, result.biases, "relu")
    assert [w["dead_units"] for w in doc["weights"]] == [*expected, None]


def test_json_verdict_comes_with_its_reason():
    result = train_runs([Run(small(epochs=3), MOONS)])[0]
    doc = result.to_dict()
    score, held = result.train["accuracy"], result.val["accuracy"]
    assert doc["verdict_reason"].startswith(f"Train accuracy {score:.2f} vs validation {held:.2f}: ")
    assert doc["verdict_reason"].endswith(f"so the model is {'a good fit' if doc['verdict'] == 'good fit' else doc['verdict']}.")
