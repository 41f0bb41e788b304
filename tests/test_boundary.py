"""Tests of reglab.measures.boundary: predictions by hand, grids, boundary length on analytic shapes
and region counts against a plain breadth-first flood fill."""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from reglab.measures.boundary import (
    boundary_complexity,
    boundary_grid,
    boundary_length,
    grid_predictions,
    predict_proba,
)

# a 2-2-1 network worked out by hand: for x = (1, 2) the hidden pre-activations are
# (1·1 + 2·0 + 0, 1·(−1) + 2·1 − 3) = (1, −2), after ReLU (1, 0), and the logit 2·1 + 5·0 − 1 = 1
KERNELS = [np.array([[1.0, -1.0], [0.0, 1.0]]), np.array([[2.0], [5.0]])]
BIASES = [np.array([0.0, -3.0]), np.array([-1.0])]


def unit_grid(n: int = 151) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0.0, 1.0, n)
    return np.meshgrid(x, x)


# predict_proba ------------------------------------------------------------------------------------


def test_binary_probability_by_hand():
    p = predict_proba(np.array([[1.0, 2.0]]), KERNELS, BIASES, "relu", "binary")
    assert p.shape == (1,)
    assert p[0] == pytest.approx(1.0 / (1.0 + math.exp(-1.0)))


def test_regression_is_the_raw_output_and_tanh_is_applied_to_hidden_layers_only():
    out = predict_proba(np.array([[1.0, 2.0]]), KERNELS, BIASES, "tanh", "regression")
    assert out == pytest.approx([2.0 * math.tanh(1.0) + 5.0 * math.tanh(-2.0) - 1.0])


def test_multiclass_softmax_by_hand_and_without_hidden_layers():
    kernel = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]])  # logistic regression: logits = x @ W + b
    bias = np.array([0.0, 0.0, 1.0])
    p = predict_proba(np.array([[1.0, 0.5], [0.0, 0.0]]), [kernel], [bias], "relu", "multiclass")
    e = np.exp([1.0, 1.0, 0.0])
    assert p.shape == (2, 3)
    assert p[0] == pytest.approx(e / e.sum())
    assert p[1] == pytest.approx(np.exp([0.0, 0.0, 1.0]) / np.exp([0.0, 0.0, 1.0]).sum())


