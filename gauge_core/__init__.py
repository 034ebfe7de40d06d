"""gauge_core: the physics behind the gauge book, in pure numpy.

Embedding models for time series whose loss is symmetric under rotating each time step
(Bamler & Mandt, ICML 2018 "P1" and 2019 "P2"), the tools to break, measure and gauge that
symmetry, the Goldstone spectrum, and the optimisers that compare plain gradient descent with
Goldstone-GD and the exact gauge step.

Shapes follow the papers: a configuration ``Z`` has shape ``(T, d, N)``.
"""
from .coupling import Coupling, chain_laplacian, dispersion, edges
from .gauge import (alignment, apply_rotations, covariant_difference, exact_gauge_step, gauge_fix,
                    gauge_invariant_loss, gauge_transform, holonomy, link_variables, twist_profile)
from .models import DynamicFactorization, EmbeddingModel, MexicanHatChain, SparseLogisticFactorization
from .optimize import METHODS, OptimizeResult, Run, goldstone_phase, iterations_to_converge, optimize
from .ratings import DriftingRatings, Ratings, drifting_ratings
from .rotations import expm_skew, procrustes, random_rotation, random_skew, rotation_angle, skew
from .spectra import (fd_hessian, gd_decay_factor, goldstone_modes, mode_amplitudes,
                      twist_amplitudes, twist_mode)
from .symmetry_subspace import (coupling_change, p1_gradient, p1_objective, p2_objective,
                                transport_matrices)

__version__ = "0.1.0"

__all__ = [
    "Coupling", "chain_laplacian", "dispersion", "edges",
    "alignment", "apply_rotations", "covariant_difference", "exact_gauge_step", "gauge_fix",
    "gauge_invariant_loss", "gauge_transform", "holonomy", "link_variables", "twist_profile",
    "DynamicFactorization", "EmbeddingModel", "MexicanHatChain", "SparseLogisticFactorization",
    "METHODS", "OptimizeResult", "Run", "goldstone_phase", "iterations_to_converge", "optimize",
    "DriftingRatings", "Ratings", "drifting_ratings",
    "expm_skew", "procrustes", "random_rotation", "random_skew", "rotation_angle", "skew",
    "fd_hessian", "gd_decay_factor", "goldstone_modes", "mode_amplitudes", "twist_amplitudes",
    "twist_mode",
    "coupling_change", "p1_gradient", "p1_objective", "p2_objective", "transport_matrices",
]
