"""The boundaries a frame carries (the server's torch forward pass over the grid, reglab.web.plane) against the one
NumPy forward pass (reglab.measures.forward), for every activation of reglab.rules.ACTIVATIONS and every task."""

import base64

import numpy as np
import pytest
import torch

from reglab.measures.forward import forward_pass
from reglab.rules import ACTIVATIONS, TASKS
from reglab.web.plane import PlaneGrid, boundary_images

OUTPUTS = {"binary": 1, "multiclass": 3, "regression": 1}
TARGET = (-2.0, 3.0, 0.5, 1.5)  # regression: colours over raw ŷ in [−2, 3], raw ŷ = 1.5·z + 0.5


def decoded(image: dict, key: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(image[key]), dtype=np.uint8).astype(int)


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_frame_boundaries_are_the_numpy_forward(activation, task):
    generator = torch.Generator().manual_seed(7)
    sizes = (2, 6, 4, OUTPUTS[task])
    weights = {
        i: (
            [torch.randn(a, b, generator=generator) for a, b in zip(sizes[:-1], sizes[1:])],
            [torch.randn(b, generator=generator) * 0.5 for b in sizes[1:]],
        )
        for i in (0, 3)  # run indices, not positions
    }
    grid = PlaneGrid((-1.0, 1.0), (-1.0, 1.0), torch.randn(64, 2, generator=generator))
    images = boundary_images(weights, activation, task, grid, TARGET)
    assert sorted(images) == [0, 3]
    for i, (kernels, biases) in weights.items():
        numpy = forward_pass(grid.inputs.numpy(), [k.numpy() for k in kernels], [b.numpy() for b in biases], activation, task)
        if task == "binary":
            expected = {"p": np.round(numpy.outputs * 255)}
        elif task == "multiclass":
            ordered = np.sort(numpy.outputs, axis=1)
            clear = ordered[:, -1] - ordered[:, -2] > 1e-4  # float32 may swap two classes within a hair of each other
            assert np.array_equal(decoded(images[i], "label")[clear], numpy.outputs.argmax(axis=1)[clear])
            expected = {"conf": np.round(numpy.outputs.max(axis=1) * 255)}
        else:
            lo, hi, mean, scale = TARGET
            expected = {"value": np.clip(np.round((numpy.outputs * scale + mean - lo) / (hi - lo) * 255), 0, 255)}
        for key, values in expected.items():
            assert np.abs(decoded(images[i], key) - values).max() <= 1  # float32 against float64
        assert np.ptp(next(iter(expected.values()))) > 10  # pictures that vary, not a constant compared with itself
