"""The 2-D generators of the lecture and the datasets shipped with scikit-learn (nothing is downloaded)."""

from __future__ import annotations

import numpy as np

from reglab.errors import DataError
from reglab.rules import DATASETS, GENERATORS, REAL  # the names, stated once in reglab.rules

__all__ = ["DATASETS", "GENERATORS", "REAL", "make_dataset", "shipped_dataset"]


def make_dataset(name: str, n_samples: int, noise: float, seed: int, n_classes: int = 3):
    """Raw ``(X, y)`` of a 2-D generator: X float64 ``[n_samples, 2]``, y int64 labels (float64 for
    'regression'). Everything is drawn from ``seed``; ``noise`` is the std of Gaussian noise.

    * moons, circles: scikit-learn's ``make_moons`` / ``make_circles(factor=0.5)`` with ``noise``.
    * xor: x uniform in [-1, 1]², label ``x0·x1 > 0`` of the clean point, then noise on x.
    * spirals: two arms of 1.5 turns, ``t = √u``, radius ``2t``, angle ``3πt + π·label``, noise on x.
    * blobs: ``make_blobs`` with ``n_classes`` centres in [-10, 10]², ``cluster_std = 1 + 3·noise``.
    * regression: x uniform in [-2, 2]², ``y = sin(2·x0) + 0.5·x1² + noise·N(0, 1)``.
    """
    from sklearn import datasets as skdata  # imported here: a refusal of bad options never pays for it

    rng = np.random.default_rng(seed)
    if name == "moons":
        X, y = skdata.make_moons(n_samples, noise=noise, random_state=seed)
    elif name == "circles":
        X, y = skdata.make_circles(n_samples, noise=noise, factor=0.5, random_state=seed)
    elif name == "xor":
        clean = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
        y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)
        X = clean + noise * rng.standard_normal((n_samples, 2))
    elif name == "spirals":
        y = rng.permutation(np.arange(n_samples) % 2)
        t = np.sqrt(rng.uniform(0.0, 1.0, n_samples))
        angle = 3.0 * np.pi * t + np.pi * y
        X = 2.0 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        X = X + noise * rng.standard_normal((n_samples, 2))
    elif name == "blobs":
        spread = 1.0 + 3.0 * noise
        X, y = skdata.make_blobs(n_samples, centers=n_classes, cluster_std=spread, random_state=seed)
    elif name == "regression":
        X = rng.uniform(-2.0, 2.0, size=(n_samples, 2))
        y = np.sin(2.0 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + noise * rng.standard_normal(n_samples)
        return X, y.astype(np.float64)
    else:
        raise DataError(
            f"The 'name' parameter of make_dataset must be one of {', '.join(GENERATORS)}. "
            f"Got {name!r} instead."
        )
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)


def shipped_dataset(name: str):
    """``(X, y, feature_names, class_names, task)`` of a dataset shipped with scikit-learn."""
    from sklearn import datasets as skdata

    bunch = getattr(skdata, f"load_{name}")()
    regression = name == "diabetes"
    y = bunch.target.astype(np.float64 if regression else np.int64)
    classes = () if regression else tuple(str(c) for c in bunch.target_names)
    task = "regression" if regression else ("binary" if len(classes) == 2 else "multiclass")
    features = tuple(str(f) for f in bunch.feature_names)
    return bunch.data.astype(np.float64), y, features, classes, task
