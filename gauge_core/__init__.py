"""gauge_core: the physics behind the gauge book, in pure numpy.

Embedding models for time series whose loss is symmetric under rotating each time step
(Bamler & Mandt, ICML 2018 "P1" and 2019 "P2"), the tools to break, measure and gauge that
symmetry, the Goldstone spectrum, and the optimisers that compare plain gradient descent (and
momentum) with Goldstone-GD and the exact gauge step.

Shapes follow the papers: a configuration ``Z`` has shape ``(T, d, N)``.

The public namespace is this module's ``__all__``, grouped by concept (one implementation each,
in the private-by-convention modules listed in docs/architecture.md):

- :mod:`.lie` rotations, reflections, generators, exponential and logarithm, Procrustes;
- :mod:`.coupling` the coupling ``psi`` and its Laplacian;
- :mod:`.models` the three models and synthetic ratings;
- :mod:`.gauge` gauge transformations, links, holonomy, the exact gauge step, gauge fixing,
  twist and alignment measures, reflection walls, winding on a ring;
- :mod:`.spectra` dispersion relations, Goldstone modes, Hessians, condition numbers;
- :mod:`.expansions` the exact and second-order coupling change under rotations (P1, P2);
- :mod:`.optimize` one :class:`Run` engine with inner steps, gauge phases and recorders;
- :mod:`.theory` closed forms and fits.

The book's heavy experiments live in the subpackage :mod:`gauge_core.experiments` (imported on
demand: ``from gauge_core import experiments``).
"""
from .coupling import Coupling, chain_laplacian, edge_gaps_to_weights, edges
from .expansions import exact_change, p1_gradient, p1_objective, p2_objective, transport_matrices
from .gauge import (REFERENCES, alignment, angle_profiles, apply_rotations, count_walls,
                    covariant_difference, domain_signs, domain_wall, exact_gauge_step, gauge_fix,
                    gauge_invariant_loss, gauge_transform, holonomy, holonomy_angle, link_angles,
                    link_signs, link_variables, reflection_walls, ring_flux, ring_links,
                    twist_profile, winding_number, wound_ring)
from .lie import (GROUPS, expm_skew, generator_components, orientation, planar_angle, procrustes,
                  random_rotation, random_skew, reflection, rotation_angle, rotation_log, skew,
                  so_basis, unit_generator)
from .models import (INIT_KINDS, DriftingRatings, DynamicFactorization, EmbeddingModel,
                     MexicanHatChain, Ratings, SparseLogisticFactorization, best_factorization,
                     drifting_ratings, factorization_optimum, hat_hessian, hat_potential,
                     hat_principal_curvatures)
from .optimize import (APPLY_RULES, INNER, METHODS, OptimizeResult, PhaseStarts, PhaseTrace,
                       Recorder, Run, Trajectory, dissect_phase, goldstone_phase,
                       iterations_to_converge, optimize)
from .spectra import (HessianBranches, chain_modes, condition_number, dispersion,
                      dispersion_curve, fd_hessian, goldstone_modes, hessian_branches,
                      hessian_extremes, mode_amplitudes, preconditioned_spectrum,
                      radial_dispersion, random_twist, ring_dispersion,
                      spectrum_bounds, symmetry_hessian, twist_amplitudes, twist_from_amplitudes,
                      twist_mode)
from .theory import (fit_decay_factors, fit_power_law, gd_decay_factor, gd_stability_limit,
                     predicted_gd_iterations, tuned_momentum, tuned_rate, untwist_theory,
                     winding_plateau)

__version__ = "0.1.0"

__all__ = [
    # lie
    "GROUPS", "expm_skew", "generator_components", "orientation", "planar_angle", "procrustes",
    "random_rotation", "random_skew", "reflection", "rotation_angle", "rotation_log", "skew",
    "so_basis", "unit_generator",
    # coupling
    "Coupling", "chain_laplacian", "edge_gaps_to_weights", "edges",
    # models
    "INIT_KINDS", "DriftingRatings", "DynamicFactorization", "EmbeddingModel", "MexicanHatChain",
    "Ratings", "SparseLogisticFactorization", "best_factorization", "drifting_ratings",
    "factorization_optimum", "hat_hessian", "hat_potential", "hat_principal_curvatures",
    # gauge
    "REFERENCES", "alignment", "angle_profiles", "apply_rotations", "count_walls",
    "covariant_difference", "domain_signs", "domain_wall", "exact_gauge_step", "gauge_fix",
    "gauge_invariant_loss", "gauge_transform", "holonomy", "holonomy_angle", "link_angles",
    "link_signs", "link_variables", "reflection_walls", "ring_flux", "ring_links",
    "twist_profile", "winding_number", "wound_ring",
    # spectra
    "HessianBranches", "chain_modes", "condition_number", "dispersion", "dispersion_curve",
    "fd_hessian", "goldstone_modes",
    "hessian_branches", "hessian_extremes", "mode_amplitudes", "preconditioned_spectrum",
    "radial_dispersion", "random_twist", "ring_dispersion", "spectrum_bounds",
    "symmetry_hessian", "twist_amplitudes", "twist_from_amplitudes", "twist_mode",
    # expansions
    "exact_change", "p1_gradient", "p1_objective", "p2_objective", "transport_matrices",
    # optimize
    "APPLY_RULES", "INNER", "METHODS", "OptimizeResult", "PhaseStarts", "PhaseTrace", "Recorder",
    "Run", "Trajectory", "dissect_phase", "goldstone_phase", "iterations_to_converge",
    "optimize",
    # theory
    "fit_decay_factors", "fit_power_law", "gd_decay_factor", "gd_stability_limit",
    "predicted_gd_iterations", "tuned_momentum", "tuned_rate", "untwist_theory",
    "winding_plateau",
]
