"""Optimisers behind one function: plain GD, Adam, AdaGrad, P1's Goldstone-GD and the exact gauge step.

``optimize(model, Z0, method, steps, ...)`` runs to completion; :class:`Run` does the same work in
resumable chunks (``run.advance(k)``), which is what interactive widgets use for Play/Pause.

Iteration ``k`` of every method is one step of the inner optimiser. The gauge methods add a gauge
phase after every ``k1`` inner steps; its cost shows in the wall time, not in the iteration count
(as on P1 Fig. 3's x-axis).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_array, check_bool, check_choice, check_float, check_int
from .gauge import REFERENCES, _exact_gauge_step
from .models import EmbeddingModel
from .rotations import GROUPS, _expm_skew
from .symmetry_subspace import _p1_value_and_grad, _transport

METHODS = ("gd", "adam", "adagrad", "goldstone", "gauge")
INNER = ("gd", "adam", "adagrad")
APPLY_RULES = ("exp", "linear")
DEFAULT_LR = {"gd": 0.01, "adam": 0.01, "adagrad": 0.1}


@dataclass
class OptimizeResult:
    """What an optimisation run produced.

    Attributes
    ----------
    method : str
    loss, local_loss, coupling_loss : numpy.ndarray of shape (iterations + 1,)
        Values at the start and after every iteration.
    time : numpy.ndarray of shape (iterations + 1,)
        Wall-clock seconds since the start of the run, at each recorded iteration.
    gauge_time : float
        Seconds spent in gauge phases (included in ``time``).
    Z : numpy.ndarray of shape (T, d, N)
        The final (last finite) configuration.
    snapshots : dict[int, numpy.ndarray]
        Copies of ``Z`` at the requested iterations that were reached.
    diverged : bool
        True if a non-finite loss or gradient stopped the run; ``Z`` and the curves then end at the
        last finite iterate, ``diverged_at`` is the iteration that failed.
    diverged_at : int or None
    iterations : int
        Completed iterations.
    """

    method: str
    loss: np.ndarray
    local_loss: np.ndarray
    coupling_loss: np.ndarray
    time: np.ndarray
    gauge_time: float
    Z: np.ndarray
    snapshots: dict = field(default_factory=dict)
    diverged: bool = False
    diverged_at: int | None = None
    iterations: int = 0


class Run:
    """A resumable optimisation run; see :func:`optimize` for the parameters.

    Examples
    --------
    >>> import numpy as np, gauge_core as gc
    >>> model = gc.MexicanHatChain(T=16, lam=1.0)
    >>> run = gc.Run(model, model.random_init(np.random.default_rng(0)), "gauge", lr=0.05)
    >>> _ = run.advance(100)
    >>> run.result().loss[-1] < run.result().loss[0]
    True
    """

    def __init__(self, model, Z0, method, lr=None, *, clip=None, decay=None, k1=50, k2=10,
                 inner="gd", step_scale=0.25, apply="exp", warm_start=True, group="SO",
                 reference="first", beta1=0.9, beta2=0.999, eps=1e-8, snapshots=(),
                 callback=None):
        if not isinstance(model, EmbeddingModel):
            raise TypeError(f"model must be a gauge_core model, got {type(model).__name__}")
        self.model = model
        self.method = check_choice("method", method, METHODS)
        check_choice("inner", inner, INNER)
        self.inner = inner if method in ("goldstone", "gauge") else method
        self.lr = DEFAULT_LR[self.inner] if lr is None else check_float(
            "lr", lr, minimum=0.0, strict_min=True)
        self.clip = None if clip is None else check_float("clip", clip, minimum=0.0, strict_min=True)
        self.decay = None if decay is None else check_float("decay", decay, minimum=0.0,
                                                            strict_min=True)
        self.k1 = check_int("k1", k1, minimum=1)
        self.k2 = check_int("k2", k2, minimum=0)
        self.step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
        self.apply = check_choice("apply", apply, APPLY_RULES)
        self.warm_start = check_bool("warm_start", warm_start)
        self.group = check_choice("group", group, GROUPS)
        self.reference = check_choice("reference", reference, REFERENCES)
        self.beta1 = check_float("beta1", beta1, minimum=0.0, maximum=0.999999)
        self.beta2 = check_float("beta2", beta2, minimum=0.0, maximum=0.999999)
        self.eps = check_float("eps", eps, minimum=0.0, strict_min=True)
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable or None")
        self.callback = callback
        if method == "gauge" and model.ring:
            raise ValueError("method='gauge' needs a chain: on a ring the holonomy cannot be gauged "
                             "away, so the exact gauge step does not exist (use 'goldstone')")
        if isinstance(snapshots, (str, bytes)) or not hasattr(snapshots, "__iter__"):
            raise TypeError(f"snapshots must be a sequence of iterations, got {snapshots!r}")
        self._snap_at = {check_int("snapshots", s, minimum=0) for s in snapshots}

        Z = model.check_Z(Z0, "Z0").copy()
        self.Z = Z
        self.iteration = 0
        self.diverged_at = None
        self.gauge_time = 0.0
        self._m = np.zeros_like(Z) if self.inner == "adam" else None
        self._v = np.zeros_like(Z) if self.inner in ("adam", "adagrad") else None
        if method == "goldstone":
            self._gauge_raw = np.zeros((model.T, model.d, model.d))  # P1's unconstrained Gamma~
            self._Lplus = model.coupling.laplacian_pinv
        self._loss, self._local, self._coup, self._time = [], [], [], []
        self.snapshots = {}
        self._elapsed = 0.0
        with np.errstate(all="ignore"):
            values = model.evaluate(Z)
        if not _finite(values):
            raise ValueError("Z0 gives a non-finite loss or gradient (entries too large?)")
        self._record(values)

    # --- public -----------------------------------------------------------------------------
    @property
    def diverged(self):
        """True once a non-finite loss or gradient has stopped the run."""
        return self.diverged_at is not None

    @property
    def current_loss(self):
        """Loss of the current configuration (cheap: no copy of the history)."""
        return self._loss[-1]

    @property
    def loss(self):
        """Loss at every recorded iteration so far, shape ``(iteration + 1,)`` (a new array)."""
        return np.asarray(self._loss)

    @property
    def local_loss(self):
        """Local (symmetric) part of the loss at every recorded iteration."""
        return np.asarray(self._local)

    @property
    def coupling_loss(self):
        """Coupling ``psi`` at every recorded iteration."""
        return np.asarray(self._coup)

    def advance(self, steps):
        """Run up to ``steps`` more iterations; stop early on divergence or when the callback
        returns ``False``. Returns the number of iterations done."""
        steps = check_int("steps", steps, minimum=0)
        done = 0
        with np.errstate(all="ignore"):
            while done < steps and not self.diverged:
                if not self._step():
                    break
                done += 1
                if self.callback is not None and self.callback(self.iteration, self.Z) is False:
                    break
        return done

    def result(self):
        """The :class:`OptimizeResult` so far (arrays are copies)."""
        return OptimizeResult(
            method=self.method, loss=np.array(self._loss), local_loss=np.array(self._local),
            coupling_loss=np.array(self._coup), time=np.array(self._time),
            gauge_time=self.gauge_time, Z=self.Z.copy(), snapshots=dict(self.snapshots),
            diverged=self.diverged, diverged_at=self.diverged_at, iterations=self.iteration)

    # --- internals --------------------------------------------------------------------------
    def _record(self, values):
        local, coup, grad = values
        self._grad = grad
        self._local.append(local)
        self._coup.append(coup)
        self._loss.append(local + coup)
        self._time.append(self._elapsed)
        if self.iteration in self._snap_at:
            self.snapshots[self.iteration] = self.Z.copy()

    def _step(self):
        t0 = time.perf_counter()
        Z = self.Z - self._update(self._grad)
        if self.method in ("goldstone", "gauge") and (self.iteration + 1) % self.k1 == 0:
            if not np.all(np.isfinite(Z)):  # the gauge phase needs finite input (SVD, eigh)
                self.diverged_at = self.iteration + 1
                return False
            g0 = time.perf_counter()
            try:
                Z = self._gauge_phase(Z)
            except np.linalg.LinAlgError:  # only reachable when the run is blowing up
                self.diverged_at = self.iteration + 1
                return False
            self.gauge_time += time.perf_counter() - g0
        values = self.model.evaluate(Z)
        if not _finite(values):
            self.diverged_at = self.iteration + 1
            return False
        self.Z = Z
        self.iteration += 1
        self._elapsed += time.perf_counter() - t0  # time spent computing, excluding pauses
        self._record(values)
        return True

    def _update(self, g):
        """The inner optimiser's step ``Delta`` (so that ``Z <- Z - Delta``)."""
        lr = self.lr
        if self.decay is not None:  # P1 §5.1: rho_s = rho_0 (s_bar / (s + s_bar))^0.7
            lr = lr * (self.decay / (self.iteration + self.decay)) ** 0.7
        # g is this run's own fresh gradient array, so it may be overwritten in place
        if self.clip is not None:
            np.clip(g, -self.clip, self.clip, out=g)
        if self.inner == "gd":
            g *= lr
            return g
        if self.inner == "adagrad":
            self._v += g * g
            g *= lr
            g /= np.sqrt(self._v) + self.eps
            return g
        k = self.iteration + 1
        self._m *= self.beta1
        self._m += (1 - self.beta1) * g
        self._v *= self.beta2
        g *= g
        g *= 1 - self.beta2
        self._v += g
        denom = np.sqrt(self._v / (1 - self.beta2 ** k))
        denom += self.eps
        step = self._m * (lr / (1 - self.beta1 ** k))
        step /= denom
        return step

    def _gauge_phase(self, Z):
        if self.method == "gauge":
            return _exact_gauge_step(Z, self.group, self.reference)[0]
        return _goldstone_phase(Z, self._gauge_raw, self.model.coupling, self._Lplus, self.k2,
                                self.step_scale, self.apply, self.warm_start)


