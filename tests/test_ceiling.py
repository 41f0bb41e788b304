"""The Bayes accuracy of the 2-D generators, against brute force on fresh samples and known limits."""

import math

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from reglab.config import DataConfig
from reglab.data import make_dataset
from reglab.measures.ceiling import KNOWN, _computed, bayes_accuracy, class_densities, data_ceiling

CASES = [("moons", 0.3), ("circles", 0.1), ("xor", 0.15), ("spirals", 0.15), ("blobs", 0.3)]


def test_moons_at_noise_0_3_allows_about_0_915():
    assert abs(bayes_accuracy("moons", 0.3) - 0.915) < 0.004


@pytest.mark.parametrize(("name", "noise"), CASES)
def test_the_bayes_rule_on_fresh_samples_scores_the_ceiling(name, noise):
    # the optimal classifier (argmax of the densities) evaluated on 40,000 points of another seed:
    # its accuracy has a standard error of at most √(¼/40000) = 0.0025, so 0.01 is 4 standard errors
    X, y = make_dataset(name, 40_000, noise, seed=777)  # blobs: the centres of seed 777
    predicted = class_densities(name, X, noise, seed=777).argmax(axis=1)
    assert abs(np.mean(predicted == y) - bayes_accuracy(name, noise, seed=777)) < 0.01


@pytest.mark.parametrize(("name", "noise"), [("moons", 0.3), ("xor", 0.15)])
def test_a_large_sample_knn_does_not_beat_the_ceiling(name, noise):
    # a consistent classifier trained on 20,000 points comes close from below (never above, but for sampling error)
    X, y = make_dataset(name, 30_000, noise, seed=5)
    knn = KNeighborsClassifier(n_neighbors=100).fit(X[:20_000], y[:20_000])
    accuracy, ceiling = knn.score(X[20_000:], y[20_000:]), bayes_accuracy(name, noise)
    assert ceiling - 0.02 < accuracy < ceiling + 0.012  # 0.012 ≈ 4 standard errors of 10,000 test points


@pytest.mark.parametrize(("name", "little"), [("moons", 0.05), ("circles", 0.02), ("xor", 0.002), ("spirals", 0.05)])
def test_no_noise_is_perfectly_separable_and_more_noise_allows_less(name, little):
    assert bayes_accuracy(name, 0.0) == 1.0
    small, medium, large = (bayes_accuracy(name, s) for s in (little, 0.2, 0.6))
    assert small > 0.99 and small > medium > large > 0.5


def test_circles_density_integrates_to_one():
    # each class density is a probability density: its integral over the plane is 1 (grid sum)
    g = np.linspace(-2.5, 2.5, 501)
    xx, yy = np.meshgrid(g, g)
    dens = class_densities("circles", np.column_stack([xx.ravel(), yy.ravel()]), 0.2)
    assert np.allclose(dens.sum(axis=0) * (g[1] - g[0]) ** 2, 1.0, atol=1e-3)


def test_blobs_depend_on_the_seed_through_their_centres():
    assert bayes_accuracy("blobs", 0.3, seed=0) != bayes_accuracy("blobs", 0.3, seed=1)


def test_data_ceiling_knows_only_the_2d_classification_generators():
    assert data_ceiling(DataConfig(dataset="moons", noise=0.3), "binary") == bayes_accuracy("moons", 0.3)
    assert data_ceiling(DataConfig(dataset="breast_cancer"), "binary") is None
    assert data_ceiling(DataConfig(dataset="regression"), "regression") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rings", 0.1), "The 'name' parameter must be one of moons, circles, xor, spirals, blobs. Got 'rings' instead."),
        (("moons", -0.1), "The 'noise' parameter must be a finite float >= 0. Got -0.1 instead."),
        (("moons", math.nan), "The 'noise' parameter must be a finite float >= 0. Got nan instead."),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(ValueError) as err:
        bayes_accuracy(*args)
    assert str(err.value) == message


@pytest.mark.parametrize("pair", sorted(KNOWN))
def test_the_shipped_ceilings_are_what_the_module_computes(pair):
    name, noise = pair
    assert bayes_accuracy(name, noise) == KNOWN[pair]
    assert _computed(name, noise, 2, 0) == pytest.approx(KNOWN[pair], abs=1e-9)  # the same Monte Carlo draws, up to libm rounding
