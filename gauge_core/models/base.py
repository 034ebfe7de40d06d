"""The base class of every model: a local loss per time step plus the coupling along time.

Every model has the form of P1 Eq. 1 / P2 Eq. 1: ``L(Z) = sum_t l(X_t; Z_t) + psi(Z)``, with
``Z`` of shape ``(T, d, N)`` (T time steps, each a d x N matrix of N embedding vectors) and a local
loss ``l`` invariant under ``Z_t -> R Z_t`` for every orthogonal ``R`` (P1 §3.1).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_array, check_choice, check_float, check_int, check_rng
from ..coupling import Coupling

INIT_KINDS = ("random", "aligned")


class EmbeddingModel:
    """Base class: a local loss per time step plus the nearest-neighbour coupling ``psi``.

    Subclasses implement ``_local(Z) -> (value, grad)``. Public methods validate ``Z``.

    Attributes
    ----------
    T, d, N : int
        Number of time steps, embedding dimension and number of embedding vectors per step.
    lam : float
        Coupling strength.
    coupling : Coupling
        The coupling term ``psi`` (chain or ring, optional edge weights).
    minimum_loss : float or None
        The global minimum of the loss where it is known in closed form, else ``None``.
    """

    minimum_loss = None

    def __init__(self, T, d, N, lam, weights=None, ring=False):
        self.T = check_int("T", T, minimum=2)
        self.d = check_int("d", d, minimum=1)
        self.N = check_int("N", N, minimum=1)
        self.coupling = Coupling(self.T, lam, weights=weights, ring=ring)
        self.lam = self.coupling.lam

    @property
    def shape(self):
        """The shape ``(T, d, N)`` of a configuration ``Z``."""
        return (self.T, self.d, self.N)

    @property
    def ring(self):
        return self.coupling.ring

    def check_Z(self, Z, name="Z"):
        """Validate a configuration and return it as a float64 array (never modified)."""
        return check_array(name, Z, ndim=3, shape=self.shape)

    # --- the loss and its parts -------------------------------------------------------------
    def local_loss(self, Z):
        """``sum_t l(X_t; Z_t)``, the symmetric part of the loss."""
        return float(self._local(self.check_Z(Z))[0])

    def coupling_loss(self, Z):
        """``psi(Z)``, the coupling that breaks the per-step symmetry."""
        return self.coupling._value(self.check_Z(Z))

    def loss(self, Z):
        """The full loss ``L(Z) = local_loss(Z) + coupling_loss(Z)``."""
        Z = self.check_Z(Z)
        return float(self._local(Z)[0]) + self.coupling._value(Z)

    def grad(self, Z):
        """Analytic gradient of the full loss, shape ``(T, d, N)``."""
        Z = self.check_Z(Z)
        return self.evaluate(Z)[2]

    def evaluate(self, Z):
        """``(local_loss, coupling_loss, grad)`` in one pass, without validation (hot path).

        ``Z`` must already be a float64 array of the model's shape; optimisers call this once per
        iteration.
        """
        local, g = self._local(Z)
        return float(local), self.coupling._add_value_and_grad(Z, g), g

    def random_init(self, rng, kind="random", scale=1.0):
        """A random initial configuration.

        Parameters
        ----------
        rng : numpy.random.Generator or int
            Source of randomness (an int is used as a seed).
        kind : {"random", "aligned"}
            ``"random"``: every entry i.i.d. ``N(0, scale^2)``, so each time step breaks the
            symmetry its own way (spontaneous symmetry breaking, P2 §2.2). ``"aligned"`` ("cold
            start"): one random ``d x N`` matrix repeated at every time step, so no twist at all.
        scale : float
            Standard deviation of the entries, ``> 0``.

        Returns
        -------
        numpy.ndarray of shape (T, d, N)
        """
        rng = check_rng("rng", rng)
        check_choice("kind", kind, INIT_KINDS)
        scale = check_float("scale", scale, minimum=0.0, strict_min=True)
        if kind == "random":
            return scale * rng.standard_normal(self.shape)
        one = scale * rng.standard_normal(self.shape[1:])
        return np.repeat(one[None], self.T, axis=0)

    def _local(self, Z):  # pragma: no cover - abstract
        raise NotImplementedError


def check_model(model, name="model"):
    """Refuse anything that is not a gauge_core model (TypeError naming the parameter)."""
    if not isinstance(model, EmbeddingModel):
        raise TypeError(f"{name} must be a gauge_core model, got {type(model).__name__}")
    return model
