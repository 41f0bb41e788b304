"""Measures of trained models: weight statistics, statistics over seeds and the fit verdict (NumPy only)."""

from reglab.measures.fit import TASKS, VERDICTS, FitThresholds, explain, generalization_gap, skill, verdict
from reglab.measures.stats import paired_test, summarize, t_cdf, t_quantile, t_sf
from reglab.measures.weights import dead_relu_units, dead_units, hidden_activations, layer_stats, weight_stats

__all__ = [
    "FitThresholds",
    "TASKS",
    "VERDICTS",
    "dead_relu_units",
    "dead_units",
    "explain",
    "generalization_gap",
    "hidden_activations",
    "layer_stats",
    "paired_test",
    "skill",
    "summarize",
    "t_cdf",
    "t_quantile",
    "t_sf",
    "verdict",
    "weight_stats",
]
