"""Optimisers behind one engine: plain GD, heavy-ball momentum, Nesterov, Adam, AdaGrad, P1's
Goldstone-GD and the exact gauge step (:class:`Run`, :func:`optimize`), with the gauge phase on its
own (:func:`goldstone_phase`, :func:`dissect_phase`) and recorders (:class:`PhaseStarts`,
:class:`Trajectory`)."""
from .phases import APPLY_RULES, PhaseTrace, dissect_phase, goldstone_phase
from .recorders import PhaseStarts, Recorder, Trajectory
from .run import GAUGE_METHODS, METHODS, OptimizeResult, Run, iterations_to_converge, optimize
from .steps import DEFAULT_LR, INNER

__all__ = ["APPLY_RULES", "PhaseTrace", "dissect_phase", "goldstone_phase", "PhaseStarts",
           "Recorder", "Trajectory", "GAUGE_METHODS", "METHODS", "OptimizeResult", "Run",
           "iterations_to_converge", "optimize", "DEFAULT_LR", "INNER"]
