"""The inner optimisers: one step rule each, pluggable into :class:`gauge_core.Run`.

A rule turns the gradient ``g`` at the current iterate into the step ``Delta`` (``Z <- Z - Delta``).
It may overwrite ``g`` (the run's own fresh array) and keeps whatever state it needs. When a gauge
phase rotates the configuration, :meth:`StepRule.transform` moves that state along: momentum's
velocity lives in the same frame as ``Z`` and is rotated with it. Adam's and AdaGrad's per-entry
statistics are left as they are (they are not covariant under rotations anyway).

- ``"gd"``: ``Delta = lr g``.
- ``"momentum"`` (Polyak's heavy ball): ``v <- beta v + lr g``, ``Delta = v``; i.e.
  ``Z_{k+1} = Z_k - lr g_k + beta (Z_k - Z_{k-1})``.
- ``"nesterov"``: the gradient is taken at the look-ahead point, which is the iterate itself in
  Sutskever et al.'s (2013) form: ``v <- beta v - lr g``, ``Delta = lr g - beta v``.
- ``"adam"`` (Kingma & Ba 2015) with bias correction; ``"adagrad"`` (Duchi et al. 2011).
"""
from __future__ import annotations

import numpy as np

INNER = ("gd", "momentum", "nesterov", "adam", "adagrad")
DEFAULT_LR = {"gd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adam": 0.01, "adagrad": 0.1}


class StepRule:
    """Base class: ``delta(g, lr, k)`` returns the step of iteration ``k`` (1-based)."""

    def delta(self, g, lr, k):  # pragma: no cover - abstract
        raise NotImplementedError

    def transform(self, apply):
        """Move the rule's state along a gauge transformation ``A -> apply(A)`` of ``Z``."""


class GradientDescent(StepRule):
    def delta(self, g, lr, k):
        g *= lr
        return g


class Momentum(StepRule):
    def __init__(self, shape, beta):
        self.beta = beta
        self.v = np.zeros(shape)

    def delta(self, g, lr, k):
        self.v *= self.beta
        g *= lr
        self.v += g
        return self.v

    def transform(self, apply):
        self.v = apply(self.v)


class Nesterov(Momentum):
    def delta(self, g, lr, k):
        self.v *= self.beta
        g *= lr
        self.v -= g
        g -= self.beta * self.v
        return g


class Adam(StepRule):
    def __init__(self, shape, beta1, beta2, eps):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)

    def delta(self, g, lr, k):
        self.m *= self.beta1
        self.m += (1 - self.beta1) * g
        self.v *= self.beta2
        g *= g
        g *= 1 - self.beta2
        self.v += g
        denom = np.sqrt(self.v / (1 - self.beta2 ** k))
        denom += self.eps
        step = self.m * (lr / (1 - self.beta1 ** k))
        step /= denom
        return step


class AdaGrad(StepRule):
    def __init__(self, shape, eps):
        self.eps = eps
        self.v = np.zeros(shape)

    def delta(self, g, lr, k):
        self.v += g * g
        g *= lr
        g /= np.sqrt(self.v) + self.eps
        return g


def make_rule(name, shape, *, beta, beta1, beta2, eps):
    """The step rule called ``name`` (one of :data:`INNER`) for configurations of ``shape``."""
    if name == "gd":
        return GradientDescent()
    if name == "momentum":
        return Momentum(shape, beta)
    if name == "nesterov":
        return Nesterov(shape, beta)
    if name == "adam":
        return Adam(shape, beta1, beta2, eps)
    return AdaGrad(shape, eps)