def goldstone_phase(Z, gauge_raw, coupling, Lplus=None, k2=10, step_scale=0.25, apply="exp",
                    warm_start=True):
    """One gauge phase of P1 Algorithm 1 (lines 6–9), updating ``gauge_raw`` in place.

    Line 6: ``M_{tt'}`` (Eq. 15) and ``rho' = step_scale * d / sum ||z_{t,i}||^2`` (Eq. 17 is
    ``step_scale = 1``; the authors' code uses 0.25). Lines 7–8: ``k2`` natural-gradient steps
    ``Gamma~ <- Gamma~ - rho' L^+ grad L''`` on Eq. 14. Line 9: ``Z_t <- exp(Gamma_t) Z_t`` (or the
    paper's truncation ``Z_t + Gamma_t Z_t`` with ``apply="linear"``). With ``warm_start`` the gauge
    fields are kept for the next phase, as in P1; otherwise they are reset to zero.

    Parameters
    ----------
    Z : array_like of shape (T, d, N)
    gauge_raw : numpy.ndarray of shape (T, d, d)
        P1's unconstrained gauge fields ``Gamma~``; updated in place.
    coupling : Coupling
    Lplus : array_like of shape (T, T), optional
        Pseudo-inverse of the coupling's Laplacian (default: ``coupling.laplacian_pinv``).
    k2 : int
        Natural-gradient steps, ``>= 0``.
    step_scale : float
        Factor on P1 Eq. 17, ``> 0``.
    apply : {"exp", "linear"}
    warm_start : bool

    Returns the new ``Z``.
    """
    from .coupling import Coupling

    if not isinstance(coupling, Coupling):
        raise TypeError(f"coupling must be a gauge_core.Coupling, got {type(coupling).__name__}")
    Z = coupling.check_Z(Z)
    T, d, _ = Z.shape
    if not isinstance(gauge_raw, np.ndarray) or gauge_raw.dtype != np.float64:
        raise TypeError("gauge_raw must be a float64 numpy array (it is updated in place)")
    if gauge_raw.shape != (T, d, d):
        raise ValueError(f"gauge_raw must have shape (T, d, d) = {(T, d, d)} to match Z of shape "
                         f"{Z.shape}, got {gauge_raw.shape}")
    check_array("gauge_raw", gauge_raw, ndim=3, shape=(T, d, d))
    Lplus = coupling.laplacian_pinv if Lplus is None else check_array("Lplus", Lplus, ndim=2,
                                                                      shape=(T, T))
    k2 = check_int("k2", k2, minimum=0)
    step_scale = check_float("step_scale", step_scale, minimum=0.0, strict_min=True)
    check_choice("apply", apply, APPLY_RULES)
    warm_start = check_bool("warm_start", warm_start)
    return _goldstone_phase(Z, gauge_raw, coupling, Lplus, k2, step_scale, apply, warm_start)


