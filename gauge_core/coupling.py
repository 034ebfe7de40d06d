"""The coupling between neighbouring time steps and its spectrum.

The coupling (P1 Eq. 6, P2 Eq. 2) is ``psi(Z) = lam/2 * sum_e w_e ||Z_b - Z_a||^2`` over the edges
``e = (a, b)`` of a chain ``(t, t+1)``, optionally closed into a ring by the edge ``(T-1, 0)``.
Its Hessian in time-step space is the weighted graph Laplacian ``L = D - A`` (P1 Eq. 7), whose
spectrum on an unweighted chain is the Goldstone dispersion relation (P2 Fig. 1b,
:func:`gauge_core.dispersion`). Irregular time gaps enter as edge weights
(:func:`edge_gaps_to_weights`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._validate import check_array, check_bool, check_float, check_int, check_weights


def _edge_count(T, ring):
    return T if ring else T - 1


def chain_laplacian(T, lam, weights=None, ring=False):
    """Weighted Laplacian ``L = lam * (D - A)`` of a chain (or ring) of ``T`` time steps.

    Parameters
    ----------
    T : int
        Number of time steps, ``T >= 2``.
    lam : float
        Coupling strength ``lam >= 0``.
    weights : array_like of shape (T-1,) or (T,) if ``ring``, optional
        Positive per-edge weights ``w_e`` (for irregular time gaps); all ones by default.
    ring : bool
        Close the chain with an edge between the last and the first step (periodic time).

    Returns
    -------
    numpy.ndarray of shape (T, T)
        Symmetric, rows sum to zero (P1 Eq. 7 for the unweighted chain).
    """
    T = check_int("T", T, minimum=2)
    lam = check_float("lam", lam, minimum=0.0)
    ring = check_bool("ring", ring)
    if ring and T < 3:
        raise ValueError(f"T must be >= 3 for a ring, got {T}")
    w = check_weights("weights", weights, _edge_count(T, ring))
    a, b = edges(T, ring)
    L = np.zeros((T, T))
    np.add.at(L, (a, b), -lam * w)
    np.add.at(L, (b, a), -lam * w)
    L[np.diag_indices(T)] = -L.sum(axis=1)
    return L


def edges(T, ring=False):
    """Index arrays ``(a, b)`` of the edges ``(t, t+1)`` of a chain, plus ``(T-1, 0)`` for a ring."""
    T = check_int("T", T, minimum=2)
    if check_bool("ring", ring) and T < 3:
        raise ValueError(f"T must be >= 3 for a ring, got {T}")
    a = np.arange(T - 1)
    b = a + 1
    if ring:
        a = np.append(a, T - 1)
        b = np.append(b, 0)
    return a, b


class Coupling:
    """Nearest-neighbour coupling ``psi(Z) = lam/2 * sum_e w_e ||Z_b - Z_a||_F^2`` (P1 Eq. 6).

    Parameters
    ----------
    T : int
        Number of time steps, ``T >= 2`` (``>= 3`` for a ring).
    lam : float
        Coupling strength ``lam >= 0``.
    weights : array_like, optional
        Positive per-edge weights, shape ``(T-1,)`` (chain) or ``(T,)`` (ring).
    ring : bool
        Periodic time: add the edge ``(T-1, 0)``.
    """

    def __init__(self, T, lam, weights=None, ring=False):
        self.T = check_int("T", T, minimum=2)
        self.lam = check_float("lam", lam, minimum=0.0)
        self.ring = check_bool("ring", ring)
        if self.ring and self.T < 3:
            raise ValueError(f"T must be >= 3 for a ring, got {self.T}")
        self.weights = check_weights("weights", weights, _edge_count(self.T, self.ring))
        self.a, self.b = edges(self.T, self.ring)
        self.edge_strength = self.lam * self.weights  # A_{ab} for each edge

    @property
    def laplacian(self):
        """The ``(T, T)`` Laplacian ``L = D - A`` of this coupling (P1 Eq. 7)."""
        return chain_laplacian(self.T, self.lam, self.weights, self.ring)

    @property
    def laplacian_pinv(self):
        """Pseudo-inverse ``L^+`` (P1 Eq. 16), cached across couplings with the same graph.

        The single zero eigenvalue (the global rotation) is left at zero. Returns a read-only array.
        """
        return _laplacian_pinv(self.T, self.lam, tuple(self.weights.tolist()), self.ring)

    def differences(self, Z):
        """``Z_b - Z_a`` for every edge, shape ``(E, d, N)``."""
        if self.ring:
            return Z[self.b] - Z[self.a]
        return Z[1:] - Z[:-1]

    def link_costs(self, Z):
        """The coupling of each edge, ``lam/2 w_e ||Z_b - Z_a||^2``, shape ``(E,)``; they sum to
        ``psi(Z)`` (a reflection domain wall is one expensive link)."""
        D = self.differences(self.check_Z(Z))
        return 0.5 * self.edge_strength * np.einsum("edn,edn->e", D, D)

    def scatter(self, per_edge, at="b"):
        """Sum per-edge arrays (shape ``(E, ...)``) onto the time steps ``a`` or ``b`` of each edge."""
        out = np.zeros((self.T,) + per_edge.shape[1:])
        if self.ring:
            np.add.at(out, self.a if at == "a" else self.b, per_edge)
        elif at == "a":
            out[:-1] += per_edge
        else:
            out[1:] += per_edge
        return out

    def check_Z(self, Z, name="Z"):
        """Validate a configuration ``(T, d, N)`` for this coupling."""
        Z = check_array(name, Z, ndim=3)
        if Z.shape[0] != self.T:
            raise ValueError(f"{name} must have T={self.T} time steps (shape (T, d, N)), "
                             f"got {Z.shape}")
        return Z

    def value(self, Z):
        """``psi(Z)``."""
        return self._value(self.check_Z(Z))

    def grad(self, Z):
        """Gradient of ``psi`` with respect to ``Z``, shape ``(T, d, N)``."""
        return self.value_and_grad(Z)[1]

    def value_and_grad(self, Z):
        """``(psi(Z), grad psi(Z))``."""
        Z = self.check_Z(Z)
        g = np.zeros_like(Z)
        return self._add_value_and_grad(Z, g), g

    def _value(self, Z):
        D = self.differences(Z)
        return 0.5 * float(np.dot(self.edge_strength, np.einsum("eij,eij->e", D, D)))

    def _add_value_and_grad(self, Z, g):
        """Add ``grad psi(Z)`` to ``g`` in place and return ``psi(Z)``.

        The optimisers' hot path: one temporary of the size of ``Z``, whatever the weights.
        """
        D = self.differences(Z)
        norms = np.einsum("eij,eij->e", D, D)
        value = 0.5 * float(np.dot(self.edge_strength, norms))
        D *= self.edge_strength[:, None, None]
        if self.ring:
            np.subtract.at(g, self.a, D)
            np.add.at(g, self.b, D)
        else:
            g[:-1] -= D
            g[1:] += D
        return value


def check_coupling(coupling, name="coupling"):
    """Refuse anything that is not a :class:`Coupling` (TypeError naming the parameter)."""
    if not isinstance(coupling, Coupling):
        raise TypeError(f"{name} must be a gauge_core.Coupling, got {type(coupling).__name__}")
    return coupling


def edge_gaps_to_weights(gaps):
    """Edge weights ``w_t = 1 / gap_t`` for observations at irregular times.

    A Brownian-motion (random-walk) prior with diffusion constant ``D`` has increments of variance
    ``D * gap_t`` between observations ``gap_t`` apart, so its negative log-density is
    ``sum_t ||Z_{t+1} - Z_t||^2 / (2 D gap_t)``: the coupling ``psi`` with ``lam = 1 / D`` and
    weights ``1 / gap_t`` (pass them to :func:`chain_laplacian` or :class:`Coupling`).

    Parameters
    ----------
    gaps : array_like of shape (T-1,)
        Positive time differences between consecutive observations.
    """
    gaps = check_array("gaps", gaps, ndim=1)
    if np.any(gaps <= 0):
        raise ValueError("gaps must be strictly positive")
    return 1.0 / gaps


@lru_cache(maxsize=64)
def _laplacian_pinv(T, lam, weights, ring):
    L = chain_laplacian(T, lam, np.array(weights), ring)
    if lam == 0.0:
        P = np.zeros((T, T))
    else:
        P = np.linalg.pinv(L, hermitian=True)
    P.setflags(write=False)
    return P
