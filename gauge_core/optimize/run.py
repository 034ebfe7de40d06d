"""One optimisation engine: :class:`Run`, resumable, with pluggable inner steps, gauge phases and
recorders; :func:`optimize` runs it to completion.

Iteration ``k`` of every method is one step of the inner optimiser (:mod:`.steps`). The gauge
methods add a gauge phase (:mod:`.phases`) after every ``k1`` inner steps; its cost shows in the
wall time, not in the iteration count (as on P1 Fig. 3's x-axis). The curves (loss, its two parts,
wall time) grow in preallocated numpy buffers, so reading them is cheap at any moment
(:attr:`Run.loss` is a read-only view, :meth:`Run.curves_since` the new part only).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .._validate import check_array, check_bool, check_choice, check_float, check_int
from ..gauge.fixing import REFERENCES
from ..lie import GROUPS
from ..models.base import check_model
from .phases import APPLY_RULES, ExactPhase, GoldstonePhase
from .recorders import Recorder
from .steps import DEFAULT_LR, INNER, make_rule

METHODS = ("gd", "momentum", "nesterov", "adam", "adagrad", "goldstone", "gauge")
GAUGE_METHODS = ("goldstone", "gauge")
CURVES = ("loss", "local_loss", "coupling_loss", "time")


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

    Extra keyword ``recorders``: :class:`gauge_core.Recorder` objects told about every iteration
    and every gauge phase (e.g. :class:`gauge_core.PhaseStarts`).

    Examples
    --------
    >>> import numpy as np, gauge_core as gc
    >>> model = gc.MexicanHatChain(T=16, lam=1.0)
    >>> run = gc.Run(model, model.random_init(np.random.default_rng(0)), "gauge", lr=0.05)
    >>> _ = run.advance(100)
    >>> run.loss[-1] < run.loss[0]
    True
    """

    def __init__(self, model, Z0, method, lr=None, *, clip=None, decay=None, k1=50, k2=10,
                 inner="gd", step_scale=0.25, apply="exp", warm_start=True, group="SO",
                 reference="first", beta=0.9, beta1=0.9, beta2=0.999, eps=1e-8,
                 gauge_at_start=False, snapshots=(), callback=None, recorders=()):
        self.model = check_model(model)
        self.method = check_choice("method", method, METHODS)
        check_choice("inner", inner, INNER)
        self.inner = inner if method in GAUGE_METHODS else method
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
        self.beta = check_float("beta", beta, minimum=0.0, maximum=0.999999)
        self.beta1 = check_float("beta1", beta1, minimum=0.0, maximum=0.999999)
        self.beta2 = check_float("beta2", beta2, minimum=0.0, maximum=0.999999)
        self.eps = check_float("eps", eps, minimum=0.0, strict_min=True)
        self.gauge_at_start = check_bool("gauge_at_start", gauge_at_start)
        if self.gauge_at_start and method not in GAUGE_METHODS:
            raise ValueError(f"gauge_at_start needs a gauge method ('gauge' or 'goldstone'), got "
                             f"method={method!r}")
        if callback is not None and not callable(callback):
            raise TypeError("callback must be callable or None")
        self.callback = callback
        if method == "gauge" and model.ring:
            raise ValueError("method='gauge' needs a chain: on a ring the holonomy cannot be gauged "
                             "away, so the exact gauge step does not exist (use 'goldstone')")
        if isinstance(snapshots, (str, bytes)) or not hasattr(snapshots, "__iter__"):
            raise TypeError(f"snapshots must be a sequence of iterations, got {snapshots!r}")
        self._snap_at = {check_int("snapshots", s, minimum=0) for s in snapshots}
        if isinstance(recorders, Recorder) or not hasattr(recorders, "__iter__"):
            raise TypeError("recorders must be a sequence of gauge_core.Recorder objects")
        self.recorders = list(recorders)
        for r in self.recorders:
            if not isinstance(r, Recorder):
                raise TypeError(f"recorders must hold gauge_core.Recorder objects, got "
                                f"{type(r).__name__}")

        Z = model.check_Z(Z0, "Z0").copy()
        self.Z = Z
        self.iteration = 0
        self.diverged_at = None
        self.gauge_time = 0.0
        self.snapshots = {}
        self._rule = make_rule(self.inner, Z.shape, beta=self.beta, beta1=self.beta1,
                               beta2=self.beta2, eps=self.eps)
        self._phase = None
        if method == "gauge":
            self._phase = ExactPhase(self.group, self.reference)
        elif method == "goldstone":
            self._phase = GoldstonePhase(model.coupling, model.d, self.k2, self.step_scale,
                                         self.apply, self.warm_start)
        self._buf = np.empty((len(CURVES), 1024))
        self._n = 0
        self._elapsed = 0.0
        for r in self.recorders:
            r.start(self)
        with np.errstate(all="ignore"):
            if self.gauge_at_start:
                try:
                    self._start_phase()
                except np.linalg.LinAlgError:
                    raise ValueError("Z0: the gauge phase at the start failed (entries too "
                                     "large?)") from None
            values = model.evaluate(self.Z)
        if not _finite(values):
            raise ValueError("Z0 gives a non-finite loss or gradient (entries too large?)")
        self._record(values)

    # --- public -----------------------------------------------------------------------------
    @property
    def diverged(self):
        """True once a non-finite loss or gradient has stopped the run."""
        return self.diverged_at is not None

    @property
    def gauge_raw(self):
        """Goldstone-GD's current gauge fields ``Gamma~`` (``None`` for other methods)."""
        return getattr(self._phase, "gauge_raw", None)

    @property
    def current_loss(self):
        """Loss of the current configuration."""
        return float(self._buf[0, self._n - 1])

    def _curve(self, row, start=0):
        view = self._buf[row, start:self._n]
        view.flags.writeable = False
        return view

    @property
    def loss(self):
        """Loss at every recorded iteration so far, shape ``(iteration + 1,)`` (a read-only view:
        no copy, so a live panel can read it at any rate)."""
        return self._curve(0)

    @property
    def local_loss(self):
        """Local (symmetric) part of the loss at every recorded iteration (read-only view)."""
        return self._curve(1)

    @property
    def coupling_loss(self):
        """Coupling ``psi`` at every recorded iteration (read-only view)."""
        return self._curve(2)

    @property
    def time(self):
        """Wall-clock seconds of computing since the start, at every recorded iteration."""
        return self._curve(3)

    def curves_since(self, k):
        """The curves from iteration ``k`` on (read-only views): a dict with ``iterations`` and
        the four curves of :data:`CURVES`. ``curves_since(last_seen + 1)`` gives what is new."""
        k = check_int("k", k, minimum=0)
        k = min(k, self._n)
        out = {name: self._curve(row, k) for row, name in enumerate(CURVES)}
        out["iterations"] = np.arange(k, self._n)
        return out

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
        n = self._n
        return OptimizeResult(
            method=self.method, loss=self._buf[0, :n].copy(), local_loss=self._buf[1, :n].copy(),
            coupling_loss=self._buf[2, :n].copy(), time=self._buf[3, :n].copy(),
            gauge_time=self.gauge_time, Z=self.Z.copy(), snapshots=dict(self.snapshots),
            diverged=self.diverged, diverged_at=self.diverged_at, iterations=self.iteration)

    # --- internals --------------------------------------------------------------------------
    def _record(self, values):
        local, coup, grad = values
        self._grad = grad
        n = self._n
        if n == self._buf.shape[1]:
            self._buf = np.concatenate([self._buf, np.empty_like(self._buf)], axis=1)
        buf = self._buf
        buf[0, n] = local + coup
        buf[1, n] = local
        buf[2, n] = coup
        buf[3, n] = self._elapsed
        self._n = n + 1
        if self.iteration in self._snap_at:
            self.snapshots[self.iteration] = self.Z.copy()
        for r in self.recorders:
            r.step(self)

    def _start_phase(self):
        t0 = time.perf_counter()
        for r in self.recorders:
            r.phase(self, self.Z)
        self.Z, applied = self._phase(self.Z)
        self._rule.transform(applied)
        spent = time.perf_counter() - t0
        self.gauge_time += spent
        self._elapsed += spent

    def _step(self):
        t0 = time.perf_counter()
        lr = self.lr
        if self.decay is not None:  # P1 §5.1: rho_s = rho_0 (s_bar / (s + s_bar))^0.7
            lr = lr * (self.decay / (self.iteration + self.decay)) ** 0.7
        g = self._grad  # this run's own fresh gradient array, so it may be overwritten
        if self.clip is not None:
            np.clip(g, -self.clip, self.clip, out=g)
        Z = self.Z - self._rule.delta(g, lr, self.iteration + 1)
        if self._phase is not None and (self.iteration + 1) % self.k1 == 0:
            if not np.all(np.isfinite(Z)):  # the gauge phase needs finite input (SVD, eigh)
                self.diverged_at = self.iteration + 1
                return False
            g0 = time.perf_counter()
            for r in self.recorders:
                r.phase(self, Z)
            try:
                Z, applied = self._phase(Z)
            except np.linalg.LinAlgError:  # only reachable when the run is blowing up
                self.diverged_at = self.iteration + 1
                return False
            self._rule.transform(applied)
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