def test_huge_logits_neither_overflow_nor_warn():
    kernel = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    x = np.array([[1.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_allclose(predict_proba(x, [kernel], [np.zeros(2)], "relu", "multiclass"), np.eye(2))
    assert predict_proba(x, [kernel[:, :1]], [np.zeros(1)], "relu", "binary") == pytest.approx([1.0, 0.0])


def test_a_binary_model_with_two_outputs_is_rejected_with_the_fix():
    with pytest.raises(ValueError) as error:
        predict_proba(np.ones((1, 2)), [np.ones((2, 2))], [np.zeros(2)], "relu", "binary")
    assert str(error.value) == (
        "A binary model must have 1 output logit. Got 2 outputs instead; use task='multiclass'."
    )


def test_an_unknown_task_is_rejected():
    with pytest.raises(ValueError) as error:
        predict_proba(np.ones((1, 2)), KERNELS, BIASES, "relu", "ranking")
    assert str(error.value) == (
        "The 'task' parameter must be one of binary, multiclass, regression. Got 'ranking' instead."
    )


# grids --------------------------------------------------------------------------------------------


def test_grid_covers_the_points_with_margin_and_square_cells():
    X = np.array([[-1.0, -0.5], [2.0, 1.0], [0.5, 0.2]])  # x range 3, y range 1.5
    xx, yy = boundary_grid(X, resolution=101, margin=0.1)
    assert xx.shape == yy.shape and xx.shape[1] == 101  # the longer side gets `resolution` points
    dx, dy = xx[0, 1] - xx[0, 0], yy[1, 0] - yy[0, 0]
    assert dx == pytest.approx(dy) and dx == pytest.approx((3.0 + 2 * 0.3) / 100)
    assert (xx.min(), xx.max()) == pytest.approx((-1.3, 2.3))
    assert yy.min() <= -0.5 - 0.3 + 1e-12 and yy.max() >= 1.0 + 0.3 - 1e-12
    assert yy.max() - yy.min() < 1.5 + 0.6 + dy  # the shorter side no longer than it must be
    assert 0.5 * (yy.min() + yy.max()) == pytest.approx(0.25)  # centred on the points
    assert np.all(xx == xx[0]) and np.all(yy == yy[:, :1])  # 'xy' meshgrid


def test_grid_of_a_single_point_is_a_unit_box():
    xx, yy = boundary_grid(np.array([[3.0, 4.0]]), resolution=11, margin=0.0)
    assert xx.shape == (11, 11)
    assert (xx.min(), xx.max(), yy.min(), yy.max()) == pytest.approx((2.5, 3.5, 3.5, 4.5))


def test_grid_rejects_points_that_are_not_2d():
    with pytest.raises(ValueError) as error:
        boundary_grid(np.ones((4, 3)))
    assert str(error.value) == (
        "The 'X' parameter must be a finite [n, 2] array with n >= 1. Got shape (4, 3) instead."
    )


def test_grid_predictions_apply_the_transform_and_match_predict_proba():
    xx, yy = unit_grid(7)
    mean, scale = np.array([0.5, 0.5]), np.array([0.25, 0.5])
    out = grid_predictions(xx, yy, KERNELS, BIASES, "relu", "binary", transform=lambda P: (P - mean) / scale)
    points = (np.column_stack([xx.ravel(), yy.ravel()]) - mean) / scale
    expected = predict_proba(points, KERNELS, BIASES, "relu", "binary").reshape(xx.shape)
    assert out["proba"].shape == xx.shape
    np.testing.assert_allclose(out["proba"], expected)
    np.testing.assert_array_equal(out["label"], (expected >= 0.5).astype(int))


def test_grid_predictions_for_multiclass_and_regression():
    xx, yy = unit_grid(5)
    kernel = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    out = grid_predictions(xx, yy, [kernel], [np.zeros(3)], "relu", "multiclass")
    assert out["proba"].shape == (5, 5, 3)
    np.testing.assert_allclose(out["proba"].sum(axis=-1), 1.0)
    np.testing.assert_array_equal(out["label"], np.where(xx >= yy, 0, 1))  # ties go to class 0
    out = grid_predictions(xx, yy, [np.array([[1.0], [2.0]])], [np.zeros(1)], "relu", "regression")
    np.testing.assert_allclose(out["proba"], xx + 2 * yy)
    assert out["label"] is None


# boundary length ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, labels_of, true_length",
    [
        ("vertical line", lambda xx, yy: xx > 0.503, 1.0),
        ("horizontal line", lambda xx, yy: yy > 0.371, 1.0),
        ("diagonal line", lambda xx, yy: yy > xx + 1e-9, math.sqrt(2.0)),
        ("line at 30 degrees", lambda xx, yy: yy > 0.2 + xx * math.tan(math.pi / 6), 1.0 / math.cos(math.pi / 6)),
        ("circle of radius 0.3", lambda xx, yy: (xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.09, 2 * math.pi * 0.3),
    ],
)
def test_boundary_length_of_analytic_shapes_within_2_percent(name, labels_of, true_length):
    xx, yy = unit_grid()
    length = boundary_length(labels_of(xx, yy).astype(int), xx, yy)
    assert length == pytest.approx(true_length, rel=0.02), name


def test_boundary_length_is_in_data_units_and_zero_without_a_boundary():
    xx, yy = unit_grid()
    circle = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.09).astype(int)
    assert boundary_length(circle, 10 * xx, 10 * yy) == pytest.approx(10 * boundary_length(circle, xx, yy))
    assert boundary_length(np.zeros_like(circle), xx, yy) == 0.0


def test_boundary_length_on_rectangular_cells():
    x, y = np.linspace(0.0, 2.0, 301), np.linspace(0.0, 1.0, 101)  # dx = 2/300, dy = 1/100
    xx, yy = np.meshgrid(x, y)
    circle = ((xx - 1.0) ** 2 + (yy - 0.5) ** 2 < 0.16).astype(int)
    assert boundary_length(circle, xx, yy) == pytest.approx(2 * math.pi * 0.4, rel=0.02)


def test_boundary_length_rejects_an_ij_meshgrid():
    x = np.linspace(0.0, 1.0, 5)
    xx, yy = np.meshgrid(x, x, indexing="ij")
    with pytest.raises(ValueError) as error:
        boundary_length(np.zeros((5, 5)), xx, yy)
    assert str(error.value) == (
        "The 'xx' and 'yy' parameters must be a meshgrid in 'xy' indexing (xx varying along "
        "columns, yy along rows) with positive spacing. Got dx = 0.0 and dy = 0.0 instead."
    )


# regions and changes ------------------------------------------------------------------------------


def flood_fill_regions(labels: np.ndarray) -> int:
    """Reference: breadth-first flood fill over 4-neighbours."""
    seen = np.zeros(labels.shape, dtype=bool)
    regions = 0
    for start in zip(*np.nonzero(~seen)):
        if seen[start]:
            continue
        regions += 1
        seen[start] = True
        queue = deque([start])
        while queue:
            r, c = queue.popleft()
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < labels.shape[0] and 0 <= nc < labels.shape[1] and not seen[nr, nc]:
                    if labels[nr, nc] == labels[r, c]:
                        seen[nr, nc] = True
                        queue.append((nr, nc))
    return regions


def test_two_halves_are_two_regions_with_one_change_per_row():
    xx, yy = unit_grid(20)
    result = boundary_complexity((xx > 0.5).astype(int), xx, yy)
    assert result["regions"] == 2
    assert result["changes"] == 20


def test_islands_each_add_a_region():
    labels = np.zeros((12, 12), dtype=int)
    labels[:, 6:] = 1
    labels[2, 2] = 1  # island of class 1 in class 0
    labels[8:10, 3:5] = 1  # a 2 × 2 island
    labels[5, 9] = 0  # island of class 0 in class 1
    labels[0, 0] = 1  # a corner pixel, touching nothing of its class (4-connectivity)
    labels[1, 1] = 1  # diagonal to the corner pixel: a separate island
    xx, yy = unit_grid(12)
    result = boundary_complexity(labels, xx, yy)
    assert result["regions"] == 7
    assert result["changes"] == 12 + 4 + 8 + 4 + 2 + 4


def test_a_spiral_corridor_is_one_region():
    n = 41
    labels = np.zeros((n, n), dtype=int)
    top, left, bottom, right = 0, 0, n - 1, n - 1
    while top <= bottom and left <= right:  # walls every other ring, leaving a gap to pass
        labels[top, left : right + 1] = 1
        labels[top : bottom + 1, right] = 1
        labels[bottom, left : right + 1] = 1
        labels[top + 2 : bottom + 1, left] = 1
        top, left, bottom, right = top + 2, left + 2, bottom - 2, right - 2
    xx, yy = unit_grid(n)
    assert boundary_complexity(labels, xx, yy)["regions"] == flood_fill_regions(labels)


def test_a_checkerboard_has_one_region_per_pixel():
    labels = np.indices((9, 7)).sum(axis=0) % 2
    xx, yy = np.meshgrid(np.linspace(0, 1, 7), np.linspace(0, 1, 9))
    result = boundary_complexity(labels, xx, yy)
    assert result["regions"] == 63
    assert result["changes"] == 9 * 6 + 8 * 7


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(3, 12), st.integers(3, 12)), elements=st.integers(0, 2)))
def test_regions_match_a_flood_fill(labels):
    xx, yy = np.meshgrid(np.arange(labels.shape[1], dtype=float), np.arange(labels.shape[0], dtype=float))
    assert boundary_complexity(labels, xx, yy)["regions"] == flood_fill_regions(labels)


