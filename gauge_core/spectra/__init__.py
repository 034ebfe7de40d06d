"""Every spectrum the book draws: dispersion relations (chain, ring, radial), Goldstone modes and
twists, Hessians and their branches, the symmetry-subspace curvature before and after ``L^+``,
condition numbers, and the extremes ``(h_min, h_max)`` that tune GD and momentum."""
from .bounds import hessian_extremes, laplacian_spectrum, spectrum_bounds
from .hessians import (HessianBranches, condition_number, fd_hessian, hessian_branches,
                       preconditioned_spectrum, symmetry_hessian)
from .modes import (chain_modes, dispersion, dispersion_curve, goldstone_modes, mode_amplitudes,
                    radial_dispersion, random_twist, ring_dispersion, twist_amplitudes,
                    twist_from_amplitudes, twist_mode)

__all__ = ["hessian_extremes", "laplacian_spectrum", "spectrum_bounds", "HessianBranches",
           "condition_number", "fd_hessian", "hessian_branches", "preconditioned_spectrum",
           "symmetry_hessian", "chain_modes", "dispersion", "dispersion_curve", "goldstone_modes",
           "mode_amplitudes", "radial_dispersion", "random_twist", "ring_dispersion",
           "twist_amplitudes", "twist_from_amplitudes", "twist_mode"]
