"""The book's three models, their base class and synthetic ratings.

- :class:`MexicanHatChain`: the XY-like toy (one Mexican hat per embedding vector, coupled in time);
- :class:`DynamicFactorization`: dense Gaussian dynamic matrix factorisation (P1 §3.2 model 1);
- :class:`SparseLogisticFactorization`: sparse Bernoulli factorisation of +-1 ratings (model 2),
  with :func:`drifting_ratings` as synthetic data.
"""
from .base import INIT_KINDS, EmbeddingModel, check_model
from .factorization import DynamicFactorization, best_factorization, factorization_optimum
from .hat import MexicanHatChain, hat_hessian, hat_potential, hat_principal_curvatures
from .ratings import DriftingRatings, Ratings, drifting_ratings
from .sparse import SparseLogisticFactorization

__all__ = ["INIT_KINDS", "EmbeddingModel", "check_model", "DynamicFactorization",
           "best_factorization", "factorization_optimum", "MexicanHatChain", "hat_hessian",
           "hat_potential", "hat_principal_curvatures", "DriftingRatings", "Ratings", "drifting_ratings",
           "SparseLogisticFactorization"]
