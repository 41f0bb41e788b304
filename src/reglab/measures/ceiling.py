"""The Bayes accuracy of reglab's 2-D generators: the best accuracy any classifier can reach on new data.

For classes ``k`` with priors ``π_k`` and densities ``p_k(x)``, the Bayes classifier predicts
``argmax_k π_k·p_k(x)`` and its accuracy is ``E_x[max_k P(k | x)]`` with ``P(k | x) = π_k p_k(x) / Σ_j π_j p_j(x)``.

The densities are those of :func:`reglab.data.make_dataset`, each a clean shape convolved with
isotropic Gaussian noise of std σ = ``noise`` (``N_σ`` below), with equal priors:

- moons (scikit-learn's ``make_moons``): class 0 uniform on the arc ``(cos t, sin t)``, class 1 on
  ``(1 − cos t, ½ − sin t)``, ``t ∈ [0, π]``; ``p_k(x) = (1/π)∫₀^π N_σ(x − c_k(t)) dt``, by the midpoint
  rule (the generator itself spaces its points evenly on the arc);
- circles (``make_circles(factor=0.5)``): uniform angle on radius ``r_0 = 1``, ``r_1 = ½``; exactly
  ``p_k(x) = exp(−(ρ² + r_k²)/2σ²) · I₀(ρ r_k / σ²) / (2πσ²)`` with ``ρ = |x|``;
- xor: uniform on the quadrants where ``x₀x₁ > 0`` (class 1) or ``< 0`` (class 0) of ``[−1, 1]²``;
  exactly ``p_1(x) = ½ [B(0,1;x₀)B(0,1;x₁) + B(−1,0;x₀)B(−1,0;x₁)]`` with
  ``B(a,b;u) = Φ((b−u)/σ) − Φ((a−u)/σ)``, and ``p_0`` with the quadrants crossed;
- spirals: ``t`` with density ``2t`` on ``[0, 1]``, arm ``2t(cos θ, sin θ)``, ``θ = 3πt + πk``;
  ``p_k(x) = ∫₀¹ 2t N_σ(x − c_k(t)) dt`` by the midpoint rule;
- blobs (``make_blobs``): Gaussians of std ``1 + 3σ`` around the centres that ``make_blobs`` draws
  from ``seed`` (so the ceiling of blobs depends on the seed), priors ``1/n_classes``.

The midpoint rule's step along an arc is at most σ/2 (at least 64 points): the Riemann sum of a
Gaussian sampled finer than its width is exact far below the Monte Carlo error.

The expectation over ``x`` is a Monte Carlo mean of ``max_k P(k | x)`` over points drawn by the
generator itself, in blocks of :data:`BLOCK` with seeds ``MC_SEED, MC_SEED + 1, …``, until the
standard error of the mean is at most :data:`STANDARD_ERROR` (0.001, so that two standard errors
are ±0.002) or :data:`MAX_SAMPLES` points are used (at most ``¼/√MAX_SAMPLES`` for two
classes, since ``max_k P ∈ [½, 1]``). With ``noise = 0`` moons, circles, xor and spirals are
separable: 1.0. Results are cached per arguments, in memory; the values at the lecture's noise levels
and at the default noise (0.3) are shipped in :data:`KNOWN`, computed by this module (a test computes
them again), so the demo does not spend half a second on them.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special, stats

__all__ = [
    "BLOCK", "CEILING_DATASETS", "KNOWN", "MAX_SAMPLES", "MC_SEED", "STANDARD_ERROR", "bayes_accuracy", "blob_centres", "class_densities",
    "data_ceiling",
]  # fmt: skip

CEILING_DATASETS = ("moons", "circles", "xor", "spirals", "blobs")  # the generators with a known Bayes accuracy
BLOCK = 20_000  # Monte Carlo points drawn at a time
MAX_SAMPLES = 400_000  # at most this many points in all
STANDARD_ERROR = 0.001  # stop once the standard error of the mean is this small
MC_SEED = 12345  # seed of the first block
_CHUNK = 2048  # points per density evaluation, to bound memory (chunk × arc points floats)
KNOWN = {  # (generator, noise) -> Bayes accuracy, as this module computes it (tests/test_ceiling.py checks each)
    ("moons", 0.3): 0.914462857498751,
    ("circles", 0.1): 0.9936442367931191,
    ("xor", 0.15): 0.8854712056074133,
    ("spirals", 0.15): 0.9763324718243493,
    ("circles", 0.3): 0.7855680381592703,
    ("xor", 0.3): 0.7874058101670068,
    ("spirals", 0.3): 0.8132414368071406,
}


def _arc_density(X: np.ndarray, centres: np.ndarray, weights: np.ndarray, sigma: float) -> np.ndarray:
    """``Σ_j w_j N_σ(x − c_j)`` for every row of X, in blocks."""
    out = np.empty(len(X))
    norm = 1.0 / (2.0 * math.pi * sigma**2)
    for start in range(0, len(X), _CHUNK):
        block = X[start : start + _CHUNK]
        d2 = ((block[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        out[start : start + _CHUNK] = norm * np.exp(-d2 / (2.0 * sigma**2)) @ weights
    return out


def _midpoints(lo: float, hi: float, length: float, sigma: float) -> tuple[np.ndarray, float]:
    """Midpoints of ``[lo, hi]`` for an arc of ``length``: at least 64, and a step along the arc <= σ/2."""
    n = max(64, math.ceil(2.0 * length / sigma))
    step = (hi - lo) / n
    return lo + step * (np.arange(n) + 0.5), step


def _box(a: float, b: float, u: np.ndarray, sigma: float) -> np.ndarray:
    return stats.norm.cdf((b - u) / sigma) - stats.norm.cdf((a - u) / sigma)


def blob_centres(n_classes: int, seed: int) -> np.ndarray:
    """The ``[n_classes, 2]`` centres that ``make_blobs`` draws from ``seed`` (the points aside)."""
    from sklearn.datasets import make_blobs

    return make_blobs(n_classes, centers=n_classes, random_state=seed, return_centers=True)[2]


def class_densities(name: str, X: np.ndarray, noise: float, n_classes: int = 3, seed: int = 0) -> np.ndarray:
    """``[n, K]`` class densities ``p_k(x)`` of generator ``name`` at the rows of ``X`` (``noise > 0``)."""
    X = np.asarray(X, dtype=np.float64)
    s = float(noise)
    if name == "moons":
        t, dt = _midpoints(0.0, math.pi, math.pi, s)
        w = np.full(len(t), dt / math.pi)
        outer = np.column_stack([np.cos(t), np.sin(t)])
        inner = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
        return np.column_stack([_arc_density(X, outer, w, s), _arc_density(X, inner, w, s)])
    if name == "circles":
        rho = np.hypot(X[:, 0], X[:, 1])
        cols = []
        for r in (1.0, 0.5):
            z = rho * r / s**2  # i0e(z) = exp(−z)·I0(z) keeps the product finite
            cols.append(np.exp(-((rho - r) ** 2) / (2 * s**2)) * special.i0e(z) / (2 * math.pi * s**2))
        return np.column_stack(cols)
    if name == "xor":
        x0, x1 = X[:, 0], X[:, 1]
        pos0, neg0, pos1, neg1 = _box(0, 1, x0, s), _box(-1, 0, x0, s), _box(0, 1, x1, s), _box(-1, 0, x1, s)
        return np.column_stack([0.5 * (pos0 * neg1 + neg0 * pos1), 0.5 * (pos0 * pos1 + neg0 * neg1)])
    if name == "spirals":
        t, dt = _midpoints(0.0, 1.0, 2.0 * math.hypot(1.0, 3.0 * math.pi), s)  # |dc/dt| <= 2·√(1 + (3π)²)
        w = 2.0 * t * dt
        cols = []
        for k in (0, 1):
            angle = 3.0 * math.pi * t + math.pi * k
            cols.append(_arc_density(X, 2.0 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]), w, s))
        return np.column_stack(cols)
    if name == "blobs":
        spread = 1.0 + 3.0 * s
        centres = blob_centres(n_classes, seed)
        return np.column_stack([stats.multivariate_normal(c, spread**2 * np.eye(2)).pdf(X) for c in centres])
    raise ValueError(f"The 'name' parameter must be one of {', '.join(CEILING_DATASETS)}. Got {name!r} instead.")


def _posterior_max(name: str, noise: float, n_classes: int, seed: int, block_seed: int) -> np.ndarray:
    from reglab.data import make_dataset

    if name == "blobs":  # the generator would draw other centres from block_seed: sample around the seed's own
        rng = np.random.default_rng(block_seed)
        X = blob_centres(n_classes, seed)[rng.integers(n_classes, size=BLOCK)]
        X = X + (1.0 + 3.0 * noise) * rng.standard_normal(X.shape)
    else:
        X, _ = make_dataset(name, BLOCK, noise, block_seed)
    dens = class_densities(name, X, noise, n_classes, seed)  # equal priors cancel in the posterior
    total = dens.sum(axis=1)
    return np.where(total > 0, dens.max(axis=1) / np.where(total > 0, total, 1.0), 1.0 / dens.shape[1])


@functools.lru_cache(maxsize=64)
def _cached(name: str, noise: float, n_classes: int, seed: int) -> float:
    if noise == 0.0 and name != "blobs":
        return 1.0
    if (name, noise) in KNOWN:
        return KNOWN[name, noise]
    return _computed(name, noise, n_classes, seed)


def _computed(name: str, noise: float, n_classes: int, seed: int) -> float:
    values = np.empty(0)
    for block in range(MAX_SAMPLES // BLOCK):
        values = np.concatenate([values, _posterior_max(name, noise, n_classes, seed, MC_SEED + block)])
        if values.std(ddof=1) / math.sqrt(len(values)) <= STANDARD_ERROR:
            break
    return float(values.mean())


def bayes_accuracy(name: str, noise: float, n_classes: int = 3, seed: int = 0) -> float:
    """The Bayes accuracy of generator ``name`` at ``noise`` (see the module docstring for the maths).

    ``n_classes`` and ``seed`` matter for blobs only (its centres are drawn from the seed).
    """
    if name not in CEILING_DATASETS:
        raise ValueError(f"The 'name' parameter must be one of {', '.join(CEILING_DATASETS)}. Got {name!r} instead.")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"The 'noise' parameter must be a finite float >= 0. Got {noise!r} instead.")
    return _cached(name, float(noise), int(n_classes) if name == "blobs" else 2, int(seed) if name == "blobs" else 0)


def data_ceiling(data, task: str) -> float | None:
    """The Bayes accuracy of a :class:`reglab.config.DataConfig` drawn from a 2-D classification
    generator (its ``dataset``, ``noise``, ``n_classes`` and ``seed``); None for any other data."""
    if data.dataset not in CEILING_DATASETS or task == "regression":
        return None
    return bayes_accuracy(data.dataset, data.noise, n_classes=data.n_classes, seed=data.seed)
