"""Measures of trained models: weight statistics, decision boundaries, statistics over seeds and the fit
verdict (NumPy only)."""

from reglab.measures.boundary import (
    OUTPUT_TASKS,
    boundary_complexity,
    boundary_grid,
    boundary_length,
    grid_predictions,
    predict_proba,
)
from reglab.measures.fit import TASKS, VERDICTS, FitThresholds, explain, generalization_gap, skill, verdict
from reglab.measures.stats import paired_test, summarize, t_cdf, t_quantile, t_sf
from reglab.measures.weights import dead_relu_units, dead_units, hidden_activations, layer_stats, weight_stats

__all__ = [
    "FitThresholds",
    "OUTPUT_TASKS",
    "TASKS",
    "VERDICTS",
    "boundary_complexity",
    "boundary_grid",
    "boundary_length",
    "dead_relu_units",
    "dead_units",
    "explain",
    "generalization_gap",
    "grid_predictions",
    "hidden_activations",
    "layer_stats",
    "paired_test",
    "predict_proba",
    "skill",
    "summarize",
    "t_cdf",
    "t_quantile",
    "t_sf",
    "verdict",
    "weight_stats",
]