def _goldstone_phase(Z, gauge_raw, coupling, Lplus, k2, step_scale, apply, warm_start):
    T, d, _ = Z.shape
    M = _transport(Z, coupling)
    rho = step_scale * d / max(float(np.einsum("tdn,tdn->", Z, Z)), 1e-300)
    for _ in range(k2):
        G = gauge_raw - np.swapaxes(gauge_raw, 1, 2)
        _, g = _p1_value_and_grad(G, M, coupling)
        g_raw = g - np.swapaxes(g, 1, 2)  # chain rule through Gamma = Gamma~ - Gamma~^T
        gauge_raw -= rho * (Lplus @ g_raw.reshape(T, d * d)).reshape(T, d, d)
    G = gauge_raw - np.swapaxes(gauge_raw, 1, 2)
    if apply == "exp":
        Z = np.matmul(_expm_skew(G), Z)
    else:
        Z = Z + np.matmul(G, Z)
    if not warm_start:
        gauge_raw[:] = 0.0
    return Z


def _finite(values):
    local, coup, grad = values
    # a single reduction: any inf or NaN in grad makes its sum non-finite
    return math.isfinite(local) and math.isfinite(coup) and math.isfinite(float(grad.sum()))


def optimize(model, Z0, method, steps, lr=None, **options):
    """Minimise a model's loss from ``Z0`` with one of five methods.

    Parameters
    ----------
    model : EmbeddingModel
        :class:`MexicanHatChain`, :class:`DynamicFactorization` or
        :class:`SparseLogisticFactorization`.
    Z0 : array_like of shape model.shape
        Initial configuration (not modified).
    method : {"gd", "adam", "adagrad", "goldstone", "gauge"}
        ``"gd"``: plain gradient descent. ``"adam"``, ``"adagrad"``: the adaptive methods.
        ``"goldstone"``: P1 Algorithm 1 (Goldstone-GD). ``"gauge"``: the inner optimiser plus the
        exact chain gauge step (design.md §3) after every ``k1`` steps.
    steps : int
        Number of iterations, ``>= 0``.
    lr : float, optional
        Step size ``> 0`` of the (inner) optimiser; defaults 0.01 (gd, adam) and 0.1 (adagrad).
    **options
        ``clip`` (elementwise gradient clipping bound), ``decay`` (``s_bar`` of P1's schedule
        ``lr (s_bar/(s+s_bar))^0.7``), ``k1`` (inner steps per gauge phase, default 50), ``k2``
        (natural-gradient steps per phase, default 10), ``inner`` ({"gd", "adam", "adagrad"}),
        ``step_scale`` (factor on P1 Eq. 17, default 0.25), ``apply`` ({"exp", "linear"}),
        ``warm_start`` (keep the gauge fields between phases, default True), ``group``
        ({"SO", "O"} links of the exact step), ``reference`` ({"first", "last", "mean"} gauge
        fixing of the exact step), ``beta1``, ``beta2``, ``eps`` (Adam/AdaGrad), ``snapshots``
        (iterations at which to keep a copy of Z), ``callback`` (``f(iteration, Z)`` after every
        iteration; returning ``False`` stops the run).

    Returns
    -------
    OptimizeResult
    """
    run = Run(model, Z0, method, lr, **options)
    run.advance(check_int("steps", steps, minimum=0))
    return run.result()


def iterations_to_converge(loss, target, tol=1e-6):
    """First iteration ``k`` with ``loss[k] - target <= tol * (loss[0] - target)``, or ``None``.

    This is the "relative loss gap" used by the benchmarks and the book.
    """
    loss = check_array("loss", loss, ndim=1)
    target = check_float("target", target)
    tol = check_float("tol", tol, minimum=0.0, strict_min=True)
    gap0 = loss[0] - target
    if gap0 <= 0:
        return 0
    hit = np.nonzero(loss - target <= tol * gap0)[0]
    return int(hit[0]) if hit.size else None
