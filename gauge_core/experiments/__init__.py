"""The book's heavy experiments, each written once: notebooks, tests and benchmarks call these.

Every function returns plain arrays or a result dataclass whose claims are methods
(``survey.clean_seeds()``, ``errors.slopes()``, ...).

- :mod:`.replica` the P1 §5.1 data recipe, the replica and the survey over seeds (chapter 04);
- :mod:`.goldstone_spectrum` the Laplacian's cosine modes, the Hessian's two branches, the gap
  (chapter 03); :mod:`.mode_decay` per-mode GD decay and the ``T^2`` law (chapter 03);
  :mod:`.mode_race` GD, tuned momentum and the gauge methods mode by mode (chapter 03);
- :mod:`.vacua` data and starts for symmetries, symmetry breaking and domain walls (01, 02);
- :mod:`.gauge_theory` twisted starts, P1's phases, expansion errors, gauge choices (chapter 05);
  :mod:`.goldstone_gd` Algorithm 1 taken apart: rates, step factor, warm start (chapter 04);
- :mod:`.higgs` spectra before and after ``L^+``, iterations against ``T`` (chapter 06);
- :mod:`.realistic`, :mod:`.realistic_summary` the sparse ratings experiment (chapter 08);
- :mod:`.limit` the exact gauge method against a twist-free start (``benchmarks/limit.py``);
- :mod:`.beyond_chain`, :mod:`.irregular_gaps` rings, windings, irregular time gaps (chapter 07);
- :mod:`.domain_walls` reflection walls and the stretch mode (chapter 02);
- :mod:`.race` every method from the same start on any model (the race panel);
- :mod:`.real_data` and ``real_data_*`` State of the Union and MovieLens (chapter 09; imported on
  demand, they need pandas and the data packages);
- :mod:`.runs` running until converged; :mod:`.cache` one small LRU cache;
- :mod:`.regenerate` rebuilds every cache in ``book/data`` (``make data``).
"""
from . import realistic  # before realistic_summary: it re-exports the summary functions
from .cache import LRUCache
from .domain_walls import wall_data, wall_start
from .gauge_theory import (GAUGE_CHOICES, START_MODELS, Eq6Shortfall, ExactVsPhases,
                           ExpansionErrors, GaugeTransformation, UnitaryLoss, eq6_shortfall,
                           exact_vs_phases, expansion_errors, gauge_choice_run,
                           gauge_transformation, make_start, p1_phases, reference_curves,
                           relaxed_hat, unitary_view, warm_up)
from .goldstone_gd import (XY_SETTINGS, RateCheck, StepFactorStudy, natural_gradient_rate,
                           phase_recorder, slowest_twist_iterations, step_factor_study,
                           warm_start_iterations, xy_phase)
from .goldstone_spectrum import (GapScaling, LaplacianModes, SpectrumCheck, cosine_modes,
                                 gap_scaling, laplacian_modes, spectrum_check, spectrum_curves)
from .higgs import (CONVERGENCE_METHODS, HIGGS_SETTINGS, aligned_hessian_errors, aligned_minimum,
                    collect_convergence, condition_curves, condition_table, convergence_data,
                    convergence_runs, convergence_slopes, gd_iterations_against_lambda,
                    higgs_spectra, natural_step_factor, one_step_scale, predicted_gd_curve,
                    scaled_spectra, spectrum_summary, stable_lr)
from .limit import (LIMIT_LAMBDAS, LIMIT_METHODS, LIMIT_T, limit_cell, limit_settings)
from .mode_decay import (DecayRates, ModeHistory, UntwistScaling, gd_mode_history,
                         measure_decay_rates, mode_history, mode_run, rate_curve, scaling_plan,
                         untwist_iterations, untwist_iterations_from_rate, untwist_scaling)
from .mode_race import (FEW_MODES, MODE_RACERS, ModeRace, mode_race, mode_start, theory_fraction)
from .realistic_summary import (first_below, floor_iteration, nearest_items, speedups, summarize)
from .replica import (P1_SETTINGS, SURVEY_CHECKPOINTS, SURVEY_SEEDS, SURVEY_SETTINGS, Replica,
                      ReplicaComparison, ReplicaSurvey, p1_data, p1_replica, replica_comparison,
                      replica_survey, rotation_leftover, wall_repair)
from .runs import (UntilConverged, power_law_slope, run_to_tolerance, steps_to_converge)
from .vacua import (SNAPSHOT_ITERATIONS, fitted_start, hat_chain_run, symmetry_data)

__all__ = [
    "realistic", "LRUCache", "wall_data", "wall_start", "START_MODELS", "ExpansionErrors",
    "expansion_errors", "make_start", "p1_phases", "relaxed_hat", "warm_up", "GAUGE_CHOICES",
    "Eq6Shortfall", "ExactVsPhases", "GaugeTransformation", "UnitaryLoss", "eq6_shortfall",
    "exact_vs_phases", "reference_curves", "gauge_choice_run", "gauge_transformation",
    "unitary_view", "XY_SETTINGS", "RateCheck", "StepFactorStudy", "natural_gradient_rate",
    "phase_recorder", "slowest_twist_iterations", "step_factor_study", "warm_start_iterations",
    "xy_phase", "GapScaling", "LaplacianModes", "SpectrumCheck", "cosine_modes", "gap_scaling",
    "laplacian_modes", "spectrum_check", "spectrum_curves", "aligned_minimum",
    "collect_convergence", "condition_curves", "convergence_data", "convergence_runs",
    "convergence_slopes", "higgs_spectra", "scaled_spectra", "stable_lr",
    "CONVERGENCE_METHODS", "HIGGS_SETTINGS", "predicted_gd_curve", "aligned_hessian_errors",
    "condition_table", "gd_iterations_against_lambda", "natural_step_factor", "one_step_scale",
    "spectrum_summary", "LIMIT_LAMBDAS", "LIMIT_METHODS", "LIMIT_T", "limit_cell",
    "limit_settings", "DecayRates", "ModeHistory", "UntwistScaling", "gd_mode_history",
    "measure_decay_rates", "mode_history", "mode_run", "scaling_plan", "untwist_iterations",
    "untwist_iterations_from_rate", "untwist_scaling", "rate_curve", "FEW_MODES",
    "MODE_RACERS", "ModeRace", "mode_race", "mode_start", "theory_fraction", "first_below",
    "floor_iteration", "nearest_items", "speedups", "summarize", "P1_SETTINGS",
    "SURVEY_CHECKPOINTS", "SURVEY_SEEDS", "SURVEY_SETTINGS", "Replica", "ReplicaSurvey",
    "p1_data", "p1_replica", "replica_survey", "ReplicaComparison", "replica_comparison",
    "rotation_leftover", "wall_repair", "UntilConverged", "power_law_slope",
    "run_to_tolerance", "steps_to_converge", "SNAPSHOT_ITERATIONS", "fitted_start",
    "hat_chain_run", "symmetry_data",
]