def _finite(values):
    local, coup, grad = values
    # a single reduction: any inf or NaN in grad makes its sum non-finite
    return math.isfinite(local) and math.isfinite(coup) and math.isfinite(float(grad.sum()))


def optimize(model, Z0, method, steps, lr=None, **options):
    """Minimise a model's loss from ``Z0`` with one of seven methods.

    Parameters
    ----------
    model : EmbeddingModel
        :class:`MexicanHatChain`, :class:`DynamicFactorization` or
        :class:`SparseLogisticFactorization`.
    Z0 : array_like of shape model.shape
        Initial configuration (not modified).
    method : {"gd", "momentum", "nesterov", "adam", "adagrad", "goldstone", "gauge"}
        ``"gd"``: plain gradient descent. ``"momentum"``: Polyak's heavy ball (``beta``).
        ``"nesterov"``: Nesterov's accelerated gradient (``beta``). ``"adam"``, ``"adagrad"``: the
        adaptive methods. ``"goldstone"``: P1 Algorithm 1 (Goldstone-GD). ``"gauge"``: the inner
        optimiser plus the exact chain gauge step after every ``k1`` steps.
    steps : int
        Number of iterations, ``>= 0``.
    lr : float, optional
        Step size ``> 0`` of the (inner) optimiser; defaults 0.01 (gd, momentum, nesterov, adam)
        and 0.1 (adagrad). :func:`gauge_core.tuned_momentum` gives the best ``lr`` and ``beta`` for
        momentum from the Hessian's spectrum.
    **options
        ``clip`` (elementwise gradient clipping bound), ``decay`` (``s_bar`` of P1's schedule
        ``lr (s_bar/(s+s_bar))^0.7``), ``beta`` (momentum, default 0.9), ``beta1``, ``beta2``,
        ``eps`` (Adam/AdaGrad), ``k1`` (inner steps per gauge phase, default 50), ``k2``
        (natural-gradient steps per Goldstone phase, default 10), ``inner`` (one of
        :data:`INNER`), ``step_scale`` (factor on P1 Eq. 17, default 0.25), ``apply``
        ({"exp", "linear"}), ``warm_start`` (keep the gauge fields between phases, default True),
        ``group`` ({"SO", "O"} links of the exact step), ``reference`` ({"first", "last", "mean"}
        gauge fixing of the exact step), ``gauge_at_start`` (apply the method's gauge phase to
        ``Z0`` before the first step: the curves then start at the gauge-fixed configuration),
        ``snapshots`` (iterations at which to keep a copy of Z), ``callback`` (``f(iteration, Z)``
        after every iteration; returning ``False`` stops the run), ``recorders``.

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
