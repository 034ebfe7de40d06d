"""The book's heavy experiments, each written once: notebooks, tests and benchmarks call these.

Every function returns plain arrays or a result dataclass whose claims are methods
(``survey.clean_seeds()``, ``errors.slopes()``, ...).

- :mod:`.replica` the P1 §5.1 data recipe, the replica and the survey over seeds (chapter 04);
- :mod:`.mode_decay` per-mode GD decay and the ``T^2`` law (chapter 03);
- :mod:`.vacua` data and starts for symmetries, symmetry breaking and domain walls (01, 02);
- :mod:`.gauge_theory` twisted starts, P1's phases, expansion errors (chapter 05);
- :mod:`.higgs` spectra before and after ``L^+``, iterations against ``T`` (chapter 06);
- :mod:`.realistic`, :mod:`.realistic_summary` the sparse ratings experiment (chapter 08);
- :mod:`.limit` the exact gauge method against a twist-free start (``benchmarks/limit.py``);
- :mod:`.runs` running until converged; :mod:`.cache` one small LRU cache.
"""
from . import realistic  # before realistic_summary: it re-exports the summary functions
from .cache import LRUCache
from .gauge_theory import (START_MODELS, ExpansionErrors, expansion_errors, make_start,
                           p1_phases, relaxed_hat, warm_up)
from .higgs import (aligned_minimum, collect_convergence, condition_curves, convergence_data,
                    convergence_runs, convergence_slopes, higgs_spectra, scaled_spectra,
                    stable_lr)
from .limit import LIMIT_LAMBDAS, LIMIT_METHODS, LIMIT_T, limit_cell, limit_settings
from .mode_decay import (DecayRates, ModeHistory, ModeRecording, UntwistScaling, gd_mode_history,
                         measure_decay_rates, mode_history, mode_run, scaling_plan,
                         untwist_iterations, untwist_iterations_from_rate, untwist_scaling)
from .realistic_summary import (first_below, floor_iteration, nearest_items, speedups,
                                summarize)
from .replica import (P1_SETTINGS, SURVEY_CHECKPOINTS, SURVEY_SEEDS, SURVEY_SETTINGS, Replica,
                      ReplicaSurvey, p1_data, p1_replica, replica_survey)
from .runs import UntilConverged, power_law_slope, run_to_tolerance, steps_to_converge
from .vacua import (SNAPSHOT_ITERATIONS, fitted_start, hat_chain_run, symmetry_data, wall_data,
                    wall_start)

__all__ = [
    "realistic", "LRUCache", "START_MODELS", "ExpansionErrors", "expansion_errors", "make_start",
    "p1_phases", "relaxed_hat", "warm_up", "aligned_minimum", "collect_convergence",
    "condition_curves", "convergence_data", "convergence_runs", "convergence_slopes",
    "higgs_spectra", "scaled_spectra", "stable_lr", "LIMIT_LAMBDAS", "LIMIT_METHODS", "LIMIT_T",
    "limit_cell", "limit_settings", "DecayRates", "ModeHistory", "ModeRecording", "UntwistScaling",
    "gd_mode_history", "measure_decay_rates", "mode_history", "mode_run", "scaling_plan",
    "untwist_iterations", "untwist_iterations_from_rate", "untwist_scaling", "first_below",
    "floor_iteration", "nearest_items", "speedups", "summarize", "P1_SETTINGS",
    "SURVEY_CHECKPOINTS", "SURVEY_SEEDS", "SURVEY_SETTINGS", "Replica", "ReplicaSurvey",
    "p1_data", "p1_replica", "replica_survey", "UntilConverged", "power_law_slope",
    "run_to_tolerance", "steps_to_converge", "SNAPSHOT_ITERATIONS", "fitted_start",
    "hat_chain_run", "symmetry_data", "wall_data", "wall_start",
]
