"""Gauge tools: local rotations, links and holonomy, the exact gauge step and gauge fixing,
twist and alignment measures, reflection domain walls, and winding on a ring."""
from .fixing import REFERENCES, exact_gauge_step, gauge_fix
from .ring import holonomy_angle, link_angles, ring_flux, ring_links, winding_number, wound_ring
from .transforms import (apply_rotations, covariant_difference, gauge_invariant_loss,
                         gauge_transform, holonomy, link_variables)
from .twist import alignment, angle_profiles, base_frame, twist_profile
from .walls import count_walls, domain_signs, domain_wall, link_signs, reflection_walls

__all__ = ["REFERENCES", "exact_gauge_step", "gauge_fix", "holonomy_angle", "link_angles",
           "ring_flux", "ring_links", "winding_number", "wound_ring", "apply_rotations",
           "covariant_difference", "gauge_invariant_loss", "gauge_transform", "holonomy",
           "link_variables", "alignment", "angle_profiles", "base_frame", "twist_profile",
           "count_walls", "domain_signs", "domain_wall", "link_signs", "reflection_walls"]
