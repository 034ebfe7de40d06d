"""Gauge tools: local rotations, the gauge-invariant loss, link variables and the exact gauge step.

Giving the embeddings a "charge" (P2 §3.2) means letting every time step carry its own rotation
``R_t = exp(Gamma_t)``. The loss ``L'(Z; Gamma) = L(R_1 Z_1, ..., R_T Z_T)`` (P2 Eq. 5) is then
invariant under gauge transformations, and the coupling only sees the *link variables*
``U_t = R_t^T R_{t-1}`` through the covariant difference ``Z_t - U_t Z_{t-1}`` (digest §4.3).
On a chain, minimising the coupling over the rotations separates into one Procrustes problem per
link (design.md §3): that is the exact gauge step.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_bool, check_choice, check_int, check_skew, unit_scaled
from .rotations import GROUPS, _expm_skew, _procrustes, expm_skew

REFERENCES = ("first", "last", "mean")


def _check_Z(Z, name="Z"):
    Z = check_array(name, Z, ndim=3)
    if Z.shape[0] < 2:
        raise ValueError(f"{name} must have at least 2 time steps (shape (T, d, N)), got {Z.shape}")
    return Z


def _check_R(R, T, d, name="R"):
    R = check_array(name, R, ndim=3, shape=(T, d, d))
    err = np.abs(np.matmul(np.swapaxes(R, 1, 2), R) - np.eye(d)).max()
    if err > 1e-6:
        raise ValueError(f"{name} must hold orthogonal matrices (R^T R = I); max error {err:.2e}")
    return R


def apply_rotations(Z, R):
    """The local (gauge) transformation ``Z_t -> R_t Z_t`` for every t.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    R : array_like of shape (T, d, d) or (d, d)
        Orthogonal matrices, one per time step, or one for all (a global rotation).

    Returns
    -------
    numpy.ndarray of shape (T, d, N)
    """
    Z = _check_Z(Z)
    T, d, _ = Z.shape
    R = check_array("R", R, ndim=(2, 3))
    if R.ndim == 2:
        R = np.broadcast_to(R, (T,) + R.shape)
    _check_R(R, T, d)
    return np.matmul(R, Z)


def gauge_invariant_loss(model, Z, Gamma):
    """``L'(Z; Gamma) = L(exp(Gamma_1) Z_1, ..., exp(Gamma_T) Z_T)`` (P2 Eq. 5).

    Parameters
    ----------
    model : EmbeddingModel
    Z : array_like of shape (T, d, N)
    Gamma : array_like of shape (T, d, d)
        Skew-symmetric gauge fields.
    """
    _check_model(model)
    Z = model.check_Z(Z)
    G = check_array("Gamma", Gamma, ndim=3, shape=(model.T, model.d, model.d))
    return model.loss(np.matmul(expm_skew(G), Z))


def _check_model(model):
    from .models import EmbeddingModel

    if not isinstance(model, EmbeddingModel):
        raise TypeError(f"model must be a gauge_core model, got {type(model).__name__}")


def gauge_transform(Z, Gamma, Gamma_new):
    """Move to new gauge fields keeping ``L'`` fixed (P2 §3.2, after Eq. 5).

    Returns ``Z~_t = exp(-Gamma~_t) exp(Gamma_t) Z_t`` so that ``L'(Z~; Gamma~) = L'(Z; Gamma)``: the
    embeddings and the gauge fields both move, the physics does not.
    """
    Z = _check_Z(Z)
    T, d, _ = Z.shape
    G = check_skew("Gamma", check_array("Gamma", Gamma, ndim=3, shape=(T, d, d)))
    Gn = check_skew("Gamma_new", check_array("Gamma_new", Gamma_new, ndim=3, shape=(T, d, d)))
    return np.matmul(np.matmul(_expm_skew(-Gn), _expm_skew(G)), Z)


def link_variables(R, ring=False):
    """Link variables ``U_t = R_t^T R_{t-1}`` (digest §4.3), shape ``(T-1, d, d)``.

    With ``ring=True`` a last link ``U_0 = R_0^T R_{T-1}`` closes the loop (shape ``(T, d, d)``).
    The coupling of rotated embeddings is ``||R_t Z_t - R_{t-1} Z_{t-1}|| = ||Z_t - U_t Z_{t-1}||``.
    """
    R = check_array("R", R, ndim=3)
    if R.shape[0] < 2 or R.shape[1] != R.shape[2]:
        raise ValueError(f"R must have shape (T, d, d) with T >= 2, got {R.shape}")
    _check_R(R, *R.shape[:2])
    U = np.matmul(np.swapaxes(R[1:], 1, 2), R[:-1])
    if check_bool("ring", ring):
        U = np.concatenate([U, (R[0].T @ R[-1])[None]])
    return U


def covariant_difference(Z, U):
    """Lattice covariant difference ``D_t Z = Z_t - U_t Z_{t-1}`` for each link, shape ``(T-1, d, N)``."""
    Z = _check_Z(Z)
    T, d, _ = Z.shape
    U = check_array("U", U, ndim=3, shape=(T - 1, d, d))
    return Z[1:] - np.matmul(U, Z[:-1])


def holonomy(U):
    """Ordered product of the links around a loop, ``U_{T-1} ... U_1 U_0`` (a Wilson loop).

    On a ring this is gauge-covariant (its rotation angle is gauge invariant) and cannot be removed
    by any local rotation: it measures the winding trapped in the loop.
    """
    U = check_array("U", U, ndim=3)
    if U.shape[1] != U.shape[2]:
        raise ValueError(f"U must have shape (K, d, d) (square links), got {U.shape}")
    P = np.eye(U.shape[1])
    for link in U:  # the only loop over T: a product of d x d matrices
        P = link @ P
    return P


def _chain_links(Z, group):
    """Optimal link rotation for each edge ``(t-1, t)``: ``argmin_U ||Z_t - U Z_{t-1}||``."""
    Z = unit_scaled(Z)  # the optimum does not depend on the scale; this keeps Z Z^T finite
    return _procrustes(np.matmul(Z[:-1], np.swapaxes(Z[1:], 1, 2)), group)


def _rotations_from_links(U):
    """``R_0 = I``, ``R_t = R_{t-1} U_t^T``: the temporal gauge, built by one product along time."""
    T = U.shape[0] + 1
    R = np.empty((T, U.shape[1], U.shape[1]))
    R[0] = np.eye(U.shape[1])
    for t in range(1, T):
        R[t] = R[t - 1] @ U[t - 1].T
    return R


def gauge_fix(R, reference="first"):
    """Fix the global rotation left free by a set of local rotations.

    Local rotations ``R_t`` that minimise the coupling are only defined up to one global rotation
    ``G`` (the exact symmetry of the full loss, P2 Eq. 3). Gauge fixing picks it:

    - ``"first"``: ``R_0 = I``, the first time step keeps its frame (temporal gauge);
    - ``"last"``: ``R_{T-1} = I``;
    - ``"mean"``: the average frame ``(1/T) sum_t G R_t`` is as close to ``I`` as possible.

    Any choice changes only the global orientation of ``R_t Z_t``, never the loss.

    Returns
    -------
    numpy.ndarray of shape (T, d, d)
        ``G R_t``.
    """
    R = check_array("R", R, ndim=3)
    if R.shape[1] != R.shape[2]:
        raise ValueError(f"R must have shape (T, d, d), got {R.shape}")
    _check_R(R, *R.shape[:2])
    check_choice("reference", reference, REFERENCES)
    return _gauge_fix(R, reference)


def _gauge_fix(R, reference):
    if reference == "first":
        G = R[0].T
    elif reference == "last":
        G = R[-1].T
    else:
        G = _procrustes(R.sum(axis=0), "SO")  # the rotation G maximising tr(G sum_t R_t)
    return np.matmul(G, R)


def exact_gauge_step(Z, group="SO", reference="first", ring=False):
    """Exact minimisation of the coupling over local rotations on a chain (design.md §3).

    Minimises ``sum_t ||R_t Z_t - R_{t-1} Z_{t-1}||^2`` over ``R_t`` in SO(d) (or O(d)). On a chain
    each term depends on one link ``U_t = R_t^T R_{t-1}`` only, so the optimum is one orthogonal
    Procrustes problem per link (an SVD of ``Z_{t-1} Z_t^T``); the ``R_t`` follow by multiplying links
    along the chain. Positive edge weights do not change the optimum. No Taylor truncation, no step
    size. The local losses are unchanged because every ``R_t`` is orthogonal; the coupling cannot
    increase because ``R_t = I`` is one of the candidates.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    group : {"SO", "O"}
        ``"O"`` also allows reflections, which repairs reflection domain walls (design.md §4).
    reference : {"first", "last", "mean"}
        Gauge fixing, see :func:`gauge_fix`.
    ring : bool
        Must be False: on a ring the product of links around the loop (holonomy) cannot be gauged
        away, so no exact step exists. Use Goldstone-GD (``optimize(..., "goldstone")``) there.

    Returns
    -------
    Z_new : numpy.ndarray of shape (T, d, N)
        ``R_t Z_t``.
    R : numpy.ndarray of shape (T, d, d)
        The rotations applied.
    """
    if check_bool("ring", ring):
        raise ValueError("ring=True: the exact gauge step exists only on a chain; on a ring the "
                         "holonomy cannot be gauged away (use method='goldstone')")
    Z = _check_Z(Z)
    check_choice("group", group, GROUPS)
    check_choice("reference", reference, REFERENCES)
    return _exact_gauge_step(Z, group, reference)


def _exact_gauge_step(Z, group, reference):
    R = _gauge_fix(_rotations_from_links(_chain_links(Z, group)), reference)
    return np.matmul(R, Z), R


def _best_rotation(Z, ref, group="SO"):
    """Per-step rotation ``Q_t`` minimising ``||Z_t - Q_t ref||`` (ref of shape (d, N))."""
    return _procrustes(np.matmul(ref, np.swapaxes(Z, 1, 2)), group)


def twist_profile(Z, reference=0):
    """Angle by which each time step is rotated against a reference frame, shape ``(T,)``.

    For ``d = 2`` the signed angle of the best rotation taking the reference to ``Z_t`` (unwrapped
    along time), so a Goldstone twist shows as ``a cos(pi nu (t + 1/2) / T)``. For ``d >= 3`` the
    geodesic angle of the best rotation (Procrustes), or, when ``N < d`` makes that rotation
    ambiguous, the mean angle between corresponding vectors.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    reference : int or array_like of shape (d, N)
        A time step of ``Z`` (default the first) or an explicit reference configuration.
    """
    Z = _check_Z(Z)
    T, d, N = Z.shape
    if isinstance(reference, (int, np.integer)) and not isinstance(reference, bool):
        reference = check_int("reference", reference, minimum=-T, maximum=T - 1)
        ref = Z[reference]
    else:
        ref = check_array("reference", reference, ndim=2, shape=(d, N))
    top = max(np.abs(Z).max(initial=0.0), np.abs(ref).max(initial=0.0))
    if top > 0:  # angles are scale-free; rescaling keeps the products below finite
        Z, ref = Z / top, ref / top
    if d == 1:
        return np.where(np.sum(Z[:, 0, :] * ref[0], axis=1) >= 0, 0.0, np.pi)
    if d == 2:
        dot = np.einsum("tdn,dn->t", Z, ref)
        cross = np.einsum("tn,n->t", Z[:, 1], ref[0]) - np.einsum("tn,n->t", Z[:, 0], ref[1])
        return np.unwrap(np.arctan2(cross, dot))
    if N >= d:
        Q = _best_rotation(Z, ref)
        ang = np.abs(np.angle(np.linalg.eigvals(Q)))
        return np.sqrt(0.5 * np.sum(ang ** 2, axis=-1))
    return np.arccos(np.clip(_cosines(Z, ref[None]), -1.0, 1.0)).mean(axis=1)


def _cosines(A, B):
    # normalise each vector first (by its largest entry, then its norm) so nothing overflows
    def unit(V):
        V = V / np.maximum(np.abs(V).max(axis=1, keepdims=True), 1e-300)
        return V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-300)

    return np.einsum("tdn,tdn->tn", unit(A), unit(B))


def alignment(Z, first=0, last=-1):
    """Cosine similarity ``cos(z_{first,i}, z_{last,i})`` of each embedding vector, shape ``(N,)``.

    Near 1 when the embeddings are comparable across time; spread out when a Goldstone twist has
    rotated whole time steps against each other (P1 Fig. 4, P2 Fig. 3). A zero vector gives 0.
    """
    Z = _check_Z(Z)
    T = Z.shape[0]
    first = check_int("first", first, minimum=-T, maximum=T - 1)
    last = check_int("last", last, minimum=-T, maximum=T - 1)
    return _cosines(Z[first][None], Z[last][None])[0]


__all__ = [
    "apply_rotations", "gauge_invariant_loss", "gauge_transform", "link_variables",
    "covariant_difference", "holonomy", "exact_gauge_step", "gauge_fix", "twist_profile",
    "alignment", "REFERENCES",
]