HAND_MADE_GRIDS = [
    # (grid, regions): counts the union-find count of earlier versions gave, checked by hand
    (np.pad(np.pad(np.zeros((3, 3), dtype=int), 1, constant_values=1), 1), 3),  # outside, ring, hole
    (np.eye(5, dtype=int), 7),  # five diagonal pixels touch nothing of their class, two triangles
    (np.array([[0, 0, 1, 1, 2], [0, 2, 1, 2, 2], [0, 0, 1, 1, 2], [2, 2, 2, 0, 0]]), 6),  # 0: 2, 1: 1, 2: 3
    (np.tile(np.array([0, 1, 2]), (4, 3)), 9),  # one region per column
]


@pytest.mark.parametrize(("labels", "regions"), HAND_MADE_GRIDS)
def test_regions_of_hand_made_grids_use_4_connectivity(labels, regions):
    xx, yy = np.meshgrid(np.arange(labels.shape[1], dtype=float), np.arange(labels.shape[0], dtype=float))
    assert boundary_complexity(labels, xx, yy)["regions"] == regions == flood_fill_regions(labels)


def test_an_unknown_task_names_the_tasks_of_the_config():
    from reglab.config import TASKS

    with pytest.raises(ValueError) as error:
        grid_predictions(*unit_grid(3), KERNELS, BIASES, "relu", "classification")
    assert str(error.value) == f"The 'task' parameter must be one of {', '.join(TASKS)}. Got 'classification' instead."
