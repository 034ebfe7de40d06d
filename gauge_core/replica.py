"""P1 §5.1 replica, and tools to take one Goldstone-GD gauge phase apart (P1 Algorithm 1).

Two jobs, both for chapter 04 of the book:

* **The replica** of P1 §5.1: a dense dynamic factorisation with ``d = 3``, ``T = 30``,
  ``lam = 10`` and the *same* data ``X = U^T V + noise`` at every time step, so the optimum is known
  in closed form (:func:`factorization_optimum`). :data:`P1_SETTINGS` holds the optimiser settings
  the book uses, :func:`replica_survey` runs many seeds. :func:`reflection_walls` finds the
  orientation-reversing links that no rotation can remove (design.md §4), the most common way the
  replica gets stuck.
* **Dissecting a gauge phase** (P1 Algorithm 1, lines 6–9): :func:`dissect_phase` repeats
  :func:`gauge_core.goldstone_phase` step by step and keeps every intermediate gauge field, the
  second-order objective ``L''`` (P1 Eq. 14), the exact change of the coupling and the exact
  optimum over rotations for comparison. :class:`PhaseRecorder` is a Goldstone-GD run that keeps
  the configuration at the start of every gauge phase, so that any phase can be dissected.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_float, check_int, check_rng
from .coupling import Coupling
from .gauge import _exact_gauge_step
from .models import DynamicFactorization
from .optimize import Run, iterations_to_converge
from .rotations import _expm_skew
from .symmetry_subspace import _p1_value_and_grad, transport_matrices
from .vacua import link_signs

__all__ = [
    "P1_SETTINGS", "Replica", "p1_replica", "factorization_optimum", "reflection_walls",
    "rotation_log", "generator_components", "PhaseTrace", "dissect_phase", "PhaseRecorder",
    "steps_to_converge", "replica_survey", "SURVEY_CHECKPOINTS", "SURVEY_SETTINGS",
]

#: Optimiser settings for the replica (``gauge_core.optimize`` keyword arguments per method).
#: ``"gd"`` is P1 §5.1's tuned baseline: gradients clipped to ``[-0.01, 0.01]``, step
#: ``rho_s = 1 * (100 / (s + 100))^0.7``. ``"goldstone"`` is Goldstone-GD with the same inner
#: optimiser and P1's ``k1 = 50``, ``k2 = 10`` (``step_scale`` 0.25 and the exact exponential are
#: the library defaults). ``"adam"`` uses step 0.01 with the same schedule shape, ``s_bar = 1000``.
P1_SETTINGS = {
    "gd": dict(lr=1.0, clip=0.01, decay=100.0),
    "goldstone": dict(lr=1.0, clip=0.01, decay=100.0, k1=50, k2=10),
    "adam": dict(lr=0.01, decay=1000.0),
}

#: What :func:`replica_survey` runs by default: P1's three settings, plus Adam with the larger
#: step 0.1 (P1 §5.3's prefactor) alone and as Goldstone-GD's inner optimiser.
SURVEY_SETTINGS = dict(P1_SETTINGS, **{
    "adam_0.1": dict(method="adam", lr=0.1, decay=1000.0),
    "goldstone_adam_0.1": dict(method="goldstone", inner="adam", lr=0.1, decay=1000.0, k1=50,
                               k2=10),
})

#: Iterations at which :func:`replica_survey` records its numbers.
SURVEY_CHECKPOINTS = (500, 1000, 1500, 2000, 3000, 5000)


@dataclass
class Replica:
    """The P1 §5.1 set-up for one seed.

    Attributes
    ----------
    model : DynamicFactorization
    Z0 : numpy.ndarray of shape (T, d, m + n)
        The random initial configuration, i.i.d. ``N(0, init_scale^2)``.
    X : numpy.ndarray of shape (m, n)
        The data, the same at every time step.
    optimum : float
        The exact minimum of the loss (:func:`factorization_optimum`).
    seed : int
    """

    model: DynamicFactorization
    Z0: np.ndarray
    X: np.ndarray
    optimum: float
    seed: int


def p1_replica(seed=0, T=30, d=3, lam=10.0, m=10, n=10, rank=3, noise_var=1e-3, init_scale=1.0):
    """The P1 §5.1 artificial-data experiment for one seed.

    ``U_bar, V_bar`` of shape ``(rank, m)``, ``(rank, n)`` are standard normal,
    ``X = U_bar^T V_bar + sqrt(noise_var) * noise``, used at every one of ``T`` time steps of a
    :class:`DynamicFactorization` with embedding dimension ``d`` and coupling ``lam``; ``Z0`` is
    i.i.d. ``N(0, init_scale^2)``. All four draws come, in this order, from
    ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    seed : int
        Non-negative seed.
    T, d, lam, m, n, rank, noise_var, init_scale
        Sizes and scales; the defaults are P1 §5.1 (``init_scale`` is not stated in the paper).

    Returns
    -------
    Replica
    """
    seed = check_int("seed", seed, minimum=0)
    rng = check_rng("seed", seed)
    T = check_int("T", T, minimum=2)
    d = check_int("d", d, minimum=1)
    m = check_int("m", m, minimum=1)
    n = check_int("n", n, minimum=1)
    rank = check_int("rank", rank, minimum=1)
    noise_var = check_float("noise_var", noise_var, minimum=0.0)
    init_scale = check_float("init_scale", init_scale, minimum=0.0, strict_min=True)
    U = rng.standard_normal((rank, m))
    V = rng.standard_normal((rank, n))
    X = U.T @ V + np.sqrt(noise_var) * rng.standard_normal((m, n))
    model = DynamicFactorization(X, d, lam, T=T)
    Z0 = model.random_init(rng, scale=init_scale)
    return Replica(model, Z0, X, factorization_optimum(X, d, T), seed)


def factorization_optimum(X, d, T):
    """Exact minimum of a dense dynamic factorisation whose data are the same at every step.

    With ``X_t = X`` for all t the coupling vanishes when every ``Z_t`` is the same best rank-``d``
    factorisation, so the minimum is ``T/2 * sum_{k >= d} sigma_k^2`` over the singular values of
    ``X`` (Eckart–Young), whatever the coupling strength.

    Parameters
    ----------
    X : array_like of shape (m, n)
    d : int
        Rank of the factorisation.
    T : int
        Number of time steps.
    """
    X = check_array("X", X, ndim=2)
    d = check_int("d", d, minimum=1)
    T = check_int("T", T, minimum=1)
    s = np.linalg.svd(X, compute_uv=False)
    return 0.5 * T * float(np.sum(s[d:] ** 2))


def reflection_walls(Z):
    """Links ``(t-1, t)`` whose best alignment is a reflection: ``det(Z_{t-1} Z_t^T) < 0``.

    The loss of a factorisation does not change under any orthogonal (indeed any invertible) map of
    one time step, but rotations cannot change the sign of a determinant. Where neighbouring steps
    sit in opposite components (``det < 0``: the best orthogonal map between them, the polar factor
    of ``Z_{t-1} Z_t^T``, is a reflection), no gauge rotation can align them: a domain wall
    (design.md §4). Steps of rank below ``d`` give ``det = 0`` and are not counted. These are the
    links that :func:`gauge_core.vacua.link_signs` marks ``-1``.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)

    Returns
    -------
    numpy.ndarray of int
        The indices ``t`` (``1 <= t <= T-1``) of the walls; its length is the number of walls.
    """
    return np.nonzero(link_signs(Z) < 0)[0] + 1


def rotation_log(R):
    """Principal logarithm of rotation matrices: the skew ``Gamma`` with ``exp(Gamma) = R``.

    Uses the eigendecomposition of ``R`` (a normal matrix), so it holds in every dimension for
    rotation angles below ``pi``; at exactly ``pi`` one of the two logarithms is returned.

    Parameters
    ----------
    R : array_like of shape (..., d, d)
        Rotations (orthogonal, determinant +1).

    Returns
    -------
    numpy.ndarray of shape (..., d, d)
        Skew-symmetric.
    """
    R = check_array("R", R)
    if R.ndim < 2 or R.shape[-1] != R.shape[-2]:
        raise ValueError(f"R must have shape (..., d, d), got {R.shape}")
    err = np.abs(np.matmul(np.swapaxes(R, -1, -2), R) - np.eye(R.shape[-1])).max(initial=0.0)
    if err > 1e-6:
        raise ValueError(f"R must hold orthogonal matrices; max |R^T R - I| = {err:.2e}")
    if np.any(np.linalg.det(R) < 0):
        raise ValueError("R must hold rotations (determinant +1): a reflection has no real "
                         "logarithm")
    return _rotation_log(R)


def _rotation_log(R):
    w, V = np.linalg.eig(R)
    theta = np.angle(w)
    # V diag(i theta) V^-1; for degenerate eigenvalues theta is equal inside the eigenspace
    G = np.matmul(V * (1j * theta)[..., None, :], np.linalg.inv(V))
    G = np.real(G)
    return 0.5 * (G - np.swapaxes(G, -1, -2))


def _expm_small(G):
    """``exp`` of skew matrices: closed forms for d = 2 (a rotation by ``phi``) and d = 3
    (Rodrigues' formula), the library's exact eigen-route otherwise. Same result to rounding."""
    d = G.shape[-1]
    if d == 2:
        phi = G[..., 1, 0]
        c, s = np.cos(phi), np.sin(phi)
        return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)
    if d == 3:
        w = _components(G)
        theta = np.sqrt(np.sum(w * w, axis=-1))[..., None, None]
        small = theta < 1e-8
        safe = np.where(small, 1.0, theta)
        a = np.where(small, 1.0 - theta ** 2 / 6.0, np.sin(safe) / safe)
        b = np.where(small, 0.5 - theta ** 2 / 24.0, (1.0 - np.cos(safe)) / safe ** 2)
        return np.eye(3) + a * G + b * np.matmul(G, G)
    return _expm_skew(G)


def generator_components(Gamma):
    """The ``d(d-1)/2`` independent entries of skew matrices, as a vector.

    For ``d = 2`` this is the angle ``phi`` of ``Gamma = phi J`` (``J`` the 90° generator), for
    ``d = 3`` the rotation vector ``(Gamma_32, Gamma_13, Gamma_21)`` (axis times angle); in general
    the entries ``Gamma_ji`` with ``i < j``.

    Parameters
    ----------
    Gamma : array_like of shape (..., d, d)

    Returns
    -------
    numpy.ndarray of shape (..., d(d-1)/2)
    """
    G = check_array("Gamma", Gamma)
    if G.ndim < 2 or G.shape[-1] != G.shape[-2]:
        raise ValueError(f"Gamma must have shape (..., d, d), got {G.shape}")
    return _components(G)


def _unwrap_along_time(G):
    """Choose, for each t, the logarithm closest to that of t-1 (angles continue past pi).

    ``exp(G)`` is unchanged: for d = 2 the angle moves by multiples of ``2 pi``; for d = 3 the
    rotation vector ``w`` may be replaced by ``w - 2 pi k w/|w|``. Larger d is returned as is.
    """
    d = G.shape[-1]
    if d == 2:
        phi = np.unwrap(G[:, 1, 0])
        out = np.zeros_like(G)
        out[:, 1, 0], out[:, 0, 1] = phi, -phi
        return out
    if d != 3:
        return G
    w = _components(G).copy()
    for t in range(1, w.shape[0]):  # T small rotation vectors: a loop over time is cheap
        norm = np.linalg.norm(w[t])
        if norm < 1e-12:
            continue
        axis = w[t] / norm
        cands = [w[t] + 2 * np.pi * k * axis for k in (-1, 0, 1)]
        w[t] = min(cands, key=lambda c: float(np.sum((c - w[t - 1]) ** 2)))
    out = np.zeros_like(G)
    out[:, 2, 1], out[:, 0, 2], out[:, 1, 0] = w[:, 0], w[:, 1], w[:, 2]
    return out - np.swapaxes(out, 1, 2)


def _components(G):
    d = G.shape[-1]
    if d == 3:
        return np.stack([G[..., 2, 1], G[..., 0, 2], G[..., 1, 0]], axis=-1)
    i, j = np.triu_indices(d, 1)
    return G[..., j, i]


@dataclass
class PhaseTrace:
    """Everything that happens inside one gauge phase (P1 Algorithm 1, lines 6–9).

    Attributes
    ----------
    rho : float
        The gauge step size ``rho'`` actually used (Eq. 17 times ``step_scale``; divided by the
        largest Laplacian eigenvalue when not preconditioned).
    gamma : numpy.ndarray of shape (k2 + 1, T, d, d)
        The skew gauge fields ``Gamma = Gamma~ - Gamma~^T`` before the first and after every
        natural-gradient step (entry 0 is the warm start).
    objective : numpy.ndarray of shape (k2 + 1,)
        ``L''(Gamma; M)`` (P1 Eq. 14) at each of them.
    exact : numpy.ndarray of shape (k2 + 1,)
        The exact change ``psi(exp(Gamma) Z) - psi(Z)`` (P1 Eq. 11) at each of them.
    best : float
        ``psi`` change of the exact optimum over rotations (the exact gauge step), the best any
        gauge phase can do.
    target : numpy.ndarray of shape (T, d, d)
        Logarithms of the exact optimum's rotations, with their mean over t removed (the global
        zero mode, which ``L^+`` leaves untouched): the profile the gauge fields aim at.
    Z_exp, Z_linear : numpy.ndarray of shape (T, d, N)
        The configuration after the transformation back with ``exp(Gamma)`` (exact) or with
        ``I + Gamma`` (P1 Algorithm 1 line 9).
    psi_before, psi_exp, psi_linear : float
        The coupling before and after either transformation back.
    norm_growth_linear : float
        ``||Z_linear|| / ||Z||``: ``I + Gamma`` is not orthogonal,
        ``(I+Gamma)^T (I+Gamma) = I - Gamma^2``.
    steps : int
        Natural-gradient steps done (fewer than ``k2`` if the iteration ran away).
    diverged_at : int or None
        Step at which the gauge fields became non-finite or absurdly large (> 1e6); the arrays then
        stop at the last finite step.
    """

    rho: float
    gamma: np.ndarray
    objective: np.ndarray
    exact: np.ndarray
    best: float
    target: np.ndarray
    Z_exp: np.ndarray
    Z_linear: np.ndarray
    psi_before: float
    psi_exp: float
    psi_linear: float
    norm_growth_linear: float
    steps: int
    diverged_at: int | None


def dissect_phase(Z, coupling, k2=10, step_scale=0.25, gauge_raw=None, precondition=True,
                  Lplus=None):
    """One gauge phase of P1 Algorithm 1, keeping every intermediate step.

    With ``precondition=True`` the steps are exactly those of :func:`gauge_core.goldstone_phase`:
    ``M`` from Eq. 15, ``rho' = step_scale * d / sum ||z||^2`` (Eq. 17), then ``k2``
    natural-gradient steps ``Gamma~ <- Gamma~ - rho' L^+ grad L''`` (Eq. 16). With
    ``precondition=False`` the ``L^+`` is dropped and the step becomes ``rho' / h_max`` (``h_max``
    the largest eigenvalue of ``L``), so the stiffest mode moves as fast as before and the soft
    ones ``h_max / h_nu`` times slower: plain gradient descent inside the symmetry subspace.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
        The configuration at the start of the phase (after the ``k1`` ordinary steps).
    coupling : Coupling
        The model's coupling (``model.coupling``).
    k2 : int
        Number of gauge steps, ``>= 0``.
    step_scale : float
        Factor on Eq. 17, ``> 0`` (P1 as printed: 1; the authors' code: 0.25).
    gauge_raw : array_like of shape (T, d, d), optional
        The unconstrained gauge fields ``Gamma~`` at the start (warm start); zeros by default.
        Not modified.
    precondition : bool
        Natural gradient with ``L^+`` (P1) or plain gradient.
    Lplus : array_like of shape (T, T), optional
        Precomputed pseudo-inverse of the Laplacian.

    Returns
    -------
    PhaseTrace
    """
    if not isinstance(coupling, Coupling):
        raise TypeError(f"coupling must be a gauge_core.Coupling, got {type(coupling).__name__}")
    Z = check_array("Z", Z, ndim=3)
    T, d, _ = Z.shape
    if T != coupling.T:
        raise ValueError(f"Z must have T={coupling.T} time steps, got shape {Z.shape}")
    k2 = check_int("k2", k2, minimum=0)
    step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
    raw = (np.zeros((T, d, d)) if gauge_raw is None
           else check_array("gauge_raw", gauge_raw, ndim=3, shape=(T, d, d)).copy())
    L = coupling.laplacian
    if Lplus is None:
        Lplus = coupling.laplacian_pinv
    else:
        Lplus = check_array("Lplus", Lplus, ndim=2, shape=(T, T))
    M = transport_matrices(Z, coupling)
    rho = step_scale * d / max(float(np.einsum("tdn,tdn->", Z, Z)), 1e-300)
    if precondition:
        P = Lplus
    else:
        h_max = float(np.linalg.eigvalsh(L)[-1])
        rho = rho / max(h_max, 1e-300)
        P = None
    psi0 = coupling.value(Z)

    gammas, objective, exact = [], [], []
    diverged_at = None

    def record(G):
        val, _ = _p1_value_and_grad(G, M, coupling, need_grad=False)
        gammas.append(G.copy())
        objective.append(val)
        exact.append(coupling.value(np.matmul(_expm_small(G), Z)) - psi0)

    G = raw - np.swapaxes(raw, 1, 2)
    record(G)
    steps = 0
    with np.errstate(all="ignore"):
        for j in range(k2):
            _, g = _p1_value_and_grad(G, M, coupling)
            g_raw = g - np.swapaxes(g, 1, 2)
            step = g_raw if P is None else (P @ g_raw.reshape(T, d * d)).reshape(T, d, d)
            new_raw = raw - rho * step
            G_new = new_raw - np.swapaxes(new_raw, 1, 2)
            if not np.all(np.isfinite(G_new)) or np.abs(G_new).max() > 1e6:
                diverged_at = j + 1
                break
            raw, G = new_raw, G_new
            record(G)
            steps += 1

    R_best = _exact_gauge_step(Z, "SO", "mean")[1]
    best = coupling.value(np.matmul(R_best, Z)) - psi0
    logs = _unwrap_along_time(_rotation_log(R_best))
    target = logs - logs.mean(axis=0)
    Z_exp = np.matmul(_expm_small(G), Z)
    Z_lin = Z + np.matmul(G, Z)
    norm0 = max(float(np.linalg.norm(Z)), 1e-300)
    return PhaseTrace(rho=rho, gamma=np.array(gammas), objective=np.array(objective),
                      exact=np.array(exact), best=best, target=target, Z_exp=Z_exp,
                      Z_linear=Z_lin, psi_before=psi0, psi_exp=coupling.value(Z_exp),
                      psi_linear=coupling.value(Z_lin),
                      norm_growth_linear=float(np.linalg.norm(Z_lin)) / norm0,
                      steps=steps, diverged_at=diverged_at)


class PhaseRecorder(Run):
    """A Goldstone-GD run (``gauge_core.Run`` with ``method="goldstone"``) that remembers the start
    of every gauge phase.

    ``phases[p]`` is a dict with ``iteration`` (the inner step after which phase ``p + 1`` runs),
    ``Z`` (the configuration after the ``k1`` ordinary steps, before the gauge phase) and
    ``gauge_raw`` (the warm-start gauge fields ``Gamma~``). Feeding ``Z`` and ``gauge_raw`` with the
    run's ``k2`` and ``step_scale`` to :func:`dissect_phase` reproduces the run's phase exactly.

    Parameters
    ----------
    model, Z0, lr, **options
        As for :func:`gauge_core.optimize` (``method`` is fixed to ``"goldstone"``).

    Examples
    --------
    >>> import numpy as np, gauge_core as gc
    >>> from gauge_core.replica import PhaseRecorder
    >>> model = gc.MexicanHatChain(T=8, lam=1.0)
    >>> rec = PhaseRecorder(model, model.random_init(np.random.default_rng(0)), lr=0.05, k1=5)
    >>> rec.advance_to_phase(2)
    >>> [p["iteration"] for p in rec.phases]
    [5, 10]
    """

    def __init__(self, model, Z0, lr=None, **options):
        options.pop("method", None)
        super().__init__(model, Z0, "goldstone", lr, **options)
        self.phases = []

    def _gauge_phase(self, Z):
        self.phases.append({"iteration": self.iteration + 1, "Z": Z.copy(),
                            "gauge_raw": self._gauge_raw.copy()})
        return super()._gauge_phase(Z)

    @property
    def Lplus(self):
        """The pseudo-inverse of the Laplacian used by the run."""
        return self._Lplus

    def advance_to_phase(self, p):
        """Run until at least ``p`` gauge phases have started (or the run diverged)."""
        p = check_int("p", p, minimum=0)
        while len(self.phases) < p and not self.diverged:
            need = p * self.k1 - self.iteration
            if self.advance(max(need, 1)) == 0:
                break


def steps_to_converge(model, Z0, method, target, tol=1e-6, max_steps=20000, chunk=100,
                      lr=None, **options):
    """Iterations until the loss gap closes to ``tol`` of its start, stopping as soon as it does.

    The same criterion as :func:`gauge_core.iterations_to_converge`
    (``loss - target <= tol * (loss_0 - target)``), but the run is advanced in chunks and stopped
    at convergence, so a fast method costs little.

    Returns
    -------
    int or None
        ``None`` if not converged within ``max_steps`` (or diverged).
    """
    max_steps = check_int("max_steps", max_steps, minimum=0)
    chunk = check_int("chunk", chunk, minimum=1)
    run = Run(model, Z0, method, lr, **options)
    while True:
        n = iterations_to_converge(run.loss, target, tol)
        if n is not None:
            return n
        if run.iteration >= max_steps or run.diverged:
            return None
        if run.advance(min(chunk, max_steps - run.iteration)) == 0:
            return None


def replica_survey(seeds, steps=5000, checkpoints=SURVEY_CHECKPOINTS, settings=None, **replica_kw):
    """Run GD, Goldstone-GD and Adam on the replica for many seeds and record the outcome.

    Parameters
    ----------
    seeds : iterable of int
    steps : int
        Iterations per run.
    checkpoints : sequence of int
        Iterations (``<= steps``) at which the numbers are recorded.
    settings : dict, optional
        Name -> ``optimize`` options (with ``method`` if the name is not a method);
        :data:`SURVEY_SETTINGS` by default.
    **replica_kw
        Passed to :func:`p1_replica`.

    Returns
    -------
    dict of numpy.ndarray
        ``seeds`` (S,), ``methods`` (M,) names, ``checkpoints`` (C,), ``optimum`` (S,), and
        ``loss``, ``alignment`` (mean cosine over the N vectors, :func:`gauge_core.alignment`),
        ``walls`` (number of :func:`reflection_walls`), each of shape (M, S, C). A run that
        diverged records ``nan`` / ``-1`` after it stopped.
    """
    from .gauge import alignment

    seeds = [check_int("seeds", s, minimum=0) for s in seeds]
    steps = check_int("steps", steps, minimum=1)
    checkpoints = [check_int("checkpoints", c, minimum=0, maximum=steps) for c in checkpoints]
    settings = dict(SURVEY_SETTINGS if settings is None else settings)
    methods = list(settings)
    shape = (len(methods), len(seeds), len(checkpoints))
    loss, align = np.full(shape, np.nan), np.full(shape, np.nan)
    walls = np.full(shape, -1, dtype=int)
    optimum = np.empty(len(seeds))
    for si, seed in enumerate(seeds):
        rep = p1_replica(seed, **replica_kw)
        optimum[si] = rep.optimum
        for mi, name in enumerate(methods):
            opts = dict(settings[name])
            method = opts.pop("method", name)
            run = Run(rep.model, rep.Z0, method, snapshots=checkpoints, **opts)
            run.advance(steps)
            res = run.result()
            for ci, c in enumerate(checkpoints):
                if c in res.snapshots:
                    Zc = res.snapshots[c]
                    loss[mi, si, ci] = res.loss[c]
                    align[mi, si, ci] = float(np.mean(alignment(Zc)))
                    walls[mi, si, ci] = len(reflection_walls(Zc))
    return {"seeds": np.array(seeds), "methods": np.array(methods), "checkpoints":
            np.array(checkpoints), "optimum": optimum, "loss": loss, "alignment": align,
            "walls": walls}
