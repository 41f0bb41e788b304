"""Measures of trained models: weight statistics, decision boundaries, statistics over seeds, the Bayes ceiling of
the 2-D generators and the fit verdict (NumPy, and SciPy for the t distribution and region labelling)."""

from reglab.measures.boundary import (
    boundary_complexity,
    boundary_grid,
    boundary_length,
    grid_predictions,
    predict_proba,
)
from reglab.measures.ceiling import bayes_accuracy, data_ceiling
from reglab.measures.fit import KINDS, VERDICTS, FitThresholds, generalization_gap, kind_of, skill, verdict_counts
from reglab.measures.forward import ACTIVATION_FUNCTIONS, ForwardPass, activate, forward_pass, output_link
from reglab.measures.judging import Judgement, explain, judge, verdict
from reglab.measures.stats import paired_test, summarize
from reglab.measures.weights import dead_relu_units, dead_units, hidden_activations, layer_stats, weight_stats

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "FitThresholds",
    "ForwardPass",
    "Judgement",
    "KINDS",
    "VERDICTS",
    "activate",
    "bayes_accuracy",
    "boundary_complexity",
    "boundary_grid",
    "boundary_length",
    "data_ceiling",
    "dead_relu_units",
    "dead_units",
    "explain",
    "forward_pass",
    "generalization_gap",
    "grid_predictions",
    "hidden_activations",
    "judge",
    "kind_of",
    "layer_stats",
    "output_link",
    "paired_test",
    "predict_proba",
    "skill",
    "summarize",
    "verdict",
    "verdict_counts",
    "weight_stats",
]
